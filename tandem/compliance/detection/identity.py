"""French social security number (NIR, "numéro de sécurité sociale", INSEE registration number).

Layout (decree 82-103 and INSEE documentation): sex 1 digit, birth year 2, birth month 2,
département 2 (Corsica "2A"/"2B"), commune 3, order 3, then a 2-digit key equal to
97 - (first 13 digits mod 97), with 2A read as 19 and 2B as 18. The key is checked as
``stdnum.fr.nir`` does (computed here: the library's clean-up of arbitrary input costs more than
the arithmetic); the month is checked as well because stdnum does not, and a random 15-digit
number passes the key about once in a hundred.
"""

from __future__ import annotations

import re
from typing import Final

from tandem.compliance.detection.context import is_labelled_reference
from tandem.compliance.detection.findings import FR_NIR, Finding

# First digit: 1/2 (men/women), 3/4 (foreign-born, provisional), 7/8 (NIA in progress).
# Separators may sit between any two characters; the run must not continue on either side.
# The boundary look-behinds come after the first digit (and look one character further back) so
# that the pattern begins with a digit, which the regular expression engine skips to directly.
_NIR: Final = re.compile(
    r"[1-478](?<![0-9A-Za-z][1-478])(?<![0-9][ .\-][1-478])"
    r"(?:[ .\-]?[0-9]){4}[ .\-]?(?:[0-9][ .\-]?[0-9]|2[ .\-]?[ABab])(?:[ .\-]?[0-9]){8}"
    r"(?![0-9A-Za-z])(?![ .\-][0-9])",
    re.ASCII,
)
_SEPARATORS: Final = re.compile(r"[ .\-]", re.ASCII)
# For the key, Corsica's "2A" and "2B" count as 19 and 18.
_CORSICA: Final = {"2A": "19", "2B": "18"}


def _plausible_month(month: str) -> bool:
    # 01 to 12 are calendar months; 20 to 42 and 50 to 99 are used by INSEE when the month is
    # unknown or for some provisional numbers. 00 and 13 to 19 never occur.
    value = int(month)
    return 1 <= value <= 12 or 20 <= value <= 42 or value >= 50


def _key_ok(compact: str) -> bool:
    """The key check of ``stdnum.fr.nir``, on the 15 characters ``_NIR`` guarantees."""
    department = compact[5:7]
    number = compact[:5] + _CORSICA.get(department, department) + compact[7:13]
    return 97 - int(number) % 97 == int(compact[13:])


def find_nirs(text: str, start: int = 0) -> list[Finding]:
    """Find NIRs with a correct key, compact or grouped ("1 85 05 78 006 084 91").

    ``start``: no digit before it.
    """
    findings: list[Finding] = []
    for match in _NIR.finditer(text, start):
        compact = _SEPARATORS.sub("", match.group()).upper()
        if not _plausible_month(compact[3:5]) or compact[5:7] == "00":
            continue
        if _key_ok(compact) and not is_labelled_reference(text, match.start()):
            findings.append(Finding(FR_NIR, match.start(), match.end()))
    return findings
