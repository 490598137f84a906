"""Content fingerprints and the one rule that decides whether two texts are the same article."""

from __future__ import annotations

import hashlib
import heapq
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from crawler.normalize.text import word_key, words

SHINGLE_WORDS = 3
"""Words per shingle: small enough that a one-word edit spoils few shingles."""

SKETCH_SIZE = 6
"""Smallest shingle hashes kept per article (bottom-k sketch): the near-duplicate search keys."""

ANCHOR_BYTES = 9
"""The sketch samples the shingles that start with a word of at least this many bytes (UTF-8):
a sample chosen by content, so every copy of a text samples the same shingles, and edits spoil
their share of it as they do of all shingles. About one shingle in six in English prose, and
choosing them costs a fraction of hashing every shingle."""

SAME_TITLE_CONTAINMENT = 0.75
"""With equal titles, this share of the shorter text's shingles must recur in the other text."""

OTHER_TITLE_JACCARD = 0.7
OTHER_TITLE_CONTAINMENT = 0.9
OTHER_TITLE_SIZE_RATIO = 0.5
"""With different titles, either the texts overlap this much (Jaccard), or one holds nearly all
of the other (containment) and is not more than twice as long."""

_ANCHORED_SHINGLE = re.compile(
    rb" (?=([^ ]{%d,}(?: [^ ]+){%d}))" % (ANCHOR_BYTES, SHINGLE_WORDS - 1)
)
"""An anchored shingle, after the space before it (searched for in C) in the space-joined words
with a space put in front; in a lookahead, so that shingles may overlap."""


def title_key(title: str) -> str:
    """Return the title's comparison key: its words, space-joined (at most 200 characters)."""
    return word_key(title)[:200]


def content_text(lead: str | None, body: str) -> str:
    """Return the text that identifies an article's content: its lead and body."""
    return f"{lead}\n\n{body}" if lead else body


@dataclass(frozen=True)
class Fingerprint:
    """What storage compares: exact hash, title key, bottom-k sketch, and the shingle set
    (computed when a comparison first needs it: most items are compared with nothing)."""

    content_hash: str
    title_key: str
    sketch: tuple[int, ...]
    text: bytes = field(repr=False, compare=False)
    """The text's words, space-joined (what ``content_hash`` hashes)."""

    @cached_property
    def shingles(self) -> frozenset[int]:
        """The CRC-32 of every word 3-shingle of the text."""
        return frozenset(shingle_hashes(self.text.split()))


def fingerprint(title: str, lead: str | None, body: str) -> Fingerprint:
    """Fingerprint an article's title and text."""
    tokens = words(content_text(lead, body))
    text = b" ".join(tokens)
    return Fingerprint(
        content_hash=hashlib.blake2b(text, digest_size=16).hexdigest(),
        title_key=title_key(title),
        sketch=_sketch(text),
        text=text,
    )


def shingle_hashes(tokens: Sequence[bytes]) -> Iterable[int]:
    """The CRC-32 of each run of SHINGLE_WORDS words, space-joined (of all the words when there
    are fewer); computed in C, without a Python step per shingle."""
    if len(tokens) < SHINGLE_WORDS:
        return [zlib.crc32(b" ".join(tokens))] if tokens else []
    grams = zip(*(tokens[i:] for i in range(SHINGLE_WORDS)), strict=False)
    return map(zlib.crc32, map(b" ".join, grams))


def _sketch(text: bytes) -> tuple[int, ...]:
    """The SKETCH_SIZE smallest distinct hashes of the anchored shingles of the space-joined
    words (those whose first word has ANCHOR_BYTES bytes or more); of all shingles when fewer
    distinct values than that are anchored (a short text)."""
    anchored = set(map(zlib.crc32, _ANCHORED_SHINGLE.findall(b" " + text)))
    if len(anchored) >= SKETCH_SIZE:
        return tuple(sorted(anchored)[:SKETCH_SIZE])
    return tuple(heapq.nsmallest(SKETCH_SIZE, set(shingle_hashes(text.split()))))


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
