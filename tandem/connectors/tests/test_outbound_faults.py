"""Outbound under faults: with the emulator failing 30 % of calls (throttling and 5xx),
1,000 replies are each delivered exactly once; lost answers are settled by Meta's echoes."""

from collections import Counter

import httpx
import pytest
from django.utils import timezone

from tandem.connectors.meta import client as client_module
from tandem.connectors.meta.emulator import EmulatorConfig, MetaEmulator
from tandem.connectors.meta.payloads import load_payload, parse_event, split_batch
from tandem.connectors.models import OutboundCall, OutboundKind, OutboundStatus
from tandem.connectors.outbound import (
    METADATA_PREFIX,
    outbound_enqueue,
    outbound_perform,
    outbound_settle_from_event,
    outbound_sweep,
)
from tandem.connectors.tests.conftest import PAGE_ID

pytestmark = pytest.mark.django_db

REPLIES = 1000


@pytest.fixture
def emulator():
    emulator = MetaEmulator(
        EmulatorConfig(
            app_secret="test-app-secret",
            error_rate=0.3,
            throttle_share=0.5,
            seed=2026,
            enforce_windows=False,
            simulate_receipts=False,
        )
    )
    client_module.set_transport(httpx.MockTransport(emulator.handle))
    yield emulator
    client_module.set_transport(None)


def enqueue_replies(account, count):
    calls = []
    for number in range(count):
        call, _ = outbound_enqueue(
            account=account,
            kind=OutboundKind.MESSAGE,
            payload={
                "recipient": {"id": f"psid-{number}"},
                "messaging_type": "RESPONSE",
                "message": {"text": f"Bonjour, voici la réponse n° {number}."},
            },
            idempotency_key=f"fault-test:{number}",
            recipient_id=f"psid-{number}",
        )
        calls.append(call)
    return calls


def drain():
    """Run the sweep, as the worker's schedule would, until nothing is left to retry."""
    for _ in range(100):
        OutboundCall.objects.filter(status=OutboundStatus.RETRYING).update(
            next_attempt_at=timezone.now()
        )
        outbound_sweep(limit=5000)
        if not OutboundCall.objects.filter(
            status__in=[OutboundStatus.QUEUED, OutboundStatus.RETRYING]
        ).exists():
            return
    pytest.fail("retries did not converge")


def test_a_thousand_replies_each_delivered_exactly_once(emulator, accounts):
    calls = enqueue_replies(accounts["facebook"], REPLIES)
    for call in calls:
        outbound_perform(call_id=str(call.pk))
    drain()
    injected = Counter(record.injected for record in emulator.calls)
    # The emulator really failed about 30 % of the calls it received, both ways.
    first_attempts = REPLIES
    assert injected["throttle"] > 0.08 * first_attempts
    assert injected["server_error"] > 0.08 * first_attempts
    statuses = Counter(OutboundCall.objects.values_list("status", flat=True))
    assert statuses == {OutboundStatus.SENT: REPLIES}
    delivered = Counter(record.body["message"]["metadata"] for record in emulator.sent_messages())
    assert len(delivered) == REPLIES
    assert set(delivered.values()) == {1}
    # Each call's recorded message id is the one Meta gave for its single delivery.
    ids = {record.created_ids[0] for record in emulator.sent_messages()}
    assert set(OutboundCall.objects.values_list("external_id", flat=True)) == ids


def test_lost_answers_are_never_resent_and_echoes_settle_them(accounts):
    emulator = MetaEmulator(
        EmulatorConfig(
            app_secret="test-app-secret",
            drop_response_rate=0.3,
            seed=7,
            enforce_windows=False,
            simulate_receipts=False,
        )
    )
    client_module.set_transport(httpx.MockTransport(emulator.handle))
    try:
        calls = enqueue_replies(accounts["facebook"], 200)
        for call in calls:
            outbound_perform(call_id=str(call.pk))
        drain()
    finally:
        client_module.set_transport(None)
    uncertain = OutboundCall.objects.filter(status=OutboundStatus.UNCERTAIN).count()
    assert 30 < uncertain < 90
    delivered = Counter(record.body["message"]["metadata"] for record in emulator.sent_messages())
    assert set(delivered.values()) == {1}
    assert len(delivered) == 200
    # Meta's echoes come back with our metadata: every uncertain call is settled as sent.
    for delivery in emulator.flush_webhooks():
        for raw in split_batch(load_payload(delivery.body)):
            if raw.kind == "echo":
                event = parse_event(raw.body, raw.kind)
                assert event.metadata.startswith(METADATA_PREFIX)
                outbound_settle_from_event(event=event, account_id=accounts["facebook"].pk)
    assert Counter(OutboundCall.objects.values_list("status", flat=True)) == {
        OutboundStatus.SENT: 200
    }
    assert accounts["facebook"].external_id == PAGE_ID
