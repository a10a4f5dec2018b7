"""Pages of the platform itself rather than of a portal: the login page when too many
wrong passwords have locked it (django-axes calls `login_spaerret`), and the name under
which django-axes records a failed login (`axes_brugernavn`)."""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from datadeling.core.logging import CPR_PATTERN


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


def axes_brugernavn(request: HttpRequest, credentials: dict | None = None) -> str:
    """Return the username django-axes stores, logs and locks out by.

    Citizens sometimes type their CPR number as the username. That must not end up in the
    lockout table, the admin or the logs, so a username that contains a CPR-like number is
    replaced by a keyed hash of it: the same typing still counts towards the same lockout,
    and nobody reading the table learns the number.
    """
    username = (credentials or {}).get("username")
    if username is None:
        username = request.POST.get("username", "")
    username = str(username)
    if CPR_PATTERN.search(username):
        noegle = settings.SECRET_KEY.encode()
        digest = hmac.new(noegle, username.encode(), hashlib.sha256).hexdigest()
        return f"cpr-skjult-{digest[:16]}"
    return username
