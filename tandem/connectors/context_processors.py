"""The banner administrators see on every page while an account of theirs needs attention."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest

from tandem.connectors.models import SocialAccount
from tandem.organisation.models import Role


def account_alerts(request: HttpRequest) -> dict[str, object]:
    actor = getattr(request, "actor", None)
    user = getattr(request, "user", None)
    if actor is None or user is None or not user.is_authenticated:
        return {}
    if not actor.has_role(Role.ADMINISTRATOR):
        return {}
    unhealthy = SocialAccount.objects.filter(
        actor.scope_q("owner__path", [Role.ADMINISTRATOR]), is_active=True
    ).filter(Q(unhealthy_since__isnull=False) | Q(token_valid=False) | Q(webhooks_subscribed=False))
    return {"unhealthy_accounts": unhealthy.count()}
