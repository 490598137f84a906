"""Reading seed folders: files to raw Article items, their language told; runs in worker
processes, so it imports nothing heavy (page extraction is loaded only for saved pages)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from crawler.items import Article
from crawler.normalize.boilerplate import edge_digests
from crawler.normalize.language import detect_language
from crawler.seedfiles import SeedFileError, decode_text, parse_seed

TEXT_SUFFIXES = frozenset({".txt"})
PAGE_SUFFIXES = frozenset({".html", ".htm"})
CHUNK = 256
"""Files read and parsed per worker call."""


def iter_seed_files(root: Path) -> Iterator[str]:
    """Yield the paths of the text exports and saved pages under ``root`` (or ``root``
    itself), sorted; as strings, a third of the memory of Path objects for large folders.

    Paths are absolute, under ``root``'s real path (resolved once: a file's origin is where
    the folder holds it, so resolving every file again would cost a system call per folder
    level); a symbolic link to a file is imported under its own name."""
    root = root.resolve()
    if root.is_file():
        yield str(root)
        return
    suffixes = TEXT_SUFFIXES | PAGE_SUFFIXES
    for directory, subdirs, files in os.walk(root):
        subdirs.sort()
        for name in sorted(files):
            if os.path.splitext(name)[1].lower() in suffixes:
                yield os.path.join(directory, name)


def read_seed_file(path: Path, max_size: int) -> Article:
    """Read one seed file (an absolute path, see ``iter_seed_files``) into a raw Article;
    raises SeedFileError with a reason."""
    try:
        size = path.stat().st_size
        if size > max_size:
            raise SeedFileError("too_large", f"{size} bytes is over the {max_size}-byte limit")
        data = path.read_bytes()
    except OSError as exc:
        raise SeedFileError("unreadable", exc.strerror or str(exc)) from None
    origin, group = path.as_uri(), str(path.parent)
    if path.suffix.lower() in PAGE_SUFFIXES:
        return _page_article(data, origin, group)
    doc = parse_seed(decode_text(data))
    body = "\n\n".join(doc.paragraphs)
    return Article(
        origin=origin,
        title=doc.title,
        lead=doc.lead,
        body=body,
        # told here, in the reader processes, as page extraction tells a page's; from the
        # text's beginning, which a footer never reaches but in a text of a few words
        language=detect_language("\n".join(filter(None, (doc.lead, body))) or doc.title),
        authors=[doc.byline] if doc.byline else [],
        published=doc.date,
        source_refs=[{"name": ref.name, "url": ref.url} for ref in doc.source_refs],
        group=group,
    )


def _page_article(data: bytes, origin: str, group: str) -> Article:
    if not data.strip():
        raise SeedFileError("empty", "empty file")
    from w3lib.encoding import html_to_unicode

    from crawler.pages import extract_article

    _, html = html_to_unicode(None, data)
    page = extract_article(html)
    if not page.is_article:
        raise SeedFileError("not_an_article", "saved page holds no article")
    return Article.from_page(page, origin, group=group)


Outcome = Article | tuple[str, str]
"""A read file: its Article, or the (reason, message) it was rejected for."""


def read_chunk(paths: Sequence[str], max_size: int) -> list[tuple[str, Outcome]]:
    """Read and parse files (in a worker process): one outcome per path."""
    results: list[tuple[str, Outcome]] = []
    for path in paths:
        try:
            results.append((path, read_seed_file(Path(path), max_size)))
        except SeedFileError as exc:
            results.append((path, (exc.reason, str(exc))))
    return results


def learn_chunk(paths: Sequence[str], max_size: int) -> list[tuple[str, frozenset[str]]]:
    """The (group, edge digests) of the readable text exports among ``paths`` (in a worker)."""
    learned = []
    for path in map(Path, paths):
        if path.suffix.lower() not in TEXT_SUFFIXES:
            continue
        try:
            if path.stat().st_size > max_size:
                continue
            doc = parse_seed(decode_text(path.read_bytes()))
        except (OSError, SeedFileError):
            continue
        learned.append((str(path.parent), edge_digests(doc.paragraphs)))
    return learned


LEARNING_FLOOR = 25
"""Files every folder contributes to the learning sample (all of them when it has fewer)."""


def learning_sample(paths: Sequence[str], budget: int) -> list[str]:
    """About ``budget`` files spread evenly over the import, each folder in proportion but
    with at least ``LEARNING_FLOOR`` files: enough to find the blocks that recur in a fifth
    of a folder's or of the whole import's documents, at a fraction of a full second pass."""
    if len(paths) <= budget:
        return list(paths)
    folders: dict[str, list[str]] = {}
    for path in paths:
        folders.setdefault(os.path.dirname(path), []).append(path)
    share = budget / len(paths)
    sample: list[str] = []
    for members in folders.values():
        take = min(len(members), max(LEARNING_FLOOR, round(len(members) * share)))
        step = len(members) / take
        sample.extend(members[int(i * step)] for i in range(take))
    return sample
