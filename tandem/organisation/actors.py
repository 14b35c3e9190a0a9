"""Resolve the ``Actor`` of a user: their role grants and the regional banks those reach."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from tandem.core.actors import ANONYMOUS, Actor, Grant
from tandem.organisation.models import Employee, Node, NodeKind, RoleGrant


def actor_for_user(user: Any) -> Actor:
    """Two queries for an employee; none for an anonymous user."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    if user.is_superuser:
        return Actor(user_id=user.pk, is_superuser=True)
    rows = list(
        RoleGrant.objects.filter(
            employee__user_id=user.pk, employee__is_active=True, node__is_active=True
        ).values_list(
            "employee_id", "role", "node_id", "node__path", "node__kind", "node__regional_bank_id"
        )
    )
    if not rows:
        employee_id = (
            Employee.objects.filter(user_id=user.pk, is_active=True)
            .values_list("pk", flat=True)
            .first()
        )
        return Actor(user_id=user.pk, employee_id=employee_id)
    grants = tuple(
        Grant(role=role, node_id=node_id, path=path) for _, role, node_id, path, _, _ in rows
    )
    regional_banks = {rb for *_, kind, rb in rows if rb is not None}
    above = [path for _, _, _, path, kind, _ in rows if kind in (NodeKind.GROUP, NodeKind.BRAND)]
    if above:
        condition = Q()
        for path in above:
            condition |= Q(path__startswith=path)
        regional_banks.update(
            Node.objects.filter(condition, kind=NodeKind.REGIONAL_BANK).values_list("pk", flat=True)
        )
    return Actor(
        user_id=user.pk,
        employee_id=rows[0][0],
        grants=grants,
        regional_bank_ids=frozenset(regional_banks),
    )
