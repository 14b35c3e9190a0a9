"""Open-loop, fixed-rate load for ``bench/ingest``: pre-signed deliveries posted on a schedule.

``tandem simulate`` generates, signs and sends each delivery as it goes, with httpx: 0.6 to 1.4 ms
of CPU per event, most of a core at 1,000 events/s on the same two cores as the server. This
client does none of that work while timing: it reads deliveries generated and signed
beforehand (the same stream, a TSV of ``signature<TAB>body`` lines, each used once), and
posts delivery ``i`` at ``start + i / rate`` whatever happened to the earlier ones (open loop,
up to ``--threads`` requests in flight: a slow server makes requests pile up, it does not slow
the schedule down). Each request opens its own connection (gunicorn's sync workers close it
after the answer); plain blocking sockets, about 0.1 ms of CPU per request.

Latency is measured from the **scheduled** time, so time spent waiting for the server to
accept is counted (no coordinated omission); the time from the actual send is reported too.
Requests still unanswered ``--timeout`` seconds after their schedule count as timeouts.

Prints one JSON line: counts, achieved rate, latency percentiles (ms).

    python bench/ingest/pacer.py --port 8000 --bodies deliveries.tsv --rate 645 --duration 10
"""

from __future__ import annotations

import argparse
import json
import math
import socket
import sys
import threading
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


def post_one(host: str, port: int, request: bytes, timeout: float) -> tuple[str, float]:
    """Send one request on a new connection; (status, seconds from connect to answer)."""
    sent = time.perf_counter()
    with socket.create_connection((host, port), timeout=timeout) as connection:
        connection.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        length = 0
        for header in head.split(b"\r\n")[1:]:
            name, _, value = header.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip() or 0)
        while len(body) < length:
            chunk = connection.recv(4096)
            if not chunk:
                break
            body += chunk
    parts = head.split(b"\r\n", 1)[0].split()
    return (parts[1].decode() if len(parts) > 1 else "?"), time.perf_counter() - sent


def run(options: argparse.Namespace, requests: list[bytes]) -> dict[str, object]:
    """``--threads`` threads take the next delivery, wait for its time, post it. A thread still
    busy when the next delivery is due leaves it to another; if all are busy the delivery
    starts late and its latency, counted from its scheduled time, shows it."""
    outcome = Outcome()
    total = min(len(requests), int(options.rate * options.duration))
    if total < int(options.rate * options.duration):
        print("pacer: not enough deliveries for the rate and duration", file=sys.stderr)
    interval = 1.0 / options.rate
    start = time.perf_counter() + 0.1
    lock = threading.Lock()
    cursor = iter(range(total))

    def work() -> None:
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                return
            scheduled = start + index * interval
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            elif delay < -0.005:
                with lock:
                    outcome.late_starts += 1
            try:
                status, service = post_one(
                    options.host, options.port, requests[index], options.timeout
                )
            except TimeoutError:
                with lock:
                    outcome.count(outcome.errors, "timeout")
                continue
            except OSError as error:
                with lock:
                    outcome.count(outcome.errors, type(error).__name__)
                continue
            done = time.perf_counter()
            with lock:
                outcome.count(outcome.statuses, status)
                if status == "200":
                    outcome.scheduled_ms.append((done - scheduled) * 1000)
                    outcome.service_ms.append(service * 1000)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(options.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    ok = outcome.statuses.get("200", 0)
    return {
        "requests": total,
        "acknowledged": ok,
        "statuses": outcome.statuses,
        "errors": outcome.errors,
        "late_starts": outcome.late_starts,
        "elapsed_s": round(elapsed, 3),
        "schedule_s": round(total * interval, 3),
        "latency_ms": {
            name: round(percentile(outcome.scheduled_ms, share), 3)
            for name, share in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("max", 1.0))
        },
        "service_latency_ms": {
            name: round(percentile(outcome.service_ms, share), 3)
            for name, share in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("max", 1.0))
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", default="/webhooks/meta")
    parser.add_argument("--bodies", required=True, help="TSV: signature<TAB>body per line")
    parser.add_argument("--rate", type=float, required=True, help="deliveries per second")
    parser.add_argument("--duration", type=float, required=True, help="seconds of schedule")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per request")
    parser.add_argument("--threads", type=int, default=64, help="requests in flight at most")
    options = parser.parse_args(argv)
    if options.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the benchmark loads this machine only (--host 127.0.0.1)")
    if options.rate <= 0 or options.duration <= 0:
        parser.error("--rate and --duration must be positive")
    with open(options.bodies, encoding="ascii") as handle:
        requests = build_requests(options.path, f"{options.host}:{options.port}", list(handle))
    report = run(options, requests)
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
