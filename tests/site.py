"""A generated WordPress-like analysis website on 127.0.0.1, for crawl tests and benchmarks."""

from __future__ import annotations

import calendar
import contextlib
import hashlib
import html
import json
import random
import re
import socket
import sys
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from email.message import Message
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar, NamedTuple
from urllib.parse import parse_qs, quote, urlsplit

SITE_NAME = "Eastern Analysis Institute"
STYLES = ("jsonld", "opengraph", "plain", "warsaw")
HOME_COUNT = 10
FEED_COUNT = 20
PRIVATE_PATH = "/private/secret-report/"
CATEGORY = "/category/analysis/"
FIRST_MONTH = "2023-01"
_START = datetime(2022, 1, 3, 7, 0, tzinfo=UTC)
_END = datetime(2024, 12, 20, 7, 0, tzinfo=UTC)
PAGES_LASTMOD = "2022-01-01T10:00:00+01:00"
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip

AUTHORS = (
    "Łukasz Wróblewski", "Ewa Król", "Grzegorz Kuczyński", "Agnieszka Żurawska",
    "Paweł Ślusarczyk", "Małgorzata Dąbrowska", "Jędrzej Nowak", "Zofia Łęcka", "Анна Смирнова",
    "Алексей Орлов", "Sophie Whitmore", "Siobhán O'Neill", "Jiří Dvořák", "Oleksandr Kovalenko",
    "Renée Fischer",
)  # fmt: skip
TAGS = (
    "Russia", "Belarus", "Ukraine", "energy", "security", "Caucasus", "Central Asia", "sanctions",
    "military", "economy", "Baltic states", "Black Sea", "Iran", "China", "elections", "NATO",
)  # fmt: skip

_T_ACTORS = (
    "Russia", "Belarus", "Ukraine", "Kazakhstan", "Georgia", "Armenia", "Azerbaijan", "Moldova",
    "Lithuania", "Hungary", "Serbia", "The Kremlin", "Gazprom", "Rosneft", "Rosatom", "Lukashenko",
    "Putin", "Tokayev", "Moscow", "Minsk", "Baku", "Yerevan", "Tbilisi", "Chisinau", "The Duma",
    "The FSB", "Russia's Navy", "The Black Sea Fleet", "Wagner Group", "Uzbekistan",
    "Turkmenistan", "Kyrgyzstan", "Tajikistan", "Transnistria", "Abkhazia", "Kaliningrad",
    "Lavrov", "Shoigu", "Medvedev", "Patrushev",
)  # fmt: skip
_T_VERBS = (
    "Moves", "Expands", "Tightens", "Pledges", "Courts", "Seeks", "Restricts", "Boosts", "Cuts",
    "Deploys", "Reopens", "Weighs", "Blocks", "Signs", "Rejects", "Targets", "Eyes", "Revives",
    "Doubles Down on", "Rethinks", "Bets on", "Downplays", "Steps Up", "Scales Back",
    "Quietly Resumes", "Hides", "Struggles with", "Prepares", "Pushes", "Freezes",
)  # fmt: skip
_T_OBJECTS = (
    "Troops Closer to the Border", "Grain Exports", "a Gas Transit Deal", "Arctic Ambitions",
    "Nuclear Rhetoric", "Railway Links with China", "Military Ties with Iran", "Oil Output",
    "Control over Regional Governors", "Drone Production", "Payments in Yuan",
    "Media Restrictions", "Talks with Ankara", "Mobilisation Plans", "Caspian Shipping Routes",
    "Fertiliser Exports", "Defence Spending", "Electricity Imports", "Border Checks",
    "Arms Deliveries", "Ties with North Korea", "Port Investments", "Banking Sanctions",
    "the Wheat Corridor", "Cyber Operations", "a New Pipeline", "Election Rules",
    "Opposition Media", "Reserve Call-ups", "Coal Shipments", "Uranium Supplies",
    "Visa-Free Travel", "Aluminium Smelters", "Airspace Patrols", "Fishing Rights",
    "the Customs Union", "Railway Tariffs", "Refinery Repairs", "Budget Deficits",
    "Military Drills", "Hydropower Projects", "Grain Storage", "Satellite Launches",
    "Diesel Exports", "Labour Migration", "the Eurasian Union", "Nuclear Plant Construction",
    "Civil Defence Drills", "Currency Controls", "Submarine Patrols", "a Peacekeeping Mission",
    "Transit Fees", "Church Property", "Ammunition Output", "Prison Recruitment",
    "Wartime Censorship", "Private Military Firms", "Air Defence Gaps", "Gold Reserves",
    "Tank Repairs",
)  # fmt: skip

_VOCABULARY = """
adj: strategic, regional, economic, military, political, diplomatic, fragile, growing, informal,
  secret, costly, ambitious, controversial, long-awaited, bilateral, multilateral, domestic,
  foreign, western, eastern, northern, southern, local, federal, national, state-owned, private,
  independent, pro-Russian, pro-Western, nationalist, liberal, conservative, authoritarian,
  symbolic, practical, temporary, permanent, limited, massive, modest, sudden, gradual, prolonged,
  renewed, delayed, disputed, contested, lucrative, unprofitable, obsolete, modernised, sanctioned,
  restricted, classified, official, unofficial, hostile, cautious, aggressive, defensive,
  technical, logistical, financial, industrial, agricultural, maritime, naval, nuclear,
  conventional, hybrid, digital, coastal, rural, urban, post-Soviet, Soviet-era, imperial, ethnic,
  religious, tactical, operational, illegal, clandestine, fiscal, monetary, electoral,
  parliamentary, presidential, judicial, constitutional, overdue, chronic, unpopular, generous,
  opaque, vulnerable, resilient, outdated, inflated, emergency, wartime, cross-border, offshore
noun: reserves, pipelines, refineries, ports, railways, corridors, tariffs, quotas, subsidies,
  loans, bonds, credits, contracts, concessions, licences, exports, imports, shipments,
  deliveries, convoys, brigades, battalions, regiments, garrisons, bases, airfields, drones,
  missiles, warships, submarines, tanks, artillery systems, radars, satellites, sanctions,
  embargoes, negotiations, consultations, summits, treaties, protocols, elections, referendums,
  protests, strikes, arrests, trials, purges, reshuffles, appointments, resignations, governors,
  mayors, oligarchs, generals, diplomats, envoys, prosecutors, judges, journalists, bloggers,
  volunteers, conscripts, reservists, mercenaries, veterans, refugees, migrants, workers, farmers,
  miners, engineers, investors, creditors, banks, insurers, currencies, payments, transfers,
  remittances, prices, wages, pensions, budgets, deficits, revenues, taxes, duties, fees,
  smuggling networks, customs posts, border crossings, checkpoints, enclaves, provinces, districts,
  municipalities, ministries, agencies, councils, committees, parties, factions, movements,
  coalitions, alliances, partnerships, institutes, universities, churches, monasteries,
  broadcasters, newspapers, websites, platforms, servers, cables, power lines, substations,
  reactors, dams, mines, smelters, factories, shipyards, warehouses, terminals, depots,
  stockpiles, fertilisers, grain, wheat, barley, sunflower oil, timber, coal, gas, oil, diesel,
  uranium, aluminium, nickel, steel, copper, gold, rare earths, microchips, spare parts
vpast: expanded, postponed, financed, restricted, renegotiated, abandoned, accelerated, revived,
  supported, blocked, delayed, approved, rejected, signed, criticised, downplayed, suspended,
  welcomed, secured, cancelled, tightened, relaxed, doubled, halved, nationalised, privatised,
  audited, inspected, relocated, dismantled, rebuilt, modernised, reinforced, redeployed,
  mobilised, recruited, sanctioned, condemned, praised, questioned, investigated, leaked, denied,
  confirmed, disclosed, concealed, exaggerated, underestimated, monitored, intercepted, seized,
  confiscated, exported, imported, rerouted, diverted, stockpiled, subsidised, taxed, banned,
  registered, liquidated, merged, acquired, leased, insured, guaranteed, promised, demanded,
  negotiated, brokered, hosted, inaugurated, launched, tested, upgraded, replaced, trimmed
vbase: expand, postpone, finance, restrict, renegotiate, abandon, accelerate, revive, support,
  block, delay, approve, reject, sign, suspend, secure, cancel, tighten, relax, double, halve,
  nationalise, privatise, audit, relocate, dismantle, rebuild, modernise, reinforce, redeploy,
  mobilise, recruit, sanction, investigate, disclose, conceal, monitor, seize, export, import,
  reroute, divert, stockpile, subsidise, tax, ban, merge, acquire, lease, insure, guarantee
adv: quietly, openly, abruptly, reluctantly, deliberately, repeatedly, formally, unexpectedly,
  partially, temporarily, effectively, eventually, hastily, secretly, publicly, cautiously,
  swiftly, gradually, officially, reportedly, allegedly, apparently, belatedly, jointly,
  unilaterally, finally, already, again
actor: the Kremlin, Moscow, Minsk, Kyiv, Astana, Tashkent, Baku, Yerevan, Tbilisi, Chisinau,
  Vilnius, Riga, Tallinn, Warsaw, Budapest, Belgrade, Ankara, Tehran, Beijing, Brussels,
  Washington, Berlin, Gazprom, Rosneft, Rosatom, Transneft, Sberbank, VTB, Rostec, Roscosmos,
  Lukoil, Novatek, Belaruskali, KazMunayGas, SOCAR, the State Duma, the Federation Council,
  the Security Council, the Russian central bank, the Eurasian Economic Union, the CSTO,
  the Wagner Group, the FSB, the Rosgvardia, the Belarusian KGB, the Moldovan parliament,
  the Georgian government, the Armenian cabinet, the Azerbaijani presidency, the Kazakh senate,
  the Uzbek leadership, Vladimir Putin, Alexander Lukashenko, Sergei Lavrov, Dmitry Medvedev,
  Nikolai Patrushev, Kassym-Jomart Tokayev, Ilham Aliyev, Nikol Pashinyan, Maia Sandu,
  Sergei Shoigu, Elvira Nabiullina, Ramzan Kadyrov, Sviatlana Tsikhanouskaya
town: Siberia, Kaliningrad, Donbas, Crimea, Rostov, Murmansk, Dagestan, Chechnya, Tatarstan,
  Bashkortostan, Novorossiysk, Sevastopol, Orenburg, Yakutia, Vladivostok, Pskov, Brest, Grodno,
  Gomel, Polesie, Mariupol, Kherson, Zaporizhzhia, Almaty, Aktau, Batumi, Gyumri, Nakhchivan,
  Tiraspol, Narva, Daugavpils, Karelia, Novosibirsk, Irkutsk, Buryatia, Khabarovsk, Sochi, Kuban,
  Smolensk, Belgorod, Kursk, Bryansk, Vitebsk, Mogilev, Kharkiv, Odesa, Lviv, Dnipro, Kazan,
  Samara, Saratov, Volgograd, Astrakhan, Perm, Yekaterinburg, Chelyabinsk, Omsk, Tomsk, Norilsk,
  Arkhangelsk, Ust-Luga, Primorsk, Tuapse, Taman, Mozdok, Vladikavkaz, Grozny, Makhachkala,
  Derbent, Shymkent, Karaganda, Pavlodar, Atyrau, Samarkand, Bukhara, Termez, Osh, Bishkek,
  Dushanbe, Khujand, Ashgabat, Turkmenbashi, Ganja, Sumgait, Kutaisi, Poti, Balti, Cahul,
  Klaipeda, Kaunas, Liepaja, Ventspils, Tartu, Vyborg, Kirkenes, Sakhalin, Kamchatka, Chukotka
prep: in, near, around, outside, across, beyond, north of, south of, east of, west of, along
when: on Monday, on Tuesday, on Wednesday, on Thursday, on Friday, last week, last month,
  this spring, this autumn, in January, in February, in March, in April, in May, in June,
  in July, in August, in September, in October, in November, in December, overnight, recently
opener: Meanwhile, However, Moreover, Nevertheless, In practice, Officially, Unsurprisingly,
  By contrast, In response, At first, Predictably, Tellingly, Paradoxically, Crucially
modal: could, might, would, will, may, must, should, cannot
link: despite, amid, after, before, against, without, beside, alongside, instead of, because of,
  for, over, under, with, through, behind
unit: million dollars, billion roubles, million euros, billion tenge, tonnes, barrels,
  megawatts, kilometres, cubic metres, hectares, million manat, billion rubles
first: Oleg, Irina, Marta, Piotr, Natalia, Andrei, Tomasz, Olena, Giorgi, Aigerim, Yulia, Mikhail,
  Katarzyna, Dmitri, Lena, Viktor, Agnieszka, Sergey, Nino, Arman, Hanna, Pavel, Zuzana, Ruslan
last: Ivanov, Kowalski, Petrenko, Sokolova, Nowicka, Beridze, Abdullayev, Nurlanova, Volkov,
  Lewandowski, Melnyk, Tarasova, Zieliński, Gusev, Kravchenko, Aliyeva, Morozov, Wiśniewska,
  Bondarenko, Kuznetsova, Ozolins, Tamm, Horvath, Novak, Karimov, Sargsyan
institution: Carnegie, Chatham House, Levada, Jamestown, Meduza, Bruegel, OSW, PISM, ECFR, CSIS,
  RAND, IISS, SIPRI, Memorial, Golos, Novaya Gazeta, RFE/RL, the Kyiv School of Economics
source: Interfax, Kommersant, RBC, Meduza, Vedomosti, TASS, Belta, Reuters, Bloomberg, Izvestia,
  Fontanka, Mediazona, Verstka, Proekt, Akorda, Trend, Azertac, Armenpress, Kun.uz, Zakon.kz
"""
"""Body vocabulary: one 'slot: phrase, phrase, ...' entry per slot (continued on indented lines)."""
_WORDS = {
    name: tuple(phrase.strip() for phrase in phrases.split(","))
    for name, phrases in (
        line.split(": ", 1) for line in _VOCABULARY.replace("\n  ", " ").strip().splitlines()
    )
}

WARSAW_APPEAL = (
    "If content prepared by Warsaw Institute team is useful for you, please support our "
    "actions. Donations from private persons are necessary for the continuation of our mission."
)
WARSAW_LICENCE = (
    "All texts published by the Warsaw Institute Foundation may be disseminated on the "
    "condition that their origin is credited. Images may not be used without permission."
)
SITE_LICENCE = (
    f"© 2024 {SITE_NAME}. All texts published by the {SITE_NAME} may be republished "
    "provided that their origin is credited."
)
_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        ("a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
         "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"),
        strict=True,
    )
)  # fmt: skip
_TRANSLIT = str.maketrans({"ł": "l", "ø": "o", "ß": "ss", "đ": "d"} | _CYRILLIC)


def slugify(text: str) -> str:
    """ASCII URL slug of a title or name ("Łukasz Wróblewski" -> "lukasz-wroblewski")."""
    text = unicodedata.normalize("NFKD", text.lower().translate(_TRANSLIT).replace("-", " "))
    text = text.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def human_date(iso: str) -> str:
    """'2022-11-23T09:30:00+01:00' -> '23 November 2022' (the local day)."""
    day = datetime.fromisoformat(iso)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def join_names(names: list[str]) -> str:
    """['A', 'B', 'C'] -> 'A, B and C'."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _local(moment: datetime) -> datetime:
    """Warsaw-ish local time: +02:00 from April to October, else +01:00."""
    return moment.astimezone(timezone(timedelta(hours=2 if 4 <= moment.month <= 10 else 1)))


def _http_date(iso: str) -> str:
    return format_datetime(datetime.fromisoformat(iso).astimezone(UTC), usegmt=True)


@dataclass
class SiteArticle:
    """One article of the site, as a perfect extractor would return it."""

    slug: str
    path: str
    """Site path, '/YYYY/MM/DD/<slug>/' (local publication day)."""
    title: str
    authors: list[str]
    published: str
    """ISO 8601 with offset, minute precision ('2023-03-02T09:30:00+01:00')."""
    paragraphs: list[str]
    """Body paragraphs only: no 'Date:' line, footer, share buttons or tags."""
    style: str
    """Markup: 'jsonld', 'opengraph', 'plain' or 'warsaw' (cycling by index)."""
    tags: list[str]
    modified: str | None = None
    """ISO 8601 time of the last edit_article (wall clock), None before any edit."""
    version: int = 1

    @property
    def last_modified(self) -> str:
        return self.modified or self.published

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(f"{self.path}:{self.version}".encode()).hexdigest()[:20] + '"'

    @property
    def excerpt(self) -> str:
        return " ".join(self.paragraphs[0].split()[:30]) + " […]"


@dataclass(frozen=True)
class Hit:
    """One request served; ``path`` is the request target (path and query, never a fragment)."""

    method: str
    path: str
    status: int
    conditional: bool
    at: float = field(default=0.0, compare=False)
    """``time.monotonic()`` when the request was served (for politeness checks)."""


class _Response(NamedTuple):
    status: int
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


class _Writer:
    """Deterministic pseudo-English about Russia and Eastern Europe, from one random source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng, self._random = rng, rng.random

    def title(self) -> str:
        choice = self.rng.choice
        return f"{choice(_T_ACTORS)} {choice(_T_VERBS)} {choice(_T_OBJECTS)}"

    def _pick(self, slot: str) -> str:
        words = _WORDS[slot]
        return words[int(self._random() * len(words))]

    def _subject(self) -> str:
        p, shape = self._pick, self._random()
        if shape < 0.3:
            return p("actor")
        if shape < 0.6:
            return f"{p('adj')} {p('noun')}"
        if shape < 0.8:
            return f"{p('first')} {p('last')}"
        return f"{p('noun')} {p('prep')} {p('town')}"

    def _verb(self) -> str:
        p, shape = self._pick, self._random()
        if shape < 0.4:
            return p("vpast")
        if shape < 0.7:
            return f"{p('adv')} {p('vpast')}"
        if shape < 0.9:
            return f"{p('modal')} {p('vbase')}"
        return f"{p('modal')} {p('adv')} {p('vbase')}"

    def _object(self) -> str:
        p, shape = self._pick, self._random()
        if shape < 0.5:
            return f"{p('adj')} {p('noun')}"
        if shape < 0.7:
            return p("noun")
        if shape < 0.9:
            return f"{p('adj')} {p('adj')} {p('noun')}"
        return f"{int(shape * 10_000) % 900 + 12} {p('noun')}"

    def _extra(self) -> str:
        p, shape = self._pick, self._random()
        if shape < 0.3:
            return f"{p('prep')} {p('town')}"
        if shape < 0.45:
            return p("when")
        if shape < 0.7:
            return f"{p('link')} {p('adj')} {p('noun')}"
        if shape < 0.8:
            return f"to {p('vbase')} {p('noun')}"
        if shape < 0.9:
            return f"worth {int(shape * 100_000) % 900 + 12} {p('unit')}"
        return f"{p('link')} {p('noun')} {p('prep')} {p('town')}"

    def sentence(self) -> str:
        """A clause of 4-25 words (subject, verb, object, extras); fixed words are few and
        short, so most word triples are rare, as in real text."""
        p, roll = self._pick, self._random()
        text = f"{self._subject()} {self._verb()} {self._object()}"
        for _ in range(int(roll * 1000) % 3):
            text += " " + self._extra()
        if roll < 0.2:
            text = f"{p('opener')}, {text}"
        elif roll < 0.28:
            text = f"According to {p('source')}, {text}"
        if 0.5 < roll < 0.7:
            text += f", and {self._verb()} {self._object()}"
        elif roll > 0.92:
            text += f", said {p('first')} {p('last')} of {p('institution')}"
        return text[0].upper() + text[1:] + "."

    def paragraph(self) -> str:
        """40 to 120 words."""
        target, words, sentences = self.rng.randint(40, 90), 0, []
        while words < target:
            sentence = self.sentence()
            count = sentence.count(" ") + 1
            if words + count <= 120:
                sentences.append(sentence)
                words += count
        return " ".join(sentences)


class AnalysisSite:
    """The generated site; ``articles`` is oldest first, ``edit_article(index)`` indexes it."""

    disallowed_path = "/private/"

    def __init__(
        self,
        articles: int = 12,
        *,
        seed: int = 0,
        crawl_delay: float | None = None,
        per_page: int = 10,
        failing: float = 0.0,
    ) -> None:
        """``failing``: the share of paths (robots.txt and the home page aside) that answer
        500, chosen by a hash of the path, so the same pages fail every time."""
        self.seed, self.crawl_delay, self.per_page = seed, crawl_delay, per_page
        self.failing = failing
        self.host = "127.0.0.1"
        self.articles: list[SiteArticle] = []
        self.hits: list[Hit] = []
        self._lock = threading.RLock()
        self._by_path: dict[str, int] = {}
        self._by_tag: dict[str, list[SiteArticle]] = {}
        self._by_author: dict[str, list[SiteArticle]] = {}
        self._tag_names: dict[str, str] = {}
        self._author_names: dict[str, str] = {}
        self._titles: set[str] = set()
        self._slugs: set[str] = set()
        self._paragraphs: set[str] = set()
        self._cache: dict[str, object] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        step = (_END - _START) / max(articles, 1) // timedelta(minutes=1)
        previous = None
        for index in range(articles):
            jitter = random.Random(f"{seed}/{index}/time").randint(0, max(step // 2, 0))
            moment = _START + timedelta(minutes=step * index + jitter)
            if previous is not None and moment <= previous:
                moment = previous + timedelta(minutes=1)
            self._append(moment)
            previous = moment
        popular = random.Random(f"{seed}/popular").sample(range(articles), min(5, articles))
        self._popular = [self.articles[i] for i in popular]
        self._pdf = self._make_pdf()

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> AnalysisSite:
        if self._server is not None:
            raise RuntimeError("site already started")
        self._server = _Server((self.host, 0), _Handler)
        self._server.site = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        with self._lock:
            connections = list(self._connections)
        for connection in connections:  # end idle keep-alive connections now
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._cache.clear()

    def __enter__(self) -> AnalysisSite:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("site not started")
        return f"http://{self.host}:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def clear_hits(self) -> None:
        with self._lock:
            self.hits.clear()

    # -- content -------------------------------------------------------------------------------

    def _append(self, moment: datetime) -> SiteArticle:
        index = len(self.articles)
        writer = _Writer(random.Random(f"{self.seed}/{index}"))
        rng = writer.rng
        while True:
            title = writer.title()
            title, slug = title[0].upper() + title[1:], slugify(title)
            if title not in self._titles and slug not in self._slugs:
                break
        self._titles.add(title)
        self._slugs.add(slug)
        local = _local(moment)
        paragraphs = [self._new_paragraph(writer) for _ in range(rng.randint(4, 8))]
        article = SiteArticle(
            slug=slug,
            path=f"/{local:%Y/%m/%d}/{slug}/",
            title=title,
            authors=rng.sample(AUTHORS, rng.choices((1, 2, 3), weights=(6, 3, 1))[0]),
            published=local.isoformat(),
            paragraphs=paragraphs,
            style=STYLES[index % len(STYLES)],
            tags=rng.sample(TAGS, rng.randint(2, 4)),
        )
        self.articles.append(article)
        self._by_path[article.path] = index
        for tag in article.tags:
            self._tag_names[slugify(tag)] = tag
            self._by_tag.setdefault(slugify(tag), []).append(article)
        for name in article.authors:
            self._author_names[slugify(name)] = name
            self._by_author.setdefault(slugify(name), []).append(article)
        self._cache.clear()
        return article

    def _new_paragraph(self, writer: _Writer) -> str:
        while (paragraph := writer.paragraph()) in self._paragraphs:
            pass
        self._paragraphs.add(paragraph)
        return paragraph

    def add_article(self) -> SiteArticle:
        """A new newest article (home, category page 1, feed, sitemaps)."""
        with self._lock:
            if not self.articles:
                return self._append(_START)
            last = datetime.fromisoformat(self.articles[-1].published)
            minutes = random.Random(f"{self.seed}/{len(self.articles)}/time").randint(120, 1800)
            return self._append(last.astimezone(UTC) + timedelta(minutes=minutes))

    def edit_article(self, index: int) -> SiteArticle:
        """Replace one body paragraph; bump version, modified (now), ETag and Last-Modified."""
        with self._lock:
            article = self.articles[index]
            writer = _Writer(random.Random(f"{self.seed}/{article.path}/{article.version}"))
            paragraphs = list(article.paragraphs)
            paragraphs[writer.rng.randrange(len(paragraphs))] = self._new_paragraph(writer)
            previous = datetime.fromisoformat(article.last_modified).astimezone(UTC)
            now = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
            article.paragraphs = paragraphs
            article.modified = _local(max(now, previous + timedelta(seconds=1))).isoformat()
            article.version += 1
            self._cache.clear()
            return article

    @property
    def non_article_paths(self) -> set[str]:
        """Every path served or linked that is not an article (calendar months: '/calendar/')."""
        with self._lock:
            paths = {
                "/", "/about/", "/contact/", "/calendar/", "/feed/", "/robots.txt",
                "/sitemap.xml", "/sitemap_index.xml", "/post-sitemap.xml", "/page-sitemap.xml",
                "/old-link/", "/broken/", "/files/report.pdf", "/loop/a", "/loop/b", PRIVATE_PATH,
            }  # fmt: skip
            listings = [(CATEGORY, self.articles)]
            listings += [(f"/tag/{s}/", items) for s, items in self._by_tag.items()]
            listings += [(f"/author/{s}/", items) for s, items in self._by_author.items()]
            for base, items in listings:
                paths.add(base)
                paths.update(f"{base}page/{n}/" for n in range(2, self._page_count(items) + 1))
            paths.add(f"{CATEGORY}page/{self._page_count(self.articles) + 1}/")
            return paths

    def _page_count(self, items: list[SiteArticle]) -> int:
        return max(1, -(-len(items) // self.per_page))

    # -- routing -------------------------------------------------------------------------------

    def _serve(self, method: str, target: str, headers: Message) -> _Response:
        if target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
        path, _, query = target.partition("?")
        conditional = "If-None-Match" in headers or "If-Modified-Since" in headers
        with self._lock:
            failing = self._fails(path)
            response = self._broken() if failing else self._route(path, query, headers)
            self.hits.append(Hit(method, target, response.status, conditional, time.monotonic()))
        return response

    def _fails(self, path: str) -> bool:
        if not self.failing or path in ("/robots.txt", "/"):
            return False
        return int(hashlib.sha256(path.encode()).hexdigest()[:8], 16) % 1000 < self.failing * 1000

    _LISTING = re.compile(r"^/(category/analysis|tag/([^/]+)|author/([^/]+))/(?:page/(\d+)/)?$")

    def _route(self, path: str, query: str, headers: Message) -> _Response:
        if (index := self._by_path.get(path)) is not None:
            return self._article_response(self.articles[index], headers)
        if (fixed := self._FIXED.get(path)) is not None:
            return fixed(self)
        if listing := self._LISTING.match(path):
            return self._listing(*listing.groups())
        if path == "/calendar/":
            return self._calendar(parse_qs(query).get("month", [FIRST_MONTH])[0])
        if not path.endswith("/") and (path + "/" in self._by_path or path + "/" in self._FIXED):
            return self._redirect(301, path + "/")
        return self._not_found()

    def _html(self, status: int, page: str) -> _Response:
        return _Response(status, page.encode())

    def _redirect(self, status: int, location: str) -> _Response:
        body = f'<html><body><a href="{location}">Moved</a></body></html>'.encode()
        return _Response(status, body, headers=(("Location", self.url(location)),))

    def _not_found(self) -> _Response:
        body = "<h1 class='page-title'>Nothing found</h1><p>The page does not exist.</p>"
        return self._html(404, self._page("Page not found", body))

    def _article_response(self, article: SiteArticle, headers: Message) -> _Response:
        validators = (("ETag", article.etag), ("Last-Modified", _http_date(article.last_modified)))
        if self._not_modified(article, headers):
            return _Response(304, headers=validators)
        page = self._article_page(article)
        return _Response(200, page.encode(), headers=validators)

    @staticmethod
    def _not_modified(article: SiteArticle, headers: Message) -> bool:
        if (tags := headers.get("If-None-Match")) is not None:  # wins over If-Modified-Since
            wanted = {tag.strip().removeprefix("W/") for tag in tags.split(",")}
            return "*" in wanted or article.etag in wanted
        if (since := headers.get("If-Modified-Since")) is None:
            return False
        try:
            moment = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return moment >= datetime.fromisoformat(article.last_modified)

    # -- pages ---------------------------------------------------------------------------------

    def _robots(self) -> _Response:
        lines = ["User-agent: *", "Disallow: /private/"]
        if self.crawl_delay is not None:
            delay = self.crawl_delay
            lines.append(f"Crawl-delay: {int(delay) if delay == int(delay) else delay}")
        lines += ["", f"Sitemap: {self.url('/sitemap_index.xml')}", ""]
        return _Response(200, "\n".join(lines).encode(), "text/plain; charset=utf-8")

    def _page(self, title: str, main: str, head: str = "", related: str | None = None) -> str:
        return (
            '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)} – {SITE_NAME}</title>\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} » Feed"'
            ' href="/feed/">\n'
            f"{head}</head>\n<body>\n{self._chrome('header')}"
            f'<div class="site-content">\n<main id="main" class="site-main">\n{main}\n'
            f"{self._share(title)}</main>\n"
            f'<aside id="secondary" class="widget-area">\n'
            f"{self._recent_widget() if related is None else related}{self._chrome('aside')}"
            f"</aside>\n</div>\n{self._chrome('footer')}</body>\n</html>\n"
        )

    def _chrome(self, part: str) -> str:
        """Cached header / sidebar tail (popular, tags, newsletter) / footer."""
        key = f"chrome/{part}"
        if key not in self._cache:
            if part == "header":
                nav = [("/", "Home"), (CATEGORY, "Analysis"), ("/about/", "About us")]
                nav += [("/contact/", "Contact")]
                items = "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in nav)
                text = (
                    f'<header class="site-header"><a class="site-title" href="/" rel="home">'
                    f'{SITE_NAME}</a>\n<nav class="main-navigation"><ul>{items}</ul></nav>'
                    "</header>\n"
                )
            elif part == "aside":
                tags = "".join(
                    f'<a href="/tag/{s}/" class="tag-cloud-link">{html.escape(name)}</a> '
                    for s, name in sorted(self._tag_names.items())
                )
                text = (
                    self._widget("Popular", self._popular)
                    + '<section class="widget widget_tag_cloud"><h2 class="widget-title">'
                    f'Tags</h2><div class="tagcloud">{tags}</div></section>\n'
                    '<section class="widget newsletter"><h2 class="widget-title">Newsletter</h2>'
                    "<p>Get our weekly briefing on Russia and Eastern Europe straight to your "
                    'inbox.</p><form action="#newsletter" method="post"><input type="email" '
                    'name="email" placeholder="Your e-mail"><button type="submit">Subscribe'
                    "</button></form></section>\n"
                )
            else:
                text = (
                    f'<footer class="site-footer"><p class="licence">{html.escape(SITE_LICENCE)}'
                    '</p><p><a href="/">Home</a> · <a href="/about/">About</a> · '
                    '<a href="/contact/">Contact</a> · <a href="/feed/">RSS</a></p></footer>\n'
                )
            self._cache[key] = text
        return self._cache[key]  # type: ignore[return-value]

    @staticmethod
    def _widget(title: str, articles: list[SiteArticle]) -> str:
        items = "".join(f'<li><a href="{a.path}">{html.escape(a.title)}</a></li>' for a in articles)
        return (
            f'<section class="widget"><h2 class="widget-title">{title}</h2><ul>{items}</ul>'
            "</section>\n"
        )

    def _recent_widget(self) -> str:
        if "recent" not in self._cache:
            self._cache["recent"] = self._widget("Related posts", self.articles[:-6:-1])
        return self._cache["recent"]  # type: ignore[return-value]

    @staticmethod
    def _share(title: str) -> str:
        text = quote(title)
        return (
            '<div class="share-buttons"><span>Share</span> '
            f'<a href="https://twitter.example/intent/tweet?text={text}">X</a> '
            f'<a href="https://facebook.example/sharer.php?t={text}">Facebook</a> '
            f'<a href="https://linkedin.example/shareArticle?title={text}">LinkedIn</a> '
            '<a href="javascript:window.print()">Print</a></div>\n'
        )

    def _article_page(self, article: SiteArticle) -> str:
        index = self._by_path[article.path]
        title = html.escape(article.title)
        head, meta, before, after, footer = "", "", "", "", ""
        names = join_names(article.authors)
        tag_links = ", ".join(
            f'<a href="/tag/{slugify(t)}/" rel="tag">{html.escape(t)}</a>' for t in article.tags
        )
        if article.style in ("jsonld", "opengraph"):
            authors = " and ".join(
                f'<a class="url fn n" href="/author/{slugify(n)}/">{html.escape(n)}</a>'
                for n in article.authors
            )
            meta = (
                f'<div class="entry-meta"><span class="posted-on">Posted on '
                f"{human_date(article.published)}</span> "
                f'<span class="author vcard">by {authors}</span></div>'
            )
        if article.style == "jsonld":
            head = (
                f'<link rel="canonical" href="{self.url(article.path)}">\n'
                f'<script type="application/ld+json">{self._json_ld(article)}</script>\n'
            )
        elif article.style == "opengraph":
            properties = [("og:type", "article"), ("og:title", article.title)]
            properties += [("og:url", self.url(article.path)), ("og:site_name", SITE_NAME)]
            properties += [("article:published_time", article.published)]
            if article.modified:
                properties.append(("article:modified_time", article.modified))
            properties += [("article:author", name) for name in article.authors]
            properties += [("article:tag", tag) for tag in article.tags]
            head = "".join(
                f'<meta property="{p}" content="{html.escape(v)}">\n' for p, v in properties
            )
        elif article.style == "plain":
            meta = (
                f'<div class="entry-meta"><time datetime="{article.published}">'
                f"{human_date(article.published)}</time> "
                f'<span class="byline">By {html.escape(names)}</span></div>'
            )
        else:
            before = f"<p>Date: {human_date(article.published)} Author: {html.escape(names)}</p>\n"
            after = "".join(
                f"<p>{html.escape(text)}</p>\n"
                for text in ("Support Us", WARSAW_APPEAL, "Support", WARSAW_LICENCE)
            ) + (f"<p>TAGS: {html.escape(', '.join(article.tags))}</p>\n<p>Related posts</p>\n")
        if article.style != "warsaw":
            footer = f'<footer class="entry-footer"><span class="tags-links">Tags: {tag_links}'
            footer += "</span></footer>\n"
        body = "".join(f"<p>{html.escape(p)}</p>\n" for p in article.paragraphs)
        navigation = "".join(
            f'<a rel="{rel}" href="{self.articles[i].path}">{label}: '
            f"{html.escape(self.articles[i].title)}</a> "
            for rel, label, i in (
                ("prev", "Previous post", index - 1),
                ("next", "Next post", index + 1),
            )
            if 0 <= i < len(self.articles)
        )
        main = (
            f'<article id="post-{index + 1}" class="post type-post format-standard">\n'
            f'<header class="entry-header"><h1 class="entry-title">{title}</h1>{meta}</header>\n'
            f'<div class="entry-content">\n{before}{body}{after}</div>\n{footer}</article>\n'
            f'<nav class="post-navigation">{navigation}</nav>\n'
            '<section id="comments" class="comments-area"><h2>Comments</h2>'
            "<p>Comments are closed.</p></section>"
        )
        picks = dict.fromkeys((index * 7 + k) % len(self.articles) for k in (3, 11, 29))
        related = [self.articles[i] for i in picks if i != index]
        return self._page(article.title, main, head, self._widget("Related posts", related))

    def _json_ld(self, article: SiteArticle) -> str:
        data: dict[str, object] = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "datePublished": article.published,
        }
        if article.modified:
            data["dateModified"] = article.modified
        data["author"] = [
            {"@type": "Person", "name": n, "url": self.url(f"/author/{slugify(n)}/")}
            for n in article.authors
        ]
        data["publisher"] = {"@type": "Organization", "name": SITE_NAME, "url": self.url("/")}
        data["mainEntityOfPage"] = {"@type": "WebPage", "@id": self.url(article.path)}
        data["keywords"] = article.tags
        data["inLanguage"] = "en-GB"
        return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")

    @staticmethod
    def _teaser(article: SiteArticle, href: str) -> str:
        return (
            f'<article class="post type-post"><header class="entry-header"><h2 class="entry-'
            f'title"><a href="{href}" rel="bookmark">{html.escape(article.title)}</a></h2>'
            f'<div class="entry-meta"><time class="entry-date" datetime="{article.published}">'
            f"{human_date(article.published)}</time></div></header>"
            f'<div class="entry-summary"><p>{html.escape(article.excerpt)}</p></div></article>\n'
        )

    def _home(self) -> _Response:
        if "home" not in self._cache:
            teasers = []
            for position, article in enumerate(self.articles[: -HOME_COUNT - 1 : -1]):
                suffix = {0: "?utm_source=newsletter&utm_medium=email", 1: "#comments"}
                href = html.escape(article.path + suffix.get(position, ""))
                teasers.append(self._teaser(article, href))
            experts = "".join(
                f'<li><a href="/author/{s}/">{html.escape(n)}</a></li>'
                for s, n in sorted(self._author_names.items())
            )
            more = [
                (CATEGORY, "All analyses"), (f"/calendar/?month={FIRST_MONTH}", "Events calendar"),
                (PRIVATE_PATH, "Members only"), ("/old-link/", "Our first analysis"),
                ("/broken/", "Archive (beta)"), ("/files/report.pdf", "Annual report (PDF)"),
                ("/loop/a", "Partner portal"), ("file:///etc/passwd", "Local copy"),
                ("mailto:office@example.org", "office@example.org"),
                ("javascript:void(0)", "Print this page"),
                ("https://other-host.example/analysis/", "Partner analyses"),
                ("http://127.0.0.2:1/x", "Mirror"),
            ]  # fmt: skip
            links = "".join(f'<li><a href="{h}">{t}</a></li>' for h, t in more)
            main = (
                f'<h1 class="page-title">Latest analyses</h1>\n{"".join(teasers)}'
                f'<section class="experts"><h2>Our experts</h2><ul>{experts}</ul></section>\n'
                f'<section class="more-links"><h2>More</h2><ul>{links}</ul></section>'
            )
            self._cache["home"] = self._html(200, self._page(SITE_NAME, main))
        return self._cache["home"]  # type: ignore[return-value]

    def _listing(
        self, kind: str, tag: str | None, author: str | None, page: str | None
    ) -> _Response:
        if tag is not None:
            items, title = self._by_tag.get(tag), f"Tag: {self._tag_names.get(tag)}"
        elif author is not None:
            items, title = self._by_author.get(author), f"Author: {self._author_names.get(author)}"
        else:
            items, title = self.articles, "Category: Analysis"
        base = f"/{kind}/"
        number = int(page) if page else 1
        if items is None or (page and (page != str(number) or number < 1)):
            return self._not_found()
        if page == "1":
            return self._redirect(301, base)
        if number > self._page_count(items):
            return self._not_found()
        stop = len(items) - (number - 1) * self.per_page
        shown = items[max(0, stop - self.per_page) : stop][::-1]
        links = ""
        if number < self._page_count(items):
            links += f'<div class="nav-previous"><a href="{base}page/{number + 1}/">Older posts</a>'
            links += "</div>"
        if number > 1:
            newer = base if number == 2 else f"{base}page/{number - 1}/"
            links += f'<div class="nav-next"><a href="{newer}">Newer posts</a></div>'
        main = (
            f'<header class="page-header"><h1 class="page-title">{html.escape(title)}</h1>'
            f"</header>\n{''.join(self._teaser(a, a.path) for a in shown)}"
            f'<nav class="navigation posts-navigation">{links}</nav>'
        )
        return self._html(200, self._page(title, main))

    def _calendar(self, month: str) -> _Response:
        if not (match := re.fullmatch(r"(\d{4,6})-(\d{2})", month)):
            return self._not_found()
        year, number = int(match[1]), int(match[2])
        if not 1 <= number <= 12 or year < 1:
            return self._not_found()
        before = (year, number - 1) if number > 1 else (year - 1, 12)
        after = (year, number + 1) if number < 12 else (year + 1, 1)
        days = calendar.monthrange(year, number)[1] if year <= 9999 else 30
        cells = "".join(f"<td>{day}</td>" for day in range(1, days + 1))

        def link(rel: str, y: int, m: int) -> str:
            label = f"{MONTHS[m - 1]} {y}"
            return f'<a rel="{rel}" href="/calendar/?month={y:04d}-{m:02d}">{label}</a>'

        main = (
            f'<h1 class="page-title">Events calendar: {MONTHS[number - 1]} {year}</h1>\n'
            f'<table class="calendar"><tr>{cells}</tr></table>\n'
            f'<nav class="calendar-nav">« {link("prev", *before)} | {link("next", *after)} »'
            "</nav>\n<p>No events are scheduled for this month.</p>"
        )
        return self._html(200, self._page("Events calendar", main))

    def _plain_page(self, title: str, text: str) -> _Response:
        main = f'<article class="page"><h1 class="entry-title">{title}</h1>{text}</article>'
        return self._html(200, self._page(title, main))

    def _about(self) -> _Response:
        return self._plain_page(
            "About us",
            f"<p>The {SITE_NAME} is an independent think tank that follows politics, security "
            "and the economy of Russia and Eastern Europe. Our analysts publish short briefs "
            "several times a week.</p>",
        )

    def _contact(self) -> _Response:
        return self._plain_page(
            "Contact",
            "<p>Write to us at <a href='mailto:office@example.org'>office@example.org</a> or "
            "visit our office at ul. Wiejska 12, 00-490 Warszawa.</p>",
        )

    def _private(self) -> _Response:
        """Article-like page under the disallowed path: storing it means robots.txt was ignored."""
        text = "".join(f"<p>{html.escape(self._writer_text(f'private/{k}'))}</p>" for k in range(3))
        main = (
            '<article class="post"><h1 class="entry-title">Secret Report on Supply Routes</h1>'
            '<time datetime="2023-05-04T10:00:00+02:00">4 May 2023</time> '
            f'<span class="byline">By Ewa Król</span><div class="entry-content">{text}'
            "<p>This internal report must never be crawled.</p></div></article>"
        )
        return self._html(200, self._page("Secret report", main))

    def _feed(self) -> _Response:
        if "feed" not in self._cache:
            items = []
            for article in self.articles[: -FEED_COUNT - 1 : -1]:
                published = datetime.fromisoformat(article.published)
                updated = f"<atom:updated>{article.modified}</atom:updated>\n"
                creators = "".join(
                    f"<dc:creator><![CDATA[{name}]]></dc:creator>\n" for name in article.authors
                )
                items.append(
                    f"<item>\n<title>{html.escape(article.title)}</title>\n"
                    f"<link>{self.url(article.path)}</link>\n"
                    f'<guid isPermaLink="false">{self.url(article.path)}</guid>\n'
                    f"<pubDate>{format_datetime(published)}</pubDate>\n"
                    f"{updated if article.modified else ''}{creators}"
                    + "".join(f"<category>{html.escape(t)}</category>\n" for t in article.tags)
                    + f"<description>{html.escape(article.excerpt)}</description>\n</item>\n"
                )
            built = format_datetime(datetime.fromisoformat(self._latest_change()))
            xml = (
                '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
                'xmlns:atom="http://www.w3.org/2005/Atom" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
                f"<title>{SITE_NAME}</title>\n"
                f'<atom:link href="{self.url("/feed/")}" rel="self" '
                'type="application/rss+xml"/>\n'
                f"<link>{self.url('/')}</link>\n<description>Analyses of Russia and Eastern "
                f"Europe</description>\n<lastBuildDate>{built}</lastBuildDate>\n"
                f"<language>en-GB</language>\n{''.join(items)}</channel>\n</rss>\n"
            )
            self._cache["feed"] = _Response(200, xml.encode(), "application/rss+xml; charset=utf-8")
        return self._cache["feed"]  # type: ignore[return-value]

    def _latest_change(self) -> str:
        if not self.articles:
            return PAGES_LASTMOD
        return max((a.last_modified for a in self.articles), key=datetime.fromisoformat)

    def _sitemap(self, name: str) -> _Response:
        key = f"sitemap/{name}"
        if key not in self._cache:
            if name == "index":
                entries = [("/post-sitemap.xml", self._latest_change())]
                entries.append(("/page-sitemap.xml", PAGES_LASTMOD))
                tag, item = "sitemapindex", "sitemap"
            else:
                tag, item = "urlset", "url"
                if name == "post":
                    entries = [(a.path, a.last_modified) for a in self.articles]
                else:
                    entries = [("/about/", PAGES_LASTMOD), ("/contact/", PAGES_LASTMOD)]
            rows = "".join(
                f"<{item}><loc>{self.url(p)}</loc><lastmod>{m}</lastmod></{item}>\n"
                for p, m in entries
            )
            xml = (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                f'<{tag} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{rows}</{tag}>\n'
            )
            self._cache[key] = _Response(200, xml.encode(), "application/xml; charset=utf-8")
        return self._cache[key]  # type: ignore[return-value]

    def _writer_text(self, key: str) -> str:
        return _Writer(random.Random(f"{self.seed}/{key}")).paragraph()

    def _make_pdf(self) -> bytes:
        lines = [f"({self._writer_text(f'pdf/{k}')}) Tj" for k in range(8)]
        stream = "BT /F1 10 Tf 40 800 Td " + " T* ".join(lines) + " ET"
        return (
            "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
            "3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R >> endobj\n"
            f"4 0 obj << /Length {len(stream)} >> stream\n{stream}\nendstream endobj\n"
            "trailer << /Root 1 0 R >>\n%%EOF\n"
        ).encode()

    def _broken(self) -> _Response:
        main = "<h1>Internal Server Error</h1><p>The archive is temporarily unavailable.</p>"
        return self._html(500, self._page("Error", main))

    def _old_link(self) -> _Response:
        return self._redirect(301, self.articles[0].path) if self.articles else self._not_found()

    _FIXED: ClassVar[dict[str, Callable[[AnalysisSite], _Response]]] = {
        "/": _home,
        "/robots.txt": _robots,
        "/about/": _about,
        "/contact/": _contact,
        "/feed/": _feed,
        "/sitemap_index.xml": lambda self: self._sitemap("index"),
        "/post-sitemap.xml": lambda self: self._sitemap("post"),
        "/page-sitemap.xml": lambda self: self._sitemap("page"),
        "/sitemap.xml": lambda self: self._redirect(301, "/sitemap_index.xml"),
        PRIVATE_PATH: _private,
        "/old-link/": _old_link,
        "/broken/": _broken,
        "/files/report.pdf": lambda self: _Response(200, self._pdf, "application/pdf"),
        "/loop/a": lambda self: self._redirect(302, "/loop/b"),
        "/loop/b": lambda self: self._redirect(302, "/loop/a"),
    }


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    site: AnalysisSite

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # a client hanging up is not an error
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 60
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.site._lock:
            self.server.site._connections.add(self.connection)

    def finish(self) -> None:
        with self.server.site._lock:
            self.server.site._connections.discard(self.connection)
        super().finish()

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, *, send_body: bool) -> None:
        response = self.server.site._serve(self.command, self.path, self.headers)
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        if response.status != 304:
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if send_body and response.status != 304:
            self.wfile.write(response.body)

    def version_string(self) -> str:
        return "AnalysisSite/1.0"

    def log_message(self, format: str, *args: object) -> None:
        pass
