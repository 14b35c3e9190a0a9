"""Failure injection: rates, shapes, headers, no effect before the failure, effect before a
dropped answer; latency; token revocation."""

from __future__ import annotations

import json
import time
from collections import Counter

import httpx
import pytest

from tandem.connectors.meta.client import NetworkError
from tandem.connectors.meta.emulator.responses import GRAPH_THROTTLE_CODES
from tandem.connectors.meta.emulator.tests.conftest import (
    PAGE,
    PAGE_TOKEN,
    PHONE,
    PSID,
    WA_ID,
    make_client,
)
from tandem.connectors.meta.errors import (
    AuthError,
    GraphError,
    ThrottledError,
    TransientError,
    parse_usage_headers,
    retry_after_hint,
)

SEND = {"recipient": {"id": PSID}, "messaging_type": "RESPONSE", "message": {"text": "Bonjour"}}
CALLS = 1000


def test_error_rate_and_throttle_share_over_1000_calls(emulator, facebook):
    emulator.configure(error_rate=0.3, throttle_share=0.25)
    outcomes: Counter[str] = Counter()
    for _ in range(CALLS):
        try:
            facebook.subscribed_apps(object_id=PAGE)
            outcomes["ok"] += 1
        except ThrottledError:
            outcomes["throttled"] += 1
        except TransientError:
            outcomes["server_error"] += 1
    failed = outcomes["throttled"] + outcomes["server_error"]
    # Binomial(1000, 0.3): sd 14.5, so ±50 is beyond 3 sd; the seed makes it reproducible.
    assert abs(failed - 300) <= 50
    assert abs(outcomes["throttled"] / failed - 0.25) <= 0.08
    injected = Counter(call.injected for call in emulator.calls)
    assert injected["throttle"] == outcomes["throttled"]
    assert injected["server_error"] == outcomes["server_error"]


def test_injected_failures_change_nothing(emulator, facebook, clock):
    emulator.record_inbound(PAGE, PSID)
    comment = emulator.customer_comment(PAGE, PSID, "Bonjour")
    emulator.flush_webhooks()
    emulator.configure(error_rate=1.0)
    for _ in range(20):
        with pytest.raises(GraphError):
            facebook.send_message(sender_id=PAGE, payload=SEND)
        with pytest.raises(GraphError):
            facebook.private_reply(sender_id=PAGE, comment_id=comment, text="DM")
        with pytest.raises(GraphError):
            facebook.set_comment_hidden(comment_id=comment, hidden=True, instagram=False)
        with pytest.raises(GraphError):
            facebook.publish_post(page_id=PAGE, message="Post")
    assert emulator.sent_messages() == []
    assert emulator.pending_webhooks() == 0
    assert not any(call.performed or call.created_ids for call in emulator.calls)
    emulator.configure(error_rate=0.0)
    # The private reply was never consumed, the post never created (no 506 duplicate).
    assert facebook.private_reply(sender_id=PAGE, comment_id=comment, text="DM").data
    assert facebook.publish_post(page_id=PAGE, message="Post").data


def test_throttling_rotates_codes_with_usage_headers(emulator, facebook):
    emulator.configure(error_rate=1.0, throttle_share=1.0, regain_access_minutes=1)
    seen = []
    for _ in GRAPH_THROTTLE_CODES:
        with pytest.raises(ThrottledError) as caught:
            facebook.subscribed_apps(object_id=PAGE)
        seen.append(caught.value.code)
        assert caught.value.http_status == 400
        assert caught.value.is_transient
    assert seen == list(GRAPH_THROTTLE_CODES)
    with httpx.Client(transport=httpx.MockTransport(emulator.handle)) as http:
        answers = [
            http.get(
                f"http://emulator.test/v21.0/{PAGE}/subscribed_apps",
                headers={"Authorization": f"Bearer {PAGE_TOKEN}"},
            )
            for _ in GRAPH_THROTTLE_CODES
        ]
    for answer in answers:
        assert parse_usage_headers(answer.headers) == 100
        body = answer.json()["error"]
        assert body["type"] == "OAuthException"
        assert body["fbtrace_id"]
        if body["code"] in (32, 613, 80001, 80006):
            usage = json.loads(answer.headers["X-Business-Use-Case-Usage"])
            assert usage[PAGE][0]["estimated_time_to_regain_access"] == 1
            assert retry_after_hint(answer.headers) == 60
        else:
            assert "X-Business-Use-Case-Usage" not in answer.headers


def test_whatsapp_throttling_is_130429(emulator, whatsapp):
    emulator.record_inbound(PHONE, WA_ID)
    emulator.configure(error_rate=1.0, throttle_share=1.0)
    with pytest.raises(ThrottledError) as caught:
        whatsapp.send_whatsapp(
            phone_number_id=PHONE, payload={"to": WA_ID, "type": "text", "text": {"body": "x"}}
        )
    assert (caught.value.code, caught.value.http_status) == (130429, 429)
    assert caught.value.details


def test_server_errors_are_500_and_503_with_code_2(emulator, facebook):
    emulator.configure(error_rate=1.0, throttle_share=0.0)
    statuses = set()
    for _ in range(4):
        with pytest.raises(TransientError) as caught:
            facebook.subscribed_apps(object_id=PAGE)
        assert caught.value.code == 2
        assert caught.value.is_transient
        assert caught.value.retryable
        statuses.add(caught.value.http_status)
    assert statuses == {500, 503}


def test_dropped_answers_after_the_call_took_effect(emulator, facebook):
    emulator.record_inbound(PAGE, PSID)
    emulator.configure(drop_response_rate=0.2)
    lost: list[NetworkError] = []
    for _ in range(CALLS):
        try:
            facebook.send_message(sender_id=PAGE, payload=SEND)
        except NetworkError as error:
            lost.append(error)
    # The client cannot know the call took effect: never "failed", always "maybe sent".
    assert all(error.maybe_sent for error in lost)
    assert abs(len(lost) - 200) <= 40
    sent = emulator.sent_messages()
    assert len(sent) == CALLS  # every call was performed, answered or not
    assert sum(call.injected == "dropped" for call in sent) == len(lost)
    assert {call.status for call in sent} == {200, 502}


def test_dropped_answer_has_an_html_body_and_the_echo_still_comes(emulator, sink):
    emulator.record_inbound(PAGE, PSID)
    emulator.configure(drop_response_rate=1.0)
    with httpx.Client(transport=httpx.MockTransport(emulator.handle)) as http:
        answer = http.post(
            f"http://emulator.test/v21.0/{PAGE}/messages",
            json=SEND,
            headers={"Authorization": f"Bearer {PAGE_TOKEN}"},
        )
    assert answer.status_code == 502
    assert answer.text.startswith("<html>")
    emulator.flush_webhooks()
    kinds = [kind for kind, _ in sink.events()]
    assert kinds[0] == "echo"
    [sent] = emulator.sent_messages()
    assert sent.created_ids[0] == sink.events()[0][1].message_id


def test_disconnect_mode_is_maybe_sent_for_the_client(emulator, facebook):
    emulator.record_inbound(PAGE, PSID)
    emulator.configure(drop_response_rate=1.0, drop_response_mode="disconnect")
    with pytest.raises(NetworkError) as caught:
        facebook.send_message(sender_id=PAGE, payload=SEND)
    assert caught.value.maybe_sent
    [sent] = emulator.sent_messages()
    assert sent.status == 0
    assert sent.injected == "dropped"


def test_failed_calls_are_never_dropped(emulator, facebook):
    emulator.configure(drop_response_rate=1.0)
    with pytest.raises(GraphError) as caught:
        facebook.send_message(sender_id=PAGE, payload=SEND)  # no window: refused
    assert caught.value.code == 10


def test_latency_is_applied(emulator, facebook):
    emulator.configure(latency_ms=[30, 40])
    started = time.monotonic()
    facebook.subscribed_apps(object_id=PAGE)
    assert time.monotonic() - started >= 0.03


def test_revoked_token_is_an_auth_error(emulator, facebook):
    emulator.record_inbound(PAGE, PSID)
    facebook.send_message(sender_id=PAGE, payload=SEND)
    emulator.revoke_token(PAGE_TOKEN)
    with pytest.raises(AuthError) as caught:
        facebook.send_message(sender_id=PAGE, payload=SEND)
    error = caught.value
    assert (error.code, error.subcode, error.http_status) == (190, 463, 401)
    assert error.account_unhealthy
    assert len(emulator.sent_messages()) == 1


def test_revoked_token_fails_even_on_unregistered_ids(emulator):
    emulator.revoke_token("old-token")
    with make_client(emulator, "old-token") as client, pytest.raises(AuthError):
        client.subscribed_apps(object_id="424242")


def test_configuration_is_validated(emulator):
    with pytest.raises(ValueError, match="error_rate"):
        emulator.configure(error_rate=1.5)
    with pytest.raises(ValueError, match="unknown"):
        emulator.configure({"no_such_setting": 1})
    with pytest.raises(ValueError, match="latency_ms"):
        emulator.configure(latency_ms=[50, 10])
    assert emulator.config.error_rate == 0.0
