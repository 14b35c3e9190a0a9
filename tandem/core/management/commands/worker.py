"""``tandem worker``: the task worker and the periodic schedule, in one process.

The task loop is django-tasks-db's worker (claims with SKIP LOCKED on PostgreSQL). The schedule
runs in a thread beside it; see ``tandem.core.schedule`` for why jobs never overlap.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Worker

from tandem.core.schedule import run_due_jobs

logger = logging.getLogger(__name__)


def schedule_loop(*, worker_id: str, interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        close_old_connections()
        try:
            run_due_jobs(worker_id=worker_id)
        except Exception:
            # A broken database connection must not kill the schedule: try again next tick.
            logger.exception("schedule.tick_failed")
        finally:
            connection.close()
        stop.wait(interval)


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
        worker_id = f"{socket.gethostname()}-{os.getpid()}"
        stop = threading.Event()
        if options["batch"] and not options["no_schedule"]:
            ran = run_due_jobs(worker_id=worker_id)
            self.stdout.write(f"periodic jobs run: {', '.join(ran) or 'none due'}")
        elif not options["no_schedule"]:
            thread = threading.Thread(
                target=schedule_loop,
                kwargs={
                    "worker_id": worker_id,
                    "interval": options["schedule_interval"],
                    "stop": stop,
                },
                name="tandem-schedule",
                daemon=True,
            )
            thread.start()
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
        try:
            worker.run()
        finally:
            stop.set()
