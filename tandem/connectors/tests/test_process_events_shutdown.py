"""The ``process_events`` sweep, run by a worker that is told to stop, returns between two
events and leaves the rest due, so that the worker releases its lease before it exits."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tandem.connectors.models import EventStatus, WebhookEvent
from tandem.connectors.signals import event_received
from tandem.connectors.tests.test_processing_lease import stored_event
from tandem.core.models import PeriodicJobLease
from tandem.core.schedule import SCHEDULE, run_due_jobs

pytestmark = pytest.mark.django_db(transaction=True)

PROCESS_EVENTS = next(job for job in SCHEDULE if job.name == "process_events")


def test_the_sweep_stops_between_events_when_its_worker_stops(accounts):
    events = [stored_event(accounts["facebook"], number) for number in range(3)]
    stop = threading.Event()
    processed = []

    def sigterm_after_the_first(sender, event, context, **kwargs):
        processed.append(context.webhook_event_id)
        stop.set()

    event_received.connect(sigterm_after_the_first, dispatch_uid="test-stop")
    try:
        # Pending for a minute: their tasks never ran, the sweep takes them.
        with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
            assert run_due_jobs(worker_id="w1", schedule=(PROCESS_EVENTS,), stop=stop) == [
                "process_events"
            ]
            lease = PeriodicJobLease.objects.get(name="process_events")
            assert lease.leased_by == ""
            assert lease.last_succeeded is True
            assert lease.next_run_at == timezone.now()
    finally:
        event_received.disconnect(dispatch_uid="test-stop")
    assert len(processed) == 1
    statuses = sorted(
        WebhookEvent.objects.filter(pk__in=[e.pk for e in events]).values_list("status", flat=True)
    )
    assert statuses == [EventStatus.PENDING, EventStatus.PENDING, EventStatus.PROCESSED]
