"""Compliance end to end, in a real browser with the Meta emulator standing in for Meta."""

import pytest
from django.apps import apps
from django.db import connection
from playwright.sync_api import Page, expect

from tandem.inbox.models import Conversation, Message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IBAN = "FR76 3000 6000 0112 3456 7890 189"
IBAN_DIGITS = "30006000011234567890189"
CARD = "4970 1012 3456 7893"


def everything_stored() -> str:
    """Every row of every table, as text: what an attacker with the database would see."""
    dump = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(model._meta.db_table)}")
            dump.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(dump)


def test_public_comment_with_an_iban_is_hidden_answered_privately_and_masked(
    page: Page, live_server, world, sign_in
):
    setup, emulator = world
    comment_id = emulator.customer_comment(
        setup.regional_page.external_id,
        "4455667788",
        f"Virement pas arrivé, mon IBAN est {IBAN} vous pouvez vérifier ?",
        "facebook",
        name="Paul Public",
    )
    emulator.flush_webhooks()
    # Hidden on the network at once, and its author invited to a secure channel.
    hides = [c for c in emulator.calls if c.path == f"/{comment_id}" and c.performed]
    assert len(hides) == 1
    assert hides[0].body.get("is_hidden") in (True, "true")
    private = [
        c for c in emulator.sent_messages() if c.body.get("recipient") == {"comment_id": comment_id}
    ]
    assert len(private) == 1
    assert "application" in private[0].body["message"]["text"]
    conversation = Conversation.objects.get()
    assert conversation.flagged
    # The inbox shows it masked.
    sign_in(page, live_server, setup.community[0].user)
    page.goto(f"{live_server.url}/inbox/c/{conversation.pk}/")
    thread = page.get_by_test_id("thread")
    expect(thread).to_contain_text("[IBAN •••• 0189]")
    expect(thread).to_contain_text("Commentaire masqué automatiquement")
    expect(page.get_by_test_id("hidden-badge")).to_be_visible()
    assert IBAN not in page.content()
    # No unmasked copy anywhere in the database (messages, raw webhook rows, calls, audit …).
    stored = everything_stored()
    assert IBAN not in stored
    assert IBAN_DIGITS not in stored.replace(" ", "")
    assert Message.objects.filter(text__contains="0189").exists()


def test_a_reply_with_a_card_number_is_refused_with_the_reason(
    page: Page, live_server, world, sign_in
):
    setup, emulator = world
    emulator.customer_message(
        setup.branch_page.external_id, "5566", "Bonjour, ma carte ?", "facebook"
    )
    emulator.flush_webhooks()
    conversation = Conversation.objects.get()
    sign_in(page, live_server, conversation.assignee.user)
    page.goto(f"{live_server.url}/inbox/c/{conversation.pk}/")
    page.get_by_test_id("reply-text").fill(f"Votre carte {CARD} est bien active.")
    page.get_by_test_id("send").click()
    error = page.get_by_test_id("composer-error")
    expect(error).to_contain_text("un numéro de carte")
    expect(error).to_contain_text("Non envoyé")
    assert emulator.sent_messages() == []
    assert not Message.objects.filter(direction="out").exists()
    assert CARD.replace(" ", "") not in everything_stored().replace(" ", "")
