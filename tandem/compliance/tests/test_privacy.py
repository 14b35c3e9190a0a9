"""A person's data: export (everything, theirs only), erasure (no trace left anywhere, the facts
and the audit trail kept), and the scope: another bank's officer gets 404 and nothing changes."""

import json

import pytest
from django.core.management import call_command
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tandem.accounts.tokens import api_token_create
from tandem.compliance.anonymisation import ERASED_TEXT
from tandem.compliance.privacy import contact_erase, contact_export, contact_search
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
from tandem.inbox.models import Contact, Conversation, CustomerLink, Message
from tandem.inbox.tests.helpers import messenger, post, setup_bank
from tandem.organisation.models import Role
from tandem.organisation.tests.factories import make_employee

pytestmark = pytest.mark.django_db

PSID = "9988776655443322"
NAME = "Zebulon Quintard"
TEXT = "quokka-unique-7781 merci de me rappeler"
REPLY = "Bonjour Zebulon Quintard, votre conseiller vous rappelle."
OTHER_PSID = "1122334455667788"
OTHER_TEXT = "wombat-other-5512 bonjour"
REASON = "Demande DPO-2026-041"
API = "/api/v1"


@pytest.fixture
def world(people, client, django_capture_on_commit_callbacks):
    install_meta()
    bank_a = setup_bank(people.tree.bank_a, prefix=1)
    bank_b = setup_bank(people.tree.bank_b, prefix=2)
    capture = django_capture_on_commit_callbacks
    subject = person(
        client,
        bank_a,
        capture,
        psid=PSID,
        name=NAME,
        text=TEXT,
        reply=REPLY,
        customer_reference="CLI-ZQ-01",
    )
    other = person(
        client,
        bank_a,
        capture,
        psid=OTHER_PSID,
        name="Autre Client",
        text=OTHER_TEXT,
        reply="Bonjour, c'est noté.",
    )
    yield {"a": bank_a, "b": bank_b, "subject": subject, "other": other, "people": people}
    uninstall_meta()


def api_client(employee):
    token = api_token_create(user=employee.user, name="privacy")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", enforce_csrf_checks=True)


def test_the_history_is_built_like_production(world):
    contact = world["subject"].contact
    assert contact.customer is not None
    assert Message.objects.filter(conversation__contact=contact, text=TEXT).exists()
    assert OutboundCall.objects.filter(recipient_id=PSID).exists()
    keys = list(WebhookEvent.objects.values_list("idempotency_key", flat=True))
    assert any(PSID in key for key in keys)  # the read receipt's key embeds the sender
    assert PSID in dump() and NAME in dump() and TEXT in dump()


# -- export ------------------------------------------------------------------------------------


def test_export_holds_the_persons_data_and_nothing_of_anyone_else(world):
    officer = world["people"].officer_a
    document = contact_export(actor=actor_of(officer), contact=world["subject"].contact)
    text = json.dumps(document, ensure_ascii=False)
    assert document["contacts"][0]["external_id"] == PSID
    assert document["contacts"][0]["display_name"] == NAME
    assert document["customer"]["reference"] == "CLI-ZQ-01"
    assert len(document["customer_links"]) == 1
    [conversation] = document["conversations"]
    texts = [message["text"] for message in conversation["messages"]]
    assert TEXT in texts and REPLY in texts
    kinds = sorted(event["kind"] for event in document["webhook_events"])
    assert kinds == ["message", "read"]
    assert [call["kind"] for call in document["outbound_calls"]] == ["message"]
    actions = {entry["action"] for entry in document["audit_entries"]}
    assert {"inbox.contact.linked", "inbox.message.sent"} <= actions
    assert OTHER_PSID not in text and OTHER_TEXT not in text
    exported = AuditEntry.objects.get(action="privacy.contact.exported")
    assert exported.object_id == str(world["subject"].contact.pk)
    assert exported.data["counts"]["messages"] == len(conversation["messages"])
    assert TEXT not in json.dumps(exported.data) and PSID not in json.dumps(exported.data)


def test_export_includes_the_identities_merged_into_the_person(world):
    subject = world["subject"].contact
    whatsapp = Contact.objects.create(
        regional_bank=subject.regional_bank,
        platform="whatsapp",
        external_id="33655501234",
        display_name=NAME,
        merged_into=subject,
    )
    document = contact_export(actor=actor_of(world["people"].officer_a), contact=whatsapp)
    assert {c["external_id"] for c in document["contacts"]} == {PSID, "33655501234"}
    assert len(document["conversations"]) == 1


def test_the_page_downloads_the_export_as_json(client, world):
    client.force_login(world["people"].officer_a.user)
    url = reverse("compliance:privacy_export", args=[world["subject"].contact.pk])
    response = client.post(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="donnees-')
    document = json.loads(response.content)
    assert document["format"] == "tandem.contact-export.v1"
    assert TEXT in response.content.decode()


# -- erasure -----------------------------------------------------------------------------------


def facts(conversation_id):
    conversation = Conversation.objects.get(pk=conversation_id)
    fields = (
        "status",
        "assignee_id",
        "team_id",
        "branch_id",
        "created_at",
        "first_response_at",
        "last_customer_message_at",
        "last_agent_message_at",
        "resolved_at",
        "topic",
        "priority",
        "satisfaction_score",
    )
    messages = list(
        Message.objects.filter(conversation_id=conversation_id)
        .order_by("occurred_at", "pk")
        .values_list("pk", "direction", "occurred_at", "author_id", "outbound_call_id")
    )
    return {name: getattr(conversation, name) for name in fields}, messages


def test_erasure_leaves_no_trace_anywhere_and_keeps_the_facts(world):
    subject = world["subject"]
    before_facts = facts(subject.conversation.pk)
    audit_before = list(AuditEntry.objects.order_by("pk").values_list("pk", "entry_hash"))
    events_before = list(WebhookEvent.objects.order_by("pk").values_list("pk", "kind", "status"))

    counts = contact_erase(
        actor=actor_of(world["people"].officer_a), contact=subject.contact, reason=REASON
    )

    everything = dump()
    for trace in (PSID, NAME, TEXT, REPLY):
        assert trace not in everything, trace
    assert OTHER_PSID in everything and OTHER_TEXT in everything
    assert facts(subject.conversation.pk) == before_facts
    assert set(
        Message.objects.filter(conversation=subject.conversation).values_list("text", flat=True)
    ) == {ERASED_TEXT}
    events_after = list(WebhookEvent.objects.order_by("pk").values_list("pk", "kind", "status"))
    assert events_after == events_before
    contact = Contact.objects.get(pk=subject.contact.pk)
    assert contact.external_id.startswith("erased:") and contact.customer is None
    assert not CustomerLink.objects.filter(contact=contact).exists()
    assert counts["messages"] >= 2 and counts["webhook_events"] == 2
    assert counts["outbound_calls"] == 1 and counts["customer_links"] == 1
    # The audit trail: every earlier entry untouched, one more with counts and no personal data.
    audit_after = list(AuditEntry.objects.order_by("pk").values_list("pk", "entry_hash"))
    assert audit_after[: len(audit_before)] == audit_before
    [erased] = AuditEntry.objects.filter(action="privacy.contact.erased")
    assert erased.data["counts"] == counts and erased.data["reason"] == REASON
    call_command("audit_verify")


def test_a_person_erased_who_writes_again_starts_afresh(
    client, world, django_capture_on_commit_callbacks
):
    contact_erase(
        actor=actor_of(world["people"].officer_a), contact=world["subject"].contact, reason=REASON
    )

    with django_capture_on_commit_callbacks(execute=True):
        post(client, messenger(world["a"].branch_page, PSID, "Me revoici", timezone.now()))
    fresh = Contact.objects.get(external_id=PSID)
    assert fresh.pk != world["subject"].contact.pk and fresh.customer is None
    assert Conversation.objects.get(contact=fresh).pk != world["subject"].conversation.pk


def test_erasure_needs_a_reason_and_happens_once(world):
    actor = actor_of(world["people"].officer_a)
    contact = world["subject"].contact
    with pytest.raises(ValidationFailed):
        contact_erase(actor=actor, contact=contact, reason="  ")
    assert PSID in dump(DATA_TABLES)
    contact_erase(actor=actor, contact=contact, reason=REASON)
    contact.refresh_from_db()
    with pytest.raises(ValidationFailed):
        contact_erase(actor=actor, contact=contact, reason=REASON)
    assert AuditEntry.objects.filter(action="privacy.contact.erased").count() == 1


def test_the_page_erases_with_a_reason_and_a_confirmation(client, world):
    client.force_login(world["people"].officer_a.user)
    contact = world["subject"].contact
    page = client.get(reverse("compliance:privacy_contact", args=[contact.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        'data-testid="count-messages"' in html and 'data-testid="privacy-retention-warning"' in html
    )
    url = reverse("compliance:privacy_erase", args=[contact.pk])
    before = dump(DATA_TABLES)
    assert client.post(url, {"reason": REASON}).status_code == 422  # not confirmed
    assert client.post(url, {"confirm": "on"}).status_code == 422  # no reason
    assert dump(DATA_TABLES) == before
    response = client.post(url, {"reason": REASON, "confirm": "on"})
    assert response.status_code == 302
    assert TEXT not in dump() and PSID not in dump()
    assert 'data-testid="privacy-erased"' in client.get(response["Location"]).content.decode()


def test_an_administrator_of_the_bank_may_erase_an_advisor_may_not(client, world):
    advisor = world["a"].advisors[0]
    client.force_login(advisor.user)
    contact = world["subject"].contact
    assert client.get(reverse("compliance:privacy")).status_code == 404
    assert client.get(reverse("compliance:privacy_contact", args=[contact.pk])).status_code == 404
    administrator = make_employee(world["people"].tree.bank_a.regional_bank, Role.ADMINISTRATOR)
    contact_erase(actor=actor_of(administrator), contact=contact, reason=REASON)
    assert TEXT not in dump()


# -- another bank's officer --------------------------------------------------------------------


def test_another_banks_officer_gets_404_everywhere_and_nothing_changes(client, world):
    officer_b = world["people"].officer_b
    contact = world["subject"].contact
    api = api_client(officer_b)
    client.force_login(officer_b.user)
    before = dump(DATA_TABLES)
    with pytest.raises(Http404):
        contact_export(actor=actor_of(officer_b), contact=contact)
    with pytest.raises(Http404):
        contact_erase(actor=actor_of(officer_b), contact=contact, reason=REASON)
    assert contact_search(actor=actor_of(officer_b), query=NAME) == []
    assert contact_search(actor=actor_of(officer_b), query=PSID) == []
    assert client.get(reverse("compliance:privacy_contact", args=[contact.pk])).status_code == 404
    for name in ("compliance:privacy_export", "compliance:privacy_erase"):
        response = client.post(
            reverse(name, args=[contact.pk]), {"reason": REASON, "confirm": "on"}
        )
        assert response.status_code == 404
    page = client.get(reverse("compliance:privacy"), {"q": NAME}).content.decode()
    assert str(contact.pk) not in page
    assert api.get(f"{API}/contacts/{contact.pk}/export").status_code == 404
    erase = api.post(
        f"{API}/contacts/{contact.pk}/erase", {"reason": REASON}, content_type="application/json"
    )
    assert erase.status_code == 404 and erase.json() == {"detail": "Not found."}
    assert dump(DATA_TABLES) == before


def test_search_finds_the_bank_contacts_by_name_id_or_customer_reference(client, world):
    actor = actor_of(world["people"].officer_a)
    contact = world["subject"].contact
    for query in ("zebulon", PSID, "CLI-ZQ-01"):
        assert contact_search(actor=actor, query=query) == [contact]
    client.force_login(world["people"].officer_a.user)
    page = client.get(reverse("compliance:privacy"), {"q": "Quintard"}).content.decode()
    assert f'data-contact-id="{contact.pk}"' in page
    assert 'data-testid="nav-privacy"' in page


# -- API ---------------------------------------------------------------------------------------


def test_the_api_exports_and_erases_for_the_banks_officer(world):
    api = api_client(world["people"].officer_a)
    contact = world["subject"].contact
    exported = api.get(f"{API}/contacts/{contact.pk}/export")
    assert exported.status_code == 200, exported.content
    assert TEXT in json.dumps(exported.json()["conversations"])
    assert (
        api.post(
            f"{API}/contacts/{contact.pk}/erase", {"reason": ""}, content_type="application/json"
        ).status_code
        == 422
    )
    erased = api.post(
        f"{API}/contacts/{contact.pk}/erase", {"reason": REASON}, content_type="application/json"
    )
    assert erased.status_code == 200, erased.content
    assert erased.json()["counts"]["contacts"] == 1
    assert TEXT not in dump()
    again = api.post(
        f"{API}/contacts/{contact.pk}/erase", {"reason": REASON}, content_type="application/json"
    )
    assert again.status_code == 422
    advisor_api = api_client(world["a"].advisors[0])
    assert advisor_api.get(f"{API}/contacts/{contact.pk}/export").status_code == 404
