"""With the production queue (django-tasks' database backend), a delivery's new events and
their processing tasks are committed together, in one transaction, or not at all."""

import json

import pytest
from django.db import transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from tandem.connectors.meta.payloads import load_payload, split_batch
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
