"""Social accounts: connecting them, their tokens, their health."""

from __future__ import annotations

import hashlib
import logging

from django.db import transaction
from django.utils import timezone

from tandem.connectors.models import EventStatus, Platform, SocialAccount, WebhookEvent
from tandem.core.actors import Actor
from tandem.core.encryption import encrypt, rotate
from tandem.core.errors import PermissionDenied, ValidationFailed
from tandem.core.tasks import enqueue_on_commit
from tandem.organisation.models import Node, NodeKind, Role

logger = logging.getLogger(__name__)

# Meta's webhook ``object`` for each platform.
WEBHOOK_OBJECT = {
    Platform.FACEBOOK: "page",
    Platform.INSTAGRAM: "instagram",
    Platform.WHATSAPP: "whatsapp_business_account",
}


def _fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:12]


def account_connect(
    *,
    actor: Actor,
    platform: str,
    external_id: str,
    owner: Node,
    token: str,
    name: str = "",
    handle: str = "",
) -> tuple[SocialAccount, bool]:
    """Connect (or reconnect with a new token) a Page, Instagram account or WhatsApp number.

    Only an administrator covering ``owner`` may do it. Events that arrived for this account
    before it was known are queued for processing. Returns the account and whether it is new.
    """
    if not actor.has_role(Role.ADMINISTRATOR, path=owner.path):
        raise PermissionDenied("Only an administrator of this part of the bank may connect it.")
    if platform not in Platform.values:
        raise ValidationFailed(f"Unknown network {platform!r} (facebook, instagram, whatsapp).")
    external_id = external_id.strip()
    if not external_id.isdigit() or len(external_id) > 64:
        raise ValidationFailed("The identifier on the network is a number (Page id, account id…).")
    token = token.strip()
    if len(token) < 8 or any(character.isspace() for character in token):
        raise ValidationFailed("The access token is missing or malformed.")
    now = timezone.now()
    with transaction.atomic():
        account = (
            SocialAccount.objects.select_for_update()
            .filter(platform=platform, external_id=external_id)
            .first()
        )
        created = account is None
        if account is None:
            account = SocialAccount(platform=platform, external_id=external_id)
        elif account.owner_id != owner.pk and not actor.has_role(
            Role.ADMINISTRATOR, path=account.owner.path
        ):
            raise PermissionDenied("This account is connected elsewhere in the bank.")
        account.owner = owner
        account.regional_bank = (
            owner if owner.kind == NodeKind.REGIONAL_BANK else (owner.regional_bank)
        )
        account.name = name or account.name or f"{Platform(platform).label} {external_id}"
        account.handle = handle or account.handle
        account.token_ciphertext = encrypt(token)
        account.token_fingerprint = _fingerprint(token)
        account.token_set_at = now
        account.token_valid = None
        account.unhealthy_since = None
        account.last_error_code = None
        account.last_error_message = ""
        account.is_active = True
        account.save()
        waiting = list(
            WebhookEvent.objects.filter(
                status=EventStatus.UNKNOWN_ACCOUNT,
                object=WEBHOOK_OBJECT[Platform(platform)],
                account_external_id=external_id,
            ).values_list("pk", flat=True)
        )
        if waiting:
            WebhookEvent.objects.filter(pk__in=waiting).update(
                status=EventStatus.PENDING,
                account=account,
                regional_bank=account.regional_bank,
                next_attempt_at=now,
            )
            from tandem.connectors.tasks import webhook_event_process_task

            for event_id in waiting:
                enqueue_on_commit(webhook_event_process_task, event_id)
    logger.info(
        "connectors.account.connected",
        extra={
            "account_id": account.pk,
            "platform": platform,
            "is_new": created,
            "waiting_events": len(waiting),
        },
    )
    return account, created


def account_mark_unhealthy(*, account_id: int, code: int | None, message: str) -> None:
    """The token or a permission is gone: administrators see it on the account's health."""
    now = timezone.now()
    SocialAccount.objects.filter(pk=account_id, unhealthy_since__isnull=True).update(
        unhealthy_since=now
    )
    SocialAccount.objects.filter(pk=account_id).update(
        token_valid=False, last_error_code=code, last_error_message=message[:500]
    )
    logger.warning("connectors.account.unhealthy", extra={"account_id": account_id, "code": code})


def account_mark_healthy(*, account_id: int, webhooks_subscribed: bool | None = None) -> None:
    fields: dict[str, object] = {"token_valid": True, "unhealthy_since": None}
    if webhooks_subscribed is not None:
        fields["webhooks_subscribed"] = webhooks_subscribed
    SocialAccount.objects.filter(pk=account_id).update(**fields)


def account_tokens_rotate() -> int:
    """Re-encrypt every stored token with the newest key; returns how many rows changed."""
    changed = 0
    for account in SocialAccount.objects.exclude(token_ciphertext="").only(
        "pk", "token_ciphertext"
    ):
        rotated = rotate(account.token_ciphertext)
        if rotated != account.token_ciphertext:
            SocialAccount.objects.filter(pk=account.pk).update(token_ciphertext=rotated)
            changed += 1
    return changed
