"""The platforms' signature schemes against vectors computed independently (openssl / platform samples)."""

import base64
from urllib.parse import parse_qs, urlsplit

import pytest

from itdesk.channels.im import signatures as sig
from itdesk.channels.im.signatures import SignatureError

# printf '1700000000000\nSECtestsecret' | openssl dgst -sha256 -hmac SECtestsecret -binary | base64
DINGTALK_SIGN = "7LVwF0dAF3/+MRRulbpE4y72Ogzykc6bS2nG4I99T4s="
# HMAC-SHA256(key="1700000000\nfeishusecret", msg="") with openssl
FEISHU_ROBOT_SIGN = "5Wc8F8b2vZlNjoVFpK6BAaovMobglP4Rm1FzmEq/rCU="
SLACK_BODY = b'{"type":"event_callback"}'
SLACK_SIGN = "v0=d77a81a04370294ad07c7e5c54b168abedffaa16c8aca742d676150ffa5b5d70"
# WeCom's published sample (token QDG6eK, corp wx5823bf96d3bd56c7)
WECOM = sig.WeComCrypto("QDG6eK", "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C", "wx5823bf96d3bd56c7")
WECOM_ECHO = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="


def test_dingtalk_sign_and_robot_url():
    assert sig.dingtalk_sign("SECtestsecret", 1700000000000) == DINGTALK_SIGN
    url = sig.dingtalk_robot_url(
        "https://oapi.dingtalk.com/robot/send?access_token=abc", "SECtestsecret", 1700000000000
    )
    query = parse_qs(urlsplit(url).query)
    assert query == {"access_token": ["abc"], "timestamp": ["1700000000000"], "sign": [DINGTALK_SIGN]}
    assert "%2B" in url and "%2F" in url  # the sign is URL-encoded
    assert (
        sig.dingtalk_robot_url("https://x.test/send?access_token=a", "")
        == "https://x.test/send?access_token=a"
    )


def test_dingtalk_callback_verification():
    now = 1700000000.0
    sig.verify_dingtalk("SECtestsecret", "1700000000000", DINGTALK_SIGN, now=now)
    with pytest.raises(SignatureError) as bad:
        sig.verify_dingtalk("other", "1700000000000", DINGTALK_SIGN, now=now)
    assert bad.value.code == "invalid_signature"
    with pytest.raises(SignatureError) as stale:
        sig.verify_dingtalk("SECtestsecret", "1700000000000", DINGTALK_SIGN, now=now + 3601)
    assert stale.value.code == "stale_timestamp"
    with pytest.raises(SignatureError):
        sig.verify_dingtalk("SECtestsecret", "not-a-number", DINGTALK_SIGN, now=now)


def test_feishu_robot_sign():
    assert sig.feishu_robot_sign("feishusecret", 1700000000) == FEISHU_ROBOT_SIGN


def test_feishu_decrypt_documented_sample_and_round_trip():
    assert sig.feishu_decrypt("test key", "P37w+VZImNgPEO1RBhJ6RtKl7n6zymIbEG1pReEzghk=") == "hello world"
    token = sig.feishu_encrypt("k3y", '{"a": "飞书"}')
    assert sig.feishu_decrypt("k3y", token) == '{"a": "飞书"}'
    with pytest.raises(SignatureError):
        sig.feishu_decrypt("wrong", token)


def test_feishu_request_signature():
    body = b'{"encrypt":"abc"}'
    # printf '1700000000nonce1keyX{"encrypt":"abc"}' | sha256sum
    expected = "46c4b46d9ea9eb51da678bdcd850030ce2db6d5d01794598b50ef7d579716f38"
    assert sig.feishu_signature("1700000000", "nonce1", "keyX", body) == expected
    sig.verify_feishu_signature("keyX", "1700000000", "nonce1", expected, body)
    with pytest.raises(SignatureError):
        sig.verify_feishu_signature("keyX", "1700000000", "nonce1", expected, body + b" ")


def test_slack_signature_and_window():
    assert sig.slack_signature("slacksecret", "1700000000", SLACK_BODY) == SLACK_SIGN
    sig.verify_slack("slacksecret", "1700000000", SLACK_SIGN, SLACK_BODY, now=1700000100)
    with pytest.raises(SignatureError) as stale:
        sig.verify_slack("slacksecret", "1700000000", SLACK_SIGN, SLACK_BODY, now=1700000301)
    assert stale.value.code == "stale_timestamp"
    with pytest.raises(SignatureError) as bad:
        sig.verify_slack("slacksecret", "1700000000", SLACK_SIGN, SLACK_BODY + b" ", now=1700000000)
    assert bad.value.code == "invalid_signature"


def test_wecom_published_sample():
    WECOM.verify("5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014780", WECOM_ECHO)
    assert WECOM.decrypt(WECOM_ECHO) == "1616140317555161061"
    with pytest.raises(SignatureError):
        WECOM.verify("0" * 40, "1409659589", "263014780", WECOM_ECHO)
    other_corp = sig.WeComCrypto("QDG6eK", WECOM.encoding_aes_key, "someone-else")
    with pytest.raises(SignatureError) as wrong:
        other_corp.decrypt(WECOM_ECHO)
    assert wrong.value.code == "invalid_receiver"


def test_wecom_signature_vector():
    # printf '1700000000ENCRYPTEDnonce1token' | sha1sum  (the four parts sorted)
    assert (
        sig.wecom_signature("token", "1700000000", "nonce1", "ENCRYPTED")
        == "c7640730e28c1bbc0845f7699c51323b01940d9a"
    )


def test_wecom_reply_round_trip():
    plain = sig.wecom_text_reply("zhangsan", "wx5823bf96d3bd56c7", "工单 IT001 ]]> ok", create_time=1)
    reply = sig.parse_xml_fields(WECOM.reply_xml(plain, "1409659589", "nonce"))
    WECOM.verify(reply["MsgSignature"], reply["TimeStamp"], reply["Nonce"], reply["Encrypt"])
    raw = base64.b64decode(reply["Encrypt"])
    assert len(raw) % 32 == 0  # PKCS#7 to 32-byte blocks
    fields = sig.parse_xml_fields(WECOM.decrypt(reply["Encrypt"]))
    assert fields["Content"] == "工单 IT001 ]]> ok"
    assert fields["ToUserName"] == "zhangsan"


def test_xml_with_entities_is_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Encrypt>&a;</Encrypt></xml>'
    with pytest.raises(SignatureError):
        sig.parse_xml_fields(bomb)
