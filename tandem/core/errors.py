"""Errors that services raise; views and the API turn them into responses."""

from __future__ import annotations


class ApplicationError(Exception):
    """A business rule refused the operation. ``message`` is safe to show to the user."""

    def __init__(self, message: str, *, extra: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class PermissionDenied(ApplicationError):
    """The actor may not do this (the object itself is visible to them)."""


class ValidationFailed(ApplicationError):
    """The input breaks a rule; ``extra["errors"]`` may carry details per field."""
