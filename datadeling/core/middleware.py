"""No caching of what a logged-in person sees."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers


class NoStoreMiddleware:
    """Mark every response to a logged-in request `Cache-Control: no-store, private`.

    Whatever a logged-in person is shown may be a citizen's data; a browser's disk cache or
    a proxy must not keep it. Doing it here rather than view by view means a new screen
    cannot forget it. Static files never get here (WhiteNoise answers them first).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
