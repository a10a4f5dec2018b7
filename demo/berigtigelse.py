"""The demo's correction requests (GDPR art. 16) and the citizen's words on a goal, for
Karen Holm: one request waiting for the home care unit's answer, one it declined to which
Karen added her own statement, and her words on one of her interventions' goals.

Written through the services, after her conditions and interventions; made once (skipped
when Karen already has a request).
"""

from __future__ import annotations

from indsats.models import BorgerensStemme, Indsats
from indsats.services import borgerens_stemme_add
from organisation.models import Borger, Funktion
from samtykke.berigtigelse.services import (
    bemaerkning_add,
    berigtigelse_create,
    berigtigelse_decline,
)
from samtykke.models import Berigtigelse
from tilstand.models import Tilstand


def byg_berigtigelser(karen: Borger) -> None:
    """Make Karen's open and declined correction requests and her words on a goal."""
    if not Berigtigelse.objects.filter(borger=karen).exists():
        tilstande = list(
            Tilstand.objects.filter(borger=karen, aktiv=True)
            .select_related("type", "ansvarlig_enhed")
            .order_by("type__titel", "pk")[:2]
        )
        if len(tilstande) == 2:
            aaben, afvist = tilstande
            berigtigelse_create(
                actor=karen.user, datum=aaben, indsendt_af=karen,
                hvad_er_forkert=(
                    "Der står, at jeg har brug for meget hjælp. Det passer ikke længere: "
                    "efter genoptræningen klarer jeg det meste selv."
                ),
                hvad_er_rigtigt="At jeg kun har brug for lidt hjælp.",
            )  # fmt: skip
            b = berigtigelse_create(
                actor=karen.user, datum=afvist, indsendt_af=karen,
                hvad_er_forkert="Jeg er ikke enig i vurderingen. Jeg har det bedre end beskrevet.",
            )  # fmt: skip
            ejer = (
                Funktion.objects.gaeldende()
                .filter(enhed_id=afvist.ansvarlig_enhed_id)
                .select_related("medarbejder__user")
                .first()
            )
            if ejer is not None:
                berigtigelse_decline(
                    actor=ejer.medarbejder.user, berigtigelse=b,
                    begrundelse=(
                        "Vi har set på det igen sammen med hjemmeplejen. Vurderingen bygger på "
                        "besøgene i de sidste tre måneder, og den står ved magt. Vi ser på den "
                        "igen ved næste opfølgning."
                    ),
                )  # fmt: skip
                bemaerkning_add(
                    actor=karen.user, berigtigelse=b, skrevet_af=karen,
                    tekst=(
                        "Jeg er uenig. På gode dage klarer jeg det selv, og det er de fleste "
                        "dage nu."
                    ),
                )  # fmt: skip
    indsats = Indsats.objects.filter(borger=karen, aktiv=True, afsluttet=False).order_by("pk")
    i = indsats.first()
    if i is not None and not BorgerensStemme.objects.filter(indsats=i).exists():
        borgerens_stemme_add(
            actor=karen.user, indsats=i, skrevet_af=karen,
            betydning="At jeg selv kan komme i bad og ud at handle, uden at vente på nogen.",
            forloeb="Det går fremad. Badet klarer jeg selv nu, indkøb er stadig svært.",
        )  # fmt: skip
