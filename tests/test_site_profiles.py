"""Site and platform profiles: declarative selectors read before generic extraction."""

from __future__ import annotations

import lxml.html

from crawler.pages import extract_article
from crawler.pages.sites import body_lines, match_profile

POST = """<html><body><article class="post type-post">
<header class="entry-header"><h1 class="entry-title">Minsk Moves Troops</h1>
<div class="entry-meta"><time datetime="2024-03-02T09:30:00+01:00">2 March</time>
<span class="byline">By Ewa Król</span></div></header>
<div class="entry-content"><p>First paragraph of the analysis.</p>
<h2>A heading inside</h2><blockquote><p>A quoted sentence.</p></blockquote>
<ul><li>First point.</li><li>Second point.</li></ul>
<div class="sharedaddy"><p>Share this: Twitter</p></div>
<div class="jp-relatedposts"><p>Related: another post</p></div><p>Last paragraph.</p></div>
<footer class="entry-footer"><span class="tags-links"><a rel="tag" href="/t/a/">Belarus</a></span>
</footer></article><aside><p>Popular posts</p></aside></body></html>"""


def test_body_lines_keep_blocks_in_order_once_and_drop_boxes():
    tree = lxml.html.fromstring(POST)
    [content] = tree.xpath("//div[@class='entry-content']")
    lines = body_lines(content, ".//*[contains(@class,'sharedaddy') or contains(@class,'related')]")
    assert lines == [
        "First paragraph of the analysis.",
        "A heading inside",
        "A quoted sentence.",
        "First point.",
        "Second point.",
        "Last paragraph.",
    ]


def test_wordpress_profile_reads_a_post_without_generic_extraction():
    page = extract_article(POST, "https://think.example/2024/03/02/minsk/")
    assert page.title == "Minsk Moves Troops"
    assert page.authors == ["Ewa Król"]
    assert page.published == "2024-03-02T09:30:00+01:00"
    assert page.tags == ["Belarus"]
    assert page.body.split("\n\n")[0] == "First paragraph of the analysis."
    assert "Share this" not in page.body and "Popular posts" not in page.body
    assert page.extraction["body"] == "profile:wordpress"


def test_profiles_match_by_markup_and_domain():
    tree = lxml.html.fromstring(POST)
    assert match_profile(tree, "https://any.example/").name == "wordpress"
    plain = lxml.html.fromstring("<html><body><article><h1>T</h1><p>x</p></article></body></html>")
    assert match_profile(plain, "https://any.example/") is None
    # a site's own profile comes before the platform's, on its domain only
    assert match_profile(tree, "https://www.warsawinstitute.org/a/").name == "warsawinstitute"
    assert match_profile(tree, "https://notwarsawinstitute.org/a/").name == "wordpress"


def test_warsawinstitute_post_reads_like_its_seed_export():
    """The site's post, through the profile and the footer step every item goes through,
    gives what the seed export of the same article gives: dateline fields, tags, publisher."""
    from pathlib import Path

    from crawler.normalize.boilerplate import split_footer
    from crawler.normalize.text import split_paragraphs

    fixture = Path(__file__).parent / "fixtures" / "pages" / "warsawinstitute_post.html"
    url = "https://warsawinstitute.org/russia-iran-pledge-closer-military-ties/"
    page = extract_article(fixture.read_text(encoding="utf-8"), url)
    body, footer = split_footer(split_paragraphs(page.body))
    assert page.extraction["body"] == "profile:warsawinstitute"
    assert (page.authors, page.published) == (["Grzegorz Kuczyński"], "23 November 2022")
    assert body[-1].endswith("agreed to meet again in Moscow early next year.")
    assert footer.publisher == "Warsaw Institute Foundation"
