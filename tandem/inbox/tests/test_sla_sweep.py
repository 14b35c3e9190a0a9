"""Service levels applied: warn before the due time, alert the manager on breach, hand to the
regional pool after that; no clock runs past the messaging window."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from tandem.core.models import AuditEntry
from tandem.inbox.clocks import conversation_clocks_refresh, sla_sweep
from tandem.inbox.models import Conversation, Notification
from tandem.inbox.tests.helpers import messenger, post, setup_bank

pytestmark = pytest.mark.django_db(transaction=True)

PARIS = ZoneInfo("Europe/Paris")
TUESDAY = datetime(2026, 11, 24, 10, 0, tzinfo=PARIS)


@pytest.fixture
def bank(tree):
    return setup_bank(tree.bank_a)


def arrive(client, bank, text, at):
    with time_machine.travel(at, tick=False):
        assert post(client, messenger(bank.branch_page, "psid-sla", text, at)) == 200
    return Conversation.objects.get(thread_key="psid-sla")


def test_the_ladder(client, bank):
    conversation = arrive(client, bank, "Bonjour, une question sur mon livret", TUESDAY)
    # Normal priority: first response due 4 business hours later (lunch break 12:30-14:00).
    due = conversation.first_response_due_at.astimezone(PARIS)
    assert due == datetime(2026, 11, 24, 15, 30, tzinfo=PARIS)
    assignee = conversation.assignee
    with time_machine.travel(due - timedelta(minutes=20), tick=False):
        assert sla_sweep()["warned"] == 1
        assert Notification.objects.filter(employee=assignee, kind="sla_warning").exists()
        assert sla_sweep()["warned"] == 0  # once
    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        assert sla_sweep()["manager"] == 1
    assert Notification.objects.filter(employee=bank.manager, kind="sla_breached").exists()
    with time_machine.travel(due + timedelta(minutes=45), tick=False):
        call_command("sla_sweep")
    conversation.refresh_from_db()
    assert conversation.team == bank.teams["pool"]
    assert conversation.assignee is None
    assert conversation.escalation_level == 3
    assert AuditEntry.objects.filter(action__startswith="inbox.conversation").exists()


def test_clocks_never_run_past_the_window(client, bank):
    # Saturday 12:00: the branch closes at 12:30 and reopens on Tuesday; the window closes
    # Sunday 12:00, so the reply is due Sunday 11:30 at the latest (escalation before the end).
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=PARIS)
    conversation = arrive(client, bank, "Bonjour", saturday)
    assert conversation.window_closes_at == saturday + timedelta(hours=24)
    assert conversation.first_response_due_at <= conversation.window_closes_at - timedelta(
        minutes=30
    )


def test_snoozed_conversations_wake_up(client, bank):
    conversation = arrive(client, bank, "Bonjour", TUESDAY)
    Conversation.objects.filter(pk=conversation.pk).update(
        status="snoozed", snoozed_until=TUESDAY + timedelta(hours=1)
    )
    with time_machine.travel(TUESDAY + timedelta(hours=2), tick=False):
        assert sla_sweep()["woken"] == 1
    conversation.refresh_from_db()
    assert conversation.status == "open"
    conversation_clocks_refresh(conversation_id=conversation.pk)


def test_a_stopping_worker_leaves_the_sweep_for_the_next_run(client, bank):
    import threading

    from tandem.core import schedule

    conversation = arrive(client, bank, "Bonjour", TUESDAY)
    Conversation.objects.filter(pk=conversation.pk).update(
        status="snoozed", snoozed_until=TUESDAY + timedelta(hours=1)
    )
    stopping = threading.Event()
    stopping.set()
    token = schedule._worker_stop.set(stopping)
    try:
        with time_machine.travel(TUESDAY + timedelta(hours=2), tick=False):
            assert sla_sweep() == {"woken": 0, "warned": 0, "manager": 0, "pool": 0}
    finally:
        schedule._worker_stop.reset(token)
    assert Conversation.objects.get(pk=conversation.pk).status == "snoozed"
    with time_machine.travel(TUESDAY + timedelta(hours=2), tick=False):
        assert sla_sweep()["woken"] == 1
