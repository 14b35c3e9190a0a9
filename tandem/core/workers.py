"""Which workers are alive, and what a dead one leaves behind.

A worker killed outright (SIGKILL, the OOM killer, a power cut) cannot clean up: its
django-tasks row stays ``RUNNING`` for ever (django-tasks-db only ever takes ``READY`` rows) and
its periodic-job lease stays taken until it expires (up to 30 minutes). So every ``tandem
worker`` registers itself in ``WorkerProcess`` and beats every ``HEARTBEAT_INTERVAL``; when it
starts, and at each tick of its schedule, it looks for workers that are gone:

* on its own machine (same Linux boot id and PID namespace), a worker is gone as soon as no
  process with its PID *and* start time exists (a reused PID has another start time; a zombie
  counts as gone): a restarted worker takes over at once;
* elsewhere, when it has not beaten for ``HEARTBEAT_TIMEOUT``.

What a gone worker held is handed back: its periodic-job leases are released (the job stays
due, any worker takes it at its next tick) and its ``RUNNING`` task rows are made ``READY``
again, or marked failed once ``MAX_TASK_ATTEMPTS`` workers have died running the same row (a
task that kills its worker must not kill every worker in turn). Re-running a task is safe
because tasks are idempotent: ``webhook_event_process`` claims its event, and an outbound call
is claimed (``sending``) before Meta is called and never claimed again from there.

A worker that finds itself declared gone (frozen past the timeout, cut off from the database)
stops: what it held belongs to others by then. The hourly housekeeping also frees rows held by
workers missing from the registry (django-tasks-db's own ``db_worker``) after
``UNREGISTERED_TASK_TIMEOUT``.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tandem.core.models import PeriodicJobLease, WorkerProcess, WorkerStopReason

logger = logging.getLogger(__name__)

HEARTBEAT_INTERVAL = timedelta(seconds=10)
HEARTBEAT_TIMEOUT = timedelta(minutes=2)
MAX_TASK_ATTEMPTS = 3
UNREGISTERED_TASK_TIMEOUT = timedelta(hours=1)
REGISTRY_RETENTION = timedelta(days=7)
# django-tasks' statuses, as stored.
READY, RUNNING, FAILED = "READY", "RUNNING", "FAILED"
WORKER_LOST = "tandem.core.workers.WorkerLost"


# Sent with ``worker_ids`` (a set) when workers are found gone, before what they held is marked
# recovered: an app whose rows record the worker that claimed them hands them back at once
# (``connectors`` releases the webhook events a dead worker was processing).
worker_gone = Signal()

_current_worker_id = ""


def current_worker_id() -> str:
    """The id of the ``tandem worker`` this process is (empty elsewhere: web, commands)."""
    return _current_worker_id


def worker_identify(worker_id: str) -> None:
    """Record that this process is the worker ``worker_id`` (``tandem worker`` at its start)."""
    global _current_worker_id  # noqa: PLW0603 — one worker per process
    _current_worker_id = worker_id


class WorkerLost(Exception):
    """Recorded on a task row whose workers died running it ``MAX_TASK_ATTEMPTS`` times."""


# --------------------------------------------------------------------------------------------
# Processes


@dataclass(frozen=True)
class ProcessIdentity:
    """Enough to recognise a process later, from the same machine, even after PID reuse."""

    hostname: str
    pid: int
    boot_id: str = ""
    pid_namespace: str = ""
    process_start: str = ""

    def can_see(self, worker: WorkerProcess) -> bool:
        """True when ``worker``'s PID can be looked up from here (same boot, same namespace)."""
        return bool(self.boot_id and worker.process_start) and (
            worker.boot_id,
            worker.pid_namespace,
        ) == (self.boot_id, self.pid_namespace)


def process_start(pid: int, proc: Path = Path("/proc")) -> str | None:
    """The start time of process ``pid`` (clock ticks since boot), or None when there is no
    such process, or only its zombie."""
    try:
        stat = (proc / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # "pid (comm) state ppid …": comm may hold spaces and parentheses; fields 3.. follow the
    # last ")". The start time is field 22 (proc(5)).
    fields = stat.rpartition(")")[2].split()
    if len(fields) < 20 or fields[0] in ("Z", "X"):
        return None
    return fields[19]


def process_identity(proc: Path = Path("/proc")) -> ProcessIdentity:
    """This process; without /proc (not Linux), only its host name and PID."""
    pid = os.getpid()
    hostname = socket.gethostname()
    try:
        boot_id = (proc / "sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
        namespace = os.readlink(proc / "self/ns/pid")
    except OSError:
        return ProcessIdentity(hostname=hostname, pid=pid)
    return ProcessIdentity(
        hostname=hostname,
        pid=pid,
        boot_id=boot_id,
        pid_namespace=namespace,
        process_start=process_start(pid, proc) or "",
    )


def new_worker_id(identity: ProcessIdentity) -> str:
    """Unique across restarts (PIDs repeat, in containers at every start)."""
    return f"{identity.hostname[:40]}-{identity.pid}-{secrets.token_hex(3)}"


# --------------------------------------------------------------------------------------------
# The registry


def worker_register(*, worker_id: str, identity: ProcessIdentity) -> WorkerProcess:
    """Record a starting worker."""
    now = timezone.now()
    return WorkerProcess.objects.create(
        worker_id=worker_id,
        hostname=identity.hostname[:255],
        pid=identity.pid,
        boot_id=identity.boot_id,
        pid_namespace=identity.pid_namespace,
        process_start=identity.process_start,
        started_at=now,
        seen_at=now,
    )


def worker_beat(*, worker_id: str) -> bool:
    """Say the worker is alive. False when it was presumed dead meanwhile: it must stop."""
    return bool(
        WorkerProcess.objects.filter(worker_id=worker_id, stopped_at__isnull=True).update(
            seen_at=timezone.now()
        )
    )


def worker_stop(*, worker_id: str) -> None:
    """Record a clean end. What it still holds is handed back by the next recovery."""
    WorkerProcess.objects.filter(worker_id=worker_id, stopped_at__isnull=True).update(
        stopped_at=timezone.now(), stop_reason=WorkerStopReason.STOPPED
    )


# --------------------------------------------------------------------------------------------
# Recovery


@dataclass
class Recovery:
    """What one recovery pass found (or, dry, would have done)."""

    workers_gone: list[str] = field(default_factory=list)
    leases_released: list[str] = field(default_factory=list)
    tasks_requeued: int = 0
    tasks_failed: int = 0

    def __bool__(self) -> bool:
        return bool(
            self.workers_gone or self.leases_released or self.tasks_requeued or self.tasks_failed
        )

    def summary(self) -> str:
        return (
            f"workers gone: {len(self.workers_gone)}, job leases released: "
            f"{len(self.leases_released)}, tasks re-queued: {self.tasks_requeued}, "
            f"tasks failed: {self.tasks_failed}"
        )


def _gone_reason(
    worker: WorkerProcess, *, here: ProcessIdentity | None, now: datetime
) -> str | None:
    if here is not None and here.can_see(worker):
        # Authoritative both ways: a live process is not gone, however late its beat.
        if process_start(worker.pid) == worker.process_start:
            return None
        return WorkerStopReason.PROCESS_ENDED
    if worker.seen_at < now - HEARTBEAT_TIMEOUT:
        return WorkerStopReason.NO_HEARTBEAT
    return None


def worker_orphans_recover(
    *,
    here: ProcessIdentity | None,
    now: datetime | None = None,
    thorough: bool = False,
    dry_run: bool = False,
) -> Recovery:
    """Find the workers that are gone and hand back what they held.

    Cheap when nothing happened (two small queries), so every schedule tick runs it.
    ``thorough`` (the hourly housekeeping) also looks at every running task: those of workers
    gone long ago, and those of workers not in the registry for ``UNREGISTERED_TASK_TIMEOUT``.
    Safe to run from several workers at once: every change is a conditional update.
    """
    now = now or timezone.now()
    recovery = Recovery()
    for worker in WorkerProcess.objects.filter(stopped_at__isnull=True):
        reason = _gone_reason(worker, here=here, now=now)
        if reason is None:
            continue
        if not dry_run:
            still_silent = Q(seen_at=worker.seen_at)  # it has not beaten since we looked
            if not WorkerProcess.objects.filter(
                still_silent, worker_id=worker.worker_id, stopped_at__isnull=True
            ).update(stopped_at=now, stop_reason=reason):
                continue
            logger.warning(
                "worker.presumed_dead",
                extra={"worker_id": worker.worker_id, "reason": reason},
            )
        recovery.workers_gone.append(worker.worker_id)

    unrecovered = set(
        WorkerProcess.objects.filter(
            stopped_at__isnull=False, recovered_at__isnull=True
        ).values_list("worker_id", flat=True)
    )
    if dry_run:
        unrecovered |= set(recovery.workers_gone)
    if not unrecovered and not thorough:
        return recovery

    holders = PeriodicJobLease.objects.filter(leased_by__in=unrecovered, leased_until__isnull=False)
    for name, holder in holders.values_list("name", "leased_by"):
        # The job keeps its ``next_run_at``: it is due, the next tick of any worker takes it.
        if dry_run or PeriodicJobLease.objects.filter(name=name, leased_by=holder).update(
            leased_until=None,
            leased_by="",
            last_finished_at=now,
            last_succeeded=False,
            last_error=f"Interrupted: worker {holder} is gone.",
        ):
            recovery.leases_released.append(name)
            logger.warning("periodic_job.lease_released", extra={"job": name, "worker_id": holder})

    _tasks_recover(recovery, gone=unrecovered, now=now, thorough=thorough, dry_run=dry_run)
    if unrecovered and not dry_run:
        worker_gone.send(sender=WorkerProcess, worker_ids=unrecovered, now=now)
    if not dry_run:
        WorkerProcess.objects.filter(worker_id__in=unrecovered, recovered_at__isnull=True).update(
            recovered_at=now
        )
    return recovery


def _tasks_recover(
    recovery: Recovery, *, gone: set[str], now: datetime, thorough: bool, dry_run: bool
) -> None:
    running = list(
        DBTaskResult.objects.filter(status=RUNNING).values_list(
            "id", "task_path", "worker_ids", "started_at"
        )
    )
    if not running:
        return
    holders = {ids[-1] if ids else "" for _, _, ids, _ in running}
    known: set[str] = set(holders)
    if thorough:
        registry = dict(
            WorkerProcess.objects.filter(worker_id__in=holders).values_list(
                "worker_id", "stopped_at"
            )
        )
        gone = gone | {worker_id for worker_id, stopped in registry.items() if stopped}
        known = set(registry)
    for task_id, task_path, worker_ids, started_at in running:
        holder = worker_ids[-1] if worker_ids else ""
        orphaned = holder in gone or (
            holder not in known
            and started_at is not None
            and started_at < now - UNREGISTERED_TASK_TIMEOUT
        )
        if not orphaned:
            continue
        attempts = len(worker_ids)
        row = DBTaskResult.objects.filter(id=task_id, status=RUNNING, started_at=started_at)
        if attempts >= MAX_TASK_ATTEMPTS:
            if dry_run or row.update(
                status=FAILED,
                finished_at=now,
                return_value=None,
                exception_class_path=WORKER_LOST,
                traceback=(
                    f"{WORKER_LOST}: {attempts} workers died running this task "
                    f"(the last: {holder or 'unknown'}); it is not run again.\n"
                ),
            ):
                recovery.tasks_failed += 1
                logger.error(
                    "worker.task_abandoned",
                    extra={"task_id": str(task_id), "task": task_path, "attempts": attempts},
                )
        elif dry_run or row.update(status=READY):
            recovery.tasks_requeued += 1
            logger.warning(
                "worker.task_requeued",
                extra={"task_id": str(task_id), "task": task_path, "worker_id": holder},
            )


def workers_forget(*, before: datetime, dry_run: bool = False) -> int:
    """Delete the registry rows of workers stopped and recovered before ``before``."""
    rows = WorkerProcess.objects.filter(recovered_at__lt=before)
    if dry_run:
        return rows.count()
    deleted, _ = rows.delete()
    return deleted
