"""Benchmark the web crawl: `scrapy crawl analysis` on a local site against a bare Scrapy spider.

Usage (from the repository root, with the project's virtualenv)::

    .venv/bin/python benchmarks/web_crawl.py --articles 5000 [--seed 1] [--repeat 3]

Serves ``tests.site.AnalysisSite(articles=N, seed=S)`` on 127.0.0.1 from a process of its own (so
the server's CPU is not counted in the crawler's process), then times, each in a fresh
subprocess and with the same concurrency (AutoThrottle off, 16 requests, 16 per domain, 8 items
per response, robots.txt obeyed, LOG_LEVEL=WARNING):

(a) the ceiling: a bare Scrapy spider that fetches exactly the site's article URLs and only
    counts the responses;
(b) ``scrapy crawl analysis`` with a sites file for the site into a fresh SQLite database;
(c) the same crawl again on the same database, the site unchanged.

Prints article pages per second of (a) and (b), their ratio, first-run and rerun times against
the targets, and checks the crawl's output: every article stored once, no article fetched in
full on the rerun, the warning lines of the logs. Stdlib only; no network beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 0.5
TARGET_RERUN = 0.10
SAME_CONCURRENCY = {
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS": "16",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
    "ROBOTSTXT_OBEY": "True",
    "LOG_LEVEL": "WARNING",
    "CONCURRENT_ITEMS": "8",
}
"""Settings (a) and (b) share: a benchmark against our own loopback server, not politeness.
``CONCURRENT_ITEMS`` is the project's own value (Scrapy's default, 100, costs every response
101 asyncio tasks, also a bare spider's), so the ceiling is not slowed by what the crawl
avoids."""
CRAWL_ONLY = {"ANALYSIS_MAX_PATTERN_PAGES": "20"}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# -- the site, in a process of its own -------------------------------------------------------


def serve_worker(articles: int, seed: int) -> None:
    """Serve the site; answer line commands on stdin (``clear``, ``hits``, ``quit``)."""
    sys.path.insert(0, str(REPO_ROOT))
    from tests.site import AnalysisSite

    site = AnalysisSite(articles=articles, seed=seed).start()
    paths = [a.path for a in site.articles]
    print(json.dumps({"base_url": site.base_url, "paths": paths}), flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "clear":
            site.clear_hits()
            print("{}", flush=True)
        elif command == "hits":
            with site._lock:
                hits = [[h.path, h.status, h.conditional] for h in site.hits]
            print(json.dumps(hits), flush=True)
        elif command == "quit":
            break
    site.stop()


class Site:
    """The parent's handle on the site process."""

    def __init__(self, articles: int, seed: int) -> None:
        started = time.perf_counter()
        cmd = [sys.executable, str(Path(__file__).resolve()), "--serve-worker", str(articles),
               str(seed)]  # fmt: skip
        self.process = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT
        )
        hello = json.loads(self._readline())
        self.base_url: str = hello["base_url"]
        self.paths: list[str] = hello["paths"]
        self.startup = time.perf_counter() - started

    def _readline(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the site process ended (exit {self.process.wait()})")
        return line

    def _ask(self, command: str) -> object:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return json.loads(self._readline())

    def clear_hits(self) -> None:
        self._ask("clear")

    def hits(self) -> list[tuple[str, int, bool]]:
        return [tuple(h) for h in self._ask("hits")]  # type: ignore[union-attr, misc]

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.write("quit\n")
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# -- the ceiling: a bare Scrapy spider -------------------------------------------------------


def ceiling_worker(urls_file: Path, stats_file: Path, extra: list[str]) -> None:
    """Fetch every URL of ``urls_file`` with a bare spider; write Scrapy's stats as JSON."""
    from scrapy import Request, Spider
    from scrapy.crawler import CrawlerProcess

    class CeilingSpider(Spider):
        name = "ceiling"

        async def start(self):  # type: ignore[override]
            for url in urls_file.read_text().split():
                yield Request(url, callback=self.parse, dont_filter=True)

        def parse(self, response):  # type: ignore[override]
            self.crawler.stats.inc_value(f"ceiling/status_{response.status}")

    settings = {**SAME_CONCURRENCY, "TELNETCONSOLE_ENABLED": "False", **_pairs(extra)}
    process = CrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler(CeilingSpider)
    process.crawl(crawler)
    process.start()
    stats = {k: _plain(v) for k, v in crawler.stats.get_stats().items()}
    stats_file.write_text(json.dumps(stats))


def _pairs(settings: list[str]) -> dict[str, str]:
    return dict(s.split("=", 1) for s in settings)


def _plain(value: object) -> object:
    return value if isinstance(value, int | float | str | None) else str(value)


# -- measuring -------------------------------------------------------------------------------


@dataclass(slots=True)
class Run:
    """One measured subprocess and what the site served during it."""

    code: int
    wall: float
    cpu: float
    """User + system seconds of the command's reaped process tree (RUSAGE_CHILDREN)."""
    server_cpu: float
    hits: list[tuple[str, int, bool]]
    stats: dict = field(default_factory=dict)
    """Scrapy's stats (the ceiling's stats file, or the crawl's ``runs`` row)."""

    def article_hits(self, articles: set[str], status: int) -> list[str]:
        return [p for p, s, _ in self.hits if s == status and p in articles]

    @property
    def startup(self) -> float | None:
        """Wall time outside the engine (start-up and shut-down): wall - elapsed_time_seconds."""
        elapsed = self.stats.get("elapsed_time_seconds")
        return self.wall - elapsed if isinstance(elapsed, int | float) else None


def measure(cmd: list[str], log: Path, site: Site) -> Run:
    """Run ``cmd`` from the repository root, output to ``log``; wall, CPU, server CPU, hits."""
    site.clear_hits()
    server_before = site.cpu_seconds()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with log.open("wb") as out:
        code = subprocess.run(cmd, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT).returncode
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(code, wall, cpu, site.cpu_seconds() - server_before, site.hits())


def crawl_command(sites_file: Path, database: Path, extra: list[str]) -> list[str]:
    settings = {
        "DATABASE_URL": f"sqlite:///{database}",
        "SITES_FILE": str(sites_file),
        **SAME_CONCURRENCY,
        **CRAWL_ONLY,
        **_pairs(extra),
    }
    options = [arg for key, value in settings.items() for arg in ("-s", f"{key}={value}")]
    return [sys.executable, "-m", "scrapy", "crawl", "analysis", *options]


def write_sites_file(path: Path, site: Site, articles: int) -> None:
    max_pages = articles * 2 + 1000  # over articles * 1.2 with room for listings: never binds
    path.write_text(
        f'[[site]]\nname = "bench"\nstart_urls = ["{site.base_url}/"]\n'
        f"max_pages = {max_pages}\nmax_depth = 3\n"
    )


def last_run_stats(database: Path) -> dict:
    """The newest ``runs`` row's figures and Scrapy stats."""
    try:
        connection = sqlite3.connect(database)
        row = connection.execute(
            "SELECT status, pages, new, updated, merged, unchanged, errors, stats"
            " FROM runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
        connection.close()
    except sqlite3.Error:
        return {}
    if row is None:
        return {}
    stats = json.loads(row[7]) if isinstance(row[7], str) else row[7] or {}
    keys = ("status", "pages", "new", "updated", "merged", "unchanged", "errors")
    return {**stats, "run": dict(zip(keys, row[:7], strict=True))}


def stored_check(database: Path, site: Site) -> dict[str, object]:
    """Whether every site article is stored exactly once, from the articles and origins."""
    urls = {site.base_url + p for p in site.paths}
    connection = sqlite3.connect(database)
    articles = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
    stored_urls = [u for (u,) in connection.execute("SELECT url FROM articles")]
    origins = connection.execute("SELECT uri, article_id FROM origins").fetchall()
    connection.close()
    article_origins = [(uri, a) for uri, a in origins if uri in urls]
    return {
        "articles": articles,
        "expected": len(urls),
        "urls_matching": len(urls & set(stored_urls)),
        "duplicate_urls": len(stored_urls) - len(set(stored_urls)),
        "article_origins": len(article_origins),
        "distinct_ids": len({a for _, a in article_origins}),
        "other_origins": len(origins) - len(article_origins),
    }


_LOG_LINE = re.compile(r"^\S+ \S+ \[(?P<logger>[^\]]+)\] (?P<level>WARNING|ERROR|CRITICAL): ")


def log_summary(log: Path) -> tuple[Counter[str], int]:
    """Warning/error lines grouped by shape (ports and numbers masked); traceback count."""
    shapes: Counter[str] = Counter()
    tracebacks = 0
    for line in log.read_text(errors="replace").splitlines():
        tracebacks += line.startswith("Traceback")
        if match := _LOG_LINE.match(line):
            shape = f"{match['level']} [{match['logger']}] {line[match.end() :]}"
            shapes[re.sub(r"\d+", "N", shape)[:150]] += 1
    return shapes, tracebacks


# -- reporting -------------------------------------------------------------------------------


def best_median(values: list[float], higher_is_better: bool) -> tuple[float, float]:
    best = max(values) if higher_is_better else min(values)
    return best, statistics.median(values)


def print_table(articles: int, ceiling: list[Run], first: list[Run], rerun: list[Run]) -> None:
    n = articles
    ceil_pps = [n / r.wall for r in ceiling]
    crawl_pps = [r.stats["_article_200"] / r.wall for r in first]
    ratios = [c / b for c, b in zip(crawl_pps, ceil_pps, strict=True)]
    rerun_ratio = [r.wall / f.wall for r, f in zip(rerun, first, strict=True)]
    full = [float(r.stats["_article_200"]) for r in rerun]
    rows = [
        ("ceiling article pages/s", *best_median(ceil_pps, True), "", ".1f"),
        ("crawl article pages/s", *best_median(crawl_pps, True), "", ".1f"),
        ("ratio crawl / ceiling", *best_median(ratios, True), f">= {TARGET_RATIO}", ".3f"),
        ("first-run wall s", *best_median([r.wall for r in first], False), "", ".2f"),
        ("rerun wall s", *best_median([r.wall for r in rerun], False), "", ".2f"),
        ("rerun / first", *best_median(rerun_ratio, False), f"< {TARGET_RERUN}", ".3f"),
        ("articles fetched in full on rerun", *best_median(full, False), "0", ".0f"),
    ]
    print(f"\n{'':36}{'best':>10}{'median':>10}  target")
    for label, best, median, target, fmt in rows:
        print(f"{label:36}{best:>10{fmt}}{median:>10{fmt}}  {target}")
    verdicts = [
        ("ratio crawl / ceiling", max(ratios) >= TARGET_RATIO),
        ("rerun / first", min(rerun_ratio) < TARGET_RERUN),
        ("no article fetched in full on rerun", max(full) == 0),
    ]
    print("targets: " + ", ".join(f"{k} {'PASS' if ok else 'FAIL'}" for k, ok in verdicts))


def print_details(label: str, runs: list[Run], articles: set[str]) -> None:
    """Per-run figures: exit status, wall, start-up, CPU, server CPU, requests by status."""
    for i, r in enumerate(runs):
        statuses = Counter(s for _, s, _ in r.hits)
        startup = "n/a" if r.startup is None else f"{r.startup:.2f}"
        print(
            f"  {label} #{i + 1}: exit {r.code}, wall {r.wall:.2f} s (outside the engine "
            f"{startup} s), CPU {r.cpu:.1f} s, site CPU {r.server_cpu:.1f} s; requests "
            f"{len(r.hits)} ({', '.join(f'{s}: {c}' for s, c in sorted(statuses.items()))}); "
            f"article 200s {len(r.article_hits(articles, 200))}, article 304s "
            f"{len(r.article_hits(articles, 304))}"
        )


def code_version() -> str:
    """The commit measured and how many files differ from it (read-only git, no index lock)."""
    git = ["git", "--no-optional-locks", "-C", str(REPO_ROOT)]
    try:
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()  # fmt: skip
        status = subprocess.run([*git, "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, check=True).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    changed = len(status.splitlines())
    return head + (f" with {changed} modified files" if changed else "")


# -- main ------------------------------------------------------------------------------------


def run(args: argparse.Namespace, workdir: Path) -> int:
    print(f"code: {code_version()}; load average before: {os.getloadavg()[0]:.2f}")
    if args.set:
        print(f"extra settings for every crawl: {' '.join(args.set)}")
    print(f"starting the site ({args.articles:,} articles, seed {args.seed}) ...", flush=True)
    site = Site(args.articles, args.seed)
    try:
        return measure_all(args, workdir, site)
    finally:
        site.close()


def measure_all(args: argparse.Namespace, workdir: Path, site: Site) -> int:
    print(f"  {site.base_url} in process {site.process.pid}, ready in {site.startup:.1f} s")
    articles = set(site.paths)
    urls_file = workdir / "article-urls.txt"
    urls_file.write_text("".join(f"{site.base_url}{p}\n" for p in site.paths))
    sites_file = workdir / "sites.toml"
    write_sites_file(sites_file, site, args.articles)
    ceiling, first, rerun = [], [], []
    for k in range(args.repeat):
        print(f"repeat {k + 1}/{args.repeat}: ceiling ...", flush=True)
        stats_file = workdir / f"ceiling-{k}.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--ceiling-worker", str(urls_file),
               str(stats_file), *args.set]  # fmt: skip
        ceiling.append(measure(cmd, workdir / f"ceiling-{k}.log", site))
        if stats_file.exists():
            ceiling[-1].stats = json.loads(stats_file.read_text())
        database = workdir / f"crawl-{k}.sqlite3"
        for name, runs in (("first crawl", first), ("rerun", rerun)):
            print(f"repeat {k + 1}/{args.repeat}: {name} ...", flush=True)
            log = workdir / f"{name.split()[0]}-{k}.log"
            runs.append(measure(crawl_command(sites_file, database, args.set), log, site))
            runs[-1].stats = last_run_stats(database)
            runs[-1].stats["_article_200"] = len(runs[-1].article_hits(articles, 200))
    print_table(args.articles, ceiling, first, rerun)
    print(f"({args.repeat} run(s) each; pages/s = article pages / wall time of the process)")
    return check(ceiling, first, rerun, site, workdir)


def check(ceiling: list[Run], first: list[Run], rerun: list[Run], site: Site, workdir: Path) -> int:
    articles = set(site.paths)
    ok = all(r.code == 0 for r in [*ceiling, *first, *rerun])
    print("\ndetails:")
    for label, runs in (("ceiling", ceiling), ("first", first), ("rerun", rerun)):
        print_details(label, runs, articles)
    for r in ceiling:
        ok = ok and r.stats.get("ceiling/status_200") == len(articles)
    print("\ncrawl output check:")
    for k, r in enumerate(first):
        fetched = r.article_hits(articles, 200)
        once = len(fetched) == len(set(fetched)) == len(articles)
        stored = stored_check(workdir / f"crawl-{k}.sqlite3", site)
        stored_ok = (
            stored["articles"] == stored["expected"] == stored["urls_matching"]
            and stored["article_origins"] == stored["distinct_ids"] == stored["expected"]
            and stored["duplicate_urls"] == 0
        )
        ok = ok and once and stored_ok
        print(f"  first #{k + 1}: every article fetched once with 200: {once}; stored {stored}: "
              f"{'ok' if stored_ok else 'MISMATCH'}")  # fmt: skip
        budget = r.stats.get("discovery/skipped_max_pages", 0)
        ok = ok and budget == 0
        print(f"    run row {r.stats.get('run')}; skipped by the page budget {budget}, by the "
              f"pattern guard {r.stats.get('discovery/skipped_pattern', 0)}")  # fmt: skip
    for k, r in enumerate(rerun):
        full = r.stats["_article_200"]
        ok = ok and full == 0
        print(f"  rerun #{k + 1}: articles fetched in full {full}; skipped unchanged "
              f"{r.stats.get('pages/skipped_unchanged', 0)}, not modified "
              f"{r.stats.get('pages/not_modified', 0)}; run row {r.stats.get('run')}")  # fmt: skip
    for name in ("ceiling-0", "first-0", "rerun-0"):
        shapes, tracebacks = log_summary(workdir / f"{name}.log")
        print(f"  log {name}: {sum(shapes.values())} warning/error lines, {tracebacks} tracebacks")
        for shape, count in shapes.most_common(8):
            print(f"    {count:>6}  {shape}")
    return 0 if ok else 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000, help="articles on the site")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the site")
    parser.add_argument("--repeat", type=int, default=1, metavar="K", help="runs per measure")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep databases, logs, files")
    parser.add_argument(
        "-s", "--set", action="append", default=[], metavar="NAME=VALUE",
        help="one more Scrapy setting for (a), (b) and (c) alike (repeatable; experiments)",
    )  # fmt: skip
    parser.add_argument("--serve-worker", nargs=2, type=int, help=argparse.SUPPRESS)
    parser.add_argument("--ceiling-worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if any("=" not in s for s in args.set):
        parser.error("--set takes NAME=VALUE")
    if args.articles < 1 or args.repeat < 1:
        parser.error("--articles and --repeat must be at least 1")
    if args.keep and args.keep.exists() and any(args.keep.iterdir()):
        parser.error(f"--keep {args.keep}: the folder is not empty")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve_worker:
        serve_worker(*args.serve_worker)
        return 0
    if args.ceiling_worker:
        urls_file, stats_file, *extra = args.ceiling_worker
        ceiling_worker(Path(urls_file), Path(stats_file), extra)
        return 0
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        return run(args, args.keep.resolve())
    workdir = Path(tempfile.mkdtemp(prefix="web-bench-"))
    try:
        return run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
