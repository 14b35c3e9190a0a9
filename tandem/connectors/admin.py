"""Administrators' view of the connector: accounts and their health, events, calls to Meta.

Registered on Tandem's scoped admin site: each administrator sees the accounts owned in their
subtree, the events and calls of those accounts, and nothing else. Events that reached no
known account are the platform's (superusers only). Tokens are never displayed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tandem.connectors.models import OutboundCall, SocialAccount, WebhookEvent
from tandem.connectors.services import account_connect
from tandem.core.errors import ApplicationError
from tandem.organisation.admin_site import (
    ADMIN_ROLES,
    ReadOnlyScopedAdmin,
    ScopedAdmin,
    admin_site,
    request_actor,
)


class SocialAccountForm(forms.ModelForm):
    access_token = forms.CharField(
        label=_("Access token"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted, never shown again. Leave empty to keep the current one."),
    )

    class Meta:
        model = SocialAccount
        fields = ("platform", "external_id", "name", "handle", "owner", "is_active")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk is None and not cleaned.get("access_token"):
            self.add_error("access_token", _("A new account needs its access token."))
        return cleaned


@admin.register(SocialAccount, site=admin_site)
class SocialAccountAdmin(ScopedAdmin):
    scope_field = "owner__path"
    form = SocialAccountForm
    list_display = (
        "name",
        "platform",
        "external_id",
        "owner",
        "health",
        "last_event_at",
        "is_active",
    )
    list_filter = ("platform", "is_active", "token_valid")
    search_fields = ("name", "external_id", "handle")
    list_select_related = ("owner",)
    readonly_fields = (
        "token_fingerprint",
        "token_set_at",
        "token_valid",
        "webhooks_subscribed",
        "last_event_at",
        "last_error_code",
        "last_error_message",
        "unhealthy_since",
    )

    @admin.display(description=_("health"))
    def health(self, account: SocialAccount) -> str:
        if not account.is_active:
            return str(_("inactive"))
        if account.unhealthy_since is not None or account.token_valid is False:
            return str(_("needs a new token"))
        if account.webhooks_subscribed is False:
            return str(_("webhooks not subscribed"))
        return str(_("healthy"))

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        fixed = ("platform", "external_id") if obj is not None else ()
        return (*fixed, *self.readonly_fields)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # deactivate instead: events and calls keep pointing at the account

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        token = form.cleaned_data.get("access_token")
        if not token:
            super().save_model(request, obj, form, change)
            return
        try:
            account, _created = account_connect(
                actor=request_actor(request),
                platform=obj.platform,
                external_id=obj.external_id,
                owner=obj.owner,
                token=token,
                name=obj.name,
                handle=obj.handle,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
            raise
        obj.pk = account.pk
        obj._state.adding = False


@admin.register(WebhookEvent, site=admin_site)
class WebhookEventAdmin(ReadOnlyScopedAdmin):
    scope_field = "account__owner__path"
    list_display = ("received_at", "kind", "account", "status", "attempts", "short_error")
    list_filter = ("status", "kind")
    search_fields = ("idempotency_key",)
    list_select_related = ("account",)
    # The body holds customer text: administrators see the error, not the message.
    exclude = ("body",)

    @admin.display(description=_("error"))
    def short_error(self, event: WebhookEvent) -> str:
        return event.last_error.splitlines()[0][:120] if event.last_error else ""

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = WebhookEvent.objects.select_related("account")
        if request.user.is_superuser:
            return queryset
        actor = request_actor(request)
        return queryset.filter(actor.scope_q("account__owner__path", ADMIN_ROLES))


@admin.register(OutboundCall, site=admin_site)
class OutboundCallAdmin(ReadOnlyScopedAdmin):
    scope_field = "account__owner__path"
    list_display = ("created_at", "kind", "account", "status", "attempts", "error_code")
    list_filter = ("status", "kind")
    list_select_related = ("account",)
    exclude = ("payload", "result")
