"""The machinery of the authorization matrix: every route of the URLconf, its address filled
from the scenario, and one request as a role with what it answered and wrote."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver

ADMIN_LOGIN = "/admin/login/"


@dataclass(frozen=True)
class Rute:
    noegle: str  # the URL name ("overblik:borger"), or the pattern for an unnamed route
    moenster: str  # the whole pattern, includes followed


def ruter() -> list[Rute]:
    """Return every route of the URLconf, included ones and the admin's too."""

    def gaa(moenstre, prefix: str, ns: str | None):
        for p in moenstre:
            if isinstance(p, URLResolver):
                navnerum = ":".join(filter(None, (ns, p.namespace))) or None
                yield from gaa(p.url_patterns, prefix + str(p.pattern), navnerum)
            else:
                assert isinstance(p, URLPattern)
                moenster = prefix + str(p.pattern)
                navn = p.name and ":".join(filter(None, (ns, p.name)))
                yield Rute(navn or moenster, moenster)

    return list(gaa(get_resolver().url_patterns, "", None))


PLADSHOLDER = re.compile(r"<(?:\w+:)?(\w+)>")

# Addresses that a pattern cannot be filled into: regular expressions.
SAERLIGE = {
    "admin:app_list": "/admin/organisation/",
    "admin/(?P<url>.*)$": "/admin/findes-ikke/",
}

# What `pk` (or `borger`) is on the portal's routes, by the URL name's prefix.
PK = (
    ("overblik:min_tilstand", "tilstand"),
    ("overblik:min_indsats", "indsats"),
    ("overblik:mine_ord", "indsats"),
    ("overblik:min_berigtigelse", "berigtigelse"),
    ("overblik:berigtigelse", "berigtigelse"),
    ("overblik:tilstand", "tilstand"),
    ("overblik:indsats", "indsats"),
    ("overblik:mit_samtykke", "samtykke"),
    ("overblik:min_anmodning_svar", "anmodning"),
    ("overblik:hjemmel_gennemgaa", "hjemmel"),
    ("overblik:min_samtale", "samtale"),
    ("overblik:min_besked", "samtale"),
    ("klassifikation:klasse", "klasse"),
    ("overblik:notifikation_aabn", "notifikation"),
    ("overblik:", "borger"),
)


def _admin_model(moenster: str):
    dele = moenster.split("/")
    for model in admin.site._registry:
        if dele[1:3] == [model._meta.app_label, model._meta.model_name]:
            return model
    return None


def adresse(rute: Rute, s) -> str:
    """Return the route's address with its parameters taken from the scenario."""
    if rute.noegle in SAERLIGE:
        return SAERLIGE[rute.noegle]
    from django.contrib.contenttypes.models import ContentType

    def vaerdi(m: re.Match) -> str:
        navn = m.group(1)
        if navn == "borger":
            return str(s.borger.pk)
        if navn == "besked_id":
            return str(s.besked.besked_id)
        if navn == "samtale":
            return str(s.samtale.pk)
        if navn == "besked":
            return str(s.dialog_besked.kaede)
        if navn == "min_besked":
            return str(s.borger_besked.kaede)
        if navn == "fil":
            return str(s.vedhaeftning.pk)
        if navn == "content_type_id":
            return str(ContentType.objects.get_for_model(type(s.borger)).pk)
        if navn == "user_id":
            return str(s.brugere["is_staff"].pk)
        if navn == "group_id":
            return str(next(o for m, o in s.admin_objekter.items() if m.__name__ == "Group").pk)
        if rute.moenster.startswith("admin/r/"):
            return str(s.borger.pk)
        if rute.moenster.startswith("admin/"):
            return str(s.admin_objekter[_admin_model(rute.moenster)].pk)
        hvad = next(attr for prefix, attr in PK if rute.noegle.startswith(prefix))
        return str(getattr(s, hvad).pk)

    return "/" + PLADSHOLDER.sub(vaerdi, rute.moenster)


def adgangslog_antal() -> int:
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM samtykke_adgangslog")
        return c.fetchone()[0]


# Everything a refused POST must leave as it was.
TABELLER = (
    "tilstand_tilstand", "tilstand_tilstandregistrering", "indsats_indsats",
    "samtykke_samtykke", "samtykke_anmodning", "samtykke_hjemmel", "samtykke_berigtigelse",
    "samtykke_berigtigelsesvar", "samtykke_borgerensbemaerkning", "indsats_borgerensstemme",
    "samtykke_hjemmelgennemgang", "mox_besked", "organisation_relation",
    "dialog_samtale", "dialog_deltager", "dialog_besked", "dialog_vedhaeftning",
)  # fmt: skip


def data_fingeraftryk() -> tuple:
    """Return the row counts and newest change of the tables a POST could write."""
    with connection.cursor() as c:
        eksisterer = set(connection.introspection.table_names(c))
        tal = []
        for t in TABELLER:
            if t in eksisterer:
                c.execute(f"SELECT count(*) FROM {t}")  # noqa: S608 - our own table names
                tal.append((t, c.fetchone()[0]))
        return tuple(tal)


def svar_kode(response, log: bool) -> str:
    """Return what a response was, as the matrix writes it: "200+log", "302>login", "404"."""
    kode = str(response.status_code)
    if response.status_code in (301, 302):
        sted = response["Location"]
        if sted.startswith(ADMIN_LOGIN):
            kode += ">admin"
        elif sted.startswith(resolve_url(settings.LOGIN_URL)):
            kode += ">login"
    return kode + ("+log" if log else "")
