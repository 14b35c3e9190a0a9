"""Open-loop, fixed-rate load for ``bench/ingest``: pre-signed deliveries posted on a schedule.

``tandem simulate`` generates, signs and sends each delivery as it goes, with httpx: 0.6 to 1.4 ms
of CPU per event, most of a core at 1,000 events/s on the same two cores as the server. This
client does none of that work while timing: it reads deliveries generated and signed
beforehand (the same stream, a TSV of ``signature<TAB>body`` lines, each used once), and
posts delivery ``i`` at ``start + i / rate`` whatever happened to the earlier ones (open loop,
up to ``--max-in-flight`` requests at once: a slow server makes requests pile up, it does not
slow the schedule down). Each request opens its own connection (gunicorn's sync workers close
it after the answer).

One thread and ``selectors`` (epoll): non-blocking sockets, each request a small state machine
(connecting, sending, reading). No thread waits for the GIL to read an answer that has
arrived — with a thread per request in flight, Python's 5 ms switch interval showed up in
the measured latency — and the client costs less CPU on the cores it shares with the server.

Latency is measured from the **scheduled** time, so time spent waiting for the server to
accept is counted (no coordinated omission); the time from the actual send is reported too.
Requests still unanswered ``--timeout`` seconds after their schedule count as timeouts.

Prints one JSON line: counts, achieved rate, latency percentiles (ms).

    python bench/ingest/pacer.py --port 8000 --bodies deliveries.tsv --rate 645 --duration 10
"""

from __future__ import annotations

import argparse
import errno
import json
import math
import selectors
import socket
import sys
import time
from dataclasses import dataclass, field


@dataclass
class Outcome:
    scheduled_ms: list[float] = field(default_factory=list)
    service_ms: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    late_starts: int = 0

    def count(self, table: dict[str, int], key: str) -> None:
        table[key] = table.get(key, 0) + 1


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1))  # nearest rank
    return ordered[rank]


def build_requests(path: str, host: str, lines: list[str]) -> list[bytes]:
    requests = []
    for line in lines:
        signature, body = line.rstrip("\n").split("\t", 1)
        payload = body.encode()
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"X-Hub-Signature-256: {signature}\r\nContent-Length: {len(payload)}\r\n"
            "Connection: close\r\n\r\n"
        )
        requests.append(head.encode() + payload)
    return requests


@dataclass
class Exchange:
    """One request in flight: its bytes still to send, the answer so far, its times."""

    scheduled: float
    started: float
    pending: memoryview
    answer: bytearray = field(default_factory=bytearray)
    connected: bool = False

    def complete(self) -> bool:
        head_end = self.answer.find(b"\r\n\r\n")
        if head_end < 0:
            return False
        length = 0
        for header in bytes(self.answer[:head_end]).split(b"\r\n")[1:]:
            name, _, value = header.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip() or 0)
        return len(self.answer) >= head_end + 4 + length

    def status(self) -> str:
        parts = bytes(self.answer.split(b"\r\n", 1)[0]).split()
        return parts[1].decode() if len(parts) > 1 else "?"


class Pacer:
    """Posts delivery ``i`` at ``start + i / rate``; at most ``max_in_flight`` at once (a
    delivery due while that many are in flight starts late, and its latency shows it)."""

    def __init__(self, options: argparse.Namespace, requests: list[bytes]) -> None:
        self.options = options
        self.requests = requests
        self.total = min(len(requests), int(options.rate * options.duration))
        if self.total < int(options.rate * options.duration):
            print("pacer: not enough deliveries for the rate and duration", file=sys.stderr)
        self.interval = 1.0 / options.rate
        self.outcome = Outcome()
        self.selector = selectors.DefaultSelector()
        self.in_flight: dict[int, tuple[socket.socket, Exchange]] = {}  # by file descriptor
        self.next_index = 0
        self.start = 0.0

    def run(self) -> dict[str, object]:
        self.start = time.perf_counter() + 0.1
        while self.next_index < self.total or self.in_flight:
            self.start_due()
            for key, mask in self.selector.select(timeout=self.wait()):
                self.advance(key.fd, mask)
            self.expire()
        self.selector.close()
        return self.report(time.perf_counter() - self.start)

    def due(self, index: int) -> float:
        return self.start + index * self.interval

    def wait(self) -> float:
        if self.next_index < self.total and len(self.in_flight) < self.options.max_in_flight:
            return max(0.0, self.due(self.next_index) - time.perf_counter())
        return 0.05

    def start_due(self) -> None:
        now = time.perf_counter()
        while self.next_index < self.total and len(self.in_flight) < self.options.max_in_flight:
            scheduled = self.due(self.next_index)
            if scheduled > now:
                return
            if now - scheduled > 0.005:
                self.outcome.late_starts += 1
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setblocking(False)
            sock.connect_ex((self.options.host, self.options.port))  # writable once connected
            exchange = Exchange(scheduled, now, memoryview(self.requests[self.next_index]))
            self.in_flight[sock.fileno()] = (sock, exchange)
            self.selector.register(sock, selectors.EVENT_WRITE)
            self.next_index += 1
            now = time.perf_counter()

    def advance(self, fd: int, mask: int) -> None:
        sock, exchange = self.in_flight[fd]
        try:
            if mask & selectors.EVENT_WRITE:
                if not exchange.connected:
                    code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if code:
                        self.finish(fd, errno.errorcode.get(code, str(code)))
                        return
                    exchange.connected = True
                exchange.pending = exchange.pending[sock.send(exchange.pending) :]
                if not exchange.pending:
                    self.selector.modify(sock, selectors.EVENT_READ)
                return
            chunk = sock.recv(65536)
            exchange.answer += chunk
            if not chunk or exchange.complete():
                self.finish(fd, None if exchange.answer else "closed")
        except OSError as error:
            self.finish(fd, type(error).__name__)

    def expire(self) -> None:
        deadline = time.perf_counter() - self.options.timeout
        for fd, (_, exchange) in list(self.in_flight.items()):
            if exchange.scheduled < deadline:
                self.finish(fd, "timeout")

    def finish(self, fd: int, error: str | None) -> None:
        sock, exchange = self.in_flight.pop(fd)
        self.selector.unregister(sock)
        sock.close()
        if error is not None:
            self.outcome.count(self.outcome.errors, error)
            return
        done = time.perf_counter()
        status = exchange.status()
        self.outcome.count(self.outcome.statuses, status)
        if status == "200":
            self.outcome.scheduled_ms.append((done - exchange.scheduled) * 1000)
            self.outcome.service_ms.append((done - exchange.started) * 1000)

    def report(self, elapsed: float) -> dict[str, object]:
        outcome = self.outcome
        return {
            "requests": self.total,
            "acknowledged": outcome.statuses.get("200", 0),
            "statuses": outcome.statuses,
            "errors": outcome.errors,
            "late_starts": outcome.late_starts,
            "elapsed_s": round(elapsed, 3),
            "schedule_s": round(self.total * self.interval, 3),
            "latency_ms": _percentiles(outcome.scheduled_ms),
            "service_latency_ms": _percentiles(outcome.service_ms),
        }


def _percentiles(values: list[float]) -> dict[str, float]:
    shares = (("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("max", 1.0))
    return {name: round(percentile(values, share), 3) for name, share in shares}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/webhooks/meta")
    parser.add_argument("--bodies", required=True, help="TSV: signature<TAB>body per line")
    parser.add_argument("--rate", type=float, required=True, help="deliveries per second")
    parser.add_argument("--duration", type=float, required=True, help="seconds of schedule")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    parser.add_argument("--max-in-flight", type=int, default=64, help="requests at once, at most")
    options = parser.parse_args(argv)
    if options.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the benchmark loads this machine only (--host 127.0.0.1)")
    if options.rate <= 0 or options.duration <= 0:
        parser.error("--rate and --duration must be positive")
    with open(options.bodies, encoding="ascii") as handle:
        requests = build_requests(options.path, f"{options.host}:{options.port}", list(handle))
    report = Pacer(options, requests).run()
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
