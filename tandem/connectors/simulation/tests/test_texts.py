"""The French corpus: deterministic, varied, and sensitive values that really validate."""

from __future__ import annotations

import random
import re
from collections import Counter

import phonenumbers
import pytest
from stdnum import iban, luhn
from stdnum.fr import nir

from tandem.connectors.simulation.sensitive import (
    SENSITIVE_KINDS,
    TEST_CARD_NUMBERS,
    french_mobile,
    make_piece,
)
from tandem.connectors.simulation.texts import Register, Topic, Utterance, compose


def _many(count: int, *, seed: int = 1, share: float = 0.03, public: bool = False) -> list:
    rng = random.Random(seed)
    return [compose(rng, sensitive_share=share, public=public) for _ in range(count)]


def test_same_seed_same_texts() -> None:
    assert _many(200, seed=5) == _many(200, seed=5)
    assert _many(50, seed=5) != _many(50, seed=6)


def test_texts_are_varied_french_with_every_topic_and_register() -> None:
    texts = _many(3000, seed=2)
    assert {u.topic for u in texts} == set(Topic)
    assert {u.register for u in texts} == set(Register)
    assert len({u.text for u in texts}) > 2000
    joined = " ".join(u.text for u in texts)
    for marker in ("é", "à", "ç", "'", "?", "Livret A", "carte", "rendez-vous", "conseiller"):
        assert marker in joined
    assert re.search(r"[\U0001F300-\U0001FAFF]", joined), "some customers use emojis"
    assert all(u.text.strip() == u.text and u.text for u in texts)


def test_urgent_topics_are_cards_and_fraud() -> None:
    urgent = {topic for topic in Topic if topic.urgent}
    assert urgent == {Topic.CARD_LOST, Topic.CARD_BLOCKED, Topic.FRAUD}
    assert Utterance("x", Topic.FRAUD, Register.NEUTRAL).urgent


def test_public_comments_never_are_bare_greetings() -> None:
    assert all(u.topic is not Topic.GREETING for u in _many(1500, public=True))


@pytest.mark.parametrize("share", [0.0, 0.05, 0.2, 1.0])
def test_sensitive_share_is_roughly_honoured(share: float) -> None:
    texts = _many(4000, seed=3, share=share)
    observed = sum(u.sensitive for u in texts) / len(texts)
    assert abs(observed - share) <= 0.02
    assert all(len(u.findings) <= 1 for u in texts)


def test_share_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="between 0 and 1"):
        compose(random.Random(0), sensitive_share=1.5)


def _compact(value: str) -> str:
    return re.sub(r"[\s.\-\u202f]", "", value)


def _rib_ok(value: str) -> bool:
    compact = _compact(value)
    bank, branch, account, key = compact[:5], compact[5:10], compact[10:21], compact[21:]
    letters = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "12345678912345678923456789")
    number = int(account.translate(letters))
    return int(key) == 97 - ((89 * int(bank) + 15 * int(branch) + 3 * number) % 97)


def _mobile_ok(value: str) -> bool:
    parsed = phonenumbers.parse(value, "FR")
    return phonenumbers.is_valid_number_for_region(parsed, "FR") and (
        phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE
    )


_VALIDATORS = {
    "iban": lambda v: iban.is_valid(_compact(v)) and _compact(v).upper().startswith("FR"),
    "card": lambda v: luhn.is_valid(_compact(v)) and _compact(v) in TEST_CARD_NUMBERS,
    "fr_nir": lambda v: nir.is_valid(_compact(v)),
    "rib": _rib_ok,
    "phone": _mobile_ok,
    "email": lambda v: re.fullmatch(r"[a-z0-9.]+@example\.(com|org|net)", v) is not None,
    "secret": lambda v: bool(v) and " " not in v,
}


def _valid(kind: str, value: str) -> bool:
    return bool(_VALIDATORS[kind](value))


def test_every_sensitive_value_validates_and_offsets_point_at_it() -> None:
    kinds: Counter[str] = Counter()
    for utterance in _many(3000, seed=4, share=1.0):
        ((kind, start, end),) = utterance.findings
        value = utterance.text[start:end]
        kinds[kind] += 1
        assert _valid(kind, value), (kind, value, utterance.text)
    assert set(kinds) == set(SENSITIVE_KINDS)


@pytest.mark.parametrize("kind", SENSITIVE_KINDS)
def test_make_piece_renders_the_value_in_a_phrase(kind: str) -> None:
    piece = make_piece(random.Random(9), first_name="Hélène", last_name="N'Diaye", kind=kind)
    phrase, start, end = piece.render()
    assert phrase[start:end] == piece.value
    assert _valid(kind, piece.value)


def test_unknown_sensitive_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown sensitive kind"):
        make_piece(random.Random(0), first_name="A", last_name="B", kind="passport")


def test_test_card_numbers_pass_luhn() -> None:
    assert all(luhn.is_valid(number) for number in TEST_CARD_NUMBERS)


def test_french_mobiles_are_metropolitan_and_valid() -> None:
    rng = random.Random(0)
    for _ in range(2000):
        number = french_mobile(rng)
        parsed = phonenumbers.parse("+" + number)
        assert number[:3] in ("336", "337")
        assert phonenumbers.region_code_for_number(parsed) == "FR"
        assert phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE


def test_the_compliance_detector_finds_what_the_simulator_hides() -> None:
    detection = pytest.importorskip("tandem.compliance.detection")
    missed = []
    for utterance in _many(2000, seed=8, share=0.5):
        found = {(f.kind, f.start, f.end) for f in detection.detect(utterance.text)}
        if not set(utterance.findings) <= found:
            missed.append((utterance.findings, utterance.text))
        if not utterance.findings:
            assert not found, utterance.text
    assert not missed, missed[:5]
