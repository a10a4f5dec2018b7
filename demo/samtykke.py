"""The demo's consents (one with the overview of cases), a block, a pending request and a
legal-basis access.

Written through samtykke.services, which validate them and grant access on the data they
cover, so they must come after the conditions and interventions. Karen Holm's are fixed;
the others go to the first generated citizens whose data fits the story. What the demo
already made (same citizen, recipient, decision and purpose; for a legal-basis access, one
still in force with the same justification) is not made again.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Iterable

from datadeling.core import clock
from demo import katalog as kat
from demo.klinik import HJEMMEPLEJE_ENHEDER, KILDESYSTEM, SOCIALE_ENHEDER, Klinik
from klassifikation.kendte import ADGANGSHJEMMEL_URI
from klassifikation.models import Klasse
from organisation.models import Borger, Medarbejder
from samtykke.models import Anmodning, Beslutning, Hjemmel, Samtykke
from samtykke.services import (
    anmodning_create,
    hjemmel_register,
    samtykke_give,
    samtykke_revoke,
)
from tilstand.models import Tilstand

REGION = {"pc-psy", "pc-dep"}
HJEMMEL_BEGRUNDELSE = (
    "Akut bekymring: borgeren har ikke lukket bostøtten ind i en uge og svarer ikke "
    "telefonen. Vi skal vurdere behovet for akut støtte efter serviceloven § 85 og har brug "
    "for psykiatriens og bostøttens seneste vurderinger."
)
ANMODNING_FORMAAL = "Vurdering af behov for socialpædagogisk støtte efter serviceloven § 85."


def byg_samtykker(
    klinik: Klinik,
    *,
    karen: Borger,
    jonas: Borger,
    borgere: list[Borger],
    personaer: dict[str, Medarbejder],
) -> None:
    """Give, revoke, block, request and register access for Karen and a few others."""
    nu = clock.now()
    e = klinik.enheder
    alle = [karen.pk, *(b.pk for b in borgere)]
    klasser = Klasse.objects.in_bulk(
        [
            kat.FFB_MENTALE_FUNKTIONER,
            kat.FSIII_PSYKOSOCIALE_FORHOLD,
            kat.FSIII_PLEJE_OG_OMSORG,
            kat.FSIII_SYGEPLEJETILSTANDE,
            kat.FSIII_SYGEPLEJEINDSATSER,
            kat.FSIII_GENOPTRAENING,
            kat.FSIII_GENOPTRAENINGSINDSATSER,
            kat.FFB_AKTIVITET_OG_DELTAGELSE,
        ]
    )
    findes = set(
        Samtykke.objects.filter(borger_id__in=alle).values_list(
            "borger_id", "modtager_enhed_id", "beslutning", "formaal"
        )
    )

    def giv(
        borger: Borger,
        modtager: str,
        *,
        kategorier: Iterable = (),
        kilder: Iterable[str] = (),
        formaal: str = "",
        fra_dage: int = 0,
        dage: int = 365,
        beslutning: str = Beslutning.TILLAD,
        **kw,
    ) -> Samtykke | None:
        if (borger.pk, e[modtager].pk, beslutning, formaal) in findes:
            return None
        fra = nu - datetime.timedelta(days=fra_dage)
        return samtykke_give(
            borger=borger,
            modtager=e[modtager],
            kategorier=[klasser[k] for k in kategorier],
            kilder=[e[k] for k in kilder],
            formaal=formaal,
            gyldig_fra=fra,
            gyldig_til=fra + datetime.timedelta(days=dage),
            beslutning=beslutning,
            **{"actor": None, **kw},
        )

    mental = [kat.FFB_MENTALE_FUNKTIONER, kat.FSIII_PSYKOSOCIALE_FORHOLD]
    # Karen lets Hjemmepleje see the psychiatry's view of her mood, and the overview of her
    # cases there (her outpatient treatment, demo.sager), for a year.
    giv(
        karen,
        "hjp",
        kategorier=mental,
        kilder=["pc-dep"],
        formaal="Hjemmeplejen kan tilrettelægge besøgene, så de passer til min behandling "
        "for depression.",
        fra_dage=20,
        sagsindeks=True,
        dialog=True,
        actor=karen.user,
    )
    # Her son Jonas, with her fuldmagt, lets Hjemmepleje see nursing and rehabilitation.
    giv(
        karen,
        "hjp",
        kategorier=[
            kat.FSIII_SYGEPLEJETILSTANDE,
            kat.FSIII_SYGEPLEJEINDSATSER,
            kat.FSIII_GENOPTRAENING,
            kat.FSIII_GENOPTRAENINGSINDSATSER,
        ],
        kilder=["hjp-spl", "sot-trae"],
        formaal="Samlet overblik over pleje, sygepleje og genoptræning, så hjemmeplejen kan "
        "koordinere hjælpen.",
        fra_dage=50,
        dage=540,
        givet_af=jonas,
        actor=jonas.user,
    )
    mette = personaer["sagsbehandler"]
    if not Anmodning.objects.filter(borger=karen, formaal=ANMODNING_FORMAAL).exists():
        anmodning_create(
            actor=mette.user,
            borger=karen,
            anmoder=mette,
            enhed=e["hp"],
            kategorier=[klasser[kat.FSIII_PLEJE_OG_OMSORG], klasser[kat.FFB_MENTALE_FUNKTIONER]],
            kilder=[e["hjp"], e["pc-dep"]],
            formaal=ANMODNING_FORMAAL,
            begrundelse="Din søn har fortalt os, at hverdagen er blevet svær. For at vurdere, "
            "om du kan få støtte fra os, vil vi gerne se hjemmeplejens vurdering af, hvad du "
            "klarer selv, og psykiatriens vurdering af, hvordan du har det.",
            varighed_dage=180,
            dialog=True,
        )

    # The generated citizens: who has data in which units.
    navne = {enhed.pk: noegle for noegle, enhed in e.items()}
    enheder_af: dict = {b.pk: set() for b in borgere}
    for borger_id, enhed_id in (
        Tilstand.objects.filter(kildesystem=KILDESYSTEM, borger_id__in=enheder_af)
        .values_list("borger_id", "ansvarlig_enhed_id")
        .distinct()
    ):
        enheder_af[borger_id].add(navne.get(enhed_id))
    brugt: set = set()

    def find(passer: Callable[[set], bool]) -> tuple[Borger, set] | tuple[None, None]:
        for b in borgere:
            if b.pk not in brugt and passer(enheder_af[b.pk]):
                brugt.add(b.pk)
                return b, enheder_af[b.pk]
        return None, None

    def vidne(enhed: str, ikke: Medarbejder) -> str:
        return next(m.navn for m, _r, _f in klinik.personale[enhed] if m.pk != ikke.pk)

    socialt = set(SOCIALE_ENHEDER)
    # An active consent: the social unit may see the psychiatry's view (assisted, in a meeting).
    borger, enheder = find(lambda u: "hp" in u and u & REGION)
    if borger is None:
        borger, enheder = find(lambda u: u & socialt and u & REGION)
    if borger is not None:
        modtager = "hp" if "hp" in enheder else sorted(enheder & socialt)[0]
        sagsbehandler = (
            mette if modtager == "hp" else klinik.medarbejder(modtager, random.Random(modtager))
        )
        giv(
            borger,
            modtager,
            kategorier=mental,
            kilder=sorted(enheder & REGION),
            formaal="Koordinering af bostøtten med behandlingen i psykiatrien.",
            fra_dage=100,
            assisteret=True,
            vidne=vidne(modtager, sagsbehandler),
            actor=sagsbehandler.user,
        )
    # A consent to the Jobcenter that the citizen later revoked.
    borger, enheder = find(lambda u: u & socialt and "job-syg" not in u)
    if borger is not None:
        s = giv(
            borger,
            "job-syg",
            kategorier=[kat.FFB_AKTIVITET_OG_DELTAGELSE],
            kilder=sorted(enheder & socialt),
            formaal="Afklaring af arbejdsevnen i sygedagpengesagen.",
            fra_dage=200,
        )
        if s is not None:
            samtykke_revoke(actor=None, samtykke=s)
    # A consent that has run out: rehabilitation data for the home care unit.
    borger, enheder = find(lambda u: "sot-trae" in u and u & set(HJEMMEPLEJE_ENHEDER))
    if borger is not None:
        giv(
            borger,
            sorted(enheder & set(HJEMMEPLEJE_ENHEDER))[0],
            kategorier=[kat.FSIII_GENOPTRAENING, kat.FSIII_GENOPTRAENINGSINDSATSER],
            kilder=["sot-trae"],
            formaal="Hjemmeplejen kan følge op på genoptræningen efter udskrivelsen.",
            fra_dage=420,
        )
    # A citizen who blocks the Jobcenter.
    borger, _ = find(lambda u: bool(u & socialt))
    if borger is not None:
        giv(borger, "job-syg", beslutning=Beslutning.AFVIS, fra_dage=30, dage=730)
    # Access on a legal basis for the demo caseworker, to a citizen of another unit.
    borger, _ = find(lambda u: "hp" not in u and u & socialt and u & REGION)
    if borger is None:
        borger, _ = find(lambda u: bool(u) and "hp" not in u)
    lov = Klasse.objects.filter(
        klassifikation__uri=ADGANGSHJEMMEL_URI, titel=kat.ADGANGSHJEMMEL
    ).first()
    if lov is None:
        klinik.log(f"«{kat.ADGANGSHJEMMEL}» er ikke importeret; demoen får ingen lovhjemmel.")
    elif (
        borger is not None
        and not Hjemmel.objects.filter(
            borger=borger, begrundelse=HJEMMEL_BEGRUNDELSE, gyldig_til__gt=nu
        ).exists()
    ):
        hjemmel_register(
            actor=mette.user,
            borger=borger,
            medarbejder=mette,
            enhed=e["hp"],
            lovgrundlag=lov,
            begrundelse=HJEMMEL_BEGRUNDELSE,
            dage=14,
        )
