"""Offline language identification of article text (py3langid, ISO 639-1 codes)."""

from __future__ import annotations

import re

import py3langid

SAMPLE_CHARS = 2000
"""Only the beginning of a text is classified: enough for a stable answer, and cheap."""

MIN_LETTERS = 20
"""Below this many letters the classifier is guessing, so no language is reported."""

_LETTER = re.compile(r"[^\W\d_]")
_URL = re.compile(r"\S+://\S+|www\.\S+")


def detect_language(text: str | None) -> str | None:
    """Return the ISO 639-1 code of ``text``'s language, or ``None`` when too short to tell."""
    if not text:
        return None
    sample = _URL.sub(" ", text[:SAMPLE_CHARS])
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return None
    code, _score = py3langid.classify(sample)
    return code if len(code) == 2 else None
