"""``tandem simulate``: bounded runs, exit status, report formats, options."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tandem.connectors.meta.signatures import SIGNATURE_HEADER, verify_signature
from tandem.connectors.simulation.tests.conftest import ScriptedServer

Server = Callable[..., ScriptedServer]


def simulate(*args: str) -> str:
    out = StringIO()
    call_command("simulate", *args, stdout=out)
    return out.getvalue()


def test_count_stops_the_run_and_prints_the_table(webhook_server: Server) -> None:
    server = webhook_server()
    started = time.monotonic()
    output = simulate("--url", f"{server.url}/webhooks/meta", "--count", "12", "--rate", "0")
    assert time.monotonic() - started < 10
    assert len(server.bodies()) == 12
    assert "deliveries sent" in output
    assert "OK" in output
    assert "(demo)" in output


def test_json_report_seed_and_signature(webhook_server: Server, settings) -> None:
    server = webhook_server()
    output = simulate(
        "--url", f"{server.url}/webhooks/meta", "--count", "8", "--rate", "200", "--json",
        "--seed", "42", "--start", "2026-04-01T10:00:00+02:00", "--app-secret", "cli-secret",
    )  # fmt: skip
    document = json.loads(output)
    assert document["deliveries"] == document["acknowledged"] == 8
    assert document["seed"] == 42
    assert document["accounts"] == "demo"
    assert document["ok"] is True
    first = server.received[0]
    assert verify_signature(
        body=first.body, header=first.headers[SIGNATURE_HEADER], secrets=["cli-secret"]
    )


def test_same_seed_and_start_send_the_same_bytes(webhook_server: Server) -> None:
    bodies = []
    for _ in range(2):
        server = webhook_server()
        simulate(
            "--url", f"{server.url}/webhooks/meta", "--count", "10", "--rate", "0",
            "--seed", "5", "--start", "2026-04-01T08:00:00Z", "--concurrency", "1",
        )  # fmt: skip
        bodies.append(server.bodies())
    assert bodies[0] == bodies[1]


def test_duration_stops_the_run(webhook_server: Server) -> None:
    server = webhook_server()
    started = time.monotonic()
    output = simulate("--url", f"{server.url}/webhooks/meta", "--duration", "0.4", "--rate", "25")
    assert time.monotonic() - started < 5
    assert 4 <= len(server.bodies()) <= 11  # 10 planned at 25/s for 0.4 s
    assert "OK" in output


def test_unacknowledged_deliveries_exit_with_status_1(webhook_server: Server) -> None:
    server = webhook_server(lambda n: (500, 0.0))
    with pytest.raises(CommandError, match="3 of 3 deliveries not acknowledged") as caught:
        simulate(
            "--url", f"{server.url}/webhooks/meta", "--count", "3", "--rate", "0",
            "--max-attempts", "2",
        )  # fmt: skip
    assert caught.value.returncode == 1
    assert len(server.bodies()) == 6


def test_options_reach_the_generator_and_the_files(webhook_server: Server, tmp_path: Path) -> None:
    server = webhook_server()
    accounts = tmp_path / "accounts.json"
    accounts.write_text(json.dumps([{"platform": "whatsapp", "external_id": "123456789012345"}]))
    acked = tmp_path / "acked.txt"
    output = simulate(
        "--url", f"{server.url}/webhooks/meta", "--count", "20", "--rate", "0",
        "--accounts", str(accounts), "--batch-max", "1", "--duplicate-share", "0",
        "--sensitive-share", "1", "--acked-keys", str(acked), "--json",
    )  # fmt: skip
    document = json.loads(output)
    bodies = [json.loads(body) for body in server.bodies()]
    assert {body["object"] for body in bodies} == {"whatsapp_business_account"}
    assert document["duplicates_sent"] == 0
    assert document["events_sent"] == 20
    assert len(acked.read_text().splitlines()) == 20


def test_bad_options_are_refused() -> None:
    with pytest.raises(CommandError, match="cannot read accounts"):
        simulate("--url", "http://127.0.0.1:9/x", "--count", "1", "--accounts", "/nonexistent")
    with pytest.raises(CommandError, match="rate"):
        simulate("--url", "http://127.0.0.1:9/x", "--count", "1", "--rate", "-1")
    with pytest.raises(CommandError):
        simulate("--url", "http://127.0.0.1:9/x", "--count", "1", "--duration", "2")
    with pytest.raises(CommandError):
        simulate("--url", "http://127.0.0.1:9/x", "--count", "1", "--duplicate-share", "1.5")


def test_a_missing_secret_is_refused(settings) -> None:
    settings.META_APP_SECRET = ""
    with pytest.raises(CommandError, match="no app secret"):
        simulate("--url", "http://127.0.0.1:9/x", "--count", "1")


@pytest.mark.django_db
def test_auto_accounts_come_from_the_database(webhook_server: Server, tree) -> None:
    models = pytest.importorskip("tandem.connectors.models", reason="connectors app not installed")
    models.SocialAccount.objects.create(
        platform="instagram", external_id="17841499999999999", name="IG", owner=tree.bank_a.branch
    )
    server = webhook_server()
    output = simulate("--url", f"{server.url}/webhooks/meta", "--count", "5", "--rate", "0")
    assert "accounts: 1 (database)" in output
    assert {json.loads(body)["object"] for body in server.bodies()} == {"instagram"}
