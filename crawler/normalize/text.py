"""Paragraph helpers shared by parsers and pipelines."""

from __future__ import annotations


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
