"""Tests for ``tandem.compliance.redaction.mask`` (pure, no database)."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.compliance.corpus import Values
from tandem.compliance.detection import Finding, detect
from tandem.compliance.redaction import SECRET_MASK, mask, mask_value

NBSP = "\u00a0"


def masked(text: str) -> str:
    return mask(text, detect(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "IBAN FR76 1234 5678 9001 2345 6789 061 merci",
            "IBAN [IBAN •••• 9061] merci",
        ),
        ("RIB 20041 01005 0500013M026 06", "RIB [RIB •••• 2606]"),
        ("carte 4970-1012-3456-7893 bloquée", "carte [carte •••• 7893] bloquée"),
        ("sécu 2 90 01 2A 004 123 85", "sécu [n° sécu •••• 2385]"),
        ("tel +33 (0)6 12 34 56 78 svp", "tel [tél. •••• 5678] svp"),
        (f"tel 06{NBSP}12{NBSP}34{NBSP}56{NBSP}78", "tel [tél. •••• 5678]"),
        ("mail jean.dupont@exemple.fr.", "mail j•••@exemple.fr."),
        ("mon code est 482913", f"mon code est {SECRET_MASK}"),
        ("mot de passe : Soleil2024!", f"mot de passe : {SECRET_MASK}"),
        (
            "CVV 123 et code reçu par SMS 582 019",
            f"CVV {SECRET_MASK} et code reçu par SMS {SECRET_MASK}",
        ),
    ],
)
def test_mask_convention(text: str, expected: str) -> None:
    assert masked(text) == expected


def test_mask_without_findings_returns_text_unchanged() -> None:
    text = "Super accueil, merci !"
    assert mask(text, []) == text


def test_mask_ignores_overlapping_and_out_of_range_findings() -> None:
    text = "carte 4970101234567893"
    findings = [
        Finding("card", 6, 22),
        Finding("phone", 10, 20),  # overlaps the card: ignored, never partially applied
        Finding("phone", 20, 40),  # past the end
        Finding("phone", -3, 2),  # before the start
    ]
    assert mask(text, findings) == "carte [carte •••• 7893]"


def test_short_value_keeps_nothing() -> None:
    assert mask_value("phone", "3631") == "[tél. ••••]"


def test_unknown_kind_is_masked_completely() -> None:
    assert mask_value("passport", "12AB34567") == "[donnée masquée]"


def test_email_without_at_sign_is_masked_completely() -> None:
    assert mask_value("email", "jean.dupont") == "[e-mail masqué]"


def _significant(value: str) -> str:
    return re.sub(r"[^0-9A-Za-z]", "", value).upper()


SURROUNDING = st.text(alphabet=st.sampled_from(list("abcdefghijklmnoprstuvé ,!?'")), max_size=30)


@settings(max_examples=300, deadline=None, database=None)
@given(
    seed=st.integers(min_value=0, max_value=2**32),
    generator=st.sampled_from(["iban", "card", "rib", "nir", "phone", "otp", "pin", "cvv"]),
    before=SURROUNDING,
    after=SURROUNDING,
)
def test_masked_output_keeps_at_most_the_last_four(
    seed: int, generator: str, before: str, after: str
) -> None:
    piece = getattr(Values(random.Random(seed)), generator)()
    context = {"cvv": "cryptogramme ", "otp": "mon code est ", "pin": "code PIN "}
    code_words = context.get(generator, "voici ")
    # Fixed words on both sides keep random text from forming a label ("réf"), a unit after a
    # code ("ans") or anything else that rightly changes the reading.
    text = f"{before} {code_words}{piece.text} merci {after}"
    result = masked(text)
    value = _significant(piece.text)
    # The surrounding text has no digits, so every digit left comes from the mask.
    left_digits = re.sub(r"[^0-9]", "", result)
    if piece.kind == "secret":
        assert left_digits == ""
        assert piece.text not in result
    else:
        # At most four digits of the value survive, and never more: a 19-digit card whose first
        # 16 digits pass Luhn is read as card + CVV and masked even more (see cards.py).
        assert len(left_digits) <= 4
        assert left_digits in re.sub(r"[^0-9]", "", value)
        assert _significant(result).find(value) == -1
        assert piece.text not in result


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=200))
def test_mask_never_raises_and_never_grows_a_value(text: str) -> None:
    findings = detect(text)
    result = mask(text, findings)
    for finding in findings:
        value = text[finding.start : finding.end]
        if len(_significant(value)) >= 8:
            assert value not in result
