"""Processing: the seam receives provider-neutral events; failures retry, then park."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from tandem.connectors.meta.events import CommentAdded, Delivery, MessageReceived, WhatsAppStatus
from tandem.connectors.meta.webhooks import MAX_ATTEMPTS, webhook_event_process
from tandem.connectors.models import EventStatus, WebhookEvent
from tandem.connectors.signals import event_received
from tandem.connectors.tests.helpers import fixture_bytes, post_webhook

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def receiver(function):
    event_received.connect(function, dispatch_uid="test-receiver")
    try:
        yield
    finally:
        event_received.disconnect(dispatch_uid="test-receiver")


def test_the_seam_receives_dataclasses_with_their_context(client, accounts):
    seen = []
    with receiver(lambda sender, event, context, **kw: seen.append((event, context))):
        post_webhook(client, fixture_bytes("page__message_text.json"))
        post_webhook(client, fixture_bytes("page__feed_comment_add.json"))
        post_webhook(client, fixture_bytes("whatsapp__statuses.json"))
        post_webhook(client, fixture_bytes("page__batched_delivery_read.json"))
    kinds = [type(event) for event, _ in seen]
    assert MessageReceived in kinds
    assert CommentAdded in kinds
    assert WhatsAppStatus in kinds
    assert Delivery in kinds
    message, context = next((e, c) for e, c in seen if isinstance(e, MessageReceived))
    assert message.text
    assert context.account_id == accounts["facebook"].pk
    assert context.regional_bank_id == accounts["facebook"].regional_bank_id
    assert context.owner_node_id == accounts["facebook"].owner_id
    assert context.idempotency_key.startswith("message:")


def test_a_failing_receiver_retries_then_parks_without_blocking_others(client, accounts):
    def explode(sender, event, context, **kwargs):
        if isinstance(event, MessageReceived):
            raise RuntimeError("inbox is broken")

    with receiver(explode):
        post_webhook(client, fixture_bytes("page__message_text.json"))
        post_webhook(client, fixture_bytes("page__feed_comment_add.json"))
        poisoned = WebhookEvent.objects.get(kind="message")
        assert poisoned.status == EventStatus.RETRYING
        assert "RuntimeError: inbox is broken" in poisoned.last_error
        assert WebhookEvent.objects.get(kind__startswith="feed").status == EventStatus.PROCESSED
        moment = timezone.now()
        for _ in range(MAX_ATTEMPTS):
            moment += timedelta(hours=2)
            with time_machine.travel(moment):
                call_command("process_events")
        poisoned.refresh_from_db()
        assert poisoned.status == EventStatus.PARKED
        assert poisoned.attempts == MAX_ATTEMPTS
    # Fixed: the operator replays parked events.
    seen = []
    with receiver(lambda sender, event, context, **kw: seen.append(event)):
        call_command("replay_events", "--dry-run")
        assert WebhookEvent.objects.get(pk=poisoned.pk).status == EventStatus.PARKED
        call_command("replay_events")
    poisoned.refresh_from_db()
    assert poisoned.status == EventStatus.PROCESSED
    assert len(seen) == 1


def test_replaying_any_event_changes_nothing(client, accounts):
    post_webhook(client, fixture_bytes("page__message_text.json"))
    post_webhook(client, fixture_bytes("whatsapp__message_text.json"))
    before = list(WebhookEvent.objects.order_by("pk").values_list("pk", "status", "body"))
    call_command("replay_events", "--status", "processed")
    call_command(
        "replay_events", "--account", accounts["whatsapp"].external_id, "--status", "processed"
    )
    after = list(WebhookEvent.objects.order_by("pk").values_list("pk", "status", "body"))
    assert after == before


def test_a_worker_that_died_mid_processing_is_taken_over(client, accounts):
    seen = []
    with receiver(lambda sender, event, context, **kw: seen.append(event)):
        # Simulate the task being lost: store without processing.
        from tandem.connectors.meta import storage

        original = storage.enqueue_many_atomically
        storage.enqueue_many_atomically = lambda *a, **k: None
        try:
            post_webhook(client, fixture_bytes("page__message_text.json"))
        finally:
            storage.enqueue_many_atomically = original
        event = WebhookEvent.objects.get()
        assert event.status == EventStatus.PENDING
        # A worker claimed it and died: the lease keeps others away until it expires.
        WebhookEvent.objects.filter(pk=event.pk).update(
            status=EventStatus.PROCESSING, locked_until=timezone.now() + timedelta(minutes=5)
        )
        assert webhook_event_process(event_id=event.pk) == "not-due"
        with time_machine.travel(timezone.now() + timedelta(minutes=6)):
            call_command("process_events")
    event.refresh_from_db()
    assert event.status == EventStatus.PROCESSED
    assert len(seen) == 1


def test_replay_events_validates_its_arguments(accounts):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="ISO date-time"):
        call_command("replay_events", "--since", "yesterday")
