"""Write the Simplified Chinese translation memory into django.po and name every msgid still missing.

`make messages` runs it between makemessages and compilemessages, so a refresh after new strings only
needs their translations added to translations_zh_hans.py. Needs polib (a dev dependency). Exits 1 when
a msgid has no translation or a translation lost a placeholder or an HTML tag, so nothing half-done is
compiled.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import polib
from translations_zh_hans import TRANSLATIONS

PO_FILE = Path(__file__).resolve().parent / "zh_Hans" / "LC_MESSAGES" / "django.po"
HEADER_COMMENT = (
    "Simplified Chinese translation of ITDesk.\n"
    "This file is distributed under the same license as ITDesk (Apache-2.0).\n"
    "Edit src/itdesk/locale/translations_zh_hans.py, not this file: `make messages` rewrites it."
)
METADATA = {
    "Project-Id-Version": "ITDesk",
    "Report-Msgid-Bugs-To": "",
    "Last-Translator": "ITDesk translators",
    "Language-Team": "Simplified Chinese",
    "Language": "zh_Hans",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=1; plural=0;",
}

# What must survive translation unchanged: %(name)s and %s placeholders, {name} fields, HTML tags.
PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%[sdif%]|\{[^{}]*\}|</?[a-zA-Z][^>]*>")
# A real Python %-placeholder; xgettext also flags text like "(% of the target)" as python-format.
PYTHON_PLACEHOLDER = re.compile(r"%\([^)]+\)|%[sdifr%]")


def placeholders(text: str) -> Counter[str]:
    """The placeholders and tags in `text`, counted."""
    return Counter(PLACEHOLDER.findall(text))


def key_of(entry: polib.POEntry) -> str:
    """The memory key of a catalogue entry: its msgid, prefixed with its context when it has one."""
    return f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid


def apply(po: polib.POFile) -> tuple[bool, list[str]]:
    """Fill `po` from the memory; return whether anything changed and the problems found."""
    changed = False
    problems: list[str] = []
    for entry in po:
        if entry.obsolete:
            continue
        if "python-format" in entry.flags and not PYTHON_PLACEHOLDER.search(entry.msgid):
            # A false positive would make msgfmt demand a "% o" in the translation.
            entry.flags = [f for f in entry.flags if f != "python-format"] + ["no-python-format"]
            changed = True
        translation = TRANSLATIONS.get(key_of(entry))
        if translation is None:
            if entry.fuzzy or not entry.translated():
                problems.append(f"missing: {entry.msgid!r}")
            continue
        forms = (translation,) if isinstance(translation, str) else tuple(translation)
        if entry.msgid_plural:
            new_plural = dict(enumerate(forms))
            if entry.msgstr_plural != new_plural:
                entry.msgstr_plural, changed = new_plural, True
        elif len(forms) != 1:
            problems.append(f"not a plural entry, give one string: {entry.msgid!r}")
            continue
        elif entry.msgstr != forms[0]:
            entry.msgstr, changed = forms[0], True
        if entry.fuzzy or entry.previous_msgid:
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
            changed = True
        for form in forms:
            expected = placeholders(entry.msgid_plural or entry.msgid)
            if entry.msgid_plural:  # a plural form may drop the count, never a name
                expected = placeholders(entry.msgid) | placeholders(entry.msgid_plural)
            if placeholders(form) != expected:
                problems.append(f"placeholders differ: {entry.msgid!r} -> {form!r}")
    return changed, problems


def main() -> int:
    """Apply the memory to django.po and report; exit status 1 when something is missing or wrong."""
    if not PO_FILE.exists():
        print(f"{PO_FILE} does not exist: run makemessages first (make messages).", file=sys.stderr)
        return 1
    po = polib.pofile(str(PO_FILE), wrapwidth=79)
    changed, problems = apply(po)
    if (
        po.header != HEADER_COMMENT
        or po.metadata_is_fuzzy
        or any(po.metadata.get(name) != value for name, value in METADATA.items())
    ):
        po.header = HEADER_COMMENT
        po.metadata_is_fuzzy = False
        po.metadata.update(METADATA)
        changed = True
    if changed:
        po.metadata["PO-Revision-Date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M+0000")
    po.save(str(PO_FILE))
    in_catalogue = {key_of(entry) for entry in po if not entry.obsolete}
    unused = sorted(set(TRANSLATIONS) - in_catalogue)
    for key in unused:
        print(f"note: not in the code any more (can be removed from the memory): {key!r}")
    for problem in problems:
        print(problem, file=sys.stderr)
    total = len(in_catalogue)
    print(f"{PO_FILE.name}: {total} messages, {total - len(problems)} translated, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
