"""Every endpoint GraphClient calls, through the real client: success shapes and Meta's errors."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import httpx
import pytest

from tandem.connectors.meta.emulator import EmulatorConfig, MetaEmulator
from tandem.connectors.meta.emulator.tests.conftest import (
    IG,
    IGSID,
    PAGE,
    PAGE_TOKEN,
    PHONE,
    PSID,
    WA_ID,
    WABA,
    Clock,
    make_client,
)
from tandem.connectors.meta.errors import AuthError, InvalidRequestError, PermissionError_
from tandem.connectors.meta.tests.fixture_files import FIXTURES


def test_messenger_send_answers_recipient_and_message_id(emulator, facebook):
    emulator.record_inbound(PAGE, PSID)
    response = facebook.send_message(
        sender_id=PAGE,
        payload={
            "recipient": {"id": PSID},
            "messaging_type": "RESPONSE",
            "message": {"text": "Bonjour, je regarde votre dossier."},
        },
    )
    assert set(response.data) == {"recipient_id", "message_id"}
    assert response.data["recipient_id"] == PSID
    assert response.data["message_id"].startswith("m_")
    assert response.usage is not None
    assert response.usage < 100
    [sent] = emulator.sent_messages()
    assert sent.created_ids == (response.data["message_id"],)
    assert sent.path == f"/{PAGE}/messages"
    assert sent.version == "v21.0"


def test_attachment_and_metadata_are_accepted(emulator, facebook):
    emulator.record_inbound(PAGE, PSID)
    message = {
        "attachment": {"type": "image", "payload": {"url": "https://example.org/plan.jpg"}},
        "metadata": "outbound:42",
    }
    response = facebook.send_message(
        sender_id=PAGE, payload={"recipient": {"id": PSID}, "message": message}
    )
    assert response.data["message_id"]


def test_instagram_send_gives_an_instagram_mid(emulator, instagram):
    emulator.record_inbound(IG, IGSID)
    response = instagram.send_message(
        sender_id=IG,
        payload={
            "recipient": {"id": IGSID},
            "messaging_type": "RESPONSE",
            "message": {"text": "Oui"},
        },
    )
    assert response.data["recipient_id"] == IGSID
    assert re.fullmatch(r"[A-Za-z0-9+/]+", response.data["message_id"])


def test_whatsapp_text_and_template_shapes(emulator, whatsapp):
    emulator.record_inbound(PHONE, WA_ID)
    text = whatsapp.send_whatsapp(
        phone_number_id=PHONE,
        payload={"to": "+" + WA_ID, "type": "text", "text": {"body": "Bonjour"}},
    )
    assert text.data["messaging_product"] == "whatsapp"
    assert text.data["contacts"] == [{"input": "+" + WA_ID, "wa_id": WA_ID}]
    [message] = text.data["messages"]
    assert message["id"].startswith("wamid.")
    template = whatsapp.send_whatsapp(
        phone_number_id=PHONE,
        payload={
            "to": "+" + WA_ID,
            "type": "template",
            "template": {"name": "rappel_rdv", "language": {"code": "fr"}},
            "biz_opaque_callback_data": "outbound:7",
        },
    )
    assert template.data["messages"][0]["message_status"] == "accepted"


def test_public_replies_hide_and_delete(emulator, facebook, instagram):
    fb_comment = emulator.customer_comment(PAGE, PSID, "Quels sont vos horaires ?")
    reply = facebook.public_reply(comment_id=fb_comment, text="De 9h à 18h.", instagram=False)
    assert reply.data["id"].startswith(fb_comment.split("_")[0] + "_")
    assert facebook.set_comment_hidden(
        comment_id=fb_comment, hidden=True, instagram=False
    ).data == {"success": True}
    assert facebook.delete_comment(comment_id=fb_comment).data == {"success": True}
    ig_comment = emulator.customer_comment(IG, IGSID, "Et le samedi ?")
    assert instagram.public_reply(comment_id=ig_comment, text="Oui", instagram=True).data["id"]
    hidden = instagram.set_comment_hidden(comment_id=ig_comment, hidden=True, instagram=True)
    assert hidden.data == {"success": True}
    assert instagram.delete_comment(comment_id=ig_comment).data == {"success": True}


def test_deleted_comment_is_gone(emulator, facebook):
    comment = emulator.customer_comment(PAGE, PSID, "Bonjour")
    facebook.delete_comment(comment_id=comment)
    with pytest.raises(InvalidRequestError) as caught:
        facebook.public_reply(comment_id=comment, text="?", instagram=False)
    assert (caught.value.code, caught.value.subcode) == (100, 33)


def test_wrong_hide_parameter_for_the_platform(emulator, facebook):
    comment = emulator.customer_comment(PAGE, PSID, "Bonjour")
    with pytest.raises(InvalidRequestError) as caught:
        facebook.set_comment_hidden(comment_id=comment, hidden=True, instagram=True)
    assert caught.value.code == 100


def test_publish_post_now_and_scheduled(emulator, facebook, clock):
    now = facebook.publish_post(page_id=PAGE, message="Portes ouvertes samedi", link="https://x.fr")
    assert re.fullmatch(rf"{PAGE}_\d+", now.data["id"])
    later = facebook.publish_post(
        page_id=PAGE, message="Rappel : portes ouvertes", scheduled_at=clock.now + timedelta(days=2)
    )
    assert later.data["id"].startswith(PAGE + "_")


@pytest.mark.parametrize(
    "ahead", [timedelta(minutes=9), timedelta(days=30, minutes=1), timedelta(hours=-1)]
)
def test_scheduled_time_out_of_range_is_error_100(facebook, clock, ahead):
    with pytest.raises(InvalidRequestError) as caught:
        facebook.publish_post(page_id=PAGE, message="Bientôt", scheduled_at=clock.now + ahead)
    assert caught.value.code == 100


def test_identical_consecutive_post_is_error_506(facebook):
    facebook.publish_post(page_id=PAGE, message="Même texte")
    with pytest.raises(InvalidRequestError) as caught:
        facebook.publish_post(page_id=PAGE, message="Même texte")
    assert caught.value.code == 506


def test_instagram_two_step_publishing(emulator, instagram):
    container = instagram.instagram_create_container(
        instagram_id=IG, image_url="https://example.org/a.jpg", caption="Nouvelle agence"
    )
    media = instagram.instagram_publish(instagram_id=IG, creation_id=container.data["id"])
    assert media.data["id"] != container.data["id"]
    with pytest.raises(InvalidRequestError):
        instagram.instagram_publish(instagram_id=IG, creation_id=container.data["id"])
    with pytest.raises(InvalidRequestError):
        instagram.instagram_publish(instagram_id=IG, creation_id="999")


def test_expired_container_cannot_be_published(instagram, clock):
    container = instagram.instagram_create_container(
        instagram_id=IG, image_url="https://example.org/a.jpg", caption=""
    )
    clock.advance(timedelta(hours=24))
    with pytest.raises(InvalidRequestError):
        instagram.instagram_publish(instagram_id=IG, creation_id=container.data["id"])


def test_insights_shape_is_meta_like_and_deterministic(facebook, emulator):
    first = facebook.insights(object_id=PAGE, metrics=["page_impressions", "page_post_engagements"])
    again = facebook.insights(object_id=PAGE, metrics=["page_impressions", "page_post_engagements"])
    assert first.data == again.data
    impressions, engagements = first.data["data"]
    assert impressions["name"] == "page_impressions"
    assert impressions["period"] == "day"
    assert impressions["id"] == f"{PAGE}/insights/page_impressions/day"
    assert len(impressions["values"]) == 2
    for value in impressions["values"] + engagements["values"]:
        assert isinstance(value["value"], int)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT08:00:00\+0000", value["end_time"])
    assert set(first.data["paging"]) == {"previous", "next"}
    post = facebook.publish_post(page_id=PAGE, message="Résultats")
    assert facebook.insights(object_id=post.data["id"], metrics=["post_impressions"]).data["data"]


def test_insights_refuses_bad_period_and_metric(facebook):
    with pytest.raises(InvalidRequestError):
        facebook.insights(object_id=PAGE, metrics=["page_impressions"], period="fortnight")
    with pytest.raises(InvalidRequestError):
        facebook.insights(object_id=PAGE, metrics=["Page Impressions!"])


def test_subscribed_apps_per_platform(emulator, facebook, whatsapp):
    data = facebook.subscribed_apps(object_id=PAGE).data["data"]
    assert data[0]["id"] == emulator.config.app_id
    assert "messages" in data[0]["subscribed_fields"]
    for object_id in (PHONE, WABA):
        [entry] = whatsapp.subscribed_apps(object_id=object_id).data["data"]
        assert entry["whatsapp_business_api_data"]["id"] == emulator.config.app_id
    facebook.request("DELETE", f"{PAGE}/subscribed_apps")
    assert facebook.subscribed_apps(object_id=PAGE).data == {"data": []}


def test_unknown_path_is_error_100_with_http_400(facebook):
    with pytest.raises(InvalidRequestError) as caught:
        facebook.request("POST", f"{PAGE}/no_such_edge", json_body={})
    assert (caught.value.http_status, caught.value.code) == (400, 100)
    with pytest.raises(InvalidRequestError) as caught:
        facebook.request("GET", f"{PAGE}/a/b/c")
    assert caught.value.code == 100
    assert caught.value.fbtrace_id


def test_any_version_prefix_and_access_token_query_parameter(emulator):
    emulator.record_inbound(PAGE, PSID)
    with httpx.Client(transport=httpx.MockTransport(emulator.handle)) as http:
        response = http.post(
            f"http://emulator.test/v19.0/{PAGE}/messages",
            params={"access_token": PAGE_TOKEN},
            json={"recipient": {"id": PSID}, "message": {"text": "Bonjour"}},
        )
    assert response.status_code == 200
    call = emulator.calls[-1]
    assert call.version == "v19.0"
    assert "access_token" not in call.query


def test_form_encoded_hide_like_metas_samples(emulator):
    comment = emulator.customer_comment(PAGE, PSID, "Bonjour")
    with httpx.Client(transport=httpx.MockTransport(emulator.handle)) as http:
        response = http.post(
            f"http://emulator.test/v21.0/{comment}",
            params={"is_hidden": "true"},
            headers={"Authorization": f"Bearer {PAGE_TOKEN}"},
        )
    assert response.json() == {"success": True}


def test_missing_and_foreign_tokens(emulator, clock):
    with make_client(emulator, "not-a-token") as stranger:
        with pytest.raises(AuthError) as caught:
            stranger.subscribed_apps(object_id=PAGE)
        assert caught.value.code == 190
    with make_client(emulator, "instagram-token") as other:
        with pytest.raises(PermissionError_) as denied:
            other.subscribed_apps(object_id=PAGE)
        assert denied.value.code == 200
    with httpx.Client(transport=httpx.MockTransport(emulator.handle)) as http:
        answer = http.get(f"http://emulator.test/v21.0/{PAGE}/subscribed_apps")
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == 104


def test_unregistered_ids_are_pages_unless_strict(clock):
    emulator = MetaEmulator(EmulatorConfig(seed=1, enforce_windows=False), clock=clock)
    with make_client(emulator, "any") as client:
        response = client.send_message(
            sender_id="555", payload={"recipient": {"id": "42"}, "message": {"text": "Salut"}}
        )
        assert response.data["message_id"].startswith("m_")
        whatsapp = client.send_whatsapp(
            phone_number_id="556", payload={"to": WA_ID, "type": "text", "text": {"body": "x"}}
        )
        assert whatsapp.data["messages"][0]["id"].startswith("wamid.")
        emulator.configure(strict_accounts=True)
        with pytest.raises(InvalidRequestError) as caught:
            client.send_message(
                sender_id="555", payload={"recipient": {"id": "42"}, "message": {"text": "Re"}}
            )
        assert (caught.value.code, caught.value.subcode) == (100, 33)


@pytest.mark.parametrize(
    "body",
    [
        {"recipient": {}, "message": {"text": "x"}},
        {"recipient": {"id": PSID}},
        {"recipient": {"id": PSID}, "message": {"text": ""}},
        {"recipient": {"id": PSID}, "message": {"text": "x" * 2001}},
        {"recipient": {"id": PSID}, "messaging_type": "MESSAGE_TAG", "message": {"text": "x"}},
        {"recipient": {"id": PSID}, "messaging_type": "PROMO", "message": {"text": "x"}},
        {
            "recipient": {"id": PSID},
            "messaging_type": "MESSAGE_TAG",
            "tag": "ACCOUNT_UPDATE",
            "message": {"text": "x"},
        },
        {"recipient": {"id": PSID}, "message": {"attachment": {"type": "hologram"}}},
        {"recipient": [PSID], "message": {"text": "x"}},
    ],
)
def test_invalid_send_bodies_are_error_100(emulator, facebook, body):
    emulator.record_inbound(PAGE, PSID)
    with pytest.raises(InvalidRequestError) as caught:
        facebook.send_message(sender_id=PAGE, payload=body)
    assert caught.value.code == 100
    assert emulator.sent_messages() == []
    assert emulator.pending_webhooks() == 0


@pytest.mark.parametrize(
    "payload",
    [
        {"to": "not a number", "type": "text", "text": {"body": "x"}},
        {"to": WA_ID, "type": "text", "text": {}},
        {"to": WA_ID, "type": "template", "template": {"name": "x"}},
        {"to": WA_ID, "type": "carrier_pigeon"},
    ],
)
def test_invalid_whatsapp_bodies_carry_error_data(emulator, whatsapp, payload):
    emulator.record_inbound(PHONE, WA_ID)
    with pytest.raises(InvalidRequestError) as caught:
        whatsapp.send_whatsapp(phone_number_id=PHONE, payload=payload)
    assert caught.value.code == 100
    assert caught.value.details


@pytest.mark.skipif(not FIXTURES.is_dir(), reason="shared Meta fixtures not found")
@pytest.mark.parametrize("name", ["send__messenger_response.json", "send__whatsapp_template.json"])
def test_shared_send_fixtures_are_accepted(emulator, name, clock):
    body = json.loads((FIXTURES / name).read_bytes())
    emulator.configure(enforce_windows=False)
    account = PHONE if "whatsapp" in name else PAGE
    token = "whatsapp-token" if "whatsapp" in name else PAGE_TOKEN
    with make_client(emulator, token) as client:
        assert client.request("POST", f"{account}/messages", json_body=body).data


def test_me_is_the_tokens_account(emulator, facebook):
    emulator.record_inbound(PAGE, PSID)
    response = facebook.request(
        "POST", "me/messages", json_body={"recipient": {"id": PSID}, "message": {"text": "Hi"}}
    )
    assert response.data["recipient_id"] == PSID
    assert emulator.calls[-1].account_id == PAGE


def test_reading_a_container_status(instagram):
    container = instagram.instagram_create_container(
        instagram_id=IG, image_url="https://example.org/a.jpg", caption=""
    )
    status = instagram.request("GET", container.data["id"], params={"fields": "status_code"})
    assert status.data["status_code"] == "FINISHED"


def test_seeded_emulators_create_the_same_ids(clock):
    def run() -> list[str]:
        emulator = MetaEmulator(EmulatorConfig(seed=99), clock=Clock(clock.now))
        emulator.record_inbound(PAGE, PSID)
        with make_client(emulator, "t") as client:
            sent = client.send_message(
                sender_id=PAGE, payload={"recipient": {"id": PSID}, "message": {"text": "x"}}
            )
            post = client.publish_post(page_id=PAGE, message="y")
        return [sent.data["message_id"], post.data["id"]]

    assert run() == run()
