"""The language of messages for people: Chinese or English.

Chosen by ``nianbao --lang zh|en``, else ``NIANBAO_LANG``, else the locale (``LC_ALL``,
``LC_MESSAGES``, ``LANG``): a language other than Chinese (``en_US.UTF-8``, ``de_DE``…) means
English; Chinese, or a locale that names no language (unset, ``C``, ``POSIX``, ``C.UTF-8``, as
on most servers), means Chinese, the language of the reports. JSON and CSV
always carry both (``message_zh``, ``message_en``); only what is printed for people
follows the choice.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

LANGS = ("zh", "en")
_chosen: str | None = None


def locale_lang(environ: Mapping[str, str] | None = None) -> str:
    """``zh`` or ``en`` from ``NIANBAO_LANG``, else the first locale variable that is set."""
    env = os.environ if environ is None else environ
    explicit = (env.get("NIANBAO_LANG") or "").strip().lower()
    if explicit in LANGS:
        return explicit
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = (env.get(var) or "").strip()
        if value:
            language = value.split(".")[0].split("@")[0].lower()
            return "zh" if language in ("c", "posix", "") or language.startswith("zh") else "en"
    return "zh"


def set_lang(lang: str | None) -> str:
    """Choose the language for this process (``None``: from the environment); returns the choice."""
    global _chosen
    if lang is not None and lang not in LANGS:
        raise ValueError(f"{lang!r}: the language is zh or en")
    _chosen = lang
    return current()


def current() -> str:
    return _chosen or locale_lang()


def pick(zh: str | None, en: str | None, lang: str | None = None) -> str:
    """The text in the chosen language, else the other one (never an empty line for a missing translation)."""
    first, second = (zh, en) if (lang or current()) == "zh" else (en, zh)
    return first or second or ""


def message(item: object, lang: str | None = None) -> str:
    """A finding's message (``message_zh``/``message_en`` of a mapping or an object) in the chosen language."""
    if isinstance(item, Mapping):
        return pick(item.get("message_zh"), item.get("message_en"), lang)
    return pick(getattr(item, "message_zh", None), getattr(item, "message_en", None), lang)
