"""The bank's own accounts that simulated traffic is addressed to.

An ``Account`` is what Meta names in a webhook: a Facebook Page id, an Instagram professional
account id, or a WhatsApp ``phone_number_id`` (plus, for WhatsApp, the business account id that
Meta puts in ``entry.id`` and the display number in ``metadata``).

Three sources, in the order ``tandem simulate --accounts`` tries them:

* ``auto``: the active ``SocialAccount`` rows of Tandem's database, so the simulated events
  reach real tenants; when the model cannot be imported or queried, or there is no active
  account, the built-in ``DEMO_ACCOUNTS``;
* a JSON file: a list of ``{"platform", "external_id", "handle"?, "business_id"?}`` objects
  (or ``{"accounts": [...]}``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

__all__ = [
    "DEMO_ACCOUNTS",
    "PLATFORMS",
    "Account",
    "accounts_from_database",
    "accounts_from_json",
    "resolve_accounts",
]

logger = logging.getLogger(__name__)

PLATFORMS: Final = ("facebook", "instagram", "whatsapp")


@dataclass(frozen=True, slots=True)
class Account:
    """One of the bank's accounts on a Meta network.

    ``handle``: for WhatsApp, the display number in international digits (``33…``); optional
    elsewhere. ``business_id``: the WhatsApp Business Account id; derived from the
    ``external_id`` when unknown, since Tandem routes WhatsApp by ``phone_number_id`` only.
    """

    platform: str
    external_id: str
    handle: str = ""
    business_id: str = ""

    def __post_init__(self) -> None:
        if self.platform not in PLATFORMS:
            raise ValueError(f"unknown platform {self.platform!r}")
        if not self.external_id or not self.external_id.isascii():
            raise ValueError("an account needs an ASCII external_id")

    @property
    def waba_id(self) -> str:
        """WhatsApp business account id (``entry.id``): given, or stable and derived."""
        return self.business_id or _derived_digits("waba", self.external_id, 15)

    @property
    def display_number(self) -> str:
        """WhatsApp ``metadata.display_phone_number``: given, or a stable fictitious number."""
        digits = "".join(char for char in self.handle if char.isdigit())
        # 09 77 40 xx xx is in the range ARCEP reserves for fiction: never a real line.
        return digits or "3397740" + _derived_digits("display", self.external_id, 4)


def _derived_digits(purpose: str, value: str, length: int) -> str:
    digest = hashlib.blake2b(f"{purpose}|{value}".encode(), digest_size=16).digest()
    number = int.from_bytes(digest, "big") % (9 * 10 ** (length - 1)) + 10 ** (length - 1)
    return str(number)


#: Fictitious accounts for demos and tests: two Pages, two Instagram accounts, two WhatsApp
#: numbers (the first of each matches the shared webhook fixtures).
DEMO_ACCOUNTS: Final = (
    Account("facebook", "104857392817465"),
    Account("facebook", "104857392817466"),
    Account("instagram", "17841400000000001"),
    Account("instagram", "17841400000000002"),
    Account("whatsapp", "106540352242922", handle="33977400101", business_id="102290129340398"),
    Account("whatsapp", "106540352242923", handle="33977400102", business_id="102290129340398"),
)


def accounts_from_json(data: Any) -> list[Account]:
    """Accounts from decoded JSON (a list, or an object with an ``accounts`` list).

    Raises ``ValueError`` naming the first malformed item.
    """
    items = data.get("accounts") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise ValueError("expected a non-empty list of accounts")
    accounts = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ValueError(f"account #{index} is not an object")
        try:
            accounts.append(
                Account(
                    platform=str(item["platform"]),
                    external_id=str(item["external_id"]),
                    handle=str(item.get("handle") or ""),
                    business_id=str(item.get("business_id") or ""),
                )
            )
        except (KeyError, ValueError) as error:
            raise ValueError(f"account #{index}: {error}") from error
    return accounts


def accounts_from_database() -> list[Account]:
    """Active ``SocialAccount`` rows; raises if the model or its table is not available."""
    from tandem.connectors.models import SocialAccount

    rows: Iterable[tuple[str, str, str]] = (
        SocialAccount.objects.filter(is_active=True, platform__in=PLATFORMS)
        .order_by("platform", "external_id")
        .values_list("platform", "external_id", "handle")
    )
    return [Account(platform, external_id, handle or "") for platform, external_id, handle in rows]


def resolve_accounts(spec: str) -> tuple[list[Account], str]:
    """The accounts for ``--accounts spec`` and where they came from (``database``, ``demo``
    or the file name). A file that cannot be read or parsed raises ``ValueError``."""
    if spec != "auto":
        path = Path(spec)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ValueError(f"cannot read accounts from {spec}: {error}") from error
        return accounts_from_json(data), str(path)
    try:
        found = accounts_from_database()
    except Exception as error:  # no app, no table, no database: the demo set still works
        logger.info("simulate.accounts.fallback", extra={"reason": type(error).__name__})
        found = []
    if found:
        return found, "database"
    return list(DEMO_ACCOUNTS), "demo"
