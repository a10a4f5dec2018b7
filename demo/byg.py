"""Demo data: a believable municipality, region and state body with staff and citizens,
and the citizens' conditions, interventions and consents over the past two years.

`byg_demo(scale=…, seed=…)` is deterministic and idempotent. The organisation, staff,
citizens and relations have ids derived from the seed (uuid5), so a run updates the same
rows (`organisation`). Conditions and interventions go through the tilstand and indsats
services with deterministic ids and `kildesystem="demo"`; a citizen who already has demo
data is skipped (`klinik`; what each kind of citizen gets in `pleje`, `socialt` and
`karen`, from the classes in `katalog`). Consents, a request and a legal-basis access go
through the samtykke services and are skipped when already made (`samtykke`), as are
Karen's correction requests and her words on a goal (`berigtigelse`). So running
again creates nothing new; a larger `scale` adds people without changing the first ones.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from django.db import transaction
from django.db.models import Q

from demo.arbejdsliste import byg_arbejdsliste
from demo.berigtigelse import byg_berigtigelser
from demo.dialog import byg_dialog
from demo.karen import byg_karen
from demo.klinik import KILDESYSTEM, Hovedperson, Klinik
from demo.organisation import (
    DEMO_ADGANGSKODE,
    DEMO_LOGINS,
    DemoLogin,
    DemoResultat,
    _Bygger,
    demo_uuid,
)
from demo.personer import alder, lav_cpr
from demo.pleje import genoptraening, hjemmepleje
from demo.sager import byg_sager
from demo.samtykke import byg_samtykker
from demo.socialt import psykiatri, socialt
from indsats.models import Indsats, IndsatsRegistrering
from organisation.models import Medarbejder
from samtykke.models import Anmodning, Hjemmel, Samtykke
from tilstand.models import Tilstand, TilstandRegistrering

__all__ = [
    "DEMO_ADGANGSKODE",
    "DEMO_LOGINS",
    "KILDESYSTEM",
    "DemoLogin",
    "DemoResultat",
    "byg_demo",
    "demo_uuid",
    "lav_cpr",
]


def _borger(klinik: Klinik, hp: Hovedperson, alder: int) -> None:
    """Write one generated citizen's data, by age group (children get none)."""
    rng = hp.rng
    if hp.gruppe == "aeldre":
        if rng.random() < 0.8:
            hjemmepleje(klinik, hp)
        if rng.random() < 0.2:
            genoptraening(klinik, hp)
        if rng.random() < 0.1:
            psykiatri(klinik, hp, "pc-dep")
    elif hp.gruppe == "voksen":
        r = rng.random()
        if r < 0.55:
            socialt(klinik, hp, alder)
        elif r < 0.62:
            hjemmepleje(klinik, hp)
        elif r < 0.67:
            genoptraening(klinik, hp)


def _klinik(bygger: _Bygger) -> Klinik | None:
    """Write conditions and interventions for the citizens that have none from the demo."""
    klinik = Klinik(enheder=bygger.alle_enheder, log=bygger.log)
    if not klinik.klar():
        return None
    karen = bygger.personaer_borger["karen"]
    ids = [karen.pk, *(b.pk for _i, b, _g in bygger.hovedpersoner)]
    demo = {"kildesystem": KILDESYSTEM, "borger_id__in": ids}
    har_data = set(
        Tilstand.objects.filter(**demo)
        .values_list("borger_id", flat=True)
        .union(Indsats.objects.filter(**demo).values_list("borger_id", flat=True))
    )
    personaer = {
        m.user.username: m
        for m in Medarbejder.objects.filter(
            user__username__in=["sagsbehandler", "sygeplejerske"]
        ).select_related("user")
    }
    if karen.pk not in har_data:
        byg_karen(klinik, karen, personaer["sygeplejerske"])
    for i, borger, gruppe in bygger.hovedpersoner:
        if borger.pk not in har_data:
            rng = random.Random(f"{bygger.seed}|klinik|{i}")
            hp = Hovedperson(f"s{bygger.seed}/b{i}", borger, gruppe, rng)
            _borger(klinik, hp, alder(borger.foedselsdato))
    byg_samtykker(
        klinik,
        karen=karen,
        jonas=bygger.personaer_borger["jonas"],
        borgere=[b for _i, b, _g in bygger.hovedpersoner],
        personaer=personaer,
    )
    byg_arbejdsliste(klinik, borgere=[b for _i, b, _g in bygger.hovedpersoner], personaer=personaer)
    byg_sager(klinik, karen=karen, personaer=personaer)
    byg_berigtigelser(karen)
    byg_dialog(klinik, karen=karen, jonas=bygger.personaer_borger["jonas"], personaer=personaer)
    return klinik


def byg_demo(
    *, scale: float = 1.0, seed: int = 1, log: Callable[[str], None] = lambda _tekst: None
) -> DemoResultat:
    """Create or update the whole demo in one transaction; return what it consists of."""
    if scale <= 0:
        raise ValueError("scale skal være større end 0")
    with transaction.atomic():
        bygger = _Bygger(scale=scale, seed=seed, log=log)
        resultat = bygger.byg()
        if _klinik(bygger) is not None:
            ids = [
                bygger.personaer_borger["karen"].pk,
                *(b.pk for _i, b, _g in bygger.hovedpersoner),
            ]
            demo = Q(kildesystem=KILDESYSTEM, borger_id__in=ids)
            resultat.tilstande = Tilstand.objects.filter(demo).count()
            resultat.indsatser = Indsats.objects.filter(demo).count()
            resultat.registreringer = (
                TilstandRegistrering.objects.filter(
                    tilstand__in=Tilstand.objects.filter(demo)
                ).count()
                + IndsatsRegistrering.objects.filter(
                    indsats__in=Indsats.objects.filter(demo)
                ).count()
            )
            resultat.samtykker = Samtykke.objects.filter(borger_id__in=ids).count()
            resultat.anmodninger = Anmodning.objects.filter(borger_id__in=ids).count()
            resultat.hjemler = Hjemmel.objects.filter(borger_id__in=ids).count()
        return resultat
