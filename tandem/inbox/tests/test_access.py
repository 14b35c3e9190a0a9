"""No employee reads or acts on a conversation outside their scope — pages, fragments, actions,
by guessing ids — and a refused action changes nothing and sends nothing."""

import uuid

import pytest
from django.urls import reverse

from tandem.connectors.models import OutboundCall
from tandem.inbox.access import access_conversation, visible_conversations
from tandem.inbox.models import Contact, Conversation, Message
from tandem.inbox.selectors import conversation_list_for_agent
from tandem.inbox.tests.helpers import setup_bank
from tandem.organisation.actors import actor_for_user
from tandem.organisation.models import Role
from tandem.organisation.tests.factories import make_employee

pytestmark = pytest.mark.django_db


def make_conversation(setup, branch, assignee=None, text="Bonjour", psid=None):
    psid = psid or uuid.uuid4().hex[:12]
    contact = Contact.objects.create(
        regional_bank=setup.bank.regional_bank,
        platform="facebook",
        external_id=psid,
        display_name=f"Client {psid}",
    )
    conversation = Conversation.objects.create(
        regional_bank=setup.bank.regional_bank,
        account=setup.branch_page,
        contact=contact,
        channel="messenger",
        thread_key=psid,
        branch=branch,
        assignee=assignee,
    )
    from django.utils import timezone

    Message.objects.create(
        regional_bank=setup.bank.regional_bank,
        conversation=conversation,
        direction="in",
        external_id=f"m_{psid}",
        text=text,
        occurred_at=timezone.now(),
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        last_customer_message_at=timezone.now(), last_message_at=timezone.now()
    )
    return conversation


@pytest.fixture
def world(tree):
    a = setup_bank(tree.bank_a, prefix=1)
    b = setup_bank(tree.bank_b, prefix=2)
    return {
        "a": a,
        "b": b,
        "a_branch": make_conversation(a, tree.bank_a.branch, assignee=a.advisors[0]),
        "a_other_branch": make_conversation(a, tree.bank_a.other_branch),
        "b_branch": make_conversation(
            b, tree.bank_b.branch, assignee=b.advisors[0], text="Secret de la banque B"
        ),
    }


def test_visibility_by_scope(world):
    advisor_a = actor_for_user(world["a"].advisors[1].user)
    visible = set(visible_conversations(advisor_a))
    assert visible == {world["a_branch"]}
    community_a = actor_for_user(world["a"].community[0].user)
    assert set(visible_conversations(community_a)) == {world["a_branch"], world["a_other_branch"]}
    lead = make_employee(world["a"].bank.regional_bank.parent.parent, Role.PROGRAMME_LEAD)
    assert world["b_branch"] in set(visible_conversations(actor_for_user(lead.user)))


def test_every_queue_is_scoped(world):
    actor = actor_for_user(world["a"].community[0].user)
    for queue in ("mine", "branch", "unassigned", "late", "resolved"):
        assert world["b_branch"] not in set(conversation_list_for_agent(actor=actor, queue=queue))


def test_access_helper_refuses_other_banks_and_guesses(world):
    actor = actor_for_user(world["a"].advisors[0].user)
    from django.http import Http404

    assert access_conversation(actor=actor, conversation_id=world["a_branch"].pk)
    for key in (world["b_branch"].pk, world["a_other_branch"].pk, uuid.uuid4(), "not-a-uuid", 42):
        with pytest.raises(Http404):
            access_conversation(actor=actor, conversation_id=key)


PAGES = [
    ("inbox:conversation", {}),
    ("inbox:conversation", {"partial": "thread"}),
    ("inbox:conversation", {"partial": "panel"}),
]
ACTIONS = [
    ("inbox:reply", {"text": "Bonjour", "mode": "message"}),
    ("inbox:note", {"text": "note"}),
    ("inbox:resolve", {}),
    ("inbox:snooze", {"until": "1h"}),
    ("inbox:take", {"reason": "je prends"}),
    ("inbox:tag", {"tags": "x"}),
    ("inbox:unlink", {}),
]


def snapshot():
    return (
        list(
            Conversation.objects.order_by("pk").values_list(
                "pk", "status", "assignee_id", "tags", "snoozed_until", "resolved_at"
            )
        ),
        Message.objects.count(),
        OutboundCall.objects.count(),
    )


@pytest.mark.parametrize(("name", "params"), PAGES)
def test_pages_and_fragments_of_another_bank_are_404(client, world, name, params):
    client.force_login(world["a"].community[0].user)
    for target in (world["b_branch"].pk, uuid.uuid4()):
        response = client.get(reverse(name, args=[target]), params, HTTP_HX_REQUEST="true")
        assert response.status_code == 404
        assert "Secret de la banque B" not in response.content.decode()


@pytest.mark.parametrize(("name", "data"), ACTIONS)
def test_actions_on_another_bank_change_nothing(client, world, name, data):
    client.force_login(world["a"].community[0].user)
    before = snapshot()
    for target in (world["b_branch"].pk, uuid.uuid4(), "not-a-uuid"):
        response = client.post(reverse(name, args=[target]), data, HTTP_HX_REQUEST="true")
        assert response.status_code == 404
    assert snapshot() == before


def test_moderation_of_another_bank_changes_nothing(client, world):
    client.force_login(world["a"].community[0].user)
    message = world["b_branch"].messages.first()
    before = snapshot()
    response = client.post(
        reverse("inbox:moderate", args=[world["b_branch"].pk, message.pk]), {"action": "hide"}
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_only_the_assignee_replies_others_change_nothing(client, world):
    colleague = world["a"].advisors[1]
    client.force_login(colleague.user)
    before = snapshot()
    response = client.post(
        reverse("inbox:reply", args=[world["a_branch"].pk]),
        {"text": "Je réponds à la place", "mode": "message"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "reprenez-la" in response.content.decode()
    assert snapshot() == before


def test_queue_list_fragments_are_scoped(client, world):
    client.force_login(world["a"].community[0].user)
    for queue in ("mine", "branch", "unassigned", "late"):
        response = client.get(
            reverse("inbox:inbox"), {"queue": queue, "partial": "list"}, HTTP_HX_REQUEST="true"
        )
        assert "Secret" not in response.content.decode()
        assert str(world["b_branch"].pk) not in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(reverse("inbox:conversation", args=[world["a_branch"].pk]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url
