"""Contact details: phone numbers (validated by libphonenumber) and e-mail addresses.

Phone numbers are validated against libphonenumber's metadata (``phonevalidation``, the same
answer as ``phonenumbers.parse`` + ``is_valid_number`` at a fraction of the cost), and only ever
for spans that a compiled pattern has already shaped like a phone number, never whole messages;
each national number is checked against one region chosen from its prefix instead of looping over
regions.
"""

from __future__ import annotations

import re
from typing import Final

from tandem.compliance.detection.context import is_labelled_reference
from tandem.compliance.detection.findings import EMAIL, PHONE, Finding
from tandem.compliance.detection.phonevalidation import is_valid_international, is_valid_national

# --- Phone numbers ---------------------------------------------------------------------------

# French national form: 0 + 9 digits, separators anywhere ("06 12 34 56 78", "06.12.34.56.78",
# "0612345678", "0690 12 34 56"). Not inside a longer run of digits or glued to letters.
# The boundary look-behinds come after the leading "0" (and look one character further back):
# a pattern that begins with a literal lets the regular expression engine jump from one "0" to
# the next instead of testing the look-behinds at every character, five times faster.
_NATIONAL: Final = re.compile(
    r"0(?<![0-9A-Za-z+@]0)(?<![0-9][ .\-]0)[1-9](?:[ .\-]?[0-9]){8}"
    r"(?![0-9A-Za-z@])(?![ .\-][0-9])",
    re.ASCII,
)
# International form: "+" or "00", country code, then digits with optional separators and the
# "(0)" that people keep from the national form ("+33 (0)6 12 34 56 78").
# "(+33) 6 …" is accepted too: the conditional closes the bracket only if one was opened.
_INTERNATIONAL: Final = re.compile(
    r"(?<![0-9A-Za-z+])(?<![0-9][ .\-])(\()?(?:\+|00)[ ]?[1-9][0-9]{0,2}(?(1)\)[ ]?)"
    r"(?:[ .\-]?(?:\(0\)[ ]?)?[0-9]){4,14}+"
    r"(?![0-9A-Za-z@])(?![ .\-][0-9])",
    re.ASCII,
)

# Overseas departments share the French "0" trunk prefix but are separate regions in
# libphonenumber's metadata (+590, +594, +596, +262), so "0690 12 34 56" is *invalid* as FR.
# Pick the region from the first four digits (ARCEP numbering plan).
_OVERSEAS_REGIONS: Final = {
    "0590": "GP",
    "0690": "GP",
    "0691": "GP",
    "0594": "GF",
    "0694": "GF",
    "0596": "MQ",
    "0696": "MQ",
    "0697": "MQ",
    "0262": "RE",
    "0263": "RE",
    "0692": "RE",
    "0693": "RE",
    "0269": "YT",
    "0639": "YT",
}
# "12 03 2024 …": a date followed by more digits is not a phone number.
_LEADING_DATE: Final = re.compile(
    r"(?:0[1-9]|[12][0-9]|3[01])[ .\-](?:0[1-9]|1[0-2])[ .\-](?:19|20)[0-9]{2}", re.ASCII
)
_NOT_DIGIT: Final = re.compile(r"[^0-9]", re.ASCII)


def find_phones(text: str, start: int = 0) -> list[Finding]:
    """Find French numbers (metropolitan and overseas) and international "+xx"/"00xx" numbers.

    ``start``: no digit before it.
    """
    findings: list[Finding] = []
    for match in _NATIONAL.finditer(text, start):
        if _LEADING_DATE.match(match.group()):
            continue
        digits = _NOT_DIGIT.sub("", match.group())
        region = _OVERSEAS_REGIONS.get(digits[:4], "FR")
        # Some blocks are shared or being reallocated (0263 is both Réunion and metropolitan
        # metadata), so an overseas miss falls back to FR.
        valid = is_valid_national(digits, region) or (
            region != "FR" and is_valid_national(digits, "FR")
        )
        if valid and not is_labelled_reference(text, match.start()):
            findings.append(Finding(PHONE, match.start(), match.end()))
    if "+" not in text and "00" not in text:
        return findings  # no international number without one or the other
    # An international number has a digit at most three characters after its start ("(+ 3").
    for match in _INTERNATIONAL.finditer(text, max(0, start - 3)):
        value = match.group().lstrip("(")
        if value.startswith("00"):
            value = "+" + value[2:]
        if is_valid_international(value) and not is_labelled_reference(text, match.start()):
            findings.append(Finding(PHONE, match.start(), match.end()))
    return findings


# --- E-mail addresses ------------------------------------------------------------------------

# Unicode-aware local part ("élodie.martin@…"), dot-separated labels, an alphabetic TLD.
# Possessive quantifiers keep the pattern linear on long runs of letters.
_EMAIL: Final = re.compile(
    r"(?<![\w.%+\-@])[\w%+\-]++(?:\.[\w%+\-]++)*+@(?:[^\W_][\w\-]*+\.)+([A-Za-z]{2,24})"
    r"(?![\w\-@])(?!\.\w)"
)
# TLD-shaped endings that are really file names ("photo@2x.png") or reserved names
# (RFC 2606 / RFC 6761: .test, .invalid, .localhost, .example).
_NOT_EMAIL_TLDS: Final = frozenset(
    {
        "png", "jpg", "jpeg", "gif", "webp", "svg", "heic", "bmp", "tif", "tiff",
        "mp4", "mov", "avi", "mp3", "wav", "pdf", "txt", "doc", "docx", "xls", "xlsx",
        "csv", "zip", "rar", "js", "css", "html", "htm", "php",
        "test", "invalid", "localhost", "example", "local", "internal", "lan",
    }
)  # fmt: skip


def find_emails(text: str) -> list[Finding]:
    """Find e-mail addresses (local@domain.tld), ignoring file names and reserved domains."""
    findings: list[Finding] = []
    for match in _EMAIL.finditer(text):
        if match.group(1).lower() in _NOT_EMAIL_TLDS:
            continue
        findings.append(Finding(EMAIL, match.start(), match.end()))
    return findings
