"""Retention: the French defaults, officers' overrides (scoped, audited), and the purge — with
time controlled, only what expired changes; ``--dry-run`` changes nothing; a re-run neither."""

import importlib
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.http import Http404
from django.urls import reverse

from tandem.compliance.anonymisation import PURGED_TEXT
from tandem.compliance.models import RetentionPolicy
from tandem.compliance.retention import retention_policy_set, retention_purge
from tandem.compliance.tests.conftest import actor_of
from tandem.compliance.tests.privacy_helpers import (
    DATA_TABLES,
    dump,
    install_meta,
    person,
    uninstall_meta,
)
from tandem.connectors.models import OutboundCall, WebhookEvent
from tandem.core.errors import ValidationFailed
from tandem.core.models import AuditEntry
from tandem.core.schedule import SCHEDULE
from tandem.inbox.models import Contact, Conversation, Message
from tandem.inbox.tests.helpers import messenger, post, setup_bank

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
T0 = datetime(2026, 3, 3, 10, 0, tzinfo=PARIS)  # a Tuesday, branches open
OLD_TEXT = "ocelot-ancien-4410 bonjour"
NEW_TEXT = "lynx-recent-9920 bonjour"
B_TEXT = "gecko-banque-b-3381 bonjour"


@pytest.fixture(autouse=True)
def default_policies():
    """The migration's rows (a transactional test elsewhere may have flushed them)."""
    migration = importlib.import_module(
        "tandem.compliance.migrations.0004_default_retention_policies"
    )
    for purpose, days, basis in migration.DEFAULTS:
        RetentionPolicy.objects.get_or_create(
            regional_bank=None, purpose=purpose, defaults={"keep_days": days, "legal_basis": basis}
        )


@pytest.fixture
def history(people, client, django_capture_on_commit_callbacks):
    """Bank A: an old conversation (T0), a newer one (T0 + 200 days); bank B: one at T0."""
    install_meta()
    bank_a = setup_bank(people.tree.bank_a, prefix=1)
    bank_b = setup_bank(people.tree.bank_b, prefix=2)
    capture = django_capture_on_commit_callbacks
    with time_machine.travel(T0, tick=False):
        old = person(
            client,
            bank_a,
            capture,
            psid="5550001",
            name="Ancien Client",
            text=OLD_TEXT,
            reply="Bonjour, c'est noté.",
            at=T0,
        )
        other_bank = person(
            client, bank_b, capture, psid="7770001", name="Client B", text=B_TEXT, at=T0
        )
    later = T0 + timedelta(days=200)
    with time_machine.travel(later, tick=False):
        new = person(
            client,
            bank_a,
            capture,
            psid="5550002",
            name="Nouveau Client",
            text=NEW_TEXT,
            reply="Bonjour, je regarde.",
            at=later,
        )
    yield {
        "a": bank_a,
        "b": bank_b,
        "old": old,
        "new": new,
        "other_bank": other_bank,
        "people": people,
    }
    uninstall_meta()


def purge_at(moment, **options):
    with time_machine.travel(moment, tick=False):
        return retention_purge(**options)


def texts(person):
    return set(
        Message.objects.filter(conversation=person.conversation).values_list("text", flat=True)
    )


def test_the_french_defaults_carry_their_legal_basis():
    defaults = {row.purpose: row for row in RetentionPolicy.objects.filter(regional_bank=None)}
    assert {name: row.keep_days for name, row in defaults.items()} == {
        "conversations": 1827,
        "webhook_events": 30,
        "outbound_calls": 365,
        "audit": 2557,
        "recruiting": 730,
    }
    assert "L561-12" in defaults["conversations"].legal_basis
    assert "2017/565" in defaults["audit"].legal_basis
    assert "CNIL" in defaults["recruiting"].legal_basis


def test_the_purge_is_on_the_schedule():
    job = next(job for job in SCHEDULE if job.name == "purge_expired")
    assert job.command == "purge_expired" and job.every == timedelta(hours=24)


def test_raw_events_go_after_30_days_calls_after_a_year_conversations_after_five(history):
    audit_before = list(AuditEntry.objects.order_by("pk").values_list("pk", "entry_hash"))
    old, new = history["old"], history["new"]
    assert WebhookEvent.objects.count() == 5  # old: message + read; B: message; new: both

    purge_at(T0 + timedelta(days=29))
    assert WebhookEvent.objects.count() == 5

    purge_at(T0 + timedelta(days=31))  # old and bank B's events expired, the newer ones not
    assert WebhookEvent.objects.count() == 2
    assert texts(old) >= {OLD_TEXT}

    purge_at(T0 + timedelta(days=366))
    old_call = OutboundCall.objects.get(kind="message", created_at__lt=T0 + timedelta(days=1))
    assert old_call.payload["purged"] is True and old_call.recipient_id == ""
    assert "Bonjour, c'est noté." not in str(old_call.payload)
    new_call = OutboundCall.objects.get(kind="message", created_at__gt=T0 + timedelta(days=1))
    assert "purged" not in new_call.payload and new_call.recipient_id == "5550002"
    assert texts(old) >= {OLD_TEXT}

    purge_at(T0 + timedelta(days=1828))
    assert texts(old) == {PURGED_TEXT}
    assert OLD_TEXT not in dump() and "5550001" not in dump() and "Ancien Client" not in dump()
    assert Contact.objects.get(pk=old.contact.pk).external_id.startswith("erased:")
    assert NEW_TEXT in texts(new)  # 200 days younger: not yet
    assert texts(history["other_bank"]) == {PURGED_TEXT}  # bank B, same age, same default
    # The conversation stays, with its facts.
    conversation = Conversation.objects.get(pk=old.conversation.pk)
    assert conversation.created_at == old.conversation.created_at
    assert conversation.assignee_id == old.conversation.assignee_id
    # The audit trail only grew: one entry per regional bank and run.
    audit_after = list(AuditEntry.objects.order_by("pk").values_list("pk", "entry_hash"))
    assert audit_after[: len(audit_before)] == audit_before
    purges = AuditEntry.objects.filter(action="privacy.retention.purged")
    assert purges.count() == 2 * 4
    last = purges.filter(regional_bank_id=history["a"].bank.regional_bank.pk).last()
    assert last.data["conversations"]["messages"] >= 2
    assert last.data["audit"]["past_period_kept"] == 0
    call_command("audit_verify")


def test_a_late_resolution_keeps_the_contact_until_its_own_period_ends(history):
    old = history["old"]
    resolved = T0 + timedelta(days=100)
    Conversation.objects.filter(pk=old.conversation.pk).update(
        status="resolved", resolved_at=resolved
    )
    purge_at(T0 + timedelta(days=1828))
    assert texts(old) == {PURGED_TEXT}  # every message is older than the period
    assert Contact.objects.get(pk=old.contact.pk).external_id == "5550001"
    purge_at(resolved + timedelta(days=1828))
    assert Contact.objects.get(pk=old.contact.pk).external_id.startswith("erased:")


def test_in_a_conversation_still_going_on_only_the_old_messages_go(
    client, history, django_capture_on_commit_callbacks
):
    old = history["old"]
    later = T0 + timedelta(days=1000)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        post(client, messenger(history["a"].branch_page, "5550001", "tapir-suite-6620", later))
    purge_at(T0 + timedelta(days=1828))
    remaining = texts(old)
    assert OLD_TEXT not in remaining and "Bonjour, c'est noté." not in remaining
    assert "tapir-suite-6620" in remaining and PURGED_TEXT in remaining
    assert Contact.objects.get(pk=old.contact.pk).external_id == "5550001"  # still a customer


def test_dry_run_changes_nothing_and_says_what_would(history):
    before = dump(DATA_TABLES)
    out = io.StringIO()
    with time_machine.travel(T0 + timedelta(days=1828), tick=False):
        call_command("purge_expired", "--dry-run", stdout=out)
    assert dump(DATA_TABLES) == before
    report = out.getvalue()
    assert "Banque régionale A:" in report and "Banque régionale B:" in report
    assert "conversations (1827 d): would change: conversations 1, messages" in report
    assert "webhook_events (30 d): would change: deleted" in report
    assert "audit (2557 d): never purged" in report


def test_a_second_run_changes_nothing(history):
    purge_at(T0 + timedelta(days=1828))
    before = dump(("inbox_", "connectors_", "compliance_"))
    reports = purge_at(T0 + timedelta(days=1828))
    assert dump(("inbox_", "connectors_", "compliance_")) == before
    assert all(report.changed() == 0 for report in reports)


def test_batches_stop_at_the_limit_and_the_next_run_goes_on(history):
    first = purge_at(T0 + timedelta(days=1828), limit=1, batch_size=1)
    bank_a = next(r for r in first if r.regional_bank_id == history["a"].bank.regional_bank.pk)
    conversations = next(p for p in bank_a.purposes if p.purpose == "conversations")
    assert conversations.counts["messages"] == 1 and conversations.more
    for _ in range(10):
        purge_at(T0 + timedelta(days=1828), limit=1, batch_size=1)
    assert texts(history["old"]) == {PURGED_TEXT}


# -- officers' overrides -----------------------------------------------------------------------


def test_an_officer_shortens_a_period_for_their_bank_only(history):
    bank_a = history["a"].bank.regional_bank
    officer = history["people"].officer_a
    retention_policy_set(
        actor=actor_of(officer),
        regional_bank=bank_a,
        purpose="conversations",
        keep_days=400,
        legal_basis="Prospects : CNIL, 3 ans max.",
    )
    entry = AuditEntry.objects.get(action="privacy.retention_policy.updated")
    assert entry.data == {"purpose": "conversations", "keep_days": 400, "previous_keep_days": 1827}
    purge_at(T0 + timedelta(days=401))
    assert texts(history["old"]) == {PURGED_TEXT}
    assert B_TEXT in texts(history["other_bank"])  # bank B keeps the group default


def test_overrides_are_scoped_and_bounded(client, history):
    bank_a = history["a"].bank.regional_bank
    officer_b = history["people"].officer_b
    before = dump(DATA_TABLES)
    with pytest.raises(Http404):
        retention_policy_set(
            actor=actor_of(officer_b),
            regional_bank=bank_a,
            purpose="conversations",
            keep_days=1,
            legal_basis="x",
        )
    client.force_login(officer_b.user)
    response = client.post(
        reverse("compliance:retention"),
        {
            "regional_bank": bank_a.pk,
            "purpose": "conversations",
            "keep_days": 1,
            "legal_basis": "x",
        },
    )
    assert response.status_code == 404
    assert dump(DATA_TABLES) == before
    page = client.get(reverse("compliance:retention")).content.decode()
    assert f'data-bank-id="{bank_a.pk}"' not in page
    assert f'data-bank-id="{history["b"].bank.regional_bank.pk}"' in page
    officer_a = actor_of(history["people"].officer_a)
    with pytest.raises(ValidationFailed):  # Meta redelivers for up to 7 days
        retention_policy_set(
            actor=officer_a,
            regional_bank=bank_a,
            purpose="webhook_events",
            keep_days=3,
            legal_basis="Trop court",
        )
    with pytest.raises(ValidationFailed):
        retention_policy_set(
            actor=officer_a, regional_bank=bank_a, purpose="audit", keep_days=3650, legal_basis="  "
        )


def test_the_retention_page_saves_an_override(client, history):
    bank_a = history["a"].bank.regional_bank
    client.force_login(history["people"].officer_a.user)
    page = client.get(reverse("compliance:retention")).content.decode()
    assert 'data-testid="retention-form"' in page and "L561-12" in page
    response = client.post(
        reverse("compliance:retention"),
        {
            "regional_bank": bank_a.pk,
            "purpose": "outbound_calls",
            "keep_days": 180,
            "legal_basis": "Réclamations traitées sous 2 mois.",
        },
    )
    assert response.status_code == 302
    policy = RetentionPolicy.objects.get(regional_bank=bank_a, purpose="outbound_calls")
    assert policy.keep_days == 180 and policy.updated_by == history["people"].officer_a
    invalid = client.post(
        reverse("compliance:retention"),
        {
            "regional_bank": bank_a.pk,
            "purpose": "webhook_events",
            "keep_days": 2,
            "legal_basis": "x",
        },
    )
    assert invalid.status_code == 422
    assert 'data-testid="retention-error"' in invalid.content.decode()
