"""Secrets given in context: one-time codes, PINs, card security codes (CVV) and passwords.

These values have no checksum, so they are only recognised after a word that announces them
("mon code est 482913", "cryptogramme 123", "mot de passe : Soleil2024!"). The finding covers the
value only, never the announcing words, so masking keeps the sentence readable.

Traps handled here: "code postal 75008", "code promo NOEL25", "erreur code 404", "code guichet
…", "Code civil art. 1240" (the word after "code" is not one that announces a secret),
"crypto 2025 : avis ?" (a CVV has three digits), "mot de passe oublié" (a password has a digit,
a symbol or inner capitals), and amounts, durations or dates right after the number.
"""

from __future__ import annotations

import re
from typing import Final

from tandem.compliance.detection.findings import SECRET, Finding

_FLAGS: Final = re.ASCII | re.IGNORECASE
_E: Final = "[eéèêÉÈÊ]"
_A: Final = "[aàâÀÂ]"
_C: Final = "[cçÇ]"

# Words that may qualify "code" and still mean a secret one.
_QUALIFIER: Final = (
    rf"(?:secret|confidentiel|pin|sms|otp|perso(?:nnel)?|unique|temporaire|provisoire"
    rf"|d'(?:acc{_E}s|activation|authentification|identification)"
    rf"|de\s+(?:validation|confirmation|v{_E}rification|connexion|paiement"
    rf"|(?:la\s+|ma\s+)?(?:carte|cb))"
    rf"|3\s?d(?:\s?secure)?|re{_C}u(?:\s+par\s+(?:sms|texto|t{_E}l{_E}phone|e-?mail|mail))?"
    rf"|(?:{_A}|de|en)\s+[0-9]\s+chiffres)"
)
# Card security code: three digits (four on American Express).
_CVV: Final = (
    rf"cvv2?|cvc2?|cryptogramme(?:\s+visuel)?"
    rf"|(?:les\s+)?(?:3|trois)\s+chiffres\s+(?:(?:au|du)\s+dos|derri{_E}re)"
    rf"(?:\s+de\s+(?:la|ma)\s+carte|\s+la\s+carte)?"
)
# "Code de sécurité" is the CVV on a card but also a code sent by SMS: 3 to 8 digits.
_SECURITY: Final = rf"code\s+de\s+s{_E}curit{_E}"
_CODE: Final = rf"code(?:\s+{_QUALIFIER}){{0,2}}|pin|otp"
# "crypto" is also crypto-assets ("crypto 2025 : avis ?"): exactly three digits only.
_CRYPTO: Final = r"crypto"

# Small words allowed between the keyword and the value: "mon code est le 482913",
# "le code que j'ai reçu par SMS c'est 48 29 13", "CVV : 123".
_FILLER_WORD: Final = (
    rf"(?:c'est|c\s+est|cest|c|est|{_E}tait|sont|le|la|les|du|de|ma|mon|que|qu'on|qui|j'ai|jai"
    rf"|je|viens|vient|recevoir|re{_C}ois|m'a|on\s+m'a|vous|re{_C}u|recu|par|sms|texto|mail"
    rf"|envoy{_E}|carte|bancaire|bleue|cb|visuel|donc|bien|voici|voil{_A}|au|dos|il\s+s'agit\s+de"
    rf"|ici|svp|actuel|nouveau|chiffres)"
)
_FILLER: Final = rf"(?:[\s:=,\-]*(?:{_FILLER_WORD})(?![A-Za-z']))*+[\s:=,\-]*"

# The value: 3 to 8 digits, optionally grouped by single spaces or dashes ("582 019", "48-29-13").
# Each pattern starts with a look-ahead on the first letters of its keywords: a cheap test that
# rejects most positions before the keyword alternation is tried there.
_NUMERIC_SECRET: Final = re.compile(
    rf"(?=[cltpo3])(?<![A-Za-z0-9])(?:(?P<cvv>{_CVV})|(?P<security>{_SECURITY}(?:\s+{_QUALIFIER})?)"
    rf"|(?P<crypto>{_CRYPTO})|(?P<code>{_CODE}))(?![A-Za-z])"
    rf"{_FILLER}"
    r"(?P<value>(?<![0-9])[0-9](?:[ \-]?[0-9]){2,7}+)"
    r"(?![0-9A-Za-z])(?![ \-][0-9])",
    _FLAGS,
)
# (minimum, maximum) digits per keyword family: CVV 3-4, OTP and PIN 4-8.
_DIGIT_LIMITS: Final = {"cvv": (3, 4), "security": (3, 8), "crypto": (3, 3), "code": (4, 8)}
_FAMILIES: Final = tuple(_DIGIT_LIMITS)
_LIMITS: Final = tuple(_DIGIT_LIMITS.values())

# Right after the value: an amount, a percentage, a duration or a date means it was not a code.
_NOT_A_CODE_AFTER: Final = re.compile(
    r"\s?(?:€|eur\b|euros?\b|%|[:/][0-9]|,[0-9]|ans\b|fois\b|min\b|minutes?\b)", _FLAGS
)
# Right before the keyword: "erreur code 4012" is an error code.
_NOT_A_CODE_BEFORE: Final = re.compile(r"(?:erreur|error|err\.?|http)\s*$", _FLAGS)

_PASSWORD: Final = re.compile(
    rf"(?=[mp])(?<![A-Za-z])(?:mot\s*de\s*passe|mdp|password|passwd|pwd)(?:\s+(?:provisoire|temporaire"
    rf"|actuel|nouveau|wifi|perso))?(?![A-Za-z])"
    rf"(?:[\s:=,\-]*(?:c'est|c\s+est|cest|c|est|{_E}tait|le|bien|toujours|ici|voici)"
    rf"(?![A-Za-z']))*+"
    r"[\s:=,\-]*[\"'«]?\s?(?P<value>[^\s\"«»]{4,64})",
    _FLAGS,
)
_TRAILING_PUNCTUATION: Final = ".,;:)]}»\"'"
_SYMBOLS: Final = frozenset("!@#$%^&*_+=?/\\~|<>[]{}()-.,;:")
_MIN_PASSWORD: Final = 4


def _looks_like_password(value: str) -> bool:
    # An ordinary word ("oublié", "bloqué") follows "mot de passe" far more often than a
    # password does; a password almost always has a digit, a symbol or a capital inside.
    if len(value) < _MIN_PASSWORD:
        return False
    if any(character.isdigit() for character in value):
        return True
    has_letter = any(character.isalpha() for character in value)
    if has_letter and any(character in _SYMBOLS for character in value):
        return True
    # Inner capitals only mean something in a mixed-case token: "BLOQUÉ" is just shouting.
    has_lower = any(character.islower() for character in value)
    return has_lower and any(character.isupper() for character in value[1:])


def _numeric_secrets(text: str) -> list[Finding]:
    findings: list[Finding] = []
    for match in _NUMERIC_SECRET.finditer(text):
        families = match.group(*_FAMILIES)  # exactly one of them matched
        low, high = _LIMITS[next(index for index, found in enumerate(families) if found)]
        start, end = match.span("value")
        value = match.group("value")
        # The value is digits with single spaces or dashes between them.
        digits = len(value) - value.count(" ") - value.count("-")
        if not low <= digits <= high:
            continue
        if _NOT_A_CODE_AFTER.match(text, end) or _NOT_A_CODE_BEFORE.search(
            text, max(0, match.start() - 12), match.start()
        ):
            continue
        findings.append(Finding(SECRET, start, end))
    return findings


def _passwords(text: str) -> list[Finding]:
    findings: list[Finding] = []
    for match in _PASSWORD.finditer(text):
        start, end = match.span("value")
        while end > start and text[end - 1] in _TRAILING_PUNCTUATION:
            end -= 1
        if _looks_like_password(text[start:end]):
            findings.append(Finding(SECRET, start, end))
    return findings


# Substrings one of which must occur (in the lower-cased text) for a numeric secret, or for a
# password, to be possible: every keyword of ``_NUMERIC_SECRET`` (respectively ``_PASSWORD``)
# contains one. Looking for them in the lower-cased text is much cheaper than running the
# patterns on every message. The numeric patterns also need a digit.
_NUMERIC_KEYWORDS: Final = ("code", "pin", "otp", "cvv", "cvc", "crypto", "chiffres")
_PASSWORD_KEYWORDS: Final = ("passe", "mdp", "passw", "pwd")
_ANY_KEYWORD: Final = re.compile("|".join(_NUMERIC_KEYWORDS + _PASSWORD_KEYWORDS))
_NUMERIC_KEYWORD: Final = re.compile("|".join(_NUMERIC_KEYWORDS))
_PASSWORD_KEYWORD: Final = re.compile("|".join(_PASSWORD_KEYWORDS))
_DIGIT: Final = re.compile(r"[0-9]", re.ASCII)


def find_secrets(text: str, *, has_digit: bool | None = None) -> list[Finding]:
    """Find codes, PINs, CVVs and passwords announced by a keyword (value span only).

    ``has_digit`` is whether ``text`` contains an ASCII digit, when the caller already knows.
    """
    lowered = text.lower()
    if _ANY_KEYWORD.search(lowered) is None:
        return []  # most messages
    findings: list[Finding] = []
    if has_digit is None:
        has_digit = _DIGIT.search(text) is not None
    if has_digit and _NUMERIC_KEYWORD.search(lowered) is not None:
        findings = _numeric_secrets(text)
    if _PASSWORD_KEYWORD.search(lowered) is not None:
        findings += _passwords(text)
    return findings
