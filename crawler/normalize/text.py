"""Paragraph helpers shared by parsers and pipelines."""

from __future__ import annotations

import re

_BLANK_LINES = re.compile(r"\n[ \t\u00a0]*\n+")


def fold_whitespace(text: str | None) -> str | None:
    """Collapse runs of whitespace (no-break spaces included) to one space; blank -> None."""
    if text is None:
        return None
    folded = " ".join(text.split())
    return folded or None


def split_paragraphs(body: str | None) -> list[str]:
    """Split a body into its paragraphs (blank-line separated), whitespace-folded, none empty."""
    if not body:
        return []
    return [p for p in (fold_whitespace(b) for b in _BLANK_LINES.split(body)) if p]


def join_paragraphs(paragraphs: list[str]) -> str:
    """Join paragraphs with one blank line between them."""
    return "\n\n".join(paragraphs)
