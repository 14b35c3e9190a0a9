"""Compliance in Tandem's admin: read-only for administrators, scoped to their subtree.

Compliance officers own the wording rules and decide reviews on their own pages
(``/conformite/``), where four-eyes and the audit trail are enforced. The admin only lets an
administrator look at what applies in their subtree, and lets a superuser maintain the
product's default rules — through the same service as the officers' pages, so every change is
validated and audited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

from tandem.compliance.models import ReviewRequest, WordingRule
from tandem.compliance.rules import EDITABLE_FIELDS, rule_create, rule_update
from tandem.organisation.admin_site import (
    ADMIN_ROLES,
    ReadOnlyScopedAdmin,
    ScopedAdmin,
    admin_site,
    request_actor,
)


@admin.register(WordingRule, site=admin_site)
class WordingRuleAdmin(ScopedAdmin):
    scope_field = "node__path"
    list_display = ("name", "node", "kind", "applies_to", "public_only", "is_active", "order")
    list_filter = ("kind", "applies_to", "is_active")
    search_fields = ("name", "keywords", "legal_source")
    list_select_related = ("node",)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # The product defaults apply everywhere: every administrator may read them.
        actor = request_actor(request)
        return WordingRule.objects.select_related("node").filter(
            Q(node__isnull=True) | actor.scope_q("node__path", ADMIN_ROLES)
        )

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return bool(request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # deactivate instead: past reviews and the audit trail name the rule

    def save_model(self, request: HttpRequest, obj: WordingRule, form: Any, change: bool) -> None:
        actor = request_actor(request)
        fields = {name: getattr(obj, name) for name in EDITABLE_FIELDS}
        if change:
            current = WordingRule.objects.get(pk=obj.pk)
            saved = rule_update(actor=actor, rule=current, node=obj.node, **fields)
        else:
            saved = rule_create(actor=actor, node=obj.node, **fields)
        obj.pk = saved.pk


@admin.register(ReviewRequest, site=admin_site)
class ReviewRequestAdmin(ReadOnlyScopedAdmin):
    scope_field = "regional_bank__path"
    list_display = ("created_at", "subject_type", "status", "author", "regional_bank")
    list_filter = ("status", "subject_type")
    list_select_related = ("author__user", "regional_bank")
    readonly_fields = (
        "regional_bank", "branch", "subject_type", "subject_id", "public", "text", "author",
        "status", "decided_by", "decided_at", "decision_note", "hits",
    )  # fmt: skip
