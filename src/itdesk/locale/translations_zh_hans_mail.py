"""Simplified Chinese translation memory for the mail strings (merged by translations_zh_hans.py)."""

TRANSLATIONS: dict[str, str | tuple[str, ...]] = {}
