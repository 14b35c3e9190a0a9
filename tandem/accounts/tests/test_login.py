import pytest
from django.test import override_settings
from django.urls import reverse

from tandem.accounts.models import LoginAttempt
from tandem.organisation.models import Role
from tandem.organisation.tests.factories import TEST_PASSWORD, make_employee

pytestmark = pytest.mark.django_db


@pytest.fixture
def advisor(tree):
    return make_employee(
        tree.bank_a.branch, Role.ADVISOR, email="claire@bank.example", first_name="Claire"
    )


def sign_in(client, email, password, **extra):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, **extra
    )


def test_sign_in_then_home_then_sign_out(client, advisor):
    response = sign_in(client, "Claire@Bank.example", TEST_PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")
    home = client.get(reverse("home"))
    assert "Bonjour Claire" in home.content.decode()
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_is_refused_and_recorded(client, advisor):
    response = sign_in(client, "claire@bank.example", "wrong")
    assert response.status_code == 200
    assert "E-mail ou mot de passe incorrect." in response.content.decode()
    assert LoginAttempt.objects.filter(email="claire@bank.example", succeeded=False).count() == 1


@override_settings(LOGIN_FAILURES_PER_ACCOUNT=3)
def test_account_locks_after_repeated_failures(client, advisor):
    for _ in range(3):
        sign_in(client, "claire@bank.example", "wrong")
    # Even the right password is refused while the account is locked.
    response = sign_in(client, "claire@bank.example", TEST_PASSWORD)
    assert response.status_code == 200
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_FAILURES_PER_ADDRESS=4, LOGIN_FAILURES_PER_ACCOUNT=100)
def test_address_locks_after_guessing_many_accounts(client, tree):
    make_employee(tree.bank_a.branch, email="victim@bank.example")
    for number in range(4):
        sign_in(client, f"guess{number}@bank.example", "wrong", REMOTE_ADDR="203.0.113.9")
    response = sign_in(client, "victim@bank.example", TEST_PASSWORD, REMOTE_ADDR="203.0.113.9")
    assert "Trop de tentatives" in response.content.decode()
    other = sign_in(client, "victim@bank.example", TEST_PASSWORD, REMOTE_ADDR="198.51.100.1")
    assert other.status_code == 302


def test_success_resets_the_account_counter(client, advisor, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    sign_in(client, "claire@bank.example", "wrong")
    sign_in(client, "claire@bank.example", "wrong")
    assert sign_in(client, "claire@bank.example", TEST_PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    sign_in(client, "claire@bank.example", "wrong")
    sign_in(client, "claire@bank.example", "wrong")
    assert sign_in(client, "claire@bank.example", TEST_PASSWORD).status_code == 302


def test_english_is_available(client, advisor):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("accounts:login"))
    assert "Sign in to Tandem" in page.content.decode()
    assert '<html lang="en">' in page.content.decode()


def test_french_is_the_default(client):
    page = client.get(reverse("accounts:login"))
    assert "Connexion à Tandem" in page.content.decode()
    assert '<html lang="fr">' in page.content.decode()


def test_user_language_applies_after_sign_in(client, tree):
    make_employee(tree.bank_a.branch, email="anna@bank.example", language="en", first_name="Anna")
    sign_in(client, "anna@bank.example", TEST_PASSWORD)
    assert "Hello Anna" in client.get(reverse("home")).content.decode()


def test_sign_out_needs_post(client, advisor):
    sign_in(client, "claire@bank.example", TEST_PASSWORD)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session


def test_browser_language_does_not_override_french(client):
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Connexion à Tandem" in page.content.decode()
