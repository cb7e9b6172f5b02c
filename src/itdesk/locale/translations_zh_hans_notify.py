"""Simplified Chinese translation memory for the notify strings (merged by translations_zh_hans.py)."""

TRANSLATIONS: dict[str, str | tuple[str, ...]] = {}
