"""Shared set-up: an emulator with a Page, an Instagram account and a WhatsApp number, a fixed
clock, a webhook sink that records what Tandem would receive, and real ``GraphClient``\\ s."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tandem.connectors.meta.client import GraphClient
from tandem.connectors.meta.emulator import EmulatorConfig, MetaEmulator
from tandem.connectors.meta.events import Event
from tandem.connectors.meta.payloads import load_payload, parse_event, split_batch
from tandem.connectors.meta.signatures import SIGNATURE_HEADER, verify_signature

SECRET = "emulator-test-secret"
PAGE = "104857392817465"
PAGE_TOKEN = "page-token"
IG = "17841400000000001"
IG_TOKEN = "instagram-token"
PHONE = "106540352242922"
WABA = "102290129340398"
WA_TOKEN = "whatsapp-token"
PSID = "7291038475610293"
IGSID = "1234567890123456"
WA_ID = "33612345678"
START = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)


class Clock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class Sink:
    """Records webhooks as Tandem's endpoint would receive them; answers ``status``."""

    status: int = 200
    received: list[tuple[bytes, dict[str, str]]] = field(default_factory=list)

    def __call__(self, body: bytes, headers: dict[str, str]) -> int:
        self.received.append((body, dict(headers)))
        return self.status

    def events(self) -> list[tuple[str, Event]]:
        """Every received webhook, signature checked, split and parsed the way Tandem does."""
        parsed: list[tuple[str, Event]] = []
        for body, headers in self.received:
            assert verify_signature(
                body=body, header=headers.get(SIGNATURE_HEADER), secrets=[SECRET]
            )
            for raw in split_batch(load_payload(body)):
                assert raw.kind != "unknown", raw.body
                parsed.append((raw.kind, parse_event(raw.body, raw.kind)))
        return parsed


def make_client(emulator: MetaEmulator, token: str) -> GraphClient:
    return GraphClient(
        access_token=token,
        base_url="http://emulator.test",
        version="v21.0",
        transport=httpx.MockTransport(emulator.handle),
    )


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def sink() -> Sink:
    return Sink()


@pytest.fixture
def emulator(clock: Clock, sink: Sink) -> Iterator[MetaEmulator]:
    emulator = MetaEmulator(
        EmulatorConfig(app_secret=SECRET, seed=7), clock=clock, webhook_sink=sink
    )
    emulator.register_account(PAGE, "facebook", token=PAGE_TOKEN, name="Banque Exemple Lyon")
    emulator.register_account(IG, "instagram", token=IG_TOKEN, name="banque.exemple")
    emulator.register_account(
        PHONE,
        "whatsapp",
        token=WA_TOKEN,
        display_phone_number="33478000000",
        business_account_id=WABA,
    )
    yield emulator
    emulator.close()


@pytest.fixture
def facebook(emulator: MetaEmulator) -> Iterator[GraphClient]:
    with make_client(emulator, PAGE_TOKEN) as client:
        yield client


@pytest.fixture
def instagram(emulator: MetaEmulator) -> Iterator[GraphClient]:
    with make_client(emulator, IG_TOKEN) as client:
        yield client


@pytest.fixture
def whatsapp(emulator: MetaEmulator) -> Iterator[GraphClient]:
    with make_client(emulator, WA_TOKEN) as client:
        yield client
