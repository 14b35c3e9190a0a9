"""The JSON API (``/api/v1/``): one NinjaAPI, each app's router, one error handler.

Authentication is by bearer token only (``Authorization: Bearer tdm_…``, issued with
``tandem api_token USERNAME``): a session cookie is never accepted, so the API needs no CSRF
check. A token acts exactly as its user: ``request.actor`` is that user's actor, with the same
grants and scope as in the browser.

Every error answers ``{"detail": …}``: a sentence for business refusals, not-found and
authentication, the list of input errors for invalid input (422).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from tandem.accounts.tokens import api_token_authenticate
from tandem.compliance.api import router as compliance_router
from tandem.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from tandem.inbox.api import router as inbox_router
from tandem.organisation.actors import actor_for_user


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; sets ``request.user`` and ``request.actor``."""

    def __call__(self, request: HttpRequest) -> Any:
        # Overridden so that a malformed header is never logged (the parent logs it in DEBUG).
        scheme, _, token = request.headers.get(self.header, "").partition(" ")
        if scheme.lower() != self.openapi_scheme or not token.strip():
            return None
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is None:
            return None
        # The token's user, whatever session cookie came along with the request.
        request.user = user
        request.actor = actor_for_user(user)  # type: ignore[attr-defined]
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language
        return user


api = NinjaAPI(
    title="Tandem API",
    version="1",
    description=(
        "Conversations of the bank's branch employees with customers on Meta's networks, and "
        "the customer links the bank's app issues. Authenticate with `Authorization: Bearer "
        "<token>` (`tandem api_token USERNAME`); a token sees and does exactly what its user "
        'may. Errors answer `{"detail": …}`.'
    ),
    urls_namespace="api",
    auth=TokenAuth(),
    # The interactive docs would load their assets from a CDN; the schema is enough.
    docs_url=None,
)


def api_error(request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
    """The one error handler: every refusal becomes ``{"detail": …}`` with its status."""
    if isinstance(exc, type):  # ninja's handler type allows a class; it always passes instances
        exc = exc()
    status: int
    detail: Any
    if isinstance(exc, Http404):
        status, detail = 404, "Not found."
    elif isinstance(exc, ValidationError):
        status, detail = 422, exc.errors
    elif isinstance(exc, AuthenticationError):
        status, detail = 401, "Authentication required: send Authorization: Bearer <token>."
    elif isinstance(exc, HttpError):
        status, detail = exc.status_code, exc.message
    elif isinstance(exc, PermissionDenied):
        status, detail = 403, exc.message
    elif isinstance(exc, ValidationFailed):
        status, detail = 422, exc.message
    elif isinstance(exc, ApplicationError):
        status, detail = 400, exc.message
    else:  # pragma: no cover — only the classes registered below reach this handler
        raise exc
    response = api.create_response(request, {"detail": detail}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="tandem"'
    return response


for _error_class in (Http404, ValidationError, HttpError, ApplicationError):
    api.add_exception_handler(_error_class, api_error)

api.add_router("", inbox_router)
api.add_router("", compliance_router)


def openapi_document() -> str:
    """The OpenAPI schema as committed in ``docs/api/openapi.json`` (``make openapi``)."""
    schema = api.get_openapi_schema()
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
