"""Deterministic, signed Meta webhook deliveries: the traffic ``tandem simulate`` sends.

``TrafficGenerator(accounts, config)`` is an endless iterator of ``Delivery`` objects. Each is
one POST as Meta would make it: a compact JSON body with Meta's escaped unicode
(``ensure_ascii=True``), signed with ``X-Hub-Signature-256`` over those exact bytes, plus what the
simulator expects Tandem to make of it (one idempotency key per event, in ``events``).

What the stream contains, mirroring ``shared/research/meta-platform.md`` §1 and §2:

* Messenger DMs (text, quick replies, attachments), postbacks (menu buttons, Get Started from an
  ``m.me/…?ref=`` link), standalone referrals, deliveries and reads; Instagram DMs and
  ``messaging_seen``; WhatsApp messages (text, media, button replies, reactions, click-to-chat
  texts carrying a ``ref:`` linking code) and statuses (sometimes out of order, sometimes
  failed); Page feed comments (add, including the Page's own replies, edited, remove, hide) and
  Instagram comments (``changes[]`` or the flat Instagram-Login envelope, per account).
* **Batches**: up to ``batch_max`` events per POST, several ``entry[]`` and several items per
  entry, as Meta aggregates under load. **Duplicates**: a ``duplicate_share`` of deliveries
  repeat an earlier delivery byte for byte (Meta's retries). **Out of order**: items are
  sometimes shuffled inside a batch and some messages arrive late (older timestamps).
* A stable pool of customers (names, French ``+33 6/7`` mobiles, per-account PSIDs/IGSIDs), with
  a few frequent writers, so conversations continue across deliveries.

Contract: the same accounts and config (seed, start time…) give byte-identical deliveries; no
wall clock and no global random state are consulted. Event keys are unique across the stream
except in duplicates, which repeat their original's keys exactly.
"""

from __future__ import annotations

import json
import random
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import accumulate
from typing import Any, Final

from tandem.connectors.meta.signatures import SIGNATURE_HEADER, sign
from tandem.connectors.simulation.accounts import Account
from tandem.connectors.simulation.conversations import (
    CustomerAction,
    Item,
    World,
    graph_entries,
    whatsapp_entries,
)
from tandem.connectors.simulation.makers import MAKERS

__all__ = ["DEFAULT_START", "CustomerAction", "Delivery", "TrafficConfig", "TrafficGenerator"]

#: Default virtual start time; the command passes "now" so messaging windows are open.
DEFAULT_START: Final = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)

_OBJECTS: Final = {
    "facebook": "page",
    "instagram": "instagram",
    "whatsapp": "whatsapp_business_account",
}
_OBJECT_WEIGHTS: Final = {"page": 45, "instagram": 20, "whatsapp_business_account": 35}


@dataclass(frozen=True, slots=True)
class Delivery:
    """One webhook POST and what Tandem should store from it.

    ``events`` holds one idempotency key per event, in body order (``kinds`` aligned with it);
    ``duplicate_of`` is the ``sequence`` of the delivery this one repeats byte for byte.
    ``texts`` / ``sensitive_texts`` count customer-written texts and those carrying sensitive
    data; ``actions`` are the direct customer messages (a duplicate repeats none).
    """

    sequence: int
    object: str
    body: bytes
    headers: dict[str, str] = field(hash=False)
    events: tuple[str, ...]
    kinds: tuple[str, ...]
    actions: tuple[CustomerAction, ...] = ()
    texts: int = 0
    sensitive_texts: int = 0
    duplicate_of: int | None = None

    @property
    def summary(self) -> str:
        """``page: message*2 read`` — the kinds in this delivery, for logs and debugging."""
        counts = Counter(self.kinds)
        parts = [kind if n == 1 else f"{kind}*{n}" for kind, n in counts.items()]
        return f"{self.object}: {' '.join(parts)}" + (" (duplicate)" if self.duplicate_of else "")


@dataclass(frozen=True, slots=True, kw_only=True)
class TrafficConfig:
    """Knobs of the generator. Shares are probabilities in [0, 1]."""

    app_secret: str
    seed: int = 0
    start_at: datetime = DEFAULT_START
    duplicate_share: float = 0.02
    sensitive_share: float = 0.03
    batch_max: int = 5
    #: Mean virtual time between deliveries; the command sets it from ``--rate``.
    mean_gap_ms: float = 200.0
    customers: int = 300
    late_share: float = 0.05

    def __post_init__(self) -> None:
        if not self.app_secret:
            raise ValueError("an app secret is needed to sign deliveries")
        for name in ("duplicate_share", "sensitive_share", "late_share"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.batch_max < 1 or self.customers < 1 or self.mean_gap_ms <= 0:
            raise ValueError("batch_max and customers must be >= 1, mean_gap_ms > 0")
        if self.start_at.utcoffset() is None:
            raise ValueError("start_at must be timezone-aware")


class TrafficGenerator:
    """Endless, deterministic stream of ``Delivery`` objects for ``accounts``."""

    def __init__(self, accounts: Sequence[Account], config: TrafficConfig) -> None:
        if not accounts:
            raise ValueError("at least one account is needed")
        self.config = config
        # Simulation, not security: a seeded PRNG is the point (reproducible traffic).
        self._rng = random.Random(config.seed)  # noqa: S311
        start_ms = int(config.start_at.timestamp() * 1000)
        self._world = World(self._rng, config=config, start_ms=start_ms)
        self._by_object: dict[str, list[Account]] = {}
        for account in accounts:
            self._by_object.setdefault(_OBJECTS[account.platform], []).append(account)
        self._objects = [name for name in _OBJECT_WEIGHTS if name in self._by_object]
        self._object_weights = [_OBJECT_WEIGHTS[name] for name in self._objects]
        self._mix = {
            name: ([maker for _, _, maker in table], list(accumulate(w for _, w, _ in table)))
            for name, table in MAKERS.items()
        }
        self._recent: deque[Delivery] = deque(maxlen=64)
        self._sequence = 0

    def __iter__(self) -> Iterator[Delivery]:
        while True:
            yield self.next_delivery()

    def take(self, count: int) -> list[Delivery]:
        """The next ``count`` deliveries."""
        return [self.next_delivery() for _ in range(count)]

    def next_delivery(self) -> Delivery:
        """The next delivery: a fresh batch, or (``duplicate_share``) a recent one repeated."""
        rng = self._rng
        self._sequence += 1
        if self._recent and rng.random() < self.config.duplicate_share:
            original = rng.choice(self._recent)
            return Delivery(
                sequence=self._sequence,
                object=original.object,
                body=original.body,
                headers=original.headers,
                events=original.events,
                kinds=original.kinds,
                duplicate_of=original.sequence,
            )
        self._world.advance()
        object_name = rng.choices(self._objects, weights=self._object_weights)[0]
        size = 1 if rng.random() < 0.7 else rng.randint(1, self.config.batch_max)
        makers, weights = self._mix[object_name]
        accounts = self._by_object[object_name]
        items: list[Item] = []
        for _ in range(size):
            maker = rng.choices(makers, cum_weights=weights)[0]
            items.append(maker(self._world, rng.choice(accounts), self._world.pick_person()))
        if len(items) > 1 and rng.random() < 0.25:
            rng.shuffle(items)  # Meta does not promise order inside a batch either
        delivery = self._assemble(object_name, items)
        self._recent.append(delivery)
        return delivery

    def _assemble(self, object_name: str, items: list[Item]) -> Delivery:
        if object_name == "whatsapp_business_account":
            entries = whatsapp_entries(self._rng, items)
        else:
            entries = graph_entries(self._rng, items)
        payload: dict[str, Any] = {"object": object_name, "entry": entries}
        body = json.dumps(payload, ensure_ascii=True, separators=(",", ":")).encode("ascii")
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(body, self.config.app_secret),
        }
        return Delivery(
            sequence=self._sequence,
            object=object_name,
            body=body,
            headers=headers,
            events=tuple(item.key for item in items),
            kinds=tuple(item.kind for item in items),
            actions=tuple(item.action for item in items if item.action is not None),
            texts=sum(item.texts for item in items),
            sensitive_texts=sum(item.sensitive for item in items),
        )
