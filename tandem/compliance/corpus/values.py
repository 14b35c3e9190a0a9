"""Value generators for the corpus: valid values of every kind and spelling, deliberately invalid
values, and the look-alikes that must not be reported.

Valid values are computed with the real algorithms (ISO 7064 mod 97-10 through python-stdnum, Luhn,
the NIR key, the RIB key written as "the 23-digit number is divisible by 97", libphonenumber
metadata), independently of the detector code; negative values are checked to *fail* those same
algorithms. Card numbers are random Luhn-valid numbers and must only ever live in tests.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable, Sequence
from typing import Final, NamedTuple

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum import luhn, numdb
from stdnum.fr import nir

from tandem.compliance.detection.accounts import iter_country_codes


class Piece(NamedTuple):
    text: str
    kind: str | None  # None: text that must not be reported


# --- Value generators ------------------------------------------------------------------------

NBSP: Final = "\u00a0"
NNBSP: Final = "\u202f"
SEPA: Final = ("AD", "AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR",
                "GB", "GI", "GR", "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MC",
                "MT", "NL", "NO", "PL", "PT", "RO", "SE", "SI", "SK", "SM", "VA")  # fmt: skip
_RIB_LETTERS: Final = str.maketrans(string.ascii_uppercase, "12345678912345678923456789")
_IBAN_DB: Final = numdb.get("iban")
_INTERNATIONAL: Final = phonenumbers.PhoneNumberFormat.INTERNATIONAL
_REGISTRY_PART: Final = re.compile(r"(\d+)!([nac])")


def _group(value: str, sizes: Sequence[int], separator: str) -> str:
    parts, position = [], 0
    for size in sizes:
        parts.append(value[position : position + size])
        position += size
    if position < len(value):
        parts.append(value[position:])
    return separator.join(part for part in parts if part)


def _by_four(value: str, separator: str) -> str:
    return separator.join(value[index : index + 4] for index in range(0, len(value), 4))


class Values:
    """Random but valid (or deliberately invalid) values, all drawn from one ``random.Random``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def digits(self, count: int) -> str:
        return "".join(self.rng.choice(string.digits) for _ in range(count))

    def separator(self) -> str:
        return self.rng.choice([" ", " ", " ", NBSP, NNBSP, "-", "."])

    # IBAN (ISO 13616) and RIB ---------------------------------------------------------------
    def rib_parts(self) -> tuple[str, str, str, str]:
        bank, branch = self.digits(5), self.digits(5)
        account = self.digits(11)
        if self.rng.random() < 0.15:  # some French account numbers carry a letter
            position = self.rng.randrange(11)
            letter = self.rng.choice(string.ascii_uppercase)
            account = account[:position] + letter + account[position + 1 :]
        number = int((bank + branch + account).translate(_RIB_LETTERS) + "00")
        return bank, branch, account, f"{97 - number % 97:02d}"

    def bban(self, country: str) -> str:
        if country in ("FR", "MC"):
            return "".join(self.rib_parts())
        structure = _IBAN_DB.info(country)[0][1]["bban"]
        alphabets = {"n": string.digits, "a": string.ascii_uppercase}
        alphabets["c"] = string.digits * 4 + string.ascii_uppercase
        return "".join(
            self.rng.choice(alphabets[kind])
            for count, kind in _REGISTRY_PART.findall(structure)
            for _ in range(int(count))
        )

    def iban_compact(self, country: str | None = None) -> str:
        if country is None:
            pool = SEPA if self.rng.random() < 0.85 else list(iter_country_codes())
            country = "FR" if self.rng.random() < 0.4 else self.rng.choice(pool)
        while True:  # a few countries add a national check digit: draw until stdnum agrees
            bban = self.bban(country)
            compact = country + stdnum_iban.calc_check_digits(country + "00" + bban) + bban
            if stdnum_iban.is_valid(compact):
                return compact

    def iban_text(self, compact: str) -> str:
        spellings = [
            compact,
            compact.lower(),
            compact[:2] + " " + _by_four(compact[2:], " "),  # "FR 76 3000 …"
            _by_four(compact, " ").lower(),
            compact[0] + compact[1].lower() + compact[2:],
        ]
        if compact[:2] in ("FR", "MC"):
            spellings.append(_group(compact, (4, 5, 5, 11, 2), " "))  # grouped like the RIB
        grouped = _by_four(compact, self.separator())
        return self.rng.choice(spellings + [grouped] * len(spellings))

    def iban(self) -> Piece:
        return Piece(self.iban_text(self.iban_compact()), "iban")

    def iban_invalid(self) -> Piece:
        compact = self.iban_compact()
        while True:
            position = self.rng.randrange(4, len(compact))
            if compact[position].isdigit():
                digit = self.rng.choice(string.digits)
                broken = compact[:position] + digit + compact[position + 1 :]
                if not stdnum_iban.is_valid(broken):
                    return Piece(_by_four(broken, self.rng.choice([" ", ""])), None)

    def rib_text(self, parts: tuple[str, str, str, str]) -> str:
        separator = self.rng.choice([" ", " ", "-", ".", NBSP, ""])
        return separator.join(parts)

    def rib(self) -> Piece:
        return Piece(self.rib_text(self.rib_parts()), "rib")

    def rib_invalid(self) -> Piece:
        bank, branch, account, key = self.rib_parts()
        account = self.digits(11)  # digits only: its key is checked the same way either way
        wrong = f"{(int(key) + self.rng.randrange(1, 96)) % 97 + 1:02d}"
        number = int(bank + branch + account + wrong)
        if number % 97 == 0:
            wrong = f"{(int(wrong) % 97) + 1:02d}"
        return Piece(" ".join((bank, branch, account, wrong)), None)

    # Payment cards ---------------------------------------------------------------------------
    BRANDS: Final = (
        ("visa", ("4",), 16),
        ("visa", ("4970", "4973", "4974"), 16),  # French CB co-badged Visa BINs
        ("visa19", ("4",), 19),
        ("visa13", ("4",), 13),
        ("mastercard", ("51", "52", "53", "54", "55"), 16),
        ("mastercard2", ("2221", "2300", "2500", "2720"), 16),
        ("amex", ("34", "37"), 15),
        ("maestro", ("5018", "5020", "6759", "6304"), 16),
        ("maestro19", ("6759", "5018"), 19),
        ("discover", ("6011", "65", "644"), 16),
        ("jcb", ("3528", "3530", "3589"), 16),
        ("diners", ("36", "305"), 14),
        ("unionpay", ("62",), 16),
    )
    PUBLIC_TEST_CARDS: Final = ("4111111111111111", "5555555555554444", "378282246310005")

    def card_digits(self) -> tuple[str, str]:
        if self.rng.random() < 0.08:
            number = self.rng.choice(self.PUBLIC_TEST_CARDS)
            return ("amex" if len(number) == 15 else "visa"), number
        brand, prefixes, length = self.rng.choice(self.BRANDS)
        while True:
            body = self.rng.choice(prefixes)
            body += self.digits(length - 1 - len(body))
            number = body + luhn.calc_check_digit(body)
            if len(set(number)) > 1:
                return brand, number

    def card_text(self, brand: str, number: str) -> str:
        if brand == "amex":
            return _group(number, (4, 6, 5), self.rng.choice([" ", "-", ""]))
        if brand == "diners":
            return _group(number, (4, 6, 4), self.rng.choice([" ", "-"]))
        style = self.rng.randrange(8)
        if style == 0:
            return number
        if style == 1 and len(number) == 16:
            return _group(number, (4, 2, 2, 2, 2, 2, 2), " ")
        return _by_four(number, self.separator())

    def card(self) -> Piece:
        return Piece(self.card_text(*self.card_digits()), "card")

    def card_spaced(self) -> Piece:
        """A 16-digit card in groups of four, for runs where more digits follow it."""
        while True:
            _, number = self.card_digits()
            if len(number) == 16:
                return Piece(_by_four(number, " "), "card")

    def card_invalid(self) -> Piece:
        while True:
            brand, number = self.card_digits()
            if len(number) == 16:
                break
        last = (int(number[-1]) + self.rng.randrange(1, 10)) % 10
        return Piece(self.card_text(brand, number[:-1] + str(last)), None)

    # NIR ---------------------------------------------------------------------------------------
    def nir_compact(self) -> str:
        department = self.rng.choice(
            [f"{self.rng.choice([*range(1, 20), *range(21, 96)]):02d}", "2A", "2B", "97", "99"]
        )
        commune = f"{self.rng.randrange(1, 990):03d}"
        if department == "97":
            commune = str(self.rng.randrange(1, 7)) + commune[1:]
        body = (
            self.rng.choice("12")
            + self.digits(2)
            + f"{self.rng.randrange(1, 13):02d}"
            + department
            + commune
            + f"{self.rng.randrange(1, 1000):03d}"
        )
        return body + nir.calc_check_digits(body)

    def nir_text(self, compact: str) -> str:
        style = self.rng.randrange(6)
        if style == 0:
            return compact
        if style == 1:
            return compact[:13] + " " + compact[13:]
        if style == 2:
            return nir.format(compact, ".")
        text = nir.format(compact, self.rng.choice([" ", " ", NBSP]))
        return text.lower() if style == 3 else text

    def nir(self) -> Piece:
        return Piece(self.nir_text(self.nir_compact()), "fr_nir")

    def nir_invalid(self) -> Piece:
        compact = self.nir_compact()
        wrong = f"{(int(compact[13:]) % 97) + 1:02d}"
        return Piece(self.nir_text(compact[:13] + wrong), None)

    # Phones ------------------------------------------------------------------------------------
    OVERSEAS: Final = (("0690", "GP"), ("0696", "MQ"), ("0694", "GF"), ("0692", "RE"),
                       ("0262", "RE"), ("0590", "GP"), ("0596", "MQ"))  # fmt: skip
    FOREIGN: Final = ("BE", "CH", "LU", "DE", "ES", "IT", "GB", "PT", "MA", "US", "SN", "CA")

    def _valid_number(self, make: Callable[[], str], region: str) -> phonenumbers.PhoneNumber:
        # Random digits after a real prefix are valid most of the time; the bound only guards
        # against a metadata update that would make a prefix in this file invalid.
        for _ in range(1000):
            parsed = phonenumbers.parse(make(), region)
            if phonenumbers.is_valid_number(parsed):
                return parsed
        message = f"no valid {region} number could be drawn"
        raise RuntimeError(message)

    def phone(self) -> Piece:
        choice = self.rng.random()
        if choice < 0.6:
            prefix = self.rng.choice(["06", "07", "06", "01", "02", "03", "04", "05", "09"])
            number = self._valid_number(lambda: prefix + self.digits(8), "FR")
            return Piece(self.french_phone_text(number), "phone")
        if choice < 0.8:
            prefix, region = self.rng.choice(self.OVERSEAS)
            number = self._valid_number(lambda: prefix + self.digits(6), region)
            if self.rng.random() < 0.5:
                national = "0" + str(number.national_number)
                return Piece(_group(national, (4, 2, 2, 2), " "), "phone")
            return Piece(phonenumbers.format_number(number, _INTERNATIONAL), "phone")
        region = self.rng.choice(self.FOREIGN)
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        if example is None:  # not for the regions above, but the metadata says it may happen
            example = phonenumbers.parse("+32470123456")
        prefix = f"+{example.country_code}{str(example.national_number)[:-4]}"
        number = self._valid_number(lambda: prefix + self.digits(4), region)
        style = _INTERNATIONAL if self.rng.random() < 0.7 else phonenumbers.PhoneNumberFormat.E164
        return Piece(phonenumbers.format_number(number, style), "phone")

    def french_phone_text(self, number: phonenumbers.PhoneNumber) -> str:
        national = str(number.national_number)  # 9 digits without the trunk 0
        pairs = _group(national[1:], (2, 2, 2, 2), " ")
        spaced = _group("0" + national, (2, 2, 2, 2, 2), self.rng.choice([" ", " ", NBSP]))
        spellings = [
            "0" + national,
            _group("0" + national, (2, 2, 2, 2, 2), self.rng.choice([".", "-"])),
            f"+33 {national[0]} {pairs}",
            "+33" + national,
            f"+33 (0){national[0]} {pairs}",
            self.rng.choice([f"0033 {national[0]} {pairs}", f"(+33) {national[0]} {pairs}"]),
        ]
        return self.rng.choice([*spellings, spaced, spaced, spaced])

    # E-mail ------------------------------------------------------------------------------------
    FIRST: Final = ("jean", "marie", "élodie", "kevin", "sophie", "hélène", "karim", "léa",
                    "thomas", "nathalie", "jérôme", "camille", "yasmine", "lucas",
                    "chloé")  # fmt: skip
    LAST: Final = ("dupont", "martin", "bernard", "petit", "durand", "leroy", "moreau",
                   "lefèvre", "garcia", "nguyen", "benali", "roux", "fontaine")  # fmt: skip
    DOMAINS: Final = ("gmail.com", "orange.fr", "free.fr", "sfr.fr", "laposte.net",
                      "hotmail.fr", "yahoo.fr", "outlook.com", "wanadoo.fr", "example.com",
                      "exemple.fr", "icloud.com", "bbox.fr", "mairie-exemple.fr",
                      "etu.univ-exemple.fr", "mail.example.co.uk")  # fmt: skip

    def email(self) -> Piece:
        first, last = self.rng.choice(self.FIRST), self.rng.choice(self.LAST)
        local = self.rng.choice(
            [f"{first}.{last}", f"{first}{last}{self.digits(2)}", f"{first[0]}.{last}",
             f"{first}_{last}", f"{last}.{first}+banque", f"{first}{self.digits(4)}"]
        )  # fmt: skip
        address = f"{local}@{self.rng.choice(self.DOMAINS)}"
        return Piece(address.upper() if self.rng.random() < 0.05 else address, "email")

    # Secrets -----------------------------------------------------------------------------------
    PASSWORDS: Final = ("Soleil2024!", "Azerty123", "Chat#2019", "P@ssw0rd", "Marseille13!",
                        "Nina.2015", "loulou75", "MonChien*12", "Bxl-2023-ok", "Zorro_1984",
                        "Papillon!7", "vacances2022")  # fmt: skip

    def otp(self) -> Piece:
        code = self.digits(6)
        if self.rng.random() < 0.3:
            code = code[:3] + " " + code[3:]
        return Piece(code, "secret")

    def pin(self) -> Piece:
        return Piece(self.digits(4), "secret")

    def cvv(self) -> Piece:
        return Piece(self.digits(3), "secret")

    def password(self) -> Piece:
        return Piece(self.rng.choice(self.PASSWORDS), "secret")

    # Values that must *not* be reported -------------------------------------------------------
    def luhn_number(self, prefix: str, length: int) -> str:
        body = prefix + self.digits(length - 1 - len(prefix))
        return body + luhn.calc_check_digit(body)

    def siret(self) -> Piece:
        siren = self.luhn_number(self.rng.choice("123456789"), 9)
        siret = siren + self.digits(4)
        siret += luhn.calc_check_digit(siret)
        return Piece(self.rng.choice([siret, _group(siret, (3, 3, 3, 5), " ")]), None)

    def siren(self) -> Piece:
        siren = self.luhn_number(self.rng.choice("123456789"), 9)
        return Piece(self.rng.choice([siren, _group(siren, (3, 3, 3), " ")]), None)

    def tva(self) -> Piece:
        siren = self.luhn_number(self.rng.choice("123456789"), 9)
        key = (12 + 3 * (int(siren) % 97)) % 97
        return Piece(self.rng.choice([f"FR{key:02d}{siren}", f"FR {key:02d} {siren}"]), None)

    def order_luhn(self) -> Piece:
        return Piece(self.luhn_number(self.rng.choice(["4", "51", "4970"]), 16), None)

    def order(self) -> Piece:
        return Piece(
            self.rng.choice(
                [f"CMD-2024-{self.digits(7)}", f"#A{self.digits(2)}-{self.digits(6)}",
                 f"1000{self.digits(5)}", f"FR-{self.digits(8)}"]
            ),
            None,
        )  # fmt: skip

    def tracking(self) -> Piece:
        upper = string.ascii_uppercase
        return Piece(
            self.rng.choice(
                [f"6A{self.digits(11)}", f"8R{self.digits(11)}", f"5W{self.digits(11)}",
                 "1Z" + "".join(self.rng.choice(upper + string.digits) for _ in range(6))
                 + self.digits(10),
                 f"{self.rng.choice(['LA', 'XW', 'CB', 'RR'])}{self.digits(9)}FR"]
            ),
            None,
        )  # fmt: skip

    def amount(self) -> Piece:
        euros = self.rng.randrange(5, 99999)
        grouped = f"{euros:,}".replace(",", self.rng.choice([" ", NNBSP, "."]))
        return Piece(
            self.rng.choice(
                [f"{grouped},{self.digits(2)} €", f"{euros} euros", f"{grouped} €",
                 f"{euros}€", f"{grouped},{self.digits(2)} EUR"]
            ),
            None,
        )  # fmt: skip

    def date(self) -> Piece:
        day, month = self.rng.randrange(1, 29), self.rng.randrange(1, 13)
        year = self.rng.randrange(2019, 2027)
        separator = self.rng.choice(["/", " ", ".", "/"])
        if self.rng.random() < 0.15:
            return Piece(f"{year}-{month:02d}-{day:02d}", None)
        return Piece(f"{day:02d}{separator}{month:02d}{separator}{year}", None)

    def time_of_day(self) -> Piece:
        hour, minute = self.rng.randrange(7, 21), self.rng.choice([0, 15, 30, 45])
        return Piece(
            self.rng.choice([f"{hour}h{minute:02d}", f"{hour}:{minute:02d}", f"{hour}h"]), None
        )

    def postcode(self) -> Piece:
        return Piece(self.rng.choice(["75008", "13001", "69003", "33000", "59000", "97110",
                                      "20000", "31000", "44000", "06000"]), None)  # fmt: skip

    def reference(self) -> Piece:
        return Piece(
            self.rng.choice(
                [f"dossier n° {self.rng.randrange(2019, 2026)}-{self.digits(6)}",
                 f"référence {self.digits(4)}", f"ticket #{self.digits(6)}",
                 f"sinistre n° {self.digits(4)}-{self.digits(2)}-{self.digits(4)}",
                 f"Réf. dossier 0{self.rng.choice('1234679')}{self.digits(8)}",
                 f"n° client 0{self.rng.choice('1234679')}{self.digits(8)}",
                 f"contrat n° 0{self.rng.choice('1234679')}{self.digits(8)}",
                 f"numéro de suivi 0{self.rng.choice('67')}{self.digits(8)}"]
            ),
            None,
        )  # fmt: skip

    def imei(self) -> Piece:
        return Piece(self.luhn_number("35", 15), None)

    def phone_short(self) -> Piece:
        three_pairs = f"{self.digits(2)} {self.digits(2)} {self.digits(2)}"
        return Piece(
            self.rng.choice(
                ["06 12 34 56", f"06 {three_pairs}", "3631", "3639", f"+33 6 {three_pairs}"]
            ),
            None,
        )

    def iban_short(self) -> Piece:
        return Piece(_by_four(self.iban_compact("FR")[:16], " "), None)

    def digit(self) -> Piece:
        return Piece(self.rng.choice("1234679"), None)

    def digits8(self) -> Piece:
        return Piece(self.digits(8), None)

    def year(self) -> Piece:
        return Piece(str(self.rng.randrange(1990, 2026)), None)

    def timestamp(self) -> Piece:
        # Millisecond Unix time: 13 digits starting with 1, often Luhn-valid.
        return Piece("17" + self.digits(11), None)

    def expiry(self) -> Piece:
        return Piece(f"{self.rng.randrange(1, 13):02d}/{self.rng.randrange(25, 31)}", None)

    def name(self) -> Piece:
        return Piece(
            f"{self.rng.choice(self.FIRST).title()} {self.rng.choice(self.LAST).title()}", None
        )

    def city(self) -> Piece:
        cities = ("Lyon", "Marseille", "Lille", "Bordeaux", "Pointe-à-Pitre", "Saint-Denis",
                  "Ajaccio", "Nantes", "Toulouse")  # fmt: skip
        return Piece(self.rng.choice(cities), None)
