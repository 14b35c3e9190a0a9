"""An event claimed by a worker that dies is handed back as soon as the worker is found gone,
not when its claim (``TANDEM_EVENT_PROCESSING_LEASE_SECONDS``) expires."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tandem.connectors.meta import storage, webhooks
from tandem.connectors.meta.webhooks import webhook_event_process
from tandem.connectors.models import EventStatus, WebhookEvent
from tandem.connectors.tests.helpers import fixture_bytes, post_webhook
from tandem.core import workers
from tandem.core.models import WorkerProcess
from tandem.core.workers import ProcessIdentity, worker_identify, worker_orphans_recover

pytestmark = pytest.mark.django_db(transaction=True)

HERE = ProcessIdentity(hostname="host-a", pid=1, boot_id="boot-a", pid_namespace="pid:[1]")


@pytest.fixture
def as_worker():
    def identify(worker_id: str) -> None:
        worker_identify(worker_id)

    yield identify
    worker_identify("")


def registered(worker_id: str, *, seen_ago: timedelta) -> None:
    # On another machine: gone once it has been silent for the heartbeat timeout.
    WorkerProcess.objects.create(
        worker_id=worker_id,
        hostname="host-b",
        pid=4242,
        boot_id="boot-b",
        pid_namespace="pid:[1]",
        process_start="1",
        seen_at=timezone.now() - seen_ago,
    )


def test_a_claim_records_its_worker(client, accounts, as_worker, monkeypatch):
    monkeypatch.setattr(storage, "enqueue_many_atomically", lambda *a, **k: None)
    post_webhook(client, fixture_bytes("page__message_text.json"))
    event = WebhookEvent.objects.get()
    as_worker("worker-1")
    seen = []
    original = webhooks._apply_own

    def spy(parsed, context):
        seen.append(WebhookEvent.objects.get(pk=event.pk).locked_by)
        return original(parsed, context)

    monkeypatch.setattr(webhooks, "_apply_own", spy)
    assert webhook_event_process(event_id=event.pk) == "processed"
    assert seen == ["worker-1"]  # held while processing
    event.refresh_from_db()
    assert (event.status, event.locked_by, event.locked_until) == (EventStatus.PROCESSED, "", None)


def test_the_claims_of_a_dead_worker_are_handed_back_at_once(client, accounts, monkeypatch):
    monkeypatch.setattr(storage, "enqueue_many_atomically", lambda *a, **k: None)
    post_webhook(client, fixture_bytes("page__message_text.json"))
    post_webhook(client, fixture_bytes("page__feed_comment_add.json"))
    post_webhook(client, fixture_bytes("whatsapp__message_text.json"))
    first, second, third = WebhookEvent.objects.order_by("pk")
    lease = timezone.now() + timedelta(minutes=5)
    for event, holder in ((first, "dead"), (second, "alive"), (third, "")):
        WebhookEvent.objects.filter(pk=event.pk).update(
            status=EventStatus.PROCESSING, locked_until=lease, locked_by=holder, attempts=1
        )
    registered("dead", seen_ago=workers.HEARTBEAT_TIMEOUT + timedelta(seconds=5))
    registered("alive", seen_ago=timedelta(seconds=1))
    # Before: the claim keeps everyone away.
    assert webhook_event_process(event_id=first.pk) == "not-due"

    recovery = worker_orphans_recover(here=HERE)

    assert recovery.workers_gone == ["dead"]
    first.refresh_from_db()
    assert first.status == EventStatus.RETRYING
    assert (first.locked_by, first.locked_until) == ("", None)
    assert first.next_attempt_at <= timezone.now()
    assert "gone" in first.last_error
    for untouched in (second, third):
        untouched.refresh_from_db()
        assert untouched.status == EventStatus.PROCESSING
        assert untouched.locked_until == lease
    # Due again at once, and processed once.
    assert webhook_event_process(event_id=first.pk) == "processed"
    first.refresh_from_db()
    assert first.status == EventStatus.PROCESSED
    # A second pass finds nothing more.
    assert not worker_orphans_recover(here=HERE)
    assert WebhookEvent.objects.filter(status=EventStatus.PROCESSING).count() == 2
