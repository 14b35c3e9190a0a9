"""Crash test: webhooks acknowledged while the server and the worker are SIGKILLed.

``tandem simulate`` sends ``--events`` distinct events (10,000 by default) to ``tandem serve``
while this script kills the server and, separately, the worker, ``--kills`` times each (2 by
default) at spread-out moments, restarting each after a short pause. The worker and every
other server kill take the whole process group; every second server kill takes the ``tandem
serve`` supervisor alone, whose children (gunicorn) must then exit by themselves. Simulate
retries every non-200 answer and connection error with the same bytes, as Meta does. Afterwards
the script waits (bounded) for the processing to finish and checks, from the database, that
every event that got a 200:

* is stored (the unique idempotency key makes "more than once" impossible; checked anyway),
* is processed (``processed``, ``unknown_kind`` or ``unknown_account``; nothing ``pending``,
  ``processing``, ``retrying`` or ``parked``),

and that the killed processes left nothing behind: after each worker kill, the restarted
worker hands back the killed one's running task rows and job leases within
``TAKEOVER_TIMEOUT_S``; the children of a killed supervisor exit within ``ORPHAN_TIMEOUT_S``;
after the final SIGTERM the worker stops within 15 s and leaves no task row ``RUNNING`` and no
job lease held — or, if it was stopped in the middle of a job that outlasted its grace period,
one restarted worker hands them back; gunicorn made no control socket. It prints the counts and
exits with status 1 on any violation (2 on a set-up error).

Everything runs against a database created for the run (a SQLite file in a temporary
directory, or a new PostgreSQL database ``tandem_crash_<pid>`` dropped afterwards), on
127.0.0.1 only, bounded by ``--budget`` seconds; every process started here is killed (by its
process group) before the script exits.

Claims left by a killed worker: ``webhook_event_process`` claims an event for
``TANDEM_EVENT_PROCESSING_LEASE_SECONDS`` (five minutes by default) and the ``process_events``
sweep takes it again once the claim has expired. The run sets it to ``EVENT_LEASE_S`` (15 s):
the live worker's schedule may take such events during the drain; once every worker has been
stopped, the script waits for the claims still ``processing`` to expire, then runs ``tandem
process_events`` until nothing is left to do. The number of such claims is reported.

Examples (from the repository root)::

    .venv/bin/python bench/crash/run.py                         # 10,000 events on SQLite
    .venv/bin/python bench/crash/run.py --events 1000 --rate 50 --budget 105   # the CI form
    .venv/bin/python bench/crash/run.py \\
        --database-url postgres://tandem:tandem@127.0.0.1:5432/tandem   # a new database
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from common import (
    ROOT,
    LocalDatabase,
    SetupError,
    free_port,
    tandem_argv,
)

FINAL_STATUSES = frozenset({"processed", "unknown_kind", "unknown_account"})
# A port nothing listens on: any call to "Meta" fails at once and never leaves the machine.
CLOSED_GRAPH_URL = "http://127.0.0.1:9"
VIRTUAL_START = "2026-11-28T08:00:00+00:00"
CLIENT_TIMEOUT_S = 5
EVENT_TABLE = "connectors_webhookevent"
TASK_TABLE = "django_tasks_database_dbtaskresult"
EVENT_TASK = "tandem.connectors.tasks.webhook_event_process_task"
LEASE_TABLE = "core_periodicjoblease"
WORKER_TABLE = "core_workerprocess"
# The claim on an event (TANDEM_EVENT_PROCESSING_LEASE_SECONDS) in the run: short, so that the
# claims of killed workers expire for real within the run; far above a processing's duration.
EVENT_LEASE_S = 15
# How long a restarted worker may take to hand back what the killed one held (its start
# included), and the children of a killed ``tandem serve`` to exit.
TAKEOVER_TIMEOUT_S = 30
ORPHAN_TIMEOUT_S = 15


# --------------------------------------------------------------------------------------------
# Processes


def port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def held_leases(database: LocalDatabase, holders: set[str] | None = None) -> list[str]:
    """Periodic jobs whose lease is taken (``leased_until`` set), by ``holders`` if given."""
    rows = database.query(
        f"SELECT name, leased_by FROM {LEASE_TABLE} WHERE leased_until IS NOT NULL"
    )
    return sorted(str(name) for name, by in rows if holders is None or by in holders)


def running_tasks(database: LocalDatabase, holders: set[str] | None = None) -> int:
    """Task rows ``RUNNING``, held (last claimed) by ``holders`` if given."""
    rows = database.query(f"SELECT worker_ids FROM {TASK_TABLE} WHERE status = 'RUNNING'")
    count = 0
    for (worker_ids,) in rows:
        ids = json.loads(worker_ids) if isinstance(worker_ids, str) else worker_ids
        count += holders is None or bool(ids and ids[-1] in holders)
    return count


def live_workers(database: LocalDatabase) -> set[str]:
    """Workers registered and not (known to be) stopped."""
    rows = database.query(f"SELECT worker_id FROM {WORKER_TABLE} WHERE stopped_at IS NULL")
    return {str(worker_id) for (worker_id,) in rows}


def unrecovered(database: LocalDatabase, workers: set[str]) -> set[str]:
    """Those of ``workers`` whose tasks and leases have not been handed back yet."""
    rows = database.query(f"SELECT worker_id, recovered_at FROM {WORKER_TABLE}")
    known = {str(worker_id): recovered for worker_id, recovered in rows}
    return {worker for worker in workers if known.get(worker) is None}


def as_utc(value: Any) -> datetime:
    """A timestamp read back: SQLite gives Django's UTC text, PostgreSQL an aware datetime."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def run_tandem(
    env: dict[str, str], *arguments: str, timeout: float, log: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a short ``tandem`` command; raises SetupError when it fails."""
    result = subprocess.run(
        tandem_argv(*arguments),
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if log is not None:
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"$ tandem {' '.join(arguments)}\n{result.stdout}{result.stderr}\n")
    if result.returncode != 0:
        tail = (result.stdout + result.stderr)[-2000:]
        raise SetupError(f"tandem {' '.join(arguments)} exited {result.returncode}:\n{tail}")
    return result


@dataclass
class Service:
    """A long-running command in its own session (process group), restartable."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_dir: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    # Every process group started, for the final clean-up (a killed leader may leave some).
    groups: list[int] = field(default_factory=list)
    _log: IO[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        self.starts += 1
        self._close_log()
        self._log = (self.log_dir / f"{self.name}-{self.starts}.log").open("wb")
        self.process = subprocess.Popen(
            self.argv,
            env=self.env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.groups.append(self.process.pid)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal_group(self, signum: int) -> None:
        if self.process is None:
            return
        # The process group is the session this script started: its id is the leader's pid.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signum)

    def kill(self) -> None:
        """SIGKILL the whole process group (the command and every child it started)."""
        self.signal_group(signal.SIGKILL)
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)

    def kill_leader(self) -> None:
        """SIGKILL the command only: its children are left to fend for themselves."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)

    def stop(self, timeout: float = 15.0) -> bool:
        """SIGTERM, then SIGKILL after ``timeout``; True when it stopped by itself."""
        if self.process is None:
            return True
        graceful = True
        if self.process.poll() is None:
            self.signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                graceful = False
        self.kill()  # whatever is left of the group (gunicorn workers…)
        return graceful

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None

    def close(self) -> None:
        self.kill()
        for group in self.groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)
        self._close_log()


def group_members(group: int, proc: Path = Path("/proc")) -> list[int]:
    """Live processes (zombies excluded) of process group ``group``."""
    members = []
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text(encoding="ascii", errors="replace").rpartition(")")[2].split()
        except OSError:
            continue
        if len(fields) > 2 and fields[0] not in ("Z", "X") and int(fields[2]) == group:
            members.append(int(stat.parent.name))
    return members


def wait_for_port(port: int, service: Service, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if port_open(port):
            return time.monotonic() - started
        if not service.alive():
            raise SetupError(f"{service.name} exited before listening on {port}")
        time.sleep(0.1)
    raise SetupError(f"{service.name} not listening on {port} after {timeout:.0f} s")


# --------------------------------------------------------------------------------------------
# Traffic: how many deliveries make the requested number of events


def export_accounts(database: LocalDatabase, path: Path) -> int:
    """The active accounts as ``tandem simulate --accounts auto`` would read them."""
    rows = database.query(
        "SELECT platform, external_id, handle FROM connectors_socialaccount "
        "WHERE is_active AND platform IN ('facebook', 'instagram', 'whatsapp') "
        "ORDER BY platform, external_id"
    )
    if not rows:
        raise SetupError("no active social account after seed_demo")
    accounts = [{"platform": p, "external_id": e, "handle": h or ""} for p, e, h in rows]
    path.write_text(json.dumps({"accounts": accounts}), encoding="utf-8")
    return len(accounts)


def deliveries_for_events(
    accounts_file: Path, *, events: int, seed: int, rate: float, secret: str
) -> int:
    """Deliveries of the simulated stream (same accounts, seed, start and rate as the
    ``simulate`` command) needed for ``events`` distinct idempotency keys."""
    from tandem.connectors.simulation.accounts import accounts_from_json
    from tandem.connectors.simulation.traffic import TrafficConfig, TrafficGenerator

    accounts = accounts_from_json(json.loads(accounts_file.read_text(encoding="utf-8")))
    config = TrafficConfig(
        app_secret=secret,
        seed=seed,
        start_at=datetime.fromisoformat(VIRTUAL_START).astimezone(UTC),
        mean_gap_ms=1000.0 / rate if rate else 1.0,
    )
    generator = TrafficGenerator(accounts, config)
    keys: set[str] = set()
    deliveries = 0
    while len(keys) < events:
        deliveries += 1
        keys.update(generator.next_delivery().events)
    return deliveries


def count_lines(path: Path) -> int:
    try:
        with path.open("rb") as handle:
            return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(65536), b""))
    except FileNotFoundError:
        return 0


# --------------------------------------------------------------------------------------------
# The run


@dataclass
class Options:
    events: int
    kills: int
    rate: float
    concurrency: int
    seed: int
    pause: float
    budget: float
    database_url: str
    keep: bool
    json_output: bool
    gunicorn_workers: int


@dataclass
class Outcome:
    counts: dict[str, Any] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    timeline: list[str] = field(default_factory=list)


def kill_plan(kills: int) -> list[tuple[float, str]]:
    """(share of the events acknowledged, target): alternate server / worker, spread out.
    Every second server kill hits the ``tandem serve`` supervisor alone (on Linux, where its
    children die with it), the others its whole process group."""
    slots = 2 * kills
    plan = []
    for index in range(slots):
        share = 0.1 + 0.7 * index / max(1, slots - 1)
        if index % 2:
            target = "worker"
        elif index % 4 == 2 and sys.platform.startswith("linux"):
            target = "server-supervisor"
        else:
            target = "server"
        plan.append((share, target))
    return plan


def subprocess_env(database: LocalDatabase, workdir: Path, secret: str) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "META_", "TANDEM_", "PYTEST_"))
        and key not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "LOG_LEVEL")
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": database.url,
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(32),
            "META_APP_SECRET": secret,
            "META_VERIFY_TOKEN": secrets.token_urlsafe(16),
            "META_GRAPH_URL": CLOSED_GRAPH_URL,
            "TANDEM_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "TANDEM_VAR_DIR": str(workdir / "var"),
            "TANDEM_EVENT_PROCESSING_LEASE_SECONDS": str(EVENT_LEASE_S),
            # Where gunicorn would put its control socket: ``tandem serve`` turns it off; any
            # socket found here afterwards is a finding.
            "XDG_RUNTIME_DIR": str(workdir),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def status_counts(database: LocalDatabase) -> dict[str, int]:
    return {
        str(status): int(n)
        for status, n in database.query(
            f"SELECT status, COUNT(*) FROM {EVENT_TABLE} GROUP BY status"
        )
    }


def task_counts(database: LocalDatabase, *, events_only: bool = False) -> dict[str, int]:
    """Task rows by status (only the event-processing tasks with ``events_only``)."""
    where = f"WHERE task_path = '{EVENT_TASK}'" if events_only else ""
    return {
        str(status): int(n)
        for status, n in database.query(
            f"SELECT status, COUNT(*) FROM {TASK_TABLE} {where} GROUP BY status"
        )
    }


class CrashRun:
    """One crash test, step by step; ``execute`` always cleans up after itself."""

    def __init__(self, options: Options) -> None:
        self.options = options
        self.outcome = Outcome()
        self.started = time.monotonic()
        self.deadline = self.started + options.budget
        self.workdir = Path(tempfile.mkdtemp(prefix="tandem-crash-"))
        (self.workdir / "var").mkdir()
        self.setup_log = self.workdir / "setup.log"
        self.acked_file = self.workdir / "acked.txt"
        self.database: LocalDatabase | None = None
        self.env: dict[str, str] = {}
        self.secret = secrets.token_hex(16)
        self.port = 0
        self.server: Service | None = None
        self.worker: Service | None = None
        self.simulate: subprocess.Popen[bytes] | None = None
        self.kills = {"server": 0, "worker": 0, "server_supervisor_only": 0}
        self.restarts = {"server": 0, "worker": 0}
        self.orphaned_by_kill: list[int] = []
        self.leases_by_kill: list[list[str]] = []
        self.takeover: list[float] = []
        self.takeover_pending: tuple[set[str], float] | None = None
        self.takeover_checked_at = 0.0
        self.orphan_exit: list[float] = []
        self.downtime: list[float] = []

    # -- helpers --------------------------------------------------------------------------

    def note(self, message: str) -> None:
        line = f"[{time.monotonic() - self.started:6.1f}s] {message}"
        self.outcome.timeline.append(line)
        if not self.options.json_output:
            print(line, flush=True)

    def violation(self, message: str) -> None:
        self.outcome.violations.append(message)

    @property
    def db(self) -> LocalDatabase:
        assert self.database is not None
        return self.database

    def left(self) -> float:
        return self.deadline - time.monotonic()

    def bounded(self, seconds: float) -> float:
        """``seconds``, or what is left of the budget when that is less (never under 5 s)."""
        return max(5.0, min(seconds, self.left()))

    # -- steps ----------------------------------------------------------------------------

    def execute(self) -> Outcome:
        try:
            deliveries = self.prepare()
            self.start_services()
            report = self.send_and_kill(deliveries)
            ready_left = self.drain()
            leases_after_stop = held_leases(self.db)
            running_after_stop = running_tasks(self.db)
            left_after_restart = self.restart_worker_if_needed(
                leases_after_stop, running_after_stop
            )
            claims_left, sweep_runs, sweeps = self.sweep()
            self.outcome.counts = verify(
                self.db,
                acked_file=self.acked_file,
                report=report,
                expected_events=self.options.events,
                violations=self.outcome.violations,
            )
            self.outcome.counts.update(
                {
                    "database": self.db.kind,
                    "events_requested": self.options.events,
                    "deliveries_planned": deliveries,
                    "kills_server": self.kills["server"],
                    "kills_server_supervisor_only": self.kills["server_supervisor_only"],
                    "kills_worker": self.kills["worker"],
                    "restarts_server": self.restarts["server"],
                    "restarts_worker": self.restarts["worker"],
                    "server_downtime_s": [round(d, 1) for d in self.downtime],
                    "server_children_exit_s": [round(d, 1) for d in self.orphan_exit],
                    "running_tasks_orphaned_per_worker_kill": self.orphaned_by_kill,
                    "worker_takeover_s": [round(d, 1) for d in self.takeover],
                    "running_tasks_after_worker_stop": running_after_stop,
                    "claims_left_by_killed_workers": claims_left,
                    "ready_tasks_left_after_drain": ready_left,
                    "process_events_runs": sweep_runs,
                    "process_events_outcomes": dict(sweeps),
                    **server_side_timings(self.workdir, CLIENT_TIMEOUT_S * 1000),
                    "job_leases_held_at_each_worker_kill": self.leases_by_kill,
                    "job_leases_held_after_worker_stop": leases_after_stop,
                    "gunicorn_control_sockets": len(list(self.workdir.rglob("gunicorn.ctl"))),
                    "elapsed_s": round(time.monotonic() - self.started, 1),
                }
            )
            self.outcome.counts["left_after_a_worker_restart"] = left_after_restart
            if left_after_restart:
                self.violation(
                    f"after the worker stopped, and a worker restarted: {left_after_restart}"
                )
            if self.outcome.counts["gunicorn_control_sockets"]:
                self.violation("gunicorn created a control socket")
            wanted = self.options.kills
            if self.kills["server"] < wanted or self.kills["worker"] < wanted:
                self.violation(
                    f"kills: server {self.kills['server']}, worker {self.kills['worker']}, "
                    f"wanted {wanted} each"
                )
        except SetupError as error:
            self.violation(f"set-up: {error}")
            self.outcome.counts["setup_error"] = True
        except KeyboardInterrupt as error:
            self.violation(f"interrupted ({error or 'Ctrl-C'}): no verdict")
            self.outcome.counts["setup_error"] = True
        finally:
            self.clean_up()
        return self.outcome

    def prepare(self) -> int:
        """Create, migrate and seed the database; return the number of deliveries to send."""
        self.database = LocalDatabase.create(
            self.options.database_url, self.workdir, "tandem_crash"
        )
        self.note(f"database: {self.db.kind} ({self.db.name or self.db.sqlite_path})")
        self.env = subprocess_env(self.db, self.workdir, self.secret)
        for command in (("migrate", "--no-input", "-v", "0"), ("seed_demo",)):
            run_tandem(self.env, *command, timeout=self.bounded(180), log=self.setup_log)
        accounts_file = self.workdir / "accounts.json"
        accounts = export_accounts(self.db, accounts_file)
        deliveries = deliveries_for_events(
            accounts_file,
            events=self.options.events,
            seed=self.options.seed,
            rate=self.options.rate,
            secret=self.secret,
        )
        self.note(f"migrated and seeded: {accounts} accounts; {deliveries} deliveries to send")
        return deliveries

    def start_services(self) -> None:
        self.port = free_port()
        bind = f"127.0.0.1:{self.port}"
        workers = str(self.options.gunicorn_workers)
        self.server = Service(
            "server",
            tandem_argv("serve", "--bind", bind, "--workers", workers, "--no-worker"),
            self.env,
            self.workdir,
        )
        self.worker = Service("worker", tandem_argv("worker"), self.env, self.workdir)
        self.server.start()
        wait_for_port(self.port, self.server, timeout=self.bounded(60))
        self.worker.start()
        self.note(f"server on {bind} and worker started")

    def simulate_argv(self, deliveries: int) -> list[str]:
        options = self.options
        return tandem_argv(
            "simulate",
            "--url",
            f"http://127.0.0.1:{self.port}/webhooks/meta",
            "--count",
            str(deliveries),
            "--rate",
            f"{options.rate:g}",
            "--seed",
            str(options.seed),
            "--start",
            VIRTUAL_START,
            "--accounts",
            str(self.workdir / "accounts.json"),
            "--app-secret",
            self.secret,
            "--acked-keys",
            str(self.acked_file),
            "--concurrency",
            str(options.concurrency),
            "--max-attempts",
            "50",
            "--timeout",
            str(CLIENT_TIMEOUT_S),
            "--json",
        )

    def send_and_kill(self, deliveries: int) -> dict[str, Any]:
        """Run simulate; kill and restart the server and the worker as it progresses."""
        out_path, err_path = self.workdir / "simulate.json", self.workdir / "simulate.err"
        with out_path.open("wb") as out, err_path.open("wb") as err:
            self.simulate = subprocess.Popen(
                self.simulate_argv(deliveries),
                env=self.env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                start_new_session=True,
            )
            self.note(
                f"simulate started: {self.options.events} events, "
                f"{self.options.rate:g} deliveries/s"
            )
            plan = kill_plan(self.options.kills)
            while self.simulate.poll() is None and self.left() > 0:
                progress = count_lines(self.acked_file) / self.options.events
                if plan and progress >= plan[0][0]:
                    self.kill_and_restart(plan.pop(0)[1], progress)
                self.check_takeover()
                for service in (self.server, self.worker):
                    assert service is not None
                    if not service.alive():
                        raise SetupError(f"{service.name} exited on its own; see {self.workdir}")
                time.sleep(0.1)
            self.check_takeover(wait=True)
            try:
                self.simulate.wait(timeout=max(1.0, self.left()))
            except subprocess.TimeoutExpired:
                self.violation("simulate did not finish within the time budget")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.simulate.pid, signal.SIGKILL)
                self.simulate.wait(timeout=10)
        if plan:
            self.violation(f"{len(plan)} planned kill(s) did not happen")
        lines = out_path.read_text(encoding="utf-8").strip().splitlines()
        try:
            report: dict[str, Any] = json.loads(lines[-1])
        except (IndexError, ValueError) as error:
            tail = err_path.read_text(encoding="utf-8")[-2000:]
            raise SetupError(f"simulate printed no report: {tail}") from error
        self.note(
            f"simulate done: {report['acknowledged']}/{report['deliveries']} deliveries acked, "
            f"{report['retries']} retries"
        )
        return report

    def kill_and_restart(self, target: str, progress: float) -> None:
        service = self.worker if target == "worker" else self.server
        assert service is not None
        assert service.process is not None
        if target == "worker":
            self.check_takeover(wait=True)  # the previous worker kill's, if still pending
        down_at = time.monotonic()
        killed = live_workers(self.db) if target == "worker" else set()
        if target == "server-supervisor":
            group = service.process.pid
            service.kill_leader()
            self.kills["server_supervisor_only"] += 1
            self.note(f"SIGKILL server supervisor only ({progress:.0%} of the events acked)")
            self.wait_for_orphans(group)
        else:
            service.kill()
            self.note(f"SIGKILL {target} process group ({progress:.0%} of the events acked)")
        self.kills["worker" if target == "worker" else "server"] += 1
        if target == "worker":
            # What the killed worker held at its death.
            self.orphaned_by_kill.append(running_tasks(self.db, killed))
            self.leases_by_kill.append(held_leases(self.db, killed))
        time.sleep(self.options.pause)
        service.start()
        if target == "worker":
            self.restarts["worker"] += 1
            self.note("worker restarted")
            self.takeover_pending = (killed, down_at)
        else:
            self.restarts["server"] += 1
            waited = wait_for_port(self.port, service, timeout=self.bounded(60))
            self.downtime.append(time.monotonic() - down_at)
            self.note(f"server restarted, listening after {waited:.1f} s")

    def wait_for_orphans(self, group: int) -> None:
        """The children of a killed ``tandem serve`` (gunicorn) must exit by themselves."""
        started = time.monotonic()
        while group_members(group) and time.monotonic() - started < ORPHAN_TIMEOUT_S:
            time.sleep(0.1)
        left = group_members(group)
        if left:
            self.violation(
                f"{len(left)} process(es) of the killed tandem serve still alive after "
                f"{ORPHAN_TIMEOUT_S} s"
            )
            return
        self.orphan_exit.append(time.monotonic() - started)
        self.note(f"its children exited {self.orphan_exit[-1]:.1f} s after it")

    def check_takeover(self, *, wait: bool = False) -> None:
        """The restarted worker must hand back what the killed one held, its task rows and job
        leases, at its start: checked as the run goes on (the kills go on meanwhile), or
        waited for (``wait``), within ``TAKEOVER_TIMEOUT_S`` of the kill."""
        if self.takeover_pending is None:
            return
        killed, down_at = self.takeover_pending
        deadline = min(down_at + TAKEOVER_TIMEOUT_S, self.deadline)
        while True:
            now = time.monotonic()
            if wait or now - self.takeover_checked_at >= 0.25:
                self.takeover_checked_at = now
                if not unrecovered(self.db, killed):
                    break
            if now > deadline:
                break
            if not wait:
                return  # not yet: look again on the next round
            time.sleep(0.2)
        self.takeover_pending = None
        waiting = unrecovered(self.db, killed)
        running = running_tasks(self.db, killed)
        leases = held_leases(self.db, killed)
        if waiting or running or leases:
            self.violation(
                f"{TAKEOVER_TIMEOUT_S} s after a worker kill: worker(s) {sorted(waiting)} not "
                f"taken over, {running} task row(s) still RUNNING, leases still held: {leases}"
            )
            return
        self.takeover.append(time.monotonic() - down_at)
        self.note(f"killed worker taken over {self.takeover[-1]:.1f} s after its kill")

    def drain(self) -> int:
        """Let the live worker empty the event queue, then stop it (and the server) for good."""
        assert self.worker is not None
        assert self.server is not None
        drain_deadline = min(self.deadline - 20, time.monotonic() + 90)
        while time.monotonic() < drain_deadline:
            if task_counts(self.db, events_only=True).get("READY", 0) == 0:
                break
            time.sleep(1.0)
        ready_left = task_counts(self.db, events_only=True).get("READY", 0)
        graceful = self.worker.stop(timeout=15)
        self.server.stop(timeout=10)
        self.note(f"queue drained ({ready_left} event task(s) left); worker and server stopped")
        if not graceful:
            self.violation("the worker did not stop within 15 s of SIGTERM (killed)")
        return ready_left

    def restart_worker_if_needed(self, leases: list[str], running: int) -> dict[str, Any]:
        """What the stopped worker still holds must be handed back by the next worker.

        A clean stop releases the job leases, unless a job outlasts the worker's grace period
        and cannot be interrupted: the worker then exits with the lease kept (releasing it
        while the job may still run could start the job twice), and the next worker on this
        machine hands it back at its start. As a service manager would, start one."""
        if not leases and not running:
            return {}
        self.note(f"after the stop: {running} task row(s) RUNNING, job leases held: {leases}")
        run_tandem(
            self.env,
            "worker",
            "--batch",
            "--no-schedule",
            timeout=self.bounded(60),
            log=self.setup_log,
        )
        leases, running = held_leases(self.db), running_tasks(self.db)
        self.note(f"a worker restarted once: {running} RUNNING, job leases held: {leases}")
        return {"running_tasks": running, "job_leases": leases} if leases or running else {}

    def sweep(self) -> tuple[int, int, Counter[str]]:
        """Wait for the claims of killed workers to expire, then run ``process_events`` (the
        schedule's sweep) until nothing is left to do."""
        # No worker is alive: every claim still "processing" belongs to a killed worker.
        claims = [
            as_utc(locked_until)
            for (locked_until,) in self.db.query(
                f"SELECT locked_until FROM {EVENT_TABLE} WHERE status = 'processing'"
            )
        ]
        if claims:
            wait = (max(claims) - datetime.now(UTC)).total_seconds() + 0.5
            time.sleep(min(max(0.0, wait), EVENT_LEASE_S + 1.0, max(0.0, self.left() - 10)))
        self.note(f"{len(claims)} claim(s) left by killed workers, expired ({EVENT_LEASE_S} s)")
        outcomes: Counter[str] = Counter()
        runs = 0
        while self.left() > 5:
            statuses = status_counts(self.db)
            unfinished = sum(n for s, n in statuses.items() if s not in FINAL_STATUSES)
            if unfinished == statuses.get("parked", 0):
                break
            if runs:
                time.sleep(2.0)  # retries and stale pending events become due with time
            result = run_tandem(
                self.env, "process_events", timeout=self.bounded(60), log=self.setup_log
            )
            runs += 1
            outcomes.update(_parse_sweep(result.stdout))
        self.note(f"process_events run {runs} time(s): {dict(outcomes) or 'nothing to do'}")
        return len(claims), runs, outcomes

    def clean_up(self) -> None:
        if self.simulate is not None and self.simulate.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.simulate.pid, signal.SIGKILL)
            self.simulate.wait(timeout=10)
        for service in (self.server, self.worker):
            if service is not None:
                service.close()
        if self.database is not None and not self.options.keep:
            try:
                self.database.drop()
            except Exception as error:  # report, never mask the verdict
                self.violation(f"could not drop the database: {error}")
        if self.options.keep or self.outcome.violations:
            self.outcome.counts["workdir"] = str(self.workdir)
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)


def _parse_sweep(stdout: str) -> Counter[str]:
    """``events processed: 3, not-due: 1`` → Counter."""
    counts: Counter[str] = Counter()
    for line in stdout.splitlines():
        if not line.startswith("events ") or "none due" in line:
            continue
        for part in line[len("events ") :].split(","):
            name, _, number = part.strip().partition(": ")
            if number.isdigit():
                counts[name] += int(number)
    return counts


def verify(
    database: LocalDatabase,
    *,
    acked_file: Path,
    report: dict[str, Any],
    expected_events: int,
    violations: list[str],
) -> dict[str, Any]:
    """Compare the acknowledged keys with the stored events; append every violation."""
    acked_lines = [
        line for line in acked_file.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    acked = set(acked_lines)
    rows = database.query(f"SELECT idempotency_key, status, attempts FROM {EVENT_TABLE}")
    per_key = Counter(str(key) for key, _, _ in rows)
    status_of = {str(key): str(status) for key, status, _ in rows}
    attempts_of = {str(key): int(attempts) for key, _, attempts in rows}
    stored = set(per_key)
    missing = sorted(acked - stored)
    twice = sorted(key for key, n in per_key.items() if n > 1)
    unfinished = Counter(
        status for key, status in status_of.items() if status not in FINAL_STATUSES
    )
    acked_unfinished = sorted(key for key in acked if status_of.get(key, "") not in FINAL_STATUSES)
    statuses = Counter(status_of.values())
    tasks = task_counts(database)

    if len(acked) < expected_events:
        violations.append(f"only {len(acked)} of {expected_events} events were acknowledged")
    if report.get("failed"):
        violations.append(f"{report['failed']} deliveries never got a 200 (50 attempts each)")
    if len(acked_lines) != len(acked):
        violations.append("the acknowledged-keys file repeats keys")
    if missing:
        violations.append(f"{len(missing)} acknowledged event(s) not stored, e.g. {missing[:3]}")
    if twice:
        violations.append(f"{len(twice)} event(s) stored more than once, e.g. {twice[:3]}")
    if acked_unfinished:
        sample = [(key, status_of.get(key, "missing")) for key in acked_unfinished[:3]]
        violations.append(f"{len(acked_unfinished)} acknowledged event(s) not processed: {sample}")
    if unfinished:
        violations.append(f"stored events not finished: {dict(unfinished)}")

    return {
        "events_acked": len(acked),
        "events_stored": len(rows),
        "events_stored_not_acked": len(stored - acked),
        "events_missing": len(missing),
        "events_stored_twice": len(twice),
        "events_processed": statuses.get("processed", 0),
        "events_unknown_kind": statuses.get("unknown_kind", 0),
        "events_unknown_account": statuses.get("unknown_account", 0),
        "events_unfinished": dict(unfinished),
        "events_claimed_more_than_once": sum(1 for n in attempts_of.values() if n > 1),
        "deliveries_sent": report.get("deliveries"),
        "deliveries_acked": report.get("acknowledged"),
        "deliveries_failed": report.get("failed"),
        "duplicates_sent": report.get("duplicates_sent"),
        "http_requests": report.get("requests"),
        "http_retries": report.get("retries"),
        "http_rejected": report.get("rejected"),
        "connection_errors": report.get("connection_errors"),
        "ack_latency_ms": report.get("latency_ms"),
        "task_rows": tasks,
    }


ACCESS_LINE = re.compile(r'"POST /webhooks/meta" (?P<status>\d{3}) \S+ (?P<ms>\d+)ms')


def server_side_timings(workdir: Path, client_timeout_ms: int) -> dict[str, Any]:
    """From gunicorn's access logs: answers by status, the slowest, and those slower than the
    client's timeout (the client had given up and retried: Meta would have too)."""
    statuses: Counter[str] = Counter()
    slowest = 0
    late = 0
    for log in sorted(workdir.glob("server-*.log")):
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            match = ACCESS_LINE.search(line)
            if match is None:
                continue
            statuses[match["status"]] += 1
            duration = int(match["ms"])
            slowest = max(slowest, duration)
            late += duration >= client_timeout_ms
    return {
        "server_answers_by_status": dict(statuses),
        "server_slowest_answer_ms": slowest,
        "server_answers_after_client_timeout": late,
    }


def print_summary(outcome: Outcome) -> None:
    counts = outcome.counts
    rows = [
        ("database", counts.get("database")),
        ("events acked (200)", counts.get("events_acked")),
        ("events stored", counts.get("events_stored")),
        ("  stored but never acked", counts.get("events_stored_not_acked")),
        ("  acked but missing", counts.get("events_missing")),
        ("  stored twice", counts.get("events_stored_twice")),
        ("events processed", counts.get("events_processed")),
        (
            "  unknown kind / account",
            _pair(counts, "events_unknown_kind", "events_unknown_account"),
        ),
        ("  not finished", counts.get("events_unfinished")),
        ("  claimed more than once", counts.get("events_claimed_more_than_once")),
        ("deliveries sent / acked", _pair(counts, "deliveries_sent", "deliveries_acked")),
        ("duplicates sent", counts.get("duplicates_sent")),
        ("HTTP requests / retries", _pair(counts, "http_requests", "http_retries")),
        ("rejected (status: n)", counts.get("http_rejected")),
        ("connection errors", counts.get("connection_errors")),
        ("kills server / worker", _pair(counts, "kills_server", "kills_worker")),
        ("  server kills: supervisor only", counts.get("kills_server_supervisor_only")),
        ("restarts server / worker", _pair(counts, "restarts_server", "restarts_worker")),
        ("server downtime (s)", counts.get("server_downtime_s")),
        ("server's children exit (s)", counts.get("server_children_exit_s")),
        ("tasks orphaned per worker kill", counts.get("running_tasks_orphaned_per_worker_kill")),
        ("worker taken over after (s)", counts.get("worker_takeover_s")),
        ("tasks RUNNING after stop", counts.get("running_tasks_after_worker_stop")),
        ("claims left by killed workers", counts.get("claims_left_by_killed_workers")),
        ("process_events outcomes", counts.get("process_events_outcomes")),
        ("task rows by status", counts.get("task_rows")),
        ("job leases held at worker kills", counts.get("job_leases_held_at_each_worker_kill")),
        ("job leases held after stop", counts.get("job_leases_held_after_worker_stop")),
        ("ack latency (ms)", counts.get("ack_latency_ms")),
        ("server answers by status", counts.get("server_answers_by_status")),
        ("server's slowest answer (ms)", counts.get("server_slowest_answer_ms")),
        ("answers after client timeout", counts.get("server_answers_after_client_timeout")),
        ("elapsed (s)", counts.get("elapsed_s")),
    ]
    width = max(len(name) for name, _ in rows)
    print("crash test")
    for name, value in rows:
        if value is not None:
            print(f"  {name.ljust(width)}  {value}")
    if "workdir" in counts:
        print(f"  {'logs'.ljust(width)}  {counts['workdir']}")
    if outcome.violations:
        print("FAILED:")
        for violation in outcome.violations:
            print(f"  - {violation}")
    else:
        print("OK: every acknowledged event is stored exactly once and processed")


def _pair(counts: dict[str, Any], first: str, second: str) -> str | None:
    if first not in counts:
        return None
    return f"{counts.get(first)} / {counts.get(second)}"


def parse_arguments(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000, help="Distinct events to send.")
    parser.add_argument("--kills", type=int, default=2, help="SIGKILLs of each, server/worker.")
    parser.add_argument("--rate", type=float, default=80.0, help="Deliveries per second.")
    parser.add_argument("--concurrency", type=int, default=8, help="simulate's connections.")
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--pause", type=float, default=1.0, help="Seconds down before restart.")
    parser.add_argument("--budget", type=float, default=900.0, help="Seconds for everything.")
    parser.add_argument(
        "--database-url",
        default="sqlite",
        help="'sqlite' (a temporary file) or postgres://…/db on 127.0.0.1: a new database "
        "tandem_crash_<pid> is created next to it and dropped afterwards.",
    )
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="Keep the database and the logs.")
    parser.add_argument("--json", action="store_true", help="Print the counts as JSON.")
    arguments = parser.parse_args(argv)
    if arguments.events < 1 or arguments.kills < 0 or arguments.rate < 0:
        parser.error("--events >= 1, --kills >= 0, --rate >= 0")
    return Options(
        events=arguments.events,
        kills=arguments.kills,
        rate=arguments.rate,
        concurrency=arguments.concurrency,
        seed=arguments.seed,
        pause=arguments.pause,
        budget=arguments.budget,
        database_url=arguments.database_url,
        keep=arguments.keep,
        json_output=arguments.json,
        gunicorn_workers=arguments.gunicorn_workers,
    )


def _terminate(signum: int, _frame: object) -> None:
    # SIGTERM (a CI timeout…) unwinds like Ctrl-C: the servers and the database are cleaned up.
    raise KeyboardInterrupt(signal.strsignal(signum))


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_arguments(argv)
    signal.signal(signal.SIGTERM, _terminate)
    outcome = CrashRun(options).execute()
    if options.json_output:
        document = {
            **outcome.counts,
            "ok": not outcome.violations,
            "violations": outcome.violations,
            "timeline": outcome.timeline,
        }
        print(json.dumps(document, indent=2, default=str))
    else:
        print_summary(outcome)
    if outcome.counts.get("setup_error"):
        return 2
    return 1 if outcome.violations else 0


if __name__ == "__main__":
    sys.exit(main())
