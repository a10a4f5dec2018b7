"""Start and callback of an OpenID Connect login per provider, and logging out."""

from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import LogoutView
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.views.generic import View
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from organisation import oidc

logger = logging.getLogger(__name__)


class OidcStart(OIDCAuthenticationRequestView):
    """Send the browser to the provider's authorize endpoint, with state, nonce and PKCE."""

    udbyder = ""

    def __init__(self, **kwargs):
        # mozilla's __init__ reads one global configuration; ours is read in get().
        View.__init__(self, **kwargs)

    def get_settings(self, attr, *args):
        return oidc.indstilling(self.udbyder, attr, *args)

    def get(self, request):
        konfiguration = oidc.udbyder_konfiguration(self.udbyder)
        if konfiguration is None:
            raise Http404
        self.OIDC_OP_AUTH_ENDPOINT = konfiguration["authorization_endpoint"]
        self.OIDC_RP_CLIENT_ID = konfiguration["client_id"]
        response = super().get(request)
        # Tie the state to this provider, so that the other provider's callback refuses it.
        state = parse_qs(urlsplit(response.url).query)["state"][0]
        request.session["oidc_states"][state]["udbyder"] = self.udbyder
        request.session.modified = True
        return response


class OidcCallback(OIDCAuthenticationCallbackView):
    """Take the provider's answer: check the state, let the backend log the person in.

    Every refusal goes back to the login page with a Danish message; none of them names a
    claim's value.
    """

    udbyder = ""

    def get_settings(self, attr, *args):
        return oidc.indstilling(self.udbyder, attr, *args)

    def get(self, request):
        if oidc.udbyder_konfiguration(self.udbyder) is None:
            raise Http404
        if "code" in request.GET:
            states = request.session.get("oidc_states")
            fundet = states.get(request.GET.get("state", "")) if isinstance(states, dict) else None
            if not isinstance(fundet, dict) or fundet.get("udbyder") != self.udbyder:
                logger.warning("OpenID Connect (%s): svar med ukendt state afvist", self.udbyder)
                return self.afvis(oidc.FORKERT_STATE)
        setattr(request, oidc.ANMODNING_UDBYDER, self.udbyder)
        try:
            return super().get(request)
        except oidc.LoginAfvist as afvist:
            logger.info("OpenID Connect (%s): login afvist, %s", self.udbyder, afvist.aarsag)
            return self.afvis(afvist.besked)
        except (SuspiciousOperation, jwt.PyJWTError) as fejl:
            # These texts name the failed check (an expired token, say), never a claim's value.
            logger.warning("OpenID Connect (%s): login afvist, %s", self.udbyder, fejl)
            return self.afvis(oidc.IKKE_BEKRAEFTET)
        except requests.RequestException as fejl:
            # The text may quote the provider's answer; the kind of failure is enough here.
            logger.warning(
                "OpenID Connect (%s): udbyderen svarede ikke som ventet (%s)",
                self.udbyder,
                type(fejl).__name__,
            )
            return self.afvis(oidc.IKKE_BEKRAEFTET)

    def afvis(self, besked):
        messages.error(self.request, besked)
        return redirect(settings.LOGIN_URL)

    def login_failure(self):
        if self.request.GET.get("error"):
            logger.info("OpenID Connect (%s): udbyderen svarede med en fejl", self.udbyder)
            return self.afvis(oidc.AFBRUDT)
        return self.afvis(oidc.IKKE_BEKRAEFTET)

    def login_success(self):
        response = super().login_success()
        self.request.session[oidc.SESSION_UDBYDER] = self.udbyder
        return response


class LogUd(LogoutView):
    """End the local session and, if the provider has an end_session endpoint, the provider's."""

    def post(self, request, *args, **kwargs):
        konfiguration = oidc.udbyder_konfiguration(request.session.get(oidc.SESSION_UDBYDER))
        response = super().post(request, *args, **kwargs)
        if not konfiguration or not konfiguration["end_session_endpoint"]:
            return response
        tilbage = request.build_absolute_uri(
            resolve_url(settings.LOGOUT_REDIRECT_URL) + "?logget_ud=1"
        )
        parametre = urlencode(
            {"client_id": konfiguration["client_id"], "post_logout_redirect_uri": tilbage}
        )
        endpoint = konfiguration["end_session_endpoint"]
        return HttpResponseRedirect(f"{endpoint}{'&' if '?' in endpoint else '?'}{parametre}")
