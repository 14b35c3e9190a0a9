"""An administrator connects a Facebook Page in the product, sees its health, and sees an event
Tandem could not process with its error — never a token, never customer text, never another
regional bank's accounts — in a real browser."""

import pytest
from playwright.sync_api import Page, expect

from tandem.connectors.models import EventStatus, SocialAccount, WebhookEvent
from tandem.connectors.tests.conftest import connect
from tandem.organisation.models import Role
from tandem.organisation.tests.factories import TEST_PASSWORD, make_employee, make_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOKEN = "EAAG-browser-secret-token-4242"
CUSTOMER_TEXT = "Mon IBAN est FR76 3000 6000 0112 3456 7890 189"


@pytest.fixture
def administrator(transactional_db):
    tree = make_tree()
    admin = make_employee(tree.bank_a.regional_bank, Role.ADMINISTRATOR, email="admin@bank.example")
    other_bank = connect(tree.bank_b.branch, "facebook", "990000000000001")
    return admin, tree, other_bank


def _sign_in(page: Page, live_server, email: str, next_path: str) -> None:
    page.set_default_timeout(30_000)
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.get_by_label("E-mail professionnel").fill(email)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_an_administrator_connects_a_page_and_sees_a_parked_event(
    page: Page, live_server, administrator
):
    admin, tree, other_bank = administrator
    _sign_in(page, live_server, admin.user.email, "/admin/connectors/socialaccount/add/")
    page.locator("#id_platform").select_option("facebook")
    page.locator("#id_external_id").fill("104857392817999")
    page.locator("#id_name").fill("Agence Rennes Centre")
    page.locator("#id_owner").select_option(str(tree.bank_a.branch.pk))
    page.locator("#id_access_token").fill(TOKEN)
    page.locator("input[name=_save]").click()

    expect(page).to_have_url(f"{live_server.url}/admin/connectors/socialaccount/")
    row = page.locator("#result_list").get_by_role("link", name="Agence Rennes Centre")
    expect(row).to_be_visible()
    # The list shows each account's health: this one has not been checked against Meta yet.
    expect(page.locator("#result_list .field-health").first).not_to_be_empty()
    expect(page.get_by_text(other_bank.name)).to_have_count(0)
    assert TOKEN not in page.content()
    account = SocialAccount.objects.get(external_id="104857392817999")
    assert account.owner_id == tree.bank_a.branch.pk
    assert account.access_token() == TOKEN
    assert TOKEN not in account.token_ciphertext

    # Its page shows the token's fingerprint and health fields, never the token.
    row.click()
    expect(page.locator(".field-token_fingerprint")).to_be_visible()
    expect(page.locator(".field-token_valid")).to_be_visible()
    expect(page.locator("#id_access_token")).to_have_value("")
    assert TOKEN not in page.content()

    # An event Tandem gave up on: the administrator sees the error, not the customer's text.
    WebhookEvent.objects.create(
        object="page",
        account_external_id=account.external_id,
        account=account,
        regional_bank=tree.bank_a.regional_bank,
        kind="message",
        idempotency_key="message:m_parked_1",
        body={"message": {"text": CUSTOMER_TEXT}},
        status=EventStatus.PARKED,
        attempts=8,
        last_error="KeyError: 'recipient'\nTraceback (most recent call last): …",
    )
    page.goto(f"{live_server.url}/admin/connectors/webhookevent/?status__exact=parked")
    expect(page.get_by_text("KeyError: 'recipient'")).to_be_visible()
    assert CUSTOMER_TEXT not in page.content()
