"""The customer link: a one-time code links a social identity to the customer and advisor."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tandem.core.actors import Actor
from tandem.core.errors import PermissionDenied, ValidationFailed
from tandem.core.models import AuditEntry
from tandem.inbox.links import contact_unlink, customer_link_create, customer_link_redeem
from tandem.inbox.models import Contact, Conversation
from tandem.inbox.tests.helpers import messenger, post, setup_bank
from tandem.organisation.actors import actor_for_user
from tandem.organisation.models import Role
from tandem.organisation.tests.factories import make_employee

pytestmark = pytest.mark.django_db(transaction=True)

OPERATOR = Actor(user_id=None, is_superuser=True)


@pytest.fixture
def bank(tree):
    return setup_bank(tree.bank_a)


def issue(bank, reference="CLI0001"):
    return customer_link_create(
        actor=OPERATOR,
        regional_bank=bank.bank.regional_bank,
        customer_reference=reference,
        advisor_email=bank.advisors[1].user.email,
        display_name="Claire Martin",
    )


def test_issued_link_carries_the_code_in_every_channel(bank):
    issued = issue(bank)
    code = issued.link.code
    assert len(code) == 16
    assert issued.urls["messenger"] == f"https://m.me/AgenceTest?ref={code}"
    assert f"ref%3A{code}" in issued.urls["whatsapp"] or f"ref:{code}" in issued.urls["whatsapp"]
    assert issued.link.customer.advisor == bank.advisors[1]
    assert issued.link.customer.branch == bank.bank.branch
    assert AuditEntry.objects.filter(action="inbox.customer_link.issued").count() == 1


def test_referral_links_the_identity_and_routes_to_the_advisor(client, bank):
    issued = issue(bank)
    payload = messenger(
        bank.branch_page, "psid-linked", "Bonjour !", timezone.now(), ref=issued.link.code
    )
    assert post(client, payload) == 200
    contact = Contact.objects.get(external_id="psid-linked")
    assert contact.customer == issued.link.customer
    conversation = Conversation.objects.get(contact=contact)
    # Routed to the customer's own advisor when they can take it (or their branch otherwise).
    assert conversation.team == bank.teams["branch"]
    assert AuditEntry.objects.filter(action="inbox.contact.linked").count() == 1


def test_codes_are_single_use_and_expire(bank):
    issued = issue(bank)
    first = Contact.objects.create(
        regional_bank=bank.bank.regional_bank, platform="facebook", external_id="a"
    )
    second = Contact.objects.create(
        regional_bank=bank.bank.regional_bank, platform="facebook", external_id="b"
    )
    now = timezone.now()
    assert customer_link_redeem(code=issued.link.code, contact=first, at=now)
    assert customer_link_redeem(code=issued.link.code, contact=first, at=now)  # replay: same
    assert not customer_link_redeem(code=issued.link.code, contact=second, at=now)
    second.refresh_from_db()
    assert second.customer is None
    later = issue(bank, reference="CLI0002")
    with time_machine.travel(now + timedelta(hours=25)):
        assert not customer_link_redeem(code=later.link.code, contact=second, at=timezone.now())
    assert not customer_link_redeem(code="nope", contact=second, at=now)


def test_links_are_scoped_to_the_callers_bank(bank, tree):
    other_admin = make_employee(tree.bank_b.regional_bank, Role.ADMINISTRATOR)
    with pytest.raises(PermissionDenied):
        customer_link_create(
            actor=actor_for_user(other_admin.user),
            regional_bank=bank.bank.regional_bank,
            customer_reference="X",
            advisor_email=bank.advisors[0].user.email,
        )
    with pytest.raises(ValidationFailed):
        customer_link_create(
            actor=OPERATOR,
            regional_bank=bank.bank.regional_bank,
            customer_reference="X",
            advisor_email="nobody@bank.example",
        )


def test_unlink_is_audited(bank):
    issued = issue(bank)
    contact = Contact.objects.create(
        regional_bank=bank.bank.regional_bank, platform="facebook", external_id="c"
    )
    customer_link_redeem(code=issued.link.code, contact=contact, at=timezone.now())
    contact.refresh_from_db()
    contact_unlink(actor=actor_for_user(bank.advisors[0].user), contact=contact)
    contact.refresh_from_db()
    assert contact.customer is None
    assert AuditEntry.objects.filter(action="inbox.contact.unlinked").count() == 1


def test_merged_contacts_show_together(bank):
    from tandem.inbox.actions import contact_merge

    first = Contact.objects.create(
        regional_bank=bank.bank.regional_bank,
        platform="facebook",
        external_id="m1",
        display_name="Jeanne",
    )
    second = Contact.objects.create(
        regional_bank=bank.bank.regional_bank,
        platform="whatsapp",
        external_id="33600000000",
        display_name="Jeanne",
    )
    contact_merge(actor=actor_for_user(bank.advisors[0].user), contact=second, into=first)
    second.refresh_from_db()
    assert second.merged_into == first
    with pytest.raises(ValidationFailed):
        contact_merge(actor=actor_for_user(bank.advisors[0].user), contact=first, into=first)
