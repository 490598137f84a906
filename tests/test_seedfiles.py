"""Table-driven tests of seed file decoding and parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.seedfiles import (
    LEGACY_ENCODINGS,
    SeedFileError,
    SourceRef,
    decode_text,
    legacy_candidates,
    parse_seed,
)

GK = "Grzegorz Kuczyński"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"

BODY = (
    "Russian Security Council Secretary Nikolai Patrushev met Iranian leaders in Tehran. "
    "The two officials discussed the situation in Ukraine."
)
SPACED_BODY = BODY.replace(" ", " \t\xa0 ")
LEAD = "Iran has not shifted its policy towards the Russian invasion of Ukraine."
SIMPLE = f"Date: 23 November 2022 Author: Jan Nowak\n\nA Title\n\n{LEAD}\n\n{BODY}\n"

POLISH = (
    "Zażółć gęślą jaźń. Wśród ścisłych źródeł świat się nie kończy. Prezydent Andrzej Duda "
    "podpisał ustawę o zmianach w sądownictwie, która według opozycji narusza zasady państwa "
    "prawa. Ministerstwo Spraw Zagranicznych przekazało, że rozmowy z partnerami będą "
    "kontynuowane w przyszłym tygodniu.\n\nŻołnierze ćwiczyli na poligonie pod Łodzią; "
    "ŹRÓDŁO: ŚWIĘTOKRZYSKIE, GDAŃSK, ŁÓDŹ.\n"
)
# Only ą among the letters where cp1250 and ISO-8859-2 differ: the case charset-normalizer gets
# wrong when given both code pages at once.
POLISH_A_ONLY = (
    "Ta ustawa mąci. Mąka, pająk, wąż i sąd są tu. Prawo i Sprawiedliwość traci poparcie w "
    "sondażach, a rząd zapowiada kolejne zmiany w prawie wyborczym.\n"
)
RUSSIAN = (
    "Жители Щёлково и Ыныкчана обсудили вопросы безопасности. Совет безопасности Российской "
    "Федерации провёл заседание, на котором обсуждались меры по защите от внешнего "
    "вмешательства.\n\nСекретарь Совбеза Николай Патрушев встретился с иранскими руководителями "
    "в Тегеране. ЖЩЫ — «Известия», № 5.\n"
)

RUSSIAN_KOI8 = RUSSIAN.replace("—", "-").replace("«", '"').replace("»", '"').replace("№", "N")
"""RUSSIAN without the characters KOI8-R lacks."""
MIXED = RUSSIAN[:120] + POLISH_A_ONLY[:150]


@pytest.mark.parametrize(
    ("name", "date", "byline", "title", "lead_start", "refs", "first", "last"),
    [
        (
            "000_4c2cf501f094f8ca.txt",
            "23 November 2022",
            "Grzegorz Kuczyński",
            "Russia, Iran Pledge Closer Military Ties",
            "Iran has not shifted its policy towards the Russian invasion of Ukraine",
            (SourceRef("Совет Безопасности Российской Федерации", None),),
            "Russian Security Council Secretary Nikolai Patrushev met Iranian leaders",
            "Related posts",
        ),
        (
            "002_9f8dc4159762bb46.txt",
            "26 January 2023",
            "Grzegorz Kuczyński",
            "Iranian, Russian Speakers Meet, Calling for Strategic Cooperation",
            "Russian State Duma speaker headed to Tehran",
            (SourceRef("Председатель ГД встретился с Президентом Ирана", "https://duma.gov.ru"),),
            "For Russia, Iran is a major ally",
            "Top",
        ),
    ],
)
def test_real_seeds(name, date, byline, title, lead_start, refs, first, last):
    doc = parse_seed(decode_text((SEEDS / name).read_bytes()))
    assert doc.date == date
    assert doc.byline == byline
    assert doc.title == title
    assert doc.lead.startswith(lead_start)
    assert doc.source_refs == refs
    assert doc.paragraphs[0].startswith(first)
    assert doc.paragraphs[-1] == last
    assert "" not in doc.paragraphs
    assert "Support Us" in doc.paragraphs


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(SIMPLE.encode(), id="lf"),
        pytest.param(SIMPLE.replace("\n", "\r\n").encode(), id="crlf"),
        pytest.param(b"\xef\xbb\xbf" + SIMPLE.replace("\n", "\r\n").encode(), id="bom-crlf"),
        pytest.param(SIMPLE.replace("\n", "\r").encode(), id="cr"),
        pytest.param("\ufeff".encode("utf-16-le") + SIMPLE.encode("utf-16-le"), id="utf16-bom"),
    ],
)
def test_line_endings_and_boms_decode_to_the_same_text(data):
    text = decode_text(data)
    assert text == SIMPLE
    doc = parse_seed(text)
    assert (doc.date, doc.byline, doc.title, doc.lead) == (
        "23 November 2022",
        "Jan Nowak",
        "A Title",
        LEAD,
    )
    assert doc.paragraphs == (BODY,)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (POLISH, "cp1250"),
        (POLISH, "iso8859_2"),
        (POLISH_A_ONLY, "cp1250"),
        (POLISH_A_ONLY, "iso8859_2"),
        (RUSSIAN, "cp1251"),
        (RUSSIAN_KOI8, "koi8_r"),
    ],
)
def test_legacy_encodings_round_trip(text, encoding):
    assert decode_text(text.encode(encoding)) == text


@pytest.mark.parametrize(
    ("data", "candidates"),
    [
        # ś and ź are at 0x9C and 0x9F in cp1250: control characters in ISO-8859-2
        (POLISH.encode("cp1250"), ("cp1250", "cp1252")),
        (POLISH.encode("iso8859_2"), ("cp1250", "iso8859_2", "cp1252")),
        # no byte 0x80-0x9F: ą is 0xB9 in cp1250 and 0xB1 in ISO-8859-2, both are compared
        ("Mąka, pająk, wąż i sąd są tu.".encode("cp1250"), ("cp1250", "iso8859_2", "cp1252")),
        (RUSSIAN.encode("cp1251"), ("cp1251", "koi8_r")),
        (RUSSIAN_KOI8.encode("koi8_r"), ("cp1251", "koi8_r")),
        # as many Latin letters as Cyrillic ones: the script is not told, all are compared
        (MIXED.encode("cp1251", errors="replace"), LEGACY_ENCODINGS),
        (b"", ("cp1250", "iso8859_2", "cp1252")),
    ],
)
def test_legacy_candidates_follow_the_script_and_the_control_bytes(data, candidates):
    assert legacy_candidates(data) == candidates


def test_legacy_encoded_seed_parses():
    seed = f"Date: 5 maja 2023\r\nAuthor: Paweł Łoś\r\n\r\nTytuł\r\n\r\n{POLISH}"
    doc = parse_seed(decode_text(seed.encode("cp1250")))
    assert (doc.date, doc.byline, doc.title) == ("5 maja 2023", "Paweł Łoś", "Tytuł")
    assert doc.lead.startswith("Zażółć gęślą jaźń.")
    assert doc.paragraphs == (
        "Żołnierze ćwiczyli na poligonie pod Łodzią; ŹRÓDŁO: ŚWIĘTOKRZYSKIE, GDAŃSK, ŁÓDŹ.",
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary", id="png"),
        pytest.param(b"Date: 1 May 2023\n\nTitle\x00\n\nBody", "binary", id="nul-in-text"),
        pytest.param(bytes(range(1, 32)) * 20 + b"some text", "binary", id="control-utf8"),
        pytest.param(bytes(range(1, 9)) * 40 + "ąę".encode("cp1250") * 5, "binary", id="control"),
        pytest.param(b"\xef\xbb\xbfDate: \xff\xfe", "undecodable", id="bad-utf8-after-bom"),
    ],
)
def test_decode_rejects(data, reason):
    with pytest.raises(SeedFileError) as caught:
        decode_text(data)
    assert caught.value.reason == reason
    assert str(caught.value)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        (" \n\t\r\n \xa0 \n", "empty"),
        ("\ufeff", "empty"),
        (f"A Title\n\n{LEAD}\n\n{BODY}", "no_header"),
        (f"By the end of 2022 Russia lost\n\n{BODY}", "no_header"),
        ("Date: 1 May 2023 Author: Jan Nowak\n\n \n", "no_title"),
        ("Date: 1 May 2023\n\nA Title\n\n\xa0\n", "no_body"),
        ("Date: 1 May 2023\n\nA Title\n\nSOURCE: TASS (tass.ru)\n", "no_body"),
    ],
)
def test_parse_rejects(text, reason):
    with pytest.raises(SeedFileError) as caught:
        parse_seed(text)
    assert caught.value.reason == reason
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("header", "date", "byline"),
    [
        (f"Date: 23 November 2022 Author: {GK}", "23 November 2022", GK),
        (f"Date: 23 November 2022\nAuthor: {GK}", "23 November 2022", GK),
        (f"Date: 23 November 2022\n\nAuthor: {GK}", "23 November 2022", GK),
        ("Author: Jan Nowak\nDate: 2023-05-01", "2023-05-01", "Jan Nowak"),
        (f"Date: 23 November 2022 By {GK}", "23 November 2022", GK),
        ("Date: 23.11.2022\nBy Jan Nowak and Ewa Lis", "23.11.2022", "Jan Nowak and Ewa Lis"),
        ("By Jan Nowak\nDate: 1 May 2023", "1 May 2023", "Jan Nowak"),
        ("Date: 23 listopada 2022 r. | Author: Jan Nowak", "23 listopada 2022 r.", "Jan Nowak"),
        ("Date: 23 ноября 2022 года", "23 ноября 2022 года", None),
        ("Date: 1 May 2023 Author:", "1 May 2023", None),
        ("DATE:   May   2023  ", "May 2023", None),
    ],
)  # fmt: skip
def test_header_variants(header, date, byline):
    doc = parse_seed(f"{header}\n\nA Title\n\n{LEAD}\n\n{BODY}")
    assert (doc.date, doc.byline) == (date, byline)
    assert (doc.title, doc.lead, doc.paragraphs) == ("A Title", LEAD, (BODY,))


def test_title_starting_with_by_is_not_a_byline():
    doc = parse_seed(f"Date: 1 May 2023\n\nBy the end of 2022 Russia lost\n\n{LEAD}\n\n{BODY}")
    assert doc.byline is None
    assert doc.title == "By the end of 2022 Russia lost"


@pytest.mark.parametrize(
    ("source_lines", "refs"),
    [
        ("", ()),
        ("SOURCE: State Duma (duma.gov.ru)", (SourceRef("State Duma", "https://duma.gov.ru"),)),
        ("SOURCE: Kremlin (http://kremlin.ru/events/1)", (SourceRef("Kremlin", "http://kremlin.ru/events/1"),)),
        ("SOURCE: Совет Безопасности (", (SourceRef("Совет Безопасности", None),)),
        ("SOURCE: TASS (https://tass.ru/polit", (SourceRef("TASS", None),)),
        ("SOURCE: Kommersant (in Russian)", (SourceRef("Kommersant", None),)),
        ("SOURCE: Reuters", (SourceRef("Reuters", None),)),
        ("SOURCE: rbc.ru", (SourceRef("rbc.ru", "https://rbc.ru"),)),
        ("SOURCES: Office of the President, Ukraine (president.gov.ua), TASS (tass.ru)",
         (SourceRef("Office of the President, Ukraine", "https://president.gov.ua"),
          SourceRef("TASS", "https://tass.ru"))),
        ("SOURCE: Interfax (interfax.ru); RIA Novosti",
         (SourceRef("Interfax", "https://interfax.ru"), SourceRef("RIA Novosti", None))),
        ("SOURCE: Meduza (meduza.io)\n\nSource: Novaya Gazeta (//novayagazeta.eu)",
         (SourceRef("Meduza", "https://meduza.io"), SourceRef("Novaya Gazeta", "https://novayagazeta.eu"))),
    ],
)  # fmt: skip
def test_source_lines(source_lines, refs):
    doc = parse_seed(f"Date: 1 May 2023\n\nA Title\n\n{LEAD}\n\n{source_lines}\n\n{BODY}")
    assert doc.source_refs == refs
    assert doc.lead == LEAD
    assert doc.paragraphs == (BODY,)


@pytest.mark.parametrize(
    ("after_title", "lead", "paragraphs"),
    [
        pytest.param(f"{BODY}", None, (BODY,), id="single-paragraph-is-no-lead"),
        pytest.param(f"{LEAD}\n\n{BODY}", LEAD, (BODY,), id="lead-and-body"),
        pytest.param(f"{LEAD}\n\n\xa0\n\n{BODY}\n\u00a0", LEAD, (BODY,), id="nbsp-lines-dropped"),
        pytest.param(f"{LEAD}\n\n  {SPACED_BODY}\t", LEAD, (BODY,), id="whitespace-folded"),
        pytest.param(f"{LEAD}\n{BODY}\nRelated posts\nTop", LEAD, (BODY, "Related posts", "Top"),
                     id="each-line-is-a-paragraph"),
    ],
)  # fmt: skip
def test_lead_and_paragraphs(after_title, lead, paragraphs):
    doc = parse_seed(f"Date: 1 May 2023\n\nA Title\n\n{after_title}")
    assert doc.lead == lead
    assert doc.paragraphs == paragraphs


def test_learning_sample_spreads_evenly_over_each_folder():
    from pathlib import Path

    from crawler.seedfolder import LEARNING_FLOOR, learning_sample

    big = [f"/big/{i:04d}.txt" for i in range(1000)]
    small = [f"/small/{i}.txt" for i in range(3)]
    middle = [f"/middle/{i:03d}.txt" for i in range(100)]
    sample = learning_sample([*big, *small, *middle], budget=110)
    assert set(small) <= set(sample)  # a small folder gives all it has
    assert sum(p.startswith("/middle/") for p in sample) == LEARNING_FLOOR
    picked = [int(Path(p).stem) for p in sample if p.startswith("/big/")]
    assert len(picked) == 100  # its share of the budget
    assert picked[0] == 0 and picked[-1] >= 990  # the whole folder is covered, not its start
    assert learning_sample(small, budget=110) == small
