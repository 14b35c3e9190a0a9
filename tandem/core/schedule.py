"""Periodic jobs: the one documented schedule, and the lease that keeps them from overlapping.

Every periodic job is a management command (so it can be run by hand, with ``--dry-run``), listed
in ``SCHEDULE`` with its interval. ``tandem worker`` runs ``run_due_jobs`` in a loop beside the
task worker. A job is taken with one conditional UPDATE on ``PeriodicJobLease``: only the worker
whose UPDATE matched runs it, so a job never runs twice at once even with many workers on many
machines. A lease held by a worker that is gone (killed, see ``tandem.core.workers``) is released
as soon as another worker notices, at its start or its next tick; a lease that outlives its
duration (a job stuck in a live worker) expires and the job is taken again. A worker that stops
cleanly finishes the job it is running, releases its lease, and starts no other; a job that works
through a backlog checks ``stop_requested()`` between items and returns early, and stays due.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from tandem.core.models import PeriodicJobLease

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    command: str
    every: timedelta
    # A job still running after this long is presumed dead (its worker crashed).
    lease: timedelta = timedelta(minutes=30)
    arguments: tuple[str, ...] = field(default_factory=tuple)


# The schedule. Apps add their jobs here, in one place, so operators can read it at a glance.
SCHEDULE: tuple[PeriodicJob, ...] = (
    PeriodicJob(name="housekeeping", command="housekeeping", every=timedelta(hours=1)),
    # Webhook events stored but not processed (worker down, crash, retries that are due).
    PeriodicJob(
        name="process_events",
        command="process_events",
        every=timedelta(seconds=30),
        lease=timedelta(minutes=2),
    ),
    # Service levels: warnings before a breach, escalation after; snoozed conversations wake up.
    PeriodicJob(name="sla_sweep", command="sla_sweep", every=timedelta(minutes=1)),
    # Waiting conversations handed out when branches open or people come back.
    PeriodicJob(name="dispatch_queues", command="dispatch_queues", every=timedelta(minutes=1)),
    # Is each account's token still accepted, are our webhooks still subscribed?
    PeriodicJob(name="check_accounts", command="check_accounts", every=timedelta(hours=1)),
    # Calls to Meta that are due, and calls a dead worker left unsettled.
    PeriodicJob(
        name="send_outbound",
        command="send_outbound",
        every=timedelta(seconds=30),
        lease=timedelta(minutes=5),
    ),
    # Retention: anonymise expired conversations, delete old raw events, blank old calls.
    PeriodicJob(name="purge_expired", command="purge_expired", every=timedelta(hours=24)),
)


# The stop event of the worker whose schedule runs the current job (None outside the schedule).
_worker_stop: ContextVar[threading.Event | None] = ContextVar("worker_stop", default=None)


def stop_requested() -> bool:
    """True when the worker running this job is shutting down: a job working through a backlog
    returns between two items, so that its lease is released before the worker exits."""
    stop = _worker_stop.get()
    return stop is not None and stop.is_set()


def job_acquire(*, job: PeriodicJob, worker_id: str) -> bool:
    """Take the lease of ``job`` if it is due and nobody holds it. True when this worker won."""
    now = timezone.now()
    PeriodicJobLease.objects.get_or_create(name=job.name, defaults={"next_run_at": now})
    taken = (
        PeriodicJobLease.objects.filter(name=job.name, next_run_at__lte=now)
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .update(leased_until=now + job.lease, leased_by=worker_id, last_started_at=now)
    )
    return taken == 1


def job_release(
    *, job: PeriodicJob, worker_id: str, error: str = "", interrupted: bool = False
) -> None:
    """Hand the lease back; the job is next due after its interval, or at once when it was
    ``interrupted`` (its worker stopping) and may have left work undone."""
    now = timezone.now()
    PeriodicJobLease.objects.filter(name=job.name, leased_by=worker_id).update(
        leased_until=None,
        leased_by="",
        last_finished_at=now,
        last_succeeded=not error,
        last_error=error[-4000:],
        next_run_at=now if interrupted else now + job.every,
    )


def run_due_jobs(
    *,
    worker_id: str,
    schedule: tuple[PeriodicJob, ...] = SCHEDULE,
    runner: Callable[[PeriodicJob], None] | None = None,
    stop: threading.Event | None = None,
) -> list[str]:
    """Run every due job this worker manages to lease; return the names of those it ran.
    Once ``stop`` is set (the worker is shutting down), no further job is started."""
    ran = []
    for job in schedule:
        if stop is not None and stop.is_set():
            break
        if not job_acquire(job=job, worker_id=worker_id):
            continue
        error = ""
        token = _worker_stop.set(stop)
        try:
            if runner is not None:
                runner(job)
            else:
                call_command(job.command, *job.arguments)
        except Exception:
            error = traceback.format_exc()
            logger.exception("periodic_job.failed", extra={"job": job.name})
        finally:
            _worker_stop.reset(token)
            interrupted = stop is not None and stop.is_set()
            job_release(job=job, worker_id=worker_id, error=error, interrupted=interrupted)
        ran.append(job.name)
    return ran
