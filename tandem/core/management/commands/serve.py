"""``tandem serve``: gunicorn, and in the embedded profile the worker beside it.

A small supervisor: it starts the children, forwards SIGINT/SIGTERM, and stops everything when
one of them dies, so a half-running Tandem is never left behind. On Linux the children also die
with the supervisor when it is killed outright (SIGKILL, the OOM killer): the kernel sends them
SIGTERM (``PR_SET_PDEATHSIG``), so no orphaned gunicorn keeps the port and a restarted
``tandem serve`` can bind it again.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
from argparse import ArgumentParser
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def is_embedded_profile() -> bool:
    return bool(settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3")


def tandem_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "tandem.cli", *arguments]


# <linux/prctl.h>: "set the parent-death signal of the calling process".
PR_SET_PDEATHSIG = 1


def die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that makes the child receive SIGTERM when this process dies, however it
    dies (``prctl(PR_SET_PDEATHSIG)``, Linux only; None elsewhere).

    The signal follows the thread that forked the child, so children are started from the main
    thread. libc is looked up here, in the parent: the child only calls into it between fork
    and exec. If the parent died before the call took effect, the child exits at once.
    """
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def preexec() -> None:
        if prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) != 0 or os.getppid() != parent:
            os._exit(1)

    return preexec


class Supervisor:
    """Runs child processes until one exits or a stop signal arrives."""

    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.stopping = False

    def start(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        process = subprocess.Popen(  # noqa: S603
            command,
            env={**os.environ, **(env or {})},
            preexec_fn=die_with_parent(),  # noqa: PLW1509 — the supervisor runs no threads
        )
        self.children.append((name, process))

    def stop(self, *_: Any) -> None:
        self.stopping = True

    def wait(self) -> int:
        signal.signal(signal.SIGINT, self.stop)
        signal.signal(signal.SIGTERM, self.stop)
        status = 0
        while not self.stopping:
            for name, process in self.children:
                code = process.poll()
                if code is not None:
                    sys.stderr.write(f"tandem serve: {name} exited with status {code}\n")
                    status = code or 1
                    self.stopping = True
            time.sleep(0.2)
        for _, process in self.children:
            if process.poll() is None:
                process.terminate()
        # gunicorn stops within its 5 s graceful timeout; the worker within its 10 s grace for
        # the job it is running, and then records its end.
        deadline = time.monotonic() + 15
        for _, process in self.children:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
        return status


class Command(BaseCommand):
    help = "Serve Tandem with gunicorn (and, on SQLite, the worker in the same command)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT to listen on.")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes.")
        worker = parser.add_mutually_exclusive_group()
        worker.add_argument("--with-worker", dest="with_worker", action="store_true", default=None)
        worker.add_argument("--no-worker", dest="with_worker", action="store_false")

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        supervisor = self.build(options)
        sys.exit(supervisor.wait())

    def build(self, options: dict[str, Any], supervisor: Supervisor | None = None) -> Supervisor:
        supervisor = supervisor or Supervisor()
        supervisor.start(
            "gunicorn",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi:application",
                "--bind",
                options["bind"],
                "--workers",
                str(options["workers"]),
                "--access-logfile",
                "-",
                # ADDRESS "METHOD PATH" STATUS BYTES DURATIONms: the path only, since query
                # strings may carry tokens (the webhook handshake's); written cheaply.
                "--logger-class",
                "tandem.core.access_log.AccessLogger",
                "--graceful-timeout",
                "5",
                # gunicorn's control socket (for ``gunicornc``) defaults to one path per user,
                # $XDG_RUNTIME_DIR/gunicorn.ctl or ~/.gunicorn/gunicorn.ctl, that every instance
                # of the host would share and unlink on exit. Tandem does not use it.
                "--no-control-socket",
            ],
        )
        with_worker = options["with_worker"]
        if with_worker is None:
            with_worker = is_embedded_profile()
        if with_worker:
            supervisor.start("worker", tandem_command("worker"))
        return supervisor
