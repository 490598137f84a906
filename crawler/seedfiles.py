"""Parse the plain-text seed export (header, title, lead, SOURCE lines, body): pure, no Scrapy."""

from __future__ import annotations

import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

from crawler.normalize.text import fold_line

LEGACY_ENCODINGS = ("cp1250", "iso8859_2", "cp1251", "koi8_r", "cp1252")
"""Single-byte encodings tried when a file is not UTF-8; on a tie the earlier one wins."""

CYRILLIC_ENCODINGS = frozenset({"cp1251", "koi8_r"})
"""The legacy encodings that put Cyrillic letters at bytes 0xC0-0xFF (where the others have
accented Latin letters, a few in every hundred letters of a text)."""
ISO_8859_ENCODINGS = frozenset({"iso8859_2"})
"""The legacy encodings whose bytes 0x80-0x9F are control characters, never found in text."""
LATIN_MAX_SHARE, CYRILLIC_MIN_SHARE = 0.25, 0.6
"""Shares of a file's letters at bytes 0xC0-0xFF: at most the first, only Latin encodings are
tried; at least the second, only Cyrillic ones; in between, all."""

LEGACY_SAMPLE_BYTES = 16_384
"""Bytes of a non-UTF-8 file whose decodings are compared to find its encoding."""

MAX_CONTROL_SHARE = 0.05
"""Share of control bytes above which a file is binary (text has none, random bytes ~12%)."""

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_MESSAGES = {
    "empty": "seed file is empty or holds only whitespace",
    "binary": "seed file is binary, not text",
    "undecodable": "seed file is neither UTF-8 nor a known single-byte encoding",
    "no_header": "seed file does not start with a 'Date:' / 'Author:' header",
    "no_title": "seed file has a header but no title",
    "no_body": "seed file has a title but no text after it",
}
_LABEL = re.compile(r"(?:^|(?<=\s))(?:(?P<colon>(?i:date|authors?|by))\s*:|(?P<bare>By)\s+)")
_COLON_LABEL = re.compile(r"\s(?i:date|authors?|by)\s*:")
_FIELD_OF_LABEL = {"date": "date", "author": "byline", "authors": "byline", "by": "byline"}
_NAME_JOINERS = frozenset({"and", "&", "i", "и", "und", "et", "von", "van", "de", "der", "da"})
_SOURCE = re.compile(r"^(?:SOURCES?|Sources?)\s*:\s*(?P<value>.*)$")
_SOURCE_SPLIT = re.compile(r";\s*|(?<=\))\s*,\s*")
_HTTP_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_BARE_DOMAIN = re.compile(r"(?:www\.)?(?:[\w-]+\.)+[^\W\d_]{2,}(?:[/?#]\S*)?", re.IGNORECASE)


class SeedFileError(ValueError):
    """A seed file that cannot be read; ``reason`` is a short snake_case key for stats."""

    def __init__(self, reason: str, detail: str = "") -> None:
        message = _MESSAGES.get(reason, reason.replace("_", " "))
        super().__init__(f"{message}: {detail}" if detail else message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class SourceRef:
    """One source an article cites on a ``SOURCE:`` line."""

    name: str
    url: str | None
    """Absolute URL (a bare domain gets ``https://``); None if missing, truncated or not a URL."""


@dataclass(frozen=True, slots=True)
class SeedDocument:
    """One seed file split into its parts; every text is whitespace-folded."""

    date: str | None
    """Raw date text from the header, e.g. ``"23 November 2022"``."""
    byline: str | None
    """Raw byline text without its label, e.g. ``"Grzegorz Kuczyński"``."""
    title: str
    lead: str | None
    """First paragraph after the title, when another paragraph follows it."""
    source_refs: tuple[SourceRef, ...]
    paragraphs: tuple[str, ...]
    """Every later non-empty line, footer included (``boilerplate.split_footer`` removes it)."""


def decode_text(data: bytes) -> str:
    """Decode a seed file's bytes to text with LF line endings; raise SeedFileError if not text."""
    text = _decode_with_bom(data)
    if text is None:
        reject_binary(data)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _decode_legacy(data)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def reject_binary(data: bytes) -> None:
    """Raise SeedFileError("binary") for NUL bytes or a notable share of control bytes."""
    if b"\x00" in data:
        raise SeedFileError("binary", "it contains NUL bytes")
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls > MAX_CONTROL_SHARE * len(data):
        raise SeedFileError("binary", f"{controls} of its {len(data)} bytes are control bytes")


def _decode_with_bom(data: bytes) -> str | None:
    """Text of a file that starts with a UTF-8 or UTF-16 byte order mark, else None."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom) :].decode(codec)
            except UnicodeDecodeError:
                raise SeedFileError("undecodable", f"invalid {codec} after its BOM") from None
            reject_binary(data[len(bom) :] if codec == "utf-8" else text.encode())
            return text
    return None


def _decode_legacy(data: bytes) -> str:
    """Decode with the single-byte encoding charset-normalizer finds least chaotic."""
    # One candidate per call: given several, charset-normalizer skips a code page "too similar"
    # to one it rejected (iso8859_2 after cp1250), which loses ISO-8859-2 Polish text.
    # One sample from the start, as long as the whole of a usual file: the library's default
    # of five 512-byte samples judged the same files alike at twice the cost.
    sample = min(len(data), LEGACY_SAMPLE_BYTES)
    best: tuple[tuple[float, float, int], str] | None = None
    for rank, encoding in enumerate(legacy_candidates(data)):
        match = from_bytes(data, cp_isolation=[encoding], steps=1, chunk_size=sample).best()
        if match is None:
            continue
        score = (match.chaos, -match.coherence, rank)
        if best is None or score < best[0]:
            best = (score, str(match))
    if best is None:
        raise SeedFileError("undecodable", f"none of {', '.join(LEGACY_ENCODINGS)} fits")
    return best[1]


_HIGH_LETTER_BYTES = bytes(range(0xC0, 0x100))
_ASCII_LETTER_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_C1_BYTES = bytes(range(0x80, 0xA0))


def legacy_candidates(data: bytes) -> tuple[str, ...]:
    """The LEGACY_ENCODINGS worth comparing for ``data``, in their order: the ones of its
    script (by the share of its letters at bytes 0xC0-0xFF), and no ISO-8859 code page when it
    holds a byte that would be a control character there. Counting bytes costs a fraction of
    one comparison (``_decode_legacy``)."""
    high = len(data) - len(data.translate(None, _HIGH_LETTER_BYTES))
    letters = high + len(data) - len(data.translate(None, _ASCII_LETTER_BYTES))
    share = high / letters if letters else 0.0
    c1 = len(data.translate(None, _C1_BYTES)) < len(data)
    return tuple(
        encoding
        for encoding in LEGACY_ENCODINGS
        if not (c1 and encoding in ISO_8859_ENCODINGS)
        and not (share <= LATIN_MAX_SHARE and encoding in CYRILLIC_ENCODINGS)
        and not (share >= CYRILLIC_MIN_SHARE and encoding not in CYRILLIC_ENCODINGS)
    )


def parse_seed(text: str) -> SeedDocument:
    """Split decoded seed text into header fields, title, lead, sources and paragraphs."""
    lines = [folded for line in text.split("\n") if (folded := fold_line(line))]
    if not lines:
        raise SeedFileError("empty")
    fields, header_end = _parse_header(lines)
    if header_end == 0:
        raise SeedFileError("no_header", f"first line is {lines[0][:60]!r}")
    if header_end == len(lines):
        raise SeedFileError("no_title")
    refs: list[SourceRef] = []
    rest: list[str] = []
    for line in lines[header_end + 1 :]:
        match = _SOURCE.match(line)
        if match:
            refs.extend(parse_source_refs(match["value"]))
        else:
            rest.append(line)
    if not rest:
        raise SeedFileError("no_body")
    lead = rest[0] if len(rest) > 1 else None
    return SeedDocument(
        date=fields.get("date"),
        byline=fields.get("byline"),
        title=lines[header_end],
        lead=lead,
        source_refs=tuple(refs),
        paragraphs=tuple(rest[1:] if lead else rest),
    )


def _parse_header(lines: list[str]) -> tuple[dict[str, str], int]:
    """Header fields and the index of the first line after the header (0 when there is none)."""
    fields: dict[str, str] = {}
    labelled = False
    end = 0
    for line in lines:
        parsed = header_fields(line)
        if parsed is None or any(name in fields for name in parsed[0]):
            break
        line_fields, has_colon_label = parsed
        fields.update((name, value) for name, value in line_fields.items() if value)
        labelled = labelled or has_colon_label
        end += 1
    return (fields, end) if labelled else ({}, 0)


def header_fields(line: str) -> tuple[dict[str, str], bool] | None:
    """Fields of one header line and whether it has a ``Label:``; None if it is not a header line.

    ``"Date: 23 November 2022 Author: X"`` gives ``({"date": ..., "byline": "X"}, True)``.
    A bare ``By X`` counts only when X looks like names: a title "By the end of ..." is no header.
    """
    if not _LABEL.match(line):
        return None
    labels = [m for m in _LABEL.finditer(line) if m["colon"] or _names_follow(line, m.end())]
    if not labels or labels[0].start() != 0:
        return None
    fields: dict[str, str] = {}
    for label, following in zip(labels, [*labels[1:], None], strict=True):
        name = _FIELD_OF_LABEL[(label["colon"] or label["bare"]).lower()]
        value = line[label.end() : following.start() if following else len(line)]
        if value := value.strip(" |·,;–—-"):  # "Author: By X": the label after gives X
            fields.setdefault(name, value)
    return fields, any(label["colon"] for label in labels)


def _names_follow(line: str, start: int) -> bool:
    """Whether the text after a bare "By" (up to the next ``Label:``) reads like person names."""
    text = _COLON_LABEL.split(line[start:], maxsplit=1)[0]
    words = text.replace(",", " ").split()
    return 0 < len(words) <= 12 and all(
        word[0].isupper() or word.lower() in _NAME_JOINERS for word in words
    )


def parse_source_refs(value: str) -> tuple[SourceRef, ...]:
    """Sources on one ``SOURCE:`` line: ``"A (a.com); B (https://b.org/x)"``, ``"Name ("``."""
    refs = []
    for piece in _SOURCE_SPLIT.split(value):
        name, paren, inner = piece.rpartition("(")
        if not paren:
            name, inner = piece, ""
        name = name.strip(" ,")
        if not name:
            continue
        if not paren:
            url = normalize_url(name)
        else:
            url_text, closed, _ = inner.partition(")")
            url = normalize_url(url_text) if closed else None
        refs.append(SourceRef(name=name, url=url))
    return tuple(refs)


def normalize_url(text: str) -> str | None:
    """``"duma.gov.ru"`` -> ``"https://duma.gov.ru"``; full URLs kept; anything else None."""
    text = text.strip()
    if _HTTP_URL.fullmatch(text):
        return text
    if text.startswith("//") and _BARE_DOMAIN.fullmatch(text[2:]):
        return "https:" + text
    if _BARE_DOMAIN.fullmatch(text):
        return "https://" + text
    return None
