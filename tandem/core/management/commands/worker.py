"""``tandem worker``: the task worker and the periodic schedule, in one process.

The task loop is django-tasks-db's worker (claims with SKIP LOCKED on PostgreSQL). Beside it run
two threads: the schedule (see ``tandem.core.schedule`` for why jobs never overlap) and the
heartbeat of the worker registry (``tandem.core.workers``). When the worker starts, and at each
tick of the schedule, what killed workers left behind is handed back: their running task rows
are queued again, their job leases released. On SIGTERM or SIGINT the worker finishes its
current task, the schedule its current job (and releases its lease), then the worker records
its end.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from argparse import ArgumentParser
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Worker

from tandem.core.schedule import run_due_jobs
from tandem.core.workers import (
    HEARTBEAT_INTERVAL,
    ProcessIdentity,
    new_worker_id,
    process_identity,
    worker_beat,
    worker_identify,
    worker_orphans_recover,
    worker_register,
    worker_stop,
)

logger = logging.getLogger(__name__)

# How long a stopping worker waits for the schedule's current job before it exits anyway.
SHUTDOWN_GRACE_SECONDS = 10.0


def schedule_loop(
    *, worker_id: str, identity: ProcessIdentity, interval: float, stop: threading.Event
) -> None:
    while not stop.is_set():
        close_old_connections()
        try:
            worker_orphans_recover(here=identity)
        except Exception:
            logger.exception("worker.recovery_failed")
        try:
            run_due_jobs(worker_id=worker_id, stop=stop)
        except Exception:
            # A broken database connection must not kill the schedule: try again next tick.
            logger.exception("schedule.tick_failed")
        finally:
            connection.close()
        stop.wait(interval)


def heartbeat_loop(
    *, worker_id: str, interval: float, stop: threading.Event, on_lost: Callable[[], None]
) -> None:
    """Beat until ``stop``; if the others presumed this worker dead, call ``on_lost`` once."""
    while not stop.wait(interval):
        close_old_connections()
        try:
            alive = worker_beat(worker_id=worker_id)
        except Exception:
            logger.exception("worker.heartbeat_failed")  # a missed beat; the next may pass
            alive = True
        finally:
            connection.close()
        if not alive:
            logger.error("worker.presumed_dead_by_others", extra={"worker_id": worker_id})
            on_lost()
            return


def stop_gracefully() -> None:
    # The task loop's own SIGTERM handling: finish the current task, then exit.
    os.kill(os.getpid(), signal.SIGTERM)


class Command(BaseCommand):
    help = "Run background tasks and the periodic schedule."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--interval", type=float, default=0.5, help="Idle poll, seconds.")
        parser.add_argument(
            "--schedule-interval", type=float, default=30.0, help="Schedule tick, seconds."
        )
        parser.add_argument(
            "--no-schedule", action="store_true", help="Run tasks only, not the schedule."
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run the jobs that are due once, drain the queue, then exit (cron, scripts).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        identity = process_identity()
        worker_id = new_worker_id(identity)
        worker_register(worker_id=worker_id, identity=identity)
        worker_identify(worker_id)
        stop = threading.Event()
        schedule: threading.Thread | None = None
        try:
            recovery = worker_orphans_recover(here=identity)
            if recovery:
                self.stdout.write(f"left by dead workers: {recovery.summary()}")
            threading.Thread(
                target=heartbeat_loop,
                kwargs={
                    "worker_id": worker_id,
                    "interval": HEARTBEAT_INTERVAL.total_seconds(),
                    "stop": stop,
                    "on_lost": stop_gracefully,
                },
                name="tandem-heartbeat",
                daemon=True,
            ).start()
            if options["batch"] and not options["no_schedule"]:
                ran = run_due_jobs(worker_id=worker_id, stop=stop)
                self.stdout.write(f"periodic jobs run: {', '.join(ran) or 'none due'}")
            elif not options["no_schedule"]:
                schedule = threading.Thread(
                    target=schedule_loop,
                    kwargs={
                        "worker_id": worker_id,
                        "identity": identity,
                        "interval": options["schedule_interval"],
                        "stop": stop,
                    },
                    name="tandem-schedule",
                    daemon=True,
                )
                schedule.start()
            worker = Worker(
                queue_names=["*"],
                interval=options["interval"],
                batch=options["batch"],
                backend_name="default",
                startup_delay=not options["batch"],
                max_tasks=None,
                worker_id=worker_id,
                excluded_queue_names=[],
            )
            worker.configure_signals()
            self.stdout.write(f"tandem worker {worker_id} started")
            worker.run()
        finally:
            stop.set()
            self.shut_down(worker_id, schedule)

    def shut_down(self, worker_id: str, schedule: threading.Thread | None) -> None:
        if schedule is not None:
            schedule.join(timeout=SHUTDOWN_GRACE_SECONDS)
            if schedule.is_alive():
                # Its job dies with the process; the lease is handed back once another worker
                # sees the process gone. Recording the end now could let a job start twice.
                logger.warning("worker.stopped_during_job", extra={"worker_id": worker_id})
                return
        try:
            close_old_connections()
            worker_stop(worker_id=worker_id)
        except Exception:
            logger.exception("worker.stop_not_recorded", extra={"worker_id": worker_id})
        finally:
            connection.close()
        self.stdout.write(f"tandem worker {worker_id} stopped")
