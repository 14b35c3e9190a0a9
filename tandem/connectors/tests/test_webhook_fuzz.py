"""Hostile webhook bodies never give a 5xx and never crash processing."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.connectors.meta.signatures import sign
from tandem.connectors.meta.webhooks import webhook_event_process
from tandem.connectors.models import EventStatus, WebhookEvent
from tandem.connectors.tests.helpers import fixture

pytestmark = pytest.mark.django_db

SECRET = "test-app-secret"
IDS = st.sampled_from(["104857392817465", "17841400000000001", "106540352242922", "0", "", "x"])
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
    IDS,
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.sampled_from(
                [
                    "id",
                    "time",
                    "messaging",
                    "changes",
                    "value",
                    "field",
                    "sender",
                    "recipient",
                    "message",
                    "mid",
                    "text",
                    "timestamp",
                    "statuses",
                    "messages",
                    "entry",
                    "object",
                    "from",
                    "comment_id",
                    "verb",
                    "item",
                    "delivery",
                    "read",
                    "watermark",
                    "postback",
                    "referral",
                ]
            )
            | st.text(max_size=8),
            children,
            max_size=5,
        ),
    ),
    max_leaves=25,
)
OBJECTS = st.sampled_from(["page", "instagram", "whatsapp_business_account", "user", 3, None])


def mutate(payload, data):
    """Replace one random path of a real fixture with an arbitrary value."""
    node = payload
    for _ in range(data.draw(st.integers(0, 6))):
        if isinstance(node, dict) and node:
            key = data.draw(st.sampled_from(sorted(node, key=str)))
            if isinstance(node[key], dict | list) and data.draw(st.booleans()):
                node = node[key]
                continue
            node[key] = data.draw(json_values)
            return payload
        if isinstance(node, list) and node:
            index = data.draw(st.integers(0, len(node) - 1))
            if isinstance(node[index], dict | list):
                node = node[index]
                continue
            node[index] = data.draw(json_values)
            return payload
    return payload


FIXTURE_NAMES = [
    "page__message_text.json",
    "page__batched_delivery_read.json",
    "page__feed_comment_edit_remove_hide.json",
    "instagram__comment.json",
    "whatsapp__statuses.json",
    "whatsapp__message_text.json",
    "page__postback.json",
    "page__message_attachment.json",
]


def post(client, raw: bytes, signature: str | None = None):
    return client.post(
        "/webhooks/meta",
        data=raw,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature or sign(raw, SECRET)},
    )


def process_everything():
    for event_id in WebhookEvent.objects.filter(
        status__in=[EventStatus.PENDING, EventStatus.RETRYING]
    ).values_list("pk", flat=True):
        outcome = webhook_event_process(event_id=event_id)
        assert outcome in {"processed", "retrying", "parked", "not-due"}


FUZZ = settings(
    max_examples=700,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


@FUZZ
@given(data=st.data())
def test_mutated_fixtures_never_5xx(client, accounts, data):
    payload = mutate(fixture(data.draw(st.sampled_from(FIXTURE_NAMES))), data)
    raw = json.dumps(payload, ensure_ascii=data.draw(st.booleans())).encode()
    response = post(client, raw)
    assert response.status_code in (200, 400)
    process_everything()


@FUZZ
@given(body=json_values, obj=OBJECTS)
def test_arbitrary_json_never_5xx(client, accounts, body, obj):
    payload = {"object": obj, "entry": body} if isinstance(body, list) else body
    response = post(client, json.dumps(payload).encode())
    assert response.status_code in (200, 400)
    process_everything()


@FUZZ
@given(raw=st.binary(max_size=2000))
def test_arbitrary_bytes_never_5xx(client, raw):
    assert post(client, raw).status_code in (200, 400)
    assert post(client, raw, signature="sha256=" + "ab" * 32).status_code == 403


def test_deep_nesting_and_huge_strings(client, accounts):
    deep = "[" * 100_000 + "]" * 100_000
    assert post(client, deep.encode()).status_code == 400
    nested = {
        "object": "page",
        "entry": [
            {
                "id": "104857392817465",
                "time": 1,
                "messaging": [
                    {
                        "sender": {"id": "1"},
                        "recipient": {"id": "104857392817465"},
                        "timestamp": 1,
                        "message": {"mid": "m_huge", "text": "é" * 300_000},
                    }
                ],
            }
        ],
    }
    assert post(client, json.dumps(nested).encode()).status_code == 200
    deep_object = '{"object": "page", "entry": ' + '{"entry": ' * 5000 + "{}" + "}" * 5001
    assert post(client, deep_object.encode()).status_code in (200, 400)
    process_everything()


def test_invalid_utf8_inside_json_is_refused(client):
    raw = b'{"object": "page", "entry": [{"id": "\xff\xfe"}]}'
    assert post(client, raw).status_code == 400
