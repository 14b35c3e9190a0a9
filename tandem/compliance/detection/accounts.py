"""Bank account identifiers: IBAN (ISO 13616) and the French RIB (BBAN with its "clé RIB").

Both detectors work on normalised text (see ``normalisation``) and return ``Finding`` objects for
validated values, plus *blocked* spans: IBAN- or RIB-shaped values whose checksum fails. A
mistyped IBAN is still an IBAN, so the digits inside it must not be reported as a card or a phone
number; the blocked spans let the engine suppress those weaker readings.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from functools import cache
from typing import Final, NamedTuple

from stdnum import numdb

from tandem.compliance.detection.context import is_labelled_reference
from tandem.compliance.detection.findings import IBAN, RIB, Finding

Span = tuple[int, int]

_FLAGS: Final = re.ASCII


class _Country(NamedTuple):
    length: int  # total IBAN length, country code and check digits included
    bban: re.Pattern[str]  # structure of the BBAN part, from the ISO 13616 registry
    body: re.Pattern[str]  # the BBAN as written: that many characters, with separators


# ISO 13616 registry notation: "5!n5!n11!c2!n" = 5 digits, 5 digits, 11 alphanumerics, 2 digits.
_REGISTRY_PART: Final = re.compile(r"(\d+)!([nac])")
_REGISTRY_CLASS: Final = {"n": "[0-9]", "a": "[A-Z]", "c": "[A-Z0-9]"}


@cache
def _bban_body(count: int) -> re.Pattern[str]:
    # Exactly ``count`` alphanumerics, each optionally preceded by one separator. Consuming the
    # registry length (and no more) keeps a following word out of the value: the "…061 MERCI" and
    # "… 7601 failed" cases that trip greedy IBAN patterns.
    return re.compile(rf"(?:[ .\-]?[0-9A-Za-z]){{{count}}}", _FLAGS)


def _load_countries() -> dict[str, _Country]:
    """Read each country's IBAN structure from python-stdnum's copy of the SWIFT registry.

    Every country of the registry is supported, which covers all SEPA members (and the French
    overseas departments, which use FR IBANs). Keeping stdnum as the single source means a
    registry update only needs a dependency upgrade.
    """
    database = numdb.get("iban")
    countries: dict[str, _Country] = {}
    for first in string.ascii_uppercase:
        for second in string.ascii_uppercase:
            code = first + second
            properties = database.info(code)[0][1]
            structure = properties.get("bban")
            if not structure:
                continue
            parts = _REGISTRY_PART.findall(structure)
            pattern = "".join(f"{_REGISTRY_CLASS[kind]}{{{count}}}" for count, kind in parts)
            length = 4 + sum(int(count) for count, _ in parts)
            countries[code] = _Country(
                length, re.compile(pattern + r"\Z", _FLAGS), _bban_body(length - 4)
            )
    return countries


_COUNTRIES: Final = _load_countries()

# The start of an IBAN: a registry country code (any case), an optional separator (people write
# "FR 76 …"), then two check digits. It may be glued to the word "IBAN" ("IBAN:FR76…" is covered
# by the plain boundary; "IBANFR76…" by the look-behind alternative). The leading look-ahead is a
# plain shape test that fails fast at almost every position; without it the look-behinds and the
# country alternation ran everywhere and this one pattern cost more than all the others together.
_IBAN_START: Final = re.compile(
    r"(?=[A-Za-z]{2}[ .\-]?[0-9]{2})(?:(?<![0-9A-Za-z])|(?<=IBAN))"
    r"(" + "|".join(sorted(_COUNTRIES)) + r")([ .\-]?)([0-9]{2})",
    _FLAGS | re.IGNORECASE,
)
# Where an IBAN can start is found from its check digits: two digits right after a letter, or
# after a letter and one separator. Searching for that (a pattern that begins with a digit, which
# the regular expression engine skips to directly) and trying ``_IBAN_START`` only two and three
# characters before each hit costs a fifth of running ``_IBAN_START`` over the whole message.
_CHECK_DIGITS: Final = re.compile(
    r"[0-9](?:(?<=[A-Za-z][0-9])|(?<=[A-Za-z][ .\-][0-9]))[0-9]", _FLAGS
)
_SEPARATOR: Final = re.compile(r"[ .\-]", _FLAGS)
# ISO 7064 mod 97-10 reads letters as two-digit numbers: A=10 … Z=35.
_LETTER_VALUES: Final = str.maketrans(
    {letter: str(value) for value, letter in enumerate(string.ascii_uppercase, start=10)}
)


def _is_alphanumeric(character: str) -> bool:
    return character.isascii() and character.isalnum()


_LETTER_VALUE: Final = {
    letter: str(value) for value, letter in enumerate(string.ascii_uppercase, 10)
}


def _checksum_ok(country_code: str, check_digits: str, bban: str) -> bool:
    # ISO 7064 mod 97-10 on the BBAN followed by the country code and the check digits. Most
    # BBANs are all digits: only the country code's two letters need converting then.
    if bban.isdigit():
        number = bban + _LETTER_VALUE[country_code[0]] + _LETTER_VALUE[country_code[1]]
        return int(number + check_digits) % 97 == 1
    return int((bban + country_code + check_digits).translate(_LETTER_VALUES)) % 97 == 1


def find_ibans(text: str, start: int = 0) -> tuple[list[Finding], list[Span]]:
    """Find ISO 13616 IBANs, validated with ISO 7064 mod 97-10 and the registry structure.

    Validation is what ``stdnum.iban.is_valid`` checks (check digits, country, BBAN structure from
    the same registry) without stdnum's optional national checks: the Belgian one rejects banks
    missing from stdnum's bundled bank list (the textbook ``BE68 5390 0754 7034`` fails it), and a
    customer's real IBAN must never be missed because a library's list is out of date.

    Accepted spellings: any grouping, upper, lower or mixed case, separators space/no-break
    space/dot/dash, a space after the country code, and a word glued after the last character
    ("…061MERCI").

    ``start``: no digit before it (the search for check digits begins there).
    """
    findings: list[Finding] = []
    blocked: list[Span] = []
    position = 0  # where the next IBAN may start (after the last one found)
    hint_from = max(2, start)
    while hint := _CHECK_DIGITS.search(text, hint_from):
        digits = hint.start()
        # The country code is two characters before the check digits, or three with a separator;
        # both are tried, in text order, like a search from ``position`` would.
        for begin in (digits - 3, digits - 2):
            if begin < position:
                continue
            match = _IBAN_START.match(text, begin)
            if match is None:
                continue
            position = begin + 1
            code = match.group(1)
            country = _COUNTRIES[code.upper()]
            body = country.body.match(text, match.end())
            if body is None:
                continue
            end = body.end()
            # A digit glued after a digit means the number goes on: not an IBAN of this length.
            if end < len(text) and text[end].isdigit() and text[end - 1].isdigit():
                continue
            bban = _SEPARATOR.sub("", body.group()).upper()
            if not country.bban.match(bban):
                continue
            if _checksum_ok(code.upper(), match.group(3), bban):
                findings.append(Finding(IBAN, begin, end))
                position = end
            elif code.isupper() or not match.group(2):
                # Shaped like an IBAN of that country but mistyped. Lower-case codes followed by
                # a space are left alone: "de 4970 …" is French for "of", not Germany.
                blocked.append((begin, end))
                position = end
        hint_from = max(digits + 1, position + 2)
    return findings, blocked


# --- French RIB ------------------------------------------------------------------------------

# Letters in a French account number are converted to digits before computing the key
# (Banque de France / CFONB convention): A,J→1  B,K,S→2  C,L,T→3  D,M,U→4  E,N,V→5  F,O,W→6
# G,P,X→7  H,Q,Y→8  I,R,Z→9.
_RIB_LETTERS: Final = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "12345678912345678923456789")

# The boundary look-behinds come after the first digit (and look one character further back) so
# that the pattern begins with a digit: the regular expression engine then skips straight to the
# digits of a message instead of testing the look-behinds at every character.
_RIB: Final = re.compile(
    r"([0-9](?<![0-9A-Za-z][0-9])(?<![0-9][ .\-][0-9])[0-9]{4})[ .\-]?([0-9]{5})[ .\-]?"
    r"((?:[0-9A-Za-z][ .\-]?){10}[0-9A-Za-z])[ .\-]?([0-9]{2})"
    r"(?![0-9A-Za-z])(?![ .\-][0-9])",
    _FLAGS,
)
# Real account numbers carry at most one or two letters; more means ordinary words were glued.
_MAX_ACCOUNT_LETTERS: Final = 2


def rib_key(bank: str, branch: str, account: str) -> int:
    """The French RIB key: 97 - ((89 * bank + 15 * branch + 3 * account) mod 97).

    ``account`` may contain letters; they are converted with the standard table first.
    """
    account_digits = account.upper().translate(_RIB_LETTERS)
    return 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account_digits)) % 97


def find_ribs(text: str, start: int = 0) -> tuple[list[Finding], list[Span]]:
    """Find French RIBs written without the IBAN prefix: bank 5 digits, branch 5 digits, account
    11 alphanumerics, key 2 digits, with any of space/dot/dash between the parts.

    Only values whose RIB key checks out are reported; a RIB-shaped value with a wrong key is
    returned as a blocked span (its 16-digit middle must not be read as a card).
    """
    findings: list[Finding] = []
    blocked: list[Span] = []
    for match in _RIB.finditer(text, start):
        bank, branch, raw_account, key = match.groups()
        account = _SEPARATOR.sub("", raw_account)
        if sum(character.isalpha() for character in account) > _MAX_ACCOUNT_LETTERS:
            continue
        if rib_key(bank, branch, account) == int(key):
            if not is_labelled_reference(text, match.start()):
                findings.append(Finding(RIB, match.start(), match.end()))
        elif account.isdigit():
            blocked.append(match.span())
    return findings, blocked


def iter_country_codes() -> Iterator[str]:
    """Country codes known to the IBAN registry (for the corpus and the tests)."""
    yield from sorted(_COUNTRIES)
