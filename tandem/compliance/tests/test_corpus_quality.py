"""Quality of the labelled corpus, and of the detectors measured against it.

Run with ``-s`` to see the per-kind precision/recall/F1 table.
"""

from __future__ import annotations

import re
import string
import sys
from collections import Counter

import phonenumbers
import pytest
from stdnum import iban, luhn
from stdnum.fr import nir

from tandem.compliance.corpus import (
    DEFAULT_SEED,
    CorpusItem,
    evaluate,
    format_report,
    generate_corpus,
)
from tandem.compliance.detection import KINDS

MIN_F1 = 0.97
NBSP = "\u00a0"
NNBSP = "\u202f"
_RIB_LETTERS = str.maketrans(string.ascii_uppercase, "12345678912345678923456789")
_OVERSEAS = ("GP", "MQ", "GF", "RE", "YT")


@pytest.fixture(scope="module")
def corpus() -> list[CorpusItem]:
    return generate_corpus()


def _values(corpus: list[CorpusItem], kind: str) -> list[str]:
    return [
        item["text"][label["start"] : label["end"]]
        for item in corpus
        for label in item["findings"]
        if label["kind"] == kind
    ]


def _compact(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value).upper()


def test_corpus_is_large_deterministic_and_uniquely_identified(corpus: list[CorpusItem]) -> None:
    assert len(corpus) >= 2000
    assert generate_corpus(300) == generate_corpus(300)
    assert generate_corpus(300) != generate_corpus(300, seed=DEFAULT_SEED + 1)
    assert len({item["id"] for item in corpus}) == len(corpus)


def test_labels_are_well_formed(corpus: list[CorpusItem]) -> None:
    for item in corpus:
        previous_end = 0
        for label in item["findings"]:
            assert label["kind"] in KINDS
            assert previous_end <= label["start"] < label["end"] <= len(item["text"])
            value = item["text"][label["start"] : label["end"]]
            assert value == value.strip(), item
            previous_end = label["end"]


def _phone_is_valid(value: str) -> bool:
    digits = re.sub(r"[^0-9+]", "", value.replace("(0)", ""))
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    regions = [None] if digits.startswith("+") else ["FR", *_OVERSEAS]
    return any(
        phonenumbers.is_valid_number(phonenumbers.parse(digits, region)) for region in regions
    )


def _rib_is_valid(value: str) -> bool:
    # Written the other way round from the detector (whole number divisible by 97), so a shared
    # mistake in the key formula cannot make both agree.
    return int(_compact(value).translate(_RIB_LETTERS)) % 97 == 0


VALIDATORS = {
    "iban": lambda value: iban.is_valid(_compact(value), check_country=False),
    "card": lambda value: 13 <= len(_compact(value)) <= 19 and luhn.is_valid(_compact(value)),
    "rib": _rib_is_valid,
    "fr_nir": lambda value: nir.is_valid(_compact(value)),
    "phone": _phone_is_valid,
    "email": lambda value: re.fullmatch(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}", value) is not None,
    "secret": lambda value: re.fullmatch(r"[0-9](?: ?[0-9]){2,7}|\S{4,64}", value) is not None,
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_labelled_value_passes_its_own_checksum(corpus: list[CorpusItem], kind: str) -> None:
    values = _values(corpus, kind)
    assert len(values) >= 100, kind
    invalid = [value for value in values if not VALIDATORS[kind](value)]
    assert invalid == []


def test_negative_categories_have_no_labels(corpus: list[CorpusItem]) -> None:
    categories = Counter(item["id"].rsplit("-", 1)[1] for item in corpus)
    for category in ("invalid", "trap", "clean"):
        assert categories[category] >= 150, category
    for item in corpus:
        if item["id"].endswith(("-invalid", "-trap", "-clean")):
            assert item["findings"] == [], item


def test_corpus_covers_every_spelling(corpus: list[CorpusItem]) -> None:
    ibans = _values(corpus, "iban")
    assert any(NBSP in value for value in ibans)
    assert any(NNBSP in value for value in ibans)
    assert any("." in value for value in ibans)
    assert any("-" in value for value in ibans)
    assert any(value[:2].islower() for value in ibans)
    assert any(value[2] == " " for value in ibans)  # "FR 76 …"
    assert len({_compact(value)[:2] for value in ibans}) >= 30  # countries
    assert any(item["text"].endswith("MERCI") or "MERCI " in item["text"] for item in corpus)

    cards = [_compact(value) for value in _values(corpus, "card")]
    prefixes = ("4", "51", "55", "22", "27", "34", "37", "6011", "65", "35", "36", "62", "67", "50")
    for prefix in prefixes:
        assert any(card.startswith(prefix) for card in cards), prefix
    assert {13, 14, 15, 16, 19} <= {len(card) for card in cards}
    assert any(NBSP in value for value in _values(corpus, "card"))

    nirs = [_compact(value) for value in _values(corpus, "fr_nir")]
    assert any(value[5:7] == "2A" for value in nirs)
    assert any(value[5:7] == "2B" for value in nirs)

    phones = _values(corpus, "phone")
    for marker in ("+33 ", "+33(", "0033 ", "(0)", "(+33)", "+590", "+262", "0690", "."):
        assert any(marker in value.replace(" (", "(") for value in phones), marker
    assert any(value.startswith("+") and not value.startswith("+33") for value in phones)

    texts = " ".join(item["text"].lower() for item in corpus)
    for context in ("cryptogramme", "cvv", "code pin", "mot de passe", "mdp", "reçu par sms"):
        assert context in texts, context


def test_typed_precision_recall_f1_per_kind(corpus: list[CorpusItem]) -> None:
    report = evaluate(corpus)
    sys.stdout.write("\n" + format_report(report) + "\n")
    for mismatch in report["mismatches"]:
        sys.stdout.write(f"  mismatch {mismatch}\n")
    for kind in KINDS:
        assert report["kinds"][kind]["f1"] >= MIN_F1, (kind, report["kinds"][kind])
    assert report["overall"]["f1"] >= MIN_F1
