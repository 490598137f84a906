"""Fingerprints: the fast paths compute exactly what the definition says. Databases store these
values (content hashes, article ids, sketches): a change of definition needs a migration."""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
import zlib

import pytest

from crawler.storage.dedupe import (
    ANCHOR_BYTES,
    SHINGLE_WORDS,
    SKETCH_SIZE,
    content_text,
    fingerprint,
    is_same_article,
    title_key,
    words,
)
from tests.conftest import make_text


def defined_words(text: str) -> list[bytes]:
    """The definition: what ``\\w+`` finds in the NFKC-normalized, case-folded text."""
    found = re.findall(r"\w+", unicodedata.normalize("NFKC", text).casefold())
    return [w.encode() for w in found]


def defined_shingles(tokens: list[bytes]) -> set[int]:
    """The definition: the CRC-32 of each run of 3 words, space-joined (of all the words when
    there are fewer)."""
    if len(tokens) < SHINGLE_WORDS:
        return {zlib.crc32(b" ".join(tokens))} if tokens else set()
    return {zlib.crc32(b" ".join(tokens[i : i + 3])) for i in range(len(tokens) - 2)}


def defined_sketch(tokens: list[bytes]) -> tuple[int, ...]:
    """The definition: the 6 smallest hashes of the shingles whose first word has 9 bytes or
    more; of all shingles when fewer than 6 distinct values start so."""
    anchored = {
        zlib.crc32(b" ".join(tokens[i : i + 3]))
        for i in range(len(tokens) - 2)
        if len(tokens[i]) >= ANCHOR_BYTES
    }
    if len(anchored) < SKETCH_SIZE:
        anchored = defined_shingles(tokens)
    return tuple(sorted(anchored)[:SKETCH_SIZE])


TEXTS = [
    "",
    "   \n\t ",
    "One",
    "Two words",
    "Plain ASCII text, with punctuation: (brackets) and snake_case_names 42.",
    "It’s a “quoted” text — with dashes – and… ellipses",
    "No-break\u00a0spaces\u2009and\u200bzero width",
    "Zażółć gęślą jaźń: ŁÓDŹ i Kraków",
    "Россия и Украина: переговоры «в Стамбуле»",
    "Ligatures ﬁnance ﬂow, Ⅻ chapters, x² and ١٢٣ digits",
    "Straße, İstanbul, ǅemal, ΣΊΣΥΦΟΣ",
    "e\u0301 composed by NFKC, a lone combining \u0301 mark",
    "日本語のテキストと English",
    "a lone surrogate \ud800 between words",
    "tab\tseparated\r\nlines\x00with a NUL",
]


@pytest.mark.parametrize("text", TEXTS)
def test_words_are_what_the_regular_expression_finds(text):
    assert words(text) == defined_words(text)


def test_words_of_random_unicode_text_are_what_the_regular_expression_finds():
    rng = random.Random(7)
    alphabet = [*"abz AZ09_ .,;:!?-'\"\n", *"ąęłóśżĄŁ’“”„—–«»…\u00a0\u2009", *"йцукЁё", "ﬁ", "²"]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        assert words(text) == defined_words(text), text


@pytest.mark.parametrize(
    "text",
    [
        *TEXTS,
        make_text(1),
        make_text(2, paragraphs=12, words=90),
        "the same three words " * 200,  # few distinct shingles
        "established relationship continues " * 200,  # few distinct anchored shingles
        "short words only, and none of them long enough to be an anchor at all",
        " ".join(f"w{i}" for i in range(5000)),
        " ".join(f"anchoring{i}" for i in range(5000)),
        "Многосторонние переговоры продолжаются; " * 3 + "日本語のテキストと" * 40,
        "x" * 300 + " follows a word of 300 bytes, then " + "y" * 70_000 + " and more words",
    ],
)
def test_fingerprint_values_follow_the_definition(text):
    fp = fingerprint(f"Title of {text[:30]}", None, text)
    tokens = defined_words(text)
    shingles = defined_shingles(tokens)
    assert fp.content_hash == hashlib.blake2b(b" ".join(tokens), digest_size=16).hexdigest()
    assert fp.sketch == defined_sketch(tokens)
    assert fp.shingles == shingles


def test_title_key_is_the_titles_words_cut_to_200_characters():
    assert title_key("  The “Kremlin’s” NEW  Strategy ") == "the kremlin s new strategy"
    long_title = "Żółw " * 100
    assert title_key(long_title) == ("żółw " * 40)[:200]


def test_lead_and_body_are_one_text():
    with_lead = fingerprint("T", "A lead.", make_text(3))
    in_body = fingerprint("T", None, content_text("A lead.", make_text(3)))
    assert with_lead.content_hash == in_body.content_hash
    assert with_lead.sketch == in_body.sketch


def test_the_same_text_differently_typeset_is_the_same_content():
    plain = fingerprint("T", None, "It's the Kremlin's plan - again.")
    typeset = fingerprint("T", None, "It’s the KREMLIN’s plan — again…")
    assert plain.content_hash == typeset.content_hash


def test_near_duplicates_and_other_articles():
    body = make_text(4, paragraphs=6)
    original = fingerprint("Analysis", None, body)
    edited = " ".join("edited" if i % 25 == 0 else w for i, w in enumerate(body.split(" ")))
    assert is_same_article(fingerprint("Analysis", None, edited), original)
    assert is_same_article(fingerprint("Analysis", None, body + "\n\nShare this article"), original)
    assert not is_same_article(fingerprint("Analysis", None, make_text(5)), original)
