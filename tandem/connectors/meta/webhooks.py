"""Webhook events: stored once before the 200, processed once afterwards.

``webhook_ingest`` runs in the request: it stores every event of a delivery under its natural
idempotency key (a unique column) and enqueues one processing task per new event in the same
transaction, so an event is never stored without its task nor acknowledged without being
stored. ``webhook_event_process`` runs in the worker: it claims the event, parses it into a
provider-neutral dataclass, applies what belongs to ``connectors`` (states of our outbound
calls) and sends ``event_received`` — all in one transaction; a failure is retried with
back-off, then the event is parked for an administrator.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tandem.compliance.detection import detect
from tandem.compliance.redaction import mask
from tandem.connectors.meta.events import (
    Delivery,
    Event,
    MessageEcho,
    Read,
    WhatsAppStatus,
)
from tandem.connectors.meta.payloads import RawEvent, parse_event
from tandem.connectors.meta.storage import EventRow, store_events
from tandem.connectors.models import EventStatus, SocialAccount, WebhookEvent
from tandem.connectors.outbound import outbound_settle_from_event
from tandem.connectors.signals import EventContext, event_received
from tandem.core.workers import current_worker_id

logger = logging.getLogger(__name__)

# Meta sends WhatsApp payloads of up to 3 MB; anything larger is refused with 413.
MAX_BODY_BYTES = 4 * 1024 * 1024
MAX_ATTEMPTS = 8
ACCOUNT_CACHE_SECONDS = 30.0
LAST_EVENT_RESOLUTION = timedelta(minutes=1)
# The columns of an event no worker holds (processed, parked, retrying, handed back).
UNCLAIMED: dict[str, Any] = {"locked_until": None, "locked_by": ""}

_OBJECT_PLATFORM = {
    "page": "facebook",
    "instagram": "instagram",
    "whatsapp_business_account": "whatsapp",
}


@dataclass(frozen=True)
class IngestResult:
    received: int
    stored: int
    duplicates: int


class _AccountCache:
    """(object, external id) → (account id, regional bank id), refreshed every 30 s.

    The webhook view looks accounts up on every delivery; they change rarely. A newly
    connected account is seen within 30 s, and its earlier events are replayed on connection.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], tuple[float, tuple[int, int | None] | None]] = {}

    def lookup(
        self, pairs: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[int, int | None] | None]:
        now = time.monotonic()
        wanted = set(pairs)
        found: dict[tuple[str, str], tuple[int, int | None] | None] = {}
        missing = []
        with self._lock:
            for pair in wanted:
                entry = self._entries.get(pair)
                if entry is not None and now - entry[0] < ACCOUNT_CACHE_SECONDS:
                    found[pair] = entry[1]
                else:
                    missing.append(pair)
        if missing:
            condition = Q()
            for object_name, external_id in missing:
                condition |= Q(
                    platform=_OBJECT_PLATFORM.get(object_name, "?"), external_id=external_id
                )
            rows = {
                (platform, external_id): (pk, regional_bank_id)
                for pk, platform, external_id, regional_bank_id in SocialAccount.objects.filter(
                    condition, is_active=True
                ).values_list("pk", "platform", "external_id", "regional_bank_id")
            }
            with self._lock:
                for object_name, external_id in missing:
                    value = rows.get((_OBJECT_PLATFORM.get(object_name, "?"), external_id))
                    self._entries[(object_name, external_id)] = (now, value)
                    found[(object_name, external_id)] = value
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


account_cache = _AccountCache()


def webhook_ingest(*, raw_events: list[RawEvent]) -> IngestResult:
    """Store the events not seen before, each with its processing task, in one transaction.

    Whatever the size of the delivery, one statement on PostgreSQL, two on SQLite
    (``storage.store_events``); a redelivered event, even one stored at the same moment by a
    concurrent request, is skipped by the unique constraint on its key.
    """
    from tandem.connectors.tasks import webhook_event_process_task

    unique: dict[str, RawEvent] = {}
    for raw in raw_events:
        unique.setdefault(raw.idempotency_key, raw)
    if not unique:
        return IngestResult(received=len(raw_events), stored=0, duplicates=len(raw_events))
    accounts = account_cache.lookup(
        (raw.object, raw.account_external_id) for raw in unique.values()
    )
    now = timezone.now()
    rows = []
    for key, raw in unique.items():
        account = accounts.get((raw.object, raw.account_external_id))
        if raw.kind == "unknown":
            status = EventStatus.UNKNOWN_KIND
        elif account is None:
            status = EventStatus.UNKNOWN_ACCOUNT
        else:
            status = EventStatus.PENDING
        rows.append(
            EventRow(
                received_at=now,
                object=raw.object[:40],
                account_external_id=raw.account_external_id[:64],
                account=account[0] if account else None,
                regional_bank=account[1] if account else None,
                kind=raw.kind[:60],
                idempotency_key=key,
                occurred_at=raw.occurred_at,
                body=raw.body,
                status=status,
                next_attempt_at=now,
            )
        )
    created = store_events(rows, webhook_event_process_task)
    return IngestResult(
        received=len(raw_events), stored=len(created), duplicates=len(raw_events) - len(created)
    )


def _retry_delay(attempts: int) -> timedelta:
    """Exponential back-off with full jitter: 10 s, 20 s, 40 s … capped at one hour."""
    ceiling = min(3600.0, 10.0 * 2 ** max(0, attempts - 1))
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))  # noqa: S311 — jitter


def _claim(event_id: int) -> bool:
    now = timezone.now()
    return (
        WebhookEvent.objects.filter(pk=event_id)
        .filter(
            Q(status__in=[EventStatus.PENDING, EventStatus.RETRYING], next_attempt_at__lte=now)
            | Q(status=EventStatus.PROCESSING, locked_until__lt=now)
        )
        .update(
            status=EventStatus.PROCESSING,
            locked_until=now + WebhookEvent.processing_lease(),
            locked_by=current_worker_id(),
            attempts=F("attempts") + 1,
        )
        == 1
    )


def webhook_events_release(*, worker_ids: set[str], now: datetime | None = None) -> int:
    """Hand back at once the events that workers now gone were processing (their processing
    transaction died with them): due again, for the re-queued task or the next sweep."""
    now = now or timezone.now()
    released = WebhookEvent.objects.filter(
        status=EventStatus.PROCESSING, locked_by__in=worker_ids
    ).update(
        status=EventStatus.RETRYING,
        **UNCLAIMED,
        next_attempt_at=now,
        last_error="Interrupted: the worker processing it is gone.",
    )
    if released:
        logger.warning("connectors.events.released", extra={"events": released})
    return released


def webhook_event_process(*, event_id: int) -> str:
    """Process one stored event if it is due; returns what happened (for logs and tests)."""
    if not _claim(event_id):
        return "not-due"
    event = WebhookEvent.objects.select_related("account").get(pk=event_id)
    try:
        with transaction.atomic():
            parsed = parse_event(event.body, event.kind)
            context = EventContext(
                webhook_event_id=event.pk,
                account_id=event.account_id,
                regional_bank_id=event.regional_bank_id,
                owner_node_id=event.account.owner_id if event.account else None,
                idempotency_key=event.idempotency_key,
            )
            _apply_own(parsed, context)
            event_received.send(sender=WebhookEvent, event=parsed, context=context)
            now = timezone.now()
            masked_body, changed = mask_body(event.body)
            fields: dict[str, Any] = {"body": masked_body} if changed else {}
            WebhookEvent.objects.filter(pk=event.pk).update(
                status=EventStatus.PROCESSED,
                processed_at=now,
                **UNCLAIMED,
                last_error="",
                body_masked=True,
                **fields,
            )
            if event.account_id:
                SocialAccount.objects.filter(pk=event.account_id).filter(
                    Q(last_event_at__isnull=True) | Q(last_event_at__lt=now - LAST_EVENT_RESOLUTION)
                ).update(last_event_at=now)
    except Exception as error:
        return _record_failure(event, error)
    return "processed"


def mask_body(value: Any) -> tuple[Any, bool]:
    """The stored webhook body with sensitive data masked in every string (compliance: the raw
    webhook row keeps no unmasked copy once processed). Returns it and whether it changed."""
    if isinstance(value, str):
        findings = detect(value)
        return (mask(value, findings), True) if findings else (value, False)
    if isinstance(value, list):
        items = [mask_body(item) for item in value]
        return [item for item, _ in items], any(changed for _, changed in items)
    if isinstance(value, dict):
        pairs = {key: mask_body(item) for key, item in value.items()}
        return {key: item for key, (item, _) in pairs.items()}, any(
            changed for _, changed in pairs.values()
        )
    return value, False


def _apply_own(parsed: Event, context: EventContext) -> None:
    """What the connector itself learns from an event: the fate of the calls it made."""
    if isinstance(parsed, Delivery | Read | WhatsAppStatus | MessageEcho) and context.account_id:
        outbound_settle_from_event(event=parsed, account_id=context.account_id)


def _record_failure(event: WebhookEvent, error: Exception) -> str:
    attempts = event.attempts
    summary = f"{type(error).__name__}: {error}"[:300]
    detail = traceback.format_exc()[-4000:]
    if attempts >= MAX_ATTEMPTS:
        WebhookEvent.objects.filter(pk=event.pk).update(
            status=EventStatus.PARKED,
            **UNCLAIMED,
            last_error=f"{summary}\n{detail}",
        )
        logger.error(
            "connectors.event.parked",
            extra={"event_id": event.pk, "kind": event.kind, "error": type(error).__name__},
        )
        return "parked"
    WebhookEvent.objects.filter(pk=event.pk).update(
        status=EventStatus.RETRYING,
        **UNCLAIMED,
        next_attempt_at=timezone.now() + _retry_delay(attempts),
        last_error=f"{summary}\n{detail}",
    )
    logger.warning(
        "connectors.event.retrying",
        extra={
            "event_id": event.pk,
            "kind": event.kind,
            "attempts": attempts,
            "error": type(error).__name__,
        },
    )
    return "retrying"


def webhook_events_due(*, limit: int, stale_after: timedelta = timedelta(seconds=30)) -> list[int]:
    """Events the sweep should process: retries that are due, claims whose worker died, and
    pending events whose task has not run for a while (queue lost, worker down)."""
    now = timezone.now()
    return list(
        WebhookEvent.objects.filter(
            Q(status=EventStatus.RETRYING, next_attempt_at__lte=now)
            | Q(status=EventStatus.PROCESSING, locked_until__lt=now)
            | Q(status=EventStatus.PENDING, next_attempt_at__lte=now - stale_after)
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
