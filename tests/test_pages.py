"""Page extraction: saved pages next to their expected fields, plus language detection."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from crawler.pages import ExtractedPage, detect_language, extract_article
from crawler.pages.base import load_json_tolerantly
from crawler.pages.generic import strip_site_suffix, take_dateline

FIXTURES = Path(__file__).parent / "fixtures" / "pages"
PAGES = sorted(path.stem for path in FIXTURES.glob("*.html"))
FIELDS = (
    "url",
    "title",
    "lead",
    "authors",
    "published",
    "modified",
    "publisher",
    "tags",
    "language",
    "is_article",
    "extraction",
)
EMPTY: dict[str, Any] = {"authors": [], "tags": [], "is_article": False, "extraction": {}}
"""Expected JSON leaves out empty values; these are the empty values of the non-optional fields."""


@cache
def expected(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


@cache
def extracted(name: str) -> ExtractedPage:
    html = (FIXTURES / f"{name}.html").read_text(encoding="utf-8")
    return extract_article(html, url=expected(name).get("fetched_url"))


def test_every_page_has_expected_fields() -> None:
    assert PAGES, "no fixture pages found"
    assert [name for name in PAGES if not (FIXTURES / f"{name}.json").exists()] == []


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("name", PAGES)
def test_field(name: str, field: str) -> None:
    assert getattr(extracted(name), field) == expected(name).get(field, EMPTY.get(field))


@pytest.mark.parametrize("name", PAGES)
def test_body_keeps_article_text(name: str) -> None:
    wanted = expected(name).get("body_contains", [])
    body = extracted(name).body
    kept = [text for text in wanted if text in (body or "")]
    assert (body is not None, kept) == (bool(wanted), wanted)


@pytest.mark.parametrize("name", PAGES)
def test_body_drops_boilerplate(name: str) -> None:
    body = extracted(name).body or ""
    assert [text for text in expected(name).get("body_not_contains", []) if text in body] == []


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   \n ",
        "just a line of plain text, no markup at all",
        "\x00\x01\x02 binary junk",
        '{"json": "not html"}',
        "<html><body><div><p><span><table><tr>",
        "<html><head><script type='application/ld+json'>{{{</script></head><body></body></html>",
    ],
    ids=["empty", "blank", "plain-text", "binary", "json", "unclosed", "broken-jsonld"],
)
def test_junk_input_gives_an_empty_page(html: str) -> None:
    page = extract_article(html, url="https://example.org/x")
    assert (page.is_article, page.title, page.body, page.authors, page.published) == (
        False,
        None,
        None,
        [],
        None,
    )


def test_huge_inline_script_does_not_hide_the_article() -> None:
    html = (FIXTURES / "wordpress_graph.html").read_text(encoding="utf-8")
    script = "<script>var blob = '" + "x" * 3_000_000 + "';</script>"
    page = extract_article(html.replace("</head>", script + "</head>"))
    assert page.body == extracted("wordpress_graph").body


def test_structured_date_wins_over_the_dateline_which_is_still_dropped() -> None:
    html = (FIXTURES / "warsaw_dateline.html").read_text(encoding="utf-8")
    meta = '<meta property="article:published_time" content="2023-03-15T10:00:00+01:00">'
    page = extract_article(html.replace("</head>", meta + "</head>"))
    assert (page.published, page.authors, "Date:" in (page.body or "")) == (
        "2023-03-15T10:00:00+01:00",
        ["Jan Kowalski"],
        False,
    )


@pytest.mark.parametrize(
    ("lines", "values", "rest"),
    [
        (["Date: 1 May 2023 Author: Jan Nowak", "Text."], ("1 May 2023", "Jan Nowak"), ["Text."]),
        (
            ["Date: 1 May 2023", "Author: Jan Nowak", "Text."],
            ("1 May 2023", "Jan Nowak"),
            ["Text."],
        ),
        (["Title", "Date: 1 May 2023", "Text."], ("1 May 2023", None), ["Title", "Text."]),
        (
            ["A.", "B.", "C.", "Date: 1 May 2023"],
            (None, None),
            ["A.", "B.", "C.", "Date: 1 May 2023"],
        ),
        (["Update: Date: unknown"], (None, None), ["Update: Date: unknown"]),
    ],
    ids=["one-line", "two-lines", "after-title", "too-deep", "not-at-start"],
)
def test_take_dateline(
    lines: list[str], values: tuple[str | None, str | None], rest: list[str]
) -> None:
    assert (take_dateline(lines), lines) == (values, rest)


@pytest.mark.parametrize(
    ("title", "publisher", "strict", "result"),
    [
        ("Russia and Iran | Warsaw Institute", "Warsaw Institute", True, "Russia and Iran"),
        ("Russia and Iran – Warsaw Institute", "Warsaw Institute", True, "Russia and Iran"),
        ("Russia and Iran - The Site", None, True, "Russia and Iran - The Site"),
        ("Russia and Iran - The Site", None, False, "Russia and Iran"),
        (
            "Poland - Ukraine: a difficult partnership after the grain dispute",
            None,
            False,
            "Poland - Ukraine: a difficult partnership after the grain dispute",
        ),
        ("No suffix at all", "Site", False, "No suffix at all"),
    ],
)
def test_strip_site_suffix(title: str, publisher: str | None, strict: bool, result: str) -> None:
    assert strip_site_suffix(title, publisher, strict) == result


@pytest.mark.parametrize(
    ("text", "result"),
    [
        ('{"a": 1}', {"a": 1}),
        ('<!-- {"a": 1} -->', {"a": 1}),
        ('{"a": [1, 2,], }', {"a": [1, 2]}),
        ('{"a": "line\nbreak"}', {"a": "line\nbreak"}),
        ('{"a": 1}{"b": 2}', {"a": 1}),
        ('{"a": ', None),
    ],
    ids=["plain", "comment", "trailing-commas", "raw-newline", "two-objects", "truncated"],
)
def test_load_json_tolerantly(text: str, result: Any) -> None:
    assert load_json_tolerantly(text) == result


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The government announced new sanctions against the shipping companies on Tuesday.", "en"),
        ("Rząd zapowiedział nowe sankcje wobec firm żeglugowych, które omijają embargo.", "pl"),
        ("Правительство объявило о новых санкциях против судоходных компаний во вторник.", "ru"),
        ("Die Regierung kündigte am Dienstag neue Sanktionen gegen die Reedereien an.", "de"),
    ],
    ids=["en", "pl", "ru", "de"],
)
def test_detect_language(text: str, code: str) -> None:
    assert detect_language(text) == code


@pytest.mark.parametrize("text", [None, "", "   ", "Kyiv, 2024", "12.03.2024 15:00 — 1 234 567"])
def test_detect_language_needs_enough_letters(text: str | None) -> None:
    assert detect_language(text) is None
