"""Remove publisher footers and blocks repeated across a group's documents: pure, no Scrapy."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import lru_cache
from hashlib import blake2b

from crawler.normalize.text import word_key

MAX_MARKER_CHARS = 40
"""Marker lines ("Related posts") are short; longer paragraphs are not fingerprinted for them."""
MAX_NOTICE_CHARS = 600
"""Licence notices and donation appeals are short; a longer paragraph is body."""
MAX_BLOCK_CHARS = 1000
"""Longer paragraphs are never learned or removed as repeated blocks (and cost no fingerprint)."""


@lru_cache(maxsize=4096)
def block_key(paragraph: str) -> str:
    """Fingerprint of a paragraph that ignores case, punctuation and spacing (its
    ``word_key``). Cached: footer paragraphs recur in document after document."""
    return word_key(paragraph)


def block_digest(paragraph: str) -> str:
    """Short stable digest (8-byte blake2b, hex) of a paragraph's ``block_key``."""
    return _digest(block_key(paragraph))


def _digest(key: str) -> str:
    return blake2b(key.encode(), digest_size=8).hexdigest()


MARKERS = frozenset(
    block_key(marker)
    for marker in (
        "Support Us", "Support", "Donate", "Related posts", "Related articles", "Related",
        "Related content", "Read more", "Read also", "See also", "More from this author",
        "Top", "Back to top", "Share", "Share this", "Share this article", "Share on",
        "Print", "Print this page", "Tags", "Subscribe", "Newsletter", "Follow us",
        "Comments", "Leave a comment", "Previous post", "Next post", "Previous", "Next",
    )
)  # fmt: skip
"""Whole-paragraph footer markers (compared by ``block_key``, never as prefixes)."""

SUPPORT_HEADINGS = frozenset(
    block_key(heading)
    for heading in ("Support Us", "Support", "Donate", "Support our work", "Make a donation")
)
"""Headings under which the next paragraph is a donation appeal."""

MAX_CROSS_REFERENCE_CHARS = 300
"""A "Read also: <headline>" line is a headline long; a longer paragraph is body."""
_CROSS_REFERENCE = re.compile(
    r"^\s*(?:read (?:also|more)|also read|see also|czytaj (?:też|także|również|więcej)"
    r"|zobacz (?:też|także|również)|lesen sie (?:auch|mehr)|mehr zum thema|weiterlesen"
    r"|читайте (?:также|тоже)|читать далее|смотрите также|(?:à )?lire aussi|lire la suite"
    r"|voir aussi|les også|læs også|läs också)\s*(?::|$)|^\s*à lire aussi\b",
    re.IGNORECASE,
)
"""A label that points to other articles, alone or before a headline (a colon between)."""

_NAME_JOINERS = frozenset({"of", "for", "and", "the", "&", "on", "in", "i", "и"})
_TAGS = re.compile(r"^\s*tags?\s*:\s*(?P<tags>.*)$", re.IGNORECASE | re.DOTALL)
_LICENCE_PUBLISHER = re.compile(
    r"^\s*all (?:texts|articles|materials|content|publications|analyses)(?: published)?"
    r" (?:by|of|on the website of) (?:the )?(?P<publisher>.+?) (?:may|can|are|is)\b",
    re.IGNORECASE,
)
_LICENCE = re.compile(
    r"\b(?:all rights reserved|creative commons|licensed under (?:a |the )?(?:cc|creative)"
    r"|(?:texts?|articles?|content|materials?|publications?|images?|photos?) (?:\S+ ){0,8}?"
    r"may (?:not )?be (?:freely )?(?:disseminated|reproduced|republished|copied|used|quoted)"
    r"|(?:reproduction|republication|copying) (?:\S+ ){0,6}?(?:is |are )?"
    r"(?:prohibited|forbidden|permitted))\b",
    re.IGNORECASE,
)
_NOTICE_STARTS = ("©", "(c)", "copyright", "all ")
_LICENCE_HINTS = (
    "reserved",
    "commons",
    "licensed",
    " may ",
    "prohibited",
    "forbidden",
    "permitted",
)
_COPYRIGHT = re.compile(
    r"^\s*(?P<sign>©|\(c\)|copyright\b\s*(?:©|\(c\))?)\s*"
    r"(?P<years>\d{4}(?:\s*[-–]\s*\d{4})?)?\s*,?\s*"
    r"(?P<publisher>.*?)[\s.,]*(?P<reserved>all rights reserved\.?)?\s*$",
    re.IGNORECASE,
)
_APPEAL = re.compile(
    r"\bplease (?:support|consider supporting|donate to) (?:us|our)\b"
    r"|\bdonations? from private (?:persons|individuals)\b"
    r"|\bsupport (?:us|our work) (?:with|by making) (?:a )?donation",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Footer:
    """What ``split_footer`` took off a document."""

    tags: tuple[str, ...]
    """From ``TAGS: a, b, c`` lines, in order, without duplicates."""
    publisher: str | None
    """From a licence or copyright notice, e.g. ``"Warsaw Institute Foundation"``."""
    removed: int
    """Number of paragraphs removed (footer and repeated blocks at either end)."""


def split_footer(
    paragraphs: Sequence[str], repeated: Collection[str] = frozenset()
) -> tuple[list[str], Footer]:
    """Split paragraphs into body and footer, scanning back from the end until the first body one.

    ``repeated`` holds learned boilerplate: ``block_key`` strings or ``block_digest`` values
    (what ``RepeatedBlocks.repeated`` returns). Repeated blocks at the very start are removed
    too, and cross-references ("Read also: <headline>") wherever they stand.
    """
    crossed = [p for p in paragraphs if not is_cross_reference(p)]
    dropped = len(paragraphs) - len(crossed)
    paragraphs = crossed if dropped else paragraphs
    tags: list[str] = []
    publisher = None
    end = len(paragraphs)
    while end:
        text = paragraphs[end - 1]
        kind = footer_kind(text, paragraphs[end - 2] if end > 1 else "", repeated)
        if kind is None:
            break
        if kind == "tags":
            tags[:0] = split_tags(text.partition(":")[2])
        elif kind == "notice":
            publisher = notice_publisher(text) or publisher
        end -= 1
    start = 0
    while repeated and start < end and _is_repeated(paragraphs[start], repeated):
        start += 1
    footer = Footer(
        tags=tuple(dict.fromkeys(tags)),
        publisher=publisher,
        removed=dropped + start + len(paragraphs) - end,
    )
    return list(paragraphs[start:end]), footer


def is_cross_reference(paragraph: str) -> bool:
    """Whether a paragraph points to another article ("Read also: <headline>", "Czytaj też:
    …", "Lesen Sie auch: …"): a link to other text, wherever it stands, not this text."""
    return len(paragraph) <= MAX_CROSS_REFERENCE_CHARS and bool(_CROSS_REFERENCE.match(paragraph))


def footer_kind(
    paragraph: str, above: str = "", repeated: Collection[str] = frozenset()
) -> str | None:
    """Why a paragraph at the end of a document is footer, or None when it is body.

    One of ``"marker"``, ``"tags"``, ``"notice"``, ``"appeal"``, ``"repeated"``; ``above`` is
    the paragraph before it (an appeal counts when it stands under a "Support Us" heading).
    """
    text = paragraph.strip()
    if len(text) > MAX_NOTICE_CHARS:
        kind = "tags" if _TAGS.match(text) else None
    else:
        kind = _short_kind(text)
        if kind is None and _is_support_heading(above):
            kind = "appeal"
    if kind is None and repeated and _is_repeated(text, repeated):
        return "repeated"
    return kind


@lru_cache(maxsize=1024)
def _short_kind(text: str) -> str | None:
    """``footer_kind`` of a short paragraph by its own text (not what stands above it, nor
    what was learned). Cached: footer paragraphs recur verbatim in document after document."""
    if len(text) <= MAX_MARKER_CHARS:
        key = block_key(text)
        if not key or key in MARKERS:
            return "marker"
    if _TAGS.match(text):
        return "tags"
    if is_notice(text):
        return "notice"
    if _APPEAL.search(text):
        return "appeal"
    return None


def _is_support_heading(paragraph: str) -> bool:
    return len(paragraph) <= MAX_MARKER_CHARS and block_key(paragraph) in SUPPORT_HEADINGS


def is_notice(paragraph: str) -> bool:
    """Whether a short paragraph is a licence or copyright notice."""
    lowered = paragraph.lstrip().casefold()
    if not lowered.startswith(_NOTICE_STARTS) and not any(h in lowered for h in _LICENCE_HINTS):
        return False  # cheap pre-check: the regexes below cost microseconds
    if _LICENCE.search(paragraph) or _LICENCE_PUBLISHER.match(paragraph):
        return True
    match = _COPYRIGHT.match(paragraph)
    if match is None:
        return False
    if "©" in match["sign"] or "(c)" in match["sign"].lower() or match["years"]:
        return True
    # A bare "Copyright Name" must name someone, so "Copyright law was changed." is body.
    return bool(match["reserved"]) or _is_name(match["publisher"])


def _is_name(text: str) -> bool:
    """Whether a short text reads like an organisation's name: capitalised words, no sentence."""
    words = text.split()
    return (
        0 < len(words) <= 8
        and not text.endswith(".")
        and all(word[0].isupper() or word in _NAME_JOINERS for word in words)
    )


def notice_publisher(paragraph: str) -> str | None:
    """Publisher named by a licence or copyright notice, else None."""
    match = _LICENCE_PUBLISHER.match(paragraph)
    if match is None and is_notice(paragraph):
        match = _COPYRIGHT.match(paragraph)
    publisher = match["publisher"].strip(" .,") if match else ""
    return publisher or None


def split_tags(text: str) -> list[str]:
    """``"migration crisis, NATO, ,Belarus"`` -> ``["migration crisis", "NATO", "Belarus"]``."""
    return [tag for tag in (" ".join(part.split()) for part in text.split(",")) if tag]


def _is_repeated(paragraph: str, repeated: Collection[str]) -> bool:
    if len(paragraph) > MAX_BLOCK_CHARS:
        return False
    key = block_key(paragraph)
    return bool(key) and (key in repeated or _digest(key) in repeated)


def edge_digests(paragraphs: Sequence[str], edge: int = 8) -> frozenset[str]:
    """Digests of a document's edge paragraphs (the first 2 and the last ``edge``): what
    RepeatedBlocks counts."""
    edges = [*paragraphs[:2], *paragraphs[max(0, len(paragraphs) - edge) :]]
    keys = [block_key(p) for p in edges if len(p) <= MAX_BLOCK_CHARS]
    return frozenset(_digest(key) for key in keys if key)


CORPUS = ""
"""Group name under which every document is counted as well."""


class RepeatedBlocks:
    """Learns blocks that repeat across many documents of one group (publisher or folder).

    Only edge paragraphs (the first 2 and last ``edge``) are counted, once per document, as
    8-byte digests. Counts are pruned by lossy counting (Manku & Motwani): every ``bucket``
    documents of a group, a digest whose count plus the count it may have missed before it was
    first seen is at most the bucket number is dropped. A block on at least ``1/bucket`` of the
    documents survives, so boilerplate is never lost, while one-off paragraphs are dropped
    at the next prune. Memory per group is at most ``(edge + 2) * bucket * (1 + ln(documents /
    bucket))`` digests (about 7,900 for 100,000 documents with the defaults) and, with
    paragraphs that never repeat, ``(edge + 2) * bucket`` (1,000). Counts kept are lower bounds,
    so pruning can hide a block, never invent one.
    """

    def __init__(
        self, min_documents: int = 5, min_share: float = 0.2, edge: int = 8, *, bucket: int = 100
    ) -> None:
        self.min_documents = min_documents
        self.min_share = min_share
        self.edge = edge
        self.bucket = bucket
        self._groups: dict[str, _GroupCounts] = {}

    def add(self, group: str, paragraphs: Sequence[str]) -> None:
        """Count one document's edge paragraphs in its group."""
        self.add_digests(group, edge_digests(paragraphs, self.edge))

    def add_digests(self, group: str, digests: Collection[str]) -> None:
        """Count one document's ``edge_digests`` (computed wherever is cheapest) in its group
        and in the whole corpus."""
        for key in {group, CORPUS}:
            counts = self._groups.get(key)
            if counts is None:
                counts = self._groups[key] = _GroupCounts()
            counts.add(set(digests), self.bucket, self.min_documents)

    def repeated(self, group: str) -> frozenset[str]:
        """Digests of blocks in >= ``min_documents`` and >= ``min_share`` of the documents of
        the group, or of the whole corpus (a publisher's footer spread over many folders)."""
        return self._repeated(group) | self._repeated(CORPUS)

    def _repeated(self, group: str) -> frozenset[str]:
        counts = self._groups.get(group)
        if counts is None:
            return frozenset()
        if counts.cached_at != counts.documents:
            need = max(self.min_documents, self.min_share * counts.documents)
            counts.cached = frozenset(d for d in counts.frequent if counts.counts[d] >= need)
            counts.cached_at = counts.documents
        return counts.cached

    def tracked(self, group: str) -> int:
        """Number of digests counted for a group (what the memory bound is about)."""
        counts = self._groups.get(group)
        return len(counts.counts) if counts else 0


class _GroupCounts:
    """Lossy counts of one group's edge-block digests."""

    __slots__ = ("cached", "cached_at", "counts", "documents", "frequent", "missed")

    def __init__(self) -> None:
        self.documents = 0
        self.counts: dict[str, int] = {}
        self.missed: dict[str, int] = {}
        """Upper bound of the count a digest may have had before it was (re)inserted."""
        self.frequent: set[str] = set()
        """Digests whose count reached ``min_documents``: the only candidates for ``repeated``."""
        self.cached: frozenset[str] = frozenset()
        self.cached_at = 0

    def add(self, digests: set[str], bucket: int, min_documents: int) -> None:
        self.documents += 1
        current = (self.documents - 1) // bucket + 1
        for digest in digests:
            count = self.counts.get(digest, 0) + 1
            self.counts[digest] = count
            if count == 1 and current > 1:
                self.missed[digest] = current - 1
            if count >= min_documents:
                self.frequent.add(digest)
        if self.documents % bucket == 0:
            self._prune(current)

    def _prune(self, current: int) -> None:
        for digest, count in list(self.counts.items()):
            if count + self.missed.get(digest, 0) <= current:
                del self.counts[digest]
                self.missed.pop(digest, None)
                self.frequent.discard(digest)
