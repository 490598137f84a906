"""Table tests for crawler.normalize.bylines."""

import unicodedata

import pytest

from crawler.normalize.bylines import is_credit, normalize_authors, normalize_byline

PREFIXES = [
    ("Author: Adam Malinowski", ["Adam Malinowski"]),
    ("Authors: Adam Malinowski, Ewa Król", ["Adam Malinowski", "Ewa Król"]),
    ("By Adam Malinowski", ["Adam Malinowski"]),
    ("by: Adam Malinowski", ["Adam Malinowski"]),
    ("BY ADAM MALINOWSKI", ["Adam Malinowski"]),
    ("Written by Adam Malinowski", ["Adam Malinowski"]),
    ("Autor: Grzegorz Kuczyński", ["Grzegorz Kuczyński"]),
    ("Autorzy: Jan Nowak i Ewa Król", ["Jan Nowak", "Ewa Król"]),
    ("Автор: Иван Петров", ["Иван Петров"]),
    ("Von Klaus Müller", ["Klaus Müller"]),
    ("Par Jean Dupont", ["Jean Dupont"]),
    ("\u00a0— By\u00a0Adam Malinowski |", ["Adam Malinowski"]),
    # a word that merely starts like a prefix is part of the name
    ("Byron Smith", ["Byron Smith"]),
    # "Von"/"Par" without a colon are stripped only when a full name follows
    ("Von Miller", ["Von Miller"]),
    # ... or an agency's acronym, which is no name either
    ("Von APA", []),
    ("Par AFP", []),
    # reporter titles of Korean, Japanese and Chinese bylines, after or before the name
    ("홍길동 기자", ["홍길동"]),
    ("이기자", ["이기자"]),
    ("山田太郎記者", ["山田太郎"]),
    ("记者张三、李四", ["张三", "李四"]),
]

SEPARATORS = [
    ("By Adam Malinowski and Ewa Król", ["Adam Malinowski", "Ewa Król"]),
    ("Adam Malinowski, Ewa Król & Jan Nowak", ["Adam Malinowski", "Ewa Król", "Jan Nowak"]),
    ("Adam Malinowski, Ewa Król, and Jan Nowak", ["Adam Malinowski", "Ewa Król", "Jan Nowak"]),
    ("Adam Malinowski; Ewa Król", ["Adam Malinowski", "Ewa Król"]),
    ("Trine Juncher Jørgensen og Tôrtia Reimer", ["Trine Juncher Jørgensen", "Tôrtia Reimer"]),
    ("Anna Svensson och Erik Berg", ["Anna Svensson", "Erik Berg"]),
    ("Adam Malinowski | Ewa Król", ["Adam Malinowski", "Ewa Król"]),
    ("Adam Malinowski\nEwa Król", ["Adam Malinowski", "Ewa Król"]),
    ("Jan Nowak i Ewa Król", ["Jan Nowak", "Ewa Król"]),
    ("Автор: Иван Петров и Мария Иванова", ["Иван Петров", "Мария Иванова"]),
    ("Von Klaus Müller und Anna Schmidt", ["Klaus Müller", "Anna Schmidt"]),
    ("Par Jean Dupont et Marie Curie", ["Jean Dupont", "Marie Curie"]),
    ("ADAM MALINOWSKI AND EWA KRÓL", ["Adam Malinowski", "Ewa Król"]),
    ("Adam, Ewa & Jan", ["Adam", "Ewa", "Jan"]),
    ("Adam Malinowski et al.", ["Adam Malinowski"]),
    ("Иван Петров и др.", ["Иван Петров"]),
    ("By Adam Malinowski and", ["Adam Malinowski"]),
    # the same person twice in one byline is kept once
    ("Adam Malinowski and ADAM MALINOWSKI", ["Adam Malinowski"]),
]

ROLES = [
    ("By Prof. Adam Malinowski, Head of Programme", ["Adam Malinowski"]),
    (
        "Dr. Anna Maria Kowalska-Nowak, Senior Fellow at the Warsaw Institute",
        ["Anna Maria Kowalska-Nowak"],
    ),
    ("Adam Malinowski, Senior Fellow, and Ewa Król, Analyst", ["Adam Malinowski", "Ewa Król"]),
    ("Adam Malinowski, Head of Research and Analysis", ["Adam Malinowski"]),
    ("Adam Malinowski, Director of Policy and Public Affairs", ["Adam Malinowski"]),
    (
        "Adam Malinowski, Head of the Russia Programme, Centre for Eastern Studies (OSW)",
        ["Adam Malinowski"],
    ),
    ("By ADAM MALINOWSKI, SENIOR ANALYST", ["Adam Malinowski"]),
    ("Agnieszka Legucka, PISM", ["Agnieszka Legucka"]),
    ("Adam Malinowski, Warsaw", ["Adam Malinowski"]),
    # one word past a comma after an organisation, a role or a domain is a place too
    ("Reuters, London", []),
    ("monitor.example, Riga, Latvia", []),
    ("Staff writer, Adam Malinowski", ["Adam Malinowski"]),
    ("Tomasz Kowalski — OSW", ["Tomasz Kowalski"]),
    ("Ян Новак, старший научный сотрудник ИМЭМО РАН", ["Ян Новак"]),
    ("Hans-Dietrich Genscher, Bundesminister des Auswärtigen", ["Hans-Dietrich Genscher"]),
    ("Marie Curie, chargée de recherche", ["Marie Curie"]),
    ("Senior Fellow Adam Malinowski", ["Adam Malinowski"]),
    ("Ambassador Daniel Fried", ["Daniel Fried"]),
    # "Head" is a role word, except as the surname that ends a name
    ("Edith Head", ["Edith Head"]),
    # "news" and "agencies" (German) alone are a desk, ending a name a publication
    ("Nachrichten", []),
    ("Agenturen", []),
    ("Musterstädter Nachrichten", ["Musterstädter Nachrichten"]),
]

TITLES = [
    ("Prof Adam Malinowski", ["Adam Malinowski"]),
    ("Dr Ewa Król", ["Ewa Król"]),
    ("dr hab. Jan Nowak, prof. UW", ["Jan Nowak"]),
    ("prof. dr hab. inż. Jan Nowak", ["Jan Nowak"]),
    ("mgr Ewa Król", ["Ewa Król"]),
    ("Mr John Smith and Mrs Jane Smith", ["John Smith", "Jane Smith"]),
    ("Ms. Jane Doe", ["Jane Doe"]),
    ("Mx Sam Taylor", ["Sam Taylor"]),
    ("Sir Lawrence Freedman", ["Lawrence Freedman"]),
    ("Dame Mary Beard", ["Mary Beard"]),
    ("Hon. Jan Nowak", ["Jan Nowak"]),
    ("Rev. Martin Luther King, Jr.", ["Martin Luther King Jr."]),
    ("Amb. Daniel Fried", ["Daniel Fried"]),
    ("Gen. Ben Hodges", ["Ben Hodges"]),
    ("Col. Jan Nowak", ["Jan Nowak"]),
    ("Lt. Jan Nowak", ["Jan Nowak"]),
    ("Capt. Jan Nowak", ["Jan Nowak"]),
    ("Dr.-Ing. Klaus Müller", ["Klaus Müller"]),
    ("Prof. Dr. Klaus Müller", ["Klaus Müller"]),
    ("проф. Иван Петров", ["Иван Петров"]),
    ("John Smith, PhD", ["John Smith"]),
    ("John Smith Ph.D.", ["John Smith"]),
    ("Jane Doe, MD", ["Jane Doe"]),
    ("Martin Luther King Jr.", ["Martin Luther King Jr."]),
    ("MARTIN LUTHER KING, JR.", ["Martin Luther King Jr."]),
    ("John Smith, iii", ["John Smith III"]),
    ("John Smith III", ["John Smith III"]),
]

CASING = [
    ("ŁUKASZ WRÓBLEWSKI", ["Łukasz Wróblewski"]),
    ("JEAN-PIERRE DUPONT", ["Jean-Pierre Dupont"]),
    ("SEAN O'NEILL", ["Sean O'Neill"]),
    ("LUDWIG VAN BEETHOVEN", ["Ludwig van Beethoven"]),
    ("ИВАН ПЕТРОВ", ["Иван Петров"]),
    ("JOHN MCDONALD", ["John McDonald"]),
    ("JOHN SMITH III", ["John Smith III"]),
    ("J.R.R. TOLKIEN", ["J.R.R. Tolkien"]),
    ("Bashar AL-ASSAD", ["Bashar al-Assad"]),
    # an ALL-CAPS surname in a mixed name is proper-cased, short initials are kept
    ("Adam MALINOWSKI", ["Adam Malinowski"]),
    ("J.R.R. Tolkien", ["J.R.R. Tolkien"]),
    ("JR Smith", ["JR Smith"]),
    # mixed case is left as written
    ("Ronald McDonald", ["Ronald McDonald"]),
    ("Ron DeSantis", ["Ron DeSantis"]),
    ("Jean d'Alembert", ["Jean d'Alembert"]),
    ("Jean-Pierre O'Neill-Smith", ["Jean-Pierre O'Neill-Smith"]),
    ("Anna Maria Kowalska-Nowak", ["Anna Maria Kowalska-Nowak"]),
    ("José María de la Fuente García", ["José María de la Fuente García"]),
    ("Grzegorz Kuczyński", ["Grzegorz Kuczyński"]),
    # scripts without capitals are names too
    ("ანა ბერიძე", ["ანა ბერიძე"]),
    ("李明", ["李明"]),
]

UNICODE = [
    # decomposed (NFD) input comes out composed (NFC)
    (unicodedata.normalize("NFD", "Ewa Król"), ["Ewa Król"]),
    (unicodedata.normalize("NFD", "Łukasz Wróblewski"), ["Łukasz Wróblewski"]),
    (unicodedata.normalize("NFD", "ŁUKASZ WRÓBLEWSKI"), ["Łukasz Wróblewski"]),
    ("Jan\u00a0Nowak", ["Jan Nowak"]),
    ("  Jan \t Nowak  ", ["Jan Nowak"]),
    ("\ufeffJan Nowak\u200b and Ewa\u202fKról\u00ad", ["Jan Nowak", "Ewa Król"]),
]

NOT_NAMES = [
    (None, []),
    ("", []),
    ("   ", []),
    ("\u00a0\u00a0", []),
    ("By Staff", []),
    ("Staff", []),
    ("Editorial team", []),
    ("The Editors", []),
    ("Admin", []),
    ("Username", []),
    ("Redakcja", []),
    ("Unknown", []),
    ("Anonymous", []),
    ("Guest Author", []),
    ("Reuters", []),
    ("By OSW", []),
    ("---", []),
    ("12345", []),
    ("adam@osw.waw.pl", []),
    ("https://www.osw.waw.pl/en", []),
    ("@adam_malinowski", []),
    ("adam malinowski", []),
    ("Sir", []),
    ("PhD", []),
    ("Adam Malinowski <adam@osw.waw.pl>", ["Adam Malinowski"]),
    ("Adam Malinowski @adam_m", ["Adam Malinowski"]),
    ("Adam Malinowski | 12 March 2024", ["Adam Malinowski"]),
]


@pytest.mark.parametrize(
    ("byline", "expected"),
    PREFIXES + SEPARATORS + ROLES + TITLES + CASING + UNICODE + NOT_NAMES,
)
def test_normalize_byline(byline, expected):
    assert normalize_byline(byline) == expected


@pytest.mark.parametrize(
    "byline", [row[0] for row in CASING + UNICODE if row[1]] + ["Ewa Król, Jan Nowak"]
)
def test_names_are_nfc(byline):
    names = normalize_byline(byline)
    assert names
    assert all(unicodedata.is_normalized("NFC", name) for name in names)


def test_cached_result_is_a_fresh_list():
    first = normalize_byline("Adam Malinowski")
    first.append("Intruder")
    assert normalize_byline("Adam Malinowski") == ["Adam Malinowski"]


AUTHORS = [
    (["By A B", "a b", "C D and E F"], ["A B", "C D", "E F"]),
    (
        ["By Adam Malinowski", "adam malinowski", "ADAM MALINOWSKI", "Ewa Król and Jan Nowak"],
        ["Adam Malinowski", "Ewa Król", "Jan Nowak"],
    ),
    (["Ewa Król", unicodedata.normalize("NFD", "EWA KRÓL")], ["Ewa Król"]),
    (["Ron DeSantis", "RON DESANTIS", "Ron Desantis"], ["Ron DeSantis"]),
    (["Jan Nowak", "\uff2a\uff41\uff4e \uff2e\uff4f\uff57\uff41\uff4b"], ["Jan Nowak"]),
    (["Jan Nowak", None, "", "By Staff", "Jan Nowak, Ewa Król"], ["Jan Nowak", "Ewa Król"]),
    (["Ewa Król", "Adam Malinowski"], ["Ewa Król", "Adam Malinowski"]),
    ([], []),
    ([None], []),
]


@pytest.mark.parametrize(("values", "expected"), AUTHORS)
def test_normalize_authors(values, expected):
    assert normalize_authors(values) == expected


def test_normalize_authors_takes_any_iterable():
    values = (byline for byline in ["Adam Malinowski", "Ewa Król"])
    assert normalize_authors(values) == ["Adam Malinowski", "Ewa Król"]


@pytest.mark.parametrize(
    ("name", "credit"),
    [
        ("dpa", True),
        ("Reuters", True),
        ("The Associated Press", True),
        ("AFP/dpa", True),
        ("Staff and agencies", True),
        ("Redaktion Monitor", True),
        ("Online-Redaktion", True),
        ("Baltic Monitor", False),
        ("Friends of the Archive", False),
        ("Monitor News", False),
        # a credit's word must stand alone
        ("Apache Foundation", False),
    ],
)
def test_is_credit(name: str, credit: bool) -> None:
    assert is_credit(name) is credit
