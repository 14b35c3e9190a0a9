"""Routing as it happens: a webhook arrives, the conversation reaches a named person.

Time is controlled: Tuesday 25 November 2026, 10:00 in Paris is inside the branch's hours;
22:00 is outside them.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tandem.inbox.actions import conversation_resolve
from tandem.inbox.models import Conversation, Notification, Presence
from tandem.inbox.tests.helpers import available, messenger, post, setup_bank
from tandem.organisation.actors import actor_for_user
from tandem.organisation.tests.factories import make_customer

pytestmark = pytest.mark.django_db(transaction=True)

PARIS = ZoneInfo("Europe/Paris")
IN_HOURS = datetime(2026, 11, 24, 10, 0, tzinfo=PARIS)
OUT_OF_HOURS = datetime(2026, 11, 24, 22, 0, tzinfo=PARIS)


@pytest.fixture
def bank(tree):
    return setup_bank(tree.bank_a)


def link(bank, psid, advisor):
    """A contact linked to a customer of ``advisor`` (as the customer link would do)."""
    from tandem.inbox.models import Contact

    customer = make_customer(bank.bank.branch, advisor=advisor)
    Contact.objects.create(
        regional_bank=bank.bank.regional_bank,
        platform="facebook",
        external_id=psid,
        customer=customer,
    )


def arrive(client, bank, text, at, psid="psid-1", page=None):
    with time_machine.travel(at, tick=False):
        assert post(client, messenger(page or bank.branch_page, psid, text, at)) == 200
    return Conversation.objects.get(thread_key=psid)


def test_own_advisor(client, bank):
    link(bank, "psid-1", bank.advisors[2])
    conversation = arrive(client, bank, "Bonjour, une question sur mon livret A", IN_HOURS)
    assert conversation.assignee == bank.advisors[2]
    assert conversation.topic == "savings"
    assert conversation.first_response_due_at is not None


def test_advisor_away_goes_to_the_branch_team(client, bank):
    link(bank, "psid-1", bank.advisors[2])
    available(bank.advisors[2], presence=Presence.AWAY)
    conversation = arrive(client, bank, "Bonjour", IN_HOURS)
    assert conversation.assignee in [bank.manager, *bank.advisors[:2]]
    assert conversation.team == bank.teams["branch"]


def test_out_of_hours_urgent_goes_to_the_24_7_team(client, bank):
    link(bank, "psid-1", bank.advisors[0])
    conversation = arrive(client, bank, "On m'a volé ma carte bancaire !!", OUT_OF_HOURS)
    assert conversation.priority == "urgent"
    assert conversation.assignee in bank.urgent
    assert conversation.team == bank.teams["urgent"]


def test_out_of_hours_other_topics_wait_for_the_branch(client, bank):
    link(bank, "psid-1", bank.advisors[0])
    conversation = arrive(client, bank, "Je voudrais un rendez-vous pour un prêt", OUT_OF_HOURS)
    assert conversation.assignee is None
    assert conversation.queued_at is not None
    assert conversation.team == bank.teams["branch"]
    # The branch opens: the morning dispatch hands it out.
    import threading

    from tandem.core import schedule
    from tandem.inbox.queue import queue_dispatch

    stopping = threading.Event()
    stopping.set()
    token = schedule._worker_stop.set(stopping)  # a worker shutting down hands out nothing
    try:
        with time_machine.travel(IN_HOURS + timedelta(days=1), tick=False):
            assert queue_dispatch(regional_bank_id=bank.bank.regional_bank.pk) == 0
    finally:
        schedule._worker_stop.reset(token)
    assert Conversation.objects.get(pk=conversation.pk).assignee is None
    with time_machine.travel(IN_HOURS + timedelta(days=1), tick=False):
        assert queue_dispatch(regional_bank_id=bank.bank.regional_bank.pk) == 1
    conversation.refresh_from_db()
    assert conversation.assignee == bank.advisors[0]


def test_capacity_is_respected_and_the_queue_is_fifo(client, bank):
    for employee in (bank.manager, *bank.advisors):
        available(employee, capacity=1)
    conversations = [
        arrive(client, bank, f"Question {n}", IN_HOURS + timedelta(minutes=n), psid=f"p{n}")
        for n in range(6)
    ]
    assigned = [c for c in conversations if c.assignee_id]
    waiting = [c for c in conversations if not c.assignee_id]
    assert len(assigned) == 4
    assert len({c.assignee_id for c in assigned}) == 4
    assert [c.thread_key for c in waiting] == ["p4", "p5"]
    # Someone resolves one: the oldest waiting conversation is handed to them.
    first = assigned[0]
    with time_machine.travel(IN_HOURS + timedelta(minutes=30), tick=False):
        conversation_resolve(actor=actor_for_user(first.assignee.user), conversation=first)
    waiting[0].refresh_from_db()
    waiting[1].refresh_from_db()
    assert waiting[0].assignee_id == first.assignee_id
    assert waiting[1].assignee_id is None


def test_unlinked_complaint_goes_to_the_complaints_desk(client, bank):
    conversation = arrive(
        client, bank, "Je veux déposer une réclamation, c'est inadmissible", IN_HOURS
    )
    assert conversation.team == bank.teams["complaints"]
    assert conversation.assignee == bank.complaints[0]


def test_regional_page_goes_to_community_managers(client, bank):
    conversation = arrive(client, bank, "Bonjour à vous", IN_HOURS, page=bank.regional_page)
    assert conversation.team == bank.teams["community"]
    assert conversation.assignee == bank.community[0]


def test_returning_customer_back_to_their_person_or_told(client, bank):
    conversation = arrive(client, bank, "Bonjour", IN_HOURS)
    first = conversation.assignee
    with time_machine.travel(IN_HOURS + timedelta(minutes=5), tick=False):
        conversation_resolve(actor=actor_for_user(first.user), conversation=conversation)
    arrive(client, bank, "Me revoilà", IN_HOURS + timedelta(hours=1))
    conversation.refresh_from_db()
    assert conversation.assignee == first
    with time_machine.travel(IN_HOURS + timedelta(hours=1, minutes=5), tick=False):
        conversation_resolve(actor=actor_for_user(first.user), conversation=conversation)
    available(first, presence=Presence.AWAY)
    arrive(client, bank, "Encore moi", IN_HOURS + timedelta(hours=2))
    conversation.refresh_from_db()
    assert conversation.assignee not in (None, first)
    assert Notification.objects.filter(employee=first, kind="customer_returned").exists()


def test_fair_rotation_over_a_thousand_conversations(bank):
    """1,000 conversations through the real service: loads differ by at most one."""
    from collections import Counter

    from tandem.inbox.models import Contact
    from tandem.inbox.queue import conversation_route

    for employee in (bank.manager, *bank.advisors):
        available(employee, capacity=10_000)
    counts: Counter[int] = Counter()
    with time_machine.travel(IN_HOURS, tick=False):
        for number in range(1000):
            contact = Contact.objects.create(
                regional_bank=bank.bank.regional_bank, platform="facebook", external_id=f"r{number}"
            )
            conversation = Conversation.objects.create(
                regional_bank=bank.bank.regional_bank,
                account=bank.branch_page,
                contact=contact,
                channel="messenger",
                thread_key=f"r{number}",
                branch=bank.bank.branch,
            )
            decision = conversation_route(conversation=conversation)
            counts[decision.assignee_id] += 1
    assert set(counts) == {bank.manager.pk, *(a.pk for a in bank.advisors)}
    assert max(counts.values()) - min(counts.values()) <= 1


def test_satisfaction_question_after_resolution_and_its_score(client, bank):
    import httpx

    from tandem.connectors.meta import client as client_module
    from tandem.connectors.models import OutboundCall

    client_module.set_transport(
        httpx.MockTransport(
            lambda request: httpx.Response(200, json={"recipient_id": "1", "message_id": "m_s"})
        )
    )
    try:
        conversation = arrive(client, bank, "Bonjour, merci pour tout", IN_HOURS)
        with time_machine.travel(IN_HOURS + timedelta(minutes=10), tick=False):
            conversation_resolve(
                actor=actor_for_user(conversation.assignee.user), conversation=conversation
            )
        conversation.refresh_from_db()
        assert conversation.satisfaction_asked_at is not None
        assert any("de 1" in call.payload["message"]["text"] for call in OutboundCall.objects.all())
        arrive(client, bank, "5/5 !", IN_HOURS + timedelta(minutes=20))
        conversation.refresh_from_db()
        assert conversation.satisfaction_score == 5
        assert conversation.status == "resolved"
        # Any other message reopens it as usual.
        arrive(client, bank, "Au fait, autre question", IN_HOURS + timedelta(minutes=30))
        conversation.refresh_from_db()
        assert conversation.status == "open"
    finally:
        client_module.set_transport(None)
