"""Webhook payloads: every Meta fixture, then the shapes the fixtures do not cover."""

from __future__ import annotations

import copy
import hashlib
import json
import random
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from tandem.connectors.meta.events import (
    Attachment,
    Channel,
    CommentAdded,
    CommentEdited,
    CommentHidden,
    CommentRemoved,
    Delivery,
    Event,
    MessageEcho,
    MessageReceived,
    Platform,
    Postback,
    Read,
    Referral,
    Unknown,
    WhatsAppStatus,
    WhatsAppStatusValue,
)
from tandem.connectors.meta.payloads import (
    KINDS,
    MAX_KEY_LENGTH,
    PayloadError,
    RawEvent,
    extract_prefilled_ref,
    format_prefilled_ref,
    load_payload,
    normalise_timestamp,
    parse_event,
    split_batch,
)
from tandem.connectors.meta.signatures import sign, verify_signature
from tandem.connectors.meta.tests.fixture_files import (
    FIXTURES,
    MISSING,
    fixture_names,
    load_bytes,
    load_fixture,
)
from tandem.connectors.meta.windows import MessagingType, WindowVerdict, window_decision

# -- helpers --------------------------------------------------------------------------------


def ms(value: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=value)


def sec(value: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=value)


PAGE = "104857392817465"
PSID = "7291038475610293"
IG = "17841400000000001"
IGSID = "1234567890123456"
PHONE_ID = "106540352242922"
WA_ID = "16505551234"

MESSENGER = {
    "platform": Platform.FACEBOOK,
    "channel": Channel.MESSENGER,
    "account_external_id": PAGE,
}
FEED = {"platform": Platform.FACEBOOK, "channel": Channel.FACEBOOK_COMMENT}
WHATSAPP = {
    "platform": Platform.WHATSAPP,
    "channel": Channel.WHATSAPP,
    "account_external_id": PHONE_ID,
}
JANE_FEED = {
    **FEED,
    "account_external_id": PAGE,
    "post_id": f"{PAGE}_998877665544332",
    "parent_id": f"{PAGE}_998877665544332",
    "author_id": "6543210987654321",
    "author_name": "Jane Customer",
}
DELIVERED_MID = "m_Zz98Yy76Xx54Ww32Vv10Uu98Tt76Ss54"
WAMID_IN = "wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
WAMID_DELIVERED = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI1RjQyNUE3NEYxMzAzMzQ5MkEA"
WAMID_FAILED = "wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJBQ0E1NjY3RjdCQjg1QjQzMjcA"

# fixture -> [(kind, idempotency key, parsed event)], in payload order.
EXPECTED: dict[str, list[tuple[str, str, Event]]] = {
    "page__message_text.json": [
        (
            "message",
            "message:m_Xq8dYfT0s1kL2mN3oP4qR5sT6uV7wX8yZ9",
            MessageReceived(
                **MESSENGER,
                occurred_at=ms(1767225599876),
                sender_id=PSID,
                recipient_id=PAGE,
                message_id="m_Xq8dYfT0s1kL2mN3oP4qR5sT6uV7wX8yZ9",
                text="Hello, my card was declined at the ATM this morning",
            ),
        )
    ],
    "page__message_attachment.json": [
        (
            "message",
            "message:m_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56",
            MessageReceived(
                **MESSENGER,
                occurred_at=ms(1767225660102),
                sender_id=PSID,
                recipient_id=PAGE,
                message_id="m_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56",
                text=None,
                attachments=(
                    Attachment(
                        type="image",
                        url="https://scontent.xx.fbcdn.net/v/t1.15752-9/receipt.jpg?stp=...",
                    ),
                ),
                message_type="image",
            ),
        )
    ],
    "page__postback.json": [
        (
            "postback",
            "postback:m_Pb01Pb02Pb03Pb04Pb05Pb06Pb07",
            Postback(
                **MESSENGER,
                occurred_at=ms(1767225800650),
                sender_id=PSID,
                recipient_id=PAGE,
                payload="HANDOFF_TO_AGENT",
                title="Talk to an agent",
                mid="m_Pb01Pb02Pb03Pb04Pb05Pb06Pb07",
            ),
        )
    ],
    "page__batched_delivery_read.json": [
        (
            "delivery",
            # delivery:<page>:<sender>:<watermark>:<first 32 hex of sha256 of the sorted mids>
            f"delivery:{PAGE}:{PSID}:1767225699912:"
            + hashlib.sha256(DELIVERED_MID.encode()).hexdigest()[:32],
            Delivery(
                **MESSENGER,
                occurred_at=ms(1767225699912),  # no timestamp: the watermark stands in
                sender_id=PSID,
                recipient_id=PAGE,
                watermark=ms(1767225699912),
                mids=(DELIVERED_MID,),
            ),
        ),
        (
            "read",
            f"read:{PAGE}:{PSID}:1767225704950",
            Read(
                **MESSENGER,
                occurred_at=ms(1767225705001),
                sender_id=PSID,
                recipient_id=PAGE,
                watermark=ms(1767225704950),
            ),
        ),
    ],
    "page__feed_comment_add.json": [
        (
            "feed.comment.add",
            "feed.comment.add:998877665544332_1122334455667788",
            CommentAdded(
                **JANE_FEED,
                occurred_at=sec(1767226000),
                comment_id="998877665544332_1122334455667788",
                text="Why was I charged a fee twice this month?",
            ),
        )
    ],
    "page__feed_comment_edit_remove_hide.json": [
        (
            "feed.comment.edit",
            "feed.comment.edit:998877665544332_1122334455667788:1767226290",
            CommentEdited(
                **JANE_FEED,
                occurred_at=sec(1767226290),
                comment_id="998877665544332_1122334455667788",
                text="Why was I charged a fee twice this month? Account ends 4821",
            ),
        ),
        (
            "feed.comment.remove",
            "feed.comment.remove:998877665544332_9988776655443322",
            CommentRemoved(
                **JANE_FEED,
                occurred_at=sec(1767226300),  # when it was removed (entry time), not created
                comment_id="998877665544332_9988776655443322",
            ),
        ),
    ],
    "instagram__message_text.json": [
        (
            "message",
            "message:aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDAwMDAx",
            MessageReceived(
                platform=Platform.INSTAGRAM,
                channel=Channel.INSTAGRAM_DM,
                account_external_id=IG,
                occurred_at=ms(1767226500123),
                sender_id=IGSID,
                recipient_id=IG,
                message_id="aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDAwMDAx",
                text="Is the Main Street branch open on Saturday?",
            ),
        )
    ],
    "instagram__comment.json": [
        (
            "comments",
            "comments:17867301270523379",
            CommentAdded(
                platform=Platform.INSTAGRAM,
                channel=Channel.INSTAGRAM_COMMENT,
                account_external_id=IG,
                occurred_at=sec(1767226600),
                post_id="18050310947722369",
                comment_id="17867301270523379",
                parent_id="17867301270520000",
                author_id=IGSID,
                author_name="jane.customer",
                text="Your app keeps logging me out, who can help?",
            ),
        )
    ],
    "whatsapp__message_text.json": [
        (
            "wa.message",
            f"wa.message:{WAMID_IN}",
            MessageReceived(
                **WHATSAPP,
                occurred_at=sec(1767226700),
                sender_id=WA_ID,
                recipient_id=PHONE_ID,
                message_id=WAMID_IN,
                text="I need to block my card, it was stolen",
                sender_name="Jane Customer",
            ),
        )
    ],
    "whatsapp__statuses.json": [
        (
            "wa.status",
            f"wa.status:{WAMID_DELIVERED}:delivered",
            WhatsAppStatus(
                **WHATSAPP,
                occurred_at=sec(1767226760),
                wamid=WAMID_DELIVERED,
                status=WhatsAppStatusValue.DELIVERED,
                recipient_id=WA_ID,
            ),
        ),
        (
            "wa.status",
            f"wa.status:{WAMID_FAILED}:failed",
            WhatsAppStatus(
                **WHATSAPP,
                occurred_at=sec(1767226761),
                wamid=WAMID_FAILED,
                status=WhatsAppStatusValue.FAILED,
                recipient_id=WA_ID,
                error_code=131047,
                error_title="Re-engagement message",
                error_details=(
                    "Message failed to send because more than 24 hours have passed since the "
                    "customer last replied to this number."
                ),
            ),
        ),
    ],
}
# Not webhooks: outbound request bodies (checked against windows below) and the error shape
# (checked in test_errors.py).
OUTBOUND = ("send__messenger_response.json", "send__messenger_human_agent.json")
OTHER_FIXTURES = {*OUTBOUND, "send__whatsapp_template.json", "error__graph.json"}
WEBHOOK_PREFIXES = ("page__", "instagram__", "whatsapp__")


def test_fixtures_directory_is_found() -> None:
    assert FIXTURES.is_dir(), MISSING
    assert fixture_names(), f"no *.json in {FIXTURES}"


def test_every_fixture_has_expectations() -> None:
    """A new fixture must come with its expected events (or be listed as non-webhook)."""
    unknown = set(fixture_names()) - set(EXPECTED) - OTHER_FIXTURES
    assert not unknown, f"add expectations for {sorted(unknown)}"
    missing = (set(EXPECTED) | OTHER_FIXTURES) - set(fixture_names())
    assert not missing, f"expected fixtures are gone: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_splits_and_parses(name: str) -> None:
    events = split_batch(load_fixture(name))
    expected = EXPECTED[name]
    assert [(e.kind, e.idempotency_key) for e in events] == [(k, key) for k, key, _ in expected]
    for event, (_, _, parsed) in zip(events, expected, strict=True):
        assert parse_event(event.body, event.kind) == parsed
        assert event.occurred_at == parsed.occurred_at
        assert event.account_external_id == parsed.account_external_id
        assert event.object == json.loads(load_bytes(name))["object"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_body_survives_storage(name: str) -> None:
    """A body is strict JSON and parses the same after a database round trip."""
    for event in split_batch(load_fixture(name)):
        stored = json.loads(json.dumps(event.body, allow_nan=False))
        assert parse_event(stored, event.kind) == parse_event(event.body, event.kind)
        assert {"object", "entry_id", "entry_time", "field"} <= set(stored)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_redelivery_gives_identical_events(name: str) -> None:
    first = split_batch(load_fixture(name))
    again = split_batch(load_fixture(name))
    assert first == again


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_signed_bytes_verify(name: str) -> None:
    raw = load_bytes(name)
    assert verify_signature(body=raw, header=sign(raw, "app-secret"), secrets=["app-secret"])
    assert load_payload(raw) == json.loads(raw)


def shuffle_batch(payload: Any, rng: random.Random) -> Any:
    """Every list in the payload shuffled, recursively: a batch Meta could have sent."""
    if isinstance(payload, dict):
        return {key: shuffle_batch(value, rng) for key, value in payload.items()}
    if isinstance(payload, list):
        items = [shuffle_batch(item, rng) for item in payload]
        rng.shuffle(items)
        return items
    return payload


def merged(names: list[str]) -> dict[str, Any]:
    payloads = [load_fixture(name) for name in names]
    return {"object": payloads[0]["object"], "entry": [e for p in payloads for e in p["entry"]]}


BATCHES = {
    "page": [name for name in EXPECTED if name.startswith("page__")],
    "instagram": [name for name in EXPECTED if name.startswith("instagram__")],
    "whatsapp": [name for name in EXPECTED if name.startswith("whatsapp__")],
}


@pytest.mark.parametrize("batch", sorted(BATCHES))
def test_merged_batch_is_the_union_of_its_parts(batch: str) -> None:
    names = BATCHES[batch]
    together = {e.idempotency_key: e for e in split_batch(merged(names))}
    apart = {e.idempotency_key: e for name in names for e in split_batch(load_fixture(name))}
    assert together == apart


@pytest.mark.parametrize("batch", sorted(BATCHES))
@pytest.mark.parametrize("seed", range(8))
def test_reordered_batch_gives_the_same_events(batch: str, seed: int) -> None:
    payload = merged(BATCHES[batch])
    reordered = shuffle_batch(copy.deepcopy(payload), random.Random(seed))
    original = {e.idempotency_key: e for e in split_batch(payload)}
    shuffled = {e.idempotency_key: e for e in split_batch(reordered)}
    assert set(shuffled) == set(original)
    for key, event in original.items():
        assert parse_event(shuffled[key].body, event.kind) == parse_event(event.body, event.kind)


def test_outbound_fixtures_match_window_decisions() -> None:
    now = datetime(2026, 1, 10, 12, tzinfo=UTC)
    inside = window_decision(
        channel=Channel.MESSENGER,
        last_customer_message_at=now - timedelta(hours=2),
        now=now,
        human_agent=True,
    )
    response = load_fixture("send__messenger_response.json")
    assert response["messaging_type"] == inside.messaging_type == MessagingType.RESPONSE
    assert "tag" not in response

    late = window_decision(
        channel=Channel.MESSENGER,
        last_customer_message_at=now - timedelta(days=3),
        now=now,
        human_agent=True,
    )
    tagged = load_fixture("send__messenger_human_agent.json")
    assert tagged["messaging_type"] == late.messaging_type == MessagingType.MESSAGE_TAG
    assert tagged["tag"] == late.tag

    closed = window_decision(
        channel=Channel.WHATSAPP,
        last_customer_message_at=now - timedelta(days=2),
        now=now,
        human_agent=True,
    )
    template = load_fixture("send__whatsapp_template.json")
    assert closed.verdict is WindowVerdict.TEMPLATE_ONLY
    assert template["type"] == "template"
    assert template["to"].startswith("+")  # without "+", Meta prepends the sender's country


# -- shapes the fixtures do not cover -------------------------------------------------------


def page(*items: dict[str, Any], section: str = "messaging", obj: str = "page") -> dict[str, Any]:
    entry_id = IG if obj == "instagram" else PAGE
    return {"object": obj, "entry": [{"id": entry_id, "time": 1767225600123, section: list(items)}]}


def inbound(**fields: Any) -> dict[str, Any]:
    return {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": 1767225600000, **fields}


def feed(value: dict[str, Any], time: int = 1767226400) -> dict[str, Any]:
    change = {"field": "feed", "value": value}
    return {"object": "page", "entry": [{"id": PAGE, "time": time, "changes": [change]}]}


def whatsapp(value: dict[str, Any], field: str = "messages") -> dict[str, Any]:
    value = {"messaging_product": "whatsapp", **value}
    value.setdefault(
        "metadata", {"display_phone_number": "15550783881", "phone_number_id": PHONE_ID}
    )
    change = {"field": field, "value": value}
    return {"object": "whatsapp_business_account", "entry": [{"id": "1022", "changes": [change]}]}


def wa_message(**fields: Any) -> dict[str, Any]:
    return {"from": WA_ID, "id": "wamid.X1", "timestamp": "1767226700", **fields}


def only(payload: dict[str, Any]) -> tuple[RawEvent, Event]:
    events = split_batch(payload)
    assert len(events) == 1, events
    return events[0], parse_event(events[0].body, events[0].kind)


def test_echo_is_separate_from_the_message_with_the_same_mid() -> None:
    message = {"mid": "m_1", "text": "Bonjour"}
    echo = {"mid": "m_1", "text": "Bonjour", "is_echo": True, "app_id": 1517, "metadata": "out-42"}
    raw_in, _ = only(page(inbound(message=message)))
    raw_echo, event = only(
        page({"sender": {"id": PAGE}, "recipient": {"id": PSID}, "timestamp": 1, "message": echo})
    )
    assert raw_echo.kind == "echo"
    assert raw_echo.idempotency_key == "echo:m_1" != raw_in.idempotency_key
    assert isinstance(event, MessageEcho)
    assert (event.sender_id, event.recipient_id) == (PAGE, PSID)
    assert (event.app_id, event.metadata, event.is_echo) == ("1517", "out-42", True)
    with pytest.raises(PayloadError):
        parse_event(raw_echo.body, "message")
    with pytest.raises(PayloadError):
        parse_event(raw_in.body, "echo")


def test_message_details_reply_quick_reply_and_ad_referral() -> None:
    message = {
        "mid": "m_2",
        "text": "Oui",
        "reply_to": {"mid": "m_1"},
        "quick_reply": {"payload": "YES"},
        "referral": {"source": "ADS", "type": "OPEN_THREAD", "ad_id": 6045246247433},
    }
    _, event = only(page(inbound(message=message)))
    assert isinstance(event, MessageReceived)
    assert (event.reply_to, event.quick_reply_payload) == ("m_1", "YES")
    assert event.referral is not None
    assert (event.referral.source, event.referral.ad_id, event.referral.ref) == (
        "ADS",
        "6045246247433",
        None,
    )
    assert event.referral.sender_id == PSID


def test_location_attachment_becomes_a_geo_uri() -> None:
    location = {"type": "location", "payload": {"coordinates": {"lat": 48.85, "long": 2.35}}}
    fallback = {"type": "fallback", "url": "https://example.org/share", "payload": None}
    message = {"mid": "m_3", "attachments": [location, fallback, {"no": "type"}, "junk"]}
    _, event = only(page(inbound(message=message)))
    assert isinstance(event, MessageReceived)
    assert event.attachments == (
        Attachment(type="location", url="geo:48.85,2.35"),
        Attachment(type="fallback", url="https://example.org/share"),
    )
    assert event.message_type == "location"


def test_mme_referral_on_an_existing_thread() -> None:
    referral = {"ref": "LINK-CODE_123", "source": "SHORTLINK", "type": "OPEN_THREAD"}
    raw, event = only(page(inbound(referral=referral)))
    assert raw.kind == "referral"
    assert raw.idempotency_key == f"referral:{PAGE}:{PSID}:1767225600000:LINK-CODE_123"
    assert event == Referral(
        **MESSENGER,
        occurred_at=ms(1767225600000),
        sender_id=PSID,
        ref="LINK-CODE_123",
        source="SHORTLINK",
        type="OPEN_THREAD",
    )


def test_get_started_postback_carries_the_link_referral() -> None:
    postback = {
        "title": "Démarrer",
        "payload": "GET_STARTED",
        "referral": {"ref": "CODE42", "source": "SHORTLINK", "type": "OPEN_THREAD"},
    }
    raw, event = only(page(inbound(postback=postback)))
    assert isinstance(event, Postback)
    assert event.referral is not None
    assert event.referral.ref == "CODE42"
    # No mid (older postbacks): account, sender and timestamp make the key.
    assert raw.idempotency_key == f"postback:{PAGE}:{PSID}:1767225600000"


def test_standby_events_are_flagged() -> None:
    message = inbound(message={"mid": "m_4", "text": "Allô ?"})
    standby_postback = inbound(postback={"title": "Menu"})
    events = split_batch(page(message, standby_postback, section="standby"))
    parsed = [parse_event(e.body, e.kind) for e in events]
    assert isinstance(parsed[0], MessageReceived)
    assert parsed[0].standby
    assert isinstance(parsed[1], Postback)
    assert parsed[1].standby
    assert parsed[1].payload is None  # Meta strips it on standby


def test_instagram_messaging_seen_uses_the_mid() -> None:
    seen = {
        "sender": {"id": IGSID},
        "recipient": {"id": IG},
        "timestamp": 1767226500999,
        "read": {"mid": "aWdfZAG1_seen"},
    }
    raw, event = only(page(seen, obj="instagram"))
    assert raw.idempotency_key == f"read:{IG}:{IGSID}:mid:aWdfZAG1_seen"
    assert isinstance(event, Read)
    assert (event.mid, event.watermark, event.channel) == (
        "aWdfZAG1_seen",
        None,
        Channel.INSTAGRAM_DM,
    )


def test_delivery_without_mids() -> None:
    raw, event = only(page(inbound(delivery={"watermark": 1767225699000})))
    assert isinstance(event, Delivery)
    assert event.mids == ()
    assert raw.idempotency_key.startswith(f"delivery:{PAGE}:{PSID}:1767225699000:")


def test_delivery_key_ignores_mids_order() -> None:
    one = only(page(inbound(delivery={"watermark": 5_000_000_000_000, "mids": ["m_a", "m_b"]})))
    two = only(page(inbound(delivery={"watermark": 5_000_000_000_000, "mids": ["m_b", "m_a"]})))
    assert one[0].idempotency_key == two[0].idempotency_key


def test_deliveries_of_two_customers_with_one_watermark_do_not_collide() -> None:
    first = inbound(delivery={"watermark": 1767225699000})
    second = {**first, "sender": {"id": "999"}}
    keys = {e.idempotency_key for e in split_batch(page(first, second))}
    assert len(keys) == 2


@pytest.mark.parametrize(
    ("fields", "raw_kind", "key"),
    [
        ({"message": {"mid": "m_5", "is_deleted": True}}, "message_deleted", "message_deleted:m_5"),
        (
            {"message_edit": {"mid": "m_5", "text": "corrigé", "num_edit": 2}},
            "message_edit",
            "message_edit:m_5:2",
        ),
        (
            {"reaction": {"mid": "m_5", "action": "react", "emoji": "👍"}},
            "reaction",
            "reaction:m_5:react:1767225600000",
        ),
    ],
)
def test_recognised_but_unmodelled_events(fields: dict[str, Any], raw_kind: str, key: str) -> None:
    raw, event = only(page(inbound(**fields)))
    assert (raw.kind, raw.idempotency_key) == (raw_kind, key)
    assert isinstance(event, Unknown)
    assert event.raw_kind == raw_kind
    assert event.account_external_id == PAGE
    assert event.occurred_at == ms(1767225600000)


def test_dashboard_test_delivery_wrapped_in_changes() -> None:
    """The App Dashboard "Test" button wraps a messaging item as changes[]{field, value}."""
    value = {
        "sender": {"user_ref": "user-ref-1"},
        "recipient": {"id": PAGE},
        "timestamp": "1767225600",
        "postback": {"title": "Test", "payload": "TEST", "mid": "m_test"},
    }
    raw, event = only(page({"field": "messaging_postbacks", "value": value}, section="changes"))
    assert raw.kind == "postback"
    assert isinstance(event, Postback)
    assert event.sender_id == "user-ref-1"
    assert event.occurred_at == sec(1767225600)


def test_instagram_login_flat_entry_comment() -> None:
    """Business Login for Instagram: field/value directly on the entry, comment_id naming."""
    value = {"from": {"id": IG, "username": "ma.banque"}, "comment_id": "1789", "text": "Merci"}
    payload = {
        "object": "instagram",
        "entry": [{"id": IG, "time": 1767226600, "field": "comments", "value": value}],
    }
    raw, event = only(payload)
    assert raw.idempotency_key == "comments:1789"
    assert isinstance(event, CommentAdded)
    assert event.from_account  # our own reply: never answer it again
    assert event.parent_id is None
    assert not event.is_reply


@pytest.mark.parametrize(("verb", "unhidden"), [("hide", False), ("unhide", True)])
def test_feed_hide_and_unhide(verb: str, unhidden: bool) -> None:
    value = {"item": "comment", "verb": verb, "comment_id": "9_1", "post_id": "P_9", "is_hidden": 1}
    raw, event = only(feed(value))
    assert raw.kind == f"feed.comment.{verb}"
    assert raw.idempotency_key == f"feed.comment.{verb}:9_1:1767226400"
    assert isinstance(event, CommentHidden)
    assert event.unhidden is unhidden
    assert event.occurred_at == sec(1767226400)
    later, _ = only(feed(value, time=1767226999))
    assert later.idempotency_key != raw.idempotency_key  # hide, unhide, hide again


@pytest.mark.parametrize(
    ("verb", "kind"), [("edit", "feed.comment.edit"), ("delete", "feed.comment.remove")]
)
def test_feed_verb_synonyms(verb: str, kind: str) -> None:
    raw, _ = only(feed({"item": "comment", "verb": verb, "comment_id": "9_1", "message": "x"}))
    assert raw.kind == kind


def test_feed_legacy_sender_fields_and_own_comments() -> None:
    value = {
        "item": "comment",
        "verb": "add",
        "comment_id": "9_2",
        "post_id": f"{PAGE}_9",
        "parent_id": "9_1",
        "sender_id": PAGE,
        "sender_name": "Ma Banque",
        "created_time": "2026-01-01T00:06:40+0000",
        "message": "Bonjour, écrivez-nous en privé.",
        "photo": "https://scontent.example/photo.jpg",
    }
    _, event = only(feed(value))
    assert isinstance(event, CommentAdded)
    assert (event.author_id, event.author_name, event.from_account) == (PAGE, "Ma Banque", True)
    assert event.is_reply
    assert event.occurred_at == datetime(2026, 1, 1, 0, 6, 40, tzinfo=UTC)
    assert event.attachments == (
        Attachment(type="photo", url="https://scontent.example/photo.jpg"),
    )


def test_feed_items_other_than_comments_are_stored_as_unknown() -> None:
    value = {"item": "reaction", "verb": "add", "post_id": "P_1", "reaction_type": "like"}
    raw, event = only(feed(value))
    assert raw.kind == "feed.reaction.add"
    assert raw.idempotency_key.startswith("feed.reaction.add:sha256:")
    assert isinstance(event, Unknown)
    assert event.raw_kind == "feed.reaction.add"


def test_whatsapp_media_message() -> None:
    image = {"id": "media-1", "mime_type": "image/jpeg", "sha256": "abc", "caption": "Mon RIB ?"}
    _, event = only(whatsapp({"messages": [wa_message(type="image", image=image)]}))
    assert isinstance(event, MessageReceived)
    assert event.text == "Mon RIB ?"
    assert event.message_type == "image"
    assert event.attachments == (
        Attachment(type="image", media_id="media-1", mime_type="image/jpeg"),
    )


@pytest.mark.parametrize(
    ("fields", "text", "payload", "reply_to"),
    [
        ({"type": "button", "button": {"text": "Oui", "payload": "P_YES"}}, "Oui", "P_YES", None),
        (
            {
                "type": "interactive",
                "interactive": {"button_reply": {"id": "b1", "title": "Agence"}},
            },
            "Agence",
            "b1",
            None,
        ),
        (
            {"type": "interactive", "interactive": {"list_reply": {"id": "l2", "title": "Carte"}}},
            "Carte",
            "l2",
            None,
        ),
        (
            {"type": "reaction", "reaction": {"message_id": "wamid.OUT", "emoji": "🙏"}},
            "🙏",
            None,
            "wamid.OUT",
        ),
        ({"type": "reaction", "reaction": {"message_id": "wamid.OUT"}}, None, None, "wamid.OUT"),
        (
            {
                "type": "text",
                "text": {"body": "et donc ?"},
                "context": {"from": "1555", "id": "wamid.PREV"},
            },
            "et donc ?",
            None,
            "wamid.PREV",
        ),
        ({"type": "unsupported", "errors": [{"code": 131051}]}, None, None, None),
        ({"type": 12}, None, None, None),
    ],
)
def test_whatsapp_message_types(
    fields: dict[str, Any], text: str | None, payload: str | None, reply_to: str | None
) -> None:
    _, event = only(whatsapp({"messages": [wa_message(**fields)]}))
    assert isinstance(event, MessageReceived)
    assert (event.text, event.quick_reply_payload, event.reply_to) == (text, payload, reply_to)


def test_whatsapp_location() -> None:
    location = {
        "latitude": 48.8566,
        "longitude": 2.3522,
        "name": "Agence Opéra",
        "address": "Paris",
    }
    _, event = only(whatsapp({"messages": [wa_message(type="location", location=location)]}))
    assert isinstance(event, MessageReceived)
    assert event.text == "Agence Opéra — Paris"
    assert event.attachments == (Attachment(type="location", url="geo:48.8566,2.3522"),)


def test_whatsapp_click_to_chat_prefilled_ref() -> None:
    text = f"Bonjour, je souhaite parler à mon conseiller ({format_prefilled_ref('K7Q2M9XD')})"
    message = wa_message(type="text", text={"body": text})
    _, event = only(whatsapp({"messages": [message]}))
    assert isinstance(event, MessageReceived)
    assert event.referral == Referral(
        **WHATSAPP,
        occurred_at=sec(1767226700),
        sender_id=WA_ID,
        ref="K7Q2M9XD",
        source="CLICK_TO_CHAT",
        type="PREFILLED_TEXT",
    )


def test_whatsapp_click_to_whatsapp_ad_referral() -> None:
    referral = {"source_url": "https://fb.me/x", "source_id": "120", "source_type": "ad"}
    message = wa_message(type="text", text={"body": "Bonjour"}, referral=referral)
    _, event = only(whatsapp({"messages": [message]}))
    assert isinstance(event, MessageReceived)
    assert event.referral is not None
    assert (event.referral.source, event.referral.type, event.referral.ad_id) == (
        "ADS",
        "CLICK_TO_WHATSAPP",
        "120",
    )
    assert event.referral.ref is None


def test_whatsapp_batch_matches_each_sender_to_their_contact() -> None:
    contacts = [
        {"profile": {"name": "Jane"}, "wa_id": WA_ID},
        {"profile": {"name": "Paul"}, "wa_id": "33600000000"},
    ]
    messages = [
        wa_message(id="wamid.A", type="text", text={"body": "a"}),
        wa_message(id="wamid.B", **{"from": "33600000000"}, type="text", text={"body": "b"}),
    ]
    events = split_batch(whatsapp({"contacts": contacts, "messages": messages}))
    names = {e.idempotency_key: parse_event(e.body, e.kind).sender_name for e in events}  # type: ignore[union-attr]
    assert names == {"wa.message:wamid.A": "Jane", "wa.message:wamid.B": "Paul"}


@pytest.mark.parametrize("status", ["sent", "delivered", "read", "played", "failed"])
def test_whatsapp_every_status(status: str) -> None:
    item = {"id": "wamid.S", "status": status, "timestamp": 1767226760, "recipient_id": WA_ID}
    item["biz_opaque_callback_data"] = "outbound-7"
    raw, event = only(whatsapp({"statuses": [item]}))
    assert raw.idempotency_key == f"wa.status:wamid.S:{status}"
    assert isinstance(event, WhatsAppStatus)
    assert event.status == status
    assert event.callback_data == "outbound-7"


def test_whatsapp_unknown_status_is_kept_as_unknown() -> None:
    item = {"id": "wamid.S", "status": "deleted", "timestamp": "1767226760"}
    raw, event = only(whatsapp({"statuses": [item]}))
    assert raw.kind == "unknown"
    assert raw.body["reason"].startswith("unparseable wa.status")
    assert isinstance(event, Unknown)


def test_whatsapp_value_errors_and_other_fields() -> None:
    errors = [{"code": 130429, "title": "Rate limit hit"}]
    raw, event = only(whatsapp({"errors": errors}))
    assert raw.kind == "wa.error"
    assert isinstance(event, Unknown)
    assert event.account_external_id == PHONE_ID
    raw, event = only(whatsapp({"event": "APPROVED"}, field="message_template_status_update"))
    assert raw.kind == "unknown"


def test_whatsapp_without_phone_number_id_is_unknown() -> None:
    raw, _ = only(whatsapp({"metadata": {}, "messages": [wa_message(type="text")]}))
    assert raw.kind == "unknown"
    assert raw.account_external_id == "1022"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"object": "page"},
        {"object": "user", "entry": [{"id": "1", "changes": []}]},
        {"object": "page", "entry": "nope"},
        {"object": ["page"], "entry": []},
    ],
)
def test_unrecognised_payloads_are_kept(payload: dict[str, Any]) -> None:
    raw, event = only(payload)
    assert raw.kind == "unknown"
    assert raw.body["reason"] == "unrecognised_payload"
    assert raw.idempotency_key.startswith("unknown:")
    assert isinstance(event, Unknown)


@pytest.mark.parametrize(
    "entry",
    [
        "not an entry",
        {"id": PAGE, "time": 1},
        {"id": PAGE, "messaging": "nope"},
        {"id": PAGE, "messaging": [None, 3, {"sender": {"id": "1"}}]},
        {
            "id": PAGE,
            "changes": [{"field": "feed", "value": "x"}, {"field": "ratings", "value": {}}],
        },
        {"id": PAGE, "messaging": [{"message": {"text": "no mid"}, "sender": {"id": "1"}}]},
    ],
)
def test_unrecognised_parts_become_unknown_events(entry: object) -> None:
    events = split_batch({"object": "page", "entry": [entry]})
    assert events
    for event in events:
        assert event.kind == "unknown"
        assert event.body["reason"] != "internal_error"
        assert isinstance(parse_event(event.body, event.kind), Unknown)


def test_empty_batches_give_nothing() -> None:
    assert split_batch({"object": "page", "entry": []}) == []
    assert split_batch({"object": "page", "entry": [{"id": PAGE, "messaging": []}]}) == []


def test_unknown_keys_are_stable_and_content_addressed() -> None:
    first = split_batch({"object": "page", "entry": [{"id": PAGE, "mystery": [1, 2]}]})
    again = split_batch({"entry": [{"mystery": [1, 2], "id": PAGE}], "object": "page"})
    other = split_batch({"object": "page", "entry": [{"id": PAGE, "mystery": [2, 1]}]})
    assert first[0].idempotency_key == again[0].idempotency_key
    assert first[0].idempotency_key != other[0].idempotency_key


def test_duplicates_within_one_batch_are_collapsed() -> None:
    item = inbound(message={"mid": "m_dup", "text": "deux fois"})
    assert len(split_batch(page(item, copy.deepcopy(item)))) == 1


@pytest.mark.parametrize("payload", [None, [], "page", 3, b"{}", ["object", "page"]])
def test_non_object_payload_is_a_payload_error(payload: Any) -> None:
    with pytest.raises(PayloadError):
        split_batch(payload)


def test_keys_are_prefixed_bounded_and_hashed_when_long() -> None:
    long_mid = "m_" + "a" * 600
    raw, event = only(page(inbound(message={"mid": long_mid, "text": "long"})))
    assert raw.idempotency_key == "message:sha256:" + raw.idempotency_key.split(":")[-1]
    assert len(raw.idempotency_key) <= MAX_KEY_LENGTH
    assert isinstance(event, MessageReceived)
    assert event.message_id == long_mid
    too_long, _ = only(page(inbound(message={"mid": "m" * 5000, "text": "x"})))
    assert too_long.kind == "unknown"


def test_same_identifier_in_different_kinds_never_collides() -> None:
    same = "17867301270523379"
    payloads = [
        page(inbound(message={"mid": same, "text": "a"})),
        page(inbound(postback={"mid": same, "payload": "P"})),
        whatsapp({"messages": [wa_message(id=same, type="text", text={"body": "b"})]}),
        whatsapp({"statuses": [{"id": same, "status": "sent", "timestamp": "1767226760"}]}),
        {
            "object": "instagram",
            "entry": [
                {"id": IG, "time": 1, "changes": [{"field": "comments", "value": {"id": same}}]}
            ],
        },
        feed({"item": "comment", "verb": "add", "comment_id": same, "created_time": 1}),
    ]
    keys = [only(payload)[0].idempotency_key for payload in payloads]
    assert len(set(keys)) == len(keys)
    assert all(key.endswith((same, f"{same}:sent")) for key in keys)


def test_numeric_ids_become_strings() -> None:
    item = {"sender": {"id": 7291038475610293}, "recipient": {"id": int(PAGE)}, "timestamp": 1}
    _, event = only(page({**item, "message": {"mid": "m_n", "text": "x"}}))
    assert isinstance(event, MessageReceived)
    assert (event.sender_id, event.recipient_id) == (PSID, PAGE)


def test_hostile_strings_are_cleaned_for_storage() -> None:
    text = "nul\x00 byte and lone \ud800 surrogate"
    raw, event = only(page(inbound(message={"mid": "m_s", "text": text})))
    encoded = json.dumps(raw.body, ensure_ascii=False, allow_nan=False).encode("utf-8")
    assert b"\x00" not in encoded
    assert isinstance(event, MessageReceived)
    assert event.text is not None
    assert "\x00" not in event.text


def test_every_produced_kind_is_documented() -> None:
    assert {"message", "echo", "delivery", "read", "postback", "referral", "comments"} <= KINDS
    assert {"feed.comment.add", "wa.message", "wa.status", "unknown"} <= KINDS


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ({"object": "page"}, "nonsense"),
        ({"object": "page"}, "message"),
        ({"object": "page", "event": {}}, "message"),
        ({"object": "whatsapp_business_account"}, "wa.message"),
        ({"object": "page", "value": {"item": "comment"}}, "feed.comment.add"),
        (
            {"object": "instagram", "value": {"item": "comment", "comment_id": "1"}},
            "feed.comment.add",
        ),
        ({"object": "page", "value": {"id": "1"}, "entry_id": "1", "entry_time": 1}, "comments"),
    ],
)
def test_parse_event_refuses_what_it_cannot_parse(body: dict[str, Any], kind: str) -> None:
    with pytest.raises(PayloadError):
        parse_event(body, kind)


@pytest.mark.parametrize(("body", "kind"), [([], "message"), ("x", "unknown"), ({}, None), ({}, 3)])
def test_parse_event_refuses_wrong_types(body: Any, kind: Any) -> None:
    with pytest.raises(PayloadError):
        parse_event(body, kind)


# -- load_payload ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"not json",
        b"[]",
        b'"page"',
        b"null",
        b'{"a": NaN}',
        b'{"a": Infinity}',
        b"\xff\xfe{",
        b"[" * 200_000 + b"]" * 200_000,
    ],
)
def test_load_payload_refuses_non_objects(raw: bytes) -> None:
    with pytest.raises(PayloadError):
        load_payload(raw)


def test_load_payload_accepts_utf8_and_escapes() -> None:
    assert load_payload('{"t": "Débit refusé"}'.encode()) == {"t": "Débit refusé"}
    assert load_payload(b'{"t": "D\\u00e9bit"}') == {"t": "Débit"}


# -- timestamps and prefilled references ------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1767225599876, ms(1767225599876)),  # Messenger / Instagram: milliseconds
        (1767226700, sec(1767226700)),  # feed created_time: seconds
        ("1767226700", sec(1767226700)),  # WhatsApp: seconds as a string
        ("1767225599876", ms(1767225599876)),
        (" 1767226700 ", sec(1767226700)),
        (1767226700.5, sec(1767226700) + timedelta(milliseconds=500)),
        ("1767226700.25", sec(1767226700) + timedelta(milliseconds=250)),
        (1767225599876123, ms(1767225599876) + timedelta(microseconds=123)),
        (0, sec(0)),
        (99_999_999_999, sec(99_999_999_999)),  # the last value read as seconds
        (100_000_000_000, ms(100_000_000_000)),  # the first read as milliseconds
        ("2026-01-01T00:06:40+0000", datetime(2026, 1, 1, 0, 6, 40, tzinfo=UTC)),
        ("2026-01-01T00:06:40Z", datetime(2026, 1, 1, 0, 6, 40, tzinfo=UTC)),
        ("2026-01-01T01:06:40+01:00", datetime(2026, 1, 1, 0, 6, 40, tzinfo=UTC)),
        ("2026-01-01T00:06:40", datetime(2026, 1, 1, 0, 6, 40, tzinfo=UTC)),
        (datetime(2026, 1, 1), datetime(2026, 1, 1, tzinfo=UTC)),  # naive on purpose
        (
            datetime(2026, 1, 1, 1, tzinfo=timezone(timedelta(hours=1))),
            datetime(2026, 1, 1, tzinfo=UTC),
        ),
    ],
)
def test_normalise_timestamp(value: object, expected: datetime) -> None:
    result = normalise_timestamp(value)
    assert result == expected
    assert result.tzinfo is UTC


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        -1,
        "-1767226700",
        float("nan"),
        float("inf"),
        10**17,
        pytest.param(10**400, id="huge-int"),
        "",
        "soon",
        "2026-13-01T00:00:00",
        "1" * 5000,
        [1767226700],
        {"t": 1},
    ],
)
def test_normalise_timestamp_refuses(value: object) -> None:
    with pytest.raises(PayloadError):
        normalise_timestamp(value)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ref:K7Q2M9XD", "K7Q2M9XD"),
        ("Bonjour (REF:abcd_12-Z) merci", "abcd_12-Z"),
        ("ref:FIRST puis ref:SECOND", "FIRST"),
        ("xref:K7Q2M9XD", None),
        ("ref:abc", None),  # too short
        ("ref:" + "a" * 65, None),  # too long
        ("ref: K7Q2M9XD", None),
        ("", None),
        (None, None),
    ],
)
def test_extract_prefilled_ref(text: str | None, code: str | None) -> None:
    assert extract_prefilled_ref(text) == code


@pytest.mark.parametrize("code", ["abc", "a b c d", "é" * 8, "a" * 65, ""])
def test_format_prefilled_ref_refuses_bad_codes(code: str) -> None:
    with pytest.raises(ValueError, match="linking code"):
        format_prefilled_ref(code)
