"""Permission-checked getters. An object outside the actor's scope does not exist (404)."""

from __future__ import annotations

import uuid

from django.http import Http404

from tandem.core.actors import Actor
from tandem.organisation.models import Customer, Employee, Node


def access_node(*, actor: Actor, node_id: int) -> Node:
    node = Node.objects.filter(actor.scope_q("path"), pk=node_id).first()
    if node is None:
        raise Http404
    return node


def access_employee(*, actor: Actor, employee_id: int) -> Employee:
    employee = (
        Employee.objects.select_related("user", "node")
        .filter(actor.scope_q("node__path"), pk=employee_id)
        .first()
    )
    if employee is None:
        raise Http404
    return employee


def access_customer(*, actor: Actor, customer_id: uuid.UUID | str) -> Customer:
    try:
        key = uuid.UUID(str(customer_id))
    except ValueError:
        raise Http404 from None
    queryset = Customer.objects.select_related("branch", "advisor__user")
    if not actor.is_superuser:
        queryset = queryset.filter(regional_bank_id__in=actor.regional_bank_ids)
    customer = queryset.filter(actor.scope_q("branch__path"), pk=key).first()
    if customer is None:
        raise Http404
    return customer
