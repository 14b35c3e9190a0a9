"""With the production queue (django-tasks' database backend), a delivery's new events and
their processing tasks are committed together, in one transaction, or not at all."""

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from tandem.connectors.meta.payloads import RawEvent, load_payload, split_batch
from tandem.connectors.meta.webhooks import webhook_ingest
from tandem.connectors.models import EventStatus, WebhookEvent
from tandem.connectors.tests.helpers import fixture_bytes, post_webhook
from tandem.core.tasks import enqueue_many_atomically, task

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
PROCESS_TASK = "tandem.connectors.tasks.webhook_event_process_task"


SEEN: list[tuple[int, str]] = []


@task()
def noted(value: int, label: str) -> None:
    """A task for the tests: runs only with the immediate backend of the test settings."""
    SEEN.append((value, label))


def _events(name: str):
    return split_batch(load_payload(fixture_bytes(name)))


@override_settings(TASKS=DATABASE_QUEUE)
def test_every_new_pending_event_gets_one_task_row_in_the_same_transaction(client, accounts):
    response = post_webhook(client, fixture_bytes("page__batched_delivery_read.json"))
    assert response.status_code == 200
    events = list(WebhookEvent.objects.order_by("pk"))
    assert len(events) >= 2
    assert all(event.status == EventStatus.PENDING for event in events)
    tasks = list(DBTaskResult.objects.all())
    assert sorted(row.args_kwargs["args"][0] for row in tasks) == [event.pk for event in events]
    assert {row.task_path for row in tasks} == {PROCESS_TASK}
    assert {row.status for row in tasks} == {"READY"}
    assert all(row.args_kwargs["kwargs"] == {} for row in tasks)
    # The rows are those the worker claims: ready now, in the default queue.
    assert DBTaskResult.objects.ready().count() == len(events)


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_redelivery_stores_nothing_and_enqueues_nothing(client, accounts):
    body = fixture_bytes("page__batched_delivery_read.json")
    post_webhook(client, body)
    before = (WebhookEvent.objects.count(), DBTaskResult.objects.count())
    for _ in range(3):
        assert post_webhook(client, body).status_code == 200
    assert (WebhookEvent.objects.count(), DBTaskResult.objects.count()) == before


@override_settings(TASKS=DATABASE_QUEUE)
def test_events_of_unknown_accounts_are_stored_without_a_task(client):
    post_webhook(client, fixture_bytes("page__message_text.json"))
    event = WebhookEvent.objects.get()
    assert event.status == EventStatus.UNKNOWN_ACCOUNT
    assert DBTaskResult.objects.count() == 0


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_rolled_back_transaction_leaves_neither_events_nor_tasks(accounts):
    class Boom(Exception):
        pass

    seen = []

    def ingest_then_fail():
        with transaction.atomic():
            seen.append(webhook_ingest(raw_events=_events("page__message_text.json")).stored)
            seen.append(DBTaskResult.objects.count())
            raise Boom

    with pytest.raises(Boom):
        ingest_then_fail()
    assert seen == [1, 1]
    assert WebhookEvent.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_batch_repeating_an_event_stores_it_once(accounts):
    events = _events("page__message_text.json")
    result = webhook_ingest(raw_events=events + events)
    assert (result.received, result.stored, result.duplicates) == (2, 1, 1)
    assert WebhookEvent.objects.count() == 1
    assert DBTaskResult.objects.count() == 1


@override_settings(TASKS=DATABASE_QUEUE)
def test_enqueue_many_writes_the_rows_the_backend_writes():
    noted.enqueue(1, "a")
    single = DBTaskResult.objects.get()
    DBTaskResult.objects.all().delete()
    with transaction.atomic():
        enqueue_many_atomically(noted, [(1, "a"), (2, "b")])
    rows = list(DBTaskResult.objects.order_by("args_kwargs__args__0"))
    assert [row.args_kwargs for row in rows] == [
        {"args": [1, "a"], "kwargs": {}},
        {"args": [2, "b"], "kwargs": {}},
    ]
    for row in rows:
        for name in ("task_path", "priority", "queue_name", "backend_name", "run_after", "status"):
            assert getattr(row, name) == getattr(single, name), name
    assert json.loads(json.dumps(rows[0].args_kwargs)) == rows[0].args_kwargs


def test_enqueue_many_without_a_database_queue_runs_after_commit():
    SEEN.clear()
    with transaction.atomic():
        enqueue_many_atomically(noted, [(1, "a"), (2, "b")])
        assert SEEN == []
    assert SEEN == [(1, "a"), (2, "b")]


@override_settings(TASKS=DATABASE_QUEUE)
def test_stored_rows_hold_what_the_model_would_store(accounts):
    """The endpoint's SQL is built once per process (``storage``): every column must still get
    the value the model gives it, and the body come back exactly."""
    account = accounts["facebook"]
    tricky = {
        "text": "Bonjour, l'été « chaud » 🌞 \\ \" \u2028 fin",
        "nested": [{"a": [1, 2.5, None, True]}, {"é": {"ü": "x" * 2000}}],
        "object": "page",
    }
    raw = RawEvent(
        object="page",
        account_external_id=account.external_id,
        kind="message",
        idempotency_key="test:tricky",
        occurred_at=datetime(2026, 11, 28, 14, 30, 1, 123000, tzinfo=UTC),
        body=tricky,
    )
    unknown = replace(raw, kind="unknown", idempotency_key="test:unknown", occurred_at=None)
    stranger = replace(raw, account_external_id="999", idempotency_key="test:stranger")
    moment = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        result = webhook_ingest(raw_events=[raw, unknown, stranger])
    assert (result.stored, result.duplicates) == (3, 0)
    stored = {event.idempotency_key: event for event in WebhookEvent.objects.all()}
    first = stored["test:tricky"]
    assert first.body == tricky
    assert (first.object, first.kind) == ("page", "message")
    assert first.account_external_id == account.external_id
    assert (first.account_id, first.regional_bank_id) == (account.pk, account.regional_bank_id)
    assert first.occurred_at == raw.occurred_at
    assert first.received_at == first.next_attempt_at == moment
    defaults = WebhookEvent()
    for name in ("attempts", "locked_until", "locked_by", "processed_at", "last_error"):
        assert getattr(first, name) == getattr(defaults, name), name
    assert first.body_masked is False
    assert stored["test:unknown"].status == EventStatus.UNKNOWN_KIND
    assert stored["test:unknown"].occurred_at is None
    assert stored["test:stranger"].status == EventStatus.UNKNOWN_ACCOUNT
    assert stored["test:stranger"].account_id is None
    task_row = DBTaskResult.objects.get()
    assert task_row.args_kwargs == {"args": [first.pk], "kwargs": {}}
    assert task_row.enqueued_at == moment


@override_settings(TASKS=DATABASE_QUEUE)
def test_each_delivery_enqueues_at_its_own_time(client, accounts):
    """What the statement keeps from one delivery to the next is constant; the time is not."""
    times = [datetime(2026, 11, 28, 9, tzinfo=UTC), datetime(2026, 11, 28, 10, tzinfo=UTC)]
    names = ("page__message_text.json", "page__feed_comment_add.json")
    for moment, name in zip(times, names, strict=True):
        with time_machine.travel(moment, tick=False):
            assert post_webhook(client, fixture_bytes(name)).status_code == 200
    events = WebhookEvent.objects.order_by("pk")
    assert [event.received_at for event in events] == times
    rows = DBTaskResult.objects.order_by("enqueued_at")
    assert [row.enqueued_at for row in rows] == times
    assert [row.args_kwargs["args"][0] for row in rows] == [event.pk for event in events]
