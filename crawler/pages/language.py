"""Page language: declared codes (``lang``, ``og:locale``, JSON-LD), else detected."""

from __future__ import annotations

import re
from typing import Any

from crawler.normalize.language import detect_language
from crawler.pages.base import Found, PageData, first_found, first_meta, fold

LANGUAGE_OVERRIDE_CHARS = 1000
"""From this body length on, the detected language beats a contradicting declared one."""

MACROLANGUAGE = {"nb": "no", "nn": "no"}
"""Codes that name the same language for the override check."""

_LANGUAGE_TAG = re.compile(r"([a-z]{2})(?:[-_]|$)")


def language_code(value: Any) -> str | None:
    """Return the ISO 639-1 part of a language tag (``pl-PL``, ``en_US``, a Language object)."""
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name")
    match = _LANGUAGE_TAG.match((fold(value) or "").lower())
    return match[1] if match else None


def declared_language(page: PageData) -> Found:
    """``<html lang>``, ``og:locale``, else JSON-LD ``inLanguage``."""
    root = page.tree.getroottree().getroot()
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
    in_language = page.article_value("inLanguage")
    return first_found(
        (language_code(lang), "html"),
        (language_code(first_meta(page.meta, "og:locale")), "meta"),
        (language_code(in_language), "jsonld"),
    )


def choose_language(declared: Found, body: str | None) -> Found:
    """The declared language, unless a long body is clearly in another one (template defaults)."""
    detected = detect_language(body)
    if not declared or (
        detected
        and len(body or "") >= LANGUAGE_OVERRIDE_CHARS
        and MACROLANGUAGE.get(detected, detected) != MACROLANGUAGE.get(declared[0], declared[0])
    ):
        return detected, "detected"
    return declared
