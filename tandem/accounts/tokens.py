"""API bearer tokens: issued once, stored as a hash, acting exactly as their user.

A token is ``tdm_`` followed by 40 url-safe characters from ``secrets`` (240 bits). Only its
SHA-256 is stored: a database leak gives no usable token, and authentication looks the token up
by that hash, so the time it takes says nothing about how close a guess was. The first
``PREFIX_LENGTH`` characters are kept in clear so that people can tell their tokens apart and
revoke one. Tokens and hashes are never logged; the audit trail records the prefix only.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from tandem.accounts.models import ApiToken, User
from tandem.core.actors import Actor
from tandem.core.audit import audit_record
from tandem.core.errors import ApplicationError, ValidationFailed

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "tdm_"  # noqa: S105 — a public marker that makes leaked tokens easy to spot
SECRET_LENGTH = 40  # url-safe characters: 30 random bytes
PREFIX_LENGTH = 8
TOKEN_LENGTH = len(TOKEN_PREFIX) + SECRET_LENGTH
# Writing ``last_used_at`` on every request would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenNotFound(ApplicationError):
    """No active token of that user starts with that prefix (or more than one does)."""


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_token() -> str:
    # token_urlsafe(30) is 40 characters of base64url without padding.
    secret = secrets.token_urlsafe(SECRET_LENGTH * 3 // 4)
    return f"{TOKEN_PREFIX}{secret}"


def api_token_create(
    *,
    user: User,
    name: str,
    expires_at: datetime | None = None,
    actor: Actor | None = None,
) -> str:
    """Issue a token for ``user`` and return its plaintext, which is never available again."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationFailed("A token needs a name of at most 100 characters.")
    if not user.is_active:
        raise ValidationFailed("This user is not active.")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed("The expiry date must be in the future.")
    raw = _new_token()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            key_prefix=raw[:PREFIX_LENGTH],
            key_hash=_hash(raw),
            expires_at=expires_at,
        )
        audit_record(
            actor=actor,
            actor_label="" if actor is not None else "command line",
            action="accounts.api_token.created",
            object_type="api_token",
            object_id=token.pk,
            data={"user": user.pk, "prefix": token.key_prefix, "expires_at": expires_at},
        )
    logger.info("accounts.api_token.created", extra={"token": token.pk, "user": user.pk})
    return raw


def api_token_authenticate(raw: str, *, now: datetime | None = None) -> User | None:
    """The user ``raw`` acts as, or None for an unknown, revoked or expired token, or an
    inactive user. One query; a second, at most once a minute per token, for ``last_used_at``."""
    if len(raw) != TOKEN_LENGTH or not raw.startswith(TOKEN_PREFIX):
        return None
    digest = _hash(raw)
    token = ApiToken.objects.select_related("user").filter(key_hash=digest).first()
    # The row was found by its hash; comparing again in constant time costs nothing and keeps
    # the check independent of how the database compares strings.
    if token is None or not hmac.compare_digest(token.key_hash, digest):
        return None
    now = now or timezone.now()
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if not token.user.is_active:
        return None
    if token.last_used_at is None or token.last_used_at <= now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
    return token.user


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    """Every token of ``user``, newest first (revoked ones included, for the record)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-pk")


def api_token_revoke(
    *, user: User, key_prefix: str, actor: Actor | None = None, now: datetime | None = None
) -> ApiToken:
    """Revoke the one active token of ``user`` starting with ``key_prefix``."""
    key_prefix = key_prefix.strip()
    candidates = list(
        ApiToken.objects.filter(
            user=user, key_prefix=key_prefix[:PREFIX_LENGTH], revoked_at__isnull=True
        )
    )
    # A longer prefix than stored narrows nothing down: accept it only if it is consistent.
    matches = [token for token in candidates if key_prefix.startswith(token.key_prefix)]
    if len(key_prefix) < PREFIX_LENGTH or len(matches) != 1:
        raise ApiTokenNotFound(
            f"No single active token of this user starts with that prefix (give the first "
            f"{PREFIX_LENGTH} characters, as --list shows them)."
        )
    token = matches[0]
    now = now or timezone.now()
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=now)
        token.revoked_at = now
        audit_record(
            actor=actor,
            actor_label="" if actor is not None else "command line",
            action="accounts.api_token.revoked",
            object_type="api_token",
            object_id=token.pk,
            data={"user": user.pk, "prefix": token.key_prefix},
        )
    logger.info("accounts.api_token.revoked", extra={"token": token.pk, "user": user.pk})
    return token
