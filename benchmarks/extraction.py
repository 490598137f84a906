"""Benchmark page extraction: ours against trafilatura on the shared evaluation pages.

Usage (from the repository root, with the project's virtualenv)::

    .venv/bin/python benchmarks/extraction.py [--eval ../shared/eval] [--workers 2] [--show N]

Reads the pages and their expected values from ``--eval`` at run time (they are third-party
pages: never copied into the project), runs on every page, in the same process and run,

- ours: ``crawler.pages.extract_article`` then what the pipelines do to its authors (the byline
  pipeline itself) and dates (the date normalizer): what a user finds in the database; the
  article text is ``lead`` + ``body``;
- the peer: ``trafilatura.bare_extraction(html, url=..., with_metadata=True)``; its article text
  is ``text``, its authors ``author`` split on ``;``, its date ``date``;

and prints, side by side per page set and overall: body precision, recall and F1 (4-word
shingles of ``\\w+`` tokens as multisets, averaged per page, F1 of the averages), the author
exact-match rate (NFKC, case and whitespace folded; also on the pages whose expected authors
are people only, without agency or desk credits such as ``dpa``), date accuracy as the
evaluation README defines it (the calendar day must match and, where the expected value gives a
time with an offset, the instant too, to the second) next to the day alone, title exact-match
rate (whitespace folded), and pages per second: one process each, and with ``--workers``
processes each (the crawl's extraction pool).
``--show N`` lists the N pages where our body F1 trails the peer's most. Exit status 0; the
targets are reported, not enforced.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path

from lxml import html as lxml_html

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

TARGET_BODY_MARGIN = 0.01
TARGET_FIELD_MARGIN = 0.10
WORD = re.compile(r"\w+")
BYLINE_SPLIT = re.compile(r"\s*(?:,|&|\band\b|\bund\b|\bet\b|\bi\b)\s*", re.IGNORECASE)
CREDIT = re.compile(
    r"\b(?:dpa|afp|ap|sid|sda|apa|kna|epd|reuters|associated press|presse-agentur|agenturen"
    r"|anadolu|redaktion|staff|team|online|news)\b|\.\w{2,3}\b",
    re.IGNORECASE,
)
"""Agency, desk and site credits (``dpa``, ``AP``, ``Redaktion``, ``ntv.com.tr``): expected as
authors by some ground truths, left out by our byline rules (people only)."""
BYLINE_PREFIX = re.compile(r"^\s*(?:by|von|par|por|door|autor|author)[:\s]+", re.IGNORECASE)

# -- the evaluation pages --------------------------------------------------------------------


@dataclass(slots=True)
class Case:
    """One evaluation page and what is expected from it (``None``: not known, not scored)."""

    name: str
    corpus: str
    path: Path
    url: str | None
    body: str | None
    title: str | None
    authors: list[str] | None
    date: str | None


def fundus_cases(root: Path) -> Iterator[Case]:
    """The Fundus parser test pages: every field is known (authors may be an empty list)."""
    folder = root / "fundus-parser-tests"
    with open(folder / "ground_truth_flat.jsonl", encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            yield Case(
                name=row["id"],
                corpus="fundus",
                path=folder / row["html"],
                url=row.get("url"),
                body=row.get("body_text") or None,
                title=row.get("title") or None,
                authors=list(row.get("authors") or []),
                date=row.get("publishing_date") or None,
            )


def readability_byline(byline: str | None) -> list[str] | None:
    """Readability keeps the byline as one string: drop a ``By`` and split on conjunctions."""
    if not byline:
        return None
    names = BYLINE_SPLIT.split(BYLINE_PREFIX.sub("", byline))
    return [name for name in (n.strip() for n in names) if name]


def readability_cases(root: Path) -> Iterator[Case]:
    """Mozilla Readability's test pages: body and title always, byline and date sometimes."""
    folder = root / "readability-testpages"
    for case in sorted(p for p in folder.iterdir() if p.is_dir()):
        meta = json.loads((case / "expected-metadata.json").read_text(encoding="utf-8"))
        # UTF-8 without a charset declaration: lxml would read bytes as Latin-1 (mojibake)
        expected_html = gzip.decompress((case / "expected.html.gz").read_bytes()).decode()
        tree = lxml_html.fromstring(expected_html) if expected_html.strip() else None
        yield Case(
            name=case.name,
            corpus="readability",
            path=case / "source.html.gz",
            url=None,
            body=" ".join(tree.itertext()) if tree is not None else None,
            title=meta.get("title") or None,
            authors=readability_byline(meta.get("byline")),
            date=meta.get("publishedTime") or None,
        )


# -- the two extractors (module level: they run in worker processes too) -------------------


@dataclass(slots=True)
class Output:
    body: str = ""
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    date: str | None = None
    seconds: float = 0.0


def ours(page: bytes, url: str | None) -> Output:
    """Our extraction as stored: fields from the cascade, then what the pipelines do to a web
    page (footer blocks removed, the byline pipeline run, dates normalized)."""
    from crawler.items import Article
    from crawler.normalize.boilerplate import split_footer
    from crawler.normalize.dates import DateError, normalize_date
    from crawler.normalize.text import split_paragraphs
    from crawler.pages import extract_article
    from crawler.pipelines.normalize import BylinePipeline

    found = extract_article(page, url)
    authors = BylinePipeline().process_item(Article.from_page(found, url or "")).authors
    try:
        published = normalize_date(found.published)
    except DateError:
        published = None
    body, _ = split_footer(split_paragraphs(found.body))
    text = "\n\n".join(part for part in (found.lead, *body) if part)
    return Output(text, found.title, authors, published)


def peer(page: bytes, url: str | None) -> Output:
    """trafilatura with metadata, as its documentation shows."""
    from trafilatura import bare_extraction

    document = bare_extraction(page, url=url, with_metadata=True)
    if not document:
        return Output()
    authors = [a.strip() for a in (document.author or "").split(";") if a.strip()]
    return Output(document.text or "", document.title, authors, document.date)


EXTRACTORS: dict[str, Callable[[bytes, str | None], Output]] = {"ours": ours, "trafilatura": peer}


def run_one(name: str, path: Path, url: str | None) -> Output:
    """Read one page and time one extractor on it (reading the file is not timed)."""
    page = gzip.decompress(path.read_bytes())  # bytes: each extractor detects the encoding
    start = time.perf_counter()
    output = EXTRACTORS[name](page, url)
    output.seconds = time.perf_counter() - start
    return output


def _run_args(args: tuple[str, Path, str | None]) -> Output:
    return run_one(*args)


# -- the metrics -----------------------------------------------------------------------------


def shingles(text: str | None, size: int = 4) -> Counter[tuple[str, ...]]:
    """4-word shingles of the text's ``\\w+`` tokens (lowercased), as a multiset."""
    tokens = WORD.findall((text or "").lower())
    return Counter(tuple(tokens[i : i + size]) for i in range(max(0, len(tokens) - size + 1)))


def body_scores(extracted: str, expected: str) -> tuple[float, float]:
    """Per-page shingle precision and recall; an empty side scores 0 (both empty: 1)."""
    got, want = shingles(extracted), shingles(expected)
    if not got and not want:
        return 1.0, 1.0
    matched = sum((got & want).values())
    precision = matched / sum(got.values()) if got else 0.0
    recall = matched / sum(want.values()) if want else 0.0
    return precision, recall


def name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def authors_match(extracted: list[str], expected: list[str]) -> bool:
    return [name_key(n) for n in extracted] == [name_key(n) for n in expected]


def title_match(extracted: str | None, expected: str) -> bool:
    return " ".join((extracted or "").split()) == " ".join(expected.split())


def _moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def _timed(text: str, moment: datetime) -> bool:
    """Whether a date value gives a time with an offset, not only a day."""
    return len(text.strip()) > 10 and moment.tzinfo is not None


def date_match(extracted: str | None, expected: str) -> tuple[bool, bool]:
    """(same day, right date): the day must match and, where the expected value gives a time
    with an offset, the instant too, to the second (fractions of a second are not compared:
    pages and ground truths give them or not, for the same moment).

    When both carry an offset, ours is read in the expected offset before taking the day.
    """
    want = _moment(expected)
    got = _moment(extracted) if extracted else None
    if want is None or got is None:
        return False, False
    if not _timed(expected, want):
        return got.date() == want.date(), got.date() == want.date()
    if not _timed(extracted or "", got):
        return got.date() == want.date(), False
    got, want = got.replace(microsecond=0), want.replace(microsecond=0)
    return got.astimezone(want.tzinfo).date() == want.date(), got == want


@dataclass(slots=True)
class Tally:
    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    authors: list[bool] = field(default_factory=list)
    people: list[bool] = field(default_factory=list)
    days: list[bool] = field(default_factory=list)
    dates: list[bool] = field(default_factory=list)
    titles: list[bool] = field(default_factory=list)
    seconds: float = 0.0

    def add(self, case: Case, output: Output) -> float:
        """Score one page; returns its body F1."""
        self.seconds += output.seconds
        f1 = 0.0
        if case.body is not None:
            precision, recall = body_scores(output.body, case.body)
            self.precision.append(precision)
            self.recall.append(recall)
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if case.authors is not None:
            match = authors_match(output.authors, case.authors)
            self.authors.append(match)
            if not any(CREDIT.search(name) for name in case.authors):
                self.people.append(match)
        if case.date is not None:
            day, right = date_match(output.date, case.date)
            self.days.append(day)
            self.dates.append(right)
        if case.title is not None:
            self.titles.append(title_match(output.title, case.title))
        return f1

    def figures(self) -> dict[str, float]:
        p = _mean(self.precision)
        r = _mean(self.recall)
        return {
            "body precision": p,
            "body recall": r,
            "body F1": 2 * p * r / (p + r) if p + r else 0.0,
            "authors exact": _mean(self.authors),
            "authors, people": _mean(self.people),
            "date": _mean(self.dates),
            "date, day only": _mean(self.days),
            "title exact": _mean(self.titles),
        }


def _mean(values: list[float] | list[bool]) -> float:
    return sum(values) / len(values) if values else 0.0


# -- the run ---------------------------------------------------------------------------------


def pool_rate(name: str, cases: list[Case], workers: int) -> float:
    """Pages per second of one extractor over all pages with ``workers`` processes (wall time)."""
    context = get_context("forkserver")
    jobs = [(name, case.path, case.url) for case in cases]
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        list(pool.map(_run_args, jobs[: workers * 2]))  # start-up and imports, not timed
        start = time.perf_counter()
        list(pool.map(_run_args, jobs, chunksize=4))
        return len(jobs) / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=REPO_ROOT.parent / "shared" / "eval")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--show", type=int, default=0, help="list the N worst pages for us")
    parser.add_argument("--only", help="only pages whose name contains this")
    parser.add_argument("--no-pool", action="store_true", help="skip the multi-process timing")
    args = parser.parse_args()
    if not args.eval.is_dir():
        print(f"no evaluation pages at {args.eval}", file=sys.stderr)
        return 2

    cases = [*fundus_cases(args.eval), *readability_cases(args.eval)]
    if args.only:
        cases = [case for case in cases if args.only in case.name]
    tallies = {(n, c): Tally() for n in EXTRACTORS for c in ("fundus", "readability", "all")}
    gaps: list[tuple[float, str]] = []
    for name in EXTRACTORS:  # warm both up (imports, models) outside the timings
        run_one(name, cases[0].path, cases[0].url)
    for case in cases:
        outputs = {name: run_one(name, case.path, case.url) for name in EXTRACTORS}
        f1 = {}
        for name, output in outputs.items():
            tallies[name, case.corpus].add(case, output)
            f1[name] = tallies[name, "all"].add(case, output)
        gaps.append((f1["ours"] - f1["trafilatura"], case.name))

    print(f"{len(cases)} pages from {args.eval}\n")
    for corpus in ("fundus", "readability", "all"):
        count = sum(1 for case in cases if corpus in (case.corpus, "all"))
        print(f"== {corpus} ({count} pages)")
        print(f"{'metric':<16}{'ours':>10}{'trafilatura':>13}{'diff':>9}")
        mine, theirs = tallies["ours", corpus].figures(), tallies["trafilatura", corpus].figures()
        for metric in mine:
            diff = mine[metric] - theirs[metric]
            print(f"{metric:<16}{mine[metric]:>10.4f}{theirs[metric]:>13.4f}{diff:>+9.4f}")
        print()

    rates = {name: len(cases) / tallies[name, "all"].seconds for name in EXTRACTORS}
    pooled = {
        name: 0.0 if args.no_pool else pool_rate(name, cases, args.workers) for name in EXTRACTORS
    }
    print(f"{'pages/s':<16}{'ours':>10}{'trafilatura':>13}{'ratio':>9}")
    print(
        f"{'1 process':<16}{rates['ours']:>10.1f}{rates['trafilatura']:>13.1f}"
        f"{rates['ours'] / rates['trafilatura']:>9.2f}"
    )
    if not args.no_pool:
        print(
            f"{f'{args.workers} processes':<16}{pooled['ours']:>10.1f}"
            f"{pooled['trafilatura']:>13.1f}{pooled['ours'] / pooled['trafilatura']:>9.2f}"
        )

    mine, theirs = tallies["ours", "all"].figures(), tallies["trafilatura", "all"].figures()
    print("\ntargets (all pages):")
    checks = [
        ("body F1 >= peer + 0.01", mine["body F1"] >= theirs["body F1"] + TARGET_BODY_MARGIN),
        (
            "authors >= peer + 0.10",
            mine["authors exact"] >= theirs["authors exact"] + TARGET_FIELD_MARGIN,
        ),
        ("dates >= peer + 0.10", mine["date"] >= theirs["date"] + TARGET_FIELD_MARGIN),
        ("titles >= peer", mine["title exact"] >= theirs["title exact"]),
        ("pages/s >= peer (1 process)", rates["ours"] >= rates["trafilatura"]),
    ]
    for label, ok in checks:
        print(f"  {label:<30}{'PASS' if ok else 'FAIL'}")

    if args.show:
        print(f"\n{args.show} pages where our body F1 trails the peer's most:")
        for gap, name in sorted(gaps)[: args.show]:
            print(f"  {gap:+.3f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
