"""Turn raw bylines ("By Prof. Adam Malinowski, Head of Programme") into clean person names."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

# Segment kinds: a person name, a role/affiliation/placeholder, noise, a "Jr." to attach.
_NAME, _ROLE, _JUNK, _SUFFIX = "name", "role", "junk", "suffix"
# Separator kinds: start of text, comma-like (",", ";", "|", "/", newline, " - ", the
# ideographic "、" and "，"), conjunction.
_START, _COMMA, _CONJ = "start", "comma", "conj"


def _words(text: str) -> frozenset[str]:
    """The whitespace-separated words of a vocabulary string."""
    return frozenset(text.split())


_MAX_NAME_WORDS = 5

_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")
_CONTACTS = re.compile(r"\S*@\S*|(?:https?://|www\.)\S+", re.IGNORECASE)
_ASIDES = re.compile(r"\([^)]*\)?|\[[^\]]*\]?|<[^>]*>?")
_EDGES = re.compile(r"^[\s\W_]+|[\s,;:|/&*•·\-–—]+$")
_PREFIX = re.compile(
    r"(?:(?:written|posted|words|reported|text|story)\s+)?by\b\s*:?\s*"
    r"|(?:(?:verfasst|geschrieben|écrit|ecrit|rédigé|redige)\s+)?(?:von|par)\s*:\s*"
    r"|(?:authors?|autor(?:zy|ka|in|en)?|auteurs?|авторы?|byline|text|tekst|текст)\s*:\s*"
    r"|(?:authors?|autor(?:zy|ka)?|auteurs?|авторы?)\s+",
    re.IGNORECASE,
)
# "Von"/"Par" without a colon only when two words follow, so "Von Miller" stays a name; or
# when a mixed-case one precedes a lone acronym ("Von APA"): no surname is written so.
_SOFT_PREFIX = re.compile(
    r"(?:(?:verfasst|geschrieben|écrit|ecrit|rédigé|redige)\s+)?(?:von|par)\s+(?=\S+\s+\S)"
    r"|(?-i:[Vv]on|[Pp]ar)\s+(?=(?-i:[A-Z]{2,5})$)",
    re.IGNORECASE,
)
_CJK_CHAR = "\u1100-\u11ff\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
# Reporter titles of Korean, Japanese and Chinese bylines, written before or after the name
# ("홍길동 기자", "山田太郎記者", "记者张三"): the Korean ones as words of their own (a given
# name may end in the same syllables), the ideographic ones with or without a space.
_REPORTER_TITLE = re.compile(
    r"(?:^|(?<=\s))(?:기자|특파원)(?=$|\s)"
    rf"|(?:^|(?<=[\s{_CJK_CHAR}]))(?:記者|记者|特派員|特派员)(?=$|[\s{_CJK_CHAR}])"
)
_AND = "and|i|и|і|та|und|et|oraz|og|och|és|ve|with"
"""The word "and" in the byline languages (og, och: Nordic; és: Hungarian; ve: Turkish)."""
_TRAILER = re.compile(rf"\s+(?:(?:et\s+al|и\s+др|i\s+in|u\.\s*a)\.?|{_AND})$", re.IGNORECASE)
_CONJUNCTION = rf"(?:&|(?:{_AND})\s)"
_SEPARATOR = re.compile(
    rf"\s*(?:[,;|/\n\r\u2028\u2029、，]|\s[-–—•·]\s)(?:\s*{_CONJUNCTION})?\s*"
    r"|\s*&\s*"
    rf"|\s+(?:{_AND})\s+",
    re.IGNORECASE,
)
_CONJUNCTIONS = frozenset({"&", *_AND.split("|")})
_SEGMENT_EDGE = "\"'“”„«»‚‘’*:-–—·•"

_LETTER = r"(?:[^\W\d_][\u0300-\u036f]*)"
_TOKEN = re.compile(rf"{_LETTER}+(?:['’.\-]{_LETTER}+)*\.?")
# Lowercase particle glued to a capitalized name: al-Assad, d'Alembert, l'Écuyer.
_GLUED_PARTICLE = re.compile(r"(?:al|el|ad|an|ar|as|ash|at|az|ud|ul|d|l|dall|dell)['’\-](.+)")

_PARTICLES = _words(
    "de da das do dos du del della delle dei degli di la le lo van von vom zu zum zur der den "
    "des ter ten te op af av al el bin ibn bint ben y e 't"
)
# Particles lowercased when an ALL-CAPS name is proper-cased (single letters are initials).
_CAPS_PARTICLES = _PARTICLES - {"y", "e", "'t", "ben"}
_ROMAN = _words("ii iii iv vi vii viii")
_SUFFIXES = _words("jr jr. sr sr. ii iii iv")
# Compared after casefold and dropping the trailing dot.
_HONORIFICS = _words(
    "prof dr hab mgr inż inz mr mrs ms mx miss sir dame rev amb capt lt sgt professor "
    "doctor dipl.-ing dr.-ing mme mlle herr frau проф профессор д-р доц акад"
)
# Honorifics that are also given names when written without the dot ("Gen", "Col").
_DOTTED_HONORIFICS = _words("hon gen col maj ks ing dipl lic")
# Compared after casefold and dropping every dot ("Ph.D." -> "phd").
_POSTNOMINALS = _words("phd dphil md mba msc llm lld obe mbe cbe kbe dbe frs fba cfa")
# Function words of roles ("Head of", "Fellow at the") that never occur in a name, in any case.
_FUNCTION_WORDS = _words("of at the for from with für pour dla при bei chez")
# Words that mark a segment as a role, affiliation, organisation or placeholder.
_ROLE_WORDS = _words("""
    director directors deputy editor editors editorial analyst analysts fellow fellows expert
    experts researcher researchers research professor lecturer president vice chairman
    chairwoman correspondent contributor contributors contributing programme programmes program
    programs institute university department staff team associate associated assistant manager
    coordinator officer advisor adviser consultant specialist scholar journalist reporter writer
    author authors founder ceo member board council centre center foundation studies affairs
    policy security relations international foreign analysis economics chief executive secretary
    ambassador minister former visiting resident nonresident non intern candidate student
    doctoral postdoctoral partner columnist commentator blogger desk newsroom admin
    administrator webmaster moderator unknown anonymous group network project initiative forum
    service agency bureau ministry school college academy faculty laboratory unit division media
    news commission committee society association government embassy think tank wire agencies
    various none null nobody system user username reuters bloomberg interfax ukrinform unian tass
    redakcja redaktor redaktorka naczelny dyrektor dyrektorka kierownik kierowniczka analityk
    analityczka ekspert ekspertka profesor zespół ośrodek ośrodka instytut instytutu
    uniwersytet uniwersytetu katedra wydział programu współpracownik współpracowniczka badacz
    badaczka starszy starsza pracownik członek prezes wiceprezes dziennikarz dziennikarka
    publicysta publicystka doktorant fundacja centrum anonim gość
    redaktion redakteur redakteurin direktor direktorin leiter leiterin professorin institut
    universität stiftung experte expertin mitarbeiter mitarbeiterin wissenschaftler
    wissenschaftlerin korrespondent korrespondentin referent referentin gastautor autorin
    forschung programm abteilung zentrum unbekannt
    rédaction rédacteur rédactrice directeur directrice chercheur chercheuse professeur
    professeure université analyste chargé chargée associé associée correspondant correspondante
    fondation responsable journaliste équipe anonyme inconnu
    редакция редакція редактор директор руководитель аналитик аналітик эксперт експерт
    профессор исследователь сотрудник співробітник научный науковий старший институт
    університет университет программа программы центр корреспондент обозреватель журналист
    журналіст заведующий председатель президент член фонд кафедра отдел доцент аноним анонім
    """)
# Heads of German compounds: Bundesminister, Programmdirektor, Chefredakteur, Projektleiter.
_ROLE_ENDINGS = tuple(
    _words("""
    minister direktor direktorin leiter leiterin redakteur redakteurin referent referentin
    experte expertin korrespondent korrespondentin mitarbeiter mitarbeiterin wissenschaftler
    wissenschaftlerin forscher forscherin beauftragter beauftragte institut stiftung
    """)
)
# Role words that also end names, of people or of publications (Edith Head, Musterstädter
# Nachrichten): a role unless they end a name of two or more words.
_SURNAME_ROLE_WORDS = _words("head senior guest chair press nachrichten agenturen")


_CREDIT = re.compile(
    r"\b(?:staff|team|desk|newsroom|editors|redaktion|redakcja|rédaction|redacción|redazione"
    r"|agencies|agenturen|reuters|bloomberg|interfax|ukrinform|unian|tass|dpa|afp|ap|apa|sda"
    r"|sid|kna|epd|ansa|efe|anp|pap|associated press|press association|france-presse"
    r"|presse-agentur)\b",
    re.IGNORECASE,
)
"""Words of agency and desk credits (Reuters, dpa, AP, Staff, Redaktion), in any language."""


def is_credit(name: str) -> bool:
    """Whether an author's name is an agency's or a desk's credit, which bylines leave out,
    rather than the name of a person or of an organisation that wrote the piece."""
    return _CREDIT.search(name) is not None


def normalize_byline(text: str | None) -> list[str]:
    """Return the person names in one byline, in order, cleaned and de-duplicated."""
    if not text or text.isspace():
        return []
    return list(_byline_names(text))


def normalize_authors(values: Iterable[str | None]) -> list[str]:
    """Flatten several bylines into one ordered list without case-insensitive duplicates."""
    names: list[str] = []
    seen: set[str] = set()
    for value in values:
        for name in normalize_byline(value):
            key = _name_key(name)
            if key not in seen:
                seen.add(key)
                names.append(name)
    return names


def _name_key(name: str) -> str:
    """Comparison key for a name: NFKC, casefolded."""
    return unicodedata.normalize("NFKC", name).casefold()


@lru_cache(maxsize=16384)
def _byline_names(text: str) -> tuple[str, ...]:
    """The cached worker behind normalize_byline."""
    names: list[str] = []
    previous = _JUNK
    for separator, segment in _segments(_prepare(text)):
        kind, name = _classify(segment)
        if kind == _NAME and " " not in name and _is_role_tail(separator, previous, names):
            kind = _ROLE
        if kind == _SUFFIX and previous == _NAME and names:
            names[-1] = f"{names[-1]} {name}"
        elif kind == _NAME and _name_key(name) not in {_name_key(n) for n in names}:
            names.append(name)
        previous = kind
    return tuple(names)


def _is_role_tail(separator: str, previous: str, names: list[str]) -> bool:
    """Whether a one-word segment continues a role or is a place rather than a person.

    "Head of Research and Analysis": after a role, a conjunction joins role words.
    "Adam Malinowski, Warsaw": after a full name, one word past a comma is a place or outlet;
    "Reuters, London": so it is after an organisation, a role or a domain.
    """
    if separator == _CONJ:
        return previous == _ROLE
    after_name = bool(names) and " " in names[-1]
    return separator == _COMMA and (after_name or previous in (_ROLE, _JUNK))


def _prepare(text: str) -> str:
    """NFC text without invisible characters, contacts, asides, prefixes and "et al."."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    text = _CONTACTS.sub(" ", text)
    text = _ASIDES.sub(" ", text)
    text = _REPORTER_TITLE.sub(" ", text)
    text = _EDGES.sub("", text)
    for _ in range(3):
        match = _PREFIX.match(text) or _SOFT_PREFIX.match(text)
        if not match:
            break
        text = _EDGES.sub("", text[match.end() :])
    return _TRAILER.sub("", text)


def _segments(text: str) -> Iterator[tuple[str, str]]:
    """Split text on separators, yielding (kind of the separator before it, segment)."""
    separator, start = _START, 0
    for match in _SEPARATOR.finditer(text):
        yield separator, text[start : match.start()]
        words = match.group().replace(",", " ").casefold().split()
        separator = _CONJ if _CONJUNCTIONS.intersection(words) else _COMMA
        start = match.end()
    yield separator, text[start:]


def _classify(segment: str) -> tuple[str, str]:
    """Decide what one segment is; for names and suffixes also return the cleaned text."""
    tokens = _strip_titles(segment.strip().strip(_SEGMENT_EDGE).split())
    if not tokens:
        return _JUNK, ""
    joined = " ".join(tokens)
    if joined.casefold() in _SUFFIXES:
        return _SUFFIX, joined.upper() if joined.casefold() in _ROMAN else joined.capitalize()
    stripped = _strip_leading_roles(tokens)
    if stripped is None:
        return _ROLE, ""
    tokens = stripped
    kind = _shape(tokens)
    if kind != _NAME:
        return kind, ""
    if len(tokens) == 1 and _is_acronym(tokens[0]):
        return _JUNK, ""
    return _NAME, _fix_case(tokens)


def _strip_titles(tokens: list[str]) -> list[str]:
    """Drop leading honorifics (Prof., dr hab., Sir) and trailing post-nominals (PhD)."""
    start = 0
    while start < len(tokens) and _is_honorific(tokens[start]):
        start += 1
    end = len(tokens)
    while end - start > 1 and tokens[end - 1].casefold().replace(".", "") in _POSTNOMINALS:
        end -= 1
    if end - start == 1 and tokens[start].casefold().replace(".", "") in _POSTNOMINALS:
        return []
    return tokens[start:end]


def _is_honorific(token: str) -> bool:
    """Whether a token is a title such as Prof., Dr, Sir or Gen. (with its dot)."""
    key = token.casefold().rstrip(".")
    return key in _HONORIFICS or (token.endswith(".") and key in _DOTTED_HONORIFICS)


def _strip_leading_roles(tokens: list[str]) -> list[str] | None:
    """Tokens without a leading role ("Senior Fellow Adam Malinowski"); None for a role."""
    flags = [_is_role_word(token, i, len(tokens)) for i, token in enumerate(tokens)]
    if not any(flags):
        return tokens
    lead = flags.index(False) if False in flags else len(flags)
    role, rest = tokens[:lead], tokens[lead:]
    words = [token for token in rest if token not in _PARTICLES]
    if not role or any(flags[lead:]) or len(words) < 2 or any(t[0].islower() for t in role):
        return None
    if "".join(rest).isupper() and not "".join(role).isupper():
        return None  # "Senior Fellow IMEMO RAN": an institution, not a person
    return rest


def _is_role_word(token: str, index: int, count: int) -> bool:
    """Whether a token marks a role, affiliation or placeholder rather than a name."""
    key = token.casefold().strip(".,:;'\"’")
    if key in _ROLE_WORDS or key in _FUNCTION_WORDS or key.endswith(_ROLE_ENDINGS):
        return True
    if key in _SURNAME_ROLE_WORDS:
        return index < count - 1 or count == 1
    return "-" in key and any(part in _ROLE_WORDS for part in key.split("-"))


def _shape(tokens: list[str]) -> str:
    """NAME for 1-5 capitalized words plus particles, ROLE for lowercase words, else JUNK."""
    capitalized = 0
    for token in tokens:
        if token in _PARTICLES:
            continue
        glued = _GLUED_PARTICLE.fullmatch(token)
        core = glued.group(1) if glued else token
        if not _TOKEN.fullmatch(core):
            return _JUNK
        if core[0].islower() and not _is_caseless_script(core[0]):
            return _ROLE
        capitalized += 1
    if capitalized > _MAX_NAME_WORDS:
        return _ROLE
    return _NAME if capitalized else _JUNK


def _is_caseless_script(char: str) -> bool:
    """Whether a lowercase letter belongs to a script written without capitals (Georgian)."""
    return "\u10d0" <= char <= "\u10ff"


def _is_acronym(token: str) -> bool:
    """Whether a lone token is an organisation acronym such as OSW, PISM or ECFR."""
    letters = [c for c in token if c.isalpha()]
    return 2 <= len(letters) <= 5 and all(c.isupper() for c in letters)


def _fix_case(tokens: list[str]) -> str:
    """Proper-case ALL-CAPS names; in mixed names only ALL-CAPS words of 4+ letters."""
    all_caps = "".join(tokens).isupper()
    words = []
    for index, token in enumerate(tokens):
        if token.isupper() and (all_caps or sum(c.isalpha() for c in token) >= 4):
            token = _proper_case(token, first=index == 0)
        words.append(token)
    return unicodedata.normalize("NFC", " ".join(words))


def _proper_case(token: str, *, first: bool) -> str:
    """ŁUKASZ -> Łukasz, JEAN-PIERRE -> Jean-Pierre, O'NEILL -> O'Neill, VAN -> van."""
    lower = token.lower()
    if lower.rstrip(".") in _ROMAN:
        return token
    if not first and lower in _CAPS_PARTICLES:
        return lower
    if not first and lower.startswith("al-") and len(lower) > 3:
        return "al-" + _proper_case(token[3:], first=True)
    chars = []
    upper_next = True
    for index, char in enumerate(lower):
        if char.isalpha():
            chars.append(char.upper() if upper_next else char)
            upper_next = False
        else:
            chars.append(char)
            upper_next = char in "-." or (char in "'’" and index == 1)
    word = "".join(chars)
    if word.startswith("Mc") and len(word) > 2:
        word = "Mc" + word[2].upper() + word[3:]
    return word
