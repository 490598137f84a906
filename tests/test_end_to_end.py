"""End to end, as a user runs it: ``scrapy crawl seeds`` then ``scrapy export``, as subprocesses,
on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli import ROOT, export
from tests.cli import scrapy as run
from tests.conftest import DATABASES, make_text, sql

FOOTER = (
    "Support Us\n\nIf content prepared by Warsaw Institute team is useful for you, please "
    "support our actions. Donations from private persons are necessary for the continuation "
    "of our mission.\n\nSupport\n\nAll texts published by the Warsaw Institute Foundation may "
    "be disseminated on the condition that their origin is credited. Images may not be used "
    "without permission.\n\nTAGS: Russia, Poland\n\n\u00a0\n\nRelated posts\nTop\n"
)

POLISH = (
    "Rząd w Warszawie ogłosił nowy pakiet sankcji wobec rosyjskich spółek energetycznych. "
    "Źródła zbliżone do ministerstwa twierdzą, że decyzja zapadła po długich konsultacjach "
    "z partnerami z Unii Europejskiej. Żaden z urzędników nie chciał komentować szczegółów."
)
RUSSIAN = (
    "Правительство объявило о новых мерах поддержки экономики в условиях санкций. "
    "Эксперты считают, что дефицит бюджета вырастет, а инфляция останется высокой. "
    "Щедрые обещания властей вызывают сомнения у независимых аналитиков."
)

PAGE = """<!doctype html><html lang="en"><head>
<title>Belarus Moves Troops to the Border | Example Institute</title>
<link rel="canonical" href="https://analysis.example.org/belarus-troops?utm_source=x">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Belarus Moves Troops to the Border", "datePublished": "2023-03-02T09:30:00+01:00",
 "author": [{"@type": "Person", "name": "Ewa Król"}],
 "publisher": {"@type": "Organization", "name": "Example Institute"}}</script>
</head><body><nav><a href="/">Home</a> <a href="/about">About</a></nav>
<article><h1>Belarus Moves Troops to the Border</h1>
%s
</article><footer>Copyright Example Institute. All rights reserved.</footer></body></html>
"""


def seed(date: str, byline: str, title: str, body: str, footer: str = FOOTER) -> str:
    paragraphs = body.split("\n\n")
    lead, rest = paragraphs[0], "\n\n".join(paragraphs[1:])
    return f"Date: {date} Author: {byline}\n\n{title}\n\n{lead}\n\n{rest}\n\n{footer}"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A seed folder holding every variant the importer must handle."""
    root = tmp_path_factory.mktemp("seeds")
    (root / "wi").mkdir()
    (root / "copies").mkdir()
    (root / "broken").mkdir()
    (root / "pages").mkdir()
    shutil.copy(ROOT / "seeds" / "000_4c2cf501f094f8ca.txt", root / "wi" / "000.txt")
    shutil.copy(ROOT / "seeds" / "000_4c2cf501f094f8ca.txt", root / "copies" / "000-copy.txt")
    crlf = seed("November 23, 2022", "By Adam Malinowski and Ewa Król", "CRLF Export", make_text(1))
    (root / "wi" / "crlf.txt").write_bytes(
        b"\xef\xbb\xbf" + crlf.replace("\n", "\r\n").encode("utf-8")
    )
    polish = seed(
        "23 listopada 2022", "ŁUKASZ WRÓBLEWSKI", "Sankcje wobec spółek", f"{POLISH}\n\n{POLISH}"
    )
    (root / "wi" / "polish.txt").write_bytes(polish.encode("cp1250"))
    russian = seed("23 ноября 2022", "Иван Петров", "Меры поддержки", f"{RUSSIAN}\n\n{RUSSIAN}")
    (root / "wi" / "russian.txt").write_bytes(russian.encode("cp1251"))
    (root / "wi" / "roles.txt").write_text(
        seed(
            "23.11.2022",
            "By Prof. Adam Malinowski, Head of Programme",
            "Roles Are Not Names",
            make_text(2),
        )
    )
    (root / "wi" / "future.txt").write_text(
        seed("23 November 2099", "Adam Malinowski", "A Date From The Future", make_text(3))
    )
    (root / "wi" / "no-footer.txt").write_text(
        seed("2022-11-24", "Adam Malinowski", "No Footer Here", make_text(4), footer="")
    )
    body = "\n".join(f"<p>{p}</p>" for p in make_text(5, paragraphs=5).split("\n\n"))
    (root / "pages" / "belarus.html").write_text(PAGE % body)
    (root / "broken" / "empty.txt").write_bytes(b"")
    (root / "broken" / "blank.txt").write_text(" \n\n \t\n")
    (root / "broken" / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (root / "broken" / "no-header.txt").write_text("Just some text\n\nwithout any header at all.\n")
    return root


@pytest.fixture(scope="module", params=DATABASES)
def imported(request, folder, databases) -> tuple[str, subprocess.CompletedProcess[str]]:
    url = databases.url(request.param)
    return url, run("crawl", "seeds", "-a", f"path={folder}", "-s", f"DATABASE_URL={url}")


@pytest.fixture(scope="module")
def articles(imported) -> dict[str, dict]:
    url, result = imported
    assert result.returncode == 0, result.stderr[-3000:]
    return {a["title"]: a for a in export(url)}


def test_every_article_is_stored_once(articles):
    assert sorted(articles) == sorted(
        [
            "Russia, Iran Pledge Closer Military Ties",
            "CRLF Export",
            "Sankcje wobec spółek",
            "Меры поддержки",
            "Roles Are Not Names",
            "A Date From The Future",
            "No Footer Here",
            "Belarus Moves Troops to the Border",
        ]
    )


def test_seed_fields_are_cleaned(articles):
    a = articles["Russia, Iran Pledge Closer Military Ties"]
    assert a["authors"] == ["Grzegorz Kuczyński"]
    assert a["published"] == "2022-11-23"
    assert a["publisher"] == "Warsaw Institute Foundation"
    assert a["language"] == "en"
    assert a["lead"].startswith("Iran has not shifted its policy")
    assert a["source_refs"] == [{"name": "Совет Безопасности Российской Федерации", "url": None}]
    assert a["url"] is None
    for leaked in ("Support Us", "Donations from private", "may be disseminated", "Related posts"):
        assert leaked not in a["body"]
    assert a["body"].endswith("notably in the United States.")


def test_duplicate_files_are_one_article_with_two_origins(articles, folder):
    origins = articles["Russia, Iran Pledge Closer Military Ties"]["origins"]
    assert sorted(origins) == sorted(
        [(folder / "wi" / "000.txt").as_uri(), (folder / "copies" / "000-copy.txt").as_uri()]
    )


def test_encodings_dates_and_bylines_are_normalized(articles):
    crlf = articles["CRLF Export"]
    assert crlf["authors"] == ["Adam Malinowski", "Ewa Król"]
    assert crlf["published"] == "2022-11-23"
    assert crlf["tags"] == ["Russia", "Poland"]
    assert "\r" not in crlf["body"]
    polish = articles["Sankcje wobec spółek"]
    assert polish["authors"] == ["Łukasz Wróblewski"]
    assert polish["published"] == "2022-11-23"
    assert polish["lead"] == POLISH
    assert polish["body"] == POLISH
    assert polish["language"] == "pl"
    russian = articles["Меры поддержки"]
    assert russian["authors"] == ["Иван Петров"]
    assert russian["published"] == "2022-11-23"
    assert russian["language"] == "ru"
    assert articles["Roles Are Not Names"]["authors"] == ["Adam Malinowski"]
    assert articles["A Date From The Future"]["published"] is None
    assert articles["No Footer Here"]["body"].endswith(make_text(4).split("\n\n")[-1])


def test_saved_page_goes_through_page_extraction(articles, folder):
    page = articles["Belarus Moves Troops to the Border"]
    assert page["url"] == "https://analysis.example.org/belarus-troops"
    assert page["authors"] == ["Ewa Król"]
    assert page["published"] == "2023-03-02T09:30:00+01:00"
    assert page["publisher"] == "Example Institute"
    assert page["origins"] == [(folder / "pages" / "belarus.html").as_uri()]
    assert make_text(5).split("\n\n")[2] in page["body"]
    assert "All rights reserved" not in page["body"]


def test_broken_files_are_logged_counted_and_skipped(imported, folder):
    url, result = imported
    log = result.stderr
    for name, reason in [
        ("empty.txt", "empty"),
        ("blank.txt", "empty"),
        ("binary.txt", "binary"),
        ("no-header.txt", "header"),
    ]:
        lines = [line for line in log.splitlines() if (folder / "broken" / name).as_uri() in line]
        assert len(lines) == 1, lines
        assert reason in lines[0]
    assert "Traceback" not in log
    summary = [line for line in log.splitlines() if "Run 1 (seeds) finished" in line]
    assert len(summary) == 1
    assert "new 8, updated 0, merged 1" in summary[0]
    assert "rejected 4 (binary: 1, empty: 2, no_header: 1)" in summary[0]
    assert sql(url, "select status, new, merged, rejected from runs") == [("finished", 8, 1, 4)]


def test_second_import_changes_nothing(imported, articles, folder):
    url, _ = imported
    again = run("crawl", "seeds", "-a", f"path={folder}", "-s", f"DATABASE_URL={url}")
    assert again.returncode == 0
    assert "new 0, updated 0, merged 0, unchanged 9" in again.stderr
    after = {a["title"]: a for a in export(url)}
    for title, before in articles.items():
        assert {**after[title], "last_seen": None} == {**before, "last_seen": None}


def test_export_filters(imported, articles):
    url, _ = imported
    since = export(url, "--since", "2023-01-01")
    assert [a["title"] for a in since] == ["Belarus Moves Troops to the Border"]
    by_author = export(url, "--author", "ewa król")
    assert {a["title"] for a in by_author} == {"CRLF Export", "Belarus Moves Troops to the Border"}
    by_publisher = export(url, "--publisher", "Example Institute", "--until", "2023-12-31")
    assert [a["title"] for a in by_publisher] == ["Belarus Moves Troops to the Border"]
    ordered = [a["published"] for a in export(url)]
    dated = [p for p in ordered if p]
    assert dated == sorted(dated)
    assert ordered[-1] is None


def test_export_to_a_file(imported, tmp_path):
    url, _ = imported
    target = tmp_path / "out" / "articles.jsonl"
    result = run("export", "-o", str(target), "-s", f"DATABASE_URL={url}")
    assert result.returncode == 0
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 8
    assert set(json.loads(lines[0])) == {
        "id", "url", "title", "lead", "body", "authors", "published", "publisher",
        "source_refs", "tags", "language", "origins", "first_seen", "last_seen",
    }  # fmt: skip


def test_scrapy_feeds_keep_working(folder, tmp_path, db_url):
    feed = tmp_path / "run.jsonl"
    url = db_url
    result = run(
        "crawl",
        "seeds",
        "-a",
        f"path={folder / 'wi'}",
        "-s",
        f"DATABASE_URL={url}",
        "-O",
        str(feed),
    )
    assert result.returncode == 0, result.stderr[-2000:]
    items = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
    assert len(items) == 7
    assert all(item["published"] is None or item["published"][:4] == "2022" for item in items)


def test_missing_path_fails_with_one_clear_message(tmp_path, db_url):
    nope = f"path={tmp_path / 'nope'}"
    result = run("crawl", "seeds", "-a", nope, "-s", f"DATABASE_URL={db_url}")
    assert result.returncode != 0
    assert f"Seed path {tmp_path / 'nope'} does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_database_fails_with_one_clear_message(folder, tmp_path):
    url = f"sqlite:///{tmp_path / 'missing-dir' / 'x.sqlite3'}"
    result = run("crawl", "seeds", "-a", f"path={folder}", "-s", f"DATABASE_URL={url}")
    assert result.returncode != 0
    assert "crawl failed: database" in result.stderr
    assert "unreachable" in result.stderr
    assert "Traceback" not in result.stderr


def test_database_url_from_the_environment(folder, db_url):
    result = run(
        "crawl", "seeds", "-a", f"path={folder / 'wi' / 'no-footer.txt'}",
        env={"CRAWLER_DATABASE_URL": db_url},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert sql(db_url, "select count(*) from articles") == [(1,)]
    assert export(db_url)[0]["title"] == "No Footer Here"


def test_footer_repeated_across_a_folder_is_learned_and_removed(tmp_path, db_url):
    other = tmp_path / "other-publisher"
    other.mkdir()
    footer = (
        "Become a member of the Eastern Policy Circle and receive our weekly briefing.\n\n"
        "Eastern Policy Circle, ul. Nowy Świat 10, Warsaw. Contact: office@epc.example\n"
    )
    for i in range(8):
        text = seed(f"2023-05-0{i + 1}", "Anna Nowak", f"Briefing {i}", make_text(100 + i))
        (other / f"{i}.txt").write_text(text.replace(FOOTER, footer))
    url = db_url
    result = run("crawl", "seeds", "-a", f"path={other}", "-s", f"DATABASE_URL={url}")
    assert result.returncode == 0, result.stderr[-2000:]
    articles = export(url)
    assert len(articles) == 8
    for article in articles:
        assert "Eastern Policy Circle" not in article["body"]
        assert article["body"].endswith(
            make_text(100 + int(article["title"][-1])).split("\n\n")[-1]
        )


def test_a_folder_larger_than_the_learning_sample_is_cleaned_whole(tmp_path, db_url):
    """A folder larger than the learning sample: the footer learned from the sample is
    removed from every text, those outside the sample included, and each file, in the
    sample or not, is stored or rejected once."""
    folder = tmp_path / "other-publisher"
    folder.mkdir()
    footer = "Eastern Policy Circle, ul. Nowy Świat 10, Warsaw. Contact: office@epc.example\n"
    for i in range(40):
        text = seed(f"2023-05-{i % 28 + 1:02d}", "Anna Nowak", f"Briefing {i}", make_text(200 + i))
        (folder / f"{i:02d}.txt").write_text(text.replace(FOOTER, footer))
    # 25 of the 40 files are sampled (every folder gives at least 25): 00 is, 02 is not
    for name in ("00.txt", "02.txt"):
        (folder / name).write_text("")
    result = run(
        "crawl", "seeds", "-a", f"path={folder}", "-s", f"DATABASE_URL={db_url}",
        "-s", "SEEDS_BOILERPLATE_SAMPLE=10",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    articles = export(db_url)
    assert sorted(a["title"] for a in articles) == sorted(
        f"Briefing {i}" for i in range(40) if i not in (0, 2)
    )
    assert [a["title"] for a in articles if "Eastern Policy Circle" in a["body"]] == []
    for name in ("00.txt", "02.txt"):
        uri = (folder / name).as_uri()
        assert len([line for line in result.stderr.splitlines() if uri in line]) == 1
    assert sql(db_url, "select new, rejected from runs") == [(38, 2)]
