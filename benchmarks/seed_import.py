"""Benchmark the seed import: `scrapy crawl seeds` on generated folders against a plain loop.

Usage (from the repository root, with the project's virtualenv)::

    .venv/bin/python benchmarks/seed_import.py --files 10000 [--seed 1] [--repeat 3]
    .venv/bin/python benchmarks/seed_import.py --files 100000 --skip-ceiling   # memory target

Generates ``--files`` seed files (deterministic from ``--seed``) shaped like analysts' export
folders, then times in fresh subprocesses (a) the real crawl into a fresh SQLite database and
(b) the ceiling: read, decode, split and ``executemany`` into SQLite with nothing else. Prints
files per second, their ratio and the crawl's peak RSS against the targets, and checks the
crawl's output (exit status, stored, merged and rejected counts, footer leaks, log lines).
Stdlib only; no network. ``--keep DIR`` keeps the seeds (``DIR/seeds``), databases and logs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
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
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 0.1
TARGET_PEAK_MB = 300
TARGET_FILES = 100_000
BROKEN_SHARE, DUPLICATE_SHARE, NEAR_DUPLICATE_SHARE = 0.01, 0.02, 0.01
SAMPLE_SECONDS = 0.25
"""Interval of the process-tree memory samples (each costs a few ms of CPU)."""

# -- vocabulary ------------------------------------------------------------------------------

FUNCTION_WORDS = {
    "en": "the of and to in a is that for on with as by at from it was this be are has have "
    "not but or which their its an were will more after than been also",
    "pl": "i w na z się że nie do to jest o jak po ale od przez dla oraz są który także już czy",
    "ru": "и в не на что с по это как из к для от о но же он она они был также уже",
}
REAL_WORDS = {  # real words mixed into the pseudo-words: diacritics at a natural rate
    "pl": "rząd polityka współpraca państwo wojsko granica bezpieczeństwa gospodarka wybory "
    "prezydent minister sankcje energia gazu ropy rynek porozumienie spotkanie decyzja władze "
    "kraju wojny między również jednak według rozmowy dostawy sytuacja regionu Rosja Ukraina "
    "Białoruś Polska Niemcy Moskwa Kijów Mińsk Warszawa sojuszników wpływ zagrożenie",
    "ru": "правительство политика сотрудничество государство армия граница безопасности "
    "экономика выборы президент министр санкции энергетика газа нефти рынок соглашение "
    "встреча решение власти страны войны между однако согласно переговоры поставки ситуация "
    "региона Россия Украина Белоруссия Польша Москва Киев Минск союзников влияние угроза",
}
SYLLABLES = {  # onsets, vowels, codas (repeated entries weigh more)
    "en": ("b c d f g h k l m n p r s t v w br cr dr gr pr st tr ch sh th", "a e i o u ai ea ou",
           "- n r s t l nd st"),
    "pl": ("b c d g k l m n p r s t w z b d k m n p r s t w z sz cz rz dz ż ł ś",
           "a a a a e e e i i i o o o u y y ą ę ó", "- - - n r k ł ń"),
    "ru": ("б в г д ж з к л м н п р с т ф х ц ч ш щ", "а е и о у ы я ю э", "- н р с т й ть"),
}  # fmt: skip
MONTHS = {
    "en": "January February March April May June July August September October November December",
    "pl": "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października "
    "listopada grudnia",
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
}
FIRST_NAMES = {
    "latin": "Anna Mark Sarah David Olena Tomas Laura Peter Maria James Katarzyna Grzegorz "
    "Michał Agnieszka Piotr Ewa Paweł Marta Jakub Zofia Łukasz Małgorzata",
    "ru": "Иван Анна Сергей Мария Дмитрий Ольга Алексей Елена Николай Татьяна",
}
LAST_NAMES = {
    "latin": "Kuczyński Nowak Kowalski Wiśniewska Smith Brown Miller Lewandowski Zieliński "
    "Szymańska Wójcik Kamiński Taylor Harris Dvořák Żurek Bielecka Grabowski",
    "ru": "Петров Смирнова Кузнецов Волкова Соколов Попова Лебедев Морозова Орлов Зайцева",
}
AND_WORD = {"en": "and", "pl": "i", "ru": "и"}
ROLES = ("Head of Programme", "Senior Analyst", "Director of the Russia Programme",
         "Research Fellow")  # fmt: skip
SOURCES = {
    "en": ("Reuters (reuters.com)", "Kremlin (kremlin.ru)", "BBC (bbc.co.uk)",
           "Ministry of Defence of Ukraine (mil.gov.ua)", "TASS (https://tass.com/politics)"),
    "pl": ("Polska Agencja Prasowa (pap.pl)", "Rzeczpospolita (rp.pl)", "Gov (gov.pl)"),
    "ru": ("ТАСС (tass.ru)", "Коммерсантъ (kommersant.ru)", "Интерфакс (interfax.ru)"),
}  # fmt: skip
TAGS = ("migration crisis", "NATO", "Belarus", "Russia", "Ukraine", "energy security", "Iran",
        "sanctions", "Baltic states", "China", "defence industry", "elections")  # fmt: skip
APPEAL = (
    "If content prepared by Warsaw Institute team is useful for you, please support our "
    "actions. Donations from private persons are necessary for the continuation of our mission."
)
LICENCE = (
    "All texts published by the Warsaw Institute Foundation may be disseminated on the "
    "condition that their origin is credited. Images may not be used without permission."
)
NEWSLETTER = (
    "Subscribe to the Eastern Monitor newsletter: our analysts' briefings on Central and "
    "Eastern Europe, every Thursday morning."
)
LEAK_MARKERS = ("Related posts", "Donations from private persons", "Eastern Monitor newsletter",
                "All rights reserved", "Share this article")  # fmt: skip
"""Footer text that must not survive into a stored body (generated words never contain it)."""
ANALYSTS = (("kuczynski_g", "warsaw"), ("nowak_a", "warsaw"), ("smith_s", "eastern"),
            ("zielinski_p", "warsaw"), ("petrova_o", "warsaw"), ("brown_d", "eastern"),
            ("wojcik_m", "warsaw"), ("harris_j", "warsaw"))  # fmt: skip


class Vocabulary:
    """Pseudo-words per language (a few thousand), with function words mixed in at ~1/3."""

    def __init__(self, rng: random.Random, size: int = 3000) -> None:
        self.words: dict[str, list[str]] = {}
        self.pools: dict[str, list[str]] = {}
        for lang, (onsets, vowels, codas) in SYLLABLES.items():
            onset, vowel, coda = onsets.split(), vowels.split(), codas.replace("-", "").split(" ")
            target, seen = (size if lang == "en" else size // 2), set()
            words: list[str] = []
            while len(words) < target:
                word = "".join(
                    rng.choice(onset) + rng.choice(vowel) for _ in range(rng.randint(1, 3))
                ) + rng.choice(coda)
                if len(word) > 2 and word not in seen:
                    seen.add(word)
                    words.append(word)
            real = REAL_WORDS.get(lang, "").split()
            self.words[lang] = words + real
            function = FUNCTION_WORDS[lang].split()
            self.pools[lang] = [*words, *real * 3, *function * (len(words) // (2 * len(function)))]
        surnames = [w.capitalize() + rng.choice(("ski", "ska", "wicz")) for w in self.words["pl"]]
        self.first = {k: v.split() for k, v in FIRST_NAMES.items()}
        self.last = {"latin": LAST_NAMES["latin"].split() + surnames[:200],
                     "ru": LAST_NAMES["ru"].split()}  # fmt: skip

    def sentence_run(self, rng: random.Random, lang: str, count: int) -> str:
        """About ``count`` words as sentences of 6-20 words."""
        words = rng.choices(self.pools[lang], k=count)
        out, start = [], 0
        while start < len(words):
            end = min(len(words), start + rng.randint(6, 20))
            chunk = words[start:end]
            out.append(" ".join([chunk[0].capitalize(), *chunk[1:]]) + ".")
            start = end
        return " ".join(out)

    def title(self, rng: random.Random, lang: str) -> str:
        return " ".join(w.capitalize() for w in rng.choices(self.words[lang], k=rng.randint(4, 9)))

    def name(self, rng: random.Random, lang: str) -> str:
        script = "ru" if lang == "ru" else "latin"
        return f"{rng.choice(self.first[script])} {rng.choice(self.last[script])}"


# -- documents -------------------------------------------------------------------------------


@dataclass(slots=True)
class Doc:
    """One generated seed file before rendering; ``traits`` feed the generation summary."""

    lang: str
    encoding: str
    crlf: bool
    bom: bool
    header: str
    title: str
    lead: str
    source: str | None
    paragraphs: list[str]
    footer: list[str]
    published: date
    authors: list[str]
    """The names a correct import stores, in order."""
    traits: list[str] = field(default_factory=list)

    def render(self) -> bytes:
        parts = [self.header, self.title, self.lead]
        if self.source:
            parts.append(self.source)
        text = "\n\n".join([*parts, *self.paragraphs, *self.footer])
        if self.crlf:
            text = text.replace("\n", "\r\n")
        return (b"\xef\xbb\xbf" if self.bom else b"") + text.encode(self.encoding)


def pick(rng: random.Random, weighted: dict[str, float]) -> str:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def render_date(rng: random.Random, lang: str, day: date) -> tuple[str, str]:
    style = pick(rng, {"en": {"d_month_y": 70, "month_d_y": 12, "dotted": 9, "iso": 9},
                       "pl": {"d_month_y": 60, "dotted": 25, "iso": 15},
                       "ru": {"d_month_y": 60, "dotted": 30, "iso": 10}}[lang])  # fmt: skip
    month = MONTHS[lang].split()[day.month - 1]
    text = {
        "d_month_y": f"{day.day} {month} {day.year}",
        "month_d_y": f"{month} {day.day}, {day.year}",
        "dotted": f"{day.day:02d}.{day.month:02d}.{day.year}",
        "iso": day.isoformat(),
    }[style]
    return text, f"date:{lang}_{style}"


def render_header(
    rng: random.Random, vocab: Vocabulary, lang: str, day: date
) -> tuple[str, list[str], list[str]]:
    """The header lines, their traits and the author names they hold."""
    date_text, date_trait = render_date(rng, lang, day)
    style = pick(rng, {"single": 58, "two": 10, "three": 8, "caps": 8, "role": 6, "by": 10})
    names: list[str] = []
    while len(names) < {"two": 2, "three": 3, "by": 2}.get(style, 1):
        name = vocab.name(rng, lang)
        if name not in names:
            names.append(name)
    if style == "two":
        byline = f" {AND_WORD[lang]} ".join(names)
    elif style == "three":
        byline = f"{names[0]}, {names[1]} & {names[2]}"
    elif style == "caps":
        byline = names[0].upper()
    elif style == "role":
        byline = f"By Prof. {names[0]}, {rng.choice(ROLES)}"
    else:
        byline = names[0]
    if style == "by":  # bare "By A and B" on the date line, on its own line, or after Author:
        byline = f"By {names[0]} {AND_WORD[lang]} {names[1]}"
        form = pick(rng, {"same_line": 6, "own_line": 3, "after_author": 1})
        header = {
            "same_line": f"Date: {date_text} {byline}",
            "own_line": f"Date: {date_text}\n{byline}",
            "after_author": f"Date: {date_text} Author: {byline}",
        }[form]
        return header, [date_trait, f"byline:by_{form}"], names
    if rng.random() < 0.08:
        header, style = f"Date: {date_text}\nAuthor: {byline}", f"{style}_2lines"
    else:
        header = f"Date: {date_text} Author: {byline}"
    return header, [date_trait, f"byline:{style}"], names


def render_footer(rng: random.Random, publisher: str, year: int) -> list[str]:
    if publisher == "eastern":
        footer = ["Share this article", NEWSLETTER,
                  f"© {year} Eastern Monitor Foundation. All rights reserved."]  # fmt: skip
        return [*footer, "Back to top"] if rng.random() < 0.7 else footer
    footer = ["Support Us", APPEAL + ("\n" if rng.random() < 0.5 else "")]
    if rng.random() < 0.5:
        footer.append("Support")
    footer.append(LICENCE + ("\n" if rng.random() < 0.5 else ""))
    if rng.random() < 0.6:
        footer += [f"TAGS: {', '.join(rng.sample(TAGS, rng.randint(2, 5)))}", "\u00a0"]
    footer.append("Related posts")
    if rng.random() < 0.6:
        footer.append("Top")
    return footer


def make_doc(rng: random.Random, vocab: Vocabulary, home_publisher: str) -> Doc:
    """A unique, valid seed document (language, encoding, header, footer drawn from ``rng``)."""
    variant = pick(rng, {"en:utf-8": 80, "en:utf-8-bom-crlf": 6, "pl:utf-8": 2,
                         "pl:cp1250": 6, "ru:utf-8": 1.5, "ru:cp1251": 4.5})  # fmt: skip
    lang, encoding = variant.split(":")
    bom = encoding == "utf-8-bom-crlf"
    crlf = bom or (encoding == "cp1250" and rng.random() < 0.5)
    day = date(2015, 1, 1) + timedelta(days=rng.randrange(3650))
    header, traits, names = render_header(rng, vocab, lang, day)
    publisher = pick(rng, {home_publisher: 84, "none": 8,
                           ("eastern" if home_publisher == "warsaw" else "warsaw"): 8})  # fmt: skip
    footer = [] if publisher == "none" else render_footer(rng, publisher, day.year)
    source = None
    if rng.random() < 0.4:
        source = "SOURCE: " + "; ".join(rng.sample(SOURCES[lang], rng.randint(1, 2)))
    doc = Doc(
        lang=lang,
        encoding="utf-8" if bom else encoding,
        crlf=crlf,
        bom=bom,
        header=header,
        title=vocab.title(rng, lang),
        lead=vocab.sentence_run(rng, lang, rng.randint(25, 50)),
        source=source,
        paragraphs=[],
        footer=footer,
        published=day,
        authors=names,
        traits=[f"encoding:{variant.split(':')[1]}", f"footer:{publisher}", *traits],
    )
    target, size = rng.randint(2000, 5000), len(doc.render())
    while len(doc.paragraphs) < 8 and (len(doc.paragraphs) < 2 or size < target):
        paragraph = vocab.sentence_run(rng, lang, rng.randint(40, 120))
        grown = size + len(paragraph.encode(doc.encoding)) + 2
        if len(doc.paragraphs) >= 2 and grown > 5000:
            break
        doc.paragraphs.append(paragraph)
        size = grown
    return doc


def mutate(rng: random.Random, vocab: Vocabulary, doc: Doc) -> None:
    """Change a few words of the body: a near duplicate (a corrected typo, a reworded phrase)."""
    for _ in range(rng.randint(2, 5)):
        index = rng.randrange(len(doc.paragraphs))
        words = doc.paragraphs[index].split(" ")
        words[rng.randrange(1, len(words))] = rng.choice(vocab.words[doc.lang])
        doc.paragraphs[index] = " ".join(words)


def broken_file(rng: random.Random, vocab: Vocabulary) -> tuple[bytes, str]:
    kind = pick(rng, {"empty": 1, "blank": 1, "binary": 2, "no_header": 2})
    if kind == "empty":
        return b"", kind
    if kind == "blank":
        return b"\n \n\t\n", kind
    if kind == "binary":
        return b"%PDF-1.4\n\x00\x01" + rng.randbytes(rng.randint(2000, 5000)), kind
    text = "\n\n".join(
        [vocab.title(rng, "en"), *(vocab.sentence_run(rng, "en", 80) for _ in range(3))]
    )
    return text.encode(), kind


@dataclass(slots=True)
class Corpus:
    """What was generated, and what a correct import of it stores."""

    files: int = 0
    bytes: int = 0
    unique: int = 0
    broken: int = 0
    duplicates: int = 0
    near_duplicates: int = 0
    sizes: list[int] = field(default_factory=list)
    traits: Counter[str] = field(default_factory=Counter)
    expected: dict[str, tuple[str, tuple[str, ...], str]] = field(default_factory=dict)
    """Title -> (ISO date, author names, traits) of every unique document."""


def generate(root: Path, files: int, seed: int) -> Corpus:
    """Write ``files`` seed files under ``root``/<analyst>/<year|copies|drafts>/, deterministic."""
    rng, vocab = random.Random(seed), Vocabulary(random.Random(f"{seed}:vocabulary"))
    counts = {
        "broken": round(files * BROKEN_SHARE),
        "duplicate": round(files * DUPLICATE_SHARE),
        "near": round(files * NEAR_DUPLICATE_SHARE),
    }
    kinds = [kind for kind, n in counts.items() for _ in range(n)]
    kinds += ["unique"] * (files - len(kinds))
    rng.shuffle(kinds)
    if files:
        first = kinds.index("unique")
        kinds[0], kinds[first] = kinds[first], kinds[0]
    corpus, uniques = Corpus(files=files), []  # (index, path) of unique documents
    for index, kind in enumerate(kinds):
        name = f"{index:06d}_{rng.getrandbits(64):016x}.txt"
        analyst, publisher = rng.choice(ANALYSTS)
        if kind == "unique":
            doc = make_doc(random.Random(f"{seed}:doc:{index}"), vocab, publisher)
            data, folder = doc.render(), f"{analyst}/{doc.published.year}"
            corpus.traits.update(doc.traits)
            corpus.expected[doc.title] = (doc.published.isoformat(), tuple(doc.authors),
                                          " ".join(doc.traits))  # fmt: skip
        elif kind == "broken":
            data, trait = broken_file(rng, vocab)
            folder = f"{analyst}/{2015 + rng.randrange(10)}"
            corpus.traits[f"broken:{trait}"] += 1
        else:
            source_index, source_path = rng.choice(uniques)
            if kind == "duplicate":
                data, folder = source_path.read_bytes(), f"{analyst}/copies"
            else:
                source_analyst = source_path.parent.parent.name
                home = dict(ANALYSTS)[source_analyst]
                doc = make_doc(random.Random(f"{seed}:doc:{source_index}"), vocab, home)
                mutate(rng, vocab, doc)
                data, folder = doc.render(), f"{analyst}/drafts"
        path = root / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if kind == "unique":
            uniques.append((index, path))
        corpus.bytes += len(data)
        corpus.sizes.append(len(data))
    corpus.unique = len(uniques)
    corpus.broken, corpus.duplicates, corpus.near_duplicates = counts.values()
    return corpus


# -- the ceiling -----------------------------------------------------------------------------


def ceiling_import(root: Path, database: Path) -> int:
    """Read, decode, split and insert every ``.txt`` under ``root`` in one transaction."""

    def rows() -> Iterator[tuple[str, str, str, str]]:
        for directory, subdirs, names in os.walk(root):
            subdirs.sort()
            for name in sorted(names):
                if not name.endswith(".txt"):
                    continue
                data = Path(directory, name).read_bytes()
                try:
                    text = data.decode("utf-8-sig")
                except UnicodeDecodeError:
                    text = data.decode("cp1250", errors="replace")
                parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n")]
                parts = [p for p in parts if p]
                if len(parts) < 3 or not parts[0].startswith("Date:"):
                    continue
                header, title, *paragraphs = parts
                date_text, _, author = header[5:].partition("Author:")
                yield title, "\n\n".join(paragraphs), date_text.strip(), author.strip()

    connection = sqlite3.connect(database)
    with connection:
        connection.execute(
            "CREATE TABLE articles (id INTEGER PRIMARY KEY, title TEXT, body TEXT, date TEXT,"
            " author TEXT)"
        )
        connection.executemany(
            "INSERT INTO articles (title, body, date, author) VALUES (?, ?, ?, ?)", rows()
        )
    (stored,) = connection.execute("SELECT count(*) FROM articles").fetchone()
    connection.close()
    return stored


# -- measuring -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Measurement:
    code: int
    wall: float
    peak_mb: float
    """Peak RSS of the largest single process (``ru_maxrss`` of the children)."""
    tree_mb: float | None
    """Peak of the summed PSS of the command's whole process tree (workers included), sampled
    every SAMPLE_SECONDS from /proc; None where /proc is missing."""


def measure(cmd: list[str], log: Path) -> Measurement:
    """Run ``cmd`` from the repository root in a fresh process of its own and measure it."""
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--measure-worker", str(log), *cmd],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout)
    per_mb = 1024 * 1024 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS
    tree = result["tree_kb"] / 1024 if result["tree_kb"] else None
    return Measurement(result["code"], result["wall"], result["peak"] / per_mb, tree)


def measure_worker(log: Path, cmd: list[str]) -> dict[str, float]:
    """Run ``cmd`` with its output in ``log``: wall time, children's ru_maxrss, tree peak PSS.

    Runs in a fresh process per measurement, so RUSAGE_CHILDREN holds this command's peak only.
    """
    start = time.perf_counter()
    tree_kb = 0
    with log.open("wb") as out:
        child = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT)
        while child.poll() is None:
            tree_kb = max(tree_kb, _tree_kb(child.pid))
            time.sleep(SAMPLE_SECONDS)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"code": child.returncode, "wall": wall, "peak": peak, "tree_kb": tree_kb}


def _tree_kb(root: int) -> int:
    """Summed PSS (else RSS) in KB of ``root`` and its descendants; 0 without /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, ValueError, IndexError):
            continue
    tree, grown = {root}, True
    while grown:
        found = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= found
        grown = bool(found)
    total = 0
    for pid in tree:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            try:
                text = Path(f"/proc/{pid}/status").read_text().replace("VmRSS:", "Pss:")
            except OSError:
                continue
        match = re.search(r"^Pss:\s+(\d+) kB", text, re.MULTILINE)
        total += int(match[1]) if match else 0
    return total


def crawl_command(seeds: Path, database: Path) -> list[str]:
    return [
        sys.executable, "-m", "scrapy", "crawl", "seeds", "-a", f"path={seeds}",
        "-s", f"DATABASE_URL=sqlite:///{database}", "-s", "LOG_LEVEL=WARNING",
    ]  # fmt: skip


def stored_figures(database: Path) -> dict[str, object]:
    """What the crawl stored: counts, the run row and simple quality checks."""
    connection = sqlite3.connect(database)
    one = lambda sql, *args: connection.execute(sql, args).fetchone()[0]  # noqa: E731
    leaks = " OR ".join("body LIKE ?" for _ in LEAK_MARKERS)
    figures: dict[str, object] = {
        "articles": one("SELECT count(*) FROM articles"),
        "origins": one("SELECT count(*) FROM origins"),
        "undated": one("SELECT count(*) FROM articles WHERE published IS NULL"),
        "no_authors": one(
            "SELECT count(*) FROM articles WHERE id NOT IN (SELECT article_id FROM article_authors)"
        ),
        "no_publisher": one("SELECT count(*) FROM articles WHERE publisher IS NULL"),
        "footer_leaks": one(
            f"SELECT count(*) FROM articles WHERE {leaks}", *(f"%{m}%" for m in LEAK_MARKERS)
        ),
        "languages": dict(
            connection.execute(
                "SELECT coalesce(language, '-'), count(*) FROM articles GROUP BY 1 ORDER BY 2 DESC"
            ).fetchall()
        ),
        "authors": one("SELECT count(*) FROM authors"),
    }
    run = connection.execute(
        "SELECT status, seen, new, updated, merged, unchanged, rejected, errors, stats"
        " FROM runs ORDER BY id DESC LIMIT 1"
    ).fetchone()
    connection.close()
    if run:
        keys = ("status", "seen", "new", "updated", "merged", "unchanged", "rejected", "errors")
        figures["run"] = dict(zip(keys, run[:8], strict=True))
        stats = json.loads(run[8]) if isinstance(run[8], str) else run[8] or {}
        figures["rejected_by_reason"] = stats.get("rejected", {})
        figures["dates"] = {k: v for k, v in stats.items() if k.startswith("dates/")}
    return figures


def field_mismatches(database: Path, corpus: Corpus) -> tuple[Counter[str], dict[str, str]]:
    """Stored dates and authors that differ from the generated ones, counted by trait."""
    connection = sqlite3.connect(database)
    names: dict[str, list[str]] = {}
    for article_id, name in connection.execute(
        "SELECT article_id, name FROM article_authors JOIN authors ON authors.id = author_id"
        " ORDER BY article_id, position"
    ):
        names.setdefault(article_id, []).append(name)
    counts: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for article_id, title, published in connection.execute(
        "SELECT id, title, published FROM articles"
    ):
        if title not in corpus.expected:
            counts["title not generated"] += 1
            examples.setdefault("title not generated", repr(title)[:100])
            continue
        want_date, want_authors, traits = corpus.expected[title]
        got_authors = names.get(article_id, [])
        checks = (("date", published, want_date, "date:"),
                  ("authors", [n.casefold() for n in got_authors],
                   [n.casefold() for n in want_authors], "byline:"))  # fmt: skip
        for label, got, want, prefix in checks:
            if got != want:
                trait = next(t for t in traits.split() if t.startswith(prefix))
                key = f"{label} wrong for {trait}"
                counts[key] += 1
                examples.setdefault(key, f"stored {got!r}, generated {want!r}")
    connection.close()
    return counts, examples


_LOG_LINE = re.compile(r"^\S+ \S+ \[(?P<logger>[^\]]+)\] (?P<level>WARNING|ERROR|CRITICAL): ")
_VARYING = (
    (re.compile(r"file://\S+?(?=:? |$)"), "<file>"),
    (re.compile(r"'[^']*'"), "'…'"),
    (re.compile(r"\d+"), "N"),
)


def log_summary(log: Path) -> tuple[Counter[str], int]:
    """Warning/error lines grouped by shape (paths, quotes, numbers masked); traceback count."""
    shapes: Counter[str] = Counter()
    tracebacks = 0
    for line in log.read_text(errors="replace").splitlines():
        tracebacks += line.startswith("Traceback")
        match = _LOG_LINE.match(line)
        if match:
            shape = f"{match['level']} [{match['logger']}] {line[match.end() :]}"
            for pattern, mask in _VARYING:
                shape = pattern.sub(mask, shape)
            shapes[shape[:160]] += 1
    return shapes, tracebacks


# -- reporting -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Summary:
    """Best and median files/s, best wall time and the highest peaks of a measure's runs."""

    best: float
    median: float
    wall: float
    peak_mb: float
    tree_mb: float | None

    @classmethod
    def of(cls, files: int, runs: list[Measurement]) -> Summary:
        walls = [m.wall for m in runs]
        trees = [m.tree_mb for m in runs if m.tree_mb is not None]
        return cls(
            best=files / min(walls),
            median=files / statistics.median(walls),
            wall=min(walls),
            peak_mb=max(m.peak_mb for m in runs),
            tree_mb=max(trees) if trees else None,
        )


def print_report(
    corpus: Corpus, crawl: list[Measurement], ceiling: list[Measurement], repeat: int
) -> None:
    width = 24
    print(f"\n{'':{width}}{'files/s best':>14}{'files/s median':>16}{'wall s best':>13}"
          f"{'peak MB 1 proc':>16}{'peak MB all':>13}")  # fmt: skip
    rows = [("scrapy crawl seeds", Summary.of(corpus.files, crawl))]
    if ceiling:
        rows.append(("ceiling (plain Python)", Summary.of(corpus.files, ceiling)))
    for label, r in rows:
        tree = "n/a" if r.tree_mb is None else f"{r.tree_mb:.1f}"
        print(f"{label:{width}}{r.best:>14,.1f}{r.median:>16,.1f}{r.wall:>13.2f}"
              f"{r.peak_mb:>16.1f}{tree:>13}")  # fmt: skip
    crawl_summary, ratio = rows[0][1], None
    if ceiling:
        ratio = crawl_summary.best / rows[1][1].best
        ratio_median = crawl_summary.median / rows[1][1].median
        print(f"{'ratio crawl / ceiling':{width}}{ratio:>14.3f}{ratio_median:>16.3f}")
    print(f"({repeat} run(s) each; peak MB: highest of the runs, of the largest process"
          " (ru_maxrss) and of all its processes (summed PSS, sampled every"
          f" {SAMPLE_SECONDS} s))\n")  # fmt: skip
    status = "n/a (--skip-ceiling)"
    if ratio is not None:
        status = f"{_verdict(ratio >= TARGET_RATIO)} ({ratio:.3f})"
    print(f"target  ratio >= {TARGET_RATIO}: {status}")
    peak = max(crawl_summary.peak_mb, crawl_summary.tree_mb or 0)
    scope = "" if corpus.files >= TARGET_FILES else f" (measured at {corpus.files:,} files)"
    print(f"target  crawl peak < {TARGET_PEAK_MB} MB at {TARGET_FILES:,} files: "
          f"{_verdict(peak < TARGET_PEAK_MB)} ({peak:.1f} MB){scope}")  # fmt: skip


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_checks(
    corpus: Corpus, database: Path, figures: dict, shapes: Counter[str], tracebacks: int
) -> bool:
    """Compare the crawl's output with what the generator knows; return whether all agree."""
    expected = {
        "articles": corpus.unique,
        "origins": corpus.files - corpus.broken,
        "rejected": corpus.broken,
        "merged": corpus.duplicates + corpus.near_duplicates,
    }
    run = figures.get("run", {})
    actual = {
        "articles": figures["articles"],
        "origins": figures["origins"],
        "rejected": run.get("rejected"),
        "merged": run.get("merged"),
    }
    ok = True
    print("\ncrawl output check (expected from the generator):")
    for key, want in expected.items():
        got = actual[key]
        ok = ok and got == want
        print(f"  {key:<10}{got!s:>9}  expected {want:<9}{'ok' if got == want else 'MISMATCH'}")
    print(f"  run row   {run}")
    print(f"  rejected by reason {figures.get('rejected_by_reason')}; dates {figures.get('dates')}")
    quality = {k: figures[k] for k in ("undated", "no_authors", "no_publisher", "footer_leaks")}
    print(f"  quality   {quality}; distinct authors {figures['authors']}")
    languages = list(figures["languages"].items())
    others = sum(count for _, count in languages[8:])
    shown = ", ".join(f"{code} {count}" for code, count in languages[:8])
    print(f"  languages {shown}" + (f", {len(languages) - 8} others {others}" if others else ""))
    mismatches, examples = field_mismatches(database, corpus)
    print(
        f"  fields: {sum(mismatches.values())} wrong dates/author lists"
        + (":" if mismatches else "")
    )
    for key, count in mismatches.most_common():
        ok = False
        print(f"    {count:>7}  {key}, e.g. {examples[key]}")
    total = sum(shapes.values())
    print(f"  log: {total} warning/error lines, {tracebacks} tracebacks")
    for shape, count in shapes.most_common(10):
        print(f"    {count:>7}  {shape}")
    return ok


# -- main ------------------------------------------------------------------------------------


def code_version() -> str:
    """The commit measured, and how many files differ from it (read-only git, no index lock)."""
    git = ["git", "--no-optional-locks", "-C", str(REPO_ROOT)]
    try:
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()  # fmt: skip
        status = subprocess.run([*git, "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, check=True).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    changed = len(status.splitlines())
    return f"{head}" + (f" with {changed} modified files" if changed else "")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000, help="seed files to generate")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the generator")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep seeds, databases, logs")
    parser.add_argument("--skip-ceiling", action="store_true", help="measure the crawl only")
    parser.add_argument("--repeat", type=int, default=1, metavar="K", help="runs per measure")
    parser.add_argument("--ceiling-worker", nargs=2, metavar=("DIR", "DB"), help=argparse.SUPPRESS)
    parser.add_argument("--measure-worker", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.files < 1 or args.repeat < 1:
        parser.error("--files and --repeat must be at least 1")
    if args.keep and args.keep.exists() and any(args.keep.iterdir()):
        parser.error(f"--keep {args.keep}: the folder is not empty")
    return args


def run(args: argparse.Namespace, workdir: Path) -> int:
    seeds = workdir / "seeds"
    print(f"generating {args.files:,} seed files (seed {args.seed}) in {seeds} ...", flush=True)
    corpus = generate(seeds, args.files, args.seed)
    sizes = sorted(corpus.sizes)
    median = sizes[len(sizes) // 2]
    print(f"  {corpus.bytes / 1e6:.1f} MB; sizes min {sizes[0]}, median {median}, max {sizes[-1]}"
          f" bytes; unique {corpus.unique:,}, broken {corpus.broken:,}, exact duplicates"
          f" {corpus.duplicates:,}, near duplicates {corpus.near_duplicates:,}")  # fmt: skip
    for prefix in ("encoding", "footer", "date", "byline", "broken"):
        found = sorted((k, v) for k, v in corpus.traits.items() if k.startswith(prefix + ":"))
        print(f"  {prefix}: " + ", ".join(f"{k.split(':', 1)[1]} {v}" for k, v in found))
    os.sync()  # the generated files reach the disk now, not during the first measure
    print(f"code: {code_version()}; load average before measuring: {os.getloadavg()[0]:.2f}")
    # crawl and ceiling runs alternate: a slow spell of this shared machine hits both
    crawl: list[Measurement] = []
    ceiling: list[Measurement] = []
    for attempt in range(args.repeat):
        database, log = workdir / f"bench-{attempt}.sqlite3", workdir / f"crawl-{attempt}.log"
        print(f"crawl run {attempt + 1}/{args.repeat} ...", flush=True)
        crawl.append(measure(crawl_command(seeds, database), log))
        if crawl[-1].code != 0:
            print(f"  crawl exited {crawl[-1].code}; last log lines:")
            print("\n".join(log.read_text(errors="replace").splitlines()[-20:]))
        if args.skip_ceiling:
            continue
        database = workdir / f"ceiling-{attempt}.sqlite3"
        print(f"ceiling run {attempt + 1}/{args.repeat} ...", flush=True)
        cmd = [sys.executable, str(Path(__file__).resolve()), "--ceiling-worker", str(seeds),
               str(database)]  # fmt: skip
        ceiling.append(measure(cmd, workdir / f"ceiling-{attempt}.log"))
        if ceiling[-1].code != 0:
            print((workdir / f"ceiling-{attempt}.log").read_text(errors="replace"))
    print_report(corpus, crawl, ceiling, args.repeat)
    print(f"crawl exit status: {', '.join(str(m.code) for m in crawl)}")
    try:
        figures = stored_figures(workdir / "bench-0.sqlite3")
    except sqlite3.Error as exc:
        print(f"cannot read the crawl's database: {exc}")
        return 1
    shapes, tracebacks = log_summary(workdir / "crawl-0.log")
    checks_ok = print_checks(corpus, workdir / "bench-0.sqlite3", figures, shapes, tracebacks)
    failed = any(m.code for m in [*crawl, *ceiling])
    return 1 if failed or not checks_ok else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.measure_worker:
        log, *cmd = args.measure_worker
        print(json.dumps(measure_worker(Path(log), cmd)))
        return 0
    if args.ceiling_worker:
        stored = ceiling_import(Path(args.ceiling_worker[0]), Path(args.ceiling_worker[1]))
        print(f"ceiling stored {stored} rows")
        return 0
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        return run(args, args.keep.resolve())
    workdir = Path(tempfile.mkdtemp(prefix="seed-bench-"))
    try:
        return run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
