"""Storage and deduplication on real databases: each test on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from crawler.items import Article
from crawler.storage.dedupe import fingerprint
from crawler.storage.models import Article as ArticleRow
from crawler.storage.models import Fingerprint, Origin, Revision
from crawler.storage.queries import ExportFilter, iter_export_records
from crawler.storage.repository import known_listings, store_batch, store_listings
from tests.conftest import make_text

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def article(origin: str, seed: int = 1, **fields) -> Article:
    values = {
        "title": f"Analysis number {seed}",
        "lead": f"Lead of analysis {seed} about Russia.",
        "body": make_text(seed),
        "authors": ["Adam Malinowski"],
        "published": "2022-11-23",
        **fields,
    }
    return Article(origin=origin, **values)


def store(sessions, *items: Article) -> list[str]:
    with sessions.begin() as session:
        return store_batch(session, list(items), NOW).outcomes


def count(sessions, model) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def exported(sessions, flt: ExportFilter | None = None) -> list[dict]:
    with sessions() as session:
        return list(iter_export_records(session, flt or ExportFilter()))


def edited(text: str, every: int = 25) -> str:
    """Replace every ``every``-th word: a light copy-edit."""
    words = text.split(" ")
    return " ".join("edited" if i % every == 0 else w for i, w in enumerate(words))


def test_new_article_is_stored_with_its_fields(sessions):
    assert store(sessions, article("file:///a.txt", tags=["Russia"])) == ["new"]
    [record] = exported(sessions)
    assert record["title"] == "Analysis number 1"
    assert record["authors"] == ["Adam Malinowski"]
    assert record["origins"] == ["file:///a.txt"]
    assert record["tags"] == ["Russia"]
    assert record["published"] == "2022-11-23"
    assert record["first_seen"] == "2024-05-01T12:00:00+00:00"
    assert len(record["id"]) == 16


def test_storing_the_same_origin_twice_changes_nothing(sessions):
    store(sessions, article("file:///a.txt"))
    first = exported(sessions)
    assert store(sessions, article("file:///a.txt")) == ["unchanged"]
    assert exported(sessions) == first
    assert count(sessions, ArticleRow) == 1
    assert count(sessions, Revision) == 0


def test_same_content_at_another_origin_is_one_article_with_two_origins(sessions):
    assert store(sessions, article("file:///a.txt"), article("file:///copy/a.txt")) == [
        "new",
        "merged",
    ]
    [record] = exported(sessions)
    assert record["origins"] == ["file:///a.txt", "file:///copy/a.txt"]


def test_near_duplicate_with_small_edits_is_merged(sessions):
    store(sessions, article("file:///a.txt"))
    copy = article("file:///b.txt", body=edited(make_text(1)))
    assert store(sessions, copy) == ["merged"]
    assert count(sessions, ArticleRow) == 1


def test_web_page_around_an_export_is_merged_and_fills_the_url(sessions):
    store(sessions, article("file:///a.txt"))
    page_body = "Lead of analysis 1 about Russia.\n\n" + make_text(1) + "\n\nShare this article"
    page = article(
        "https://example.org/analysis-1",
        body=page_body,
        lead=None,
        url="https://example.org/analysis-1",
        publisher="Example Institute",
    )
    assert store(sessions, page) == ["merged"]
    [record] = exported(sessions)
    assert record["url"] == "https://example.org/analysis-1"
    assert record["publisher"] == "Example Institute"
    assert record["origins"] == ["file:///a.txt", "https://example.org/analysis-1"]


def test_same_title_with_other_date_and_body_is_another_article(sessions):
    store(sessions, article("file:///a.txt", seed=1))
    other = article("file:///b.txt", seed=2, title="Analysis number 1", published="2023-01-05")
    assert store(sessions, other) == ["new"]
    assert count(sessions, ArticleRow) == 2


def test_unrelated_articles_stay_apart(sessions):
    outcomes = store(sessions, *(article(f"file:///{i}.txt", seed=i) for i in range(20)))
    assert outcomes == ["new"] * 20


def test_changed_content_at_a_known_origin_is_a_new_revision(sessions):
    store(sessions, article("file:///a.txt", seed=1))
    changed = article("file:///a.txt", seed=1, body=make_text(1) + "\n\nA new closing paragraph.")
    assert store(sessions, changed) == ["updated"]
    [record] = exported(sessions)
    assert record["body"].endswith("A new closing paragraph.")
    with sessions() as session:
        [old] = session.scalars(select(Revision)).all()
    assert old.body == make_text(1)
    # the old version, seen again elsewhere, is recognised as the same article
    assert store(sessions, article("file:///old-copy.txt", seed=1)) == ["merged"]


def test_same_canonical_url_is_the_same_article(sessions):
    first = article("https://example.org/a?utm=1", url="https://example.org/a")
    second = article("https://example.org/a", seed=1, url="https://example.org/a")
    assert store(sessions, first, second) == ["new", "merged"]
    assert count(sessions, Origin) == 2


def test_export_filters_and_order(sessions):
    store(
        sessions,
        article("file:///1.txt", seed=1, published="2023-02-01", publisher="Warsaw Institute"),
        article("file:///2.txt", seed=2, published="2022-11-23T10:00:00+01:00"),
        article("file:///3.txt", seed=3, published=None, authors=["Ewa Król"]),
    )
    assert [r["published"] for r in exported(sessions)] == [
        "2022-11-23T10:00:00+01:00",
        "2023-02-01",
        None,
    ]
    assert len(exported(sessions, ExportFilter(since="2023-01-01"))) == 1
    assert len(exported(sessions, ExportFilter(until="2022-11-23"))) == 1
    assert len(exported(sessions, ExportFilter(publisher="warsaw institute"))) == 1
    [by_ewa] = exported(sessions, ExportFilter(author="ewa król"))
    assert by_ewa["authors"] == ["Ewa Król"]


def test_order_and_case_insensitive_filters_are_the_same_on_every_database(sessions):
    store(
        sessions,
        article("file:///1.txt", seed=1, published="2022-11-23T10:00:00+05:00"),
        article("file:///2.txt", seed=2, published="2022-11-23T10:00:00-01:00"),
        article(
            "file:///3.txt",
            seed=3,
            published="2022-11-23",
            authors=["Łukasz Wróblewski"],
            publisher="Ośrodek Studiów Wschodnich",
        ),
    )
    # plain character order, also where a linguistic collation would ignore "+" and "-"
    assert [r["published"] for r in exported(sessions)] == [
        "2022-11-23",
        "2022-11-23T10:00:00+05:00",
        "2022-11-23T10:00:00-01:00",
    ]
    [by_author] = exported(sessions, ExportFilter(author="ŁUKASZ WRÓBLEWSKI"))
    [by_publisher] = exported(sessions, ExportFilter(publisher="OŚRODEK STUDIÓW WSCHODNICH"))
    assert by_author["id"] == by_publisher["id"]


def test_values_are_fitted_to_their_columns_on_every_database(sessions):
    long_url = "https://example.org/" + "a" * 3000
    item = article(
        "https://example.org/page\x00",
        url=long_url,
        title="A title with a NUL\x00 inside",
        publisher="P" * 400,
        authors=["N" * 400],
        etag='"' + "e" * 400 + '"',
    )
    assert store(sessions, item) == ["new"]
    [record] = exported(sessions)
    assert record["url"] is None  # a cut URL would be another URL
    assert record["title"] == "A title with a NUL inside"
    assert record["publisher"] == "P" * 300
    assert record["authors"] == ["N" * 300]
    assert record["origins"] == ["https://example.org/page"]
    # seen again, the same item is recognised: lookups use the fitted values too
    assert store(sessions, item) == ["unchanged"]
    with sessions() as session:
        assert len(session.scalar(select(Origin.etag))) == 300


def test_a_page_that_changes_within_one_batch_is_one_article_with_one_revision(sessions):
    first = article("https://example.org/a", seed=1, url="https://example.org/a")
    changed = article("https://example.org/a?ref=feed", seed=2, url="https://example.org/a")
    assert store(sessions, first, changed) == ["new", "updated"]
    [record] = exported(sessions)
    assert record["body"] == make_text(2)
    assert count(sessions, Revision) == 1
    with sessions() as session:
        stored = session.scalars(select(Fingerprint.value)).all()
    assert sorted(stored) == sorted(
        fingerprint(record["title"], record["lead"], make_text(2)).sketch
    )


def test_seen_again_later_moves_last_seen_and_keeps_new_validators(sessions):
    page = article("https://example.org/a", url="https://example.org/a", etag='"v1"')
    export = article("file:///a.txt", seed=2)
    store(sessions, page, export)
    later = datetime(2024, 6, 1, 8, 30, tzinfo=UTC)
    revalidated = article("https://example.org/a", url="https://example.org/a", etag='"v2"')
    with sessions.begin() as session:
        outcomes = store_batch(session, [export, revalidated, export], later).outcomes
    assert outcomes == ["unchanged"] * 3
    records = {r["origins"][0]: r for r in exported(sessions)}
    assert [r["last_seen"] for r in records.values()] == ["2024-06-01T08:30:00+00:00"] * 2
    assert [r["first_seen"] for r in records.values()] == ["2024-05-01T12:00:00+00:00"] * 2
    with sessions() as session:
        origins = {o.uri: o for o in session.scalars(select(Origin))}
    assert origins["https://example.org/a"].etag == '"v2"'
    seen = {
        o.last_seen if o.last_seen.tzinfo else o.last_seen.replace(tzinfo=UTC)
        for o in origins.values()
    }
    assert seen == {later}
    assert count(sessions, Revision) == 0


def test_listings_are_stored_replaced_and_found_by_host(sessions):
    now = datetime(2024, 5, 1, tzinfo=UTC)
    first = {"https://a.example/": "1" * 32, "https://a.example/tag/x/": "2" * 32,
             "http://b.example:8080/": "3" * 32}  # fmt: skip
    with sessions.begin() as session:
        store_listings(session, first, now)
    with sessions.begin() as session:
        store_listings(session, {"https://a.example/": "4" * 32}, now)
        store_listings(session, {}, now)
    with sessions() as session:
        assert known_listings(session, ["a.example"]) == {
            "https://a.example/": "4" * 32, "https://a.example/tag/x/": "2" * 32
        }  # fmt: skip
        assert known_listings(session, ["b.example"]) == {"http://b.example:8080/": "3" * 32}
        assert known_listings(session, ["c.example"]) == known_listings(session, []) == {}
