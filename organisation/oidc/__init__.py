"""Login through OpenID Connect: staff via their authority's identity provider, citizens via
a MitID broker.

Two providers, each configured by the environment (settings.OIDC_UDBYDERE, built from
OIDC_PERSONALE_* and OIDC_BORGER_*). mozilla-django-oidc reads one global configuration;
here its views and backend read the configuration of the provider named in the URL
(/oidc/personale/…, /oidc/borger/…), and the callback view tells the backend which one
answered. A provider that is not configured has no button and its URLs answer 404.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.utils import import_from_settings

PERSONALE = "personale"
BORGER = "borger"
UDBYDERE = (BORGER, PERSONALE)

# The session remembers which provider a person logged in through (for logging out there too).
SESSION_UDBYDER = "oidc_udbyder"
# The callback view marks the request with its provider; the backend acts only on that.
ANMODNING_UDBYDER = "datadeling_oidc_udbyder"

# mozilla-django-oidc's setting names and where each provider's value lives.
_MOZILLA_NAVNE = {
    "OIDC_RP_CLIENT_ID": "client_id",
    "OIDC_RP_CLIENT_SECRET": "client_secret",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_endpoint",
    "OIDC_RP_SIGN_ALGO": "sign_algo",
    "OIDC_RP_SCOPES": "scopes",
    "OIDC_USE_PKCE": "pkce",
}
_FASTE = {
    "OIDC_USE_NONCE": True,
    # The ID token carries the citizen's CPR number: it is not kept in the session table.
    "OIDC_STORE_ID_TOKEN": False,
    "OIDC_STORE_ACCESS_TOKEN": False,
    # Keys come from the provider's JWKS, never from a pasted key.
    "OIDC_RP_IDP_SIGN_KEY": None,
}


def udbyder_konfiguration(udbyder: str | None) -> dict | None:
    """Return the configuration of provider `udbyder`, or None when it is not configured."""
    if udbyder not in UDBYDERE:
        return None
    return getattr(settings, "OIDC_UDBYDERE", {}).get(udbyder)


def indstilling(udbyder: str, navn: str, *standard):
    """Return mozilla-django-oidc's setting `navn` as it applies to provider `udbyder`."""
    if navn == "OIDC_AUTHENTICATION_CALLBACK_URL":
        return f"oidc:{udbyder}_callback"
    if navn in _FASTE:
        return _FASTE[navn]
    if navn in _MOZILLA_NAVNE:
        konfiguration = udbyder_konfiguration(udbyder) or {}
        return konfiguration.get(_MOZILLA_NAVNE[navn], standard[0] if standard else None)
    return import_from_settings(navn, *standard)


class LoginAfvist(Exception):
    """The provider vouched for a person whom Datadeling does not let in.

    `besked` is Danish and safe to show; `aarsag` is a short reason for the log. Neither
    holds a claim's value (a CPR number must never reach a message or a log).
    """

    def __init__(self, besked, *, aarsag: str):
        super().__init__(aarsag)
        self.besked = besked
        self.aarsag = aarsag


MANGLER_OPLYSNING = _(
    "Log-ind-tjenesten sendte ikke de oplysninger, Datadeling skal bruge for at genkende dig. "
    "Kontakt en administrator."
)
UKENDT_MEDARBEJDER = _(
    "Du er ikke oprettet som medarbejder i Datadeling. Kontakt en administrator i din "
    "myndighed: det er administratoren, der giver adgang og roller."
)
FLERE_MEDARBEJDERE = _(
    "Flere medarbejdere i Datadeling passer på dit login, så vi kan ikke vide, hvem du er. "
    "Kontakt en administrator i din myndighed."
)
LUKKET_MEDARBEJDER = _(
    "Dit login til Datadeling er ikke åbnet eller er lukket. Kontakt en administrator i din "
    "myndighed."
)
UGYLDIGT_CPR = _(
    "MitID-login gav ikke et gyldigt CPR-nummer, så vi kan ikke vise dine data. Prøv igen, "
    "eller kontakt kommunen."
)
LUKKET_BORGER = _("Dit login til Datadeling er lukket. Kontakt kommunen.")
MEDARBEJDERKONTO = _(
    "Dette MitID-login hører til en konto for en medarbejder eller administrator og kan ikke "
    "bruges som borgerlogin. Kontakt en administrator."
)
FORKERT_STATE = _(
    "Log ind blev ikke gennemført: svaret fra log-ind-tjenesten hørte ikke til et login, du "
    "har startet her. Prøv igen."
)
AFBRUDT = _("Log ind blev afbrudt hos log-ind-tjenesten. Prøv igen.")
IKKE_BEKRAEFTET = _("Log-ind-tjenesten kunne ikke bekræfte dit login. Prøv igen senere.")
