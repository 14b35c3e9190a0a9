"""Send simulated deliveries to a webhook URL at a steady rate, like Meta, and measure.

``run(deliveries, settings)`` paces deliveries at ``settings.rate`` per second (0: as fast as
the workers go) until ``count`` deliveries or ``duration`` seconds, whichever comes first, and
returns a ``Report``. It always stops by itself: dispatching ends at the count or the deadline,
each delivery makes at most ``max_attempts`` requests with a ``timeout`` each, and the queue
between the pacer and the workers is small, so a slow server slows the pacer instead of piling
up work.

Workers are a fixed pool of threads, each with its own keep-alive ``httpx.Client``. Like Meta,
a delivery is only acknowledged by a **200**; any other status or a connection error is retried
with the same bytes after an exponential back-off (bounded: ``backoff`` doubled per attempt,
at most 2 s). The back-off is short on purpose: Meta retries over minutes to days, which would
make a load test pointless; the retry *behaviour* (same body, same signature) is what matters.

Latency percentiles are over every request that got an HTTP answer (retries included),
nearest-rank, in milliseconds. ``acked_keys_path`` receives each acknowledged event's
idempotency key, one per line, written as soon as the 200 arrives (so the file is right even
if the run, or the server, is killed): a crash test compares it with the database afterwards.
"""

from __future__ import annotations

import contextlib
import math
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Final

import httpx

from tandem.connectors.simulation.traffic import Delivery

__all__ = ["Report", "RunSettings", "percentile", "run"]

_MAX_BACKOFF: Final = 2.0
_EMULATOR_TIMEOUT: Final = 2.0
_USER_AGENT: Final = "tandem-simulate/1.0"


@dataclass(frozen=True, slots=True, kw_only=True)
class RunSettings:
    """Where and how fast to send. At least one of ``count`` and ``duration`` is required."""

    url: str
    rate: float = 20.0
    count: int | None = None
    duration: float | None = None
    concurrency: int = 4
    max_attempts: int = 4
    backoff: float = 0.05
    timeout: float = 10.0
    emulator_url: str | None = None
    acked_keys_path: Path | None = None

    def __post_init__(self) -> None:
        if self.count is None and self.duration is None:
            raise ValueError("a run needs a count or a duration: it must stop by itself")
        if self.count is not None and self.count < 0:
            raise ValueError("count must be >= 0")
        if self.duration is not None and not 0 < self.duration < math.inf:
            raise ValueError("duration must be a positive number of seconds")
        if self.rate < 0 or self.concurrency < 1 or self.max_attempts < 1:
            raise ValueError("rate must be >= 0, concurrency and max_attempts >= 1")
        if self.timeout <= 0 or self.backoff < 0:
            raise ValueError("timeout must be > 0 and backoff >= 0")
        for url in (self.url, self.emulator_url):
            if url is not None and not _is_http_url(url):
                raise ValueError(f"not an http(s) URL: {url!r}")


def _is_http_url(url: str) -> bool:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        return False
    return parsed.scheme in ("http", "https") and bool(parsed.host)


@dataclass(frozen=True, slots=True)
class Attempt:
    """One HTTP request: the status (None on a connection error) and how long it took (s)."""

    status: int | None
    seconds: float


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of ``values`` (``share`` in 0-100); 0.0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(share / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """What a run did. ``ok`` is True when every delivery sent was acknowledged."""

    url: str
    deliveries: int
    acknowledged: int
    failed: int
    requests: int
    retries: int
    rejected: dict[int, int] = field(hash=False)
    connection_errors: int
    events_sent: int
    duplicates_sent: int
    latency_ms: dict[str, float] = field(hash=False)
    elapsed_s: float
    target_rate: float
    achieved_rate: float

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.acknowledged == self.deliveries

    def as_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "deliveries": self.deliveries,
            "acknowledged": self.acknowledged,
            "failed": self.failed,
            "requests": self.requests,
            "retries": self.retries,
            "rejected": {str(status): n for status, n in sorted(self.rejected.items())},
            "connection_errors": self.connection_errors,
            "events_sent": self.events_sent,
            "duplicates_sent": self.duplicates_sent,
            "latency_ms": self.latency_ms,
            "elapsed_s": self.elapsed_s,
            "target_rate": self.target_rate,
            "achieved_rate": self.achieved_rate,
            "ok": self.ok,
        }

    def as_table(self) -> str:
        rejected = ", ".join(f"{status}: {n}" for status, n in sorted(self.rejected.items()))
        latency = "  ".join(f"{name} {value:.1f}" for name, value in self.latency_ms.items())
        target = f"{self.target_rate:g}/s" if self.target_rate else "unpaced"
        rows = [
            ("deliveries sent", f"{self.deliveries}"),
            ("acknowledged (200)", f"{self.acknowledged}"),
            ("failed after retries", f"{self.failed}"),
            ("HTTP requests", f"{self.requests} ({self.retries} retries)"),
            ("rejected by status", rejected or "none"),
            ("connection errors", f"{self.connection_errors}"),
            ("events acknowledged", f"{self.events_sent} unique idempotency keys"),
            ("duplicates sent", f"{self.duplicates_sent}"),
            ("latency (ms)", latency),
            ("rate (deliveries/s)", f"{self.achieved_rate:.1f} achieved, target {target}"),
            ("elapsed (s)", f"{self.elapsed_s:.2f}"),
        ]
        width = max(len(name) for name, _ in rows)
        lines = [f"tandem simulate -> {self.url}"]
        lines += [f"  {name.ljust(width)}  {value}" for name, value in rows]
        lines.append(f"  {'result'.ljust(width)}  {'OK' if self.ok else 'NOT ALL ACKNOWLEDGED'}")
        return "\n".join(lines)


class _Recorder:
    """Thread-safe tally of outcomes; appends acknowledged keys to a file as they come."""

    def __init__(self, keys_file: IO[str] | None) -> None:
        self._lock = threading.Lock()
        self._keys_file = keys_file
        self.attempts: list[Attempt] = []
        self.deliveries = self.acknowledged = self.duplicates = 0
        self.acked_keys: set[str] = set()

    def record(self, delivery: Delivery, attempts: list[Attempt]) -> None:
        with self._lock:
            self.deliveries += 1
            self.duplicates += delivery.duplicate_of is not None
            self.attempts.extend(attempts)
            if attempts[-1].status != 200:
                return
            self.acknowledged += 1
            fresh = [key for key in delivery.events if key not in self.acked_keys]
            self.acked_keys.update(fresh)
            if self._keys_file is not None and fresh:
                self._keys_file.write("".join(f"{key}\n" for key in fresh))
                self._keys_file.flush()


def _send(
    client: httpx.Client, delivery: Delivery, settings: RunSettings, stop: threading.Event
) -> list[Attempt]:
    attempts: list[Attempt] = []
    for number in range(settings.max_attempts):
        started = time.perf_counter()
        try:
            status: int | None = client.post(
                settings.url, content=delivery.body, headers=delivery.headers
            ).status_code
        except Exception:
            # Connection errors, timeouts, and anything unexpected: a failed attempt. A worker
            # must never die, or the pacer would block on the full queue and never stop.
            status = None
        attempts.append(Attempt(status, time.perf_counter() - started))
        if status == 200 or number + 1 == settings.max_attempts or stop.is_set():
            break
        time.sleep(min(settings.backoff * 2**number, _MAX_BACKOFF))
    return attempts


def _tell_emulator(client: httpx.Client, delivery: Delivery, base_url: str) -> None:
    # The emulator only needs to know messaging windows; it being down must not stop a run.
    for action in delivery.actions:
        with contextlib.suppress(httpx.HTTPError):
            client.post(
                f"{base_url.rstrip('/')}/_emulator/inbound",
                json=action.as_json(),
                timeout=_EMULATOR_TIMEOUT,
            )


def _worker(
    work: queue.Queue[Delivery | None],
    settings: RunSettings,
    recorder: _Recorder,
    stop: threading.Event,
    make_client: Callable[[], httpx.Client],
) -> None:
    with make_client() as client:
        while (delivery := work.get()) is not None:
            if stop.is_set():
                continue  # drain without sending
            if settings.emulator_url and delivery.actions and delivery.duplicate_of is None:
                _tell_emulator(client, delivery, settings.emulator_url)
            recorder.record(delivery, _send(client, delivery, settings, stop))


def run(
    deliveries: Iterable[Delivery],
    settings: RunSettings,
    *,
    transport: httpx.BaseTransport | None = None,
) -> Report:
    """Send ``deliveries`` as ``settings`` say and report (see the module docstring).

    ``transport`` replaces the network (tests). Ctrl-C stops dispatching; deliveries already
    in flight finish and are reported.
    """

    def make_client() -> httpx.Client:
        return httpx.Client(
            timeout=settings.timeout,
            headers={"User-Agent": _USER_AGENT},
            limits=httpx.Limits(max_connections=2, max_keepalive_connections=2),
            transport=transport,
        )

    keys_file = (
        settings.acked_keys_path.open("w", encoding="utf-8") if settings.acked_keys_path else None
    )
    recorder = _Recorder(keys_file)
    stop = threading.Event()
    work: queue.Queue[Delivery | None] = queue.Queue(maxsize=settings.concurrency * 2)
    workers = [
        threading.Thread(
            target=_worker,
            args=(work, settings, recorder, stop, make_client),
            name=f"simulate-{number}",
            daemon=True,
        )
        for number in range(settings.concurrency)
    ]
    for worker in workers:
        worker.start()
    started = time.monotonic()
    try:
        _dispatch(deliveries, settings, work, started)
    except KeyboardInterrupt:
        stop.set()
    finally:
        for _ in workers:
            work.put(None)
        for worker in workers:
            worker.join()
        if keys_file is not None:
            keys_file.close()
    return _report(settings, recorder, time.monotonic() - started)


def _dispatch(
    deliveries: Iterable[Delivery],
    settings: RunSettings,
    work: queue.Queue[Delivery | None],
    started: float,
) -> None:
    deadline = started + settings.duration if settings.duration is not None else math.inf
    for index, delivery in enumerate(deliveries):
        if settings.count is not None and index >= settings.count:
            return
        due = started + index / settings.rate if settings.rate else time.monotonic()
        if due >= deadline or time.monotonic() >= deadline:
            return
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        # Blocks while every worker is busy and the small queue is full: back-pressure.
        work.put(delivery)


def _report(settings: RunSettings, recorder: _Recorder, elapsed: float) -> Report:
    attempts = recorder.attempts
    statuses = Counter(attempt.status for attempt in attempts)
    answered = [attempt.seconds * 1000 for attempt in attempts if attempt.status is not None]
    latency = {
        "p50": percentile(answered, 50),
        "p90": percentile(answered, 90),
        "p99": percentile(answered, 99),
        "max": max(answered, default=0.0),
    }
    return Report(
        url=settings.url,
        deliveries=recorder.deliveries,
        acknowledged=recorder.acknowledged,
        failed=recorder.deliveries - recorder.acknowledged,
        requests=len(attempts),
        retries=len(attempts) - recorder.deliveries,
        rejected={s: n for s, n in statuses.items() if s is not None and s != 200},
        connection_errors=statuses.get(None, 0),
        events_sent=len(recorder.acked_keys),
        duplicates_sent=recorder.duplicates,
        latency_ms={name: round(value, 3) for name, value in latency.items()},
        elapsed_s=round(elapsed, 3),
        target_rate=settings.rate,
        achieved_rate=round(recorder.deliveries / elapsed, 2) if elapsed > 0 else 0.0,
    )
