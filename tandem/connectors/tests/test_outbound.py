"""Calls to Meta: made once, retried only when Meta says nothing happened, settled by webhooks."""

import json

import httpx
import pytest

from tandem.connectors.meta import client as client_module
from tandem.connectors.meta.events import Channel, MessageEcho, Platform
from tandem.connectors.models import OutboundCall, OutboundKind, OutboundStatus, SocialAccount
from tandem.connectors.outbound import (
    call_metadata,
    outbound_enqueue,
    outbound_perform,
    outbound_settle_from_event,
    outbound_sweep,
)

pytestmark = pytest.mark.django_db


class ScriptedMeta:
    """Answers Graph calls from a script of responses; records what it received."""

    def __init__(self, *responses):
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.responses.pop(0) if self.responses else ("ok", None)
        kind, value = answer
        if kind == "raise":
            raise value
        if kind == "ok":
            return httpx.Response(200, json=value or {"recipient_id": "42", "message_id": "m_1"})
        return httpx.Response(kind, json=value)


@pytest.fixture
def meta():
    scripted = ScriptedMeta()
    client_module.set_transport(httpx.MockTransport(scripted))
    yield scripted
    client_module.set_transport(None)


def enqueue(account, key="reply-1", text="Bonjour, je vous rappelle demain."):
    call, _ = outbound_enqueue(
        account=account,
        kind=OutboundKind.MESSAGE,
        payload={
            "recipient": {"id": "7291038475610293"},
            "messaging_type": "RESPONSE",
            "message": {"text": text},
        },
        idempotency_key=key,
        recipient_id="7291038475610293",
    )
    return call


def error(code, subcode=None, transient=False):
    body = {"error": {"message": "x", "type": "OAuthException", "code": code, "fbtrace_id": "AbC"}}
    if subcode:
        body["error"]["error_subcode"] = subcode
    if transient:
        body["error"]["is_transient"] = True
    return body


def test_a_call_is_made_once_and_recorded(meta, accounts, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call = enqueue(accounts["facebook"])
    call.refresh_from_db()
    assert call.status == OutboundStatus.SENT
    assert call.external_id == "m_1"
    assert len(meta.requests) == 1
    request = meta.requests[0]
    assert request.url.path == f"/v21.0/{accounts['facebook'].external_id}/messages"
    assert request.headers["Authorization"] == "Bearer EAAG-test-token-123"
    sent = json.loads(request.content)
    assert sent["message"]["metadata"] == call_metadata(call.pk)
    # Asking again with the same key, or running the task again, sends nothing more.
    again = enqueue(accounts["facebook"])
    assert again.pk == call.pk
    assert outbound_perform(call_id=str(call.pk)) == "not-due"
    assert len(meta.requests) == 1


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, error(613)),
        (429, error(80006)),
        (400, error(4)),
        (500, error(2, transient=True)),
        (503, error(1, transient=True)),
    ],
)
def test_throttling_and_transient_errors_are_retried(meta, accounts, status, body):
    meta.responses = [(status, body), ("ok", None)]
    call = enqueue(accounts["facebook"])
    assert outbound_perform(call_id=str(call.pk)) == OutboundStatus.RETRYING
    call.refresh_from_db()
    assert call.status == OutboundStatus.RETRYING
    assert call.error_code == body["error"]["code"]
    OutboundCall.objects.filter(pk=call.pk).update(next_attempt_at=call.created_at)
    outbound_sweep()
    call.refresh_from_db()
    assert call.status == OutboundStatus.SENT
    assert len(meta.requests) == 2


def test_window_error_is_final_with_a_reason(meta, accounts):
    meta.responses = [(400, error(10, 2018278))]
    call = enqueue(accounts["facebook"])
    assert outbound_perform(call_id=str(call.pk)) == OutboundStatus.FAILED
    call.refresh_from_db()
    assert call.status == OutboundStatus.FAILED
    assert "24" in call.error_message or "fenêtre" in call.error_message.lower()
    outbound_sweep()
    assert len(meta.requests) == 1


def test_expired_token_marks_the_account_unhealthy(meta, accounts):
    meta.responses = [(400, error(190, 463))]
    call = enqueue(accounts["facebook"])
    outbound_perform(call_id=str(call.pk))
    account = SocialAccount.objects.get(pk=accounts["facebook"].pk)
    assert account.token_valid is False
    assert account.unhealthy_since is not None
    assert account.last_error_code == 190
    assert not account.is_healthy


def test_connection_never_made_is_retried(meta, accounts):
    meta.responses = [("raise", httpx.ConnectError("refused")), ("ok", None)]
    call = enqueue(accounts["facebook"])
    assert outbound_perform(call_id=str(call.pk)) == OutboundStatus.RETRYING


def test_lost_answer_is_never_resent_and_the_echo_settles_it(meta, accounts):
    meta.responses = [("raise", httpx.ReadTimeout("lost"))]
    call = enqueue(accounts["facebook"])
    assert outbound_perform(call_id=str(call.pk)) == OutboundStatus.UNCERTAIN
    outbound_sweep()
    assert len(meta.requests) == 1
    call.refresh_from_db()
    assert call.status == OutboundStatus.UNCERTAIN
    echo = MessageEcho(
        platform=Platform.FACEBOOK,
        channel=Channel.MESSENGER,
        account_external_id=accounts["facebook"].external_id,
        occurred_at=call.created_at,
        sender_id=accounts["facebook"].external_id,
        recipient_id="7291038475610293",
        message_id="m_echoed",
        text="Bonjour",
        metadata=call_metadata(call.pk),
    )
    outbound_settle_from_event(event=echo, account_id=accounts["facebook"].pk)
    call.refresh_from_db()
    assert call.status == OutboundStatus.SENT
    assert call.external_id == "m_echoed"


def test_a_worker_killed_mid_call_leaves_it_uncertain_then_failed(meta, accounts):
    import time_machine
    from django.utils import timezone

    call = enqueue(accounts["facebook"])
    # The claim happened, then the process died before any answer was recorded.
    OutboundCall.objects.filter(pk=call.pk).update(
        status=OutboundStatus.SENDING, claimed_at=timezone.now(), attempts=1
    )
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=3)):
        assert outbound_sweep()["orphaned"] == 1
    call.refresh_from_db()
    assert call.status == OutboundStatus.UNCERTAIN
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=20)):
        assert outbound_sweep()["given_up"] == 1
    call.refresh_from_db()
    assert call.status == OutboundStatus.FAILED
    assert "Non confirmé" in call.error_message
    assert meta.requests == []


def test_whatsapp_sends_with_callback_data(meta, accounts):
    meta.responses = [
        (
            "ok",
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": "+33612345678", "wa_id": "33612345678"}],
                "messages": [{"id": "wamid.ABC"}],
            },
        )
    ]
    call, _ = outbound_enqueue(
        account=accounts["whatsapp"],
        kind=OutboundKind.MESSAGE,
        payload={"to": "+33612345678", "type": "text", "text": {"body": "Bonjour"}},
        idempotency_key="wa-1",
        recipient_id="33612345678",
    )
    outbound_perform(call_id=str(call.pk))
    call.refresh_from_db()
    assert call.external_id == "wamid.ABC"
    sent = json.loads(meta.requests[0].content)
    assert sent["messaging_product"] == "whatsapp"
    assert sent["biz_opaque_callback_data"] == call_metadata(call.pk)


def test_statuses_only_move_forward(meta, accounts):
    from datetime import timedelta

    from tandem.connectors.meta.events import Delivery, Read

    call = enqueue(accounts["facebook"])
    outbound_perform(call_id=str(call.pk))
    call.refresh_from_db()
    common = {
        "platform": Platform.FACEBOOK,
        "channel": Channel.MESSENGER,
        "account_external_id": accounts["facebook"].external_id,
        "sender_id": "7291038475610293",
        "recipient_id": accounts["facebook"].external_id,
    }
    later = call.sent_at + timedelta(seconds=5)
    read = Read(**common, occurred_at=later, watermark=later)
    outbound_settle_from_event(event=read, account_id=accounts["facebook"].pk)
    delivery = Delivery(**common, occurred_at=later, watermark=later, mids=("m_1",))
    outbound_settle_from_event(event=delivery, account_id=accounts["facebook"].pk)
    call.refresh_from_db()
    assert call.status == OutboundStatus.READ
    assert call.read_at is not None


def test_a_watermark_never_marks_a_call_that_did_not_go_out(meta, accounts):
    from datetime import timedelta

    from django.utils import timezone

    from tandem.connectors.meta.events import Read

    meta.responses = [(400, error(613))]
    call = enqueue(accounts["facebook"])
    outbound_perform(call_id=str(call.pk))
    call.refresh_from_db()
    assert call.status == OutboundStatus.RETRYING
    later = timezone.now() + timedelta(minutes=5)
    read = Read(
        platform=Platform.FACEBOOK,
        channel=Channel.MESSENGER,
        account_external_id=accounts["facebook"].external_id,
        occurred_at=later,
        sender_id="7291038475610293",
        recipient_id=accounts["facebook"].external_id,
        watermark=later,
    )
    outbound_settle_from_event(event=read, account_id=accounts["facebook"].pk)
    call.refresh_from_db()
    assert call.status == OutboundStatus.RETRYING
