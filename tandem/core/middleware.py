"""The interface language: the person's choice, else French — never the browser's guess.

Django's LocaleMiddleware would follow the browser's Accept-Language, so an advisor whose
browser happens to be set to English would get English. Tandem is French first: the language
is the one chosen in the product (a cookie set by the language menu, or the user's preference
once signed in), and French otherwise.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers

SUPPORTED = {code for code, _ in settings.LANGUAGES}


def language_for_request(request: HttpRequest) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in SUPPORTED:
        return str(chosen)
    user = getattr(request, "user", None)
    preferred = getattr(user, "language", None) if user is not None else None
    if preferred in SUPPORTED:
        return str(preferred)
    return str(settings.LANGUAGE_CODE)


class PreferredLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = language_for_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language() or language)
        return response
