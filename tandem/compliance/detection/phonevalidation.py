"""libphonenumber's validity check, without the cost of its general-purpose parser.

``phonenumbers.parse`` followed by ``phonenumbers.is_valid_number`` costs tens of microseconds per
call: the parser accepts any text (letters, extensions, RFC 3966 URIs, full-width digits…) and the
validity check compiles, through ``re``'s cache, up to a dozen patterns for every number. It was
the single largest cost of ``detect``.

The phone detector only ever hands over two shapes, both plain ASCII digits with separators:

- a French national number, ``0`` then nine digits, with the region of its prefix;
- an international number, ``+`` then the country code and national digits (separators, brackets
  and a ``(0)`` in between).

For these, this module takes libphonenumber's own steps (country code extraction, national prefix
stripping with its viability and length rules, choice of region among those sharing a country
code, number type matching) on libphonenumber's own metadata (``PhoneMetadata``: the patterns,
lengths and prefixes, read once per region, compiled once). The answer is the same as
``phonenumbers`` gives; where a number needs a step this module does not implement (a national
prefix *transform* rule, an international dialling prefix inside a national number), it calls
``phonenumbers`` itself. ``bench/scan/verify_phones.py`` checks the equivalence on hundreds of
thousands of numbers of every country code.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any, Final, NamedTuple

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneMetadata

_NON_GEOGRAPHIC: Final = "001"
# libphonenumber's bounds on a national significant number (phonenumberutil).
_MIN_LENGTH_FOR_NSN: Final = 2
_MAX_LENGTH_FOR_NSN: Final = 17
_MAX_LENGTH_COUNTRY_CODE: Final = 3
_NOT_DIGIT: Final = re.compile(r"[^0-9]", re.ASCII)


class _Desc(NamedTuple):
    """One ``PhoneNumberDesc``: possible lengths (``None``: not restricted) and pattern."""

    lengths: frozenset[int] | None
    pattern: re.Pattern[str]


def _desc(description: Any) -> _Desc | None:
    if description is None or not description.national_number_pattern:
        return None  # matches nothing
    lengths = description.possible_length
    return _Desc(
        frozenset(lengths) if lengths else None, re.compile(description.national_number_pattern)
    )


class _Region(NamedTuple):
    """What the parser and the validity check read from one region's metadata."""

    country_code: int
    general: _Desc | None
    possible_lengths: tuple[int, ...]
    local_only_lengths: frozenset[int]
    # For each length some type lists, the patterns of the types allowing it (in the order
    # tried); for any other length, those of the types that list no length.
    types_by_length: dict[int, tuple[re.Pattern[str], ...]]
    types_other_lengths: tuple[re.Pattern[str], ...]
    leading_digits: re.Pattern[str] | None
    national_prefix: re.Pattern[str] | None
    has_transform_rule: bool
    international_prefix: re.Pattern[str] | None

    def is_known_type(self, number: str) -> bool:
        """libphonenumber's ``_number_type_helper(...) != UNKNOWN``: the general description
        matches (length, then full pattern), then any one type does (same test)."""
        general = self.general
        if general is None:
            return False
        if general.lengths is not None and len(number) not in general.lengths:
            return False
        if general.pattern.fullmatch(number) is None:
            return False
        for pattern in self.types_by_length.get(len(number), self.types_other_lengths):
            if pattern.fullmatch(number) is not None:
                return True
        return False


def _region_from_metadata(metadata: Any) -> _Region:
    general_desc = metadata.general_desc
    # _number_type_helper's order does not matter for "any type": every type is tried except
    # mobile when the metadata says its pattern is the fixed-line one. The usual types first.
    descriptions = [metadata.fixed_line]
    if not metadata.same_mobile_and_fixed_line_pattern:
        descriptions.append(metadata.mobile)
    descriptions += [
        metadata.toll_free,
        metadata.premium_rate,
        metadata.shared_cost,
        metadata.voip,
        metadata.personal_number,
        metadata.pager,
        metadata.uan,
        metadata.voicemail,
    ]
    types = [found for found in map(_desc, descriptions) if found is not None]
    listed = {length for item in types if item.lengths for length in item.lengths}
    return _Region(
        country_code=metadata.country_code,
        general=_desc(general_desc),
        possible_lengths=tuple(general_desc.possible_length) if general_desc else (),
        local_only_lengths=frozenset(general_desc.possible_length_local_only)
        if general_desc
        else frozenset(),
        types_by_length={
            length: tuple(
                item.pattern for item in types if item.lengths is None or length in item.lengths
            )
            for length in listed
        },
        types_other_lengths=tuple(item.pattern for item in types if item.lengths is None),
        leading_digits=re.compile(metadata.leading_digits) if metadata.leading_digits else None,
        national_prefix=re.compile(metadata.national_prefix_for_parsing)
        if metadata.national_prefix_for_parsing
        else None,
        has_transform_rule=bool(metadata.national_prefix_transform_rule),
        international_prefix=re.compile(metadata.international_prefix)
        if metadata.international_prefix
        else None,
    )


@cache
def _region(region_code: str) -> _Region | None:
    metadata = PhoneMetadata.metadata_for_region(region_code, None)
    return None if metadata is None else _region_from_metadata(metadata)


@cache
def _non_geographic(country_code: int) -> _Region | None:
    metadata = PhoneMetadata.metadata_for_nongeo_region(country_code, None)
    return None if metadata is None else _region_from_metadata(metadata)


def _rules_for(country_code: int, region_code: str) -> _Region | None:
    # PhoneMetadata.metadata_for_region_or_calling_code
    if region_code == _NON_GEOGRAPHIC:
        return _non_geographic(country_code)
    return _region(region_code)


class _Country(NamedTuple):
    """The regions sharing a country calling code, as ``is_valid_number`` reads them."""

    # The main region (first of the list): its metadata parses the number.
    main: _Region | None
    # When the code has one region: its rules, or ``None`` when a number with this code can
    # never be valid for it (no metadata, or metadata of another country code).
    only: _Region | None
    # When it has several: in order, each region's rules and whether its own country code is
    # this one (a region chosen for the number must pass that check to validate it).
    shared: tuple[tuple[_Region, bool], ...]


def _validated(rules: _Region | None, country_code: int, region_code: str) -> _Region | None:
    # is_valid_number_for_region: the region's own country code must be the number's.
    if rules is None:
        return None
    if region_code != _NON_GEOGRAPHIC:
        own = _region(region_code)
        if own is None or own.country_code != country_code:
            return None
    return rules


@cache
def _country(country_code: int) -> _Country:
    regions = COUNTRY_CODE_TO_REGION_CODE[country_code]
    main = _rules_for(country_code, regions[0].upper())
    if len(regions) == 1:
        region_code = regions[0].upper()
        only = _validated(_rules_for(country_code, region_code), country_code, region_code)
        return _Country(main, only, ())
    shared: list[tuple[_Region, bool]] = []
    for region_code in regions:
        rules = _region(region_code.upper())  # _region_code_for_number_from_list
        if rules is not None:
            valid_here = _validated(rules, country_code, region_code.upper()) is not None
            shared.append((rules, valid_here))
    return _Country(main, None, tuple(shared))


class _Delegate(Exception):
    """A step this module does not implement: ask phonenumbers."""


def _strip_national_prefix(number: str, rules: _Region) -> str:
    """``_maybe_strip_national_prefix_carrier_code`` then the length rule that ``parse`` applies
    before keeping the stripped number."""
    if rules.national_prefix is None or not number:
        return number
    prefix = rules.national_prefix.match(number)
    if prefix is None:
        return number
    groups = prefix.groups()
    if rules.has_transform_rule and (not groups or groups[-1] is not None):
        raise _Delegate  # the number is rewritten by the rule, not just cut
    stripped = number[prefix.end() :]
    # _match_national_number(…, general_desc, False): the general pattern alone, no length.
    general = rules.general
    if (
        general is not None
        and general.pattern.fullmatch(number) is not None
        and general.pattern.fullmatch(stripped) is None
    ):
        return number  # the original number was viable and the stripped one is not
    # _test_number_length(stripped, metadata) must not be TOO_SHORT, IS_POSSIBLE_LOCAL_ONLY or
    # INVALID_LENGTH: keep the stripped number when its length is possible or too long.
    lengths = rules.possible_lengths
    if not lengths:
        raise _Delegate
    length = len(stripped)
    if length in rules.local_only_lengths:
        return number
    if length == lengths[0] or length > lengths[-1] or length in lengths[1:]:
        return stripped
    return number


def _is_valid(country: _Country, national: str) -> bool:
    """``is_valid_number`` for a number parsed to ``country`` and ``national`` digits."""
    if not _MIN_LENGTH_FOR_NSN <= len(national) <= _MAX_LENGTH_FOR_NSN:
        return False  # parse raises TOO_SHORT_NSN / TOO_LONG
    if not country.shared:
        return country.only is not None and country.only.is_known_type(national)
    # _region_code_for_number_from_list: the first region whose leading digits match, or
    # (for a region without leading digits) for which the number has a known type; then
    # is_valid_number_for_region on the region chosen.
    for rules, valid_here in country.shared:
        if rules.leading_digits is not None:
            if rules.leading_digits.match(national):
                return valid_here and rules.is_known_type(national)
        elif rules.is_known_type(national):
            return valid_here
    return False


def _library(number: str, region: str | None) -> bool:
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_valid_number(parsed))


def is_valid_national(digits: str, region: str) -> bool:
    """``is_valid_number(parse(digits, region))`` for ``digits``: "0", a non-zero digit, then more
    digits (a number in national form, separators already removed)."""
    rules = _region(region)
    if rules is None or rules.country_code not in COUNTRY_CODE_TO_REGION_CODE:
        return _library(digits, region)
    try:
        # _maybe_extract_country_code: an international dialling prefix or the region's own
        # country code at the start would be taken off first. Neither can start "0[1-9]" for the
        # regions used here; if one ever does, the library decides.
        if (
            rules.international_prefix is not None
            and rules.international_prefix.match(digits) is not None
        ) or digits.startswith(str(rules.country_code)):
            raise _Delegate
        if len(digits) < _MIN_LENGTH_FOR_NSN:
            return False
        national = _strip_national_prefix(digits, rules)
        return _is_valid(_country(rules.country_code), national)
    except _Delegate:
        return _library(digits, region)


def is_valid_international(value: str) -> bool:
    """``is_valid_number(parse(value, None))`` for ``value``: "+" then digits, with spaces, dots,
    dashes and brackets in between (no letters, no extension)."""
    digits = _NOT_DIGIT.sub("", value)
    # _maybe_extract_country_code after the "+": too short, or no known country code, is an error.
    if len(digits) <= _MIN_LENGTH_FOR_NSN or digits[0] == "0":
        return False
    country_code = 0
    for size in range(1, min(len(digits), _MAX_LENGTH_COUNTRY_CODE) + 1):
        if int(digits[:size]) in COUNTRY_CODE_TO_REGION_CODE:
            country_code = int(digits[:size])
            national = digits[size:]
            break
    else:
        return False
    country = _country(country_code)
    if country.main is None:
        return _library(value, None)
    if len(national) < _MIN_LENGTH_FOR_NSN:
        return False
    try:
        return _is_valid(country, _strip_national_prefix(national, country.main))
    except _Delegate:
        return _library(value, None)
