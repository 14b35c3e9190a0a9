"""Generated deliveries are what Tandem accepts, signed, reproducible, batched and duplicated."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from datetime import UTC, datetime
from functools import cache
from typing import Any

import pytest

from tandem.connectors.meta import events
from tandem.connectors.meta.payloads import load_payload, parse_event, split_batch
from tandem.connectors.meta.signatures import SIGNATURE_HEADER, verify_signature
from tandem.connectors.simulation.accounts import (
    DEMO_ACCOUNTS,
    Account,
    accounts_from_json,
    resolve_accounts,
)
from tandem.connectors.simulation.traffic import Delivery, TrafficConfig, TrafficGenerator

SECRET = "simulation-test-secret"
START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

#: RawEvent kind -> the dataclass ``parse_event`` must return for it.
EXPECTED_CLASS: dict[str, type] = {
    "message": events.MessageReceived,
    "postback": events.Postback,
    "referral": events.Referral,
    "delivery": events.Delivery,
    "read": events.Read,
    "feed.comment.add": events.CommentAdded,
    "feed.comment.edit": events.CommentEdited,
    "feed.comment.remove": events.CommentRemoved,
    "feed.comment.hide": events.CommentHidden,
    "comments": events.CommentAdded,
    "wa.message": events.MessageReceived,
    "wa.status": events.WhatsAppStatus,
}


def generate(count: int, **overrides: Any) -> list[Delivery]:
    accounts = overrides.pop("accounts", DEMO_ACCOUNTS)
    config = TrafficConfig(app_secret=SECRET, start_at=START, **{"seed": 11, **overrides})
    return TrafficGenerator(accounts, config).take(count)


@cache
def stream() -> tuple[Delivery, ...]:
    return tuple(generate(3000, batch_max=6, duplicate_share=0.05, sensitive_share=0.1))


def test_every_delivery_splits_and_parses_into_the_expected_events() -> None:
    kinds: Counter[str] = Counter()
    account_ids = {account.external_id for account in DEMO_ACCOUNTS}
    for delivery in stream():
        raw_events = split_batch(load_payload(delivery.body))
        assert [e.idempotency_key for e in raw_events] == list(delivery.events), delivery.summary
        assert [e.kind for e in raw_events] == list(delivery.kinds)
        for raw in raw_events:
            assert raw.kind != "unknown", raw.body
            parsed = parse_event(raw.body, raw.kind)
            assert type(parsed) is EXPECTED_CLASS[raw.kind]
            assert parsed.account_external_id in account_ids
            kinds[raw.kind] += 1
    assert set(kinds) == set(EXPECTED_CLASS), "every kind appears in a long enough stream"


def test_signatures_verify_over_the_exact_bytes() -> None:
    for delivery in stream()[:500]:
        header = delivery.headers[SIGNATURE_HEADER]
        assert verify_signature(body=delivery.body, header=header, secrets=[SECRET])
        assert not verify_signature(body=delivery.body, header=header, secrets=["other"])
        assert delivery.headers["Content-Type"] == "application/json"


def test_bodies_are_compact_json_with_escaped_unicode() -> None:
    for delivery in stream()[:500]:
        assert delivery.body.isascii()
        decoded = json.loads(delivery.body)
        compact = json.dumps(decoded, ensure_ascii=True, separators=(",", ":")).encode()
        assert compact == delivery.body
    assert any(b"\\u00e9" in delivery.body for delivery in stream()), "French accents escaped"


def test_same_seed_gives_byte_identical_deliveries() -> None:
    first, second = generate(300), generate(300)
    assert [d.body for d in first] == [d.body for d in second]
    assert [d.headers for d in first] == [d.headers for d in second]
    assert [d.body for d in generate(50, seed=12)] != [d.body for d in first[:50]]


def test_duplicates_repeat_an_earlier_delivery_byte_for_byte() -> None:
    by_sequence = {d.sequence: d for d in stream()}
    duplicates = [d for d in stream() if d.duplicate_of is not None]
    assert 0.03 <= len(duplicates) / len(stream()) <= 0.07
    for duplicate in duplicates:
        original = by_sequence[duplicate.duplicate_of]
        assert original.sequence < duplicate.sequence
        assert original.duplicate_of is None
        assert duplicate.body == original.body
        assert duplicate.headers == original.headers
        assert duplicate.events == original.events
        assert duplicate.actions == ()
        assert "(duplicate)" in duplicate.summary


def test_no_duplicates_when_the_share_is_zero_and_keys_never_repeat_otherwise() -> None:
    deliveries = generate(1000, duplicate_share=0.0)
    assert all(d.duplicate_of is None for d in deliveries)
    keys = [key for d in deliveries for key in d.events]
    assert len(keys) == len(set(keys))


def test_batches_hold_several_events_and_entries_up_to_batch_max() -> None:
    sizes = Counter(len(d.events) for d in stream())
    assert max(sizes) == 6
    assert sizes[1] > sizes[2] > 0
    entries = Counter(len(json.loads(d.body)["entry"]) for d in stream())
    assert max(entries) > 1
    grouped = [
        entry
        for d in stream()
        for entry in json.loads(d.body)["entry"]
        if len(entry.get("messaging", entry.get("changes", []))) > 1
    ]
    assert grouped, "some entries carry several messaging items or changes"
    assert all(len(d.events) == 1 for d in generate(200, batch_max=1))


def _items(delivery: Delivery) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for entry in json.loads(delivery.body)["entry"]:
        found += [("messaging", item) for item in entry.get("messaging", [])]
        for change in entry.get("changes", []):
            value = change["value"]
            found += [("wa.message", m) for m in value.get("messages", [])]
            found += [("wa.status", s) for s in value.get("statuses", [])]
            if change.get("field") == "feed":
                found.append(("feed", {**value, "entry_time": entry["time"]}))
    return found


def test_timestamp_units_follow_each_product() -> None:
    start_ms = int(START.timestamp() * 1000)
    for delivery in stream():
        for kind, item in _items(delivery):
            if kind == "messaging" and "timestamp" in item:
                assert isinstance(item["timestamp"], int)
                assert item["timestamp"] > start_ms - 10**6
            elif kind in ("wa.message", "wa.status"):
                assert isinstance(item["timestamp"], str)
                assert len(item["timestamp"]) == 10
            elif kind == "feed":
                assert isinstance(item["created_time"], int)
                assert item["created_time"] < 10**11
                assert isinstance(item["entry_time"], int)
                assert item["entry_time"] < 10**11


def test_some_events_arrive_out_of_order() -> None:
    times = [
        item["timestamp"]
        for delivery in stream()
        if delivery.duplicate_of is None
        for kind, item in _items(delivery)
        if kind == "messaging" and "message" in item
    ]
    backwards = sum(1 for before, after in itertools.pairwise(times) if after < before)
    assert backwards > 0.02 * len(times)


def test_whatsapp_statuses_are_sometimes_out_of_order_or_failed() -> None:
    seen: dict[str, list[str]] = {}
    for delivery in stream():
        if delivery.duplicate_of is None:
            for kind, item in _items(delivery):
                if kind == "wa.status":
                    seen.setdefault(item["id"], []).append(item["status"])
    sequences = list(seen.values())
    assert any(s[:2] == ["sent", "failed"] for s in sequences)
    assert any(s[:2] == ["sent", "read"] for s in sequences)
    assert any(s == ["sent", "delivered", "read"] for s in sequences)


def test_sensitive_share_is_roughly_honoured_in_traffic() -> None:
    originals = [d for d in stream() if d.duplicate_of is None]
    texts = sum(d.texts for d in originals)
    sensitive = sum(d.sensitive_texts for d in originals)
    assert texts > 1500
    assert 0.07 <= sensitive / texts <= 0.14
    quiet = generate(500, sensitive_share=0.0)
    assert sum(d.sensitive_texts for d in quiet) == 0


def test_customers_come_back_and_whatsapp_ids_are_french_mobiles() -> None:
    senders: Counter[str] = Counter()
    for delivery in stream():
        for kind, item in _items(delivery):
            if kind == "messaging" and "message" in item:
                senders[item["sender"]["id"]] += 1
            if kind == "wa.message":
                assert item["from"][:3] in ("336", "337")
                assert len(item["from"]) == 11
    assert senders.most_common(1)[0][1] >= 10, "a few customers write often"


def test_linking_codes_arrive_as_referrals() -> None:
    refs = []
    for delivery in stream():
        for raw in split_batch(load_payload(delivery.body)):
            parsed = parse_event(raw.body, raw.kind)
            referral = parsed if isinstance(parsed, events.Referral) else None
            referral = referral or getattr(parsed, "referral", None)
            if referral is not None:
                refs.append((raw.kind, referral.source, referral.ref))
    assert {kind for kind, _, _ in refs} == {"referral", "postback", "wa.message"}
    assert all(ref and len(ref) == 10 for _, _, ref in refs)
    assert {"SHORTLINK", "CLICK_TO_CHAT"} == {source for _, source, _ in refs}


def test_customer_actions_name_the_account_user_and_time() -> None:
    delivery = next(d for d in stream() if d.actions)
    action = delivery.actions[0]
    assert action.platform in ("facebook", "instagram", "whatsapp")
    assert action.at.tzinfo is not None
    assert action.as_json()["at"].endswith("+00:00")
    assert action.account in {a.external_id for a in DEMO_ACCOUNTS}


def test_only_the_given_accounts_are_addressed() -> None:
    whatsapp_only = [Account("whatsapp", "900000000000001", handle="33977400999")]
    for delivery in generate(200, accounts=whatsapp_only):
        assert delivery.object == "whatsapp_business_account"
        for raw in split_batch(load_payload(delivery.body)):
            assert raw.account_external_id == "900000000000001"


def test_configuration_is_validated() -> None:
    with pytest.raises(ValueError, match="app secret"):
        TrafficConfig(app_secret="")
    with pytest.raises(ValueError, match="duplicate_share"):
        TrafficConfig(app_secret="x", duplicate_share=2.0)
    with pytest.raises(ValueError, match="timezone"):
        TrafficConfig(app_secret="x", start_at=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="account"):
        TrafficGenerator([], TrafficConfig(app_secret="x"))


def test_accounts_from_json_accepts_both_shapes_and_names_bad_items() -> None:
    items = [{"platform": "facebook", "external_id": "1"}, {"platform": "whatsapp",
              "external_id": 2, "handle": "+33 9 77 40 00 01"}]  # fmt: skip
    assert accounts_from_json(items) == accounts_from_json({"accounts": items})
    assert accounts_from_json(items)[1].display_number == "33977400001"
    with pytest.raises(ValueError, match="#0"):
        accounts_from_json([{"platform": "myspace", "external_id": "1"}])
    with pytest.raises(ValueError, match="non-empty"):
        accounts_from_json([])


def test_auto_accounts_fall_back_to_the_demo_set_without_a_database() -> None:
    # No django_db mark: database access raises, which must mean "use the demo accounts".
    accounts, source = resolve_accounts("auto")
    assert source == "demo"
    assert accounts == list(DEMO_ACCOUNTS)


def test_accounts_file(tmp_path: Any) -> None:
    path = tmp_path / "accounts.json"
    path.write_text(json.dumps([{"platform": "instagram", "external_id": "17841400000000009"}]))
    accounts, source = resolve_accounts(str(path))
    assert source == str(path)
    assert accounts[0].platform == "instagram"
    with pytest.raises(ValueError, match="cannot read"):
        resolve_accounts(str(tmp_path / "missing.json"))


@pytest.mark.django_db
def test_auto_accounts_read_active_social_accounts(tree: Any) -> None:
    models = pytest.importorskip("tandem.connectors.models", reason="connectors app not installed")
    owner = tree.bank_a.branch
    models.SocialAccount.objects.create(
        platform="facebook", external_id="555000111", name="Agence", owner=owner
    )
    models.SocialAccount.objects.create(
        platform="whatsapp", external_id="777000111", name="WA", owner=owner, handle="+33977400123"
    )
    models.SocialAccount.objects.create(
        platform="instagram", external_id="888", name="Off", owner=owner, is_active=False
    )
    accounts, source = resolve_accounts("auto")
    assert source == "database"
    assert [(a.platform, a.external_id) for a in accounts] == [
        ("facebook", "555000111"),
        ("whatsapp", "777000111"),
    ]
    assert accounts[1].display_number == "33977400123"
    delivery = TrafficGenerator(accounts, TrafficConfig(app_secret="x")).take(30)
    assert {d.object for d in delivery} <= {"page", "whatsapp_business_account"}
