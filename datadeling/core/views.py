"""Pages of the platform itself rather than of a portal: the login page when too many
wrong passwords have locked it (django-axes calls `login_spaerret`)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def login_spaerret(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """Render the login page with the lockout message, as 429 Too Many Requests.

    The same answer whatever the username: it does not tell whether the account exists.
    """
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username[:150]})
    minutter = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        "form": form,
        "next": request.POST.get("next", ""),
        "spaerret_minutter": minutter,
    }
    return render(request, "registration/login.html", context, status=429)
