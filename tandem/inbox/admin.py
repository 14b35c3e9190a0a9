"""Administrators edit the inbox's policy per regional bank: teams, presence and capacity,
topic rules, service levels, approved answers. Each sees their own regional bank's rows."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from tandem.inbox.models import AgentState, CannedAnswer, SlaPolicy, Team, TopicRule
from tandem.organisation.admin_site import ScopedAdmin, admin_site


class RegionalPolicyAdmin(ScopedAdmin):
    """Rows of one regional bank; the group defaults (no regional bank) are superusers'."""

    scope_field = "regional_bank__path"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        if request.user.is_superuser:
            return self.model.objects.all()
        return super().get_queryset(request)


@admin.register(Team, site=admin_site)
class TeamAdmin(ScopedAdmin):
    scope_field = "node__path"
    list_display = ("name", "kind", "node", "always_open")
    list_filter = ("kind",)
    filter_horizontal = ("members",)
    list_select_related = ("node",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.regional_bank_id = obj.node.regional_bank_id or obj.node_id
        super().save_model(request, obj, form, change)

    def get_exclude(self, request: HttpRequest, obj: Model | None = None) -> Any:
        return ("regional_bank",)


@admin.register(AgentState, site=admin_site)
class AgentStateAdmin(ScopedAdmin):
    scope_field = "employee__node__path"
    list_display = ("employee", "presence", "capacity", "last_assigned_at")
    list_filter = ("presence",)
    list_select_related = ("employee__user",)


@admin.register(TopicRule, site=admin_site)
class TopicRuleAdmin(RegionalPolicyAdmin):
    list_display = ("topic", "priority", "order", "regional_bank", "is_active")
    list_filter = ("topic", "priority", "is_active")


@admin.register(SlaPolicy, site=admin_site)
class SlaPolicyAdmin(RegionalPolicyAdmin):
    list_display = (
        "priority",
        "first_response_minutes",
        "next_response_minutes",
        "resolution_minutes",
        "regional_bank",
    )


@admin.register(CannedAnswer, site=admin_site)
class CannedAnswerAdmin(RegionalPolicyAdmin):
    list_display = ("title", "topic", "regional_bank", "is_active")
    list_filter = ("topic", "is_active")
    search_fields = ("title", "body")
