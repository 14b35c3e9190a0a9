"""What the emulator remembers between calls: accounts, windows, comments, posts, calls.

Plain data with no locking: ``MetaEmulator`` holds its one lock around every access. IDs are
drawn from the emulator's seeded random generator, so a seeded run produces the same IDs.
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from tandem.connectors.meta.events import Platform

__all__ = [
    "Account",
    "CallRecord",
    "CommentRecord",
    "ContainerRecord",
    "EmulatorState",
    "PostRecord",
    "WebhookDelivery",
    "parse_platform",
]

_PLATFORM_NAMES: Final = {
    "facebook": Platform.FACEBOOK,
    "messenger": Platform.FACEBOOK,
    "page": Platform.FACEBOOK,
    "instagram": Platform.INSTAGRAM,
    "whatsapp": Platform.WHATSAPP,
}


def parse_platform(value: Platform | str) -> Platform:
    """``Platform`` from an enum or a name (``facebook``/``messenger``/``page``, ``instagram``,
    ``whatsapp``); ``ValueError`` otherwise."""
    if isinstance(value, Platform):
        return value
    platform = _PLATFORM_NAMES.get(str(value).strip().lower())
    if platform is None:
        raise ValueError(f"unknown platform: {value!r}")
    return platform


@dataclass(slots=True, kw_only=True)
class Account:
    """A Page, an Instagram professional account or a WhatsApp phone number.

    ``token`` (when set) is the only access token accepted for calls on this account.
    WhatsApp numbers also have ``display_phone_number`` and ``business_account_id`` (the WABA,
    which is the ``entry.id`` of their webhooks).
    """

    external_id: str
    platform: Platform
    token: str | None = None
    name: str = ""
    display_phone_number: str = ""
    business_account_id: str = ""
    subscribed: bool = True
    registered: bool = True

    def public(self) -> dict[str, Any]:
        """JSON for the control API: never the token itself."""
        return {
            "external_id": self.external_id,
            "platform": str(self.platform),
            "name": self.name,
            "has_token": self.token is not None,
            "display_phone_number": self.display_phone_number,
            "business_account_id": self.business_account_id,
            "subscribed": self.subscribed,
        }


@dataclass(slots=True, kw_only=True)
class CommentRecord:
    """A public comment: who wrote it, when, and what the API did to it since."""

    comment_id: str
    account_id: str
    platform: Platform
    post_id: str
    parent_id: str | None
    author_id: str
    author_name: str
    created_at: datetime
    text: str = ""
    hidden: bool = False
    deleted: bool = False
    private_reply_sent: bool = False


@dataclass(slots=True, kw_only=True)
class PostRecord:
    """A Page post created through ``/{page-id}/feed`` (or implied by a customer comment)."""

    post_id: str
    account_id: str
    message: str
    link: str | None
    created_at: datetime
    scheduled_at: datetime | None = None


@dataclass(slots=True, kw_only=True)
class ContainerRecord:
    """An Instagram media container; ``media_id`` is set once published."""

    container_id: str
    account_id: str
    image_url: str
    caption: str
    created_at: datetime
    media_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CallRecord:
    """One Graph API call as the emulator saw it.

    * ``path`` has no version prefix (``/1234/messages``); ``query`` never holds the token.
    * ``body``: the decoded request body (JSON or form), to be treated as read-only.
    * ``status``: the HTTP status answered (502, or 0 for a closed connection, when dropped).
    * ``performed``: the call took effect (True for successes, including dropped answers).
    * ``injected``: ``throttle``, ``server_error`` or ``dropped`` when failure injection acted.
    * ``created_ids``: message IDs, comment IDs, post IDs… created by the call.
    """

    sequence: int
    at: datetime
    method: str
    path: str
    version: str | None
    account_id: str | None
    platform: Platform | None
    body: dict[str, Any] = field(hash=False)
    query: dict[str, str] = field(hash=False)
    status: int
    performed: bool
    error_code: int | None = None
    error_subcode: int | None = None
    created_ids: tuple[str, ...] = ()
    injected: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "sequence": self.sequence,
            "at": self.at.isoformat(),
            "method": self.method,
            "path": self.path,
            "version": self.version,
            "account_id": self.account_id,
            "platform": str(self.platform) if self.platform else None,
            "body": self.body,
            "query": self.query,
            "status": self.status,
            "performed": self.performed,
            "error_code": self.error_code,
            "error_subcode": self.error_subcode,
            "created_ids": list(self.created_ids),
            "injected": self.injected,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookDelivery:
    """One attempt to deliver a webhook to Tandem.

    ``status`` is what the sink answered (0 for a transport failure, None when no sink or URL
    is configured); ``final`` is False when another attempt is scheduled.
    """

    sequence: int
    kind: str
    body: bytes
    headers: dict[str, str] = field(hash=False)
    attempt: int
    status: int | None
    final: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "sequence": self.sequence,
            "kind": self.kind,
            "body": self.body.decode("ascii", "replace"),
            "attempt": self.attempt,
            "status": self.status,
            "final": self.final,
        }


class EmulatorState:
    """Everything ``reset`` clears (accounts survive unless asked)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.accounts: dict[str, Account] = {}
        self.clear(accounts=True)

    def clear(self, *, accounts: bool) -> None:
        """Forget everything that happened; registered accounts too when ``accounts``."""
        if accounts:
            self.accounts = {}
        self.revoked_tokens: set[str] = set()
        self.last_customer_message: dict[tuple[str, str], datetime] = {}
        self.comments: dict[str, CommentRecord] = {}
        self.posts: dict[str, PostRecord] = {}
        self.containers: dict[str, ContainerRecord] = {}
        self.default_posts: dict[str, str] = {}
        self.calls: list[CallRecord] = []
        self.sequence = 0
        self.throttle_turn = 0
        self.server_error_turn = 0

    def next_sequence(self) -> int:
        self.sequence += 1
        return self.sequence

    # -- IDs ---------------------------------------------------------------------------------
    # Shapes copied from the examples in the research notes (numeric object IDs, ``m_…`` mids,
    # base64 Instagram mids, ``wamid.…``), not from any real account.

    def numeric_id(self, digits: int = 16) -> str:
        first = self.rng.randint(1, 9)
        rest = self.rng.getrandbits(64) % 10 ** (digits - 1)
        return f"{first}{rest:0{digits - 1}d}"

    def _token(self, length: int) -> str:
        raw = self.rng.getrandbits(8 * length).to_bytes(length, "big")
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    def messenger_mid(self) -> str:
        return "m_" + self._token(33)

    def instagram_mid(self, account_id: str) -> str:
        raw = f"ig_message_item:1:IGMessageThread:{account_id}:{self.numeric_id(19)}"
        return base64.b64encode(raw.encode("ascii")).decode("ascii").rstrip("=")

    def wamid(self, wa_id: str) -> str:
        raw = b"\x15\x02\x00\x11\x18\x12" + wa_id.encode("ascii") + self.rng.randbytes(10)
        return "wamid." + base64.b64encode(raw).decode("ascii")

    def fbtrace_id(self) -> str:
        return self._token(17)[:23]

    def message_id_for(self, platform: Platform, account_id: str, wa_id: str = "") -> str:
        if platform is Platform.WHATSAPP:
            return self.wamid(wa_id)
        if platform is Platform.INSTAGRAM:
            return self.instagram_mid(account_id)
        return self.messenger_mid()

    # -- lookups -----------------------------------------------------------------------------

    def account(self, external_id: str) -> Account | None:
        return self.accounts.get(external_id)

    def account_for_token(self, token: str) -> Account | None:
        return next((a for a in self.accounts.values() if a.token == token), None)

    def default_post(self, account: Account) -> str:
        """A post (or media) to hang customer comments on when the caller names none."""
        post_id = self.default_posts.get(account.external_id)
        if post_id is None:
            if account.platform is Platform.INSTAGRAM:
                post_id = self.numeric_id(17)
            else:
                post_id = f"{account.external_id}_{self.numeric_id(15)}"
            self.default_posts[account.external_id] = post_id
        return post_id
