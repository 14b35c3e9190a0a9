"""Benchmark: webhook ingestion (``POST /webhooks/meta``) served by gunicorn, against the raw
INSERT rate of the same rows into the same database, measured in the same run.

For each database (a SQLite file in a temporary directory; a new PostgreSQL database
``tandem_bench_<pid>`` on 127.0.0.1, dropped afterwards):

1. ``tandem migrate`` and ``tandem seed_demo`` (64 social accounts), with ``DEBUG`` off and every
   secret set, as in production;
2. ``tandem serve --no-worker --workers 2`` (gunicorn, 2 sync workers). **No task worker runs**:
   it would compete for the machine's two cores; the tasks stored with the events wait;
3. a short warm-up, then for each fixed rate (events/s, converted to deliveries/s with the
   stream's measured events per delivery) one ``tandem simulate --rate … --duration …`` and
   finally one unpaced run (``--rate 0``): acknowledged events/s (distinct events that got a
   200, per second of the run), p50/p99 acknowledgement latency (every HTTP request, as
   ``simulate`` reports it), and the CPU each side used (gunicorn processes, PostgreSQL
   backends, the ``simulate`` client, and everything else running on the machine);
4. the raw INSERT rate: the rows Tandem stored in step 3 (every column, the JSON bodies
   serialised beforehand), inserted again under new idempotency keys into the same table with
   the database driver (``sqlite3`` with Django's pragmas, ``psycopg``), one connection, **one
   transaction per event** — then the same with the event's task row (``django-tasks-db``'s
   ``DBTaskResult``) in the same transaction, which is what Tandem writes per event;
5. with ``--synchronous-commit-off``, PostgreSQL once more with ``synchronous_commit=off`` set
   per session (Tandem's connections through ``DATABASE_URL``'s ``options``, the raw
   connection with ``SET``); the server's configuration is never changed.

Results go to ``bench/results/ingest-<date>.json`` and a Markdown table is printed.
Everything targets 127.0.0.1 only, is bounded in time (``--duration`` per point, ``--raw-seconds``
per raw series), and every process started here is stopped (by process group) at the end.

Run from the repository root::

    .venv/bin/python bench/ingest/run.py
    .venv/bin/python bench/ingest/run.py --databases postgresql --rates 100,1000 --duration 5
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import resource
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from common import (
    ROOT,
    LocalDatabase,
    SetupError,
    cpu_and_memory,
    free_port,
    tandem_argv,
)

RESULTS = ROOT / "bench" / "results"
CLOSED_GRAPH_URL = "http://127.0.0.1:9"  # nothing listens: no call ever leaves the machine
VIRTUAL_START = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
EVENT_TABLE = "connectors_webhookevent"
TASK_TABLE = "django_tasks_database_dbtaskresult"
EVENT_COLUMNS = (
    "received_at",
    "object",
    "account_external_id",
    "account_id",
    "regional_bank_id",
    "kind",
    "idempotency_key",
    "occurred_at",
    "body",
    "status",
    "attempts",
    "next_attempt_at",
    "locked_until",
    "locked_by",
    "processed_at",
    "last_error",
    "body_masked",
)
TASK_COLUMNS = (
    "id",
    "args_kwargs",
    "priority",
    "task_path",
    "queue_name",
    "backend_name",
    "run_after",
    "enqueued_at",
    "finished_at",
    "started_at",
    "return_value",
    "exception_class_path",
    "traceback",
    "worker_ids",
    "status",
)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------------------------
# Processes and CPU accounting


def run_tandem(env: dict[str, str], *arguments: str, timeout: float) -> str:
    result = subprocess.run(
        tandem_argv(*arguments),
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        tail = (result.stdout + result.stderr)[-2000:]
        raise SetupError(f"tandem {' '.join(arguments)} exited {result.returncode}:\n{tail}")
    return result.stdout


def _proc_stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may contain spaces: split after its closing parenthesis.
    return text[text.rindex(")") + 2 :].split()


def session_pids(session: int) -> list[int]:
    """Every live process of a session (``start_new_session`` makes the leader's pid its id)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _proc_stat(int(entry.name))
            if fields is not None and int(fields[3]) == session:
                pids.append(int(entry.name))
    return pids


def cpu_by_pid(pids: Sequence[int]) -> dict[int, float]:
    """User + system CPU-seconds of live processes (utime and stime of /proc/PID/stat)."""
    found = {}
    for pid in pids:
        fields = _proc_stat(pid)
        if fields is not None:
            found[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return found


def cpu_since(before: dict[int, float], pids: Sequence[int]) -> float:
    """CPU used since ``before`` by ``pids``: a process seen before counts its increase, a new
    one all its CPU; one that ended meanwhile is lost (a backend closing its connection)."""
    now = cpu_by_pid(pids)
    return sum(value - before.get(pid, 0.0) for pid, value in now.items())


def machine_busy_seconds() -> float:
    """CPU-seconds the whole machine spent busy (every core), from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def wait_for_quiet(limit: float, *, cores: float = 0.25) -> dict[str, float]:
    """Wait (at most ``limit`` seconds) until the rest of the machine uses under ``cores``
    CPU cores, sampled over 2 s; return what was found. A shared machine is rarely idle."""
    started = time.monotonic()
    while True:
        before = machine_busy_seconds()
        time.sleep(2.0)
        busy = (machine_busy_seconds() - before) / 2.0
        waited = time.monotonic() - started
        if busy < cores or waited >= limit:
            return {"other_cores_busy": round(busy, 2), "waited_s": round(waited, 1)}


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Server:
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = field(default=None, repr=False)

    def start(self, port: int, timeout: float = 60.0) -> None:
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.argv,
            env=self.env,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                probe.settimeout(0.5)
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    return
            if self.process.poll() is not None:
                raise SetupError(f"the server exited; see {self.log_path}")
            time.sleep(0.1)
        raise SetupError(f"the server did not listen on {port} within {timeout:.0f} s")

    def pids(self) -> list[int]:
        return session_pids(self.process.pid) if self.process is not None else []

    def stop(self) -> None:
        if self.process is None:
            return
        for signum, wait in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 10.0)):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signum)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=wait)
        if self._log is not None:
            self._log.close()
        self.process = None


# --------------------------------------------------------------------------------------------
# Traffic


def export_accounts(database: LocalDatabase, path: Path) -> list[dict[str, str]]:
    connection = database.connect()
    try:
        rows = connection.execute(
            "SELECT platform, external_id, handle FROM connectors_socialaccount "
            "WHERE is_active AND platform IN ('facebook', 'instagram', 'whatsapp') "
            "ORDER BY platform, external_id"
        ).fetchall()
    finally:
        connection.close()
    accounts = [{"platform": p, "external_id": e, "handle": h or ""} for p, e, h in rows]
    if not accounts:
        raise SetupError("no social account after seed_demo")
    path.write_text(json.dumps({"accounts": accounts}), encoding="utf-8")
    return accounts


def events_per_delivery(accounts: list[dict[str, str]], seed: int, sample: int = 5000) -> float:
    """Distinct events per delivery of the simulated stream (duplicates count as deliveries)."""
    from tandem.connectors.simulation.accounts import accounts_from_json
    from tandem.connectors.simulation.traffic import TrafficConfig, TrafficGenerator

    generator = TrafficGenerator(
        accounts_from_json(accounts),
        TrafficConfig(app_secret="x", seed=seed, start_at=VIRTUAL_START),  # noqa: S106
    )
    keys: set[str] = set()
    for _ in range(sample):
        keys.update(generator.next_delivery().events)
    return len(keys) / sample


# --------------------------------------------------------------------------------------------
# Raw INSERT


def _plain(value: Any) -> Any:
    """A value as the driver takes it back (datetimes as they came; JSON as text)."""
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def raw_insert_rate(
    database: LocalDatabase,
    *,
    with_task: bool,
    seconds: float,
    limit: int,
    label: str,
    synchronous_commit_off: bool = False,
    wait_quiet: float = 0.0,
) -> dict[str, Any]:
    """Insert stored rows again (new keys), one transaction per event, for ``seconds``."""
    quiet = wait_for_quiet(wait_quiet) if wait_quiet > 0 else {}
    connection = database.connect(synchronous_commit_off=synchronous_commit_off)
    try:
        columns = ", ".join(EVENT_COLUMNS)
        rows = [
            [_plain(value) for value in row]
            for row in connection.execute(
                f"SELECT {columns} FROM {EVENT_TABLE} "
                f"WHERE idempotency_key NOT LIKE 'raw:%' ORDER BY id"
            ).fetchall()
        ]
        template = connection.execute(
            f"SELECT {', '.join(TASK_COLUMNS)} FROM {TASK_TABLE} LIMIT 1"
        ).fetchone()
    finally:
        connection.close()
    if not rows:
        raise SetupError("no stored event to copy for the raw INSERT")
    key_index = EVENT_COLUMNS.index("idempotency_key")
    # Every stored row once, then again under other keys, until the time or the limit is up.
    copies = []
    for number in range(limit):
        row = list(rows[number % len(rows)])
        row[key_index] = f"raw:{label}:{number}:{row[key_index]}"[:255]
        copies.append(row)
    task = [_plain(value) for value in template] if template is not None else None
    if with_task and task is None:
        raise SetupError("no task row to copy")

    if database.kind == "sqlite":
        marks = ", ".join("?" for _ in EVENT_COLUMNS)
        event_sql = f"INSERT INTO {EVENT_TABLE} ({columns}) VALUES ({marks})"
        task_sql = (
            f"INSERT INTO {TASK_TABLE} ({', '.join(TASK_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in TASK_COLUMNS)})"
        )
        begin = "BEGIN IMMEDIATE"  # Django's transaction_mode on SQLite
    else:
        marks = ", ".join("%s::jsonb" if name == "body" else "%s" for name in EVENT_COLUMNS)
        event_sql = f"INSERT INTO {EVENT_TABLE} ({columns}) VALUES ({marks}) RETURNING id"
        task_sql = (
            f"INSERT INTO {TASK_TABLE} ({', '.join(TASK_COLUMNS)}) VALUES ("
            + ", ".join(
                "%s::jsonb" if name in ("args_kwargs", "return_value", "worker_ids") else "%s"
                for name in TASK_COLUMNS
            )
            + ")"
        )
        begin = "BEGIN"

    connection = database.connect(synchronous_commit_off=synchronous_commit_off)
    inserted = 0
    latencies: list[float] = []
    try:
        started = time.perf_counter()
        deadline = started + seconds
        for row in copies:
            before = time.perf_counter()
            connection.execute(begin)
            cursor = connection.execute(event_sql, row)
            if with_task and task is not None:
                event_id = cursor.lastrowid if database.kind == "sqlite" else cursor.fetchone()[0]
                task_row = list(task)
                task_row[0] = uuid.uuid4().hex if database.kind == "sqlite" else uuid.uuid4()
                task_row[1] = json.dumps({"args": [event_id], "kwargs": {}})
                connection.execute(task_sql, task_row)
            connection.execute("COMMIT")
            latencies.append((time.perf_counter() - before) * 1000)
            inserted += 1
            if time.perf_counter() >= deadline:
                break
        elapsed = time.perf_counter() - started
    finally:
        connection.close()
    return {
        "before": quiet,
        "with_task": with_task,
        "synchronous_commit": "off" if synchronous_commit_off else "default",
        "events": inserted,
        "elapsed_s": round(elapsed, 3),
        "events_per_s": round(inserted / elapsed, 1),
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 3),
            "p99": round(percentile(latencies, 99), 3),
        },
    }


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered), max(1, math.ceil(share / 100 * len(ordered)))) - 1]


# --------------------------------------------------------------------------------------------
# Series


@dataclass
class Options:
    databases: list[str]
    postgres_url: str
    rates: list[float]
    duration: float
    warmup: float
    gunicorn_workers: int
    unpaced_concurrency: int
    raw_seconds: float
    raw_limit: int
    synchronous_commit_off: bool
    wrk: bool
    wait_quiet: float
    seed: int
    output: Path


def concurrency_for(deliveries_per_s: float) -> int:
    """Connections for a paced run: Little's law at 25 ms per request, at least 4, at most 32."""
    return max(4, min(32, math.ceil(deliveries_per_s * 0.025)))


def pg_backend_pids(database: LocalDatabase) -> list[int]:
    """The PostgreSQL backends serving the run's database, found by their process title
    (``postgres: 15/main: tandem <database> 127.0.0.1(port) idle``) without connecting."""
    if database.kind != "postgresql" or not database.name:
        return []
    marker = f" {database.name} ".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if title.startswith(b"postgres: ") and marker in title:
            pids.append(int(entry.name))
    return pids


class Meter:
    """CPU used during one point: gunicorn's processes, the PostgreSQL backends of the run's
    database, the load generator (children of this script that exited) and everything else
    the machine ran meanwhile (other people's work on a shared machine)."""

    def __init__(self, database: LocalDatabase, server: Server, wait_quiet: float) -> None:
        self.quiet = wait_for_quiet(wait_quiet) if wait_quiet > 0 else {}
        self.database = database
        self.server = server
        self.stored = self.count_stored()
        self.server_cpu = cpu_by_pid(server.pids())
        self.backend_cpu = cpu_by_pid(pg_backend_pids(database))
        # Django reconnects every CONN_MAX_AGE (60 s): a backend may end during the point.
        # A sampler keeps each backend's last reading, so its CPU is not lost with it.
        self.backend_last = dict(self.backend_cpu)
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        if database.kind == "postgresql":
            self._sampler.start()
        self.client_cpu = children_cpu_seconds()
        self.machine_cpu = machine_busy_seconds()
        self.load = os.getloadavg()[0]
        self.started = time.monotonic()

    def _sample(self) -> None:
        while not self._stop.wait(0.25):
            with contextlib.suppress(Exception):
                self.backend_last.update(cpu_by_pid(pg_backend_pids(self.database)))

    def count_stored(self) -> int:
        return int(self.database.scalar(f"SELECT COUNT(*) FROM {EVENT_TABLE}"))

    def finish(self, *, events: int | None = None, client_startup: float = 0.0) -> dict[str, Any]:
        """CPU per event over the window since ``__init__``; ``events`` defaults to the events
        stored meanwhile; ``client_startup`` (CPU-s) is taken off the client's share."""
        window = time.monotonic() - self.started
        server_cpu = cpu_since(self.server_cpu, self.server.pids())
        self._stop.set()
        if self._sampler.is_alive():
            self._sampler.join(timeout=5)
            self.backend_last.update(cpu_by_pid(pg_backend_pids(self.database)))
        backend_cpu = sum(
            value - self.backend_cpu.get(pid, 0.0) for pid, value in self.backend_last.items()
        )
        client_cpu = children_cpu_seconds() - self.client_cpu
        machine_cpu = machine_busy_seconds() - self.machine_cpu
        stored = self.count_stored() - self.stored
        counted = stored if events is None else events
        per_event_ms = 1000 / counted if counted else 0.0
        rest = machine_cpu - server_cpu - backend_cpu - client_cpu
        server_ms = (server_cpu + backend_cpu) * per_event_ms
        cores = os.cpu_count() or 1
        return {
            "events_stored": stored,
            "cpu_ms_per_event": {
                "gunicorn": round(server_cpu * per_event_ms, 2),
                "postgres_backends": round(backend_cpu * per_event_ms, 2),
                "client": round(max(0.0, client_cpu - client_startup) * per_event_ms, 2),
                "rest_of_machine": round(rest * per_event_ms, 2),
            },
            "server_cpu_ms_per_event": round(server_ms, 2),
            # What the server side would take with every core to itself (no client, no
            # neighbours, the kernel's share ignored): cores / server CPU per event.
            "ceiling_events_per_s": round(1000 * cores / server_ms) if server_ms else None,
            "window_s": round(window, 2),
            "machine_busy_share": round(machine_cpu / (window * cores), 3),
            "other_cores_busy": round(rest / window, 2),
            "loadavg_1m_before": round(self.load, 2),
            "before": self.quiet,
        }


@dataclass(frozen=True)
class Target:
    """Where the load goes, and how deliveries are made for it."""

    database: LocalDatabase
    server: Server
    env: dict[str, str]
    port: int
    accounts_file: Path
    secret: str
    per_delivery: float
    wait_quiet: float
    client_startup_cpu: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks/meta"


def json_report(result: subprocess.CompletedProcess[str], name: str) -> dict[str, Any]:
    """The JSON object a load generator printed on its last line of output."""
    try:
        report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError) as error:
        raise SetupError(f"{name} printed no report: {result.stderr[-2000:]}") from error
    return report


def simulate_startup_cpu(target: Target) -> float:
    """CPU-seconds ``tandem simulate`` spends starting (Django set-up…) and stopping, without
    sending anything (``--count 0``): taken off the client's CPU per event. Median of 3."""
    samples = []
    for _ in range(3):
        before = children_cpu_seconds()
        subprocess.run(
            tandem_argv(
                "simulate",
                "--url",
                target.url,
                "--count",
                "0",
                "--accounts",
                str(target.accounts_file),
                "--app-secret",
                target.secret,
                "--json",
            ),
            env=target.env,
            cwd=ROOT,
            capture_output=True,
            timeout=60,
            check=True,
        )
        samples.append(children_cpu_seconds() - before)
    return sorted(samples)[1]


def simulate_point(
    target: Target,
    *,
    events_rate: float,
    duration: float,
    concurrency: int,
    seed: int,
    start: datetime,
) -> dict[str, Any]:
    """One ``tandem simulate`` run at a fixed rate (0: unpaced)."""
    deliveries_rate = events_rate / target.per_delivery if events_rate else 0.0
    meter = Meter(target.database, target.server, target.wait_quiet)
    result = subprocess.run(
        tandem_argv(
            "simulate",
            "--url",
            target.url,
            "--rate",
            f"{deliveries_rate:.3f}",
            "--duration",
            f"{duration:g}",
            "--concurrency",
            str(concurrency),
            "--seed",
            str(seed),
            "--start",
            start.isoformat(),
            "--accounts",
            str(target.accounts_file),
            "--app-secret",
            target.secret,
            "--max-attempts",
            "1",
            "--json",
        ),
        env=target.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=duration + 120,
        check=False,
    )
    report = json_report(result, "simulate")
    elapsed = float(report["elapsed_s"])
    events = int(report["events_sent"])
    return {
        "client": "simulate",
        "target_events_per_s": events_rate or None,
        "target_deliveries_per_s": round(deliveries_rate, 2) or None,
        "concurrency": concurrency,
        "deliveries": report["deliveries"],
        "acknowledged": report["acknowledged"],
        "failed": report["failed"],
        "rejected": report["rejected"],
        "connection_errors": report["connection_errors"],
        "events_acked": events,
        "elapsed_s": elapsed,
        "acked_events_per_s": round(events / elapsed, 1) if elapsed else 0.0,
        "acked_deliveries_per_s": round(report["acknowledged"] / elapsed, 1) if elapsed else 0.0,
        "latency_ms": report["latency_ms"],
        **meter.finish(events=events, client_startup=target.client_startup_cpu),
    }


WRK_SCRIPT = r"""-- Each thread posts its share of pre-signed deliveries once (args: file, threads)
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
function init(args)
  bodies, signatures = {}, {}
  threads = tonumber(args[2])
  for line in io.lines(args[1]) do
    local tab = line:find("\t", 1, true)
    signatures[#signatures + 1] = line:sub(1, tab - 1)
    bodies[#bodies + 1] = line:sub(tab + 1)
  end
  index = tid + 1
end
function request()
  local i = index
  index = index + threads
  if i > #bodies then i = ((i - 1) % #bodies) + 1 end
  return wrk.format("POST", nil, {["Content-Type"] = "application/json",
    ["X-Hub-Signature-256"] = signatures[i]}, bodies[i])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, '
    .. '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
    .. '"max_us": %d}\n', summary.requests, summary.duration, e.connect, e.read, e.write,
    e.status, e.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
"""


def write_bodies(target: Target, path: Path, *, count: int, seed: int, day: int) -> None:
    """``count`` deliveries of the simulated stream, signed, as ``signature<TAB>body`` lines."""
    from tandem.connectors.meta.signatures import SIGNATURE_HEADER
    from tandem.connectors.simulation.accounts import accounts_from_json
    from tandem.connectors.simulation.traffic import TrafficConfig, TrafficGenerator

    accounts = accounts_from_json(json.loads(target.accounts_file.read_text(encoding="utf-8")))
    generator = TrafficGenerator(
        accounts,
        TrafficConfig(app_secret=target.secret, seed=seed, start_at=VIRTUAL_START.replace(day=day)),
    )
    with path.open("w", encoding="ascii") as handle:
        for _ in range(count):
            delivery = generator.next_delivery()
            handle.write(f"{delivery.headers[SIGNATURE_HEADER]}\t{delivery.body.decode()}\n")


def pacer_point(
    target: Target, *, events_rate: float, duration: float, seed: int, workdir: Path, day: int
) -> dict[str, Any]:
    """One open-loop run at a fixed rate with ``pacer.py`` (pre-signed deliveries, plain
    sockets, ~0.1 ms of CPU per request): the server's latency when the client costs little."""
    deliveries_rate = events_rate / target.per_delivery
    count = int(deliveries_rate * duration) + 1
    bodies = workdir / f"pacer-{events_rate:g}.tsv"
    write_bodies(target, bodies, count=count, seed=seed, day=day)
    meter = Meter(target.database, target.server, target.wait_quiet)
    result = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve().parent / "pacer.py"),
            "--port",
            str(target.port),
            "--bodies",
            str(bodies),
            "--rate",
            f"{deliveries_rate:.3f}",
            "--duration",
            f"{duration:g}",
        ],
        capture_output=True,
        text=True,
        timeout=duration + 120,
        check=False,
    )
    report = json_report(result, "pacer")
    measured = meter.finish()  # every body is new: the events acked are the events stored
    events = measured["events_stored"]
    # Until the last answer: a server that falls behind stretches the run past its schedule.
    elapsed = float(report["elapsed_s"])
    failed = report["requests"] - report["acknowledged"]
    return {
        "client": "pacer",
        "target_events_per_s": events_rate,
        "target_deliveries_per_s": round(deliveries_rate, 2),
        "concurrency": None,
        "deliveries": report["requests"],
        "acknowledged": report["acknowledged"],
        "failed": failed,
        "errors": report["errors"],
        "statuses": report["statuses"],
        "late_starts": report["late_starts"],
        "events_acked": events,
        "elapsed_s": report["elapsed_s"],
        "acked_events_per_s": round(events / elapsed, 1) if elapsed else 0.0,
        "acked_deliveries_per_s": round(report["acknowledged"] / elapsed, 1) if elapsed else 0.0,
        "latency_ms": report["latency_ms"],
        "service_latency_ms": report["service_latency_ms"],
        **measured,
    }


def wrk_point(
    target: Target, *, duration: float, connections: int, seed: int, workdir: Path
) -> dict[str, Any] | None:
    """Unpaced, with ``wrk`` (C, a fraction of simulate's CPU) posting pre-signed deliveries
    of the same stream, each once: what the server takes when the client costs little."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    bodies = workdir / "wrk-bodies.tsv"
    # Enough for 2,000 deliveries/s: wrk never has to send a body twice.
    count = int(2000 * duration)
    write_bodies(target, bodies, count=count, seed=seed, day=20)
    script = workdir / "wrk-post.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    threads = 2
    meter = Meter(target.database, target.server, target.wait_quiet)
    result = subprocess.run(
        [
            wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration:g}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            target.url,
            "--",
            str(bodies),
            str(threads),
        ],
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("WRK ")]
    if not lines:
        raise SetupError(f"wrk printed no report: {(result.stdout + result.stderr)[-2000:]}")
    report = json.loads(lines[-1][4:])
    elapsed = report["duration_us"] / 1e6
    errors = {k: report[k] for k in ("connect", "read", "write", "status", "timeout")}
    if report["requests"] > count:
        raise SetupError("wrk sent some bodies twice: raise the number generated")
    measured = meter.finish()  # every body is new: the events acked are the events stored
    events = measured["events_stored"]
    return {
        "client": "wrk",
        "target_events_per_s": None,
        "target_deliveries_per_s": None,
        "concurrency": connections,
        "deliveries": report["requests"],
        "acknowledged": report["requests"] - sum(errors.values()),
        "errors": errors,
        "events_acked": events,
        "elapsed_s": round(elapsed, 3),
        "acked_events_per_s": round(events / elapsed, 1),
        "acked_deliveries_per_s": round(report["requests"] / elapsed, 1),
        "latency_ms": {
            name: round(report[f"{name}_us"] / 1000, 3) for name in ("p50", "p90", "p99", "max")
        },
        **measured,
    }


def run_series(
    options: Options, kind: str, *, synchronous_commit_off: bool = False
) -> dict[str, Any]:
    label = kind + (" (synchronous_commit=off)" if synchronous_commit_off else "")
    print(f"== {label}", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="tandem-bench-"))
    database: LocalDatabase | None = None
    server: Server | None = None
    try:
        database = LocalDatabase.create(
            "sqlite" if kind == "sqlite" else options.postgres_url, workdir, "tandem_bench"
        )
        url = database.url
        if synchronous_commit_off:
            url += "?options=" + quote("-c synchronous_commit=off")
        env = bench_env(url, workdir)
        secret = env["META_APP_SECRET"]
        run_tandem(env, "migrate", "--no-input", "-v", "0", timeout=300)
        run_tandem(env, "seed_demo", timeout=300)
        accounts_file = workdir / "accounts.json"
        accounts = export_accounts(database, accounts_file)
        per_delivery = events_per_delivery(accounts, options.seed)
        port = free_port()
        server = Server(
            tandem_argv(
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(options.gunicorn_workers),
                "--no-worker",
            ),
            env,
            workdir / "server.log",
        )
        server.start(port)
        target = Target(
            database, server, env, port, accounts_file, secret, per_delivery, options.wait_quiet
        )
        target = replace(target, client_startup_cpu=simulate_startup_cpu(target))
        simulate_point(
            replace(target, wait_quiet=0.0),
            events_rate=100.0,
            duration=options.warmup,
            concurrency=4,
            seed=options.seed - 1,
            start=VIRTUAL_START,
        )
        points = []
        plan = [*options.rates, 0.0]
        for index, rate in enumerate(plan):
            concurrency = (
                concurrency_for(rate / per_delivery) if rate else options.unpaced_concurrency
            )
            points.append(
                simulate_point(
                    target,
                    events_rate=rate,
                    duration=options.duration,
                    concurrency=concurrency,
                    seed=options.seed + index,
                    start=VIRTUAL_START.replace(day=1 + index),
                )
            )
            _show(points[-1])
        for index, rate in enumerate(options.rates):
            points.append(
                pacer_point(
                    target,
                    events_rate=rate,
                    duration=options.duration,
                    seed=options.seed + 50 + index,
                    workdir=workdir,
                    day=10 + index,
                )
            )
            _show(points[-1])
        if options.wrk:
            point = wrk_point(
                target,
                duration=options.duration,
                connections=options.unpaced_concurrency,
                seed=options.seed + 100,
                workdir=workdir,
            )
            if point is None:
                print("   wrk is not installed: no unpaced point with a cheap client", flush=True)
            else:
                points.append(point)
                _show(point)
        server.stop()
        raw = [
            raw_insert_rate(
                database,
                with_task=with_task,
                seconds=options.raw_seconds,
                limit=options.raw_limit,
                label=f"{int(with_task)}",
                synchronous_commit_off=synchronous_commit_off,
                wait_quiet=options.wait_quiet,
            )
            for with_task in (False, True)
        ]
        for series in raw:
            print(
                f"   raw INSERT{' + task' if series['with_task'] else ''}: "
                f"{series['events_per_s']:.0f} events/s ({series['events']} in "
                f"{series['elapsed_s']} s, one transaction each)",
                flush=True,
            )
        return {
            "database": kind,
            "synchronous_commit": "off" if synchronous_commit_off else "default",
            "server_version": server_version(database),
            "events_per_delivery": round(per_delivery, 3),
            "simulate_startup_cpu_s": round(target.client_startup_cpu, 3),
            "points": points,
            "raw_insert": raw,
        }
    finally:
        if server is not None:
            server.stop()
        if database is not None:
            database.drop()
        shutil.rmtree(workdir, ignore_errors=True)


def _show(point: dict[str, Any]) -> None:
    target = point["target_events_per_s"]
    name = f"{target:g}/s ({point['client']})" if target else f"unpaced ({point['client']})"
    latency = point["latency_ms"]
    print(
        f"   {name:>18}: {point['acked_events_per_s']:7.1f} events/s acked, "
        f"p50 {latency['p50']:.1f} ms, p99 {latency['p99']:.1f} ms "
        f"(stored {point['events_stored']}/{point['events_acked']}, "
        f"machine busy {point['machine_busy_share']:.0%}, load {point['loadavg_1m_before']})",
        flush=True,
    )


def bench_env(database_url: str, workdir: Path) -> dict[str, str]:
    from cryptography.fernet import Fernet

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "META_", "TANDEM_", "PYTEST_"))
        and key not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "LOG_LEVEL")
    }
    (workdir / "var").mkdir(exist_ok=True)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": database_url,
            "DEBUG": "false",  # production settings: every secret below is set
            "SECRET_KEY": secrets.token_urlsafe(32),
            "META_APP_SECRET": secrets.token_hex(16),
            "META_VERIFY_TOKEN": secrets.token_urlsafe(16),
            "META_GRAPH_URL": CLOSED_GRAPH_URL,
            "TANDEM_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "TANDEM_VAR_DIR": str(workdir / "var"),
            # gunicorn's control socket: in the temporary directory, not shared in $HOME.
            "XDG_RUNTIME_DIR": str(workdir),
        }
    )
    return env


def server_version(database: LocalDatabase) -> str:
    if database.kind == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    return str(database.scalar("SHOW server_version")).split(" ")[0]


def machine() -> dict[str, Any]:
    cpu, ram_gib = cpu_and_memory()
    from importlib.metadata import version

    return {
        "date": datetime.now(UTC).date().isoformat(),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": ram_gib,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "versions": {
            name: version(name)
            for name in ("django", "gunicorn", "psycopg", "django-tasks-db", "httpx")
        },
    }


def _series_name(series: dict[str, Any]) -> str:
    off = series["synchronous_commit"] == "off"
    return series["database"] + (" (synchronous_commit=off)" if off else "")


def markdown(results: dict[str, Any]) -> str:
    lines = [
        (
            "| database | load | acked events/s | p50 ms | p99 ms "
            "| server CPU ms/event (gunicorn + PG) | client CPU ms/event | others' cores busy |"
        ),
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for series in results["series"]:
        for point in series["points"]:
            cpu = point["cpu_ms_per_event"]
            target = point["target_events_per_s"]
            load = (
                f"{target:g} events/s ({point['client']})"
                if target
                else f"unpaced ({point['client']})"
            )
            lines.append(
                f"| {_series_name(series)} | {load} | {point['acked_events_per_s']:.0f} "
                f"| {point['latency_ms']['p50']:.1f} | {point['latency_ms']['p99']:.1f} "
                f"| {point['server_cpu_ms_per_event']:.2f} ({cpu['gunicorn']:.2f} + "
                f"{cpu['postgres_backends']:.2f}) | {cpu['client']:.2f} "
                f"| {point['other_cores_busy']:.2f} |"
            )
    lines += [
        "",
        (
            "| database | raw INSERT events/s | raw INSERT + task row events/s "
            "| Tandem unpaced events/s (client) | Tandem / raw | Tandem / raw + task "
            "| server-side ceiling events/s |"
        ),
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for series in results["series"]:
        raw, raw_task = series["raw_insert"]
        for point in series["points"]:
            if point["target_events_per_s"]:
                continue
            rate = point["acked_events_per_s"]
            lines.append(
                f"| {_series_name(series)} | {raw['events_per_s']:.0f} "
                f"| {raw_task['events_per_s']:.0f} | {rate:.0f} ({point['client']}) "
                f"| {rate / raw['events_per_s']:.0%} | {rate / raw_task['events_per_s']:.0%} "
                f"| {point['ceiling_events_per_s']} |"
            )
    return "\n".join(lines)


def _default_postgres_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgres") else "postgres://tandem:tandem@127.0.0.1:5432/tandem"


def parse_arguments(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres-url",
        default=_default_postgres_url(),
        help="A PostgreSQL server on 127.0.0.1 (a database is created beside this one).",
    )
    parser.add_argument("--rates", default="50,100,250,500,1000", help="Events/s, comma-separated.")
    parser.add_argument("--duration", type=float, default=10.0, help="Seconds per point.")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers.")
    parser.add_argument("--unpaced-concurrency", type=int, default=4)
    parser.add_argument("--raw-seconds", type=float, default=5.0)
    parser.add_argument("--raw-limit", type=int, default=50_000, help="Rows per raw series.")
    parser.add_argument("--synchronous-commit-off", action="store_true")
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        help="Before each point, wait up to this many seconds for the rest of the machine to "
        "go quiet (under a quarter of a core busy); what was found is recorded.",
    )
    parser.add_argument(
        "--no-wrk", action="store_true", help="Skip the unpaced point driven by wrk."
    )
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--output", type=Path)
    arguments = parser.parse_args(argv)
    databases = [name.strip() for name in arguments.databases.split(",") if name.strip()]
    if not set(databases) <= {"sqlite", "postgresql"}:
        parser.error("--databases: sqlite and/or postgresql")
    rates = [float(rate) for rate in arguments.rates.split(",") if rate.strip()]
    if any(rate <= 0 for rate in rates) or not 0 < arguments.duration <= 120:
        parser.error("rates > 0; 0 < duration <= 120")
    date = datetime.now(UTC).date().isoformat()
    return Options(
        databases=databases,
        postgres_url=arguments.postgres_url,
        rates=rates,
        duration=arguments.duration,
        warmup=arguments.warmup,
        gunicorn_workers=arguments.workers,
        unpaced_concurrency=arguments.unpaced_concurrency,
        raw_seconds=arguments.raw_seconds,
        raw_limit=arguments.raw_limit,
        synchronous_commit_off=arguments.synchronous_commit_off,
        wrk=not arguments.no_wrk,
        wait_quiet=arguments.wait_quiet,
        seed=arguments.seed,
        output=arguments.output or RESULTS / f"ingest-{date}.json",
    )


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_arguments(argv)
    results: dict[str, Any] = {
        "machine": machine(),
        "options": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(options).items()},
        "series": [],
    }
    print(
        f"{results['machine']['nproc']} cores, {results['machine']['cpu']}, "
        f"load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    try:
        for kind in options.databases:
            results["series"].append(run_series(options, kind))
            if kind == "postgresql" and options.synchronous_commit_off:
                results["series"].append(run_series(options, kind, synchronous_commit_off=True))
    except SetupError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 2
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print()
    print(markdown(results))
    shown = (
        options.output.relative_to(ROOT) if options.output.is_relative_to(ROOT) else options.output
    )
    print(f"\nresults: {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
