"""Benchmark storage: articles stored per second through ``store_batch`` against a bulk INSERT.

Usage (from the repository root, with the project's virtualenv)::

    .venv/bin/python benchmarks/storage.py [--articles 10000] [--batch 500] [--seed 1]
        [--repeat 3] [--postgresql postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
        [--skip-postgresql]

For SQLite and PostgreSQL, with one and with two concurrent processes, each measure into a
fresh database migrated to the head revision before the clock starts:

- ours: the real storage path, ``crawler.storage.writer.write_batch`` (the function the
  pipeline's writer process runs: ``prepare_batch``, writer lock, ``store_prepared``, retry)
  in batches of ``--batch`` generated articles, one transaction per batch;
- the ceiling: the same rows, inserted with SQLAlchemy Core ``insert()`` executemany, one
  transaction per batch of the same size: the articles, their origins, their fingerprint rows
  (the sketch values) and their bylines (the few author rows are inserted before the clock);
  the rows are built, fingerprints included, before the clock.

With two processes each stores half of the articles (disjoint), both started at once; the
rate is all articles over the wall time from the first start to the last end. With
``--repeat K`` each measure runs K times (ours, then the ceiling, in turn). Prints a table of
articles per second, best and median, and the ratios ours / ceiling of the bests and of the
medians (target >= 0.5), then checks every pipeline database holds exactly the generated
articles, and as many rows in each table as the ceiling's. PostgreSQL databases are created
from the ``--postgresql`` URL (``crawler_bench_<pid>_<n>``) and dropped afterwards.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from sqlalchemy import create_engine, func, insert, make_url, select, text  # noqa: E402

from crawler.items import Article  # noqa: E402
from crawler.storage.db import database, make_engine, safe_url  # noqa: E402
from crawler.storage.dedupe import fingerprint  # noqa: E402
from crawler.storage.models import Article as ArticleRow  # noqa: E402
from crawler.storage.models import ArticleAuthor, Author, Origin  # noqa: E402
from crawler.storage.models import Fingerprint as FingerprintRow  # noqa: E402
from crawler.storage.schema import ensure_schema  # noqa: E402
from crawler.storage.writer import write_batch  # noqa: E402

TARGET_RATIO = 0.5
FUNCTION_WORDS = ("the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "with", "as",
                  "by", "at", "from", "it", "was", "this", "be", "are", "has", "have", "not",
                  "but", "or", "which", "their", "its", "an", "were", "will", "more", "after",
                  "than", "been", "also")  # fmt: skip
NAMES = ("Adam Malinowski", "Ewa Król", "Anna Nowak", "Grzegorz Kuczyński", "Olena Kovalenko",
         "Piotr Zieliński", "Marta Wójcik", "Jakub Lewandowski", "Sarah Miller",
         "Иван Петров")  # fmt: skip
TAGS = ("Russia", "Ukraine", "NATO", "Belarus", "energy security", "sanctions", "Iran", "China")


# -- articles -------------------------------------------------------------------------------


def _vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    parts = (
        ("b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "br",
         "st", "tr", "ch", "sh"),
        ("a", "e", "i", "o", "u", "ai", "ou"),
        ("n", "r", "s", "t", "l", "nd", ""),
    )  # fmt: skip
    words = {
        "".join(rng.choice(parts[0]) + rng.choice(parts[1]) for _ in range(rng.randint(1, 3)))
        + rng.choice(parts[2])
        for _ in range(size)
    }
    return sorted(words)


def _paragraph(rng: random.Random, vocabulary: list[str]) -> str:
    sentences = []
    for _ in range(rng.randint(3, 6)):
        words = [
            rng.choice(FUNCTION_WORDS) if rng.random() < 0.4 else rng.choice(vocabulary)
            for _ in range(rng.randint(12, 28))
        ]
        sentences.append(" ".join(words).capitalize() + ".")
    return " ".join(sentences)


def generate(count: int, seed: int) -> list[Article]:
    """Articles shaped like the crawl's output: 2-5 KB bodies, bylines, dates, tags, URLs."""
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng)
    articles = []
    for i in range(count):
        title = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(4, 9))).title()
        day = f"20{rng.randint(19, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        web = rng.random() < 0.5
        articles.append(
            Article(
                origin=f"https://analysis.example.org/{i}/" if web else f"file:///bench/{i}.txt",
                url=f"https://analysis.example.org/{i}/" if web else None,
                title=title,
                lead=_paragraph(rng, vocabulary),
                body="\n\n".join(_paragraph(rng, vocabulary) for _ in range(rng.randint(3, 8))),
                authors=rng.sample(NAMES, rng.randint(1, 2)),
                published=day if rng.random() < 0.7 else f"{day}T09:30:00+01:00",
                publisher="Warsaw Institute Foundation",
                tags=rng.sample(TAGS, rng.randint(0, 3)),
                language="en",
            )
        )
    return articles


Rows = dict[str, list[dict]]
"""A batch's rows for the ceiling, by table name."""


def ceiling_rows(batch: list[Article], now: datetime, author_ids: dict[str, int]) -> Rows:
    """The rows ``write_batch`` writes for a batch of new articles: articles, their origins,
    their fingerprints (the sketch values) and their bylines (authors are few and inserted once,
    before the clock)."""
    rows: Rows = {"articles": [], "origins": [], "fingerprints": [], "article_authors": []}
    for item in batch:
        fp = fingerprint(item.title or "", item.lead, item.body or "")
        article_id = fp.content_hash[:16]
        rows["articles"].append(
            {
                "id": article_id, "url": item.url, "title": item.title,
                "title_key": fp.title_key, "lead": item.lead, "body": item.body,
                "published": item.published, "modified": None, "publisher": item.publisher,
                "language": item.language, "tags": item.tags, "source_refs": [],
                "extraction": {}, "content_hash": fp.content_hash, "first_seen": now,
                "last_seen": now,
            }
        )  # fmt: skip
        rows["origins"].append(
            {"uri": item.origin, "article_id": article_id,
             "content_hash": fp.content_hash, "first_seen": now, "last_seen": now}
        )  # fmt: skip
        rows["fingerprints"].extend(
            {"article_id": article_id, "value": value} for value in dict.fromkeys(fp.sketch)
        )
        rows["article_authors"].extend(
            {"article_id": article_id, "position": position, "author_id": author_ids[name]}
            for position, name in enumerate(item.authors)
        )
    return rows


def seed_authors(url: str) -> None:
    """Insert the generated articles' authors (before the clock)."""
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(insert(Author), [{"name": name} for name in NAMES])
    engine.dispose()


# -- workers (run in their own processes) ---------------------------------------------------


def _chunks(items: list[Article], size: int) -> list[list[Article]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def ours_worker(url: str, batches: list[list[Article]], start, done) -> None:
    database(url)  # connected and migrated before the clock
    start.wait()
    began = time.perf_counter()
    for batch in batches:
        result = write_batch(url, batch)
        if isinstance(result, str):
            raise SystemExit(f"write failed: {result}")
    done.put((began, time.perf_counter()))


CEILING_TABLES = {
    "articles": ArticleRow, "origins": Origin, "fingerprints": FingerprintRow,
    "article_authors": ArticleAuthor,
}  # fmt: skip
"""Tables the ceiling inserts into, in an order the foreign keys accept."""


def ceiling_worker(url: str, batches: list[list[Article]], start, done) -> None:
    engine = make_engine(url)
    now = datetime.now(UTC)
    with engine.connect() as connection:
        author_ids = dict(connection.execute(select(Author.name, Author.id)).all())
    # not timed: only the INSERTs
    prepared = [ceiling_rows(batch, now, author_ids) for batch in batches]
    start.wait()
    began = time.perf_counter()
    for rows in prepared:
        with engine.begin() as connection:
            for name, model in CEILING_TABLES.items():
                connection.execute(insert(model), rows[name])
    done.put((began, time.perf_counter()))
    engine.dispose()


# -- measures -------------------------------------------------------------------------------


@dataclass
class Databases:
    """Fresh databases per measure: SQLite files in a temp folder, PostgreSQL databases."""

    folder: Path
    postgresql: str | None
    made: list[str]

    def fresh(self, kind: str, name: str) -> str:
        if kind == "sqlite":
            url = f"sqlite:///{self.folder / f'{name}.sqlite3'}"
        else:
            assert self.postgresql
            db = f"crawler_bench_{os.getpid()}_{len(self.made)}"
            admin = create_engine(self.postgresql, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f"CREATE DATABASE {db}"))
            admin.dispose()
            url = make_url(self.postgresql).set(database=db).render_as_string(False)
            self.made.append(db)
        engine = make_engine(url)
        ensure_schema(engine)
        engine.dispose()
        return url

    def drop_all(self) -> None:
        if not self.made:
            return
        admin = create_engine(self.postgresql or "", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for db in self.made:
                connection.execute(text(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
        admin.dispose()


def measure(worker, url: str, articles: list[Article], processes: int, batch: int) -> float:
    """Articles per second of ``processes`` workers storing disjoint shares at once."""
    context = multiprocessing.get_context("forkserver")
    start, done = context.Barrier(processes), context.Queue()
    shares = [articles[i::processes] for i in range(processes)]
    workers = [
        context.Process(target=worker, args=(url, _chunks(share, batch), start, done))
        for share in shares
    ]
    for process in workers:
        process.start()
    spans = [done.get(timeout=3600) for _ in workers]
    for process in workers:
        process.join()
        if process.exitcode:
            raise SystemExit(f"{worker.__name__} failed on {safe_url(url)}")
    wall = max(end for _, end in spans) - min(began for began, _ in spans)
    return len(articles) / wall


def stored(url: str) -> dict[str, int]:
    """Rows in each table the ceiling writes, and authors."""
    engine = make_engine(url)
    with engine.connect() as connection:
        counts = {
            name: connection.scalar(select(func.count()).select_from(model)) or 0
            for name, model in {**CEILING_TABLES, "authors": Author}.items()
        }
    engine.dispose()
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500, help="items per transaction")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1, metavar="K", help="runs per measure")
    parser.add_argument(
        "--postgresql", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL database to CREATE DATABASE from",
    )  # fmt: skip
    parser.add_argument("--skip-postgresql", action="store_true")
    args = parser.parse_args(argv)
    if args.articles < 2 or args.repeat < 1 or args.batch < 1:
        parser.error("--articles must be at least 2, --repeat and --batch at least 1")

    started = time.perf_counter()
    articles = generate(args.articles, args.seed)
    size = sum(len(a.body or "") for a in articles) / len(articles)
    print(f"{len(articles)} articles (mean body {size / 1024:.1f} KB) generated in "
          f"{time.perf_counter() - started:.1f} s; batches of {args.batch}")  # fmt: skip
    kinds = ["sqlite"] if args.skip_postgresql else ["sqlite", "postgresql"]
    rows, failures = [], 0
    with tempfile.TemporaryDirectory(prefix="bench-storage-") as folder:
        dbs = Databases(Path(folder), None if args.skip_postgresql else args.postgresql, [])
        try:
            for kind in kinds:
                for processes in (1, 2):
                    ours, ceiling = [], []
                    for attempt in range(args.repeat):
                        name = f"{kind}-{processes}-{attempt}"
                        ours_url = dbs.fresh(kind, f"ours-{name}")
                        ours.append(measure(ours_worker, ours_url, articles, processes, args.batch))
                        ceiling_url = dbs.fresh(kind, f"ceiling-{name}")
                        seed_authors(ceiling_url)
                        ceiling.append(
                            measure(ceiling_worker, ceiling_url, articles, processes, args.batch)
                        )
                        counts = stored(ours_url)
                        if counts["articles"] != len(articles):
                            failures += 1
                            print(f"CHECK FAILED: {name}: {counts['articles']} articles "
                                  f"stored, {len(articles)} generated")  # fmt: skip
                        if counts != (same := stored(ceiling_url)):
                            failures += 1
                            print(f"CHECK FAILED: {name}: ours wrote {counts}, the ceiling "
                                  f"{same}")  # fmt: skip
                        print(f"  {name}: ours {ours[-1]:,.0f}/s, ceiling {ceiling[-1]:,.0f}/s",
                              flush=True)  # fmt: skip
                    rows.append((kind, processes, ours, ceiling))
        finally:
            dbs.drop_all()
    print()
    print(f"{'database':<11}{'processes':>10}{'ours/s best':>13}{'median':>9}"
          f"{'ceiling/s best':>16}{'median':>9}{'ratio best':>12}{'median':>8}"
          "  target")  # fmt: skip
    for kind, processes, ours, ceiling in rows:
        best = max(ours) / max(ceiling)
        median = statistics.median(ours) / statistics.median(ceiling)
        mark = "met" if min(best, median) >= TARGET_RATIO else "MISSED"
        print(f"{kind:<11}{processes:>10}{max(ours):>13,.0f}{statistics.median(ours):>9,.0f}"
              f"{max(ceiling):>16,.0f}{statistics.median(ceiling):>9,.0f}{best:>12.2f}"
              f"{median:>8.2f}  >= {TARGET_RATIO} {mark}")  # fmt: skip
    print(f"({args.repeat} run(s) of each measure)")
    print(f"checks: {'all passed' if not failures else f'{failures} failed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
