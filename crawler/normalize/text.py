"""Paragraph helpers shared by parsers and pipelines."""

from __future__ import annotations


def fold_whitespace(text: str | None) -> str | None:
    """Collapse runs of whitespace (no-break spaces included) to one space; blank -> None."""
    if text is None:
        return None
    folded = " ".join(text.split())
    return folded or None


def split_paragraphs(body: str | None) -> list[str]:
    """Split a body into its paragraphs, whitespace-folded, none empty.

    Every line is a paragraph: seed exports and page extraction both write one paragraph
    per line, and footers put several markers on consecutive lines ("Related posts", "Top").
    """
    if not body:
        return []
    return [p for p in map(fold_whitespace, body.splitlines()) if p]


def join_paragraphs(paragraphs: list[str]) -> str:
    """Join paragraphs with one blank line between them."""
    return "\n\n".join(paragraphs)
