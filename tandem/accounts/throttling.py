"""Brute-force protection for the sign-in form.

After ``LOGIN_FAILURES_PER_ACCOUNT`` failures for one e-mail address, or
``LOGIN_FAILURES_PER_ADDRESS`` from one IP address, within ``LOGIN_LOCKOUT_MINUTES``, further
attempts are refused without checking the password until the window has passed. A successful
sign-in resets the count of its own account; the count per address is never reset by a success,
so one valid account cannot be used to keep guessing others from the same address.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from tandem.accounts.models import LoginAttempt


def _window_start() -> datetime:
    return timezone.now() - timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def login_is_locked(*, email: str, ip_address: str | None) -> bool:
    since = _window_start()
    email = email.strip().lower()
    last_success = (
        LoginAttempt.objects.filter(email=email, succeeded=True, attempted_at__gte=since)
        .order_by("-attempted_at")
        .values_list("attempted_at", flat=True)
        .first()
    )
    account_since = max(since, last_success) if last_success else since
    account_failures = LoginAttempt.objects.filter(
        email=email, succeeded=False, attempted_at__gte=account_since
    ).count()
    if account_failures >= settings.LOGIN_FAILURES_PER_ACCOUNT:
        return True
    if ip_address:
        address_failures = LoginAttempt.objects.filter(
            ip_address=ip_address, succeeded=False, attempted_at__gte=since
        ).count()
        if address_failures >= settings.LOGIN_FAILURES_PER_ADDRESS:
            return True
    return False


def login_attempt_record(*, email: str, ip_address: str | None, succeeded: bool) -> None:
    LoginAttempt.objects.create(
        email=email.strip().lower()[:254], ip_address=ip_address, succeeded=succeeded
    )
