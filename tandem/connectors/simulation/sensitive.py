"""Fake but *valid* sensitive values, as customers type them on social networks.

The simulator mixes a small share of these into customer messages so that compliance features
(detection, masking, hiding public comments) have something real to catch. Every value passes the
checksum a detector would apply (python-stdnum), so a detector that validates checksums does not
discard them as noise:

* IBAN and RIB: French layout, fictitious bank codes (``12345``, ``99999``), RIB key computed
  with the banking formula, IBAN check digits with ISO 7064 mod 97-10.
* Card numbers: only the public *test* numbers that payment networks publish. A random
  Luhn-valid number could be somebody's real card (PCI DSS), so none is invented.
* NIR (French social security number): random but with the mod-97 key.
* Phone numbers: French mobiles (``06``/``07``); e-mail addresses on the reserved
  ``example.*`` domains; secrets are one-time codes, CVVs, PINs and passwords.

Every function takes the caller's ``random.Random`` and nothing else that varies, so the same
seed gives the same values. ``Piece.value`` is exactly the characters a detector should flag.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from typing import Final

from stdnum import luhn
from stdnum.fr import nir
from stdnum.iso7064 import mod_97_10

__all__ = [
    "SENSITIVE_KINDS",
    "TEST_CARD_NUMBERS",
    "Piece",
    "ascii_name",
    "french_mobile",
    "is_valid_card",
    "make_piece",
]

#: The kinds, named as ``tandem scan`` names its findings.
SENSITIVE_KINDS: Final = ("iban", "rib", "card", "fr_nir", "phone", "email", "secret")

#: Published test numbers (Visa, Mastercard incl. the 2-series, Amex). Luhn-valid, never issued.
TEST_CARD_NUMBERS: Final = (
    "4111111111111111",
    "4012888888881881",
    "4000056655665556",
    "5555555555554444",
    "5105105105105100",
    "2223003122003222",
    "378282246310005",
)

_FICTITIOUS_BANKS: Final = ("12345", "99999")
_RIB_LETTERS: Final = {
    **dict.fromkeys("AJ", "1"),
    **dict.fromkeys("BKS", "2"),
    **dict.fromkeys("CLT", "3"),
    **dict.fromkeys("DMU", "4"),
    **dict.fromkeys("ENV", "5"),
    **dict.fromkeys("FOW", "6"),
    **dict.fromkeys("GPX", "7"),
    **dict.fromkeys("HQY", "8"),
    **dict.fromkeys("IRZ", "9"),
}
# Narrow no-break space: what French typography (and text copied from banking apps) puts
# between digit groups; detectors must cope with it.
_NNBSP: Final = "\u202f"
# 06 39 and 06 90-06 97 (but 06 95) are overseas mobiles (Mayotte, Antilles, Guyane, Réunion):
# they are +262/+590/+594/+596 numbers, never +33 ones.
_NOT_METROPOLITAN_06: Final = frozenset({"39", "90", "91", "92", "93", "94", "96", "97"})
_PASSWORD_WORDS: Final = (
    "soleil", "chaton", "marseille", "doudou", "loulou", "nounours", "bretagne", "azerty",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Piece:
    """A sensitive value and the French phrase carrying it (``{}`` marks the value)."""

    kind: str
    value: str
    phrase: str

    def render(self) -> tuple[str, int, int]:
        """The phrase with the value in place, and the value's (start, end) in it."""
        before, after = self.phrase.split("{}", 1)
        return before + self.value + after, len(before), len(before) + len(self.value)


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def _group(compact: str, sizes: tuple[int, ...], separator: str) -> str:
    parts, position = [], 0
    for size in sizes:
        parts.append(compact[position : position + size])
        position += size
    if position < len(compact):
        parts.append(compact[position:])
    return separator.join(part for part in parts if part)


def _rib_key(bank: str, branch: str, account: str) -> str:
    numeric = "".join(_RIB_LETTERS.get(char, char) for char in account)
    return f"{97 - ((89 * int(bank) + 15 * int(branch) + 3 * int(numeric)) % 97):02d}"


def _bban(rng: random.Random) -> str:
    account = _digits(rng, 11)
    if rng.random() < 0.15:  # some French account numbers carry a letter
        position = rng.randrange(4, 10)
        account = (
            account[:position] + rng.choice("ABCDEFHJKLMNPRSTUVWXYZ") + account[position + 1 :]
        )
    bank, branch = rng.choice(_FICTITIOUS_BANKS), _digits(rng, 5)
    return bank + branch + account + _rib_key(bank, branch, account)


def _iban(rng: random.Random) -> str:
    bban = _bban(rng)
    compact = "FR" + mod_97_10.calc_check_digits(bban + "FR") + bban
    style = rng.random()
    if style < 0.55:
        return _group(compact, (4,) * 7, " ")
    if style < 0.8:
        return compact
    if style < 0.9:
        return _group(compact, (4,) * 7, " ").lower()
    if style < 0.95:
        return _group(compact, (4,) * 7, "-")
    return _group(compact, (4,) * 7, _NNBSP)


def _rib(rng: random.Random) -> str:
    bban = _bban(rng)
    return _group(bban, (5, 5, 11, 2), rng.choice((" ", " ", "-")))


def _card(rng: random.Random) -> str:
    number = rng.choice(TEST_CARD_NUMBERS)
    style = rng.random()
    if len(number) == 15:  # Amex is written 4-6-5
        return _group(number, (4, 6, 5), " ") if style < 0.7 else number
    if style < 0.6:
        return _group(number, (4, 4, 4, 4), " ")
    if style < 0.8:
        return number
    if style < 0.9:
        return _group(number, (4, 4, 4, 4), "-")
    return _group(number, (4, 4, 4, 4), ".")


def _nir(rng: random.Random) -> str:
    department = rng.choice(("2A", "2B", *(f"{n:02d}" for n in range(1, 96) if n != 20)))
    body = (
        rng.choice("12")
        + f"{rng.randrange(40, 100):02d}"
        + f"{rng.randrange(1, 13):02d}"
        + department
        + f"{rng.randrange(1, 990):03d}"
        + f"{rng.randrange(1, 999):03d}"
    )
    compact = body + nir.calc_check_digits(body)
    return _group(compact, (1, 2, 2, 2, 3, 3, 2), " ") if rng.random() < 0.6 else compact


def french_mobile(rng: random.Random) -> str:
    """A metropolitan French mobile in international digits, ``336…``/``337…`` (a wa_id)."""
    if rng.random() < 0.7:
        number = "336" + _digits(rng, 8)
        while number[3:5] in _NOT_METROPOLITAN_06:
            number = "336" + _digits(rng, 8)
        return number
    # 07 mobiles start 073 to 079; 070-072 are not allocated to mobiles.
    return "337" + rng.choice("3456789") + _digits(rng, 7)


def _phone(rng: random.Random) -> str:
    national = "0" + french_mobile(rng)[2:]
    style = rng.random()
    if style < 0.45:
        return _group(national, (2, 2, 2, 2, 2), " ")
    if style < 0.7:
        return national
    if style < 0.85:
        return _group(national, (2, 2, 2, 2, 2), ".")
    return "+33 " + _group(national[1:], (1, 2, 2, 2, 2), " ")


def ascii_name(name: str) -> str:
    """``Hélène N'Diaye`` → ``helenendiaye``-style fragments for handles and e-mail addresses."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(char for char in decomposed if char.isascii() and char.isalnum()).lower()


def _email(rng: random.Random, first_name: str, last_name: str) -> str:
    first, last = ascii_name(first_name), ascii_name(last_name)
    local = rng.choice(
        (f"{first}.{last}", f"{first[0]}{last}", f"{first}{last}{rng.randrange(1, 99)}", first)
    )
    return f"{local}@{rng.choice(('example.com', 'example.org', 'example.net'))}"


def _password(rng: random.Random) -> str:
    word = rng.choice(_PASSWORD_WORDS)
    return (word.capitalize() if rng.random() < 0.5 else word) + _digits(rng, rng.choice((2, 4)))


_PHRASES: Final[dict[str, tuple[str, ...]]] = {
    "iban": (
        "Mon IBAN : {}",
        "voici mon iban {} pour que vous vérifiiez",
        "le virement doit partir sur {}",
        "IBAN du compte joint : {}.",
    ),
    "rib": ("Mon RIB : {}", "code banque guichet compte clé : {}", "les coordonnées : {}"),
    "card": (
        "ma carte c'est la {}",
        "numéro de carte {}",
        "la CB qui finit mal c'est {}",
        "Carte n° {} au nom de mon mari",
    ),
    "fr_nir": ("mon numéro de sécu : {}", "n° de sécurité sociale {}", "ma carte Vitale c'est {}"),
    "phone": ("rappelez-moi au {}", "mon portable : {}", "joignable au {} après 18h", "tél {}"),
    "email": ("mon mail : {}", "écrivez-moi à {}", "mon adresse c'est {}"),
    "secret": (
        "le code reçu par SMS c'est {}",
        "cryptogramme {}",
        "mon code confidentiel est {}",
        "mon mot de passe c'est {}",
        "code sms : {}",
    ),
}

_KIND_WEIGHTS: Final = {
    "iban": 22,
    "rib": 6,
    "card": 22,
    "fr_nir": 6,
    "phone": 22,
    "email": 12,
    "secret": 10,
}


def make_piece(
    rng: random.Random,
    *,
    first_name: str,
    last_name: str,
    kind: str | None = None,
) -> Piece:
    """A sensitive value of ``kind`` (or a weighted random kind) in a natural French phrase."""
    if kind is None:
        kind = rng.choices(list(_KIND_WEIGHTS), weights=list(_KIND_WEIGHTS.values()))[0]
    if kind not in _PHRASES:
        raise ValueError(f"unknown sensitive kind {kind!r}")
    phrase = rng.choice(_PHRASES[kind])
    if kind == "iban":
        value = _iban(rng)
    elif kind == "rib":
        value = _rib(rng)
    elif kind == "card":
        value = _card(rng)
    elif kind == "fr_nir":
        value = _nir(rng)
    elif kind == "phone":
        value = _phone(rng)
    elif kind == "email":
        value = _email(rng, first_name, last_name)
    else:
        value = _secret_for(rng, phrase)
    return Piece(kind=kind, value=value, phrase=phrase)


def _secret_for(rng: random.Random, phrase: str) -> str:
    if "cryptogramme" in phrase:
        return _digits(rng, 3)
    if "confidentiel" in phrase:
        return _digits(rng, 4)
    if "mot de passe" in phrase:
        return _password(rng)
    return _digits(rng, 6)


def is_valid_card(number: str) -> bool:
    """Luhn check on the digits of ``number`` (used by tests and by the module's own checks)."""
    digits = "".join(char for char in number if char.isdigit())
    return luhn.is_valid(digits)
