"""The one seam between ``connectors`` and the rest of Tandem.

``event_received`` is sent once for every webhook event Tandem processes, with the event as a
provider-neutral dataclass from ``tandem.connectors.meta.events`` (``MessageReceived``,
``CommentAdded``, ``Delivery``, ``WhatsAppStatus``, ``Referral`` …) and an ``EventContext``
saying which account and regional bank it belongs to. ``inbox`` connects to it in its
``AppConfig.ready()``.

It is sent **inside** the processing transaction, after ``connectors`` has applied what is its
own (delivery and read states of outbound calls). A receiver that raises rolls the whole
processing back, and the event is retried later with back-off, then parked for an
administrator: an event is marked processed only when every receiver succeeded. Receivers must
therefore be idempotent (an event may be processed again after a crash or a replay) and must
not do network calls (schedule a task on commit instead).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.dispatch import Signal


@dataclass(frozen=True)
class EventContext:
    webhook_event_id: int
    account_id: int | None
    regional_bank_id: int | None
    owner_node_id: int | None
    # The stored event's natural key (``message:<mid>`` …), stable across replays.
    idempotency_key: str


# Arguments: ``event`` (a dataclass of meta/events.py), ``context`` (EventContext).
event_received = Signal()
