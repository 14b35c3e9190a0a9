"""Sign in → home page → sign out, in French and in English, in a real browser."""

import pytest
from playwright.sync_api import Page, expect

from tandem.organisation.models import Role
from tandem.organisation.tests.factories import TEST_PASSWORD, make_employee, make_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def advisor(transactional_db):
    tree = make_tree()
    make_employee(tree.bank_a.branch, Role.BRANCH_MANAGER, first_name="Yann", last_name="Le Gall")
    return make_employee(
        tree.bank_a.branch,
        Role.ADVISOR,
        email="claire@bank.example",
        first_name="Claire",
        last_name="Martin",
    ), tree


def test_sign_in_home_sign_out_in_french(page: Page, live_server, advisor):
    _employee, tree = advisor
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Connexion à Tandem")).to_be_visible()
    page.get_by_label("E-mail professionnel").fill("claire@bank.example")
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_test_id("welcome")).to_have_text("Bonjour Claire")
    expect(page.get_by_test_id("tree-path")).to_contain_text(tree.bank_a.regional_bank.name)
    expect(page.get_by_test_id("tree-path")).to_contain_text(tree.bank_a.branch.name)
    expect(page.get_by_test_id("colleagues")).to_contain_text("Yann Le Gall")
    expect(
        page.get_by_text("Répondre à vos clients et aux conversations de votre agence")
    ).to_be_visible()
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_role("heading", name="Connexion à Tandem")).to_be_visible()
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/")


def test_sign_in_home_sign_out_in_english(page: Page, live_server, advisor):
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Langue").select_option("en")
    expect(page.get_by_role("heading", name="Sign in to Tandem")).to_be_visible()
    page.get_by_label("Work e-mail").fill("claire@bank.example")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("E-mail or password incorrect.")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Claire's own preference is French: signing in switches the interface to it.
    expect(page.get_by_test_id("welcome")).to_have_text("Bonjour Claire")
    page.get_by_label("Langue").select_option("en")
    expect(page.get_by_test_id("welcome")).to_have_text("Hello Claire")
    expect(
        page.get_by_text("Answer your own customers and your branch's conversations")
    ).to_be_visible()
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_role("heading", name="Sign in to Tandem")).to_be_visible()
