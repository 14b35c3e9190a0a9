"""The inbox in a real browser, with the Meta emulator standing in for Meta.

Tasks run immediately in tests, so a reply goes to the emulator as soon as it is committed; the
emulator's webhooks (echo, delivery, read, new customer messages) are posted back, signed, to
the live server, exactly as Meta would.
"""

import json

import pytest
from playwright.sync_api import Page, expect

from tandem.inbox.models import Conversation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PSID = "7291038475610293"

OWASP = [
    "<script>alert('XSS')</script>",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<svg/onload=alert('XSS')>",
    "<BODY ONLOAD=alert('XSS')>",
    "<iframe src=\"javascript:alert('XSS');\"></iframe>",
    '"><script>alert(String.fromCharCode(88,83,83))</script>',
    "<a href=\"javascript:alert('XSS')\">clic</a>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    "<div style=\"background-image: url(javascript:alert('XSS'))\">",
    "{{7*7}} {% debug %} ${alert(1)}",
    '<<SCRIPT>alert("XSS");//<</SCRIPT>',
]


def test_a_message_arrives_the_advisor_replies_ticks_appear(
    page: Page, live_server, world, sign_in
):
    setup, emulator = world
    advisor = setup.advisors[0]
    for other in (setup.manager, *setup.advisors[1:]):
        from tandem.inbox.tests.helpers import available

        available(other, presence="away")
    sign_in(page, live_server, advisor.user)
    expect(page.get_by_test_id("conversation-row")).to_have_count(0)
    # A customer writes on the branch's Page: it appears without reloading.
    emulator.customer_message(
        setup.branch_page.external_id,
        PSID,
        "Bonjour, je voudrais un rendez-vous pour mon prêt immobilier",
        "facebook",
        name="Claire",
    )
    emulator.flush_webhooks()
    row = page.get_by_test_id("conversation-row")
    expect(row).to_have_count(1, timeout=30_000)
    row.click()
    expect(page.get_by_test_id("thread")).to_contain_text("prêt immobilier")
    page.get_by_test_id("reply-text").fill("Bonjour Claire, je vous propose jeudi à 10 h.")
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("tick")).to_have_count(1)
    # The emulator received exactly the Send API call expected.
    sends = emulator.sent_messages()
    assert len(sends) == 1
    body = sends[0].body
    assert sends[0].path == f"/{setup.branch_page.external_id}/messages"
    assert body["recipient"] == {"id": PSID}
    assert body["messaging_type"] == "RESPONSE"
    assert body["message"]["text"] == "Bonjour Claire, je vous propose jeudi à 10 h."
    assert body["message"]["metadata"].startswith("tandem:")
    # Meta's echo, delivery and read come back: the ticks follow without reloading.
    emulator.flush_webhooks()
    expect(page.get_by_test_id("tick")).to_have_attribute("data-status", "read", timeout=30_000)
    # The customer answers while the conversation is open: it appears in the thread.
    emulator.customer_message(
        setup.branch_page.external_id, PSID, "Parfait, merci beaucoup !", "facebook"
    )
    emulator.flush_webhooks()
    expect(page.get_by_test_id("thread")).to_contain_text("Parfait, merci beaucoup", timeout=30_000)


def test_community_manager_hides_a_comment_and_replies_privately(
    page: Page, live_server, world, sign_in
):
    setup, emulator = world
    comment_id = emulator.customer_comment(
        setup.regional_page.external_id,
        "9988776655",
        "Votre appli plante encore, nul !",
        "facebook",
        name="Marc Public",
    )
    emulator.flush_webhooks()
    sign_in(page, live_server, setup.community[0].user)
    page.get_by_test_id("conversation-row").first.click()
    expect(page.get_by_test_id("thread")).to_contain_text("Votre appli plante encore")
    page.get_by_test_id("hide-comment").click()
    expect(page.get_by_test_id("hidden-badge")).to_be_visible()
    hides = [call for call in emulator.calls if call.path == f"/{comment_id}" and call.performed]
    assert len(hides) == 1
    assert hides[0].body.get("is_hidden") in (True, "true")
    page.get_by_test_id("mode-private").check()
    page.get_by_test_id("reply-text").fill("Bonjour Marc, écrivez-nous en privé : on regarde.")
    page.get_by_test_id("send").click()
    expect(page.get_by_test_id("tick")).to_have_count(1)
    private = [
        call
        for call in emulator.sent_messages()
        if call.body.get("recipient") == {"comment_id": comment_id}
    ]
    assert len(private) == 1
    assert private[0].body["message"]["text"].startswith("Bonjour Marc")


def test_manager_transfers_a_conversation(page: Page, live_server, world, sign_in):
    setup, emulator = world
    emulator.customer_message(
        setup.branch_page.external_id, PSID, "Bonjour, une question", "facebook"
    )
    emulator.flush_webhooks()
    conversation = Conversation.objects.get()
    target = next(a for a in setup.advisors if a.pk != conversation.assignee_id)
    sign_in(page, live_server, setup.manager.user)
    page.goto(f"{live_server.url}/inbox/c/{conversation.pk}/?queue=branch")
    page.get_by_test_id("transfer-open").click()
    page.get_by_test_id("transfer-to").select_option(str(target.pk))
    page.get_by_test_id("transfer-reason").fill("Spécialiste crédit")
    page.get_by_test_id("transfer-submit").click()
    expect(page.get_by_test_id("assignee")).to_contain_text(target.user.first_name)
    expect(page.get_by_test_id("thread")).to_contain_text("Spécialiste crédit")
    conversation.refresh_from_db()
    assert conversation.assignee_id == target.pk


def test_hostile_customer_text_renders_inert(page: Page, live_server, world, sign_in):
    setup, emulator = world
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for number, payload in enumerate(OWASP):
        emulator.customer_message(
            setup.branch_page.external_id, f"{PSID}{number}", payload, "facebook", name=payload[:40]
        )
    emulator.flush_webhooks()
    sign_in(page, live_server, setup.manager.user)
    page.goto(f"{live_server.url}/inbox/?queue=branch")
    rows = page.get_by_test_id("conversation-row")
    expect(rows).to_have_count(len(OWASP))
    for index in range(len(OWASP)):
        rows.nth(index).click()
        expect(page.get_by_test_id("thread")).to_be_visible()
    for number, payload in enumerate(OWASP):
        conversation = Conversation.objects.get(thread_key=f"{PSID}{number}")
        page.goto(f"{live_server.url}/inbox/c/{conversation.pk}/")
        # The text is shown as text: exactly what the customer typed.
        expect(page.get_by_test_id("message-in").first).to_contain_text(payload.strip()[:20])
    assert dialogs == []
    # Nothing the customer wrote became markup: no injected elements exist.
    assert page.locator("#thread script, #thread iframe, #thread svg, #thread img").count() == 0
    assert json.dumps(dialogs) == "[]"
