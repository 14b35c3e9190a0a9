"""Payment card numbers (PAN, ISO/IEC 7812): issuer range, length for that range, Luhn.

Luhn alone is weak (one random number in ten passes), so a candidate must also start with a
known issuer identification number and have a length that issuer actually uses. That is what
keeps a 14-digit SIRET (Luhn-valid by construction) from being read as a card: the only 14-digit
cards are old Diners Club cards, printed 4-6-4, and a SIRET is written 3-3-3-5 or compact.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Final

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
# Possessive quantifiers: the run is taken whole, never re-tried shorter. The boundary
# look-behinds come after the first digit so that the pattern begins with a digit, which the
# regular expression engine skips to directly.
_RUN: Final = re.compile(
    r"[0-9](?<![0-9A-Za-z][0-9])(?<![0-9][ .\-][0-9])[0-9]*+(?:[ .\-][0-9]++)*+", re.ASCII
)
_SEPARATOR: Final = re.compile(r"[ .\-]", re.ASCII)
_EMPTY: Final[frozenset[int]] = frozenset()


def _lengths_for(digits: str) -> frozenset[int]:
    for low, high, lengths in _ISSUERS:
        prefix = digits[: len(low)]
        if low <= prefix <= high:
            return lengths
    return _EMPTY


# Every issuer range is written on at most four digits, so the first four digits of a number
# decide its lengths: one dictionary look-up instead of walking the table.
_PREFIX_DIGITS: Final = 4


def _lengths_by_prefix() -> dict[str, frozenset[int]]:
    table: dict[str, frozenset[int]] = {}
    # Walked backwards so that the first issuer of the table wins where ranges overlap, as in
    # ``_lengths_for``.
    for low, high, lengths in reversed(_ISSUERS):
        padding = _PREFIX_DIGITS - len(low)
        first, last = int(low + "0" * padding), int(high + "9" * padding)
        table.update(dict.fromkeys([f"{prefix:04d}" for prefix in range(first, last + 1)], lengths))
    return table


_LENGTHS_BY_PREFIX: Final = _lengths_by_prefix()
# Luhn: every second digit from the right is doubled, and the digits of the product added.
# Worked on bytes: ``bytes.translate`` maps each ASCII digit to its value (or to the digit sum of
# its double) and ``sum`` adds the bytes, four times cheaper than the same on ``str``.
_VALUE: Final = bytes.maketrans(b"0123456789", bytes(range(10)))
_DOUBLED: Final = bytes.maketrans(b"0123456789", bytes((0, 2, 4, 6, 8, 1, 3, 5, 7, 9)))


def _luhn_valid(digits: str) -> bool:
    """ISO/IEC 7812 check digit (what ``stdnum.luhn.is_valid`` computes), on ASCII digits."""
    raw = digits.encode("ascii")
    return (sum(raw[-1::-2].translate(_VALUE)) + sum(raw[-2::-2].translate(_DOUBLED))) % 10 == 0


def is_card_number(digits: str, grouping: Sequence[int] = ()) -> bool:
    """Whether ``digits`` (digits only) is a plausible PAN written with ``grouping``."""
    length = len(digits)
    if length < _PREFIX_DIGITS:
        return False  # shorter than any card
    if length not in _LENGTHS_BY_PREFIX.get(digits[:_PREFIX_DIGITS], _EMPTY):
        return False
    if length == 14 and tuple(grouping) != _DINERS_GROUPING:
        # 14 digits compact or 3-3-3-5 is a SIRET far more often than a Diners card.
        return False
    if digits.count(digits[0]) == length or not (digits.isascii() and digits.isdigit()):
        return False
    return _luhn_valid(digits)


def _tier(grouping: tuple[int, ...], whole_run: bool) -> int | None:
    """Order in which sub-spans of a run are tried; ``None`` means not tried at all."""
    if len(grouping) == 1 or grouping in _CARD_GROUPINGS:
        return 0 if whole_run else 1
    # Any other grouping ("4970 10 12 34 5678 93") only when it is the whole run, never for a
    # slice: slicing arbitrary groups out of long numbers is where false positives come from.
    return 2 if whole_run else None


# The spans depend only on the group lengths, and people group numbers in a handful of ways
# (4-4-4-4, compact, 2-2-2-2-2…): computed once per grouping. Bounded: a run's groups are
# arbitrary text.
@lru_cache(maxsize=1024)
def _spans_in_run(lengths: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
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
    return tuple((first, stop) for _, _, first, stop in candidates)


def _card_then_security_code(
    text: str, run_start: int, groups: list[str], lengths: tuple[int, ...]
) -> list[Finding] | None:
    """ "4970 1012 3456 7893 123": a card, then its CVV typed in the same run.

    Read that way whenever the groups before the last one form a card, even if the whole run
    also happens to pass as a 19-digit card (one time in ten): both readings are then masked
    down to four card digits, whereas the 19-digit reading would keep the CVV as "last four".
    """
    if len(groups) < 2 or lengths[-1] not in _SECURITY_CODE_LENGTHS:
        return None
    card_lengths = lengths[:-1]
    if _tier(card_lengths, whole_run=True) != 0:
        return None
    if not is_card_number("".join(groups[:-1]), card_lengths) or is_labelled_reference(
        text, run_start
    ):
        return None
    code_start = run_start + sum(card_lengths) + len(card_lengths)  # one separator per group
    return [
        Finding(CARD, run_start, code_start - 1),
        Finding(SECRET, code_start, code_start + lengths[-1]),
    ]


def find_cards(text: str, start: int = 0) -> list[Finding]:
    """Find card numbers written compact or with space/dot/dash separators, in any grouping.

    When a run of digits holds more than a card (an expiry typed after it), the card is looked
    for as a group-aligned slice of the run; a 3-4 digit group right after a card is reported as
    a ``secret`` (see ``_card_then_security_code``). ``start``: no digit before it.
    """
    findings: list[Finding] = []
    for run in _RUN.finditer(text, start):
        value = run.group()
        size = len(value)
        if size < MIN_LENGTH:
            continue
        groups = _SEPARATOR.split(value)
        count = len(groups)
        # Groups are separated by exactly one character.
        if size - count + 1 < MIN_LENGTH:
            continue
        if count == 1:
            # Compact: the whole run is the only span worth testing (see _spans_in_run).
            if (
                size <= MAX_LENGTH
                and is_card_number(value)
                and not is_labelled_reference(text, run.start())
            ):
                findings.append(Finding(CARD, run.start(), run.end()))
            continue
        run_start = run.start()
        lengths = tuple(map(len, groups))
        with_code = _card_then_security_code(text, run_start, groups, lengths)
        if with_code is not None:
            findings += with_code
            continue
        spans = _spans_in_run(lengths)
        if len(spans) == 1 and spans[0] == (0, count):
            # The usual case ("4970 1012 3456 7893"): the whole run is the only span.
            if is_card_number("".join(groups), lengths) and not is_labelled_reference(
                text, run_start
            ):
                findings.append(Finding(CARD, run_start, run.end()))
            continue
        used = [False] * count  # a group belongs to at most one card
        for first, stop in spans:
            if any(used[first:stop]):
                continue
            if not is_card_number("".join(groups[first:stop]), lengths[first:stop]):
                continue
            # Offsets: the lengths of the groups before, plus one separator after each.
            start = run_start + sum(lengths[:first]) + first
            if not is_labelled_reference(text, start):
                end = run_start + sum(lengths[:stop]) + stop - 1
                findings.append(Finding(CARD, start, end))
            used[first:stop] = [True] * (stop - first)
    return findings
