"""Wording-rule services: officers create, change, switch off and on rules in their scope.

Every change is validated by the model (including the safe-regex guard, ``patterns.py``) and
written to the audit trail with the rule's scope. Product defaults (no node) are changed by a
superuser only; an officer overrides a default by creating a rule with the same name on their
own node (an inactive one switches it off there). Rules are never deleted: the audit trail and
past review requests keep pointing at them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tandem.compliance.access import can_edit_rule_node
from tandem.compliance.models import WordingRule
from tandem.core.actors import Actor
from tandem.core.audit import audit_record
from tandem.core.errors import PermissionDenied, ValidationFailed
from tandem.organisation.models import Node, NodeKind

EDITABLE_FIELDS = (
    "name", "kind", "applies_to", "public_only", "keywords", "pattern", "context_keywords",
    "exceptions", "mention_text", "explanation", "legal_source", "legal_source_url",
    "is_active", "order",
)  # fmt: skip


def _check(actor: Actor, node: Node | None) -> None:
    if not can_edit_rule_node(actor, node):
        raise PermissionDenied(_("You may only change rules on the nodes you oversee."))


def _validate(rule: WordingRule) -> None:
    try:
        rule.full_clean(exclude=["created_by", "updated_by"])
    except ValidationError as error:
        errors = error.message_dict
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, extra={"errors": errors}) from None


def _regional_bank_of(node: Node | None) -> int | None:
    return node.pk if node is not None and node.kind == NodeKind.REGIONAL_BANK else None


def _record(actor: Actor, action: str, rule: WordingRule, changed: list[str]) -> None:
    audit_record(
        actor=actor,
        action=f"compliance.wording_rule.{action}",
        regional_bank_id=_regional_bank_of(rule.node),
        object_type="compliance.wordingrule",
        object_id=rule.pk,
        data={
            "name": rule.name,
            "node_id": rule.node_id,
            "kind": rule.kind,
            "is_active": rule.is_active,
            "changed": changed,
        },
    )


def rule_create(*, actor: Actor, node: Node | None, **fields: Any) -> WordingRule:
    """A new rule on ``node`` (a group, brand or regional bank the actor oversees)."""
    _check(actor, node)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown rule fields: %(names)s") % {"names": sorted(unknown)})
    rule = WordingRule(node=node, **fields)
    rule.created_by_id = rule.updated_by_id = actor.employee_id
    _validate(rule)
    with transaction.atomic():
        rule.save()
        _record(actor, "created", rule, sorted(fields))
    return rule


def rule_update(
    *, actor: Actor, rule: WordingRule, node: Node | None = None, **fields: Any
) -> WordingRule:
    """Change a rule in the actor's scope; ``node`` moves it to another node they oversee."""
    _check(actor, rule.node)
    target = node if node is not None else rule.node
    _check(actor, target)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown rule fields: %(names)s") % {"names": sorted(unknown)})
    changed = [name for name, value in fields.items() if getattr(rule, name) != value]
    if target != rule.node:
        changed.append("node")
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.node = target
    rule.updated_by_id = actor.employee_id
    _validate(rule)
    with transaction.atomic():
        rule.save()
        _record(actor, "updated", rule, changed)
    return rule


def rule_set_active(*, actor: Actor, rule: WordingRule, active: bool) -> WordingRule:
    """Switch a rule of the actor's scope off (kept for the record) or on again."""
    _check(actor, rule.node)
    if rule.is_active == active:
        return rule
    rule.is_active = active
    rule.updated_by_id = actor.employee_id
    with transaction.atomic():
        rule.save(update_fields=["is_active", "updated_by", "updated_at"])
        _record(actor, "activated" if active else "deactivated", rule, ["is_active"])
    return rule
