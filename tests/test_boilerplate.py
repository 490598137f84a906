"""Table-driven tests of footer removal and repeated-block learning."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.normalize.boilerplate import (
    RepeatedBlocks,
    block_digest,
    block_key,
    is_cross_reference,
    is_notice,
    split_footer,
)
from crawler.seedfiles import decode_text, parse_seed

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
WARSAW = "Warsaw Institute Foundation"
BODY = [
    "Russian Security Council Secretary Nikolai Patrushev met Iranian leaders in Tehran.",
    "The two officials discussed the situation in Ukraine and measures against protests.",
]


@pytest.mark.parametrize(
    ("name", "tags", "removed"),
    [
        ("000_4c2cf501f094f8ca.txt", (), 4),
        ("002_9f8dc4159762bb46.txt", ("migration crisis", "NATO", "Belarus", "Russia"), 7),
    ],
)
def test_warsaw_institute_footer_of_real_seeds(name, tags, removed):
    doc = parse_seed(decode_text((SEEDS / name).read_bytes()))
    body, footer = split_footer(doc.paragraphs)
    assert body == [doc.paragraphs[0]]
    assert len(body[0]) > 1000
    assert footer.tags == tags
    assert footer.publisher == WARSAW
    assert footer.removed == removed == len(doc.paragraphs) - 1


RELATED_BODY = "Related developments in Belarus suggest a wider crackdown."
WARSAW_APPEAL = (
    "If content prepared by Warsaw Institute team is useful for you, please support our "
    "actions. Donations from private persons are necessary for the continuation of our mission."
)
WARSAW_LICENCE = (
    "All texts published by the Warsaw Institute Foundation may be disseminated on the "
    "condition that their origin is credited. Images may not be used without permission."
)


@pytest.mark.parametrize(
    ("paragraphs", "body", "tags", "publisher"),
    [
        pytest.param(BODY, BODY, (), None, id="no-footer-unchanged"),
        pytest.param([], [], (), None, id="empty"),
        pytest.param(
            [*BODY, "Support for the ruling party fell to 30% in the latest poll."],
            [*BODY, "Support for the ruling party fell to 30% in the latest poll."],
            (), None, id="body-starting-with-support",
        ),
        pytest.param(
            [*BODY, RELATED_BODY, "Related posts", "Top"],
            [*BODY, RELATED_BODY],
            (), None, id="body-starting-with-related-above-footer",
        ),
        pytest.param(
            [*BODY, "Support", "Related"], BODY, (), None, id="bare-markers",
        ),
        pytest.param(
            [*BODY, "Share this:", "PRINT", "Read more »", "↑", ""], BODY, (), None,
            id="markers-any-case-and-punctuation",
        ),
        pytest.param(
            [*BODY, "Support Us", WARSAW_APPEAL, "Support", WARSAW_LICENCE,
             "TAGS: migration crisis, NATO, , Belarus", "\xa0", "Related posts", "Top"],
            BODY, ("migration crisis", "NATO", "Belarus"), WARSAW, id="full-warsaw-footer",
        ),
        pytest.param(
            [*BODY, "Support Us", "Every contribution helps our analysts keep working.", "Top"],
            BODY, (), None, id="any-appeal-under-support-heading",
        ),
        pytest.param(
            [*BODY, "Western donors must support Ukraine's actions with more weapons.", "Top"],
            [*BODY, "Western donors must support Ukraine's actions with more weapons."],
            (), None, id="appeal-like-body-without-heading-kept",
        ),
        pytest.param(
            [*BODY, WARSAW_APPEAL, "Related posts"], BODY, (), None, id="appeal-by-regex",
        ),
        pytest.param(
            [*BODY, "© 2023 Carnegie Endowment for International Peace. All rights reserved."],
            BODY, (), "Carnegie Endowment for International Peace", id="copyright-sign",
        ),
        pytest.param(
            [*BODY, "Copyright The Jamestown Foundation"], BODY, (), "The Jamestown Foundation",
            id="copyright-word",
        ),
        pytest.param(
            [*BODY, "Copyright law was amended in 2021."],
            [*BODY, "Copyright law was amended in 2021."], (), None, id="copyright-sentence-kept",
        ),
        pytest.param(
            [*BODY, "Tags: Russia", "Share", "Tags: Iran, Russia"], BODY, ("Russia", "Iran"), None,
            id="tags-lines-merged-in-order",
        ),
        pytest.param(
            [*BODY, "Related posts", BODY[0]], [*BODY, "Related posts", BODY[0]], (), None,
            id="marker-above-body-is-not-footer",
        ),
        pytest.param(
            [BODY[0], "Read also: Belarus closes its last border crossing", BODY[1]], BODY,
            (), None, id="cross-reference-anywhere",
        ),
        pytest.param(
            [*BODY, "Czytaj więcej"], BODY, (), None, id="read-more-in-polish",
        ),
    ],
)  # fmt: skip
def test_split_footer(paragraphs, body, tags, publisher):
    kept, footer = split_footer(paragraphs)
    assert kept == body
    assert footer.tags == tags
    assert footer.publisher == publisher
    assert footer.removed == len(paragraphs) - len(body)


@pytest.mark.parametrize(
    ("paragraph", "crossing"),
    [
        ("Read also: Belarus closes its last border crossing", True),
        ("ALSO READ: Solar firm to boost clean energy uptake", True),
        ("Czytaj też: Rosja przerzuca wojska na Białoruś", True),
        ("Lesen Sie auch: Die Pipeline erreicht die Grenze", True),
        ("Читайте также: Минск закрывает границу", True),
        ("À lire aussi La natalité russe menacée d'effondrement", True),
        ("Les også: Tone Damli ofret musikkarrieren for barna", True),
        ("Czytaj więcej", True),  # the label alone: a link to the rest elsewhere
        ("Lire la suite", True),
        # a sentence that merely begins so is body
        ("Read more about the decision in the ministry's report, published on Monday.", False),
        ("Zobacz, jak Rosja wzmacnia swoją obecność wojskową na Białorusi.", False),
        ("Read also: " + "a very long paragraph " * 20, False),
    ],
)
def test_is_cross_reference(paragraph, crossing):
    assert is_cross_reference(paragraph) is crossing


@pytest.mark.parametrize(
    ("paragraph", "key"),
    [
        ("Related  posts", "related posts"),
        ("RELATED POSTS!", "related posts"),
        ("Read more »", "read more"),
        ("ﬁnal Ｔｅｘｔ", "final text"),
        ("Поддержите НАС", "поддержите нас"),
        ("— ↑ —", ""),
    ],
)
def test_block_key(paragraph, key):
    assert block_key(paragraph) == key


@pytest.mark.parametrize(
    ("paragraph", "notice"),
    [
        (WARSAW_LICENCE, True),
        ("This article is licensed under a Creative Commons licence.", True),
        ("Reproduction of the texts without permission is prohibited.", True),
        ("Copyright © OSW", True),
        ("Russia has not paid licence fees for Western software since 2022.", False),
        ("Copyright law was amended in 2021.", False),
    ],
)
def test_is_notice(paragraph, notice):
    assert is_notice(paragraph) is notice


OTHER_BANNER = "Commentary | Eastern Europe Programme"
OTHER_FOOTER = [
    "The views expressed are the author's own and do not represent the Centre.",
    "Sign up for our weekly digest of Eastern European affairs.",
]


def other_document(number: int) -> list[str]:
    """An article of another publisher: banner, unique body, two footer blocks."""
    footer = [OTHER_FOOTER[0], OTHER_FOOTER[1].upper() if number % 2 else OTHER_FOOTER[1]]
    body = [f"Body paragraph {number}.{line} about the Baltic states." for line in range(3)]
    return [OTHER_BANNER, *body, *footer]


def test_repeated_footer_of_another_publisher_is_learned_and_removed():
    blocks = RepeatedBlocks()
    documents = [other_document(number) for number in range(10)]
    before, _ = split_footer(documents[0], blocks.repeated("centre"))
    assert before == documents[0]
    for document in documents:
        blocks.add("centre", document)
    repeated = blocks.repeated("centre")
    assert {block_digest(p) for p in [OTHER_BANNER, *OTHER_FOOTER]} <= repeated
    for document in documents:
        body, footer = split_footer(document, repeated)
        assert body == document[1:4]
        assert footer.removed == 3
    # corpus-wide boilerplate applies to every group, even one not seen yet
    assert blocks.repeated("warsaw") == repeated


def test_footer_scattered_over_many_folders_is_learned_from_the_whole_corpus():
    blocks = RepeatedBlocks()
    for number in range(100):  # a quarter of the corpus, but one document per folder
        document = other_document(number) if number % 4 == 0 else [*BODY, f"Closing {number}."]
        blocks.add(f"folder-{number % 25}", document)
    for folder in range(25):
        assert block_digest(OTHER_FOOTER[-1]) in blocks.repeated(f"folder-{folder}")
    assert block_digest(f"Closing {3}.") not in blocks.repeated("folder-3")


def test_split_footer_accepts_plain_block_keys():
    body, footer = split_footer([OTHER_BANNER, *BODY, *OTHER_FOOTER], {block_key(OTHER_FOOTER[1])})
    assert body == [OTHER_BANNER, *BODY, OTHER_FOOTER[0]]
    assert footer.removed == 1


QUOTE = "“We will not allow anyone to dictate terms to Russia,” Patrushev said."


@pytest.mark.parametrize(
    ("quoted_in", "learned"),
    [
        pytest.param(range(2), False, id="2-of-50-below-min-documents"),
        pytest.param(range(6), False, id="6-of-50-below-min-share"),
        pytest.param(range(12), True, id="12-of-50-is-boilerplate"),
    ],
)
def test_quote_repeated_in_few_documents_is_not_learned(quoted_in, learned):
    blocks = RepeatedBlocks()
    for number in range(50):
        document = other_document(number)
        if number in quoted_in:
            document.insert(-2, QUOTE)
        blocks.add("centre", document)
    repeated = blocks.repeated("centre")
    assert (block_digest(QUOTE) in repeated) is learned
    assert block_digest(OTHER_FOOTER[0]) in repeated
    body, _ = split_footer([*BODY, QUOTE, *OTHER_FOOTER], repeated)
    assert (QUOTE in body) is not learned


def test_memory_stays_bounded_and_boilerplate_survives_pruning():
    blocks = RepeatedBlocks(edge=8, bucket=100)
    for number in range(3000):
        unique = [f"Paragraph {number}-{line}" for line in range(12)]
        blocks.add("big", [*unique, OTHER_FOOTER[0]])
        assert blocks.tracked("big") <= (8 + 2) * 100 + 1
    assert blocks.tracked("big") <= 1
    assert blocks.repeated("big") == {block_digest(OTHER_FOOTER[0])}


def test_paragraphs_longer_than_the_block_cap_are_never_learned():
    long_block = "Disclaimer of the Centre. " * 50
    blocks = RepeatedBlocks()
    for number in range(10):
        blocks.add("centre", [*other_document(number), long_block])
    assert block_digest(long_block) not in blocks.repeated("centre")
    assert block_digest(OTHER_FOOTER[0]) in blocks.repeated("centre")
