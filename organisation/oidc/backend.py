"""The authentication backend: a provider's verified claims to a Medarbejder's or a Borger's
user."""

from __future__ import annotations

import logging

import jwt
import requests
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation, ValidationError
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from organisation import oidc, selectors, services
from organisation.cpr import normalize_cpr
from organisation.models import Medarbejder

logger = logging.getLogger(__name__)


def _navne(claims: dict) -> tuple[str, str]:
    """Return (first names, last name) from standard claims, splitting `name` if needed."""
    fornavn, efternavn = claims.get("given_name"), claims.get("family_name")
    if isinstance(fornavn, str) and isinstance(efternavn, str):
        return fornavn.strip(), efternavn.strip()
    navn = claims.get("name")
    if isinstance(navn, str) and navn.strip():
        *fornavne, sidste = navn.split()
        return " ".join(fornavne), sidste
    return "", ""


class OidcBackend(OIDCAuthenticationBackend):
    """Log in whoever the provider named in the request vouches for, if Datadeling knows them.

    Staff: the claim OIDC_PERSONALE_CLAIM must match exactly one Medarbejder (by e-mail or
    id, OIDC_PERSONALE_FELT) whose login an administrator has opened; unknown staff are
    refused, because roles are given by administrators, never by a login. Citizens: the CPR
    number in OIDC_BORGER_CLAIM finds the Borger, or makes one (services.borger_login_link).
    The ID token's signature (the provider's JWKS), nonce, audience and, when configured,
    issuer are checked before any claim is read.
    """

    # Sessions point at this backend; a user closed since then is logged out.
    get_user = ModelBackend.get_user

    def __init__(self, *args, **kwargs):
        # mozilla's __init__ reads one global configuration; the provider is known only per
        # request (authenticate).
        self.UserModel = get_user_model()
        self.udbyder = ""
        self.konfiguration: dict = {}

    def get_settings(self, attr, *args):
        return oidc.indstilling(self.udbyder, attr, *args)

    def authenticate(self, request, **kwargs):
        udbyder = getattr(request, oidc.ANMODNING_UDBYDER, None) if request else None
        konfiguration = oidc.udbyder_konfiguration(udbyder)
        if konfiguration is None:
            return None  # a password login, or a provider that is switched off
        self.udbyder, self.konfiguration = udbyder, konfiguration
        self.OIDC_OP_TOKEN_ENDPOINT = konfiguration["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = konfiguration["userinfo_endpoint"]
        self.OIDC_OP_JWKS_ENDPOINT = konfiguration["jwks_endpoint"]
        self.OIDC_RP_CLIENT_ID = konfiguration["client_id"]
        self.OIDC_RP_CLIENT_SECRET = konfiguration["client_secret"]
        self.OIDC_RP_SIGN_ALGO = konfiguration["sign_algo"]
        self.OIDC_RP_IDP_SIGN_KEY = None
        return super().authenticate(request, **kwargs)

    def retrieve_matching_jwk(self, token):
        header = jwt.get_unverified_header(token)
        if "kid" in header:
            return super().retrieve_matching_jwk(token)
        # A token need not name its key (kid); then the JWKS must hold exactly one key that
        # can have signed it, or the choice would be a guess.
        svar = requests.get(
            self.OIDC_OP_JWKS_ENDPOINT,
            verify=self.get_settings("OIDC_VERIFY_SSL", True),
            timeout=self.get_settings("OIDC_TIMEOUT", None),
        )
        svar.raise_for_status()
        noegler = [
            noegle
            for noegle in svar.json().get("keys", [])
            if noegle.get("alg", header.get("alg")) == header.get("alg")
            and noegle.get("use", "sig") == "sig"
        ]
        if len(noegler) != 1:
            raise SuspiciousOperation("ID-token navngiver ikke sin nøgle, og JWKS har flere.")
        return jwt.PyJWK(noegler[0])

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        # mozilla-django-oidc checks signature and nonce only.
        aud = payload.get("aud")
        if self.OIDC_RP_CLIENT_ID not in ([aud] if isinstance(aud, str) else aud or []):
            raise SuspiciousOperation("ID-token er ikke udstedt til denne klient (aud).")
        issuer = self.konfiguration["issuer"]
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation(
                "ID-token er udstedt af en anden end den konfigurerede (iss)."
            )
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        """Return the ID token's claims, with the userinfo endpoint's when one is configured."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            userinfo = super().get_userinfo(access_token, id_token, payload)
            if userinfo.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("userinfo gælder en anden person end ID-token (sub).")
            claims.update(userinfo)
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        vaerdi = claims.get(self.konfiguration["claim"])
        if not isinstance(vaerdi, str) or not vaerdi.strip():
            raise oidc.LoginAfvist(oidc.MANGLER_OPLYSNING, aarsag="claim mangler")
        if self.udbyder == oidc.PERSONALE:
            return self._medarbejder_bruger(vaerdi)
        return self._borger_bruger(vaerdi, claims)

    def _medarbejder_bruger(self, vaerdi: str):
        fundne = selectors.medarbejdere_for_login(felt=self.konfiguration["felt"], vaerdi=vaerdi)
        if not fundne:
            raise oidc.LoginAfvist(oidc.UKENDT_MEDARBEJDER, aarsag="ukendt medarbejder")
        if len(fundne) > 1:
            raise oidc.LoginAfvist(oidc.FLERE_MEDARBEJDERE, aarsag="flere medarbejdere passer")
        medarbejder = fundne[0]
        if not medarbejder.user.is_active:
            raise oidc.LoginAfvist(
                oidc.LUKKET_MEDARBEJDER, aarsag=f"login lukket for medarbejder {medarbejder.pk}"
            )
        logger.info("Medarbejder %s logget ind via OpenID Connect", medarbejder.pk)
        return medarbejder.user

    def _borger_bruger(self, vaerdi: str, claims: dict):
        fornavn, efternavn = _navne(claims)
        try:
            borger = services.borger_login_link(
                actor=None, cpr=normalize_cpr(vaerdi), fornavn=fornavn, efternavn=efternavn
            )
        except ValidationError:
            raise oidc.LoginAfvist(oidc.UGYLDIGT_CPR, aarsag="ugyldigt CPR-nummer") from None
        user = borger.user
        # A citizen's MitID must not open a staff or admin account: staff sessions belong to
        # the authority's identity provider, which also closes them when someone leaves.
        if user.is_staff or user.is_superuser or Medarbejder.objects.filter(user=user).exists():
            raise oidc.LoginAfvist(
                oidc.MEDARBEJDERKONTO, aarsag=f"borger {borger.pk} har en medarbejderkonto"
            )
        if not user.is_active:
            raise oidc.LoginAfvist(
                oidc.LUKKET_BORGER, aarsag=f"login lukket for borger {borger.pk}"
            )
        logger.info("Borger %s logget ind via OpenID Connect", borger.pk)
        return user
