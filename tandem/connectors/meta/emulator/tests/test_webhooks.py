"""Webhooks back to Tandem: each kind the emulator emits parses with Tandem's own parser into
the right dataclass, signed over the exact bytes; ordering, retries, the delivery thread."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest

from tandem.connectors.meta.emulator import EmulatorConfig, MetaEmulator
from tandem.connectors.meta.emulator.tests.conftest import (
    IG,
    IGSID,
    PAGE,
    PHONE,
    PSID,
    SECRET,
    WA_ID,
    WABA,
    Sink,
)
from tandem.connectors.meta.events import (
    Channel,
    CommentAdded,
    CommentEdited,
    CommentHidden,
    CommentRemoved,
    Delivery,
    MessageEcho,
    MessageReceived,
    Platform,
    Read,
    Referral,
    WhatsAppStatus,
    WhatsAppStatusValue,
)
from tandem.connectors.meta.signatures import SIGNATURE_HEADER, verify_signature


def only(sink: Sink, kind: str) -> list:
    return [event for found, event in sink.events() if found == kind]


def test_customer_messages_on_every_direct_channel(emulator, sink, clock):
    mid = emulator.customer_message(PAGE, PSID, "Ma carte a été avalée 😟")
    ig_mid = emulator.customer_message(IG, IGSID, "Bonjour")
    wamid = emulator.customer_message(PHONE, WA_ID, "Bonjour", name="Jeanne Client")
    emulator.customer_message(
        PAGE, PSID, None, attachments=[("image", "https://example.org/recu.jpg")]
    )
    emulator.flush_webhooks()
    events = sink.events()
    assert [kind for kind, _ in events] == ["message", "message", "wa.message", "message"]
    (_, messenger), (_, instagram), (_, whatsapp), (_, picture) = events
    assert isinstance(messenger, MessageReceived)
    assert (messenger.channel, messenger.message_id, messenger.sender_id) == (
        Channel.MESSENGER,
        mid,
        PSID,
    )
    assert messenger.text == "Ma carte a été avalée 😟"
    assert messenger.occurred_at == clock.now.replace(microsecond=0)
    assert (instagram.channel, instagram.message_id) == (Channel.INSTAGRAM_DM, ig_mid)
    assert (whatsapp.channel, whatsapp.message_id, whatsapp.sender_id) == (
        Channel.WHATSAPP,
        wamid,
        WA_ID,
    )
    assert whatsapp.account_external_id == PHONE
    assert whatsapp.sender_name == "Jeanne Client"
    assert picture.message_type == "image"
    assert picture.attachments[0].url


def test_bodies_are_escaped_ascii_and_signed_over_the_exact_bytes(emulator, sink):
    emulator.customer_message(PAGE, PSID, "Prélèvement refusé — pourquoi ?")
    emulator.flush_webhooks()
    [(body, headers)] = sink.received
    assert body.isascii()
    assert b"\\u00e9" in body
    assert b", " not in body
    assert headers["Content-Type"] == "application/json"
    assert verify_signature(body=body, header=headers[SIGNATURE_HEADER], secrets=[SECRET])
    assert not verify_signature(
        body=body + b" ", header=headers[SIGNATURE_HEADER], secrets=[SECRET]
    )


def test_send_gives_echo_then_delivery_then_read(emulator, facebook, sink):
    emulator.customer_message(PAGE, PSID, "Bonjour")
    emulator.flush_webhooks()
    sink.received.clear()
    sent = facebook.send_message(
        sender_id=PAGE,
        payload={
            "recipient": {"id": PSID},
            "messaging_type": "RESPONSE",
            "message": {"text": "Je m'en occupe.", "metadata": "outbound:42"},
        },
    )
    mid = sent.data["message_id"]
    deliveries = emulator.flush_webhooks()
    assert [delivery.kind for delivery in deliveries] == ["echo", "delivery", "read"]
    (_, echo), (_, delivery), (_, read) = sink.events()
    assert isinstance(echo, MessageEcho)
    assert (echo.message_id, echo.metadata, echo.app_id) == (
        mid,
        "outbound:42",
        emulator.config.app_id,
    )
    assert (echo.sender_id, echo.recipient_id, echo.text) == (PAGE, PSID, "Je m'en occupe.")
    assert isinstance(delivery, Delivery)
    assert delivery.mids == (mid,)
    assert delivery.sender_id == PSID
    assert delivery.watermark <= read.watermark
    assert isinstance(read, Read)
    assert read.watermark is not None


def test_instagram_read_is_messaging_seen_with_the_mid(emulator, instagram, sink):
    emulator.record_inbound(IG, IGSID)
    sent = instagram.send_message(
        sender_id=IG, payload={"recipient": {"id": IGSID}, "message": {"text": "Oui"}}
    )
    emulator.flush_webhooks()
    kinds = [kind for kind, _ in sink.events()]
    assert kinds == ["echo", "read"]
    _, read = sink.events()[1]
    assert read.channel is Channel.INSTAGRAM_DM
    assert read.mid == sent.data["message_id"]


def test_receipts_can_be_switched_off(emulator, facebook, sink):
    emulator.configure(simulate_receipts=False)
    emulator.record_inbound(PAGE, PSID)
    facebook.send_message(
        sender_id=PAGE, payload={"recipient": {"id": PSID}, "message": {"text": "x"}}
    )
    assert [delivery.kind for delivery in emulator.flush_webhooks()] == ["echo"]


def test_private_reply_echo_goes_to_the_commenter(emulator, facebook, sink):
    comment = emulator.customer_comment(PAGE, PSID, "Bonjour")
    facebook.private_reply(sender_id=PAGE, comment_id=comment, text="Écrivez-nous", metadata="pr:1")
    emulator.flush_webhooks()
    [echo] = only(sink, "echo")
    assert (echo.recipient_id, echo.metadata) == (PSID, "pr:1")


def test_facebook_comment_lifecycle(emulator, facebook, sink, clock):
    comment_id = emulator.customer_comment(PAGE, PSID, "Mon IBAN FR76…", name="Jeanne Client")
    clock.advance(timedelta(minutes=1))
    emulator.customer_comment_edit(comment_id, "Mon compte ****")
    reply = facebook.public_reply(
        comment_id=comment_id, text="Nous vous écrivons.", instagram=False
    )
    facebook.set_comment_hidden(comment_id=comment_id, hidden=True, instagram=False)
    facebook.set_comment_hidden(comment_id=comment_id, hidden=False, instagram=False)
    facebook.delete_comment(comment_id=comment_id)
    emulator.flush_webhooks()
    events = sink.events()
    assert [kind for kind, _ in events] == [
        "feed.comment.add",
        "feed.comment.edit",
        "feed.comment.add",
        "feed.comment.hide",
        "feed.comment.unhide",
        "feed.comment.remove",
    ]
    added, edited, own, hidden, shown, removed = (event for _, event in events)
    assert isinstance(added, CommentAdded)
    assert added.comment_id == comment_id
    assert (added.author_id, added.author_name, added.from_account) == (
        PSID,
        "Jeanne Client",
        False,
    )
    assert added.post_id
    assert added.parent_id == added.post_id
    assert not added.is_reply
    assert isinstance(edited, CommentEdited)
    assert edited.text == "Mon compte ****"
    assert isinstance(own, CommentAdded)
    assert own.from_account
    assert own.is_reply
    assert (own.comment_id, own.parent_id) == (reply.data["id"], comment_id)
    assert isinstance(hidden, CommentHidden)
    assert not hidden.unhidden
    assert isinstance(shown, CommentHidden)
    assert shown.unhidden
    assert isinstance(removed, CommentRemoved)
    assert removed.comment_id == comment_id


def test_own_comments_can_be_silenced(emulator, facebook, sink):
    emulator.configure(echo_own_comments=False)
    comment_id = emulator.customer_comment(PAGE, PSID, "Bonjour")
    facebook.public_reply(comment_id=comment_id, text="Bonjour !", instagram=False)
    assert [delivery.kind for delivery in emulator.flush_webhooks()] == ["feed.comment.add"]


def test_page_comment_under_its_own_post(emulator, facebook, sink):
    post = facebook.publish_post(page_id=PAGE, message="Nouvelle agence")
    reply = facebook.public_reply(comment_id=post.data["id"], text="Ouverte lundi", instagram=False)
    emulator.flush_webhooks()
    [(_, own)] = sink.events()
    assert (own.comment_id, own.post_id, own.from_account, own.is_reply) == (
        reply.data["id"],
        post.data["id"],
        True,
        False,
    )


def test_instagram_comments(emulator, instagram, sink):
    comment_id = emulator.customer_comment(IG, IGSID, "Horaires ?", name="jeanne.client")
    reply = instagram.public_reply(comment_id=comment_id, text="9h-18h", instagram=True)
    emulator.flush_webhooks()
    (_, customer), (_, own) = sink.events()
    assert customer.channel is Channel.INSTAGRAM_COMMENT
    assert customer.comment_id == comment_id
    assert (customer.author_name, customer.from_account, customer.parent_id) == (
        "jeanne.client",
        False,
        None,
    )
    assert (own.comment_id, own.parent_id, own.from_account) == (reply.data["id"], comment_id, True)


def test_referral_opens_the_window(emulator, facebook, sink):
    emulator.customer_referral(PAGE, PSID, "LINK-CODE-1234")
    emulator.flush_webhooks()
    [(_, referral)] = sink.events()
    assert isinstance(referral, Referral)
    assert referral.ref == "LINK-CODE-1234"
    assert referral.source == "SHORTLINK"
    assert facebook.send_message(
        sender_id=PAGE, payload={"recipient": {"id": PSID}, "message": {"text": "Bienvenue"}}
    )


def test_whatsapp_statuses(emulator, whatsapp, sink, clock):
    emulator.customer_message(PHONE, WA_ID, "Bonjour")
    emulator.flush_webhooks()
    sink.received.clear()
    sent = whatsapp.send_whatsapp(
        phone_number_id=PHONE,
        payload={
            "to": "+" + WA_ID,
            "type": "text",
            "text": {"body": "Votre rendez-vous est confirmé."},
            "biz_opaque_callback_data": "outbound:99",
        },
    )
    wamid = sent.data["messages"][0]["id"]
    emulator.flush_webhooks()
    statuses = [event for _, event in sink.events()]
    assert [status.status for status in statuses] == [
        WhatsAppStatusValue.SENT,
        WhatsAppStatusValue.DELIVERED,
        WhatsAppStatusValue.READ,
    ]
    for status in statuses:
        assert isinstance(status, WhatsAppStatus)
        assert status.platform is Platform.WHATSAPP
        assert (status.wamid, status.recipient_id, status.callback_data) == (
            wamid,
            WA_ID,
            "outbound:99",
        )
        assert status.account_external_id == PHONE
    raw = json.loads(sink.received[0][0])
    assert raw["entry"][0]["id"] == WABA
    item = raw["entry"][0]["changes"][0]["value"]["statuses"][0]
    assert item["timestamp"] == str(int(clock.now.timestamp()))
    assert item["conversation"]["origin"]["type"] == "service"
    assert item["pricing"] == {
        "billable": False,
        "pricing_model": "PMP",
        "category": "service",
        "type": "free_customer_service",
    }


def test_refused_webhooks_are_retried_then_dropped(emulator, sink):
    emulator.configure(webhook_retry_delays=[0.0, 0.0])
    sink.status = 500
    emulator.customer_message(PAGE, PSID, "Bonjour")
    attempts = [emulator.flush_webhooks() for _ in range(4)]
    assert [[d.attempt for d in flushed] for flushed in attempts] == [[1], [2], [3], []]
    assert [d.final for d in emulator.webhooks] == [False, False, True]
    assert len({d.body for d in emulator.webhooks}) == 1  # the same bytes every time


def test_a_retried_webhook_succeeds_when_tandem_recovers(emulator, sink):
    sink.status = 503
    emulator.customer_message(PAGE, PSID, "Bonjour")
    emulator.flush_webhooks()
    sink.status = 200
    [second] = emulator.flush_webhooks()
    assert (second.attempt, second.status, second.final) == (2, 200, True)


def test_without_secret_or_sink(clock):
    emulator = MetaEmulator(EmulatorConfig(seed=1), clock=clock)
    emulator.customer_message(PAGE, PSID, "Bonjour")
    [delivery] = emulator.flush_webhooks()
    assert delivery.status is None
    assert delivery.final
    assert SIGNATURE_HEADER not in delivery.headers


def test_a_sink_may_call_the_emulator_back(emulator, clock):
    """Tandem answering a webhook by sending through the emulator must not deadlock."""
    from tandem.connectors.meta.emulator.tests.conftest import make_client

    answers = []

    def tandem(body: bytes, headers: dict[str, str]) -> int:
        if b'"is_echo"' not in body and b'"delivery"' not in body and b'"read"' not in body:
            with make_client(emulator, "page-token") as client:
                answers.append(
                    client.send_message(
                        sender_id=PAGE,
                        payload={"recipient": {"id": PSID}, "message": {"text": "Réponse"}},
                    )
                )
        return 200

    emulator.webhook_sink = tandem
    emulator.customer_message(PAGE, PSID, "Bonjour")
    kinds = [delivery.kind for delivery in emulator.flush_webhooks()]
    assert len(answers) == 1
    assert kinds == ["message", "echo", "delivery", "read"]


def test_background_delivery_respects_delays(emulator, facebook, sink):
    emulator.configure(delivery_delay=0.05, read_delay=0.1)
    emulator.record_inbound(PAGE, PSID)
    emulator.start_webhook_delivery()
    facebook.send_message(
        sender_id=PAGE, payload={"recipient": {"id": PSID}, "message": {"text": "x"}}
    )
    deadline = time.monotonic() + 5
    while len(sink.received) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    emulator.stop_webhook_delivery()
    assert [kind for kind, _ in sink.events()] == ["echo", "delivery", "read"]


@pytest.mark.parametrize("platform", ["whatsapp"])
def test_whatsapp_has_no_comments(emulator, platform):
    with pytest.raises(ValueError, match="comments"):
        emulator.customer_comment(PHONE, WA_ID, "x", platform)
