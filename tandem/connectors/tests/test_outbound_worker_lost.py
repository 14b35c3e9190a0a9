"""A worker killed while running outbound tasks: once its task rows are queued again and run by
another worker, a call it had claimed is never sent again, a call it had not claimed is sent
once."""

import json
import os
from datetime import timedelta

import httpx
import pytest
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max

from tandem.connectors.meta import client as client_module
from tandem.connectors.models import OutboundCall, OutboundKind, OutboundStatus
from tandem.connectors.outbound import outbound_enqueue, outbound_sweep
from tandem.core.models import WorkerProcess
from tandem.core.workers import ProcessIdentity, worker_orphans_recover

pytestmark = pytest.mark.django_db(transaction=True)

TASK = "tandem.connectors.tasks.outbound_call_perform_task"
HERE = ProcessIdentity(hostname="host-a", pid=os.getpid(), boot_id="boot-a")


@pytest.fixture
def meta_requests():
    requests = []

    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(json.loads(request.content or b"{}"))
        number = len(requests)
        return httpx.Response(200, json={"recipient_id": "psid", "message_id": f"m_{number}"})

    client_module.set_transport(httpx.MockTransport(handle))
    yield requests
    client_module.set_transport(None)


def reply(account, number):
    call, _ = outbound_enqueue(
        account=account,
        kind=OutboundKind.MESSAGE,
        payload={
            "recipient": {"id": "psid"},
            "messaging_type": "RESPONSE",
            "message": {"text": f"Réponse {number}"},
        },
        idempotency_key=f"worker-lost:{number}",
        recipient_id="psid",
    )
    return call


def running_row(call, worker_id):
    return DBTaskResult.objects.create(
        args_kwargs={"args": [str(call.pk)], "kwargs": {}},
        task_path=TASK,
        backend_name="default",
        run_after=get_date_max(),
        status="RUNNING",
        started_at=timezone.now(),
        worker_ids=[worker_id],
    )


def test_requeued_outbound_tasks_never_send_a_claimed_call_again(accounts, meta_requests):
    account = accounts["facebook"]
    # The tests' backend runs tasks at once, on commit: these calls are made now, once each.
    claimed, unclaimed = reply(account, 1), reply(account, 2)
    assert len(meta_requests) == 2
    # Now the state a killed worker leaves: it had claimed the first call and called Meta (no
    # answer recorded), and died before claiming the second.
    OutboundCall.objects.filter(pk=claimed.pk).update(
        status=OutboundStatus.SENDING, external_id="", sent_at=None
    )
    OutboundCall.objects.filter(pk=unclaimed.pk).update(
        status=OutboundStatus.QUEUED, external_id="", sent_at=None, attempts=0
    )
    meta_requests.clear()
    WorkerProcess.objects.create(
        worker_id="killed", hostname="host-b", pid=1, boot_id="boot-b", stopped_at=timezone.now()
    )
    rows = [running_row(claimed, "killed"), running_row(unclaimed, "killed")]

    assert worker_orphans_recover(here=HERE).tasks_requeued == 2
    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="new",
        excluded_queue_names=[],
    ).run()

    results = {}
    for row in rows:
        row.refresh_from_db()
        assert row.status == "SUCCESSFUL"
        assert row.worker_ids == ["killed", "new"]
        results[row.args_kwargs["args"][0]] = row.return_value
    assert results == {str(claimed.pk): "not-due", str(unclaimed.pk): OutboundStatus.SENT}
    assert [request["message"]["text"] for request in meta_requests] == ["Réponse 2"]
    claimed.refresh_from_db()
    assert claimed.status == OutboundStatus.SENDING
    # The sweep settles the claimed call as uncertain, never as something to resend.
    OutboundCall.objects.filter(pk=claimed.pk).update(
        claimed_at=timezone.now() - timedelta(minutes=3)
    )
    assert outbound_sweep()["orphaned"] == 1
    claimed.refresh_from_db()
    assert claimed.status == OutboundStatus.UNCERTAIN
    assert len(meta_requests) == 1
