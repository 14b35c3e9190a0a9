"""Payment card numbers (PAN, ISO/IEC 7812): issuer range, length for that range, Luhn.

Luhn alone is weak (one random number in ten passes), so a candidate must also start with a
known issuer identification number and have a length that issuer actually uses. That is what
keeps a 14-digit SIRET (Luhn-valid by construction) from being read as a card: the only 14-digit
cards are old Diners Club cards, printed 4-6-4, and a SIRET is written 3-3-3-5 or compact.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Final

from stdnum import luhn

from tandem.compliance.detection.context import is_labelled_reference
from tandem.compliance.detection.findings import CARD, SECRET, Finding

MIN_LENGTH: Final = 13
MAX_LENGTH: Final = 19

_SIXTEEN_TO_NINETEEN: Final = frozenset(range(16, 20))

# (low, high, lengths): IIN prefixes compared on as many leading digits as ``low`` has.
# Sources: ISO/IEC 7812 and the schemes' published ranges. French "CB" cards are co-badged Visa or
# Mastercard, so their BINs fall in those ranges.
_ISSUERS: Final[tuple[tuple[str, str, frozenset[int]], ...]] = (
    ("4", "4", frozenset({13, 16, 19})),  # Visa (incl. CB co-badged, Electron)
    ("51", "55", frozenset({16})),  # Mastercard
    ("2221", "2720", frozenset({16})),  # Mastercard 2-series
    ("2200", "2204", _SIXTEEN_TO_NINETEEN),  # Mir
    ("34", "34", frozenset({15})),  # American Express
    ("37", "37", frozenset({15})),  # American Express
    ("300", "305", frozenset({14, 16, 17, 18, 19})),  # Diners Club International
    ("3095", "3095", frozenset({14, 16, 17, 18, 19})),  # Diners Club
    ("36", "36", frozenset({14, 16, 17, 18, 19})),  # Diners Club
    ("38", "39", frozenset({14, 16, 17, 18, 19})),  # Diners Club / Discover network
    ("3528", "3589", _SIXTEEN_TO_NINETEEN),  # JCB
    ("6011", "6011", _SIXTEEN_TO_NINETEEN),  # Discover
    ("644", "649", _SIXTEEN_TO_NINETEEN),  # Discover
    ("65", "65", _SIXTEEN_TO_NINETEEN),  # Discover / RuPay
    ("62", "62", _SIXTEEN_TO_NINETEEN),  # UnionPay
    ("81", "82", frozenset({16})),  # UnionPay / RuPay
    ("50", "50", frozenset({13, 15, 16, 17, 18, 19})),  # Maestro
    ("56", "69", frozenset({13, 15, 16, 17, 18, 19})),  # Maestro and other 5x/6x debit
)

# Groupings people use when they copy a card: compact is handled separately.
_CARD_GROUPINGS: Final = frozenset(
    {
        (4, 4, 4, 4),
        (4, 4, 4, 4, 3),
        (4, 4, 4, 1),
        (4, 4, 5),
        (4, 6, 5),
        (4, 6, 4),
        (4, 4, 4, 3),
        (4, 2, 2, 2, 2, 2, 2),
    }
)
_DINERS_GROUPING: Final = (4, 6, 4)
_SECURITY_CODE_LENGTHS: Final = (3, 4)

# A run of digit groups joined by single separators, not glued to a preceding letter or number
# group (so nothing starts inside an IBAN, a reference like "6A1234…" or a longer run).
# Possessive quantifiers: the run is taken whole, never re-tried shorter.
_RUN: Final = re.compile(r"(?<![0-9A-Za-z])(?<![0-9][ .\-])[0-9]++(?:[ .\-][0-9]++)*+", re.ASCII)
_GROUP: Final = re.compile(r"[0-9]+", re.ASCII)


def _lengths_for(digits: str) -> frozenset[int]:
    for low, high, lengths in _ISSUERS:
        prefix = digits[: len(low)]
        if low <= prefix <= high:
            return lengths
    return frozenset()


def is_card_number(digits: str, grouping: Sequence[int] = ()) -> bool:
    """Whether ``digits`` (digits only) is a plausible PAN written with ``grouping``."""
    length = len(digits)
    if length not in _lengths_for(digits):
        return False
    if length == 14 and tuple(grouping) != _DINERS_GROUPING:
        # 14 digits compact or 3-3-3-5 is a SIRET far more often than a Diners card.
        return False
    if digits.count(digits[0]) == length:
        return False
    return bool(luhn.is_valid(digits))


def _tier(grouping: tuple[int, ...], whole_run: bool) -> int | None:
    """Order in which sub-spans of a run are tried; ``None`` means not tried at all."""
    if len(grouping) == 1 or grouping in _CARD_GROUPINGS:
        return 0 if whole_run else 1
    # Any other grouping ("4970 10 12 34 5678 93") only when it is the whole run, never for a
    # slice: slicing arbitrary groups out of long numbers is where false positives come from.
    return 2 if whole_run else None


def _spans_in_run(lengths: list[int]) -> Iterator[tuple[int, int]]:
    """Group index ranges worth testing, best first."""
    candidates: list[tuple[int, int, int, int]] = []
    count = len(lengths)
    for first in range(count):
        total = 0
        for last in range(first, count):
            total += lengths[last]
            if total > MAX_LENGTH:
                break
            if total < MIN_LENGTH:
                continue
            tier = _tier(tuple(lengths[first : last + 1]), first == 0 and last == count - 1)
            if tier is not None:
                candidates.append((tier, -total, first, last + 1))
    candidates.sort()
    for _, _, first, stop in candidates:
        yield first, stop


def _card_then_security_code(
    text: str, groups: list[re.Match[str]], lengths: list[int]
) -> list[Finding] | None:
    """ "4970 1012 3456 7893 123": a card, then its CVV typed in the same run.

    Read that way whenever the groups before the last one form a card, even if the whole run
    also happens to pass as a 19-digit card (one time in ten): both readings are then masked
    down to four card digits, whereas the 19-digit reading would keep the CVV as "last four".
    """
    if len(groups) < 2 or lengths[-1] not in _SECURITY_CODE_LENGTHS:
        return None
    card_lengths = lengths[:-1]
    if _tier(tuple(card_lengths), whole_run=True) != 0:
        return None
    digits = "".join(group.group() for group in groups[:-1])
    if not is_card_number(digits, card_lengths) or is_labelled_reference(text, groups[0].start()):
        return None
    return [
        Finding(CARD, groups[0].start(), groups[-2].end()),
        Finding(SECRET, groups[-1].start(), groups[-1].end()),
    ]


def find_cards(text: str) -> list[Finding]:
    """Find card numbers written compact or with space/dot/dash separators, in any grouping.

    When a run of digits holds more than a card (an expiry typed after it), the card is looked
    for as a group-aligned slice of the run; a 3-4 digit group right after a card is reported as
    a ``secret`` (see ``_card_then_security_code``).
    """
    findings: list[Finding] = []
    for run in _RUN.finditer(text):
        if run.end() - run.start() < MIN_LENGTH:
            continue
        groups = list(_GROUP.finditer(text, run.start(), run.end()))
        lengths = [group.end() - group.start() for group in groups]
        if sum(lengths) < MIN_LENGTH:
            continue
        with_code = _card_then_security_code(text, groups, lengths)
        if with_code is not None:
            findings += with_code
            continue
        used = [False] * len(groups)  # a group belongs to at most one card
        for first, stop in _spans_in_run(lengths):
            if any(used[first:stop]):
                continue
            digits = "".join(group.group() for group in groups[first:stop])
            if not is_card_number(digits, lengths[first:stop]):
                continue
            start, end = groups[first].start(), groups[stop - 1].end()
            if not is_labelled_reference(text, start):
                findings.append(Finding(CARD, start, end))
            used[first:stop] = [True] * (stop - first)
    return findings
