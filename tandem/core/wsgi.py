"""Tandem's WSGI handler: Django's, except for the views marked ``without_middleware``.

Meta's webhook deliveries are the busiest requests Tandem serves and need none of the
middleware stack (sessions, authentication, CSRF, language, the actor, messages, htmx, static
files, security headers for browsers): their view checks its own signature and answers a
word of plain text. Such a view is called directly, its exceptions turned into responses as
Django does; every other request goes through the whole stack. ``request_started`` and
``request_finished`` (which manage the database connections) are sent for every request.
See ``docs/adr/0009-webhook-without-middleware.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from django.conf import settings
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponseBase
from django.urls import Resolver404, ResolverMatch, resolve, set_urlconf
from django.utils.log import log_response

View = TypeVar("View", bound=Callable[..., Any])


def without_middleware(view: View) -> View:
    """Serve ``view`` without the middleware stack (see the module's docstring)."""
    view.without_middleware = True  # type: ignore[attr-defined]
    return view


@lru_cache(maxsize=1024)
def _bare_match(path_info: str) -> ResolverMatch | None:
    """The match of ``path_info`` when its view is marked ``without_middleware``, else None
    (resolved once per path: the webhook's path is the same on every request)."""
    try:
        match = resolve(path_info)
    except Resolver404:
        return None
    return match if getattr(match.func, "without_middleware", False) else None


def _call_view(request: HttpRequest) -> HttpResponseBase:
    match = request.resolver_match
    assert match is not None
    response: HttpResponseBase = match.func(request, *match.args, **match.kwargs)
    return response


class TandemWSGIHandler(WSGIHandler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._bare_chain = convert_exception_to_response(_call_view)

    def get_response(self, request: HttpRequest) -> HttpResponseBase:
        match = _bare_match(request.path_info)
        if match is None:
            return super().get_response(request)
        set_urlconf(settings.ROOT_URLCONF)
        request.resolver_match = match
        response: Any = self._bare_chain(request)
        response._resource_closers.append(request.close)
        if response.status_code >= 400:
            log_response(
                "%s: %s", response.reason_phrase, request.path, response=response, request=request
            )
        return response
