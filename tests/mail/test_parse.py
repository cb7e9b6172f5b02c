"""The pure e-mail parser: charsets, structure, quotes, hostile HTML, automatic mail, subjects.

No database: these build messages in memory (EmailMessage and raw byte fixtures) and parse them.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone
from email.message import EmailMessage
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest

from itdesk.channels.mail.parse import (
    Limits,
    ParsedMessage,
    UnparseableMessage,
    html_to_text,
    parse_message,
    sanitize_html,
    strip_reply_prefixes,
    subject_ticket_numbers,
    trim_quoted,
)

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def raw(*lines: str | bytes, body: bytes = b"") -> bytes:
    """A message from header lines (str or raw bytes) and a body, CRLF line ends."""
    head = b"\r\n".join(line if isinstance(line, bytes) else line.encode() for line in lines)
    return head + b"\r\n\r\n" + body


def simple(body: str = "Hello", **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = headers.pop("from_", "Alice Wang <Alice@Example.COM>")
    message["To"] = headers.pop("to", "it@example.com")
    message["Subject"] = headers.pop("subject", "Printer broken")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return message.as_bytes()


# -- headers -----------------------------------------------------------------------------------------


def test_plain_message_headers_are_normalised():
    message = EmailMessage()
    message["From"] = '"Wang, Alice" <Alice.Wang@Example.COM>'
    message["To"] = "IT Desk <IT@example.com>, bob@example.com, it@example.com"
    message["Cc"] = "Carol <carol@EXAMPLE.com>"
    message["Reply-To"] = "Alice Home <alice@home.example>"
    message["Subject"] = "  Printer   on floor 3\tbroken "
    message["Message-ID"] = "<abc.123@mail.example.com>"
    message["In-Reply-To"] = "<parent@example.com>"
    message["References"] = "<root@example.com> <parent@example.com> <root@example.com>"
    message["Date"] = "Wed, 01 May 2024 10:00:00 +0800"
    message.set_content("The printer prints blank pages.\n")

    parsed = parse_message(message.as_bytes())

    assert isinstance(parsed, ParsedMessage)
    assert parsed.from_address == "alice.wang@example.com"
    assert parsed.from_name == "Wang, Alice"
    assert parsed.to == ["it@example.com", "bob@example.com"]
    assert parsed.cc == ["carol@example.com"]
    assert parsed.reply_to == "alice@home.example"
    assert parsed.subject == "Printer on floor 3 broken"
    assert parsed.message_id == "<abc.123@mail.example.com>"
    assert parsed.in_reply_to == ["<parent@example.com>"]
    assert parsed.references == ["<root@example.com>", "<parent@example.com>"]
    assert parsed.date == datetime(2024, 5, 1, 2, 0, tzinfo=UTC)
    assert parsed.date.utcoffset() == timedelta(hours=8)
    assert parsed.text == "The printer prints blank pages."
    assert parsed.reply_text == parsed.text
    assert parsed.html == ""
    assert parsed.attachments == []
    assert parsed.auto_reason == ""
    assert parsed.size == len(message.as_bytes())
    assert parsed.warnings == []


def test_missing_and_odd_ids_and_dates():
    parsed = parse_message(
        raw("From: a@example.com", "Message-ID: bare-id@example.com", "Date: 2024-05-01 10:00", body=b"x")
    )
    assert parsed.message_id == "<bare-id@example.com>"
    assert parsed.date is None
    parsed = parse_message(raw("From: a@example.com", "Date: Wed, 01 May 2024 10:00:00 -0000", body=b"x"))
    assert parsed.message_id == ""
    assert parsed.date == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)


def test_rfc2047_subject_in_gb2312_base64():
    encoded = base64.b64encode("打印机坏了".encode("gb2312")).decode()
    parsed = parse_message(raw("From: a@example.com", f"Subject: =?gb2312?B?{encoded}?=", body=b"x"))
    assert parsed.subject == "打印机坏了"


def test_rfc2047_word_split_inside_a_character_and_across_lines():
    data = "无法登录邮箱".encode()
    first, second = base64.b64encode(data[:7]).decode(), base64.b64encode(data[7:]).decode()
    parsed = parse_message(
        raw(
            "From: a@example.com",
            f"Subject: Re: =?UTF-8?B?{first}?=",
            f" =?utf-8?B?{second}?= now",
            body=b"x",
        )
    )
    assert parsed.subject == "Re: 无法登录邮箱 now"
    assert "charset_fallback" not in parsed.warnings


def test_rfc2047_quoted_printable_and_unterminated_word():
    parsed = parse_message(
        raw("From: a@example.com", "Subject: =?utf-8?Q?Caf=C3=A9_down?= =?utf-8?Q?_again", body=b"x")
    )
    assert parsed.subject == "Café down again"


def test_gbk_word_labelled_gb2312_and_raw_8bit_gbk_header():
    # 喆 exists in GBK but not in GB2312: real mail labelled gb2312 carries it anyway.
    encoded = base64.b64encode("张喆的电脑".encode("gbk")).decode()
    parsed = parse_message(
        raw(
            b"From: \xd5\xc5\xc8\xfd <zhang@example.com>",
            f"Subject: =?GB2312?B?{encoded}?=".encode(),
            body=b"x",
        )
    )
    assert parsed.subject == "张喆的电脑"
    assert parsed.from_name == "张三"
    assert parsed.from_address == "zhang@example.com"


def test_encoded_display_name_with_comma_is_one_address():
    parsed = parse_message(raw("From: =?utf-8?Q?Wang=2C_Alice?= <alice@example.com>", body=b"x"))
    assert parsed.from_name == "Wang, Alice"
    assert parsed.from_address == "alice@example.com"


def test_sender_header_used_when_from_has_no_address_and_no_sender_raises():
    parsed = parse_message(raw("From: undisclosed", "Sender: bob@example.com", body=b"x"))
    assert parsed.from_address == "bob@example.com"
    with pytest.raises(UnparseableMessage) as error:
        parse_message(raw("To: it@example.com", "Subject: hello", body=b"x"))
    assert error.value.code == "no_sender"


# -- charsets ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "encoding", "text"),
    [
        ("gb2312", "gbk", "张喆报修：打印机卡纸"),  # GBK characters under a gb2312 label
        ("GBK", "gbk", "堃的显示器不亮"),
        ("gb18030", "gb18030", "生僻字𠀀也要保留"),
        ("big5", "big5hkscs", "部電腦嘅螢幕壞咗"),  # HKSCS characters under a big5 label
        ("utf-8", "utf-8", "无法连接 VPN ✓"),
        ("utf-8", "gbk", "标签说 UTF-8，其实是 GBK"),  # a lying charset
        (None, "gbk", "没有声明字符集"),  # no charset at all
        ("x-unknown-charset", "utf-8", "未知的字符集名称"),
    ],
)
def test_body_charsets(label, encoding, text):
    content_type = "text/plain" + (f"; charset={label}" if label else "")
    for transfer, body in (
        ("8bit", text.encode(encoding)),
        ("base64", base64.encodebytes(text.encode(encoding))),
    ):
        parsed = parse_message(
            raw(
                "From: a@example.com",
                f"Content-Type: {content_type}",
                f"Content-Transfer-Encoding: {transfer}",
                body=body,
            )
        )
        assert parsed.text == text
        assert "charset_fallback" not in parsed.warnings


def test_undecodable_bytes_become_replacement_characters_with_a_warning():
    parsed = parse_message(
        raw("From: a@example.com", "Content-Type: text/plain; charset=utf-8", body=b"ok \xff\xfe\xff\x80 end")
    )
    assert parsed.text.startswith("ok ") and parsed.text.endswith(" end")
    assert "\ufffd" in parsed.text
    assert "charset_fallback" in parsed.warnings


def test_quoted_printable_utf8_html_only_message_gets_text_from_html():
    body = "<html><body><p>=E4=BD=A0=E5=A5=BD</p><ul><li>one</li><li>two</li></ul></body></html>"
    parsed = parse_message(
        raw(
            "From: a@example.com",
            "Content-Type: text/html; charset=utf-8",
            "Content-Transfer-Encoding: quoted-printable",
            body=body.encode(),
        )
    )
    assert parsed.html.startswith("<p>你好</p>")
    assert parsed.text == "你好\n\n- one\n- two"


def test_html_meta_charset_is_used_when_the_header_has_none():
    body = '<html><head><meta charset="gb2312"></head><body>服务器宕机</body></html>'.encode("gbk")
    parsed = parse_message(raw("From: a@example.com", "Content-Type: text/html", body=body))
    assert parsed.text == "服务器宕机"


def test_format_flowed_lines_are_joined():
    body = b"This is a long line that the client \r\nwrapped for us.\r\n\r\n-- \r\nAlice"
    parsed = parse_message(
        raw("From: a@example.com", "Content-Type: text/plain; charset=utf-8; format=flowed", body=body)
    )
    assert parsed.text.startswith("This is a long line that the client wrapped for us.")
    assert parsed.reply_text == "This is a long line that the client wrapped for us."


# -- structure ---------------------------------------------------------------------------------------


def test_alternative_with_related_inline_image_and_attachment():
    message = EmailMessage()
    message["From"] = "a@example.com"
    message["Subject"] = "Screenshot"
    message.set_content("See the screenshot.")
    message.add_alternative('<p>See the screenshot:</p><img src="cid:shot1@example.com">', subtype="html")
    message.get_payload()[1].add_related(PNG, maintype="image", subtype="png", cid="<shot1@example.com>")
    message.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="log.pdf")

    parsed = parse_message(message.as_bytes())

    assert parsed.text == "See the screenshot."
    assert 'src="cid:shot1@example.com"' in parsed.html
    image, pdf = parsed.attachments
    assert image.inline is True
    assert image.content_id == "shot1@example.com"
    assert image.content == PNG
    assert image.content_type == "image/png"
    assert image.filename == "image-1.png"
    assert pdf.inline is False
    assert pdf.filename == "log.pdf"
    assert pdf.content == b"%PDF-1.4"
    assert pdf.content_id == ""


def test_nameless_attachment_gets_a_made_up_name_and_octet_stream_type_is_guessed():
    outer = MIMEMultipart()
    outer["From"] = "a@example.com"
    outer.attach(MIMEText("body", "plain", "utf-8"))
    blob = MIMEText("a,b\n1,2\n", "csv", "utf-8")
    blob.add_header("Content-Disposition", "attachment")
    outer.attach(blob)
    octet = MIMEText("", "plain")
    octet.replace_header("Content-Type", "application/octet-stream")
    octet.add_header("Content-Disposition", "attachment", filename="report.xlsx")
    outer.attach(octet)
    parsed = parse_message(outer.as_bytes())
    assert [a.filename for a in parsed.attachments] == ["attachment-1.csv", "report.xlsx"]
    assert parsed.attachments[1].content_type == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


@pytest.mark.parametrize(
    ("disposition", "expected"),
    [
        ("attachment; filename*=UTF-8''%E6%8A%A5%E9%94%80%E5%8D%95.xlsx", "报销单.xlsx"),
        ("attachment; filename*=gbk''%D6%D0%CE%C4.txt", "中文.txt"),
        (
            "attachment; filename*0*=UTF-8''%E4%BC%9A%E8%AE%AE; filename*1*=%E7%BA%AA%E8%A6%81.docx",
            "会议纪要.docx",
        ),
        ('attachment; filename="=?GB2312?B?1tDOxC50eHQ=?="', "中文.txt"),
        ('attachment; filename="=?utf-8?B?5oql6ZSA5Y2VLnBkZg==?="', "报销单.pdf"),
        ('attachment; filename="C:\\Users\\alice\\Desktop\\evil.exe"', "evil.exe"),
        ('attachment; filename="../../etc/passwd"', "passwd"),
        ('attachment; filename="bad\u202egnp.exe"', "badgnp.exe"),
        ('attachment; filename="   "', "attachment-1.bin"),
    ],
)
def test_attachment_filenames(disposition, expected):
    body = base64.encodebytes(b"content")
    parsed = parse_message(
        raw(
            "From: a@example.com",
            "Content-Type: multipart/mixed; boundary=XYZ",
            body=b"--XYZ\r\nContent-Type: text/plain\r\n\r\nbody\r\n--XYZ\r\n"
            b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
            + f"Content-Disposition: {disposition}\r\n\r\n".encode()
            + body
            + b"--XYZ--\r\n",
        )
    )
    assert parsed.text == "body"
    (attachment,) = parsed.attachments
    assert attachment.filename == expected
    assert attachment.content == b"content"


def test_raw_gbk_attachment_name_and_long_name_capped():
    long_name = "很" * 300 + ".docx"
    parsed = parse_message(
        raw(
            "From: a@example.com",
            "Content-Type: multipart/mixed; boundary=XYZ",
            body=b'--XYZ\r\nContent-Type: application/msword; name="\xb1\xa8\xb8\xe6.doc"\r\n\r\nx\r\n'
            b"--XYZ\r\nContent-Type: application/msword\r\n"
            + f"Content-Disposition: attachment; filename*=UTF-8''{long_name}\r\n\r\ny\r\n".encode()
            + b"--XYZ--\r\n",
        )
    )
    first, second = parsed.attachments
    assert first.filename == "报告.doc"
    assert len(second.filename) == 200
    assert second.filename.endswith("很.docx")


def test_forwarded_message_is_kept_as_eml_attachment():
    inner = EmailMessage()
    inner["From"] = "boss@example.com"
    inner["Subject"] = "Original problem"
    inner.set_content("Inner body must not become the outer text.")
    outer = EmailMessage()
    outer["From"] = "a@example.com"
    outer["Subject"] = "Fwd: Original problem"
    outer.set_content("Please look at the attached mail.")
    outer.add_attachment(inner)
    parsed = parse_message(outer.as_bytes())
    assert parsed.text == "Please look at the attached mail."
    (eml,) = parsed.attachments
    assert eml.content_type == "message/rfc822"
    assert eml.filename == "Original problem.eml"
    assert b"Inner body must not become the outer text." in eml.content


def test_mixed_with_several_text_parts_concatenates_them():
    outer = MIMEMultipart()
    outer["From"] = "a@example.com"
    outer.attach(MIMEText("First part.", "plain", "utf-8"))
    outer.attach(MIMEImage(PNG, "png"))
    outer.attach(MIMEText("Second part.", "plain", "utf-8"))
    parsed = parse_message(outer.as_bytes())
    assert parsed.text == "First part.\n\nSecond part."
    assert [a.filename for a in parsed.attachments] == ["attachment-1.png"]


def test_apple_watch_and_amp_alternatives_are_not_attachments():
    parsed = parse_message(
        raw(
            "From: a@example.com",
            'Content-Type: multipart/alternative; boundary="alt"',
            body=b"--alt\r\nContent-Type: text/plain\r\n\r\nplain\r\n"
            b"--alt\r\nContent-Type: text/watch-html\r\n\r\n<b>watch</b>\r\n"
            b"--alt\r\nContent-Type: text/x-amp-html\r\n\r\n<b>amp</b>\r\n"
            b"--alt\r\nContent-Type: text/html\r\n\r\n<b>html</b>\r\n--alt--\r\n",
        )
    )
    assert parsed.text == "plain"
    assert parsed.html == "<b>html</b>"
    assert parsed.attachments == []


def test_wrong_boundary_is_guessed_and_missing_one_shows_raw_text():
    parsed = parse_message(
        raw(
            "From: a@example.com",
            'Content-Type: multipart/mixed; boundary="declared"',
            body=b"preamble\r\n--actual\r\nContent-Type: text/plain\r\n\r\nthe real body\r\n--actual--\r\n",
        )
    )
    assert parsed.text == "the real body"
    parsed = parse_message(
        raw("From: a@example.com", "Content-Type: multipart/mixed", body=b"just some text\r\nno parts")
    )
    assert parsed.text == "just some text\nno parts"
    assert "missing_boundary" in parsed.warnings


def test_unterminated_multipart_and_missing_blank_line_after_headers():
    parsed = parse_message(
        raw(
            "From: a@example.com",
            "Content-Type: multipart/mixed; boundary=b",
            body=b"--b\r\nContent-Type: text/plain\r\n\r\nno closing delimiter",
        )
    )
    assert parsed.text == "no closing delimiter"
    parsed = parse_message(b"From: a@example.com\nSubject: no blank line\nThis is the body.\n")
    assert parsed.subject == "no blank line"
    assert parsed.text == "This is the body."


def test_mbox_from_line_and_bare_lf():
    parsed = parse_message(
        b"From alice@example.com Mon May  1 10:00:00 2024\nFrom: alice@example.com\n\nhi\n"
    )
    assert parsed.from_address == "alice@example.com"
    assert parsed.text == "hi"


def test_too_many_attachments_and_too_large_attachment_are_dropped_with_warnings():
    outer = MIMEMultipart()
    outer["From"] = "a@example.com"
    outer.attach(MIMEText("body", "plain", "utf-8"))
    for index in range(5):
        part = MIMEText("x" * (100 if index else 5000), "plain", "utf-8")
        part.add_header("Content-Disposition", "attachment", filename=f"f{index}.txt")
        outer.attach(part)
    parsed = parse_message(outer.as_bytes(), limits=Limits(max_attachments=3, max_attachment_bytes=1000))
    assert [a.filename for a in parsed.attachments] == ["f1.txt", "f2.txt", "f3.txt"]
    assert "attachment_too_large:f0.txt" in parsed.warnings
    assert "too_many_attachments" in parsed.warnings


def test_text_is_capped():
    parsed = parse_message(simple("word " * 1000), limits=Limits(max_text_chars=100))
    assert len(parsed.text) <= 100
    assert "text_truncated" in parsed.warnings


# -- quotes ------------------------------------------------------------------------------------------


def test_outlook_chinese_reply_header_block_is_trimmed():
    body = (
        "好的，重启后可以打印了，谢谢！\n\n"
        "________________________________\n"
        "发件人: IT 服务台 <it@example.com>\n"
        "发送时间: 2024年5月1日 10:00\n"
        "收件人: 张三 <zhang@example.com>\n"
        "主题: [IT20240501001] 打印机坏了\n\n"
        "您好，请重启打印机后再试。\n"
    )
    parsed = parse_message(simple(body))
    assert parsed.reply_text == "好的，重启后可以打印了，谢谢！"
    assert "请重启打印机" in parsed.text


def test_gmail_on_wrote_is_trimmed_including_wrapped_attribution():
    body = (
        "Thanks, it works now.\n\n"
        "On Wed, May 1, 2024 at 10:00 AM IT Service Desk <\n"
        "it@example.com> wrote:\n\n"
        "> Please restart the printer.\n> \n> IT\n"
    )
    assert trim_quoted(body) == "Thanks, it works now."
    assert parse_message(simple(body)).reply_text == "Thanks, it works now."


@pytest.mark.parametrize(
    "history",
    [
        "-----Original Message-----\nFrom: IT <it@example.com>\nSent: Wednesday, May 1, 2024 10:00 AM\n",
        '------------------ 原始邮件 ------------------\n发件人: "IT"<it@example.com>;\n发送时间: 2024年5月1日\n',
        "-----原始邮件-----\n发件人: it@example.com\n",
        "From: IT Service Desk <it@example.com>\nSent: Wednesday, May 1, 2024 10:00\nTo: Alice\nSubject: x\n",
        "在 2024年5月1日 10:00，IT 服务台 <it@example.com> 写道：\n> 请重启\n",
        "IT 服务台 <it@example.com> 于2024年5月1日周三 10:00写道：\n\n请重启打印机。\n",
    ],
)
def test_reply_history_styles_are_trimmed(history):
    text = f"已经好了。\n\n{history}\n旧的内容\n"
    assert trim_quoted(text) == "已经好了。"


def test_signature_and_phone_footer_are_trimmed():
    assert trim_quoted("It is fixed.\n\n-- \nAlice Wang\nFinance") == "It is fixed."
    assert trim_quoted("It is fixed.\n\nSent from my iPhone") == "It is fixed."
    assert trim_quoted("已修复\n\n发自我的iPhone") == "已修复"


def test_bottom_posted_reply_keeps_the_answers():
    text = "On Wed, May 1, 2024, IT <it@example.com> wrote:\n> Is it fixed?\n\nYes, since this morning.\n"
    assert trim_quoted(text) == "Yes, since this morning."


def test_trimming_everything_falls_back_to_the_text():
    text = "> only a quote\n> nothing else"
    assert trim_quoted(text) == text
    assert trim_quoted("") == ""


# -- hostile HTML ------------------------------------------------------------------------------------

HOSTILE = """
<html><head><title>T</title><style>body{display:none}</style><script>alert('head')</script></head>
<body onload="steal()">
<p onclick="evil()" style="color:red;position:fixed;background:url(http://track/x)">Hello</p>
<script>document.write('script-text')</script>
<iframe src="https://evil.example/">iframe-text</iframe>
<object data="x.swf">object-text</object><embed src="x.swf">
<form action="https://evil.example/"><input name="password"><button>Send</button></form>
<svg><script>alert('svg')</script><circle onload="x()"/></svg>
<a href="javascript:alert(1)">js link</a>
<a href="JaVaScRiPt&colon;alert(1)">js link 2</a>
<a href="vbscript:msgbox(1)">vb link</a>
<a href="https://example.com/help" target="_blank">help</a>
<a href="/relative/admin">relative</a>
<img src="data:image/svg+xml;base64,PHN2Zz4=" onerror="x()">
<img src="cid:logo@example.com" alt="logo">
<math><mi>math-text</mi></math>
</body></html>
"""


def test_hostile_html_is_sanitised():
    clean = sanitize_html(HOSTILE)
    lowered = clean.lower()
    for forbidden in (
        "<script",
        "alert",
        "script-text",
        "<style",
        "display:none",
        "<iframe",
        "iframe-text",
        "<object",
        "<embed",
        "<form",
        "<input",
        "<svg",
        "onload",
        "onclick",
        "onerror",
        "javascript:",
        "vbscript:",
        "data:",
        "position",
        "url(",
        "/relative/admin",
        "math-text",
    ):
        assert forbidden not in lowered, forbidden
    assert '<a href="https://example.com/help" rel="noopener noreferrer">help</a>' in clean
    assert 'src="cid:logo@example.com"' in clean
    assert 'style="color:red"' in clean
    assert "Hello" in clean


def test_hostile_html_message_text_has_no_script_content():
    message = EmailMessage()
    message["From"] = "a@example.com"
    message.set_content(HOSTILE, subtype="html")
    parsed = parse_message(message.as_bytes())
    assert "script-text" not in parsed.text and "alert" not in parsed.text
    assert "Hello" in parsed.text
    assert "onclick" not in parsed.html and "javascript:" not in parsed.html.lower()


def test_html_to_text_layout():
    html = (
        "<div>Hi team,</div><div><br></div><p>Line one<br>Line two</p>"
        "<table><tr><td>A</td><td>B</td></tr></table>"
        "<div class=gmail_quote>On Mon wrote:<blockquote>old text<br>more</blockquote></div>"
        "<p>&lt;tag&gt; &amp; entity&nbsp;x</p>"
    )
    text = html_to_text(html)
    assert text.splitlines()[0] == "Hi team,"
    assert "Line one\nLine two" in text
    assert "A\tB" in text
    assert "> old text\n> more" in text
    assert "<tag> & entity x" in text


# -- automatic mail ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Auto-Submitted": "auto-replied"}, "auto-submitted"),
        ({"Auto-Submitted": "auto-generated"}, "auto-submitted"),
        ({"Auto-Submitted": "no"}, ""),
        ({"Precedence": "bulk"}, "precedence-bulk"),
        ({"Precedence": "junk"}, "precedence-bulk"),
        ({"Precedence": "list"}, "precedence-bulk"),
        ({"Precedence": "list", "List-Id": "<it.lists.example.com>"}, "list"),
        ({"Precedence": "list", "List-Unsubscribe": "<mailto:leave@example.com>"}, "list"),
        ({"X-Autoreply": "yes"}, "auto-reply-header"),
        ({"X-Autorespond": "yes"}, "auto-reply-header"),
        ({"X-Auto-Response-Suppress": "All"}, "auto-reply-header"),
        ({"X-Auto-Response-Suppress": "DR, OOF, AutoReply"}, "auto-reply-header"),
        ({"X-Auto-Response-Suppress": "RN, NRN"}, ""),
        ({"Return-Path": "<>"}, "bounce"),
        ({"Return-Path": "<alice@example.com>"}, ""),
        ({"from_": "MAILER-DAEMON@mx.example.com"}, "mailer-daemon"),
        ({"from_": "Mail System <postmaster@example.com>"}, "mailer-daemon"),
        ({"subject": "自动回复：打印机坏了"}, "auto-reply-subject"),
        ({"subject": "Automatic reply: Printer broken"}, "auto-reply-subject"),
        ({"subject": "Re: Printer broken"}, ""),
    ],
)
def test_auto_reasons(headers, expected):
    assert parse_message(simple("body", **headers)).auto_reason == expected


def test_bounce_multipart_report():
    bounce = (
        b"From: Mail Delivery System <mailer@mx.example.com>\r\n"
        b"To: it@example.com\r\n"
        b"Subject: Undelivered Mail Returned to Sender\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="rep"\r\n\r\n'
        b"--rep\r\nContent-Type: text/plain\r\n\r\nThe mail system could not deliver.\r\n"
        b"--rep\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx.example.com\r\n\r\nFinal-Recipient: rfc822; gone@example.com\r\n"
        b"Action: failed\r\nStatus: 5.1.1\r\n"
        b"--rep\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: it@example.com\r\nSubject: x\r\n"
        b"--rep--\r\n"
    )
    parsed = parse_message(bounce)
    assert parsed.auto_reason == "bounce"
    assert parsed.text == "The mail system could not deliver."
    assert [a.content_type for a in parsed.attachments] == ["message/delivery-status", "text/rfc822-headers"]


# -- failures ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"   \r\n\r\n", "empty"),
        (bytes(range(256)) * 40, "malformed"),
        (b"\x00\x01\x02 not a mail at all \xff\xfe", "malformed"),
        (b"hello world, this is not a message", "malformed"),
        (b"Subject: no sender\r\n\r\nbody", "no_sender"),
        ("From: a@example.com\r\n\r\nstr, not bytes", "malformed"),
    ],
)
def test_unparseable_input_raises_only_unparseable_message(data, code):
    with pytest.raises(UnparseableMessage) as error:
        parse_message(data)
    assert error.value.code == code


def test_garbage_after_valid_headers_is_parsed_best_effort():
    import random

    generator = random.Random(5)
    for _ in range(200):
        junk = bytes(generator.getrandbits(8) for _ in range(generator.randint(0, 400)))
        data = b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" + junk
        assert parse_message(data).from_address == "a@example.com"


# -- subjects ----------------------------------------------------------------------------------------


def test_subject_ticket_numbers():
    assert subject_ticket_numbers("Re: [IT20240501001] Printer") == ["IT20240501001"]
    assert subject_ticket_numbers("回复：【IT20240501001】打印机") == ["IT20240501001"]
    assert subject_ticket_numbers("[#IT20240501001] and [HR2024050100002] and [IT20240501001]") == [
        "IT20240501001",
        "HR2024050100002",
    ]
    assert subject_ticket_numbers("[IT2024] short [I20240501001] one letter [ABCDEFG20240501001]") == []
    assert subject_ticket_numbers("IT20240501001 without brackets") == []
    assert subject_ticket_numbers("") == []


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Re: RE: Fwd: Printer broken", "Printer broken"),
        ("回复：答复：转发：打印机坏了", "打印机坏了"),
        ("回复: [IT20240501001] 打印机坏了", "打印机坏了"),
        ("Re: 【IT20240501001】 Re: VPN", "VPN"),
        ("AW: WG: Drucker", "Drucker"),
        ("Re[2]: Printer", "Printer"),
        ("Printer: broken again", "Printer: broken again"),
        ("Regarding the printer", "Regarding the printer"),
    ],
)
def test_strip_reply_prefixes(subject, expected):
    assert strip_reply_prefixes(subject) == expected


def test_parsed_subject_keeps_prefixes():
    parsed = parse_message(simple(subject="Re: [IT20240501001] 打印机坏了"))
    assert parsed.subject == "Re: [IT20240501001] 打印机坏了"
    assert subject_ticket_numbers(parsed.subject) == ["IT20240501001"]
    assert strip_reply_prefixes(parsed.subject) == "打印机坏了"


def test_timezone_kept():
    parsed = parse_message(simple(Date="Wed, 01 May 2024 10:00:00 -0500"))
    assert parsed.date.tzinfo is not None
    assert parsed.date.utcoffset() == timezone(timedelta(hours=-5)).utcoffset(None)


def test_bare_mailer_daemon_sender_is_a_bounce_not_a_missing_sender():
    parsed = parse_message(
        raw("From: Mail Delivery Subsystem <MAILER-DAEMON>", "Subject: Returned mail", body=b"x")
    )
    assert parsed.from_address == "mailer-daemon"
    assert parsed.auto_reason == "mailer-daemon"


def test_empty_plain_placeholder_falls_back_to_the_html_text():
    message = EmailMessage()
    message["From"] = "a@example.com"
    message.set_content("\n")
    message.add_alternative(
        '<p>Real content, see <a href="https://wiki.example.com/vpn">the guide</a></p>', subtype="html"
    )
    parsed = parse_message(message.as_bytes())
    assert parsed.text == "Real content, see the guide (https://wiki.example.com/vpn)"


def test_cid_reference_matches_content_id_case_insensitively():
    message = EmailMessage()
    message["From"] = "a@example.com"
    message.set_content('<img src="cid:Image001.PNG@01DA">', subtype="html")
    message.add_related(
        PNG, maintype="image", subtype="png", cid="<image001.png@01da>", filename="image001.png"
    )
    (image,) = parse_message(message.as_bytes()).attachments
    assert image.inline is True
    assert image.filename == "image001.png"
    assert image.content_id == "image001.png@01da"


OUTLOOK_REPLY = (
    "From: =?gb2312?B?1cXI/Q==?= <zhangsan@example.com>\r\n"
    'To: "IT =?gb2312?B?t/7O8cyo?=" <it@example.com>\r\n'
    "Subject: =?gb2312?B?u9i4tDogW0lUMjAyNDA1MDEwMDFdILTy06G7+ru1wcs=?=\r\n"
    "Thread-Topic: x\r\n"
    "In-Reply-To: <itd.IT20240501001.root.0123456789abcdef0123@desk.example.com>\r\n"
    'Content-Type: multipart/related; boundary="_rel_"; type="multipart/alternative"\r\n'
    "MIME-Version: 1.0\r\n\r\n"
    '--_rel_\r\nContent-Type: multipart/alternative; boundary="_alt_"\r\n\r\n'
    '--_alt_\r\nContent-Type: text/plain; charset="gb2312"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
    "{plain}\r\n"
    '--_alt_\r\nContent-Type: text/html; charset="gb2312"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n'
    "{html}\r\n"
    "--_alt_--\r\n"
    '--_rel_\r\nContent-Type: image/png; name="image001.png"\r\nContent-Description: image001.png\r\n'
    'Content-Disposition: inline; filename="image001.png"; size=70\r\n'
    "Content-ID: <image001.png@01DA9B2C.5E6F7A80>\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    "{png}\r\n--_rel_--\r\n"
)


def test_outlook_chinese_reply_end_to_end():
    import quopri

    plain = "好了，谢谢！\r\n\r\n张三\r\n\r\n发件人: IT服务台 <it@example.com>\r\n发送时间: 2024年5月1日 10:00\r\n主题: 打印机坏了\r\n\r\n请重启。\r\n"
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><style>p{margin:0}</style>'
        '</head><body><p>好了，谢谢！</p><p>张三</p><p><img src="cid:image001.png@01DA9B2C.5E6F7A80"></p>'
        '<div style="border:none;border-top:solid #E1E1E1 1.0pt"><p><b>发件人:</b> IT服务台 &lt;it@example.com&gt;<br>'
        "<b>发送时间:</b> 2024年5月1日 10:00<br><b>主题:</b> 打印机坏了</p></div><p>请重启。</p></body></html>"
    )
    data = OUTLOOK_REPLY.format(
        plain=quopri.encodestring(plain.encode("gbk")).decode(),
        html=quopri.encodestring(html.encode("gbk")).decode(),
        png=base64.b64encode(PNG).decode(),
    ).encode()

    parsed = parse_message(data)

    assert parsed.from_name == "张三"
    assert parsed.to == ["it@example.com"]
    assert parsed.subject == "回复: [IT20240501001] 打印机坏了"
    assert parsed.in_reply_to == ["<itd.IT20240501001.root.0123456789abcdef0123@desk.example.com>"]
    assert parsed.reply_text == "好了，谢谢！\n\n张三"
    assert "<style" not in parsed.html and "margin:0" not in parsed.html
    assert 'src="cid:image001.png@01DA9B2C.5E6F7A80"' in parsed.html
    (image,) = parsed.attachments
    assert (image.filename, image.inline, image.content_id) == (
        "image001.png",
        True,
        "image001.png@01DA9B2C.5E6F7A80",
    )
    assert parsed.warnings == []


def test_html_text_of_outlook_reply_is_trimmed_too():
    html = (
        "<p>已处理</p><div><p><b>From:</b> IT Desk<br><b>Sent:</b> Wednesday, May 1, 2024<br>"
        "<b>To:</b> Alice</p></div><p>old</p>"
    )
    parsed = parse_message(
        raw("From: a@example.com", "Content-Type: text/html; charset=utf-8", body=html.encode())
    )
    assert parsed.reply_text == "已处理"


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        ("iso-2022-jp", "プリンターが壊れました"),
        ("utf-16", "打印机坏了 printer"),
        ("koi8-r", "Принтер сломан"),
    ],
)
def test_other_charsets_are_honoured(charset, text):
    parsed = parse_message(
        raw(
            "From: a@example.com",
            f"Content-Type: text/plain; charset={charset}",
            "Content-Transfer-Encoding: base64",
            body=base64.encodebytes(text.encode(charset)),
        )
    )
    assert parsed.text == text


def test_quoted_display_name_with_encoded_word_and_rfc2231_content_type_name():
    parsed = parse_message(
        raw(
            'From: "=?utf-8?B?5byg5LiJ?=" <zhang@example.com>',
            "Content-Type: multipart/mixed; boundary=b",
            body=b"--b\r\nContent-Type: text/plain\r\n\r\nbody\r\n--b\r\n"
            b"Content-Type: application/pdf; name*=UTF-8''%E5%90%88%E5%90%8C.pdf\r\n\r\n%PDF\r\n--b--\r\n",
        )
    )
    assert parsed.from_name == "张三"
    assert parsed.attachments[0].filename == "合同.pdf"


@pytest.mark.parametrize(
    ("field", "address"),
    [
        ("alice@example.org)<bob@example.org>", "bob@example.org"),
        ('"bob@evil.example <bob@evil.example>" <alice@example.org>', "alice@example.org"),
        ("Alice <alice@example.org>, Bob <bob@example.org>", "alice@example.org"),
        ("alice@example.org (Alice Wang)", "alice@example.org"),
    ],
)
def test_from_address_is_the_one_mail_servers_see(field, address):
    assert parse_message(raw(f"From: {field}", body=b"x")).from_address == address


def test_automatic_mail_without_a_usable_sender_is_parsed_as_automatic():
    parsed = parse_message(raw("From: MAILER DAEMON <>", "Subject: Banned file", body=b"x"))
    assert (parsed.from_address, parsed.auto_reason) == ("", "mailer-daemon")
    parsed = parse_message(raw("Subject: Out of office", "Auto-Submitted: auto-replied", body=b"x"))
    assert (parsed.from_address, parsed.auto_reason) == ("", "auto-submitted")
    with pytest.raises(UnparseableMessage) as error:
        parse_message(b"From: Nobody <>\r\n\r\nx")
    assert error.value.code == "no_sender"


def test_raw_8bit_big5_headers_follow_the_charset_of_the_text():
    subject, name = "印表機壞了".encode("big5"), "王小明".encode("big5")
    parsed = parse_message(
        raw(
            b"From: " + name + b" <wang@example.com.tw>",
            b"Subject: " + subject,
            b"Content-Type: multipart/mixed; boundary=b",
            body=b"--b\r\nContent-Type: text/plain; charset=big5\r\n\r\n"
            + "請幫忙".encode("big5")
            + b'\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename="'
            + "報告.pdf".encode("big5")
            + b'"\r\n\r\n%PDF\r\n--b--\r\n',
        )
    )
    assert parsed.subject == "印表機壞了"
    assert parsed.from_name == "王小明"
    assert parsed.text == "請幫忙"
    assert parsed.attachments[0].filename == "報告.pdf"


def test_cr_only_line_ends():
    parsed = parse_message(b"From: a@example.com\rSubject: old mac\r\rline one\rline two\r")
    assert (parsed.from_address, parsed.subject, parsed.text) == (
        "a@example.com",
        "old mac",
        "line one\nline two",
    )


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("打印机坏了，请帮忙处理一下。谢谢！", "gbk"),  # a misconfigured server's "iso-8859-1"
        ("Le café est fermé. Voilà, à bientôt!", "latin-1"),
        ("Grüße aus München, schöne Grüße", "latin-1"),
        ("Ça va? Très bien. ÉÉÉÉ", "cp1252"),
    ],
)
def test_chinese_mislabelled_as_latin1_is_recognised_but_western_text_is_not(text, encoding):
    data = raw(
        "From: a@example.com", "Content-Type: text/plain; charset=iso-8859-1", body=text.encode(encoding)
    )
    assert parse_message(data).text == text
