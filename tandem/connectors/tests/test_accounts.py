"""Social accounts: connected by administrators, tokens encrypted, scoped in the admin."""

import io
import logging

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from tandem.connectors.models import SocialAccount
from tandem.connectors.services import account_connect
from tandem.connectors.tests.conftest import OPERATOR, connect
from tandem.core.encryption import EncryptionError, decrypt
from tandem.core.errors import PermissionDenied, ValidationFailed
from tandem.organisation.actors import actor_for_user
from tandem.organisation.models import Role
from tandem.organisation.tests.factories import make_employee

pytestmark = pytest.mark.django_db

TOKEN = "EAAGm0PX4ZCpsBAJZCsecret-page-token"
OLD_KEY = "dGFuZGVtLXRlc3Qta2V5LTAwMDAwMDAwMDAwMDAwMDA="
NEW_KEY = "bmV3LXRhbmRlbS1rZXktMTExMTExMTExMTExMTExMTE="


def test_connect_account_command_reads_the_token_from_stdin(tree, monkeypatch, caplog):
    monkeypatch.setattr("sys.stdin", io.StringIO(TOKEN + "\n"))
    out = io.StringIO()
    with caplog.at_level(logging.DEBUG):
        call_command(
            "connect_account",
            "--platform",
            "facebook",
            "--external-id",
            "1048573",
            "--owner",
            tree.bank_a.branch.code,
            "--name",
            "Agence Rennes",
            stdout=out,
        )
    assert "connected" in out.getvalue()
    account = SocialAccount.objects.get(external_id="1048573")
    assert account.owner == tree.bank_a.branch
    assert account.regional_bank == tree.bank_a.regional_bank
    assert account.access_token() == TOKEN
    # Encrypted at rest: the token is nowhere in the database nor in the logs.
    assert TOKEN not in account.token_ciphertext
    with connection.cursor() as cursor:
        cursor.execute("SELECT token_ciphertext, token_fingerprint FROM connectors_socialaccount")
        assert all(TOKEN not in str(value) for row in cursor.fetchall() for value in row)
    assert TOKEN not in caplog.text
    assert TOKEN not in out.getvalue()


@pytest.mark.parametrize(
    ("arguments", "stdin", "message"),
    [
        (["--owner", "NOPE"], TOKEN, "No node"),
        ([], "", "No access token"),
        ([], "short", "malformed"),
        (["--external-id", "abc"], TOKEN, "is a number"),
    ],
)
def test_connect_account_command_refuses_bad_input(tree, monkeypatch, arguments, stdin, message):
    base = {
        "--platform": "facebook",
        "--external-id": "1048573",
        "--owner": tree.bank_a.branch.code,
    }
    for flag, value in zip(arguments[::2], arguments[1::2], strict=True):
        base[flag] = value
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin + "\n"))
    with pytest.raises(CommandError, match=message):
        call_command("connect_account", *[item for pair in base.items() for item in pair])
    assert SocialAccount.objects.count() == 0


def test_only_an_administrator_of_the_owner_connects(tree):
    advisor = make_employee(tree.bank_a.branch, Role.ADVISOR)
    admin_b = make_employee(tree.bank_b.regional_bank, Role.ADMINISTRATOR)
    for employee in (advisor, admin_b):
        with pytest.raises(PermissionDenied):
            account_connect(
                actor=actor_for_user(employee.user),
                platform="facebook",
                external_id="55",
                owner=tree.bank_a.branch,
                token=TOKEN,
            )
    assert SocialAccount.objects.count() == 0
    with pytest.raises(ValidationFailed):
        account_connect(
            actor=OPERATOR,
            platform="myspace",
            external_id="55",
            owner=tree.bank_a.branch,
            token=TOKEN,
        )


def test_keys_rotate(tree):
    with override_settings(TANDEM_ENCRYPTION_KEYS=[OLD_KEY]):
        account = connect(tree.bank_a.branch, "facebook", "77", token=TOKEN)
        old_ciphertext = account.token_ciphertext
    with override_settings(TANDEM_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY]):
        assert decrypt(old_ciphertext) == TOKEN
        call_command("rotate_tokens", stdout=io.StringIO())
        account.refresh_from_db()
        assert account.token_ciphertext != old_ciphertext
    with override_settings(TANDEM_ENCRYPTION_KEYS=[NEW_KEY]):
        assert account.access_token() == TOKEN
    with override_settings(TANDEM_ENCRYPTION_KEYS=[OLD_KEY]), pytest.raises(EncryptionError):
        account.access_token()


def test_admin_pages_are_scoped_and_never_show_tokens(client, tree):
    account_a = connect(tree.bank_a.branch, "facebook", "101", token=TOKEN)
    account_b = connect(tree.bank_b.branch, "facebook", "202", token=TOKEN)
    admin_a = make_employee(tree.bank_a.regional_bank, Role.ADMINISTRATOR)
    client.force_login(admin_a.user)
    listing = client.get(reverse("admin:connectors_socialaccount_changelist")).content.decode()
    assert account_a.name in listing
    assert account_b.name not in listing
    page = client.get(reverse("admin:connectors_socialaccount_change", args=[account_a.pk]))
    assert page.status_code == 200
    assert TOKEN not in page.content.decode()
    assert account_a.token_ciphertext not in page.content.decode()
    guessed = client.get(
        reverse("admin:connectors_socialaccount_change", args=[account_b.pk]), follow=True
    )
    assert account_b.name not in guessed.content.decode()


def test_admin_connects_an_account_with_a_token(client, tree):
    admin_a = make_employee(tree.bank_a.regional_bank, Role.ADMINISTRATOR)
    client.force_login(admin_a.user)
    response = client.post(
        reverse("admin:connectors_socialaccount_add"),
        {
            "platform": "instagram",
            "external_id": "17841400000000009",
            "name": "IG Rennes",
            "handle": "",
            "owner": tree.bank_a.branch.pk,
            "is_active": "on",
            "access_token": TOKEN,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    account = SocialAccount.objects.get(external_id="17841400000000009")
    assert account.access_token() == TOKEN
    # …but not for a node of another bank.
    response = client.post(
        reverse("admin:connectors_socialaccount_add"),
        {
            "platform": "instagram",
            "external_id": "17841400000000010",
            "name": "IG B",
            "owner": tree.bank_b.branch.pk,
            "is_active": "on",
            "access_token": TOKEN,
        },
    )
    assert response.status_code == 200
    assert not SocialAccount.objects.filter(external_id="17841400000000010").exists()


def test_check_accounts_marks_health_and_administrators_see_the_banner(client, tree):
    import httpx

    from tandem.connectors.meta import client as client_module

    healthy = connect(tree.bank_a.branch, "facebook", "301", token="good-token-123")
    broken = connect(tree.bank_a.branch, "facebook", "302", token="revoked-token-1")

    def meta(request):
        if request.headers["Authorization"].endswith("revoked-token-1"):
            return httpx.Response(
                400,
                json={
                    "error": {
                        "code": 190,
                        "error_subcode": 463,
                        "type": "OAuthException",
                        "message": "x",
                    }
                },
            )
        return httpx.Response(200, json={"data": [{"name": "Tandem", "id": "1"}]})

    client_module.set_transport(httpx.MockTransport(meta))
    try:
        call_command("check_accounts", stdout=io.StringIO())
    finally:
        client_module.set_transport(None)
    healthy.refresh_from_db()
    broken.refresh_from_db()
    assert healthy.token_valid is True
    assert healthy.webhooks_subscribed is True
    assert broken.token_valid is False
    assert broken.unhealthy_since is not None
    admin_a = make_employee(tree.bank_a.regional_bank, Role.ADMINISTRATOR)
    client.force_login(admin_a.user)
    assert "1 compte social demande votre attention" in client.get("/").content.decode()
    admin_b = make_employee(tree.bank_b.regional_bank, Role.ADMINISTRATOR)
    client.force_login(admin_b.user)
    assert 'data-testid="account-alert"' not in client.get("/").content.decode()
