"""Masking of detected values: what an advisor may still read once a message is stored.

Pure function: text and findings in, masked text out. The convention keeps just enough for an
advisor to recognise which account, card or number the customer meant ("the card ending in
7893"), in the bracketed form French banks print on statements:

==========  =====================================  ==========================================
kind        masked as                              why
==========  =====================================  ==========================================
``iban``    ``[IBAN •••• 0061]``                   last 4 characters (PCI DSS / bank practice:
``rib``     ``[RIB •••• 0061]``                    never more than the last four)
``card``    ``[carte •••• 7893]``
``fr_nir``  ``[n° sécu •••• 8491]``
``phone``   ``[tél. •••• 5678]``
``email``   ``j•••@exemple.fr``                    first character and domain
``secret``  ``[code masqué]``                      codes, PINs, CVVs and passwords are dropped
                                                   entirely (PCI DSS: no sensitive
                                                   authentication data, even masked)
==========  =====================================  ==========================================

"Characters" are the significant ones: letters and digits, separators ignored, letters
upper-cased. A value with fewer than eight significant characters keeps none of them, so the
kept part is never a large share of the value. Overlapping or out-of-range findings are ignored
rather than trusted, so a bad caller cannot make masking leak.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from tandem.compliance.detection import Finding, normalise
from tandem.compliance.detection.findings import CARD, EMAIL, FR_NIR, IBAN, PHONE, RIB, SECRET

DOTS: Final = "••••"
KEPT_CHARACTERS: Final = 4
_MIN_FOR_KEEPING: Final = 8

_LABELS: Final = {
    IBAN: "IBAN",
    RIB: "RIB",
    CARD: "carte",
    FR_NIR: "n° sécu",
    PHONE: "tél.",
}
SECRET_MASK: Final = "[code masqué]"  # noqa: S105 - a placeholder, not a password
EMAIL_MASK: Final = "[e-mail masqué]"
UNKNOWN_MASK: Final = "[donnée masquée]"


def _significant(value: str) -> str:
    return "".join(
        character for character in normalise(value) if character.isascii() and character.isalnum()
    ).upper()


def _mask_number(label: str, value: str) -> str:
    significant = _significant(value)
    if len(significant) < _MIN_FOR_KEEPING:
        return f"[{label} {DOTS}]"
    return f"[{label} {DOTS} {significant[-KEPT_CHARACTERS:]}]"


def _mask_email(value: str) -> str:
    local, separator, domain = value.rpartition("@")
    if not separator or not local or not domain:
        return EMAIL_MASK
    return f"{local[0]}•••@{domain}"


def mask_value(kind: str, value: str) -> str:
    """The masked form of one detected ``value`` of the given ``kind``."""
    if kind == SECRET:
        return SECRET_MASK
    if kind == EMAIL:
        return _mask_email(value)
    label = _LABELS.get(kind)
    if label is None:
        return UNKNOWN_MASK
    return _mask_number(label, value)


def mask(text: str, findings: Iterable[Finding]) -> str:
    """Return ``text`` with every finding replaced by its masked form (see the module table)."""
    pieces: list[str] = []
    position = 0
    for finding in sorted(findings, key=lambda finding: (finding.start, finding.end)):
        if finding.start < position or finding.end > len(text) or finding.start >= finding.end:
            continue
        pieces.append(text[position : finding.start])
        pieces.append(mask_value(finding.kind, text[finding.start : finding.end]))
        position = finding.end
    pieces.append(text[position:])
    return "".join(pieces)
