"""Paragraph helpers shared by parsers and pipelines."""

from __future__ import annotations

import unicodedata


def fold_line(line: str) -> str:
    """Collapse runs of whitespace (no-break spaces, tabs, BOMs too) to one space and strip."""
    line = line.strip()
    if "  " not in line and line.isprintable():  # fast path: no whitespace but single spaces
        return line
    return " ".join(line.replace("\ufeff", " ").split())


def fold_whitespace(text: str | None) -> str | None:
    """Like ``fold_line``, for optional values: None and blank text give None."""
    return (fold_line(text) or None) if text is not None else None


def split_paragraphs(body: str | None) -> list[str]:
    """Split a body into its paragraphs, whitespace-folded, none empty.

    Every line is a paragraph: seed exports and page extraction both write one paragraph
    per line, and footers put several markers on consecutive lines ("Related posts", "Top").
    """
    if not body:
        return []
    return [p for p in map(fold_line, body.splitlines()) if p]


def join_paragraphs(paragraphs: list[str]) -> str:
    """Join paragraphs with one blank line between them."""
    return "\n\n".join(paragraphs)


_WORD_BYTES = bytes(
    byte if byte >= 0x80 or chr(byte).isalnum() or byte == ord("_") else ord(" ")
    for byte in range(256)
)
"""Translation table: an ASCII byte that is not a word character becomes a space; the UTF-8
bytes of other characters stay (only word characters are left among those, see ``words``)."""

_ASCII_BYTES = bytes(range(0x80))


def words(text: str) -> list[bytes]:
    """Return the text's words (the runs of word characters, as regex ``\\w+`` finds them),
    NFKC-normalized and case-folded, in UTF-8.

    Bytes, translated and split in C: several times faster than a regular expression, and
    hashing needs bytes anyway.
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        text = _blank_non_ascii_separators(text)
    return text.encode().translate(_WORD_BYTES).split()


def _blank_non_ascii_separators(text: str) -> str:
    """Replace every non-ASCII character that is not a word character (curly quotes, dashes,
    no-break spaces, lone surrogates) with a space."""
    others = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES)
    for char in set(others.decode("utf-8", "surrogatepass")):
        if not char.isalnum():  # \w: alphanumeric or "_", which is ASCII
            text = text.replace(char, " ")
    return text


def word_key(text: str) -> str:
    """The text's words (see ``words``), space-joined: a key that ignores case, punctuation
    and spacing."""
    return b" ".join(words(text)).decode()
