"""Latency of sequential keep-alive requests on 127.0.0.1, and the gunicorn that answers them."""

from __future__ import annotations

import contextlib
import math
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

# The access log line of ``tandem serve``: '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'.
ACCESS_LINE = re.compile(r'^\S+ "(?P<method>\S+) (?P<path>\S+)" (?P<status>\d+) \S+ (?P<ms>\d+)ms')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="(?P<token>[^"]+)"')
LIST_VERSION = re.compile(r"partial=list&(?:amp;)?v=(?P<version>[0-9a-f]+)")


@dataclass
class Server:
    """``tandem serve`` (gunicorn, no worker) in its own process group, its output in a file."""

    root: Path
    env: Mapping[str, str]
    port: int
    log_path: Path
    workers: int = 2
    process: subprocess.Popen[bytes] | None = None
    _log: Any = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> None:
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tandem.cli",
                "serve",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--no-worker",
            ],
            cwd=self.root,
            env=dict(self.env),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"tandem serve exited early; see {self.log_path}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base_url}/accounts/login/", timeout=2).status_code == 200:
                    return
            time.sleep(0.3)
        raise RuntimeError(f"tandem serve did not answer within {timeout:.0f} s")

    def worker_pids(self) -> list[int]:
        """The gunicorn workers (children of the gunicorn master, grandchildren of serve)."""
        if self.process is None:
            return []
        pids: list[int] = []
        masters = _children(self.process.pid)
        for master in masters:
            pids.extend(_children(master))
        return pids

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None

    def access_times(self, start_line: int) -> tuple[list[float], int]:
        """Request times gunicorn logged (whole ms) from line ``start_line`` on; next start."""
        lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        times = [
            float(match["ms"])
            for line in lines[start_line:]
            if (match := ACCESS_LINE.match(line)) is not None
        ]
        return times, len(lines)


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def postgres_backends(database: str) -> list[int]:
    """PostgreSQL backends serving ``database`` (by process title; autovacuum left out)."""
    pids: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres:") and f" {database} " in title and "autovacuum" not in title:
            pids.append(int(entry.name))
    return pids


class CpuSampler:
    """CPU time spent by the gunicorn workers and the database's backends during a window.

    Backends come and go (Django closes a connection older than ``CONN_MAX_AGE``), so they are
    sampled every ``interval`` seconds in a thread: a backend that exits loses at most one
    interval of CPU; one born during the window counts from zero.
    """

    def __init__(self, workers: list[int], database: str, interval: float = 0.2) -> None:
        self.workers = workers
        self.database = database
        self.interval = interval
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.kind: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self, *, initial: bool = False) -> None:
        for kind, pids in (
            ("gunicorn", self.workers),
            ("postgres", postgres_backends(self.database)),
        ):
            for pid in pids:
                value = cpu_seconds(pid)
                if value is None:
                    continue
                if pid not in self.first:
                    self.first[pid] = value if initial else 0.0
                    self.kind[pid] = kind
                self.last[pid] = value

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    def __enter__(self) -> CpuSampler:
        self._sample(initial=True)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def seconds(self) -> dict[str, float]:
        totals = {"gunicorn": 0.0, "postgres": 0.0}
        for pid, last in self.last.items():
            totals[self.kind[pid]] += max(0.0, last - self.first[pid])
        return totals


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(part) for part in path.read_text().split()]
    except OSError:
        return []


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    try:
        server.start()
        yield server
    finally:
        server.stop()


def login(client: httpx.Client, email: str, password: str) -> None:
    """Sign in through the real form (CSRF cookie and token), as a browser does."""
    page = client.get("/accounts/login/")
    match = CSRF_INPUT.search(page.text)
    if match is None:
        raise RuntimeError("no CSRF token on the sign-in page")
    answer = client.post(
        "/accounts/login/",
        data={"username": email, "password": password, "csrfmiddlewaretoken": match["token"]},
        headers={"Referer": f"{client.base_url}/accounts/login/"},
    )
    if answer.status_code != 302 or "sessionid" not in client.cookies:
        raise RuntimeError(f"sign-in of {email} failed: {answer.status_code}")


def list_version(client: httpx.Client, queue: str) -> str:
    page = client.get(f"/inbox/?queue={queue}")
    match = LIST_VERSION.search(page.text)
    if match is None:
        raise RuntimeError("no list version on the inbox page")
    return match["version"]


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]


def summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "n": len(values),
        "p50": round(percentile(values, 0.50), 2),
        "p95": round(percentile(values, 0.95), 2),
        "p99": round(percentile(values, 0.99), 2),
        "mean": round(statistics.fmean(values), 2),
        "max": round(max(values), 2),
    }


def timed_get(
    client: httpx.Client, url: str, headers: Mapping[str, str], expect: int = 200
) -> tuple[float, int]:
    """One GET: milliseconds until the whole answer is read, and its size."""
    started = time.perf_counter()
    response = client.get(url, headers=headers)
    response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != expect:
        raise RuntimeError(f"{url}: {response.status_code}, expected {expect}")
    return elapsed, len(response.content)
