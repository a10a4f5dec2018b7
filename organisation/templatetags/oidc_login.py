"""The login page's buttons for the OpenID Connect providers that are configured."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from organisation import oidc

register = template.Library()

KNAPTEKSTER = {
    oidc.BORGER: _("Log ind med MitID"),
    oidc.PERSONALE: _("Log ind som medarbejder"),
}


@register.simple_tag
def oidc_knapper() -> list[dict]:
    """Return a button (url, text) per configured provider; none in the demo."""
    return [
        {"url": reverse(f"oidc:{udbyder}_authenticate"), "tekst": KNAPTEKSTER[udbyder]}
        for udbyder in oidc.UDBYDERE
        if oidc.udbyder_konfiguration(udbyder)
    ]
