"""Site profiles: the analysis sites a user follows, read from ``seeds/sites.toml``."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_MAX_PAGES = 2000
DEFAULT_MAX_DEPTH = 3


class SiteConfigError(ValueError):
    """The sites file cannot be used; the message names the file, the site and the problem."""


@dataclass(frozen=True)
class SiteProfile:
    """One site to crawl: where to start, what to follow, and how far."""

    name: str
    start_urls: tuple[str, ...]
    allowed_paths: tuple[re.Pattern[str], ...] = ()
    denied_paths: tuple[re.Pattern[str], ...] = ()
    max_pages: int = DEFAULT_MAX_PAGES
    max_depth: int = DEFAULT_MAX_DEPTH
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    hosts: frozenset[str] = field(default_factory=frozenset)
    """Host names of the start URLs, with and without ``www.``: the only hosts followed."""


def _hosts(urls: tuple[str, ...]) -> frozenset[str]:
    hosts = set()
    for url in urls:
        host = (urlsplit(url).hostname or "").lower()
        if host:
            bare = host.removeprefix("www.")
            hosts.update({bare, f"www.{bare}"} if not _is_ip(bare) else {bare})
    return frozenset(hosts)


def _is_ip(host: str) -> bool:
    return bool(re.fullmatch(r"[\d.]+|\[?[0-9a-f:]+\]?", host))


def make_profile(
    name: str,
    start_urls: list[str] | tuple[str, ...],
    *,
    allowed_paths: list[str] | tuple[str, ...] = (),
    denied_paths: list[str] | tuple[str, ...] = (),
    max_pages: int = DEFAULT_MAX_PAGES,
    max_depth: int = DEFAULT_MAX_DEPTH,
    feeds: list[str] | tuple[str, ...] = (),
    sitemaps: list[str] | tuple[str, ...] = (),
) -> SiteProfile:
    """Build a profile, checking its values; raises SiteConfigError."""
    urls = tuple(u.strip() for u in start_urls if u.strip())
    if not urls:
        raise SiteConfigError(f"site {name!r} has no start_urls")
    for url in (*urls, *feeds, *sitemaps):
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise SiteConfigError(f"site {name!r}: {url!r} is not an http(s) URL")
    if max_pages < 1 or max_depth < 0:
        raise SiteConfigError(f"site {name!r}: max_pages must be >= 1 and max_depth >= 0")
    return SiteProfile(
        name=name,
        start_urls=urls,
        allowed_paths=_patterns(name, allowed_paths),
        denied_paths=_patterns(name, denied_paths),
        max_pages=max_pages,
        max_depth=max_depth,
        feeds=tuple(feeds),
        sitemaps=tuple(sitemaps),
        hosts=_hosts(urls),
    )


def _patterns(name: str, patterns: list[str] | tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    try:
        return tuple(re.compile(p) for p in patterns)
    except re.error as exc:
        raise SiteConfigError(f"site {name!r}: bad path pattern {exc.pattern!r}: {exc}") from None


def ad_hoc_profiles(start_urls: str) -> list[SiteProfile]:
    """Profiles for ``-a start_urls=URL[,URL...]``: one site per host, default limits."""
    by_host: dict[str, list[str]] = {}
    for url in (u.strip() for u in start_urls.split(",")):
        if url:
            by_host.setdefault(urlsplit(url).hostname or url, []).append(url)
    if not by_host:
        raise SiteConfigError("start_urls is empty")
    return [make_profile(host, urls) for host, urls in by_host.items()]


_KEYS = {
    "name", "start_urls", "allowed_paths", "denied_paths", "max_pages", "max_depth", "feeds",
    "sitemaps",
}  # fmt: skip


def load_sites(path: Path) -> list[SiteProfile]:
    """Read the sites file: one ``[[site]]`` table per site."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SiteConfigError(f"sites file {path} does not exist") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SiteConfigError(f"sites file {path} cannot be read: {exc}") from None
    profiles = []
    for i, table in enumerate(data.get("site", [])):
        name = table.get("name") or f"site #{i + 1}"
        unknown = set(table) - _KEYS
        if unknown:
            raise SiteConfigError(f"{path}: site {name!r} has unknown keys {sorted(unknown)}")
        fields = {k: v for k, v in table.items() if k not in ("name", "start_urls")}
        try:
            profiles.append(make_profile(name, table.get("start_urls", []), **fields))
        except TypeError as exc:
            raise SiteConfigError(f"{path}: site {name!r}: {exc}") from None
    names = [p.name for p in profiles]
    if len(set(names)) != len(names):
        raise SiteConfigError(f"{path}: site names must be unique")
    return profiles
