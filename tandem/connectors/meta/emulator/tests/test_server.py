"""Server mode over real HTTP on 127.0.0.1 (ephemeral ports, bounded waits), the control API,
webhooks POSTed to a stand-in Tandem endpoint, and the ``tandem emulator`` command."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command

from tandem.connectors.management.commands import emulator as emulator_command
from tandem.connectors.meta.client import GraphClient, NetworkError
from tandem.connectors.meta.emulator import EmulatorConfig, MetaEmulator
from tandem.connectors.meta.emulator.server import RunningServer, parse_bind, serve, start_in_thread
from tandem.connectors.meta.emulator.tests.conftest import PAGE, PSID, SECRET
from tandem.connectors.meta.payloads import load_payload, parse_event, split_batch
from tandem.connectors.meta.signatures import SIGNATURE_HEADER, verify_signature

WAIT = 5.0
REPOSITORY = Path(__file__).resolve().parents[5]


def wait_for(condition: Callable[[], bool], timeout: float = WAIT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


class FakeTandem:
    """A webhook endpoint on 127.0.0.1: records signed bodies, answers ``statuses`` in turn."""

    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.received: list[tuple[bytes, str | None]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.received.append((body, self.headers.get(SIGNATURE_HEADER)))
                status = outer.statuses.pop(0) if outer.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/meta"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(WAIT)


@pytest.fixture
def tandem() -> Iterator[FakeTandem]:
    fake = FakeTandem(statuses=[500])  # the first delivery is refused: Meta retries
    yield fake
    fake.stop()


@pytest.fixture
def running(tandem: FakeTandem) -> Iterator[tuple[MetaEmulator, RunningServer]]:
    emulator = MetaEmulator(
        EmulatorConfig(
            app_secret=SECRET,
            seed=3,
            webhook_url=tandem.url,
            webhook_retry_delays=(0.05, 0.05),
            delivery_delay=0.05,
            read_delay=0.1,
        )
    )
    emulator.register_account(PAGE, "facebook", token="page-token")
    server = start_in_thread("127.0.0.1:0", emulator)
    yield emulator, server
    server()
    emulator.close()


def test_send_over_http_and_signed_webhooks_back(running, tandem):
    emulator, server = running
    assert server.address[0] == "127.0.0.1"
    assert server.address[1] > 0
    emulator.customer_message(PAGE, PSID, "Bonjour, où est ma carte ?")
    with GraphClient(access_token="page-token", base_url=server.url, version="v21.0") as client:
        sent = client.send_message(
            sender_id=PAGE,
            payload={"recipient": {"id": PSID}, "message": {"text": "Elle arrive."}},
        )
    assert sent.data["message_id"].startswith("m_")
    # message (refused once, then retried), echo, delivery, read
    assert wait_for(lambda: len(tandem.received) >= 5)
    kinds = []
    for body, signature in tandem.received:
        assert verify_signature(body=body, header=signature, secrets=[SECRET])
        kinds += [raw.kind for raw in split_batch(load_payload(body))]
        for raw in split_batch(load_payload(body)):
            parse_event(raw.body, raw.kind)
    assert kinds.count("message") == 2
    assert {"echo", "delivery", "read"} <= set(kinds)
    assert [d.status for d in emulator.webhooks][:2] == [500, 200]


def test_errors_over_http_keep_metas_shape(running):
    _, server = running
    with httpx.Client(base_url=server.url, timeout=WAIT) as http:
        answer = http.post(
            f"/v21.0/{PAGE}/messages",
            json={"recipient": {"id": "never-seen"}, "message": {"text": "x"}},
            headers={"Authorization": "Bearer page-token"},
        )
        unknown = http.get("/v21.0/whatever/a/b", headers={"Authorization": "Bearer t"})
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert (error["code"], error["error_subcode"]) == (10, 2018278)
    assert error["fbtrace_id"]
    assert answer.headers["x-fb-trace-id"] == error["fbtrace_id"]
    assert unknown.status_code == 400
    assert unknown.json()["error"]["code"] == 100


def test_dropped_answers_over_http(running):
    emulator, server = running
    emulator.record_inbound(PAGE, PSID)
    payload = {"recipient": {"id": PSID}, "message": {"text": "x"}}
    with GraphClient(access_token="page-token", base_url=server.url, version="v21.0") as client:
        emulator.configure(drop_response_rate=1.0)
        # A gateway's error page is not Meta's answer: the send may have happened.
        with pytest.raises(NetworkError) as bad_gateway:
            client.send_message(sender_id=PAGE, payload=payload)
        assert bad_gateway.value.maybe_sent
        emulator.configure(drop_response_mode="disconnect")
        with pytest.raises(NetworkError) as hung_up:
            client.send_message(sender_id=PAGE, payload=payload)
        assert hung_up.value.maybe_sent
    assert len(emulator.sent_messages()) == 2


def test_control_endpoints(running):
    _, server = running
    with httpx.Client(base_url=server.url + "/_emulator", timeout=WAIT) as http:
        assert http.get("/health").json()["status"] == "ok"
        registered = http.post(
            "/accounts",
            json={
                "data": [
                    {"external_id": "17841400000000009", "platform": "instagram", "token": "t"}
                ]
            },
        )
        assert registered.json()["registered"] == 1
        listed = http.get("/accounts").json()["data"]
        assert {a["external_id"] for a in listed} == {PAGE, "17841400000000009"}
        assert all("token" not in account for account in listed)
        assert http.post("/inbound", json={"account": PAGE, "user": PSID}).status_code == 200
        comment = http.post(
            "/customer-comment", json={"account": PAGE, "user": PSID, "text": "Bonjour"}
        ).json()["id"]
        assert (
            http.post(
                "/inbound",
                json={
                    "account": PAGE,
                    "comment_id": "1_2",
                    "author_id": PSID,
                    "at": "2026-03-10T10:00:00+00:00",
                },
            ).status_code
            == 200
        )
        message = http.post(
            "/customer-message", json={"account": PAGE, "user": PSID, "text": "Re"}
        ).json()["id"]
        assert message.startswith("m_")
        assert comment
        config = http.post("/config", json={"error_rate": 0.25, "latency_ms": [0, 1]}).json()
        assert config["error_rate"] == 0.25
        assert config["app_secret"] == "***"
        assert http.post("/config", json={"error_rate": 7}).status_code == 400
        assert http.post("/config", json={"nope": 1}).status_code == 400
        http.post("/config", json={"error_rate": 0})
        assert http.post("/revoke-token", json={"token": "page-token"}).status_code == 200
        graph = httpx.post(
            f"{server.url}/v21.0/{PAGE}/messages",
            json={"recipient": {"id": PSID}, "message": {"text": "x"}},
            headers={"Authorization": "Bearer page-token"},
            timeout=WAIT,
        )
        assert graph.json()["error"]["code"] == 190
        calls = http.get("/calls").json()["data"]
        assert calls[-1]["error_code"] == 190
        assert calls[-1]["path"] == f"/{PAGE}/messages"
        assert http.get("/calls", params={"since": calls[-1]["sequence"]}).json()["data"] == []
        assert isinstance(http.get("/webhooks").json()["data"], list)
        assert http.post("/flush").status_code == 200
        assert http.post("/reset", json={}).json() == {"success": True}
        assert http.get("/calls").json()["data"] == []
        assert len(http.get("/accounts").json()["data"]) == 2  # accounts survive a reset
        assert http.get("/nothing-here").status_code == 404
        assert http.post("/inbound", json={"user": PSID}).status_code == 400
        assert http.post("/inbound", content=b"[1]").status_code == 400


def test_server_stops_itself_and_frees_the_port():
    emulator = MetaEmulator(EmulatorConfig(seed=1))
    server = start_in_thread("127.0.0.1:0", emulator)
    url = server.url
    assert httpx.get(url + "/_emulator/health", timeout=WAIT).status_code == 200
    server()
    server()  # idempotent
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/_emulator/health", timeout=1)


def test_serve_blocks_until_stopped():
    stop = threading.Event()
    urls: list[str] = []
    thread = threading.Thread(
        target=serve,
        args=("127.0.0.1:0", MetaEmulator(EmulatorConfig(seed=1))),
        kwargs={"on_ready": urls.append, "stop": stop},
        daemon=True,
    )
    thread.start()
    assert wait_for(lambda: bool(urls))
    assert httpx.get(urls[0] + "/_emulator/health", timeout=WAIT).json()["status"] == "ok"
    stop.set()
    thread.join(WAIT)
    assert not thread.is_alive()


@pytest.mark.parametrize("bind", ["8001", "host:", ":80", "h:99999"])
def test_bind_must_be_host_and_port(bind):
    with pytest.raises(ValueError, match="HOST:PORT"):
        parse_bind(bind)


def test_command_builds_the_config_from_its_options(monkeypatch):
    stop = threading.Event()
    seen: dict[str, MetaEmulator] = {}

    def fake_serve(bind: str, emulator: MetaEmulator, **kwargs: object) -> None:
        seen["emulator"] = emulator
        serve(bind, emulator, stop=stop, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(emulator_command, "serve", fake_serve)
    out = StringIO()
    arguments = [
        "emulator",
        "--bind=127.0.0.1:0",
        "--webhook-url=http://127.0.0.1:9/webhooks/meta",
        "--app-secret=s3cret",
        "--error-rate=0.1",
        "--throttle-share=0.7",
        "--drop-response-rate=0.05",
        "--latency-ms=5,20",
        "--seed=4",
        "--strict-accounts",
    ]
    thread = threading.Thread(
        target=functools.partial(call_command, *arguments, stdout=out), daemon=True
    )
    thread.start()
    assert wait_for(lambda: "listening on http://127.0.0.1:" in out.getvalue())
    stop.set()
    thread.join(WAIT)
    config = seen["emulator"].config
    assert (config.app_secret, config.webhook_url) == ("s3cret", "http://127.0.0.1:9/webhooks/meta")
    assert (config.error_rate, config.throttle_share, config.drop_response_rate) == (0.1, 0.7, 0.05)
    assert (config.latency_ms, config.seed, config.strict_accounts) == ((5, 20), 4, True)
    assert "stopped" in out.getvalue()


def test_command_stops_on_sigterm():
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    process = subprocess.Popen(
        [sys.executable, "-u", "-m", "tandem.cli", "emulator", "--bind", "127.0.0.1:0"],
        cwd=REPOSITORY,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # blocks until the emulator listens (or exits)
        assert "listening on http://127.0.0.1:" in line, (
            process.stderr.read() if process.stderr else ""
        )
        url = line.split("listening on ")[1].split()[0]
        assert httpx.get(url + "/_emulator/health", timeout=WAIT).status_code == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_control_json_is_plain(running):
    _, server = running
    answer = httpx.get(server.url + "/_emulator/health", timeout=WAIT)
    assert answer.headers["Content-Type"] == "application/json"
    assert json.loads(answer.content)["accounts"] == 1


def test_concurrent_clients_over_http(running):
    emulator, server = running
    emulator.configure(simulate_receipts=False)
    users = [f"user-{number}" for number in range(8)]
    for user in users:
        emulator.record_inbound(PAGE, user)
    message_ids: list[str] = []

    def talk(user: str) -> None:
        with GraphClient(access_token="page-token", base_url=server.url, version="v21.0") as c:
            for _ in range(25):
                sent = c.send_message(
                    sender_id=PAGE, payload={"recipient": {"id": user}, "message": {"text": "x"}}
                )
                message_ids.append(sent.data["message_id"])

    threads = [threading.Thread(target=talk, args=(user,), daemon=True) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 2)
    assert len(message_ids) == len(set(message_ids)) == 200
    assert len(emulator.sent_messages()) == 200
    assert [call.sequence for call in emulator.calls] == list(range(1, 201))
