"""The Meta payload fixtures: ``fixtures/*.json`` beside these tests, committed with the code.

``$TANDEM_META_FIXTURES`` points the tests at another folder of the same files (a newer set
from the platform research, say). A missing folder fails the tests: it never skips them.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

FIXTURES_ENV = "TANDEM_META_FIXTURES"
DEFAULT_FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixtures_dir() -> Path:
    """``$TANDEM_META_FIXTURES`` when set, else the ``fixtures`` folder in this package."""
    configured = os.environ.get(FIXTURES_ENV)
    return Path(configured) if configured else DEFAULT_FIXTURES


FIXTURES = fixtures_dir()
MISSING = (
    f"META PAYLOAD FIXTURES NOT FOUND at {FIXTURES}: unset {FIXTURES_ENV} to use {DEFAULT_FIXTURES}"
    ", or set it to a folder holding page__*.json, instagram__*.json and whatsapp__*.json"
)


def fixture_names() -> list[str]:
    """The ``*.json`` file names in the fixtures folder, sorted ([] when there is no folder)."""
    return sorted(path.name for path in FIXTURES.glob("*.json")) if FIXTURES.is_dir() else []


def load_bytes(name: str) -> bytes:
    """The exact bytes of one fixture (what Meta would sign and POST)."""
    if not FIXTURES.is_dir():
        pytest.fail(MISSING)
    return (FIXTURES / name).read_bytes()


def load_fixture(name: str) -> dict[str, Any]:
    """One fixture, decoded."""
    loaded: dict[str, Any] = json.loads(load_bytes(name))
    return loaded
