from __future__ import annotations

from django.http import HttpRequest

from tandem.organisation.models import Role


def actor(request: HttpRequest) -> dict[str, object]:
    current = getattr(request, "actor", None)
    if current is None or not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {
        "actor": current,
        "actor_is_admin": current.has_role(Role.ADMINISTRATOR),
        "actor_is_compliance": current.has_role(Role.COMPLIANCE_OFFICER),
    }
