"""Check that ``tandem.compliance.detection.phonevalidation`` answers exactly as phonenumbers.

``detect`` validates phone numbers with libphonenumber's metadata directly instead of calling
``phonenumbers.parse`` + ``is_valid_number`` (several times faster); this script compares the two
on numbers of both shapes the detector hands over, for every country code and every French
region it uses:

- national form ``0`` + nine digits against FR and the overseas regions, every prefix of four
  digits (``0100`` … ``0999``) with random endings;
- international form ``+CC …`` for every country code of the metadata, with national numbers of
  every length from 4 to 14 digits, example numbers of every type (valid by construction) and
  their one-digit variants, the French trunk ``(0)`` and separators.

Run from the repository root (about a minute)::

    .venv/bin/python bench/scan/verify_phones.py [--samples N] [--seed S]

It exits with status 1 and prints the first differences if there is any.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import phonenumbers  # noqa: E402
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneNumberType  # noqa: E402

from tandem.compliance.detection.phonevalidation import (  # noqa: E402
    is_valid_international,
    is_valid_national,
)

NATIONAL_REGIONS = ("FR", "GP", "GF", "MQ", "RE", "YT")
SEPARATORS = ("", " ", ".", "-")
TYPES = (
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.TOLL_FREE,
    PhoneNumberType.PREMIUM_RATE,
    PhoneNumberType.SHARED_COST,
    PhoneNumberType.VOIP,
    PhoneNumberType.PERSONAL_NUMBER,
    PhoneNumberType.PAGER,
    PhoneNumberType.UAN,
    PhoneNumberType.VOICEMAIL,
)


def library(number: str, region: str | None) -> bool:
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_valid_number(parsed))


def digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def spaced(rng: random.Random, number: str) -> str:
    separator = rng.choice(SEPARATORS)
    if not separator:
        return number
    out: list[str] = []
    for index, digit in enumerate(number):
        if index and rng.random() < 0.4:
            out.append(separator)
        out.append(digit)
    return "".join(out)


def national_cases(rng: random.Random, samples: int) -> Iterator[tuple[str, str]]:
    for region in NATIONAL_REGIONS:
        for prefix in range(100, 1000):
            for _ in range(samples):
                yield "0" + str(prefix) + digits(rng, 6), region


def variants(rng: random.Random, national: str) -> Iterator[str]:
    yield national
    yield national[:-1]
    yield national + digits(rng, 1)
    for _ in range(3):
        index = rng.randrange(len(national))
        yield national[:index] + rng.choice("0123456789") + national[index + 1 :]


def international_cases(rng: random.Random, samples: int) -> Iterator[str]:
    for country_code, regions in sorted(COUNTRY_CODE_TO_REGION_CODE.items()):
        nationals: list[str] = []
        for region in regions:
            for kind in TYPES:
                if region == "001":
                    example = phonenumbers.example_number_for_non_geo_entity(country_code)
                else:
                    example = phonenumbers.example_number_for_type(region, kind)
                if example is not None:
                    nationals.append(phonenumbers.national_significant_number(example))
        for national in set(nationals):
            for variant in variants(rng, national):
                nationals.append(variant)
                nationals.append("0" + variant)  # a trunk prefix kept after the country code
        for length in range(4, 15):
            nationals += [digits(rng, length) for _ in range(samples)]
        for national in nationals:
            if not national:
                continue
            plus = rng.choice(("+", "+", "+ ", "(+"))
            code = str(country_code)
            closing = ") " if plus == "(+" else rng.choice(("", " "))
            body = spaced(rng, national)
            if rng.random() < 0.1 and national.startswith("0"):
                body = "(0)" + spaced(rng, national[1:])
            yield (plus + code + closing + body).lstrip("(")


def compare(samples: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    differences: list[str] = []
    checked = valid = 0
    for number, region in national_cases(rng, samples):
        expected = library(number, region)
        checked += 1
        valid += expected
        if is_valid_national(number, region) != expected:
            differences.append(f"national {number} {region}: phonenumbers says {expected}")
    for value in international_cases(rng, samples):
        expected = library(value, None)
        checked += 1
        valid += expected
        if is_valid_international(value) != expected:
            differences.append(f"international {value!r}: phonenumbers says {expected}")
    print(f"{checked:,} numbers compared ({valid:,} valid), {len(differences)} differences")
    return differences


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=20, help="random numbers per prefix/length")
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args(argv)
    started = time.perf_counter()
    differences = compare(arguments.samples, arguments.seed)
    for line in differences[:20]:
        print(line)
    print(f"{time.perf_counter() - started:.0f} s")
    if differences:
        sys.exit(1)


if __name__ == "__main__":
    main()
