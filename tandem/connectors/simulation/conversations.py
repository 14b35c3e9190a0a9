"""The simulated world: customers, their conversations, posts and comments, and a virtual clock.

``World`` holds everything that must persist between deliveries so that the traffic looks like
ongoing conversations rather than noise: a stable pool of people (``Person``), per-account IDs
for them (PSIDs and IGSIDs are scoped to a Page / Instagram account by Meta), the Page posts and
Instagram media people comment on, the comments that can later be edited, hidden or removed,
the bank's outbound messages whose statuses come back, and a virtual clock in milliseconds.

``graph_entries`` / ``whatsapp_entries`` then pack generated ``Item``\\ s into Meta's envelopes.

Every random choice comes from the generator's ``random.Random``; IDs scoped to an account are
derived with BLAKE2 from (seed, account, person) so they are stable for a given seed. Lists that
grow with the run (comments, pending statuses) are bounded so long runs use constant memory.
"""

from __future__ import annotations

import base64
import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import accumulate
from typing import TYPE_CHECKING, Any, Final

from tandem.connectors.simulation.accounts import Account
from tandem.connectors.simulation.sensitive import ascii_name, french_mobile
from tandem.connectors.simulation.texts import FIRST_NAMES, LAST_NAMES, Utterance, compose

if TYPE_CHECKING:
    from tandem.connectors.simulation.traffic import TrafficConfig

__all__ = ["Comment", "CustomerAction", "Item", "Person", "World", "graph_entries"]

_MAX_TRACKED: Final = 400  # comments / pending statuses remembered per account


@dataclass(frozen=True, slots=True)
class CustomerAction:
    """A customer wrote to the bank in a direct channel (it opens Meta's messaging window)."""

    account: str
    user: str
    platform: str
    at: datetime

    def as_json(self) -> dict[str, str]:
        """The body ``POST /_emulator/inbound`` takes."""
        return {
            "account": self.account,
            "user": self.user,
            "platform": self.platform,
            "at": self.at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class Person:
    """A customer: the same person across Pages, Instagram accounts and WhatsApp numbers."""

    first_name: str
    last_name: str
    mobile: str  # international digits, the WhatsApp wa_id
    username: str  # Instagram handle
    profile_name: str  # WhatsApp profile name, as people set it

    @classmethod
    def draw(cls, rng: random.Random) -> Person:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        handle = f"{ascii_name(first)}{rng.choice(('.', '_', ''))}{ascii_name(last)}"
        if rng.random() < 0.5:
            handle += str(rng.randrange(1, 99))
        profile = rng.choice((f"{first} {last}", first, f"{first} {last[0]}.", f"{first} ✨"))
        return cls(first, last, french_mobile(rng), handle, profile)


@dataclass(slots=True)
class Item:
    """One generated event, before it is packed into an envelope.

    ``container``: ``messaging``, ``changes`` or ``flat`` (Graph objects), ``wa.messages`` or
    ``wa.statuses``. ``entry_time`` (seconds) pins the entry's ``time`` when the key depends on
    it (a comment hide); such an item gets an entry of its own.
    """

    account: Account
    kind: str
    key: str
    container: str
    body: dict[str, Any]
    timestamp: int  # milliseconds
    entry_time: int | None = None
    contact: dict[str, Any] | None = None
    action: CustomerAction | None = None
    texts: int = 0
    sensitive: int = 0


@dataclass(slots=True)
class Comment:
    """A customer comment the simulation may later edit, hide or remove."""

    comment_id: str
    post_id: str
    parent_id: str
    author: dict[str, str]
    text: str
    created_time: int
    sensitive: bool
    last_edit: int = 0
    hidden: bool = False
    removed: bool = False


@dataclass(slots=True)
class Outbound:
    """A WhatsApp message the bank sent, with the statuses still to report."""

    account: Account
    recipient: str
    wamid: str
    statuses: list[str]


class World:
    """Mutable simulation state shared by the item makers (see module docstring)."""

    def __init__(self, rng: random.Random, *, config: TrafficConfig, start_ms: int) -> None:
        self.rng = rng
        self.config = config
        self.clock = start_ms
        self.people = [Person.draw(rng) for _ in range(config.customers)]
        # A few people write a lot (Zipf-like), so threads continue across deliveries.
        self._cumulative = list(accumulate(1.0 / (rank + 1) for rank in range(config.customers)))
        self._indices = range(config.customers)
        self.posts: dict[str, list[str]] = {}
        self.comments: dict[str, list[Comment]] = {}
        self.outbound: list[Outbound] = []

    # -- time -------------------------------------------------------------------------------

    def advance(self) -> None:
        """Move the clock to the next delivery (exponential gaps around ``mean_gap_ms``)."""
        self.clock += 1 + int(self.rng.expovariate(1.0 / self.config.mean_gap_ms))

    def tick(self) -> int:
        """A new, strictly later instant (ms): watermarks built on it never repeat."""
        self.clock += self.rng.randint(1, 400)
        return self.clock

    def event_time(self) -> int:
        """The time of a customer event; a ``late_share`` of them are minutes old."""
        now = self.tick()
        if self.rng.random() < self.config.late_share:
            return now - self.rng.randint(2_000, 180_000)
        return now

    # -- people and ids ---------------------------------------------------------------------

    def pick_person(self) -> int:
        return self.rng.choices(self._indices, cum_weights=self._cumulative)[0]

    def scoped_id(self, purpose: str, account: str, person: int, digits: int) -> str:
        """A stable numeric id for ``person`` as seen by ``account`` (PSID, IGSID…)."""
        material = f"{self.config.seed}|{purpose}|{account}|{person}".encode()
        number = int.from_bytes(hashlib.blake2b(material, digest_size=16).digest(), "big")
        return str(number % (9 * 10 ** (digits - 1)) + 10 ** (digits - 1))

    def digits(self, count: int) -> str:
        return str(self.rng.randrange(10 ** (count - 1), 10**count))

    def token(self, size: int) -> str:
        """URL-safe base64 of ``size`` random bytes (``size`` a multiple of 3: no padding)."""
        return base64.urlsafe_b64encode(self.rng.randbytes(size)).decode("ascii")

    def messenger_mid(self) -> str:
        return "m_" + self.token(45)

    def instagram_mid(self) -> str:
        return "aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx" + self.token(30)

    def wamid(self, mobile: str) -> str:
        raw = mobile.encode("ascii") + b"\x15\x02\x00\x12\x18\x14" + self.rng.randbytes(20)
        return "wamid.HBgL" + base64.b64encode(raw).decode("ascii")

    def linking_code(self) -> str:
        """A one-time code of the kind the bank's app puts in ``m.me/…?ref=`` links."""
        return "".join(self.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(10))

    def utter(self, person: Person, *, public: bool) -> Utterance:
        return compose(
            self.rng,
            sensitive_share=self.config.sensitive_share,
            public=public,
            first_name=person.first_name,
            last_name=person.last_name,
        )

    def action(self, account: Account, user: str, timestamp: int) -> CustomerAction:
        at = datetime.fromtimestamp(timestamp / 1000, UTC)
        return CustomerAction(account.external_id, user, account.platform, at)

    # -- posts, comments, outbound messages ---------------------------------------------------

    def post(self, account: Account) -> str:
        """One of the account's few posts (Page ``{page}_{post}``, or an Instagram media id)."""
        posts = self.posts.get(account.external_id)
        if posts is None:
            if account.platform == "facebook":
                posts = [f"{account.external_id}_{self.digits(15)}" for _ in range(6)]
            else:
                posts = ["18" + self.digits(15) for _ in range(6)]
            self.posts[account.external_id] = posts
        # Recent posts draw most comments.
        return self.rng.choices(posts, weights=(8, 5, 3, 2, 1, 1))[0]

    def remember(self, account: Account, comment: Comment) -> None:
        tracked = self.comments.setdefault(account.external_id, [])
        tracked.append(comment)
        if len(tracked) > _MAX_TRACKED:
            del tracked[: len(tracked) - _MAX_TRACKED]

    def live_comment(self, account: Account, *, prefer_sensitive: bool = False) -> Comment | None:
        """A recent comment still visible, or None (then the caller adds one instead)."""
        live = [c for c in self.comments.get(account.external_id, ())[-60:] if not c.removed]
        if prefer_sensitive:
            live = [c for c in live if not c.hidden]
            sensitive = [c for c in live if c.sensitive]
            live = sensitive or live
        return self.rng.choice(live) if live else None

    def next_status(self, account: Account, recipient: str) -> Outbound:
        """An outbound WhatsApp message with a status left to report (new or continuing)."""
        pending = self.outbound
        if pending and self.rng.random() < 0.7:
            return self.rng.choice(pending)
        statuses = ["sent", "delivered", "read"]
        draw = self.rng.random()
        if draw < 0.04:
            statuses = ["sent", "failed"]
        elif draw < 0.18:
            statuses = ["sent", "read"]  # delivered and read at once: no separate delivered
        elif draw < 0.3:
            statuses = ["sent", "read", "delivered"]  # notifications out of order
        outbound = Outbound(account, recipient, self.wamid(recipient), statuses)
        pending.append(outbound)
        if len(pending) > _MAX_TRACKED:
            del pending[0]
        return outbound

    def report_status(self, outbound: Outbound) -> str:
        status = outbound.statuses.pop(0)
        if not outbound.statuses:
            self.outbound.remove(outbound)
        return status


def graph_entries(rng: random.Random, items: list[Item]) -> list[dict[str, Any]]:
    """Pack Page / Instagram items into ``entry[]``, sometimes several items per entry.

    Messaging entries carry ``time`` in milliseconds, change entries in seconds. An item with a
    pinned ``entry_time`` (or the flat Instagram-Login shape) always gets its own entry.
    """
    entries: list[dict[str, Any]] = []
    grouped: list[list[Item]] = []
    open_entry: tuple[str, str] | None = None
    for item in items:
        account = item.account.external_id
        if item.container == "flat":
            value = item.body
            entry = {"id": account, "time": item.entry_time, **value}
            entries.append(entry)
            grouped.append([item])
            open_entry = None
            continue
        section = item.container
        if open_entry == (account, section) and rng.random() < 0.5:
            entries[-1][section].append(item.body)
            grouped[-1].append(item)
            continue
        entries.append({"id": account, "time": 0, section: [item.body]})
        grouped.append([item])
        open_entry = (account, section) if item.entry_time is None else None
    for entry, members in zip(entries, grouped, strict=True):
        latest = max(member.timestamp for member in members)
        pinned = members[0].entry_time
        if "messaging" in entry:
            entry["time"] = latest + rng.randint(50, 900)
        elif pinned is not None:
            entry["time"] = pinned
        else:
            entry["time"] = latest // 1000
    return entries


def whatsapp_entries(rng: random.Random, items: list[Item]) -> list[dict[str, Any]]:
    """Pack WhatsApp items: entries per business account, changes per phone number and list
    (``messages`` with their ``contacts``, or ``statuses``); consecutive items sometimes share
    an entry and a change. Body order is item order (the expected keys follow it)."""
    entries: list[dict[str, Any]] = []
    value: dict[str, Any] | None = None
    open_slot: tuple[str, str] | None = None
    for item in items:
        account = item.account
        name = "messages" if item.container == "wa.messages" else "statuses"
        if not entries or entries[-1]["id"] != account.waba_id or rng.random() < 0.3:
            entries.append({"id": account.waba_id, "changes": []})
            open_slot = None
        if value is None or open_slot != (account.external_id, name) or rng.random() < 0.4:
            metadata = {
                "display_phone_number": account.display_number,
                "phone_number_id": account.external_id,
            }
            value = {"messaging_product": "whatsapp", "metadata": metadata}
            if name == "messages":
                value["contacts"] = []
            value[name] = []
            entries[-1]["changes"].append({"value": value, "field": "messages"})
            open_slot = (account.external_id, name)
        if item.contact is not None and all(
            contact["wa_id"] != item.contact["wa_id"] for contact in value["contacts"]
        ):
            value["contacts"].append(item.contact)
        value[name].append(item.body)
    return entries
