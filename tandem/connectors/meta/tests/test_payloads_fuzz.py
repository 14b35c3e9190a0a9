"""Hostile input: split_batch and parse_event raise nothing but PayloadError, ever.

Two generators: arbitrary JSON-like values, and Meta-shaped payloads whose every field may be
missing, of the wrong type, deeply nested or huge. The second reaches the code paths the first
almost never does.
"""

from __future__ import annotations

import json
import time
from datetime import UTC
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.connectors.meta.events import Unknown
from tandem.connectors.meta.payloads import (
    KINDS,
    MAX_KEY_LENGTH,
    PayloadError,
    RawEvent,
    load_payload,
    parse_event,
    split_batch,
)

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HOSTILE_STRINGS = [
    "",
    "\x00",
    "\ud800",  # lone surrogate
    "nul\x00inside",
    "é" * 3,
    "🙂",
    "sha256:" + "a" * 64,
    "a:b:c",
    "ref:ABCD1234",
    "1767226700",
    "1767225600123",
    "2026-01-01T00:06:40+0000",
    "-1",
    "NaN",
    "x" * 300,
]
META_WORDS = [
    "page",
    "instagram",
    "whatsapp_business_account",
    "feed",
    "comments",
    "live_comments",
    "messages",
    "messaging_postbacks",
    "comment",
    "post",
    "reaction",
    "add",
    "edit",
    "edited",
    "remove",
    "delete",
    "hide",
    "unhide",
    "text",
    "image",
    "button",
    "interactive",
    "location",
    "sent",
    "delivered",
    "read",
    "failed",
    "played",
    "standby",
    "ad",
]
META_KEYS = [
    "object",
    "entry",
    "id",
    "time",
    "messaging",
    "standby",
    "changes",
    "field",
    "value",
    "sender",
    "recipient",
    "timestamp",
    "message",
    "mid",
    "text",
    "is_echo",
    "is_deleted",
    "attachments",
    "type",
    "payload",
    "url",
    "delivery",
    "mids",
    "watermark",
    "read",
    "postback",
    "referral",
    "ref",
    "source",
    "message_edit",
    "reaction",
    "metadata",
    "phone_number_id",
    "messages",
    "statuses",
    "errors",
    "contacts",
    "wa_id",
    "profile",
    "name",
    "from",
    "status",
    "recipient_id",
    "item",
    "verb",
    "comment_id",
    "post_id",
    "parent_id",
    "created_time",
    "edited_time",
    "media",
    "username",
    "context",
    "button_reply",
    "list_reply",
    "latitude",
    "longitude",
    "caption",
    "reply_to",
    "quick_reply",
    "coordinates",
    "error_data",
    "details",
    "code",
    "title",
    "user_ref",
    "app_id",
    "num_edit",
    "emoji",
    "message_id",
    "source_type",
    "source_id",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=0, max_value=10**18),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(HOSTILE_STRINGS),
    st.sampled_from(META_WORDS),
)
keys = st.one_of(st.sampled_from(META_KEYS), st.text(max_size=8))
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=5),
    ),
    max_leaves=25,
)


def mostly(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Usually ``valid``, sometimes any JSON value: deep code paths need sane envelopes."""
    return st.one_of(valid, valid, valid, valid, json_values)


ids = mostly(
    st.one_of(
        st.sampled_from(["104857392817465", "17841400000000001", "7291038475610293", "m_1"]),
        st.integers(min_value=-5, max_value=10**20),
        st.text(alphabet="abc_=:", min_size=1, max_size=8),
    )
)
times = mostly(
    st.one_of(
        st.sampled_from([1767225600123, 1767226700, "1767226700", "2026-01-01T00:06:40+0000"]),
        st.integers(min_value=-10, max_value=10**18),
        st.floats(),
    )
)
texts = mostly(st.one_of(st.text(max_size=30), st.sampled_from(HOSTILE_STRINGS)))
words = mostly(st.sampled_from(META_WORDS))


def maybe(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A dict in which every field may be missing."""
    return st.fixed_dictionaries({}, optional=fields)


party = mostly(maybe(id=ids, user_ref=ids))
inner = mostly(
    maybe(
        mid=ids,
        text=texts,
        is_echo=mostly(st.booleans()),
        is_deleted=mostly(st.booleans()),
        attachments=mostly(st.lists(maybe(type=words, payload=json_values, url=texts), max_size=3)),
        watermark=times,
        mids=mostly(st.lists(ids, max_size=3)),
        payload=texts,
        title=texts,
        ref=texts,
        source=texts,
        referral=mostly(maybe(ref=texts, source=texts, type=texts, ad_id=ids)),
        reply_to=mostly(maybe(mid=ids)),
        quick_reply=mostly(maybe(payload=texts)),
        num_edit=json_values,
        action=texts,
    )
)
messaging_item = mostly(
    maybe(
        sender=party,
        recipient=party,
        timestamp=times,
        message=inner,
        delivery=inner,
        read=inner,
        postback=inner,
        referral=inner,
        message_edit=inner,
        reaction=inner,
    )
)
wa_message = mostly(
    maybe(
        id=ids,
        timestamp=times,
        type=mostly(st.sampled_from(["text", "image", "button", "interactive", "location"])),
        text=mostly(maybe(body=texts)),
        image=mostly(maybe(id=ids, caption=texts, mime_type=texts)),
        button=mostly(maybe(text=texts, payload=texts)),
        interactive=mostly(maybe(button_reply=maybe(id=ids, title=texts))),
        location=mostly(maybe(latitude=json_values, longitude=json_values, name=texts)),
        reaction=mostly(maybe(message_id=ids, emoji=texts)),
        context=mostly(maybe(id=ids)),
        referral=mostly(maybe(source_type=texts, source_id=ids)),
        **{"from": ids},
    )
)
wa_status = mostly(
    maybe(
        id=ids,
        status=mostly(st.sampled_from(["sent", "delivered", "read", "failed", "played", "x"])),
        timestamp=times,
        recipient_id=ids,
        biz_opaque_callback_data=texts,
        errors=mostly(st.lists(maybe(code=json_values, title=texts), max_size=2)),
    )
)
change_value = mostly(
    maybe(
        item=mostly(st.sampled_from(["comment", "post", "reaction", "status"])),
        verb=mostly(st.sampled_from(["add", "edit", "edited", "remove", "delete", "hide"])),
        comment_id=ids,
        id=ids,
        post_id=ids,
        parent_id=ids,
        created_time=times,
        edited_time=times,
        message=texts,
        text=texts,
        sender_id=ids,
        sender_name=texts,
        media=mostly(maybe(id=ids)),
        photo=texts,
        metadata=mostly(maybe(phone_number_id=ids)),
        contacts=mostly(st.lists(maybe(wa_id=ids, profile=maybe(name=texts)), max_size=2)),
        messages=mostly(st.lists(wa_message, max_size=3)),
        statuses=mostly(st.lists(wa_status, max_size=3)),
        errors=json_values,
        # A messaging item wrapped by the dashboard's "Test" button:
        sender=party,
        recipient=party,
        timestamp=times,
        postback=inner,
    )
)
change = mostly(
    maybe(
        field=mostly(
            st.sampled_from(["feed", "comments", "messages", "messaging_postbacks", "ratings"])
        ),
        value=change_value,
    )
)
entry = mostly(
    maybe(
        id=ids,
        time=times,
        messaging=mostly(st.lists(messaging_item, max_size=3)),
        standby=mostly(st.lists(messaging_item, max_size=2)),
        changes=mostly(st.lists(change, max_size=3)),
        field=mostly(st.sampled_from(["comments", "feed"])),
        value=change_value,
    )
)
objects = mostly(st.sampled_from(["page", "instagram", "whatsapp_business_account"]))
meta_payloads = st.fixed_dictionaries(
    {"object": objects, "entry": mostly(st.lists(entry, max_size=3))}
)


# Valid payloads of every kind; ``mutated`` breaks them at random places.
_ITEM = {"sender": {"id": "7291"}, "recipient": {"id": "1048"}, "timestamp": 1767225600123}
_WA_TYPES = ("text", "image", "button", "interactive", "location", "reaction", "unsupported")
_WA_META = {"display_phone_number": "15550783881", "phone_number_id": "1065"}
TEMPLATES: list[dict[str, Any]] = [
    {
        "object": "page",
        "entry": [
            {
                "id": "1048",
                "time": 1767225600123,
                "messaging": [
                    {
                        **_ITEM,
                        "message": {
                            "mid": "m_1",
                            "text": "Bonjour",
                            "reply_to": {"mid": "m_0"},
                            "quick_reply": {"payload": "Q"},
                            "referral": {"source": "ADS", "type": "OPEN_THREAD", "ad_id": "9"},
                            "attachments": [
                                {"type": "image", "payload": {"url": "https://x/y.jpg"}},
                                {
                                    "type": "location",
                                    "payload": {"coordinates": {"lat": 1, "long": 2}},
                                },
                            ],
                        },
                    },
                    {**_ITEM, "message": {"mid": "m_2", "text": "echo", "is_echo": True}},
                    {**_ITEM, "message": {"mid": "m_3", "is_deleted": True}},
                    {**_ITEM, "delivery": {"mids": ["m_1"], "watermark": 1767225600000}},
                    {**_ITEM, "read": {"watermark": 1767225600000}},
                    {**_ITEM, "read": {"mid": "m_1"}},
                    {
                        **_ITEM,
                        "postback": {
                            "mid": "m_4",
                            "payload": "P",
                            "title": "T",
                            "referral": {"ref": "CODE", "source": "SHORTLINK"},
                        },
                    },
                    {
                        **_ITEM,
                        "referral": {"ref": "CODE", "source": "SHORTLINK", "type": "OPEN_THREAD"},
                    },
                    {**_ITEM, "message_edit": {"mid": "m_1", "text": "x", "num_edit": 1}},
                    {**_ITEM, "reaction": {"mid": "m_1", "action": "react", "emoji": "👍"}},
                ],
                "standby": [{**_ITEM, "postback": {"title": "Menu"}}],
            }
        ],
    },
    {
        "object": "page",
        "entry": [
            {
                "id": "1048",
                "time": 1767226400,
                "changes": [
                    {
                        "field": "feed",
                        "value": {
                            "from": {"id": "6543", "name": "Jane"},
                            "item": "comment",
                            "verb": verb,
                            "comment_id": "99_11",
                            "post_id": "1048_99",
                            "parent_id": "1048_99",
                            "created_time": 1767226000,
                            "edited_time": 1767226300,
                            "message": "Bonjour",
                            "photo": "https://x/p.jpg",
                        },
                    }
                    for verb in ("add", "edited", "remove", "hide", "unhide")
                ]
                + [{"field": "feed", "value": {"item": "post", "verb": "add", "post_id": "1"}}],
            }
        ],
    },
    {
        "object": "instagram",
        "entry": [
            {
                "id": "1784",
                "time": 1767226600,
                "changes": [
                    {
                        "field": "comments",
                        "value": {
                            "from": {"id": "1234", "username": "jane"},
                            "media": {"id": "1805", "media_product_type": "FEED"},
                            "id": "1786",
                            "parent_id": "1785",
                            "text": "Bonjour",
                        },
                    }
                ],
            },
            {"id": "1784", "time": 1767226600, "field": "comments", "value": {"comment_id": "7"}},
        ],
    },
    {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1022",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": _WA_META,
                            "contacts": [{"profile": {"name": "Jane"}, "wa_id": "1650"}],
                            "messages": [
                                {
                                    "from": "1650",
                                    "id": f"wamid.{kind}",
                                    "timestamp": "1767226700",
                                    "type": kind,
                                    "text": {"body": "ref:ABCD1234"},
                                    "image": {"id": "media", "caption": "c", "mime_type": "i/j"},
                                    "button": {"text": "Oui", "payload": "Y"},
                                    "interactive": {"list_reply": {"id": "l", "title": "L"}},
                                    "location": {"latitude": 1.5, "longitude": 2.5, "name": "A"},
                                    "reaction": {"message_id": "wamid.OUT", "emoji": "🙏"},
                                    "context": {"id": "wamid.PREV"},
                                    "referral": {"source_type": "ad", "source_id": "120"},
                                }
                                for kind in _WA_TYPES
                            ],
                            "statuses": [
                                {
                                    "id": "wamid.S",
                                    "status": status,
                                    "timestamp": "1767226760",
                                    "recipient_id": "1650",
                                    "errors": [{"code": 131047, "title": "Re-engagement"}],
                                }
                                for status in ("sent", "delivered", "read", "failed", "played")
                            ],
                            "errors": [{"code": 130429, "title": "Rate limit hit"}],
                        },
                    }
                ],
            }
        ],
    },
]


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside ``value`` (dict keys and list indexes)."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(paths(child, (*prefix, index)))
    return found


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    """A valid template with a few values replaced by junk or removed."""
    payload = json.loads(json.dumps(draw(st.sampled_from(TEMPLATES))))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        candidates = paths(payload)
        if not candidates:
            break
        path = draw(st.sampled_from(candidates))
        parent: Any = payload
        for step in path[:-1]:
            parent = parent[step] if isinstance(parent, dict | list) else None
        last = path[-1]
        if isinstance(parent, dict) and last in parent:
            if draw(st.booleans()):
                del parent[last]
            else:
                parent[last] = draw(json_values)
        elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
            parent[last] = draw(json_values)
    return payload


def test_templates_cover_every_kind() -> None:
    kinds = {event.kind for template in TEMPLATES for event in check_split(template)}
    assert "unknown" not in kinds
    assert kinds == KINDS - {"unknown"} | {"feed.post.add"}


@FUZZ
@given(payload=mutated())
def test_split_batch_on_mutated_valid_payloads(payload: dict[str, Any]) -> None:
    check_split(payload)


def is_kind(kind: str) -> bool:
    parts = kind.split(".")
    return kind in KINDS or (len(parts) == 3 and parts[0] == "feed")


def check_split(payload: Any) -> list[RawEvent]:
    """Every property split_batch promises, on one input."""
    before = repr(payload)
    try:
        events = split_batch(payload)
    except PayloadError:
        assert not isinstance(payload, dict)
        return []
    assert isinstance(payload, dict)
    assert repr(payload) == before, "split_batch must not modify its input"
    seen: set[str] = set()
    for event in events:
        assert isinstance(event, RawEvent)
        assert is_kind(event.kind), event.kind
        key = event.idempotency_key
        assert key.startswith(event.kind + ":")
        assert len(key) <= MAX_KEY_LENGTH
        assert key not in seen
        seen.add(key)
        assert event.body.get("reason") != "internal_error", event.body
        encoded = json.dumps(event.body, allow_nan=False, ensure_ascii=False)
        encoded.encode("utf-8")  # no lone surrogates
        assert "\x00" not in encoded
        assert isinstance(event.account_external_id, str)
        assert len(event.account_external_id) <= 255
        assert event.occurred_at is None or event.occurred_at.tzinfo is UTC
        parsed = parse_event(event.body, event.kind)  # guaranteed not to raise
        if event.kind == "unknown":
            assert isinstance(parsed, Unknown)
        else:
            assert parsed.occurred_at == event.occurred_at
    return events


@FUZZ
@given(payload=json_values)
def test_split_batch_on_arbitrary_json(payload: Any) -> None:
    check_split(payload)


@FUZZ
@given(payload=st.dictionaries(keys, json_values, max_size=4))
def test_split_batch_on_arbitrary_objects(payload: dict[str, Any]) -> None:
    check_split(payload)


@FUZZ
@given(payload=meta_payloads)
def test_split_batch_on_meta_shaped_payloads(payload: dict[str, Any]) -> None:
    first = check_split(payload)
    again = split_batch(json.loads(json.dumps(payload)) if _json_safe(payload) else payload)
    if _json_safe(payload):
        assert {e.idempotency_key for e in again} == {e.idempotency_key for e in first}


def _json_safe(value: Any) -> bool:
    try:
        return json.loads(json.dumps(value, allow_nan=False)) == value
    except (ValueError, TypeError):
        return False


@FUZZ
@given(
    body=st.one_of(
        json_values,
        maybe(
            object=objects,
            entry_id=ids,
            entry_time=times,
            field=st.one_of(st.sampled_from(["messaging", "standby", "feed"]), scalars),
            event=messaging_item,
            value=change_value,
            metadata=maybe(phone_number_id=ids),
            contacts=json_values,
            message=json_values,
            status=json_values,
        ),
    ),
    kind=st.one_of(st.sampled_from(sorted(KINDS)), st.text(max_size=20)),
)
def test_parse_event_raises_only_payload_errors(body: Any, kind: Any) -> None:
    try:
        event = parse_event(body, kind)
    except PayloadError:
        return
    assert event.occurred_at is None or event.occurred_at.tzinfo is UTC


@FUZZ
@given(raw=st.one_of(st.binary(max_size=200), json_values.map(lambda v: json.dumps(v).encode())))
def test_load_payload_raises_only_payload_errors(raw: bytes) -> None:
    try:
        decoded = load_payload(raw)
    except PayloadError:
        return
    assert isinstance(decoded, dict)
    check_split(decoded)


# -- explicit extremes ----------------------------------------------------------------------


def nested(depth: int, leaf: Any = "bottom") -> Any:
    """A list/dict structure ``depth`` levels deep, built without recursion."""
    value = leaf
    for level in range(depth):
        value = [value] if level % 2 else {"message": value, "mid": "m_deep"}
    return value


DEEP = 50_000


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda d: {"object": "page", "entry": [d]}, id="entry"),
        pytest.param(
            lambda d: {"object": "page", "entry": [{"id": "1", "messaging": [d]}]}, id="item"
        ),
        pytest.param(
            lambda d: {
                "object": "page",
                "entry": [
                    {
                        "id": "1",
                        "messaging": [
                            {
                                "sender": {"id": "2"},
                                "recipient": {"id": "1"},
                                "timestamp": 1767225600123,
                                "message": {"mid": "m_1", "text": d, "attachments": [d]},
                            }
                        ],
                    }
                ],
            },
            id="text",
        ),
        pytest.param(
            lambda d: {
                "object": "whatsapp_business_account",
                "entry": [
                    {"changes": [{"field": "messages", "value": {"metadata": d, "messages": [d]}}]}
                ],
            },
            id="whatsapp",
        ),
        pytest.param(lambda d: {"object": "page", "entry": [], "extra": d}, id="top"),
        pytest.param(lambda d: {"object": d, "entry": d}, id="object"),
    ],
)
def test_deep_nesting_is_survived(build: Any) -> None:
    started = time.monotonic()
    payload = build(nested(DEEP))
    events = split_batch(payload)
    for event in events:
        json.dumps(event.body)  # bounded depth: the encoder does not hit the recursion limit
        parse_event(event.body, event.kind)
        assert event.body.get("reason") != "internal_error"
    assert time.monotonic() - started < 5


HUGE = "é" * 5_000_000


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({"object": HUGE, "entry": []}, id="object"),
        pytest.param({"object": "page", "entry": [{"id": HUGE, "messaging": []}]}, id="entry-id"),
        pytest.param(
            {
                "object": "page",
                "entry": [
                    {
                        "id": "1",
                        "time": HUGE,
                        "messaging": [
                            {
                                "sender": {"id": HUGE},
                                "recipient": {"id": "1"},
                                "timestamp": 1767225600123,
                                "message": {"mid": HUGE, "text": HUGE},
                            },
                            {
                                "sender": {"id": "2"},
                                "recipient": {"id": "1"},
                                "timestamp": 1767225600123,
                                "message": {"mid": "m_ok", "text": HUGE},
                            },
                        ],
                    }
                ],
            },
            id="message",
        ),
        pytest.param({"object": "page", "entry": [{"id": "1", HUGE: HUGE}]}, id="key"),
    ],
)
def test_huge_strings_are_survived(payload: dict[str, Any]) -> None:
    started = time.monotonic()
    check_split(payload)
    assert time.monotonic() - started < 10


def test_huge_text_in_a_valid_message_is_kept_whole() -> None:
    payload = {
        "object": "page",
        "entry": [
            {
                "id": "1",
                "messaging": [
                    {
                        "sender": {"id": "2"},
                        "recipient": {"id": "1"},
                        "timestamp": 1767225600123,
                        "message": {"mid": "m_ok", "text": HUGE},
                    }
                ],
            }
        ],
    }
    (event,) = split_batch(payload)
    assert event.kind == "message"
    assert event.idempotency_key == "message:m_ok"
    assert parse_event(event.body, event.kind).text == HUGE  # type: ignore[union-attr]


def test_thousand_update_batch() -> None:
    """Meta batches up to 1000 updates per POST."""
    items = [
        {
            "sender": {"id": str(n)},
            "recipient": {"id": "1"},
            "timestamp": 1767225600123 + n,
            "message": {"mid": f"m_{n}", "text": "Bonjour"},
        }
        for n in range(1000)
    ]
    started = time.monotonic()
    events = split_batch({"object": "page", "entry": [{"id": "1", "messaging": items}]})
    assert len(events) == 1000
    assert {e.kind for e in events} == {"message"}
    assert time.monotonic() - started < 2
