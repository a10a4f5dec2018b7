"""What makes the demo logins' worklists believable: a consent to Handicap og Psykiatri and
one to Hjemmepleje that end in 10 days, and a request from Handicap og Psykiatri that the
citizen has answered. Overdue follow-ups come with the generated data (their follow-up
dates lie in the past), and the legal-basis access waiting for the leader's review with
demo.samtykke.

Written through samtykke.services after the other consents; what the demo already made
(same citizen, recipient and purpose) is not made again.
"""

from __future__ import annotations

import datetime

from datadeling.core import clock
from demo import katalog as kat
from demo.klinik import KILDESYSTEM, Klinik
from klassifikation.models import Klasse
from organisation.models import Borger, Medarbejder
from samtykke.models import Anmodning, Samtykke
from samtykke.services import anmodning_answer, anmodning_create, samtykke_give
from tilstand.models import Tilstand

UDLOEBER_DAGE = 10
UDLOEBER_FORMAAL = {
    "hp": "Koordinering af bostøtten med hjemmeplejens besøg.",
    "hjp": "Hjemmeplejen kan tilrettelægge hjælpen efter genoptræningen.",
}
SVAR_FORMAAL = "Afklaring af behovet for bostøtte efter serviceloven § 85."


def byg_arbejdsliste(
    klinik: Klinik, *, borgere: list[Borger], personaer: dict[str, Medarbejder]
) -> None:
    """Give the expiring consents and the answered request, once."""
    nu = clock.now()
    e = klinik.enheder
    klasser = Klasse.objects.in_bulk(
        [kat.FSIII_PLEJE_OG_OMSORG, kat.FSIII_GENOPTRAENING, kat.FFB_MENTALE_FUNKTIONER]
    )
    if len(klasser) < 3:
        klinik.log("Kodesystemerne mangler; arbejdslisterne får ingen samtykker.")
        return
    navne = {enhed.pk: noegle for noegle, enhed in e.items()}
    enheder_af: dict = {b.pk: set() for b in borgere}
    for borger_id, enhed_id in (
        Tilstand.objects.filter(kildesystem=KILDESYSTEM, borger_id__in=enheder_af)
        .values_list("borger_id", "ansvarlig_enhed_id")
        .distinct()
    ):
        enheder_af[borger_id].add(navne.get(enhed_id))
    findes = set(
        Samtykke.objects.filter(formaal__in=UDLOEBER_FORMAAL.values()).values_list(
            "modtager_enhed_id", "formaal"
        )
    )
    # The citizens with data elsewhere than the recipient, from the end of the list (the
    # first ones have the other consents of demo.samtykke).
    kandidater = [b for b in reversed(borgere) if enheder_af[b.pk] - {None}]
    for modtager, formaal in UDLOEBER_FORMAAL.items():
        borger = next((b for b in kandidater if enheder_af[b.pk] - {modtager}), None)
        if borger is None or (e[modtager].pk, formaal) in findes:
            continue
        kandidater.remove(borger)
        kilder = sorted(enheder_af[borger.pk] - {modtager, None})
        samtykke_give(
            actor=None, borger=borger, modtager=e[modtager],
            kategorier=list(klasser.values()), kilder=[e[k] for k in kilder], formaal=formaal,
            gyldig_fra=nu - datetime.timedelta(days=365 - UDLOEBER_DAGE),
            gyldig_til=nu + datetime.timedelta(days=UDLOEBER_DAGE),
        )  # fmt: skip

    mette = personaer["sagsbehandler"]
    if Anmodning.objects.filter(formaal=SVAR_FORMAAL).exists():
        return
    borger = next((b for b in kandidater if enheder_af[b.pk] - {"hp"}), None)
    if borger is None:
        return
    kilder = sorted(enheder_af[borger.pk] - {"hp", None})
    anmodning = anmodning_create(
        actor=mette.user, borger=borger, anmoder=mette, enhed=e["hp"],
        kategorier=[klasser[kat.FFB_MENTALE_FUNKTIONER], klasser[kat.FSIII_PLEJE_OG_OMSORG]],
        kilder=[e[k] for k in kilder], formaal=SVAR_FORMAAL,
        begrundelse="Vi vil gerne se, hvordan du har det, så vi kan finde den rette støtte.",
        varighed_dage=180,
    )  # fmt: skip
    anmodning_answer(actor=None, anmodning=anmodning, givet_af=borger, accepter=True)
