"""The claim on an event lasts ``TANDEM_EVENT_PROCESSING_LEASE_SECONDS``; a worker killed while
processing leaves a claim that the sweep takes over once it has expired, not before."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from tandem.connectors.meta.payloads import split_batch
from tandem.connectors.meta.webhooks import webhook_event_process
from tandem.connectors.models import EventStatus, WebhookEvent
from tandem.connectors.signals import event_received
from tandem.connectors.tests.helpers import fixture

pytestmark = pytest.mark.django_db(transaction=True)


class WorkerKilled(BaseException):
    """Stands for SIGKILL: not an ``Exception``, so nothing records a failure."""


def stored_event(account, number: int = 0) -> WebhookEvent:
    """The fixture's message (its ``number``-th copy), stored as the endpoint stores it,
    without its task."""
    (raw,) = split_batch(fixture("page__message_text.json"))
    return WebhookEvent.objects.create(
        object=raw.object,
        account_external_id=raw.account_external_id,
        account=account,
        regional_bank_id=account.regional_bank_id,
        kind=raw.kind,
        idempotency_key=f"{raw.idempotency_key}:{number}" if number else raw.idempotency_key,
        occurred_at=raw.occurred_at,
        body=raw.body,
    )


@override_settings(TANDEM_EVENT_PROCESSING_LEASE_SECONDS=42)
def test_a_claim_lasts_the_configured_lease(accounts):
    event = stored_event(accounts["facebook"])
    seen = []

    def look(sender, event, context, **kwargs):
        seen.append(WebhookEvent.objects.get(pk=context.webhook_event_id).locked_until)

    event_received.connect(look, dispatch_uid="test-lease")
    try:
        with time_machine.travel(timezone.now(), tick=False):
            claimed_at = timezone.now()
            assert webhook_event_process(event_id=event.pk) == "processed"
    finally:
        event_received.disconnect(dispatch_uid="test-lease")
    assert seen == [claimed_at + timedelta(seconds=42)]
    event.refresh_from_db()
    assert event.locked_until is None


@override_settings(TANDEM_EVENT_PROCESSING_LEASE_SECONDS=10)
def test_a_killed_workers_claim_is_taken_over_after_the_configured_lease(accounts):
    event = stored_event(accounts["facebook"])

    def die(sender, event, context, **kwargs):
        raise WorkerKilled

    with time_machine.travel(timezone.now(), tick=False) as traveller:
        event_received.connect(die, dispatch_uid="test-lease")
        try:
            with pytest.raises(WorkerKilled):
                webhook_event_process(event_id=event.pk)
        finally:
            event_received.disconnect(dispatch_uid="test-lease")
        event.refresh_from_db()
        # The claim was committed before processing; the processing was rolled back.
        assert event.status == EventStatus.PROCESSING
        assert event.attempts == 1
        traveller.shift(timedelta(seconds=9))
        call_command("process_events")
        event.refresh_from_db()
        assert event.status == EventStatus.PROCESSING
        traveller.shift(timedelta(seconds=2))
        call_command("process_events")
    event.refresh_from_db()
    assert event.status == EventStatus.PROCESSED
    assert event.attempts == 2
