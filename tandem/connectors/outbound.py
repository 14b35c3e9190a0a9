"""Calls to Meta, made from tasks, each at most once.

The protocol (see ``OutboundCall``):

1. ``outbound_enqueue`` writes the row under the caller's idempotency key (asking twice gives
   the same row) and schedules ``outbound_call_perform_task`` on commit.
2. ``outbound_perform`` claims the row (``queued``/``retrying`` → ``sending``, committed) and
   only then calls Meta, once.
3. The answer settles it: ``sent`` (with Meta's id), ``retrying`` when Meta says the request
   had no effect (throttling, a transient error, a connection never made), ``failed`` when it
   is final (window closed, permission, invalid), ``uncertain`` when the request may have
   reached Meta but no answer came back (timeout, lost response, a worker killed mid-call).
4. An uncertain call is never resent. Meta's echo (Messenger/Instagram ``metadata``) or status
   webhook (WhatsApp ``biz_opaque_callback_data``) carries the call's id back and settles it as
   sent; after ``UNCERTAIN_GIVE_UP`` without news it is marked failed, and a person decides.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from tandem.connectors.meta.client import GraphClient, GraphResponse, NetworkError
from tandem.connectors.meta.errors import GraphError
from tandem.connectors.meta.events import (
    Delivery,
    Event,
    MessageEcho,
    Read,
    WhatsAppStatus,
    WhatsAppStatusValue,
)
from tandem.connectors.models import OutboundCall, OutboundKind, OutboundStatus, SocialAccount
from tandem.core.encryption import EncryptionError
from tandem.core.tasks import enqueue_later, enqueue_on_commit

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
SENDING_LEASE = timedelta(minutes=2)
UNCERTAIN_GIVE_UP = timedelta(minutes=15)
METADATA_PREFIX = "tandem:"

# A status only moves forward: a late "delivered" never undoes a "read".
_RANK: dict[str, int] = {
    OutboundStatus.QUEUED: 0,
    OutboundStatus.RETRYING: 0,
    OutboundStatus.SENDING: 1,
    OutboundStatus.UNCERTAIN: 2,
    OutboundStatus.SENT: 3,
    OutboundStatus.DELIVERED: 4,
    OutboundStatus.READ: 5,
}


CONFIRMED = (OutboundStatus.SENT, OutboundStatus.DELIVERED)


def call_metadata(call_id: object) -> str:
    """What we attach to a send so that Meta's echo or status tells us which call it was."""
    return f"{METADATA_PREFIX}{call_id}"


def outbound_enqueue(
    *,
    account: SocialAccount,
    kind: str,
    payload: dict[str, Any],
    idempotency_key: str,
    recipient_id: str = "",
) -> tuple[OutboundCall, bool]:
    """The call for ``idempotency_key``, created and scheduled if it did not exist yet."""
    from tandem.connectors.tasks import outbound_call_perform_task

    call, created = OutboundCall.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "account": account,
            "regional_bank_id": account.regional_bank_id,
            "kind": kind,
            "payload": payload,
            "recipient_id": recipient_id,
        },
    )
    if created:
        enqueue_on_commit(outbound_call_perform_task, str(call.pk))
    return call, created


def _retry_delay(attempts: int, hint: float | None) -> timedelta:
    ceiling = min(600.0, 2.0 * 2 ** max(0, attempts - 1))
    delay = random.uniform(ceiling / 2, ceiling)  # noqa: S311 — jitter, not secrecy
    return timedelta(seconds=max(delay, hint or 0.0))


def _claim(call_id: str) -> bool:
    now = timezone.now()
    return (
        OutboundCall.objects.filter(
            pk=call_id,
            status__in=[OutboundStatus.QUEUED, OutboundStatus.RETRYING],
            next_attempt_at__lte=now,
        ).update(status=OutboundStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
        == 1
    )


def _perform(client: GraphClient, call: OutboundCall) -> GraphResponse:  # noqa: PLR0911 — one per kind
    payload = call.payload
    account = call.account
    instagram = account.platform == "instagram"
    metadata = call_metadata(call.pk)
    match call.kind:
        case OutboundKind.MESSAGE if account.platform == "whatsapp":
            return client.send_whatsapp(
                phone_number_id=account.external_id,
                payload={**payload, "biz_opaque_callback_data": metadata},
            )
        case OutboundKind.MESSAGE:
            message = {**payload.get("message", {}), "metadata": metadata}
            return client.send_message(
                sender_id=account.external_id, payload={**payload, "message": message}
            )
        case OutboundKind.PRIVATE_REPLY:
            return client.private_reply(
                sender_id=account.external_id,
                comment_id=payload["comment_id"],
                text=payload["text"],
                metadata=metadata,
            )
        case OutboundKind.PUBLIC_REPLY:
            return client.public_reply(
                comment_id=payload["comment_id"], text=payload["text"], instagram=instagram
            )
        case OutboundKind.HIDE_COMMENT | OutboundKind.UNHIDE_COMMENT:
            return client.set_comment_hidden(
                comment_id=payload["comment_id"],
                hidden=call.kind == OutboundKind.HIDE_COMMENT,
                instagram=instagram,
            )
        case OutboundKind.DELETE_COMMENT:
            return client.delete_comment(comment_id=payload["comment_id"])
        case OutboundKind.PUBLISH_POST:
            return client.publish_post(
                page_id=account.external_id, message=payload["message"], link=payload.get("link")
            )
    raise ValueError(f"unsupported outbound kind {call.kind}")


def _external_id(data: dict[str, Any]) -> str:
    if isinstance(data.get("message_id"), str):
        return data["message_id"]
    messages = data.get("messages")
    if isinstance(messages, list) and messages and isinstance(messages[0], dict):
        return str(messages[0].get("id", ""))
    return str(data.get("id", ""))[:255]


def outbound_perform(*, call_id: str) -> str:  # noqa: PLR0911 — one return per outcome
    """Make the call if it is due and nobody else is making it; returns its new status."""
    from tandem.connectors.services import account_mark_unhealthy
    from tandem.connectors.tasks import outbound_call_perform_task

    if not _claim(call_id):
        return "not-due"
    call = OutboundCall.objects.select_related("account").get(pk=call_id)
    now = timezone.now()
    try:
        with GraphClient(access_token=call.account.access_token()) as client:
            response = _perform(client, call)
    except GraphError as error:
        retry = error.retryable and call.attempts < MAX_ATTEMPTS
        fields: dict[str, Any] = {
            "error_code": error.code,
            "error_subcode": error.subcode,
            "error_message": error.reason[:500],
        }
        if retry:
            next_at = now + _retry_delay(call.attempts, error.retry_after)
            _move(call, OutboundStatus.RETRYING, next_attempt_at=next_at, **fields)
            enqueue_later(outbound_call_perform_task, next_at, str(call.pk))
        else:
            _move(call, OutboundStatus.FAILED, **fields)
        if error.account_unhealthy:
            account_mark_unhealthy(
                account_id=call.account_id, code=error.code, message=error.reason
            )
        return OutboundStatus.RETRYING if retry else OutboundStatus.FAILED
    except NetworkError as error:
        if error.maybe_sent:
            _move(call, OutboundStatus.UNCERTAIN, error_message="Réponse de Meta perdue.")
            return OutboundStatus.UNCERTAIN
        if call.attempts < MAX_ATTEMPTS:
            next_at = now + _retry_delay(call.attempts, None)
            _move(
                call,
                OutboundStatus.RETRYING,
                next_attempt_at=next_at,
                error_message="Meta injoignable.",
            )
            enqueue_later(outbound_call_perform_task, next_at, str(call.pk))
            return OutboundStatus.RETRYING
        _move(call, OutboundStatus.FAILED, error_message="Meta injoignable.")
        return OutboundStatus.FAILED
    except EncryptionError:
        _move(call, OutboundStatus.FAILED, error_message="Jeton d'accès illisible.")
        account_mark_unhealthy(account_id=call.account_id, code=None, message="token unreadable")
        return OutboundStatus.FAILED
    external_id = _external_id(response.data)
    OutboundCall.objects.filter(pk=call.pk, status=OutboundStatus.SENDING).update(
        updated_at=now,
        status=OutboundStatus.SENT,
        sent_at=now,
        external_id=external_id,
        result=response.data,
        error_code=None,
        error_message="",
    )
    # An echo may have settled it first; it then lacks nothing but Meta's answer.
    OutboundCall.objects.filter(pk=call.pk, external_id="").update(
        external_id=external_id, result=response.data
    )
    return OutboundStatus.SENT


def _move(call: OutboundCall, status: str, **fields: Any) -> None:
    OutboundCall.objects.filter(pk=call.pk, status=OutboundStatus.SENDING).update(
        status=status, updated_at=timezone.now(), **fields
    )


def _advance(queryset: Any, status: str, stamp: str | None = None) -> int:
    """Move calls forward to ``status`` (never backwards); returns how many moved."""
    lower = [value for value, rank in _RANK.items() if rank < _RANK[status]]
    fields: dict[str, Any] = {"status": status, "updated_at": timezone.now()}
    if stamp:
        fields[stamp] = timezone.now()
    return int(queryset.filter(status__in=lower).update(**fields))


def outbound_settle_from_event(*, event: Event, account_id: int) -> None:
    """Apply an echo, delivery, read or WhatsApp status to the calls it is about."""
    calls = OutboundCall.objects.filter(account_id=account_id)
    if isinstance(event, MessageEcho):
        call_id = (event.metadata or "").removeprefix(METADATA_PREFIX)
        if event.metadata and event.metadata.startswith(METADATA_PREFIX):
            matched = calls.filter(pk=call_id) if _is_uuid(call_id) else calls.none()
            matched.filter(external_id="").update(external_id=event.message_id)
            _advance(matched, OutboundStatus.SENT, "sent_at")
    elif isinstance(event, Delivery):
        target = calls.filter(recipient_id=event.sender_id)
        # Meta's watermark is its own send time; ours is recorded after its answer. The claim
        # time (just before the call) never comes after Meta's, so compare with it.
        # A watermark only moves calls Meta confirmed; named mids may settle uncertain ones.
        condition = Q(claimed_at__lte=event.watermark, status__in=CONFIRMED)
        if event.mids:
            condition |= Q(external_id__in=list(event.mids))
        _advance(target.filter(condition), OutboundStatus.DELIVERED, "delivered_at")
    elif isinstance(event, Read):
        target = calls.filter(recipient_id=event.sender_id)
        if event.watermark is not None:
            confirmed = target.filter(claimed_at__lte=event.watermark, status__in=CONFIRMED)
            _advance(confirmed, OutboundStatus.READ, "read_at")
        elif event.mid:
            _advance(target.filter(external_id=event.mid), OutboundStatus.READ, "read_at")
    elif isinstance(event, WhatsAppStatus):
        _settle_whatsapp(calls, event)


def _settle_whatsapp(calls: Any, event: WhatsAppStatus) -> None:
    call_id = (event.callback_data or "").removeprefix(METADATA_PREFIX)
    condition = Q(external_id=event.wamid)
    if _is_uuid(call_id):
        condition |= Q(pk=call_id)
    target = calls.filter(condition)
    target.filter(external_id="").update(external_id=event.wamid)
    if event.status == WhatsAppStatusValue.FAILED:
        target.exclude(status=OutboundStatus.READ).update(
            status=OutboundStatus.FAILED,
            error_code=event.error_code,
            error_message=(event.error_title or "")[:500],
        )
        return
    mapping = {
        WhatsAppStatusValue.SENT: (OutboundStatus.SENT, "sent_at"),
        WhatsAppStatusValue.DELIVERED: (OutboundStatus.DELIVERED, "delivered_at"),
        WhatsAppStatusValue.READ: (OutboundStatus.READ, "read_at"),
    }
    if event.status in mapping:
        status, stamp = mapping[event.status]
        _advance(target, status, stamp)


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def outbound_sweep(*, limit: int = 500) -> dict[str, int]:
    """The periodic pass: retries that are due, claims whose worker died, and uncertain calls
    that nothing settled."""
    now = timezone.now()
    with transaction.atomic():
        orphaned = OutboundCall.objects.filter(
            status=OutboundStatus.SENDING, claimed_at__lt=now - SENDING_LEASE
        ).update(status=OutboundStatus.UNCERTAIN, error_message="Envoi interrompu.")
        given_up = OutboundCall.objects.filter(
            status=OutboundStatus.UNCERTAIN, claimed_at__lt=now - UNCERTAIN_GIVE_UP
        ).update(
            status=OutboundStatus.FAILED,
            error_message="Non confirmé par Meta : vérifiez avant de renvoyer.",
        )
    due = list(
        OutboundCall.objects.filter(
            status__in=[OutboundStatus.QUEUED, OutboundStatus.RETRYING], next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    results: dict[str, int] = {"orphaned": orphaned, "given_up": given_up}
    for call_id in due:
        outcome = outbound_perform(call_id=str(call_id))
        results[outcome] = results.get(outcome, 0) + 1
    return results
