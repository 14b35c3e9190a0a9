"""The one module that reads the process environment.

Every setting Tandem takes from the outside world goes through these helpers, so that parsing is
strict (a typo in a boolean is an error, not ``False``) and secrets can come from files
(``NAME_FILE=/run/secrets/name``), as container orchestrators provide them.
"""

from __future__ import annotations

import os
from pathlib import Path


class ConfigurationError(Exception):
    """The environment describes a configuration Tandem refuses to start with."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def get_str(name: str, default: str | None = None) -> str | None:
    """Return ``NAME``, or the content of the file named by ``NAME_FILE``, or ``default``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigurationError(f"{name}_FILE: cannot read {file_name!r}: {error}") from error
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip()


def get_bool(name: str, *, default: bool) -> bool:
    value = get_str(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigurationError(f"{name} must be a boolean (true/false), got {value!r}")


def get_int(name: str, *, default: int, minimum: int | None = None) -> int:
    """An integer; with ``minimum``, a smaller value is an error rather than a surprise."""
    value = get_str(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError as error:
        raise ConfigurationError(f"{name} must be an integer, got {value!r}") from error
    if minimum is not None and number < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, got {number}")
    return number


def get_list(name: str, *, default: list[str]) -> list[str]:
    """A comma-separated list; blanks dropped."""
    value = get_str(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]
