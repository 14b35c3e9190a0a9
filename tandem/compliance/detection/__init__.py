"""Pure sensitive-data detection: text in, findings out.

``detect(text)`` returns non-overlapping ``Finding`` objects sorted by start offset, with offsets
into the text exactly as given. It does no I/O, keeps no state and is safe to call from any
thread; the scan command, inbound masking and the outbound reply check all share it.

How it stays fast on millions of messages:

- the text is normalised once, length-preserving (``normalise``);
- each detector is a compiled pattern that only matches shapes worth validating, written so
  that the regular expression engine can skip to where such a shape can begin (a pattern that
  starts with a literal or a digit class is scanned several times faster than one that starts
  with a look-behind), and only those candidate spans are validated;
- validation is plain arithmetic on the registries' data (ISO 7064 mod 97 for IBANs and the
  NIR key, Luhn for cards, python-stdnum's IBAN registry for the BBAN structures) and
  libphonenumber's metadata for phone numbers (``phonevalidation``: the same answers as
  ``phonenumbers.parse`` + ``is_valid_number``, several times cheaper);
- messages without a digit skip every number detector (without a run of five digits, all but
  the IBAN), messages without "@" skip e-mail, and messages without a keyword skip secrets
  (without a digit, the numeric ones).

``bench/scan/speed.py`` measures it; ``bench/scan/verify_phones.py`` checks the phone
validation against phonenumbers itself.

Overlaps are resolved by keeping the longest validated value first, then the stronger kind
(``KINDS`` order): an IBAN wins over the RIB, card or phone number inside it, and an e-mail
address over the digits in its local part. Values shaped like an IBAN or RIB whose checksum
fails still hide the weaker readings inside them.
"""

from __future__ import annotations

import re
from typing import Final

from tandem.compliance.detection.accounts import Span, find_ibans, find_ribs
from tandem.compliance.detection.cards import find_cards
from tandem.compliance.detection.contact import find_emails, find_phones
from tandem.compliance.detection.credentials import find_secrets
from tandem.compliance.detection.findings import EMAIL, IBAN, KINDS, Finding
from tandem.compliance.detection.identity import find_nirs
from tandem.compliance.detection.normalisation import normalise

__all__ = ["KINDS", "Finding", "detect", "normalise"]

_DIGIT: Final = re.compile(r"[0-9]")
# RIB, card, NIR and phone numbers all contain at least five digits in a row, with at most single
# separators between them; messages without such a run skip those detectors. (Not IBANs: some
# countries' account part is alphanumeric, "LV26 MUAZ LVDZ X37Q 8S76 A" has no such run.)
_NUMBER_LIKE: Final = re.compile(r"[0-9](?:[ .\-]?[0-9]){4}")
_PRIORITY: Final = {kind: rank for rank, kind in enumerate(KINDS)}
# Kinds that a mistyped IBAN/RIB around them cannot cancel: they are recognised by their own
# shape, not by digits that happen to sit inside a longer number.
_NOT_BLOCKABLE: Final = frozenset({IBAN, EMAIL})


def _overlaps(start: int, end: int, spans: list[Span]) -> bool:
    # A plain loop: any() over a generator costs more than the comparisons here.
    for other_start, other_end in spans:  # noqa: SIM110
        if start < other_end and other_start < end:
            return True
    return False


def _start(finding: Finding) -> int:
    return finding.start


def _resolve(candidates: list[Finding], blocked: list[Span]) -> list[Finding]:
    if blocked:
        candidates = [
            finding
            for finding in candidates
            if finding.kind in _NOT_BLOCKABLE or not _overlaps(finding.start, finding.end, blocked)
        ]
    if len(candidates) <= 1:
        return candidates
    # The usual case: no two candidates overlap, and all of them are kept, in text order.
    in_order = sorted(candidates, key=_start)
    previous_end = in_order[0].end
    for finding in in_order[1:]:
        if finding.start < previous_end:
            break
        previous_end = finding.end
    else:
        return in_order
    ranked = sorted(
        candidates,
        key=lambda finding: (finding.start - finding.end, _PRIORITY[finding.kind], finding.start),
    )
    kept: list[Finding] = []
    taken: list[Span] = []
    for finding in ranked:
        if not _overlaps(finding.start, finding.end, taken):
            kept.append(finding)
            taken.append((finding.start, finding.end))
    kept.sort(key=lambda finding: finding.start)
    return kept


def detect(text: str) -> list[Finding]:
    """Find sensitive values in ``text``.

    Kinds: ``iban``, ``rib``, ``card``, ``fr_nir``, ``email``, ``phone``, ``secret`` (see each
    detector module for the standard it implements and the traps it avoids).
    """
    if not text:
        return []
    normalised = normalise(text)
    first_digit = _DIGIT.search(normalised)
    has_digit = first_digit is not None
    if first_digit is not None:
        # The number detectors look for shapes that contain a digit, and all but the IBAN and
        # the international phone number start with one: they start looking at the first digit
        # (their look-behinds still see the text before it).
        at = first_digit.start()
        candidates, blocked = find_ibans(normalised, at)
        if _NUMBER_LIKE.search(normalised, at) is not None:
            ribs, rib_blocked = find_ribs(normalised, at)
            candidates += ribs
            blocked += rib_blocked
            candidates += find_cards(normalised, at)
            candidates += find_nirs(normalised, at)
            candidates += find_phones(normalised, at)
    else:
        candidates, blocked = [], []
    if "@" in normalised:
        candidates += find_emails(normalised)
    candidates += find_secrets(normalised, has_digit=has_digit)
    return _resolve(candidates, blocked)
