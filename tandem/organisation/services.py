"""Writes to the organisation tree. Paths and regional banks are maintained here, nowhere else."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tandem.core.actors import Actor
from tandem.core.errors import PermissionDenied, ValidationFailed
from tandem.organisation.models import (
    PARENT_KIND,
    Customer,
    Employee,
    Node,
    NodeKind,
    Role,
    RoleGrant,
)

NODE_DETAIL_FIELDS = ("address", "postcode", "city", "phone", "email", "opening_hours", "timezone")


def _regional_bank_of(node: Node) -> Node | None:
    if node.kind == NodeKind.REGIONAL_BANK:
        return node
    return node.regional_bank


def node_check_placement(*, kind: str, parent: Node | None) -> None:
    """Refuse a node whose kind does not fit under ``parent`` (a brand goes under a group …)."""
    expected_parent = PARENT_KIND[NodeKind(kind)]
    if (parent is None) != (expected_parent is None) or (
        parent is not None and parent.kind != expected_parent
    ):
        raise ValidationFailed(
            f"A {NodeKind(kind).label} cannot be placed under {parent or 'nothing'}."
        )


@transaction.atomic
def node_insert(*, node: Node) -> Node:
    """Save a new, unsaved ``node``, computing its path, depth and regional bank."""
    node_check_placement(kind=node.kind, parent=node.parent)
    parent = node.parent
    # A unique placeholder until the id is known; replaced just below.
    node.path = f"pending:{node.code}"
    node.depth = 0 if parent is None else parent.depth + 1
    node.save()
    node.path = f"{parent.path if parent else '/'}{node.pk}/"
    if node.kind == NodeKind.REGIONAL_BANK:
        node.regional_bank = node
    else:
        node.regional_bank = parent.regional_bank if parent else None
    node.save(update_fields=["path", "regional_bank"])
    return node


def node_create(*, kind: str, code: str, name: str, parent: Node | None, **details: Any) -> Node:
    """Create a node under ``parent``; the kind must fit (brand under group, …)."""
    unknown = set(details) - set(NODE_DETAIL_FIELDS)
    if unknown:
        raise ValidationFailed(f"Unknown node fields: {', '.join(sorted(unknown))}")
    return node_insert(node=Node(kind=kind, code=code, name=name, parent=parent, **details))


def node_update_details(*, node: Node, name: str | None = None, **details: Any) -> bool:
    """Update descriptive fields; True when something changed."""
    changed = []
    if name is not None and node.name != name:
        node.name = name
        changed.append("name")
    for field_name, value in details.items():
        if field_name not in NODE_DETAIL_FIELDS:
            raise ValidationFailed(f"Unknown node field: {field_name}")
        if getattr(node, field_name) != value:
            setattr(node, field_name, value)
            changed.append(field_name)
    if changed:
        node.save(update_fields=[*changed, "updated_at"])
    return bool(changed)


def employee_attach(*, employee: Employee, node: Node) -> None:
    employee.node = node
    employee.regional_bank = _regional_bank_of(node)


def role_grant_add(*, actor: Actor, employee: Employee, role: str, node: Node) -> RoleGrant:
    """Give ``role`` on ``node``. Only an administrator covering ``node`` may do it."""
    if not actor.has_role(Role.ADMINISTRATOR, path=node.path):
        raise PermissionDenied("Only an administrator of this part of the bank may grant roles.")
    if role not in Role.values:
        raise ValidationFailed(f"Unknown role: {role}")
    grant, _ = RoleGrant.objects.get_or_create(employee=employee, role=role, node=node)
    return grant


def customer_create(
    *,
    regional_bank: Node,
    reference: str,
    display_name: str,
    branch: Node,
    advisor: Employee | None,
) -> Customer:
    if branch.regional_bank_id != regional_bank.pk:
        raise ValidationFailed("The customer's branch belongs to another regional bank.")
    if advisor is not None and advisor.regional_bank_id != regional_bank.pk:
        raise ValidationFailed("The customer's advisor works for another regional bank.")
    return Customer.objects.create(
        regional_bank=regional_bank,
        reference=reference,
        display_name=display_name,
        branch=branch,
        advisor=advisor,
    )
