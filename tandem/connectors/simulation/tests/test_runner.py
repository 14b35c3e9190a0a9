"""The runner against a scripted HTTP server on 127.0.0.1: counts, retries, percentiles, pace."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tandem.connectors.meta.signatures import SIGNATURE_HEADER
from tandem.connectors.simulation.accounts import DEMO_ACCOUNTS
from tandem.connectors.simulation.runner import Report, RunSettings, percentile, run
from tandem.connectors.simulation.tests.conftest import ScriptedServer
from tandem.connectors.simulation.traffic import Delivery, TrafficConfig, TrafficGenerator

Server = Callable[..., ScriptedServer]


def deliveries(count: int, *, duplicate_share: float = 0.0) -> list[Delivery]:
    config = TrafficConfig(
        app_secret="runner-secret",
        seed=3,
        start_at=datetime(2026, 2, 1, tzinfo=UTC),
        duplicate_share=duplicate_share,
    )
    return TrafficGenerator(DEMO_ACCOUNTS, config).take(count)


def settings(url: str, **overrides: object) -> RunSettings:
    values: dict = {"rate": 0.0, "count": 1000, "backoff": 0.001, "timeout": 5.0}
    values.update(overrides)
    return RunSettings(url=url, **values)


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 90) == 90.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) == 0.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0


def test_all_acknowledged_counts_events_and_duplicates(webhook_server: Server) -> None:
    server = webhook_server()
    sent = deliveries(60, duplicate_share=0.2)
    report = run(sent, settings(f"{server.url}/webhooks/meta", concurrency=3))
    assert report.ok
    assert report.deliveries == report.acknowledged == report.requests == 60
    assert report.failed == report.retries == report.connection_errors == 0
    assert report.rejected == {}
    assert report.duplicates_sent == sum(d.duplicate_of is not None for d in sent) > 0
    assert report.events_sent == len({key for d in sent for key in d.events})
    assert sorted(server.bodies()) == sorted(d.body for d in sent)
    received = server.received[0]
    assert received.headers[SIGNATURE_HEADER].startswith("sha256=")
    assert received.headers["User-Agent"].startswith("tandem-simulate")


def test_non_200_is_retried_with_the_same_bytes(webhook_server: Server) -> None:
    # Requests 0-4 fail (500, 503 and a 404), then everything is accepted.
    script = {0: 500, 1: 503, 2: 500, 3: 404, 4: 500}
    server = webhook_server(lambda n: (script.get(n, 200), 0.0))
    sent = deliveries(5)
    report = run(sent, settings(f"{server.url}/webhooks/meta", concurrency=1, max_attempts=6))
    assert report.ok
    assert report.acknowledged == 5
    assert report.requests == 10
    assert report.retries == 5
    assert report.rejected == {500: 3, 503: 1, 404: 1}
    bodies = server.bodies()
    assert bodies[:6] == [sent[0].body] * 6, "the first delivery is resent byte for byte"
    signatures = {r.headers[SIGNATURE_HEADER] for r in server.received[:6]}
    assert signatures == {sent[0].headers[SIGNATURE_HEADER]}


def test_retries_are_bounded_and_failures_reported(webhook_server: Server) -> None:
    server = webhook_server(lambda n: (500, 0.0))
    report = run(deliveries(4), settings(f"{server.url}/webhooks/meta", max_attempts=3))
    assert not report.ok
    assert report.failed == 4
    assert report.acknowledged == 0
    assert report.requests == 12
    assert report.rejected == {500: 12}
    assert report.events_sent == 0


def test_connection_errors_are_counted(closed_port_url: str) -> None:
    report = run(deliveries(3), settings(closed_port_url, max_attempts=2, timeout=1.0))
    assert report.connection_errors == 6
    assert report.failed == 3
    assert report.latency_ms["max"] == 0.0, "no answered request, no latency"


def test_latency_percentiles_reflect_the_server(webhook_server: Server) -> None:
    # Every 10th request is slow: p50 stays fast, p99 and max see the slow ones.
    server = webhook_server(lambda n: (200, 0.12 if n % 10 == 9 else 0.0))
    report = run(deliveries(40), settings(f"{server.url}/webhooks/meta", concurrency=4))
    latency = report.latency_ms
    assert latency["p50"] <= latency["p90"] <= latency["p99"] <= latency["max"]
    assert latency["p50"] < latency["max"]
    assert latency["max"] >= 120
    assert latency["p99"] >= 120


def test_rate_is_paced(webhook_server: Server) -> None:
    server = webhook_server()
    started = time.monotonic()
    report = run(deliveries(11), settings(f"{server.url}/webhooks/meta", rate=50.0))
    elapsed = time.monotonic() - started
    assert elapsed >= 0.2 - 0.01, "11 deliveries at 50/s span 0.2 s"
    assert report.deliveries == 11
    assert 10 <= report.achieved_rate <= 60
    assert report.target_rate == 50.0


def test_duration_bounds_an_endless_stream(webhook_server: Server) -> None:
    server = webhook_server()
    config = TrafficConfig(app_secret="x", seed=1)
    endless = iter(TrafficGenerator(DEMO_ACCOUNTS, config))
    started = time.monotonic()
    report = run(endless, RunSettings(url=f"{server.url}/webhooks/meta", rate=40, duration=0.5))
    assert time.monotonic() - started < 3
    assert 8 <= report.deliveries <= 21  # 20 planned; a loaded CI machine may send fewer
    assert report.ok


def test_acknowledged_keys_are_written_as_they_come(webhook_server: Server, tmp_path: Path) -> None:
    # The 3rd delivery is refused for good: its keys must not be in the file.
    server = webhook_server(lambda n: (400 if n == 2 else 200, 0.0))
    sent = deliveries(6)
    path = tmp_path / "acked.txt"
    report = run(
        sent,
        settings(
            f"{server.url}/webhooks/meta", concurrency=1, max_attempts=1, acked_keys_path=path
        ),
    )
    written = path.read_text().splitlines()
    expected = [key for index, d in enumerate(sent) if index != 2 for key in d.events]
    assert written == list(dict.fromkeys(expected))
    assert report.events_sent == len(set(expected))
    assert report.failed == 1


def test_emulator_hears_customer_messages_and_its_errors_are_ignored(
    webhook_server: Server, closed_port_url: str
) -> None:
    server = webhook_server()
    sent = deliveries(30)
    run(sent, settings(f"{server.url}/webhooks/meta", emulator_url=server.url))
    told = [json.loads(r.body) for r in server.received if r.path == "/_emulator/inbound"]
    expected = [action.as_json() for d in sent for action in d.actions]
    assert sorted(told, key=json.dumps) == sorted(expected, key=json.dumps)
    assert told
    assert set(told[0]) == {"account", "user", "platform", "at"}
    emulator_down = closed_port_url.rsplit("/", 2)[0]
    report = run(sent, settings(f"{server.url}/webhooks/meta", emulator_url=emulator_down))
    assert report.ok


def test_report_prints_as_a_table_and_as_json(webhook_server: Server) -> None:
    server = webhook_server(lambda n: (500 if n == 0 else 200, 0.0))
    report = run(deliveries(3), settings(f"{server.url}/webhooks/meta", concurrency=1))
    table = report.as_table()
    for label in ("deliveries sent", "acknowledged (200)", "rejected by status", "500: 1", "p99"):
        assert label in table
    document = json.loads(json.dumps(report.as_json()))
    assert document["rejected"] == {"500": 1}
    assert document["ok"] is True
    assert set(document["latency_ms"]) == {"p50", "p90", "p99", "max"}


def test_settings_refuse_an_unbounded_run() -> None:
    with pytest.raises(ValueError, match="stop by itself"):
        RunSettings(url="http://127.0.0.1:1/")
    with pytest.raises(ValueError, match="duration"):
        RunSettings(url="http://127.0.0.1:1/", duration=float("inf"))
    assert isinstance(Report, type)


def test_settings_refuse_what_is_not_an_http_url() -> None:
    with pytest.raises(ValueError, match="http"):
        RunSettings(url="ftp://127.0.0.1/x", count=1)
    with pytest.raises(ValueError, match="http"):
        RunSettings(url="http://127.0.0.1/x", count=1, emulator_url="not a url")


def test_an_unexpected_error_fails_the_attempt_but_never_stalls_the_run() -> None:
    def explode(request: httpx.Request) -> httpx.Response:
        raise RuntimeError("bug in a transport")

    started = time.monotonic()
    report = run(
        deliveries(20),
        settings("http://127.0.0.1:9/webhooks/meta", concurrency=2, max_attempts=2),
        transport=httpx.MockTransport(explode),
    )
    assert time.monotonic() - started < 5
    assert report.deliveries == report.failed == 20
    assert report.connection_errors == 40
