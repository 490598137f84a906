"""Page extraction: saved pages next to their expected fields, plus language detection."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from crawler.pages import ExtractedPage, detect_language, extract_article
from crawler.pages.authors import author_candidates, signature_lines
from crawler.pages.base import PageData, article_scope, load_json_tolerantly, parse_html
from crawler.pages.generic import (
    PRUNE_XPATH,
    drop_repeated_title,
    join_split_body,
    strip_site_suffix,
    take_dateline,
)
from crawler.pages.language import choose_language

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
        "<html><head><link rel='canonical' href='http://[broken/'></head><body></body></html>",
    ],
    ids=[
        "empty",
        "blank",
        "plain-text",
        "binary",
        "json",
        "unclosed",
        "broken-jsonld",
        "bad-canonical",
    ],
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


def test_odd_jsonld_values_are_ignored() -> None:
    html = (
        '<html><head><script type="application/ld+json">[1, "x", {"@type": 7, "author": [null]},'
        ' {"@type": "Article", "headline": ["a"], "author": {"@id": 5}, "inLanguage": [],'
        ' "keywords": [2024, null], "mainEntityOfPage": {"@id": ["u"]}}]</script></head></html>'
    )
    page = extract_article(html)
    assert (page.is_article, page.title, page.authors, page.tags, page.url) == (
        True,
        None,
        [],
        ["2024"],
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


SENTENCE = "The ministry confirmed that the new pipeline will reach the border before winter. "


def plain_page(words: int, body_class: str = "") -> str:
    """A page without structured data: a headline, a dated byline and ``words`` words of text."""
    text = " ".join((SENTENCE * (words // 14 + 1)).split()[:words])
    return (
        f"<html><body class='{body_class}'><h1>Pipeline reaches the border</h1>"
        "<p class='byline'>By Jan Nowak</p>"
        "<time datetime='2024-05-02'>2 May 2024</time>"
        f"<div class='text'><p>{text}</p></div></body></html>"
    )


@pytest.mark.parametrize(("words", "is_article"), [(60, False), (200, True)])
def test_plain_page_needs_enough_words_to_be_an_article(words: int, is_article: bool) -> None:
    assert extract_article(plain_page(words)).is_article is is_article


def test_page_classes_do_not_hide_the_byline_and_date() -> None:
    page = extract_article(plain_page(200, body_class="single comments-open related-enabled"))
    assert (page.authors, page.published) == (["Jan Nowak"], "2024-05-02")


@pytest.mark.parametrize(
    ("element", "pruned"),
    [
        ("<figcaption class='image-caption'>Border crossing at Terespol</figcaption>", True),
        ("<span class='content-image-copyright'>STR/Getty Images</span>", True),
        (
            "<div class='social-placeholder'><h3>External content not available</h3><p>Your "
            "privacy settings prevent the loading of external content</p></div>",
            True,
        ),
        ("<div class='vjs-modal-dialog'>This is a modal window.</div>", True),
        ("<p class='lead'>The ministry confirmed the pipeline.</p>", False),
        # a long block is no caption, whatever its class says
        (f"<div class='has-captions'><p>{SENTENCE * 8}</p></div>", False),
        # bylines are read for authors, not pruned
        ("<div class='credit'>By Jan Nowak</div>", False),
    ],
    ids=["caption", "image-copyright", "placeholder", "video-player", "text", "long", "credit"],
)
def test_captions_credits_and_placeholders_are_pruned_before_extraction(
    element: str, pruned: bool
) -> None:
    tree = parse_html(f"<html><body><article>{element}</article></body></html>")
    assert tree is not None
    selected = [node for xpath in PRUNE_XPATH for node in tree.xpath(xpath)]
    assert bool(selected) is pruned


def _chunk(n: int, paragraphs: int = 2, cls: str = "article-body") -> str:
    sentences = "".join(
        f"<p>Part {n}.{i}: the committee reviewed the terms of gas transit through the region "
        "once again today, and its members disagreed on what the operator owes.</p>"
        for i in range(paragraphs)
    )
    return f"<div class='{cls}'>{sentences}</div>"


AD = "<div class='ad-slot'>Advertisement</div>"


@pytest.mark.parametrize(
    ("article", "joined"),
    [
        (_chunk(1) + AD + _chunk(2) + AD + _chunk(3), True),
        # nested chunks: the outermost containers are joined
        (
            f"<section class='story'>{_chunk(1)}</section>{AD}<section class='story'>"
            f"{_chunk(2)}</section>",
            True,
        ),
        # teasers repeat a class too, with one short paragraph each
        ("".join(f"<div class='card-text'><p>Teaser {n}</p></div>" for n in range(4)), False),
        # a part without paragraphs of real text: not a split text
        (_chunk(1) + AD + _chunk(2, paragraphs=1), False),
        # classes that say nothing of text are left alone
        (_chunk(1, cls="grid-cell") + AD + _chunk(2, cls="grid-cell"), False),
    ],
    ids=["chunks", "nested", "teasers", "short-part", "other-class"],
)
def test_join_split_body(article: str, joined: bool) -> None:
    tree = parse_html(f"<html><body><article><h1>Gas</h1>{article}</article></body></html>")
    assert tree is not None
    texts = sorted(tree.itertext())
    join_split_body(tree)
    first = tree.xpath(
        "//article/*[contains(@class, 'article-body') or @class='story'"
        " or @class='card-text' or @class='grid-cell'][1]"
    )[0]
    parts = [p.text_content()[:8] for p in first.iter("p")]
    assert (sorted(tree.itertext()) == texts, len(parts) > 2) == (True, joined)
    assert parts == sorted(parts)  # in the page's order


def test_text_split_into_chunks_is_read_whole() -> None:
    html = (
        "<html><head><title>Gas transit</title></head><body><article><h1>Gas transit</h1>"
        f"{_chunk(1, 6)}{AD}{_chunk(2, 3)}{AD}{_chunk(3, 3)}</article></body></html>"
    )
    body = extract_article(html).body or ""
    assert [f"Part {n}.2" in body for n in (1, 2, 3)] == [True, True, True]


ORGANISATION_AUTHOR = (
    '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Pipeline", '
    '"author": {"@type": "Organization", "name": "Baltic Monitor Research Council"}}</script>'
)


PERSON_AUTHOR = ORGANISATION_AUTHOR.replace(
    '{"@type": "Organization", "name": "Baltic Monitor Research Council"}',
    '{"@type": "Person", "name": "Liisa Tamm"}',
)


@pytest.mark.parametrize(
    ("head", "byline", "authors"),
    [
        (ORGANISATION_AUTHOR, "<p class='byline'>By Liisa Tamm</p>", (["Liisa Tamm"], "html")),
        (ORGANISATION_AUTHOR, "", (["Baltic Monitor Research Council"], "jsonld")),
        (
            ORGANISATION_AUTHOR.replace(
                "Baltic Monitor Research Council", "Friends of the Archive"
            ),
            "",
            (["Friends of the Archive"], "jsonld"),
        ),
        (
            ORGANISATION_AUTHOR.replace("Baltic Monitor Research Council", "Staff and agencies"),
            "",
            ([], None),
        ),
        (
            '<meta name="author" content="By Baltic Monitor">'
            '<meta property="og:site_name" content="Baltic Monitor">',
            "",
            (["Baltic Monitor"], "meta"),
        ),
        (
            '<meta name="author" content="desk@monitor.example">'
            '<meta property="article:author" content="https://facebook.com/monitor">',
            "<a rel='author' href='/a/anna'>Anna Kowalska</a>",
            (["Anna Kowalska"], "html"),
        ),
        (
            '<meta name="author" content="Baltic Monitor">'
            '<meta property="og:site_name" content="The Baltic Monitor">',
            "<p class='byline'>By Liisa Tamm, Baltic Monitor</p>",
            (["Liisa Tamm"], "html"),
        ),
        (
            '<meta name="author" content="baltic-monitor.example">',
            "<p class='byline'>By Liisa Tamm</p>",
            (["Liisa Tamm"], "html"),
        ),
        (
            '<meta name="citation_author" content="Tamm, Liisa">'
            '<meta name="citation_author" content="Kowalska, Anna">',
            "",
            (["Liisa Tamm", "Anna Kowalska"], "meta"),
        ),
        (
            "",
            "<div class='byline'>\n<span>Liisa Tamm</span>\n"
            "<span>Anna Maria Kowalska</span>\n</div>",
            (["Liisa Tamm", "Anna Maria Kowalska"], "html"),
        ),
        (
            "",
            "<p itemprop='author creator'>By <span>Liisa Tamm</span></p>",
            (["Liisa Tamm"], "html"),
        ),
        ('<meta property="dc:creator" content="Tamm, Liisa">', "", (["Liisa Tamm"], "meta")),
        (
            '<meta name="author" content="Baltic Monitor">'
            '<meta property="og:site_name" content="Baltic Monitor">'
            '<meta property="dc:creator" content="Liisa Tamm">',
            "",
            (["Liisa Tamm"], "meta"),
        ),
        (
            '<meta name="author" content="Baltic Monitor">'
            '<meta property="og:site_name" content="Baltic Monitor">',
            "<p><strong>Liisa Tamm</strong></p>",
            (["Liisa Tamm"], "html"),
        ),
        (
            PERSON_AUTHOR,
            "<p>By <a rel='author' href='/a/anna'>Anna Kowalska</a> and "
            "<a rel='author' href='/a/liisa'>Liisa Tamm</a></p>",
            (["Anna Kowalska", "Liisa Tamm"], "html"),
        ),
        (
            PERSON_AUTHOR,
            "<p>By <a rel='author' href='/a/anna'>Anna Kowalska</a></p>",
            (["Liisa Tamm"], "jsonld"),
        ),
    ],
    ids=[
        "person-byline-beats-organisation",
        "organisation-as-last-resort",
        "organisation-named-with-role-words",
        "desk-organisation-left-out",
        "publication-as-last-resort-cleaned",
        "addresses-skipped",
        "publisher-as-author-skipped",
        "domain-as-author-skipped",
        "citation-author-surname-first",
        "names-on-separate-lines",
        "itemprop-among-others",
        "dublin-core-property",
        "meta-naming-nobody-hides-no-other",
        "signature-when-the-byline-is-the-site",
        "author-links-naming-more",
        "author-links-naming-others",
    ],
)
def test_author_sources(head: str, byline: str, authors: tuple[list[str], str]) -> None:
    html = plain_page(200).replace("<html>", f"<html><head>{head}</head>")
    page = extract_article(html.replace("<p class='byline'>By Jan Nowak</p>", byline))
    assert (page.authors, page.extraction.get("authors")) == authors


def headed_page(header: str, headline_in_article: bool = False) -> str:
    """A page whose ``<article>`` holds the text, with ``header`` between the headline and it."""
    text = f"<p>{SENTENCE * 12}</p>"
    h1 = "<h1>Pipeline reaches the border</h1>"
    article = (
        f"<article>{h1}{text}</article>" if headline_in_article else f"<article>{text}</article>"
    )
    return (
        f"<html><body><div>{'' if headline_in_article else h1}{header}</div>{article}</body></html>"
    )


@pytest.mark.parametrize(
    ("html", "authors"),
    [
        (headed_page("<span class='byline'>By Liisa Tamm</span>"), ["By Liisa Tamm"]),
        (headed_page("<a rel='author' href='/a/liisa-tamm'>Liisa Tamm</a>"), ["Liisa Tamm"]),
        # a teaser's byline in an aside of the header is not the article's
        (headed_page("<aside><p class='byline'>By Anna Kowalska</p></aside>"), []),
        # when the article holds its headline, what stands above it is not its header
        (headed_page("<span class='byline'>By Liisa Tamm</span>", headline_in_article=True), []),
    ],
    ids=["byline", "rel-author", "aside", "headline-in-article"],
)
def test_byline_between_the_headline_and_the_article(html: str, authors: list[str]) -> None:
    tree = parse_html(html)
    assert tree is not None
    found = author_candidates(PageData.read(tree, None))
    assert [name for names, source in found if source == "html" for name in names] == authors


TEXT = SENTENCE * 2


@pytest.mark.parametrize(
    ("paragraphs", "signatures"),
    [
        (["<strong>Liisa Tamm</strong>", TEXT, TEXT], ["Liisa Tamm"]),
        (
            ["<em>Pipes and borders.</em>", "<b>Liisa Tamm / Anna Kowalska</b>", TEXT],
            ["Liisa Tamm / Anna Kowalska"],
        ),
        ([TEXT, TEXT, "<strong>Liisa Tamm</strong>"], ["Liisa Tamm"]),
        # a bold line within the text is a subhead, a bold word above it a kicker
        ([TEXT, "<strong>Border Crossings</strong>", TEXT], []),
        (["<strong>Exclusive</strong>", TEXT], []),
        # a line only partly bold is text
        (["<strong>Liisa Tamm</strong> reports", TEXT], []),
    ],
    ids=["above-the-text", "after-a-standfirst", "ending-the-text", "subhead", "kicker", "partly"],
)
def test_signature_lines(paragraphs: list[str], signatures: list[str]) -> None:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    tree = parse_html(f"<html><body><article><h1>Pipeline</h1>{body}</article></body></html>")
    assert tree is not None
    assert signature_lines(PageData.read(tree, None)) == signatures


@pytest.mark.parametrize(
    ("headlines", "kept"),
    [
        (["Pipeline reaches the border"], ["First paragraph."]),
        # the page's heading words it otherwise than the structured data's title
        (["Pipeline: the border is reached", "Pipeline Reaches the Border"], ["First paragraph."]),
        ([None, "Another story"], ["Pipeline Reaches the Border", "First paragraph."]),
    ],
    ids=["title", "page-heading", "neither"],
)
def test_repeated_headline_is_dropped_from_the_body(
    headlines: list[str | None], kept: list[str]
) -> None:
    lines = ["Pipeline Reaches the Border", "First paragraph."]
    drop_repeated_title(lines, headlines)
    assert lines == kept


def test_listing_without_structured_data_has_no_byline_or_date() -> None:
    html = (FIXTURES / "listing_home.html").read_text(encoding="utf-8")
    html = re.sub(r"<script type=\"application/ld\+json\">.*?</script>", "", html)
    page = extract_article(html)
    assert (page.is_article, page.authors, page.published) == (False, [], None)


def teasers(count: int, extra: str = "") -> str:
    teaser = "<article><h2>Headline</h2><p>A short teaser of about ten words here.</p></article>"
    return f"<html><body><main>{teaser * count}{extra}</main></body></html>"


@pytest.mark.parametrize(
    ("html", "scope"),
    [
        (teasers(4), None),
        (teasers(4, "<article class='story'><p>" + SENTENCE * 20 + "</p></article>"), "story"),
        (teasers(2), "article"),
        ("<html><body><main><p>Text.</p></main></body></html>", "main"),
    ],
    ids=["listing", "dominant-article", "few-articles", "main"],
)
def test_article_scope(html: str, scope: str | None) -> None:
    tree = parse_html(html)
    assert tree is not None
    found = article_scope(tree)
    assert (found.get("class") or found.tag if found is not None else None) == scope


LONG_POLISH = (
    "Rząd zapowiedział nowe sankcje wobec firm żeglugowych, które omijają embargo na rosyjską "
    "ropę, a ministerstwo spraw zagranicznych wezwało ambasadora na rozmowę. "
) * 8


@pytest.mark.parametrize(
    ("declared", "body", "result"),
    [
        (("en", "html"), LONG_POLISH, ("pl", "detected")),
        (("en", "html"), LONG_POLISH[:300], ("en", "html")),
        (("pl", "meta"), LONG_POLISH, ("pl", "meta")),
        (None, LONG_POLISH[:300], ("pl", "detected")),
        (None, None, (None, "detected")),
    ],
    ids=["template-default-overridden", "short-body-trusts-page", "agree", "undeclared", "nothing"],
)
def test_choose_language(declared: Any, body: str | None, result: Any) -> None:
    assert choose_language(declared, body) == result


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


STANDFIRST = "Ageing tankers under flags of convenience carry most of the crude."


@pytest.mark.parametrize(
    ("standfirst", "lead"),
    [
        (f"<p class='standfirst'>{STANDFIRST}</p>", STANDFIRST),
        ("", None),
        (f"<figure><img src='/t.jpg'><figcaption>{STANDFIRST}</figcaption></figure>", None),
        (f"<div class='image-caption-wrapper'><span>{STANDFIRST}</span></div>", None),
    ],
    ids=["shown-on-the-page", "metadata-only", "a-figure-caption", "a-caption-by-class"],
)
def test_lead_is_a_description_shown_on_the_page(standfirst: str, lead: str | None) -> None:
    head = f'<meta property="og:description" content="{STANDFIRST}">'
    html = plain_page(200).replace("<html>", f"<html><head>{head}</head>")
    html = html.replace("<h1>Pipeline reaches the border</h1>", f"<h1>Pipeline</h1>{standfirst}")
    assert extract_article(html).lead == lead


@pytest.mark.parametrize("date_props", ["datePublished", "dateCreated datePublished"])
def test_microdata_gives_the_date_and_headline(date_props: str) -> None:
    html = plain_page(200).replace(
        "<h1>Pipeline reaches the border</h1>",
        "<div itemscope itemtype='https://schema.org/Article'>"
        "<span itemprop='headline'>Pipeline reaches the border</span>"
        f"<meta itemprop='{date_props}' content='2024-05-01T08:00:00+02:00'></div>",
    )
    page = extract_article(html)
    assert (page.title, page.published) == (
        "Pipeline reaches the border",
        "2024-05-01T08:00:00+02:00",
    )
    assert page.extraction["published"] == "microdata"


@pytest.mark.parametrize("name", PAGES)
def test_reading_for_articles_only_decides_alike(name: str) -> None:
    html = (FIXTURES / f"{name}.html").read_text(encoding="utf-8")
    page = extract_article(html, url=expected(name).get("fetched_url"), articles_only=True)
    full = extracted(name)
    assert page == full if full.is_article else page.is_article is False


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        (plain_page(200).replace("<time datetime='2024-05-02'>2 May 2024</time>", ""), "heuristic"),
        (teasers(4), "html"),
    ],
    ids=["undated", "listing"],
)
def test_reading_for_articles_only_stops_at_what_cannot_be_one(html: str, reason: str) -> None:
    assert extract_article(html, articles_only=True) == ExtractedPage(
        extraction={"is_article": reason}
    )
    assert extract_article(html).is_article is False
