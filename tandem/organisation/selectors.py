"""Reads of the organisation, scoped by the actor first."""

from __future__ import annotations

from django.db.models import QuerySet

from tandem.core.actors import Actor
from tandem.organisation.models import Customer, Employee, Node, NodeKind, RoleGrant


def node_list_for_actor(*, actor: Actor, kind: str | None = None) -> QuerySet[Node]:
    queryset = Node.objects.filter(actor.scope_q("path")).order_by("path")
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    return queryset


def employee_list_for_actor(*, actor: Actor, node: Node | None = None) -> QuerySet[Employee]:
    queryset = Employee.objects.select_related("user", "node").filter(actor.scope_q("node__path"))
    if node is not None:
        queryset = queryset.filter(node__path__startswith=node.path)
    return queryset.order_by("user__last_name", "user__first_name")


def customer_list_for_actor(*, actor: Actor) -> QuerySet[Customer]:
    queryset = Customer.objects.select_related("branch", "advisor__user")
    if not actor.is_superuser:
        queryset = queryset.filter(regional_bank_id__in=actor.regional_bank_ids)
    return queryset.filter(actor.scope_q("branch__path")).order_by("display_name")


def node_ancestors(*, node: Node) -> list[Node]:
    """The chain from the root to ``node`` included, in one query."""
    by_id = Node.objects.in_bulk(node.ancestor_ids())
    return [by_id[pk] for pk in node.ancestor_ids() if pk in by_id]


def colleague_list(*, employee: Employee, limit: int = 50) -> QuerySet[Employee]:
    """The active employees attached to the same node, the employee excluded."""
    return (
        Employee.objects.select_related("user")
        .prefetch_related("grants")
        .filter(node_id=employee.node_id, is_active=True)
        .exclude(pk=employee.pk)
        .order_by("user__last_name", "user__first_name")[:limit]
    )


def grant_list_for_employee(*, employee: Employee) -> QuerySet[RoleGrant]:
    return RoleGrant.objects.select_related("node").filter(employee=employee).order_by("role")


def subtree_counts(*, node: Node) -> dict[str, int]:
    """How many branches and employees sit under ``node`` (for the home page)."""
    return {
        "branches": Node.objects.filter(
            path__startswith=node.path, kind=NodeKind.BRANCH, is_active=True
        ).count(),
        "employees": Employee.objects.filter(
            node__path__startswith=node.path, is_active=True
        ).count(),
    }
