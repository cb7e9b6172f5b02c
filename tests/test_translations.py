"""The Simplified Chinese catalogue: complete, compiled, up to date with the code, and really used.

Refresh it with `make messages` (makemessages, the translation memory in
src/itdesk/locale/translations_zh_hans.py, compilemessages).
"""

import gettext
import re
import shutil
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.urls import reverse

import itdesk
from itdesk.tickets import services
from tests.factories import PASSWORD, UserFactory

PACKAGE_DIR = Path(itdesk.__file__).resolve().parent
MESSAGES_DIR = PACKAGE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = MESSAGES_DIR / "django.po"
MO_FILE = MESSAGES_DIR / "django.mo"
REFRESH = "run `make messages` and translate what it reports in src/itdesk/locale/translations_zh_hans.py"

# What a translation must keep: %(name)s and %s placeholders, {name} fields, HTML tags.
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%[sdif%]|\{[^{}]*\}|</?[a-zA-Z][^>]*>")


@pytest.fixture(scope="module")
def catalogue():
    return polib.pofile(str(PO_FILE))


def _key(entry):
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def _forms(entry):
    return (
        [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
        if entry.msgid_plural
        else [entry.msgstr]
    )


def test_every_message_has_a_chinese_translation(catalogue):
    assert catalogue.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert not catalogue.metadata_is_fuzzy
    assert len(catalogue) > 500
    untranslated = [e.msgid for e in catalogue if not all(form.strip() for form in _forms(e))]
    fuzzy = [e.msgid for e in catalogue if e.fuzzy]
    obsolete = [e.msgid for e in catalogue if e.obsolete]
    assert not untranslated, f"untranslated: {untranslated[:10]}; {REFRESH}"
    assert not fuzzy, f"fuzzy (a guess by msgmerge): {fuzzy[:10]}; {REFRESH}"
    assert not obsolete, f"obsolete entries left: {obsolete[:10]}; {REFRESH}"


def test_translations_keep_placeholders_and_tags(catalogue):
    broken = []
    for entry in catalogue:
        expected = Counter(PLACEHOLDER.findall(entry.msgid))
        if entry.msgid_plural:
            expected |= Counter(PLACEHOLDER.findall(entry.msgid_plural))
        for form in _forms(entry):
            if Counter(PLACEHOLDER.findall(form)) != expected:
                broken.append((entry.msgid, form))
    assert not broken, f"a placeholder or tag was lost or changed: {broken[:5]}"


def test_the_compiled_catalogue_matches_the_po_file(catalogue):
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in catalogue:
        if entry.msgid_plural:
            expected = entry.msgstr_plural[0]
            if entry.msgctxt:
                got = compiled.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 2)
            else:
                got = compiled.ngettext(entry.msgid, entry.msgid_plural, 2)
        else:
            expected = entry.msgstr
            got = (
                compiled.pgettext(entry.msgctxt, entry.msgid)
                if entry.msgctxt
                else compiled.gettext(entry.msgid)
            )
        if got != expected:
            stale.append(entry.msgid)
    assert not stale, f"django.mo is out of date for {stale[:10]}: run `make messages` (compilemessages)"


def test_the_catalogue_has_every_message_in_the_code(catalogue, tmp_path, settings, monkeypatch):
    if shutil.which("xgettext") is None:
        pytest.fail(
            "xgettext is missing, so this test cannot check the catalogue against the code: install GNU "
            "gettext (sudo apt-get install gettext; `make test` does it through the browser-deps target)"
        )
    # makemessages writes next to the code it reads: extract from a copy, into a throw-away catalogue.
    source = tmp_path / "itdesk"
    shutil.copytree(PACKAGE_DIR, source, ignore=shutil.ignore_patterns("locale", "__pycache__", "*.pyc"))
    settings.LOCALE_PATHS = [str(source / "locale")]
    monkeypatch.chdir(source)

    call_command("makemessages", locale=["zh_Hans"], no_obsolete=True, add_location="file", verbosity=0)

    extracted = polib.pofile(str(source / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    assert len(extracted) > 500  # the extraction really ran over the code
    missing = sorted({_key(e) for e in extracted} - {_key(e) for e in catalogue})
    assert not missing, (
        f"{len(missing)} messages in the code are not in django.po, e.g. {missing[:5]}; {REFRESH}"
    )


@pytest.mark.django_db
def test_a_chinese_speaking_requester_gets_the_new_request_page_in_chinese(client):
    UserFactory(username="xiaoming", display_name="王小明", language="zh-hans")
    assert client.login(username="xiaoming", password=PASSWORD)

    page = client.get(reverse("web:portal-new")).content.decode()

    assert '<html lang="zh-hans">' in page
    assert "新建请求" in page and "提交请求" in page  # template text
    assert "问题描述" in page and "影响程度" in page  # form labels
    assert "低 — 可以稍后处理" in page  # a choice label
    for english in ("Submit request", "New request", "Description", "Low — can wait"):
        assert english not in page


@pytest.mark.django_db
def test_a_chinese_speaking_requester_gets_the_confirmation_in_chinese(
    service_desk, django_capture_on_commit_callbacks, mailoutbox
):
    requester = UserFactory(username="xiaoming", display_name="王小明", language="zh-hans")

    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.create_ticket(
            actor=requester, title="打印机卡纸", description="三楼打印机卡纸，报错E05"
        )

    [message] = [m for m in mailoutbox if m.to == [requester.email]]
    assert message.subject == f"[{ticket.number}] 我们已收到您的请求：打印机卡纸"
    assert f"我们已收到您的请求，登记编号为 {ticket.number}，优先级为 P3。" in message.body
    assert "预计响应时间：30分钟内。" in message.body
    assert "状态: 新建" in message.body or "状态：新建" in message.body
    assert "We received" not in message.body and "Expected response" not in message.body
