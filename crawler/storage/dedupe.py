"""Content fingerprints and the one rule that decides whether two texts are the same article."""

from __future__ import annotations

import hashlib
import heapq
import re
import unicodedata
import zlib
from dataclasses import dataclass

_WORD = re.compile(r"\w+")

SHINGLE_WORDS = 3
"""Words per shingle: small enough that a one-word edit spoils few shingles."""

SKETCH_SIZE = 6
"""Smallest shingle hashes kept per article (bottom-k sketch): the near-duplicate search keys."""

SAME_TITLE_CONTAINMENT = 0.75
"""With equal titles, this share of the shorter text's shingles must recur in the other text."""

OTHER_TITLE_JACCARD = 0.7
OTHER_TITLE_CONTAINMENT = 0.9
OTHER_TITLE_SIZE_RATIO = 0.5
"""With different titles, either the texts overlap this much (Jaccard), or one holds nearly all
of the other (containment) and is not more than twice as long."""


def words(text: str) -> list[str]:
    """Return the text's words, NFKC-normalized and case-folded."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def title_key(title: str) -> str:
    """Return the title's comparison key: its words, space-joined (at most 200 characters)."""
    return " ".join(words(title))[:200]


def content_text(lead: str | None, body: str) -> str:
    """Return the text that identifies an article's content: its lead and body."""
    return f"{lead}\n\n{body}" if lead else body


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What storage compares: exact hash, title key, shingle set and its bottom-k sketch."""

    content_hash: str
    title_key: str
    shingles: frozenset[int]
    sketch: tuple[int, ...]


def fingerprint(title: str, lead: str | None, body: str) -> Fingerprint:
    """Fingerprint an article's title and text."""
    tokens = words(content_text(lead, body))
    digest = hashlib.blake2b(" ".join(tokens).encode(), digest_size=16).hexdigest()
    shingles = _shingles(tokens)
    return Fingerprint(
        content_hash=digest,
        title_key=title_key(title),
        shingles=shingles,
        sketch=tuple(heapq.nsmallest(SKETCH_SIZE, shingles)),
    )


def _shingles(tokens: list[str]) -> frozenset[int]:
    if len(tokens) < SHINGLE_WORDS:
        return frozenset([zlib.crc32(" ".join(tokens).encode())]) if tokens else frozenset()
    grams = zip(*(tokens[i:] for i in range(SHINGLE_WORDS)), strict=False)
    return frozenset(zlib.crc32(" ".join(gram).encode()) for gram in grams)


def is_same_article(new: Fingerprint, old: Fingerprint) -> bool:
    """Decide whether two fingerprints are one article: near-identical text, or with an equal
    title, mostly the same text (another footer, small edits, a web page around an export)."""
    if new.content_hash == old.content_hash:
        return True
    a, b = new.shingles, old.shingles
    if not a or not b:
        return False
    common = len(a & b)
    smaller, larger = sorted((len(a), len(b)))
    containment = common / smaller
    if new.title_key and new.title_key == old.title_key:
        return containment >= SAME_TITLE_CONTAINMENT
    jaccard = common / (len(a) + len(b) - common)
    return jaccard >= OTHER_TITLE_JACCARD or (
        containment >= OTHER_TITLE_CONTAINMENT and smaller / larger >= OTHER_TITLE_SIZE_RATIO
    )
