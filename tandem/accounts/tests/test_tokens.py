"""API tokens: issued once, stored as a hash, refused when revoked or expired, never logged."""

import logging
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tandem.accounts.models import ApiToken
from tandem.accounts.tokens import (
    PREFIX_LENGTH,
    ApiTokenNotFound,
    _hash,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from tandem.core.errors import ValidationFailed
from tandem.core.models import AuditEntry
from tandem.organisation.models import Role
from tandem.organisation.tests.factories import make_employee

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(tree):
    return make_employee(tree.bank_a.branch, Role.ADVISOR, email="claire@bank.example").user


def test_token_shape_and_only_its_hash_is_stored(user):
    raw = api_token_create(user=user, name="crm")
    assert raw.startswith("tdm_")
    assert len(raw) == 44
    assert all(c.isalnum() or c in "-_" for c in raw[4:])
    token = ApiToken.objects.get(user=user)
    assert token.key_prefix == raw[:PREFIX_LENGTH]
    assert token.key_hash == _hash(raw)
    assert len(token.key_hash) == 64
    stored = [str(value) for value in ApiToken.objects.values_list().get()]
    assert not any(raw in value or raw[PREFIX_LENGTH:] in value for value in stored)


def test_tokens_are_unique(user):
    assert len({api_token_create(user=user, name="crm") for _ in range(20)}) == 20


def test_authenticate_returns_the_user_in_one_query(user, django_assert_num_queries):
    raw = api_token_create(user=user, name="crm")
    ApiToken.objects.update(last_used_at=timezone.now())
    with django_assert_num_queries(1):
        assert api_token_authenticate(raw) == user


@pytest.mark.parametrize(
    "transform",
    [
        lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"),  # one character off
        lambda raw: raw[:-1],  # too short
        lambda raw: raw + "x",  # too long
        lambda raw: "xyz_" + raw[4:],  # wrong marker
        lambda raw: "",
        _hash,  # the stored hash is no token
    ],
)
def test_wrong_tokens_are_refused(user, transform):
    raw = api_token_create(user=user, name="crm")
    assert api_token_authenticate(transform(raw)) is None


def test_revoked_expired_and_inactive_are_refused(user):
    revoked = api_token_create(user=user, name="revoked")
    api_token_revoke(user=user, key_prefix=revoked[:PREFIX_LENGTH])
    assert api_token_authenticate(revoked) is None

    expiring = api_token_create(
        user=user, name="expiring", expires_at=timezone.now() + timedelta(days=1)
    )
    assert api_token_authenticate(expiring) == user
    assert api_token_authenticate(expiring, now=timezone.now() + timedelta(days=2)) is None

    active = api_token_create(user=user, name="active")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert api_token_authenticate(active) is None


def test_last_used_is_written_at_most_once_a_minute(user, django_assert_num_queries):
    raw = api_token_create(user=user, name="crm")
    start = timezone.now()
    with django_assert_num_queries(2):
        api_token_authenticate(raw, now=start)
    with django_assert_num_queries(1):
        api_token_authenticate(raw, now=start + timedelta(seconds=59))
    assert ApiToken.objects.get().last_used_at == start
    with django_assert_num_queries(2):
        api_token_authenticate(raw, now=start + timedelta(seconds=61))
    assert ApiToken.objects.get().last_used_at == start + timedelta(seconds=61)


def test_create_refuses_bad_input(user):
    with pytest.raises(ValidationFailed):
        api_token_create(user=user, name="  ")
    with pytest.raises(ValidationFailed):
        api_token_create(user=user, name="crm", expires_at=timezone.now() - timedelta(1))
    user.is_active = False
    with pytest.raises(ValidationFailed):
        api_token_create(user=user, name="crm")
    assert not ApiToken.objects.exists()


def test_revoke_needs_one_active_match_of_that_user(user, tree):
    other = make_employee(tree.bank_a.branch, Role.ADVISOR).user
    raw = api_token_create(user=user, name="crm")
    with pytest.raises(ApiTokenNotFound):
        api_token_revoke(user=other, key_prefix=raw[:PREFIX_LENGTH])
    with pytest.raises(ApiTokenNotFound):
        api_token_revoke(user=user, key_prefix="tdm_")  # too short to name one token
    api_token_revoke(user=user, key_prefix=raw[:PREFIX_LENGTH])
    with pytest.raises(ApiTokenNotFound):
        api_token_revoke(user=user, key_prefix=raw[:PREFIX_LENGTH])  # already revoked


def test_audit_and_logs_never_hold_the_token(user, caplog):
    caplog.set_level(logging.DEBUG)
    raw = api_token_create(user=user, name="crm")
    api_token_authenticate(raw)
    api_token_authenticate(raw[:-1] + "?")
    api_token_revoke(user=user, key_prefix=raw[:PREFIX_LENGTH])
    actions = list(AuditEntry.objects.order_by("sequence").values_list("action", flat=True))
    assert actions == ["accounts.api_token.created", "accounts.api_token.revoked"]
    audit = " ".join(str(entry) for entry in AuditEntry.objects.values_list("data", flat=True))
    assert raw[PREFIX_LENGTH:] not in audit
    assert _hash(raw) not in audit
    assert raw[PREFIX_LENGTH:] not in caplog.text


# -- the command ----------------------------------------------------------------------------------


def test_command_prints_the_token_once_with_a_warning(user, capsys):
    call_command("api_token", "Claire@Bank.example", "--name", "crm")
    out, err = capsys.readouterr()
    raw = out.strip()
    assert api_token_authenticate(raw) == user
    assert "shown only once" in err
    assert raw not in err
    assert ApiToken.objects.get().name == "crm"


def test_command_lists_prefixes_and_revokes(user, capsys):
    raw = api_token_create(user=user, name="crm")
    call_command("api_token", user.email, "--list")
    listing = capsys.readouterr().out
    assert raw[:PREFIX_LENGTH] in listing
    assert "crm" in listing
    assert "active" in listing
    assert raw[PREFIX_LENGTH:] not in listing
    call_command("api_token", user.email, "--revoke", raw[:PREFIX_LENGTH])
    assert "revoked" in capsys.readouterr().out
    assert api_token_authenticate(raw) is None
    call_command("api_token", user.email, "--list")
    assert "revoked" in capsys.readouterr().out


def test_command_expiry_option(user, capsys):
    call_command("api_token", user.email, "--expires-in-days", "30")
    token = ApiToken.objects.get()
    assert token.expires_at is not None
    assert timedelta(days=29) < token.expires_at - timezone.now() <= timedelta(days=30)
    with pytest.raises(CommandError, match="at least 1"):
        call_command("api_token", user.email, "--expires-in-days", "0")


def test_command_errors_are_clear(user):
    with pytest.raises(CommandError, match="No user with the e-mail address 'nobody@bank"):
        call_command("api_token", "nobody@bank.example")
    with pytest.raises(CommandError, match="No single active token"):
        call_command("api_token", user.email, "--revoke", "tdm_zzzz")
    user.is_active = False
    user.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="not active"):
        call_command("api_token", user.email)
    assert not ApiToken.objects.exists()
