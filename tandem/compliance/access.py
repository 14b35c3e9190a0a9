"""Who may see and do what in compliance: officers, each over the regional banks they cover.

A compliance officer covers a regional bank when their grant is on it or above it (brand,
group); a grant on a branch covers no regional bank. Everything here answers 404 — never
"forbidden" — for an object outside that scope, so another bank's ids reveal nothing.
"""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet
from django.http import Http404

from tandem.compliance.models import RULE_NODE_KINDS, ReviewRequest, WordingRule
from tandem.core.actors import Actor
from tandem.organisation.models import Node, NodeKind, Role

OFFICER_ROLES = (Role.COMPLIANCE_OFFICER,)


def officer_regional_banks(actor: Actor) -> QuerySet[Node]:
    """The regional banks whose compliance the actor oversees (all of them for a superuser)."""
    if not actor.is_authenticated:
        return Node.objects.none()
    return Node.objects.filter(
        actor.scope_q("path", OFFICER_ROLES), kind=NodeKind.REGIONAL_BANK
    ).order_by("name")


def officer_regional_bank_ids(actor: Actor) -> frozenset[int]:
    return frozenset(officer_regional_banks(actor).values_list("pk", flat=True))


def require_officer(actor: Actor) -> frozenset[int]:
    """The officer's regional banks; 404 for anyone who oversees none."""
    regional_bank_ids = officer_regional_bank_ids(actor)
    if not regional_bank_ids:
        raise Http404
    return regional_bank_ids


def rule_nodes_for_officer(actor: Actor) -> QuerySet[Node]:
    """The groups, brands and regional banks on which the actor may set wording rules."""
    if not actor.is_authenticated:
        return Node.objects.none()
    return Node.objects.filter(
        actor.scope_q("path", OFFICER_ROLES), kind__in=RULE_NODE_KINDS, is_active=True
    ).order_by("depth", "name")


def can_edit_rule_node(actor: Actor, node: Node | None) -> bool:
    """Product defaults (no node) belong to the platform: only a superuser edits them."""
    if node is None:
        return actor.is_superuser
    return node.kind in RULE_NODE_KINDS and actor.covers(node.path, OFFICER_ROLES)


def visible_rules(actor: Actor) -> QuerySet[WordingRule]:
    """Rules in force somewhere the officer oversees: the defaults, those inherited from the
    groups and brands above their regional banks, and those set inside their scope."""
    if actor.is_superuser:
        return WordingRule.objects.all()
    paths = officer_regional_banks(actor).values_list("path", flat=True)
    ancestors = {int(part) for path in paths for part in path.strip("/").split("/") if part}
    if not ancestors:
        return WordingRule.objects.none()
    return WordingRule.objects.filter(
        Q(node__isnull=True)
        | Q(node_id__in=sorted(ancestors))
        | actor.scope_q("node__path", OFFICER_ROLES)
    )


def access_rule(*, actor: Actor, rule_id: int | str) -> WordingRule:
    try:
        key = int(rule_id)
    except (TypeError, ValueError):
        raise Http404 from None
    rule = visible_rules(actor).select_related("node").filter(pk=key).first()
    if rule is None:
        raise Http404
    return rule


def access_review(*, actor: Actor, review_id: uuid.UUID | str) -> ReviewRequest:
    try:
        key = uuid.UUID(str(review_id))
    except ValueError:
        raise Http404 from None
    review = (
        ReviewRequest.objects.select_related("author__user", "regional_bank", "branch")
        .filter(regional_bank_id__in=officer_regional_bank_ids(actor), pk=key)
        .first()
    )
    if review is None:
        raise Http404
    return review
