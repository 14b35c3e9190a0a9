"""The Django admin, for administrators only, each confined to the subtree they administer.

Every model admin here filters its queryset by the actor's administrator grants and limits the
choices of its foreign keys the same way, so an administrator of regional bank A can neither
see nor pick anything of regional bank B. Employees come from the HR import (``import_org``).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import ForeignKey, Model, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from tandem.accounts.models import LoginAttempt, User
from tandem.core.actors import Actor
from tandem.core.models import PeriodicJobLease, WorkerProcess
from tandem.organisation.models import Customer, Employee, Holiday, Node, Role, RoleGrant
from tandem.organisation.services import node_insert

ADMIN_ROLES = (Role.ADMINISTRATOR,)


def request_actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


class TandemAdminSite(admin.AdminSite):
    site_header = _("Tandem administration")
    site_title = _("Tandem administration")
    index_title = _("Organisation, employees and roles")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not user.is_active or not user.is_authenticated:
            return False
        return request_actor(request).has_role(Role.ADMINISTRATOR)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # One sign-in page (with its throttling) for the whole product. A signed-in employee
        # who is not an administrator gets a plain refusal (sending them to sign in again would
        # bounce straight back here).
        if request.user.is_authenticated:
            raise PermissionDenied
        target = request.GET.get("next") or reverse("admin:index")
        return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


admin_site = TandemAdminSite(name="admin")


class ScopedAdmin(admin.ModelAdmin):
    """Rows and foreign-key choices limited to the administrator's subtree."""

    # The lookup from this model to a node path, e.g. "path" or "node__path".
    scope_field = "path"
    superuser_only = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        actor = request_actor(request)
        return super().get_queryset(request).filter(actor.scope_q(self.scope_field, ADMIN_ROLES))

    def _allowed(self, request: HttpRequest) -> bool:
        if self.superuser_only:
            return bool(request.user.is_superuser)
        return admin_site.has_permission(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        actor = request_actor(request)
        if db_field.related_model is Node:
            kwargs["queryset"] = Node.objects.filter(actor.scope_q("path", ADMIN_ROLES))
        elif db_field.related_model is Employee:
            kwargs["queryset"] = Employee.objects.select_related("user").filter(
                actor.scope_q("node__path", ADMIN_ROLES)
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyScopedAdmin(ScopedAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Node, site=admin_site)
class NodeAdmin(ScopedAdmin):
    list_display = ("name", "code", "kind", "city", "postcode", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code", "city", "postcode")
    ordering = ("depth", "code")

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        # Moving a subtree would rewrite every path below it: not an admin-form operation.
        return ("kind", "parent") if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # deactivate instead: customer data keeps pointing at the node

    def save_model(self, request: HttpRequest, obj: Node, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
        else:
            node_insert(node=obj)


@admin.register(Holiday, site=admin_site)
class HolidayAdmin(ScopedAdmin):
    scope_field = "node__path"
    list_display = ("date", "name", "node")
    list_filter = ("date",)


@admin.register(Employee, site=admin_site)
class EmployeeAdmin(ScopedAdmin):
    scope_field = "node__path"
    list_display = ("__str__", "employee_number", "job_title", "node", "is_active")
    list_filter = ("is_active",)
    search_fields = ("user__email", "user__last_name", "employee_number")
    readonly_fields = ("user", "employee_number", "node")
    list_select_related = ("user", "node")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # employees come from the HR import


@admin.register(RoleGrant, site=admin_site)
class RoleGrantAdmin(ScopedAdmin):
    # Both ends must be in scope: the node the role covers and the employee receiving it.
    scope_field = "node__path"
    list_display = ("employee", "role", "node")
    list_filter = ("role",)
    list_select_related = ("employee__user", "node")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        actor = request_actor(request)
        return (
            super().get_queryset(request).filter(actor.scope_q("employee__node__path", ADMIN_ROLES))
        )


@admin.register(Customer, site=admin_site)
class CustomerAdmin(ReadOnlyScopedAdmin):
    scope_field = "branch__path"
    list_display = ("display_name", "reference", "branch", "advisor")
    search_fields = ("reference", "display_name")
    list_select_related = ("branch", "advisor__user")


@admin.register(User, site=admin_site)
class UserAdmin(ScopedAdmin):
    scope_field = "employee__node__path"
    list_display = ("email", "first_name", "last_name", "is_active", "language")
    search_fields = ("email", "last_name")
    fields = ("email", "first_name", "last_name", "language", "is_active")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # deactivate instead; the audit trail keeps pointing at the person


@admin.register(LoginAttempt, site=admin_site)
class LoginAttemptAdmin(ReadOnlyScopedAdmin):
    superuser_only = True
    list_display = ("attempted_at", "email", "ip_address", "succeeded")
    list_filter = ("succeeded",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return LoginAttempt.objects.all()


@admin.register(PeriodicJobLease, site=admin_site)
class PeriodicJobLeaseAdmin(ReadOnlyScopedAdmin):
    superuser_only = True
    list_display = (
        "name",
        "leased_by",
        "last_started_at",
        "last_finished_at",
        "last_succeeded",
        "next_run_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return PeriodicJobLease.objects.all()


@admin.register(WorkerProcess, site=admin_site)
class WorkerProcessAdmin(ReadOnlyScopedAdmin):
    superuser_only = True
    list_display = ("worker_id", "hostname", "pid", "started_at", "seen_at", "stop_reason")
    list_filter = ("stop_reason",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return WorkerProcess.objects.order_by("-started_at")
