"""``/webhooks/meta``: handshake, signatures, limits, storage before the 200, idempotency."""

import json
import logging

import pytest
from django.test import override_settings

from tandem.connectors.meta.signatures import sign
from tandem.connectors.meta.webhooks import MAX_BODY_BYTES
from tandem.connectors.models import EventStatus, WebhookEvent
from tandem.connectors.tests.helpers import WEBHOOK_FIXTURES, fixture, fixture_bytes, post_webhook

# Transactional: processing is scheduled on commit, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


def test_handshake_echoes_the_challenge(client):
    response = client.get(
        "/webhooks/meta",
        {
            "hub.mode": "subscribe",
            "hub.verify_token": "test-verify-token",
            "hub.challenge": "1158201444",
        },
    )
    assert response.status_code == 200
    assert response.content == b"1158201444"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "test-verify-token", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {},
    ],
)
def test_handshake_refuses_anything_else(client, params):
    assert client.get("/webhooks/meta", params).status_code == 403


@override_settings(META_VERIFY_TOKEN="")
def test_handshake_refused_without_a_configured_token(client):
    params = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
    assert client.get("/webhooks/meta", params).status_code == 403


@pytest.mark.parametrize("name", WEBHOOK_FIXTURES)
def test_every_fixture_is_stored_once(client, accounts, name):
    body = fixture_bytes(name)
    response = post_webhook(client, body)
    assert response.status_code == 200
    assert response.content == b"EVENT_RECEIVED"
    stored = list(WebhookEvent.objects.values_list("idempotency_key", "status"))
    assert stored
    assert all(status == EventStatus.PROCESSED for _, status in stored), stored
    # Meta redelivers: nothing new is stored, nothing is processed twice.
    assert post_webhook(client, body).status_code == 200
    assert list(WebhookEvent.objects.values_list("idempotency_key", "status")) == stored


def test_a_reordered_batch_changes_nothing(client, accounts):
    payload = fixture("page__batched_delivery_read.json")
    post_webhook(client, payload)
    before = sorted(WebhookEvent.objects.values_list("idempotency_key", flat=True))
    payload["entry"].reverse()
    for entry in payload["entry"]:
        entry.get("messaging", []).reverse()
    post_webhook(client, payload)
    assert sorted(WebhookEvent.objects.values_list("idempotency_key", flat=True)) == before


@pytest.mark.parametrize(
    "header", [None, "", "sha256=", "sha256=" + "0" * 64, "sha1=abc", "garbage"]
)
def test_bad_or_missing_signature_is_refused_and_nothing_stored(client, accounts, header):
    body = fixture_bytes("page__message_text.json")
    kwargs = {"headers": {"X-Hub-Signature-256": header}} if header is not None else {}
    response = client.post("/webhooks/meta", data=body, content_type="application/json", **kwargs)
    assert response.status_code == 403
    assert WebhookEvent.objects.count() == 0


def test_signature_over_other_bytes_is_refused(client, accounts):
    body = fixture_bytes("page__message_text.json")
    # Re-serialising changes the bytes: the signature of the original no longer matches.
    altered = json.dumps(json.loads(body), ensure_ascii=False).encode()
    assert altered != body
    response = post_webhook(client, altered, signature=sign(body, "test-app-secret"))
    assert response.status_code == 403
    assert WebhookEvent.objects.count() == 0


def test_instagram_app_secret_is_accepted(client, accounts):
    body = fixture_bytes("instagram__message_text.json")
    response = post_webhook(client, body, secret="test-instagram-app-secret")
    assert response.status_code == 200
    assert WebhookEvent.objects.count() == 1


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe", b"", b"null", b"NaN"])
def test_malformed_json_is_a_400(client, body):
    response = post_webhook(client, body)
    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 0


def test_oversized_body_is_a_413(client):
    body = b'{"object": "page", "entry": [], "pad": "' + b"x" * MAX_BODY_BYTES + b'"}'
    response = post_webhook(client, body)
    assert response.status_code == 413
    assert WebhookEvent.objects.count() == 0


def test_events_for_an_unknown_account_are_kept_and_marked(client, tree):
    post_webhook(client, fixture_bytes("page__message_text.json"))
    event = WebhookEvent.objects.get()
    assert event.status == EventStatus.UNKNOWN_ACCOUNT
    assert event.account is None
    # Once the Page is connected, what waited is processed.
    from tandem.connectors.tests.conftest import PAGE_ID, connect

    connect(tree.bank_a.branch, "facebook", PAGE_ID)
    event.refresh_from_db()
    assert event.status == EventStatus.PROCESSED


def test_unknown_kinds_are_kept_and_marked(client, accounts):
    payload = {
        "object": "page",
        "entry": [
            {"id": "104857392817465", "time": 1767225600000, "mystery": [{"field": "surprise"}]}
        ],
    }
    assert post_webhook(client, payload).status_code == 200
    event = WebhookEvent.objects.get()
    assert event.status == EventStatus.UNKNOWN_KIND
    assert event.kind == "unknown"
    assert "surprise" in json.dumps(event.body)


def test_wrong_method_is_refused(client):
    assert client.put("/webhooks/meta").status_code == 405


def test_deliveries_are_summed_in_one_log_line_a_minute(caplog):
    from tandem.connectors.meta.views import _Tally
    from tandem.connectors.meta.webhooks import IngestResult

    tally = _Tally()
    start = tally._since
    with caplog.at_level(logging.DEBUG, logger="tandem.connectors.meta.views"):
        tally.add(IngestResult(received=2, stored=2, duplicates=0), now=start + 1)
        tally.add(IngestResult(received=3, stored=1, duplicates=2), now=start + 30)
        summaries = [m for m in caplog.messages if m.startswith("connectors.webhook.received")]
        assert summaries == []
        tally.add(IngestResult(received=1, stored=1, duplicates=0), now=start + 61)
        tally.add(IngestResult(received=4, stored=4, duplicates=0), now=start + 62)
    summaries = [m for m in caplog.messages if m.startswith("connectors.webhook.received")]
    assert summaries == [
        "connectors.webhook.received deliveries=3 events=6 stored=4 duplicates=2 seconds=61"
    ]
    details = [m for m in caplog.messages if m.startswith("connectors.webhook.delivery")]
    assert details[1] == "connectors.webhook.delivery events=3 stored=1 duplicates=2"
    assert len(details) == 4
