"""Bot callbacks: each platform's signed message opens a ticket (or adds a reply) and gets its number back."""

import json
import time

import pytest
from django.urls import reverse

from itdesk.accounts.models import User
from itdesk.channels.im import signatures as sig
from itdesk.channels.im.models import ImIdentity, InboundImMessage
from itdesk.tickets.models import Comment, Ticket
from tests.im.conftest import (
    DINGTALK_APP_SECRET,
    FEISHU_ENCRYPT_KEY,
    FEISHU_VERIFICATION_TOKEN,
    SLACK_SIGNING_SECRET,
    WECOM_AES_KEY,
    WECOM_TOKEN,
)

pytestmark = pytest.mark.django_db


# ---------------------------------------------------------------- senders imitating the platforms


def dingtalk_post(
    client, integration, text, *, msg_id="msg-1", staff="manager4711", nick="张三", secret=None, ts=None
):
    ts = int(time.time() * 1000) if ts is None else ts
    body = {
        "msgtype": "text",
        "text": {"content": text},
        "msgId": msg_id,
        "senderStaffId": staff,
        "senderNick": nick,
        "conversationId": "cid1",
        "sessionWebhook": "https://oapi.dingtalk.com/robot/sendBySession?session=x",
    }
    return client.post(
        reverse("im:dingtalk-callback", args=[integration.pk]),
        data=json.dumps(body, ensure_ascii=False),
        content_type="application/json",
        headers={"timestamp": str(ts), "sign": sig.dingtalk_sign(secret or DINGTALK_APP_SECRET, ts)},
    )


def wecom_crypto(integration):
    return sig.WeComCrypto(WECOM_TOKEN, WECOM_AES_KEY, integration.app_id)


def wecom_post(client, integration, text, *, msg_id="1234567890", user="ZhangSan", token=WECOM_TOKEN):
    crypto = wecom_crypto(integration)
    inner = (
        f"<xml><ToUserName><![CDATA[{integration.app_id}]]></ToUserName><FromUserName><![CDATA[{user}]]>"
        f"</FromUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{text}]]></Content><MsgId>{msg_id}</MsgId><AgentID>1000002</AgentID></xml>"
    )
    encrypted = crypto.encrypt(inner)
    ts, nonce = str(int(time.time())), "1372623149"
    signature = sig.wecom_signature(token, ts, nonce, encrypted)
    outer = f"<xml><ToUserName><![CDATA[{integration.app_id}]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>"
    url = reverse("im:wecom-callback", args=[integration.pk])
    return client.post(
        f"{url}?msg_signature={signature}&timestamp={ts}&nonce={nonce}", data=outer, content_type="text/xml"
    )


def wecom_answer(response, integration):
    crypto = wecom_crypto(integration)
    outer = sig.parse_xml_fields(response.content)
    crypto.verify(outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"], outer["Encrypt"])
    return sig.parse_xml_fields(crypto.decrypt(outer["Encrypt"]))


def feishu_event(text, *, message_id="om_1", open_id="ou_abc", token=FEISHU_VERIFICATION_TOKEN):
    return {
        "schema": "2.0",
        "header": {
            "event_id": f"ev-{message_id}",
            "token": token,
            "create_time": "1603977298000",
            "event_type": "im.message.receive_v1",
            "tenant_key": "t1",
            "app_id": "cli_feishu",
        },
        "event": {
            "sender": {"sender_id": {"open_id": open_id, "user_id": "u1"}, "sender_type": "user"},
            "message": {
                "message_id": message_id,
                "chat_id": "oc_1",
                "chat_type": "p2p",
                "message_type": "text",
                "content": json.dumps({"text": text}, ensure_ascii=False),
            },
        },
    }


def feishu_post(client, integration, payload, *, encrypt_key=None, signed=True):
    url = reverse("im:feishu-callback", args=[integration.pk])
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = {}
    if encrypt_key:
        body = json.dumps({"encrypt": sig.feishu_encrypt(encrypt_key, body.decode())}).encode()
        if signed:
            ts, nonce = str(int(time.time())), "n0nce"
            headers = {
                "X-Lark-Request-Timestamp": ts,
                "X-Lark-Request-Nonce": nonce,
                "X-Lark-Signature": sig.feishu_signature(ts, nonce, encrypt_key, body),
            }
    return client.post(url, data=body, content_type="application/json", headers=headers)


def slack_post(client, integration, payload, *, secret=SLACK_SIGNING_SECRET, ts=None):
    ts = str(int(time.time())) if ts is None else str(ts)
    body = json.dumps(payload).encode()
    return client.post(
        reverse("im:slack-callback", args=[integration.pk]),
        data=body,
        content_type="application/json",
        headers={"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig.slack_signature(secret, ts, body)},
    )


def slack_message(text, *, ts="1700000000.000100", user="U024BE7LH", **extra):
    event = {
        "type": "message",
        "channel": "D0123",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
    }
    event.update(extra)
    return {"type": "event_callback", "event_id": f"Ev{ts}", "team_id": "T1", "event": event}


# ---------------------------------------------------------------- DingTalk


def test_dingtalk_message_creates_ticket_and_answers_with_number(dingtalk, service_desk, client):
    response = dingtalk_post(client, dingtalk, "打印机卡纸\n三楼的打印机一直卡纸")
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.channel == "im"
    assert ticket.title == "打印机卡纸"
    assert ticket.description == "打印机卡纸\n三楼的打印机一直卡纸"
    answer = response.json()
    assert answer["msgtype"] == "text"
    assert ticket.number in answer["text"]["content"]
    assert "工单" in answer["text"]["content"]  # Chinese by default on DingTalk
    requester = ticket.requester
    assert requester.display_name == "张三"
    assert ImIdentity.objects.get(user=requester).external_id == "manager4711"


def test_dingtalk_bad_signature_and_stale_timestamp_are_refused(dingtalk, client):
    bad = dingtalk_post(client, dingtalk, "help", secret="not-the-secret")
    assert bad.status_code == 401
    assert bad.json()["code"] == "invalid_signature"
    stale = dingtalk_post(client, dingtalk, "help", ts=int((time.time() - 2 * 3600) * 1000))
    assert stale.status_code == 401
    assert stale.json()["code"] == "stale_timestamp"
    assert not Ticket.objects.exists()
    assert not User.objects.filter(im_identities__isnull=False).exists()


def test_the_same_message_twice_makes_one_ticket(dingtalk, client):
    first = dingtalk_post(client, dingtalk, "VPN down", msg_id="dup-1")
    second = dingtalk_post(client, dingtalk, "VPN down", msg_id="dup-1")
    assert Ticket.objects.count() == 1
    assert first.json() == second.json()
    assert InboundImMessage.objects.count() == 1


def test_hash_number_from_requester_adds_a_comment(dingtalk, client):
    dingtalk_post(client, dingtalk, "Laptop will not boot", msg_id="m1")
    ticket = Ticket.objects.get()
    response = dingtalk_post(client, dingtalk, f"#{ticket.number} it shows a black screen", msg_id="m2")
    assert Ticket.objects.count() == 1
    comment = Comment.objects.get(ticket=ticket)
    assert comment.body == "it shows a black screen"
    assert comment.author == ticket.requester
    assert ticket.number in response.json()["text"]["content"]

    colon = dingtalk_post(client, dingtalk, f"{ticket.number}: and it beeps", msg_id="m3")
    assert Comment.objects.filter(ticket=ticket).count() == 2
    assert ticket.number in colon.json()["text"]["content"]


def test_hash_number_from_a_stranger_opens_a_new_ticket(dingtalk, client):
    dingtalk_post(client, dingtalk, "Laptop will not boot", msg_id="m1", staff="owner1")
    ticket = Ticket.objects.get()
    response = dingtalk_post(
        client, dingtalk, f"#{ticket.number} let me see it", msg_id="m2", staff="stranger"
    )
    assert Ticket.objects.count() == 2
    assert not Comment.objects.filter(ticket=ticket).exists()
    new = Ticket.objects.exclude(pk=ticket.pk).get()
    assert new.number in response.json()["text"]["content"]


def test_unknown_people_refused_by_policy(dingtalk, client):
    dingtalk.inbound_policy = "refuse"
    dingtalk.save()
    users_before = User.objects.count()
    response = dingtalk_post(client, dingtalk, "Give me admin rights")
    assert response.status_code == 200
    content = response.json()["text"]["content"]
    assert "Sorry" in content and "抱歉" in content  # bilingual
    assert not Ticket.objects.exists()
    assert User.objects.count() == users_before


def test_known_identity_is_used_with_refuse_policy(dingtalk, alice, client):
    dingtalk.inbound_policy = "refuse"
    dingtalk.save()
    ImIdentity.objects.create(user=alice, platform="dingtalk", external_id="alice-staff")
    response = dingtalk_post(client, dingtalk, "Monitor flickers", staff="alice-staff")
    ticket = Ticket.objects.get()
    assert ticket.requester == alice
    assert ticket.number in response.json()["text"]["content"]
    assert "created" in response.json()["text"]["content"]  # Alice reads English


def test_oversized_body_is_refused(dingtalk, client, settings):
    settings.ITDESK_IM_MAX_BODY_BYTES = 100
    response = dingtalk_post(client, dingtalk, "x" * 500)
    assert response.status_code == 413
    assert not Ticket.objects.exists()


# ---------------------------------------------------------------- WeCom


def test_wecom_url_verification_echoes_decrypted_echostr(wecom, client):
    crypto = wecom_crypto(wecom)
    echostr = crypto.encrypt("4711-echo")
    ts, nonce = "1409659589", "263014780"
    signature = sig.wecom_signature(WECOM_TOKEN, ts, nonce, echostr)
    url = reverse("im:wecom-callback", args=[wecom.pk])
    response = client.get(
        url, {"msg_signature": signature, "timestamp": ts, "nonce": nonce, "echostr": echostr}
    )
    assert response.status_code == 200
    assert response.content == b"4711-echo"
    bad = client.get(url, {"msg_signature": "0" * 40, "timestamp": ts, "nonce": nonce, "echostr": echostr})
    assert bad.status_code == 401


def test_wecom_message_creates_ticket_with_encrypted_passive_reply(wecom, client):
    response = wecom_post(client, wecom, "邮箱无法登录")
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    reply = wecom_answer(response, wecom)
    assert reply["MsgType"] == "text"
    assert reply["ToUserName"] == "ZhangSan"
    assert ticket.number in reply["Content"]
    assert ticket.requester.im_identities.get().external_id == "ZhangSan"


def test_wecom_wrong_token_is_refused(wecom, client):
    response = wecom_post(client, wecom, "hello", token="not-the-token")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"
    assert not Ticket.objects.exists()


def test_wecom_duplicate_message_id(wecom, client):
    wecom_post(client, wecom, "Printer", msg_id="55")
    again = wecom_post(client, wecom, "Printer", msg_id="55")
    assert Ticket.objects.count() == 1
    assert Ticket.objects.get().number in wecom_answer(again, wecom)["Content"]


# ---------------------------------------------------------------- Feishu


def test_feishu_url_verification(feishu, client):
    payload = {"type": "url_verification", "challenge": "ajls384kdjx98XX", "token": FEISHU_VERIFICATION_TOKEN}
    response = feishu_post(client, feishu, payload)
    assert response.json() == {"challenge": "ajls384kdjx98XX"}
    wrong = feishu_post(client, feishu, {**payload, "token": "nope"})
    assert wrong.status_code == 403
    assert wrong.json()["code"] == "invalid_token"


def test_feishu_url_verification_encrypted(feishu, client):
    feishu.encrypt_key = FEISHU_ENCRYPT_KEY
    feishu.save()
    payload = {"type": "url_verification", "challenge": "c-123", "token": FEISHU_VERIFICATION_TOKEN}
    response = feishu_post(client, feishu, payload, encrypt_key=FEISHU_ENCRYPT_KEY, signed=False)
    assert response.json() == {"challenge": "c-123"}


def test_feishu_message_creates_ticket_and_replies_with_number(
    feishu, fake, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = feishu_post(client, feishu, feishu_event("@_user_1 无法连接VPN"))
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.title == "无法连接VPN"
    replies = fake.calls("feishu-reply")
    assert len(replies) == 1 and replies[0].accepted
    assert replies[0].path == "/open-apis/im/v1/messages/om_1/reply"
    assert ticket.number in json.loads(replies[0].body["content"])["text"]

    with django_capture_on_commit_callbacks(execute=True):
        feishu_post(client, feishu, feishu_event("@_user_1 无法连接VPN"))  # Feishu retries
    assert Ticket.objects.count() == 1
    assert len(fake.calls("feishu-reply")) == 1


def test_feishu_encrypted_signed_event(feishu, fake, client, django_capture_on_commit_callbacks):
    feishu.encrypt_key = FEISHU_ENCRYPT_KEY
    feishu.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = feishu_post(
            client, feishu, feishu_event("Need a new mouse"), encrypt_key=FEISHU_ENCRYPT_KEY
        )
    assert response.status_code == 200
    assert Ticket.objects.count() == 1
    unsigned = feishu_post(
        client, feishu, feishu_event("x", message_id="om_2"), encrypt_key=FEISHU_ENCRYPT_KEY, signed=False
    )
    assert unsigned.status_code == 401
    forged = feishu_post(client, feishu, feishu_event("x", message_id="om_3"), encrypt_key="another key")
    assert forged.status_code == 401
    assert Ticket.objects.count() == 1


def test_feishu_wrong_token_is_refused(feishu, client):
    response = feishu_post(client, feishu, feishu_event("hello", token="forged"))
    assert response.status_code == 403
    assert not Ticket.objects.exists()


# ---------------------------------------------------------------- Slack


def test_slack_url_verification(slack, client):
    payload = {
        "token": "legacy",
        "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
        "type": "url_verification",
    }
    response = slack_post(client, slack, payload)
    assert response.json() == {"challenge": payload["challenge"]}
    forged = slack_post(client, slack, payload, secret="wrong")
    assert forged.status_code == 401


def test_slack_message_creates_ticket_and_replies_in_thread(
    slack, fake, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = slack_post(client, slack, slack_message("My laptop battery is swollen"))
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    posts = fake.calls("slack-post")
    assert len(posts) == 1 and posts[0].accepted
    assert posts[0].body["channel"] == "D0123"
    assert posts[0].body["thread_ts"] == "1700000000.000100"
    assert ticket.number in posts[0].body["text"]
    assert "created" in posts[0].body["text"]  # English by default on Slack


def test_slack_mention_and_bot_messages(slack, client, django_capture_on_commit_callbacks):
    mention = slack_message("<@U0BOT> the wifi is down", ts="1.1")
    mention["event"].update(type="app_mention", channel="C1", channel_type="channel")
    with django_capture_on_commit_callbacks(execute=True):
        slack_post(client, slack, mention)
        # The same message also arrives as a channel "message" event: not a second ticket.
        slack_post(
            client,
            slack,
            slack_message("<@U0BOT> the wifi is down", ts="1.1", channel="C1", channel_type="channel"),
        )
        slack_post(client, slack, slack_message("I am a bot", ts="1.2", bot_id="B1"))
        slack_post(client, slack, slack_message("edited", ts="1.3", subtype="message_changed"))
    ticket = Ticket.objects.get()
    assert ticket.title == "the wifi is down"


def test_slack_stale_request_is_refused(slack, client):
    response = slack_post(client, slack, slack_message("hi"), ts=int(time.time()) - 600)
    assert response.status_code == 401
    assert response.json()["code"] == "stale_timestamp"
    assert not Ticket.objects.exists()


def test_unknown_integration_is_404(client, db):
    response = client.post(
        reverse("im:slack-callback", args=[999]), data=b"{}", content_type="application/json"
    )
    assert response.status_code == 404


def test_number_alone_answers_with_status_and_empty_text_asks_for_details(dingtalk, client):
    dingtalk_post(client, dingtalk, "Keyboard missing keys", msg_id="s1")
    ticket = Ticket.objects.get()
    status = dingtalk_post(client, dingtalk, f"#{ticket.number}", msg_id="s2").json()["text"]["content"]
    assert ticket.number in status and ticket.title in status
    assert not Comment.objects.exists()
    empty = dingtalk_post(client, dingtalk, "   ", msg_id="s3").json()["text"]["content"]
    assert "描述" in empty
    assert Ticket.objects.count() == 1
