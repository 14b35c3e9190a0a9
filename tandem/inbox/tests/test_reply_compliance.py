"""Replies under the wording rules: blocked with the reason, held for a four-eyes review,
sent on approval; every refusal counted for the compliance dashboard."""

import httpx
import pytest
from django.utils import timezone

from tandem.compliance.models import ComplianceFinding, FindingKind, WordingRule
from tandem.compliance.reviews import review_decide
from tandem.connectors.meta import client as client_module
from tandem.connectors.models import OutboundCall
from tandem.core.errors import PermissionDenied
from tandem.inbox.actions import ReplyRefused, conversation_reply
from tandem.inbox.models import Message
from tandem.inbox.tests.helpers import setup_bank
from tandem.inbox.tests.test_access import make_conversation
from tandem.organisation.actors import actor_for_user
from tandem.organisation.models import Role
from tandem.organisation.tests.factories import make_employee

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(tree):
    setup = setup_bank(tree.bank_a)
    conversation = make_conversation(setup, tree.bank_a.branch, assignee=setup.advisors[0])
    conversation.refresh_from_db()
    client_module.set_transport(
        httpx.MockTransport(
            lambda request: httpx.Response(200, json={"recipient_id": "1", "message_id": "m_ok"})
        )
    )
    yield setup, conversation
    client_module.set_transport(None)


def test_blocked_wording_is_refused_with_its_reason_and_counted(world):
    setup, conversation = world
    # The French defaults come from a data migration, which transactional tests flush: the
    # rule is set here as a compliance officer would.
    WordingRule.objects.create(
        node=setup.bank.regional_bank,
        name="Test : rendement garanti",
        kind="block",
        applies_to="both",
        keywords="rendement garanti",
        legal_source="AMF DOC-2011-24",
        explanation="Un rendement ne peut pas être présenté comme garanti.",
    )
    with pytest.raises(ReplyRefused) as refused:
        conversation_reply(
            actor=actor_for_user(setup.advisors[0].user),
            conversation=conversation,
            text="Avec ce placement, rendement garanti et zéro risque !",
        )
    assert "Non envoyé" in refused.value.message
    assert "AMF DOC-2011-24" in refused.value.message
    assert not Message.objects.filter(direction="out").exists()
    assert OutboundCall.objects.count() == 0
    assert ComplianceFinding.objects.filter(kind=FindingKind.BLOCKED_REPLY).count() == 1


def test_a_reply_held_for_review_goes_out_only_when_another_person_approves(world):
    setup, conversation = world
    WordingRule.objects.create(
        node=setup.bank.regional_bank,
        name="Test : offre",
        kind="review",
        applies_to="both",
        keywords="offre speciale",
        explanation="Une offre doit être relue.",
        legal_source="ACPR 2016-R-01",
    )
    author = setup.advisors[0]
    message = conversation_reply(
        actor=actor_for_user(author.user),
        conversation=conversation,
        text="Nous avons une offre spéciale pour vous ce mois-ci.",
    )
    assert message.meta["held_for_review"]
    assert OutboundCall.objects.count() == 0
    from tandem.compliance.models import ReviewRequest

    review = ReviewRequest.objects.get()
    officer = make_employee(setup.bank.regional_bank, Role.COMPLIANCE_OFFICER)
    # Four-eyes: the author can never approve, even as an officer.
    from tandem.organisation.models import RoleGrant

    RoleGrant.objects.create(
        employee=author, role=Role.COMPLIANCE_OFFICER, node=setup.bank.regional_bank
    )
    with pytest.raises(PermissionDenied):
        review_decide(actor=actor_for_user(author.user), review_id=review.pk, approve=True)
    assert OutboundCall.objects.count() == 0
    review_decide(actor=actor_for_user(officer.user), review_id=review.pk, approve=True)
    message.refresh_from_db()
    assert not message.meta["held_for_review"]
    assert message.outbound_call is not None
    assert OutboundCall.objects.get().status == "sent"
    conversation.refresh_from_db()
    assert conversation.first_response_at is not None
    assert conversation.first_response_at <= timezone.now()


def test_public_reply_confirming_a_customer_relationship_is_refused(world, tree):
    setup, _conversation = world
    from tandem.inbox.models import Contact, Conversation

    contact = Contact.objects.create(
        regional_bank=setup.bank.regional_bank, platform="facebook", external_id="pub1"
    )
    thread = Conversation.objects.create(
        regional_bank=setup.bank.regional_bank,
        account=setup.branch_page,
        contact=contact,
        channel="facebook_comment",
        thread_key="555_1:555_2",
        post_id="555_1",
        root_comment_id="555_2",
        branch=tree.bank_a.branch,
        assignee=setup.advisors[0],
    )
    Message.objects.create(
        regional_bank=setup.bank.regional_bank,
        conversation=thread,
        direction="in",
        external_id="555_2",
        text="Ça marche pas",
        occurred_at=timezone.now(),
    )
    with pytest.raises(ReplyRefused) as refused:
        conversation_reply(
            actor=actor_for_user(setup.advisors[0].user),
            conversation=thread,
            text="Je vois que votre compte est bien ouvert chez nous.",
            mode="public",
        )
    assert "votre compte" in refused.value.message
    assert OutboundCall.objects.count() == 0
