"""Messaging windows enforced with Tandem's own rules, and the codes Meta refuses them with."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tandem.connectors.meta.emulator.tests.conftest import (
    IG,
    IGSID,
    PAGE,
    PHONE,
    PSID,
    WA_ID,
    make_client,
)
from tandem.connectors.meta.errors import InvalidRequestError, PermissionError_, WindowError

TICK = timedelta(seconds=1)


def text(recipient: str, **extra: object) -> dict:
    return {"recipient": {"id": recipient}, "message": {"text": "Bonjour"}, **extra}


HUMAN_AGENT = {"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"}


def test_never_seen_user_is_refused_with_the_window_error(facebook):
    with pytest.raises(WindowError) as caught:
        facebook.send_message(sender_id=PAGE, payload=text(PSID, messaging_type="RESPONSE"))
    assert (caught.value.code, caught.value.subcode) == (10, 2018278)
    assert caught.value.error_type == "OAuthException"


@pytest.mark.parametrize("age", [timedelta(0), timedelta(hours=23, minutes=59)])
def test_inside_24_hours_any_type_is_allowed(emulator, facebook, clock, age):
    emulator.record_inbound(PAGE, PSID, at=clock.now - age)
    facebook.send_message(sender_id=PAGE, payload=text(PSID, messaging_type="RESPONSE"))
    facebook.send_message(sender_id=PAGE, payload=text(PSID, messaging_type="UPDATE"))
    facebook.send_message(sender_id=PAGE, payload=text(PSID, **HUMAN_AGENT))
    assert len(emulator.sent_messages()) == 3


@pytest.mark.parametrize("age", [timedelta(hours=24), timedelta(days=6, hours=23)])
def test_after_24_hours_only_human_agent(emulator, facebook, clock, age):
    emulator.record_inbound(PAGE, PSID, at=clock.now - age)
    for messaging_type in ("RESPONSE", "UPDATE"):
        with pytest.raises(WindowError) as caught:
            facebook.send_message(sender_id=PAGE, payload=text(PSID, messaging_type=messaging_type))
        assert caught.value.subcode == 2018278
    assert facebook.send_message(sender_id=PAGE, payload=text(PSID, **HUMAN_AGENT)).data


@pytest.mark.parametrize("age", [timedelta(days=7), timedelta(days=30)])
def test_after_7_days_even_human_agent_is_refused(emulator, facebook, clock, age):
    emulator.record_inbound(PAGE, PSID, at=clock.now - age)
    with pytest.raises(WindowError):
        facebook.send_message(sender_id=PAGE, payload=text(PSID, **HUMAN_AGENT))


def test_window_follows_the_clock(emulator, facebook, clock):
    emulator.customer_message(PAGE, PSID, "Bonjour")
    facebook.send_message(sender_id=PAGE, payload=text(PSID))
    clock.advance(timedelta(hours=24))
    with pytest.raises(WindowError):
        facebook.send_message(sender_id=PAGE, payload=text(PSID))
    clock.advance(timedelta(days=6) - TICK)
    facebook.send_message(sender_id=PAGE, payload=text(PSID, **HUMAN_AGENT))
    clock.advance(TICK)
    with pytest.raises(WindowError):
        facebook.send_message(sender_id=PAGE, payload=text(PSID, **HUMAN_AGENT))


def test_instagram_window_error_has_its_own_subcode_and_type(emulator, instagram, clock):
    emulator.record_inbound(IG, IGSID, at=clock.now - timedelta(days=2))
    with pytest.raises(WindowError) as caught:
        instagram.send_message(sender_id=IG, payload=text(IGSID))
    assert (caught.value.code, caught.value.subcode) == (10, 2534022)
    assert caught.value.error_type == "IGApiException"
    instagram.send_message(sender_id=IG, payload=text(IGSID, **HUMAN_AGENT))


def test_windows_are_per_account_and_user(emulator, facebook, instagram):
    emulator.record_inbound(PAGE, PSID)
    with pytest.raises(WindowError):
        facebook.send_message(sender_id=PAGE, payload=text("someone-else"))
    with pytest.raises(WindowError):
        instagram.send_message(sender_id=IG, payload=text(PSID))


def test_human_agent_without_the_feature_is_a_permission_error(emulator, facebook, clock):
    emulator.configure(human_agent_enabled=False)
    emulator.record_inbound(PAGE, PSID, at=clock.now - timedelta(days=2))
    with pytest.raises(PermissionError_) as caught:
        facebook.send_message(sender_id=PAGE, payload=text(PSID, **HUMAN_AGENT))
    assert caught.value.code == 10


def test_windows_can_be_switched_off(emulator, facebook):
    emulator.configure(enforce_windows=False)
    assert facebook.send_message(sender_id=PAGE, payload=text("never-seen")).data


# -- private replies ---------------------------------------------------------------------------


def test_private_reply_once_per_comment(emulator, facebook):
    comment = emulator.customer_comment(PAGE, PSID, "Ma carte est bloquée")
    first = facebook.private_reply(sender_id=PAGE, comment_id=comment, text="Écrivez-nous ici.")
    assert first.data["recipient_id"] == PSID
    with pytest.raises(InvalidRequestError) as caught:
        facebook.private_reply(sender_id=PAGE, comment_id=comment, text="Encore ?")
    assert caught.value.code == 10900
    assert not caught.value.retryable


def test_private_reply_within_7_days_of_the_comment(emulator, facebook, clock):
    fresh = emulator.customer_comment(
        PAGE, PSID, "Bonjour", at=clock.now - timedelta(days=7) + TICK
    )
    stale = emulator.customer_comment(PAGE, PSID, "Bonjour", at=clock.now - timedelta(days=7))
    facebook.private_reply(sender_id=PAGE, comment_id=fresh, text="Oui ?")
    with pytest.raises(WindowError) as caught:
        facebook.private_reply(sender_id=PAGE, comment_id=stale, text="Oui ?")
    assert caught.value.subcode == 2018278


def test_instagram_private_reply_and_expiry(emulator, instagram, clock):
    comment = emulator.customer_comment(IG, IGSID, "Bonjour")
    assert instagram.private_reply(sender_id=IG, comment_id=comment, text="DM").data
    old = emulator.customer_comment(IG, IGSID, "Bonjour", at=clock.now - timedelta(days=8))
    with pytest.raises(WindowError) as caught:
        instagram.private_reply(sender_id=IG, comment_id=old, text="DM")
    assert caught.value.subcode == 2534022


def test_a_comment_does_not_open_the_messaging_window(emulator, facebook):
    emulator.customer_comment(PAGE, PSID, "Bonjour")
    with pytest.raises(WindowError):
        facebook.send_message(sender_id=PAGE, payload=text(PSID))


def test_private_reply_to_unknown_or_foreign_comment(emulator, facebook, instagram):
    with pytest.raises(InvalidRequestError) as caught:
        facebook.private_reply(sender_id=PAGE, comment_id="1_2", text="?")
    assert (caught.value.code, caught.value.subcode) == (100, 33)
    ig_comment = emulator.customer_comment(IG, IGSID, "Bonjour")
    with pytest.raises(InvalidRequestError):
        facebook.private_reply(sender_id=PAGE, comment_id=ig_comment, text="?")


def test_recorded_comment_can_be_answered_privately(emulator, facebook, clock):
    emulator.record_comment(PAGE, "998877_1122", author_id=PSID, at=clock.now - timedelta(days=1))
    assert facebook.private_reply(sender_id=PAGE, comment_id="998877_1122", text="Bonjour").data


# -- WhatsApp ----------------------------------------------------------------------------------


def wa_text(body: str = "Bonjour") -> dict:
    return {"to": "+" + WA_ID, "type": "text", "text": {"body": body}}


TEMPLATE = {
    "to": "+" + WA_ID,
    "type": "template",
    "template": {"name": "rappel", "language": {"code": "fr"}},
}


def test_whatsapp_free_text_outside_24_hours_is_131047(emulator, whatsapp, clock):
    emulator.record_inbound(PHONE, WA_ID, at=clock.now - timedelta(hours=24))
    with pytest.raises(WindowError) as caught:
        whatsapp.send_whatsapp(phone_number_id=PHONE, payload=wa_text())
    error = caught.value
    assert error.code == 131047
    assert error.http_status == 400
    assert error.details
    assert "24 hours" in error.details
    assert whatsapp.send_whatsapp(phone_number_id=PHONE, payload=TEMPLATE).data


def test_whatsapp_never_seen_gets_templates_only(emulator, whatsapp):
    with pytest.raises(WindowError):
        whatsapp.send_whatsapp(phone_number_id=PHONE, payload=wa_text())
    assert whatsapp.send_whatsapp(phone_number_id=PHONE, payload=TEMPLATE).data


def test_whatsapp_customer_message_opens_the_window(emulator, whatsapp):
    emulator.customer_message(PHONE, "+33 6 12 34 56 78", "Bonjour")
    assert whatsapp.send_whatsapp(phone_number_id=PHONE, payload=wa_text()).data


def test_whatsapp_window_error_as_a_failed_status(emulator, whatsapp, sink):
    emulator.configure(whatsapp_window_error="status")
    accepted = whatsapp.send_whatsapp(phone_number_id=PHONE, payload=wa_text())
    wamid = accepted.data["messages"][0]["id"]
    emulator.flush_webhooks()
    [(kind, status)] = sink.events()
    assert kind == "wa.status"
    assert (status.wamid, str(status.status), status.error_code) == (wamid, "failed", 131047)
    assert status.error_details


def test_refusals_change_nothing(emulator, facebook, whatsapp):
    with pytest.raises(WindowError):
        facebook.send_message(sender_id=PAGE, payload=text(PSID))
    with pytest.raises(WindowError):
        whatsapp.send_whatsapp(phone_number_id=PHONE, payload=wa_text())
    assert emulator.sent_messages() == []
    assert emulator.pending_webhooks() == 0
    assert [call.performed for call in emulator.calls] == [False, False]


def test_other_token_cannot_bypass_windows(emulator, clock):
    emulator.record_inbound(PAGE, PSID, at=clock.now - timedelta(days=3))
    with make_client(emulator, "page-token") as client, pytest.raises(WindowError):
        client.send_message(sender_id=PAGE, payload=text(PSID))
