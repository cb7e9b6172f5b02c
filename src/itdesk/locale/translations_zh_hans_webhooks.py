"""Simplified Chinese translation memory for the webhooks strings (merged by translations_zh_hans.py)."""

TRANSLATIONS: dict[str, str | tuple[str, ...]] = {}
