"""Sign-in and sign-out. The session language follows the user's preference after sign-in."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.forms import EmailField
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tandem.accounts.throttling import login_attempt_record, login_is_locked


def client_address(request: HttpRequest) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy sets it.
    return request.META.get("REMOTE_ADDR") or None


class SignInForm(AuthenticationForm):
    username = EmailField(
        label=_("Work e-mail"),
        max_length=254,
        widget=EmailField.widget(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("E-mail or password incorrect."),
        "locked": _(
            "Too many failed attempts. Sign-in is paused for this account for a few minutes."
        ),
    }

    def clean_username(self) -> str:
        # Addresses are stored lower-case; people type them any way.
        return str(self.cleaned_data["username"]).strip().lower()

    def clean(self) -> dict[str, Any]:
        email = (self.cleaned_data.get("username") or "").strip().lower()
        ip_address = client_address(self.request) if self.request else None
        if email and login_is_locked(email=email, ip_address=ip_address):
            login_attempt_record(email=email, ip_address=ip_address, succeeded=False)
            raise ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except ValidationError:
            if email:
                login_attempt_record(email=email, ip_address=ip_address, succeeded=False)
            raise
        login_attempt_record(email=email, ip_address=ip_address, succeeded=True)
        return cleaned


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        language = getattr(form.get_user(), "language", None)
        if language:
            translation.activate(language)
            response.set_cookie("django_language", language, samesite="Lax")
        return response


class SignOutView(auth_views.LogoutView):
    pass
