"""Timestamps: every format Meta sends, to an aware UTC datetime."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Final

from tandem.connectors.meta.payloads.common import PayloadError

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
# 1e11 seconds is the year 5138 and 1e11 milliseconds is March 1973: below 1e11 a value can
# only be seconds, above it milliseconds (then microseconds past 1e14).
_SECONDS_BELOW: Final = 10**11
_MILLISECONDS_BELOW: Final = 10**14
_MICROSECONDS_BELOW: Final = 10**17
_NUMBER: Final = re.compile(r"\d{1,17}(\.\d{1,9})?")


def normalise_timestamp(value: object) -> datetime:
    """Aware UTC datetime from any timestamp Meta sends; ``PayloadError`` otherwise.

    Messenger/Instagram ``timestamp`` and watermarks are milliseconds (int), WhatsApp
    ``timestamp`` is seconds as a string, Page feed ``created_time`` and Instagram comment
    ``entry.time`` are seconds; ISO 8601 strings also appear (``2026-01-01T00:06:40+0000``).
    Numbers are told apart by magnitude; naive datetimes and ISO strings without an offset are
    taken as UTC. Negative, non-finite and out-of-range values are refused.
    """
    if isinstance(value, datetime):
        aware = value if value.utcoffset() is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC)
    if isinstance(value, str):
        return _timestamp_from_string(value.strip())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _timestamp_from_number(value)
    raise PayloadError("timestamp has an unsupported type")


def _timestamp_from_string(value: str) -> datetime:
    if _NUMBER.fullmatch(value):
        return _timestamp_from_number(float(value) if "." in value else int(value))
    if not 0 < len(value) <= 64:
        raise PayloadError("timestamp string has an unsupported length")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise PayloadError("timestamp string is not ISO 8601") from None
    return normalise_timestamp(parsed)


def _timestamp_from_number(value: float) -> datetime:
    # Compare before any float conversion: a huge int would overflow math.isfinite().
    if not 0 <= value < _MICROSECONDS_BELOW:  # NaN fails every comparison, infinity this one
        raise PayloadError("timestamp is out of range")
    if value < _SECONDS_BELOW:
        per_unit = 1_000_000
    elif value < _MILLISECONDS_BELOW:
        per_unit = 1_000
    else:
        per_unit = 1
    micro = value * per_unit if isinstance(value, int) else round(value * per_unit)
    return _EPOCH + timedelta(microseconds=micro)


def _maybe_time(*values: object) -> datetime | None:
    for value in values:
        if value is not None:
            try:
                return normalise_timestamp(value)
            except PayloadError:
                continue
    return None


def _require_time(*values: object) -> datetime:
    found = _maybe_time(*values)
    if found is None:
        raise PayloadError("event has no usable timestamp")
    return found
