"""The parser under hostile load: size, part count, depth, huge headers, pathological HTML, fuzzing.

Time bounds are generous (the test machine is shared); what they catch is quadratic or unbounded work,
which would take minutes, not a slow second.
"""

from __future__ import annotations

import base64
import os
import random
import time
import tracemalloc
from email.message import EmailMessage

import pytest

from itdesk.channels.mail.parse import Limits, UnparseableMessage, html_to_text, parse_message, sanitize_html

HEAD = b"From: alice@example.com\r\nTo: it@example.com\r\nSubject: load\r\n"


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - started


def expect_error(data: bytes, code: str, *, within: float, limits: Limits = Limits()) -> None:  # noqa: B008
    started = time.perf_counter()
    with pytest.raises(UnparseableMessage) as error:
        parse_message(data, limits=limits)
    assert error.value.code == code
    assert time.perf_counter() - started < within


def test_message_over_the_size_limit_is_rejected_before_parsing():
    data = HEAD + b"\r\n" + b"x" * (26 * 1024 * 1024)
    expect_error(data, "too_large", within=0.05)
    expect_error(
        HEAD + b"\r\n" + b"x" * 2000, "too_large", within=0.05, limits=Limits(max_message_bytes=1000)
    )


def test_twenty_megabyte_message_parses_fast_in_bounded_memory():
    blob = os.urandom(14 * 1024 * 1024)
    message = EmailMessage()
    message["From"] = "alice@example.com"
    message["Subject"] = "big attachment"
    message.set_content("See the attached dump.\n" * 2000)
    message.add_attachment(blob, maintype="application", subtype="octet-stream", filename="dump.bin")
    message.add_attachment(b"y" * (500 * 1024), maintype="text", subtype="plain", filename="log.txt")
    data = message.as_bytes()
    assert len(data) > 19 * 1024 * 1024

    tracemalloc.start()
    try:
        parsed, elapsed = timed(parse_message, data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert elapsed < 5
    assert peak < 10 * len(data)
    assert [a.filename for a in parsed.attachments] == ["dump.bin", "log.txt"]
    assert parsed.attachments[0].content == blob
    assert parsed.text.startswith("See the attached dump.")


def test_twenty_megabyte_text_body_is_capped_quickly():
    data = (
        HEAD
        + b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        + "一行很长的文字 line\r\n".encode() * 900_000
    )
    tracemalloc.start()
    try:
        parsed, elapsed = timed(parse_message, data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert elapsed < 5
    assert peak < 10 * len(data)
    assert len(parsed.text) <= Limits().max_text_chars
    assert "text_truncated" in parsed.warnings


def test_ten_thousand_parts_stop_at_the_part_limit():
    body = b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n" * 10_000 + b"--b--\r\n"
    data = HEAD + b"Content-Type: multipart/mixed; boundary=b\r\n\r\n" + body
    expect_error(data, "too_many_parts", within=2)


def test_ten_thousand_nested_parts_stop_at_the_depth_limit():
    nested = b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (level, level)
        for level in range(10_000)
    )
    expect_error(HEAD + nested + b"Content-Type: text/plain\r\n\r\nx\r\n", "too_deep", within=2)


def test_nesting_within_the_limits_is_fine():
    nested = b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (level, level)
        for level in range(15)
    )
    parsed = parse_message(HEAD + nested + b"Content-Type: text/plain\r\n\r\ndeep text\r\n")
    assert parsed.text == "deep text"


@pytest.mark.parametrize(
    "header",
    [
        b"Subject: " + b"=?utf-8?q?a?= " * 400_000,
        b"To: " + b"someone@example.com, " * 250_000,
        b"Content-Type: multipart/mixed; " + b'a=";' * 1_300_000,
        b"References: " + b"<id@example.com> " * 300_000,
        b"X-Junk: " + b"x" * 5 * 1024 * 1024,
        b"Subject: " + b"=?" * 2_600_000,
    ],
    ids=["encoded-words", "recipients", "params", "references", "plain", "broken-words"],
)
def test_five_megabyte_single_line_header_does_not_hang(header):
    data = b"From: alice@example.com\r\n" + header + b"\r\n\r\nbody"
    parsed, elapsed = timed(parse_message, data)
    assert elapsed < 3
    assert parsed.from_address == "alice@example.com"
    assert len(parsed.subject) <= 2000
    assert len(parsed.references) <= 100
    assert len(parsed.to) <= 500


@pytest.mark.parametrize(
    "html",
    [
        "".join(f"<font color={index}>x" for index in range(50_000)),
        "<div><p>hello <b>world</b></p>" * 40_000,
        "<!--<a " * 300_000,
        "</a" * 500_000,
        "<table><tr><td>" * 50_000,
        "<b><i><u>" * 100_000,
        "<a href='" + "x" * 1_000_000,
        "<p>" + "&amp;" * 500_000,
    ],
    ids=["fonts", "divs", "comments", "end-tags", "tables", "formatting", "open-attribute", "entities"],
)
def test_pathological_html_is_bounded(html):
    data = HEAD + b"Content-Type: text/html; charset=utf-8\r\n\r\n" + html.encode()
    parsed, elapsed = timed(parse_message, data)
    assert elapsed < 5
    assert "<script" not in parsed.html
    _, elapsed = timed(sanitize_html, html[:300_000])
    assert elapsed < 5
    _, elapsed = timed(html_to_text, html[:300_000])
    assert elapsed < 5


def test_too_deep_html_keeps_its_text_but_not_its_markup():
    html = "<div>" * 1000 + "<script>x()</script><b>Still readable</b>" + "</div>" * 1000
    parsed = parse_message(HEAD + b"Content-Type: text/html\r\n\r\n" + html.encode())
    assert parsed.html == ""
    assert "Still readable" in parsed.text
    assert "html_too_complex" in parsed.warnings


def test_mutated_messages_raise_nothing_but_unparseable_message():
    message = EmailMessage()
    message["From"] = "张三 <zhang@example.com>"
    message["Subject"] = "回复：打印机"
    message.set_content("正文\n\n在 2024年5月1日 写道：\n> 旧\n")
    message.add_alternative("<p>正文</p><img src='cid:a'>", subtype="html")
    message.add_attachment(b"\x89PNG....", maintype="image", subtype="png", filename="图.png", cid="<a>")
    inner = EmailMessage()
    inner["From"] = "x@example.com"
    inner.set_content("inner")
    message.add_attachment(inner)
    original = message.as_bytes()
    generator = random.Random(2024)
    tokens = [b"\r\n", b"--", b"=?", b"?=", b";", b'"', b"<", b">", b"\x00", b"\xff", b"\r\n\r\n", b":", b"*"]
    for _ in range(400):
        data = bytearray(original)
        for _ in range(generator.randint(1, 20)):
            position = generator.randrange(len(data))
            action = generator.random()
            if action < 0.4:
                data[position] = generator.getrandbits(8)
            elif action < 0.7:
                data[position:position] = generator.choice(tokens)
            else:
                del data[position : position + generator.randint(1, 50)]
        try:
            parse_message(bytes(data))
        except UnparseableMessage as error:
            assert error.code in {
                "too_large",
                "too_many_parts",
                "too_deep",
                "no_sender",
                "malformed",
                "empty",
            }


def test_base64_with_junk_and_bad_padding_still_decodes():
    payload = base64.b64encode("报修：网络断了".encode()).decode()
    body = "\r\n".join([payload[:10], "  " + payload[10:20] + "!!", payload[20:].rstrip("=")]).encode()
    data = (
        HEAD + b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" + body
    )
    assert parse_message(data).text == "报修：网络断了"


@pytest.mark.parametrize(
    "body",
    [
        b"a" + b" " * 150_000 + b"b",  # a trailing-space regex would be quadratic here
        b"x\t" * 100_000 + b"y",
        b"-- " + b" " * 100_000 + b"x\n" + b"On " * 50_000 + b"wrote:\n",
        b"\n".join([b"-" * 2000 + b" Original"] * 100),
        b"\n".join([b"From: " + b"x" * 5000, b"Sent: " + b"y" * 5000] * 40),
        ("在" * 100_000 + "写道：").encode(),
        b"> " * 100_000,
    ],
    ids=["inner-spaces", "tabs", "signature-like", "separators", "outlook-like", "cn-wrote", "quotes"],
)
def test_pathological_text_bodies_are_linear(body):
    data = HEAD + b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body
    parsed, elapsed = timed(parse_message, data)
    assert elapsed < 3
    assert parsed.text


@pytest.mark.parametrize(
    "body",
    [
        b"--" + b"a" * 150 + b" " * 60_000 + b"b\r\n",
        (b"--x" + b" " * 1000 + b"y\r\n") * 60,
        b"--b" + b" " * 200_000,
    ],
    ids=["long-guess-line", "many-guess-lines", "delimiter-then-spaces"],
)
def test_pathological_multipart_bodies_are_linear(body):
    data = HEAD + b"Content-Type: multipart/mixed; boundary=b\r\n\r\n" + body
    _, elapsed = timed(parse_message, data)
    assert elapsed < 3


@pytest.mark.parametrize("tag", ["style", "script", "STYLE"])
def test_large_html_is_sanitised_in_pieces_without_leaking_raw_text(tag):
    filler = "<p>paragraph of a long newsletter</p>" * 850  # just under the 32 KB piece size
    raw_text = "secret_raw_text{color:red} " * 800  # crosses the cut
    html = f"<div>START</div>{filler}<{tag}>{raw_text}</{tag}><table><tr><td>END</td></tr></table>"
    assert len(html) > 40_000
    data = HEAD + b"Content-Type: text/html; charset=utf-8\r\n\r\n" + html.encode()
    parsed = parse_message(data)
    assert "secret_raw_text" not in parsed.html and "secret_raw_text" not in parsed.text
    assert parsed.text.startswith("START")
    assert parsed.text.endswith("END")
    assert parsed.text.count("paragraph of a long newsletter") == 850
    assert sanitize_html(html).count("<p>paragraph of a long newsletter</p>") == 850


def test_base64_chunks_each_with_their_own_padding_are_all_decoded():
    chunks = [base64.b64encode(line.encode()) for line in ("第一行\n", "second line\n", "第三行")]
    data = HEAD + b"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    assert parse_message(data + b"\r\n".join(chunks)).text == "第一行\nsecond line\n第三行"
