"""The demo's conversations around Karen Holm, written through dialog.services.

The home care nurse (Hanne, Hjemmepleje), a psychologist of the psychiatry (Afdeling for
Depression og Angst, Region Midtjylland) and the social worker (Mette, Handicap og
Psykiatri) talk with Karen and her son Jonas (his fuldmagt covers dialogue), and among
themselves:

1. "Søvn og medicin" with Karen, started by Hanne six days ago: Karen answers, the
   psychiatry adjusts, Jonas offers to help; the psychiatry's last question waits for
   Karen's answer (a due date) and is unread by Hanne and Karen.
2. "Koordinering af støtte i hverdagen" among the professionals, started by Mette: her
   question to Hjemmepleje waits for an answer; Karen sees who talked and when, not what.
3. The conversation Mette's consent request opened: Karen sees it on the answer page.

Hjemmepleje and the psychiatry take part by their own involvement (Karen's conditions);
Mette's unit by its open request (and, once Karen says yes, by the consent that includes
the dialogue). Skipped when Karen already has conversations, so running again adds nothing.
"""

from __future__ import annotations

import datetime
import random

from datadeling.core import clock
from demo.klinik import Klinik
from dialog.models import Deltager, Samtale, SamtaleType
from dialog.services import besked_write, laesning_write, samtale_create
from organisation.models import Borger, Medarbejder
from samtykke.models import Anmodning, AnmodningStatus


def byg_dialog(
    klinik: Klinik, *, karen: Borger, jonas: Borger, personaer: dict[str, Medarbejder]
) -> None:
    """Write Karen's three conversations (once)."""
    if Samtale.objects.filter(borger=karen).exists():
        return
    e = klinik.enheder
    hanne, mette = personaer["sygeplejerske"], personaer["sagsbehandler"]
    psykolog = klinik.medarbejder("pc-dep", random.Random("karen|dialog"), "psykolog")
    nu = clock.now()

    def dage(n: float) -> datetime.datetime:
        return nu - datetime.timedelta(days=n)

    # 1. With Karen and Jonas, about her sleep and medicine.
    s = samtale_create(
        borger=karen, type=SamtaleType.MED_BORGEREN, emne="Søvn og medicin",
        actor=hanne.user, enhed=e["hjp"], deltagere=[e["pc-dep"], jonas], now=dage(6),
        tekst="Hej Karen og Jonas. Karen har sovet dårligt de sidste nætter og var meget "
        "træt, da vi kom i morges. Jeg har skrevet til psykiatrien, så vi kan se på det "
        "sammen her.",
    )  # fmt: skip
    besked_write(
        samtale=s, actor=karen.user, now=dage(5.8),
        tekst="Jeg vågner klokken tre hver nat og kan ikke falde i søvn igen. Det har "
        "været sådan, siden jeg fik de nye piller.",
    )  # fmt: skip
    besked_write(
        samtale=s, actor=psykolog.user, enhed=e["pc-dep"], now=dage(4),
        tekst="Tak for beskeden. Vi har talt med lægen, og Karen skal tage den nye tablet "
        "om morgenen i stedet for om aftenen. Hjemmeplejen: hold gerne øje med, om søvnen "
        "bliver bedre den næste uge.",
    )  # fmt: skip
    laesning_write(samtale=s, actor=karen.user, til_nummer=3, now=dage(3.9))
    besked_write(
        samtale=s, actor=jonas.user, now=dage(3),
        tekst="Tak. Jeg kommer på besøg på søndag og hjælper mor med at flytte tabletten i "
        "dosisæsken.",
    )  # fmt: skip
    laesning_write(samtale=s, actor=hanne.user, til_nummer=4, now=dage(2.5))
    karen_deltager = Deltager.objects.gaeldende().get(samtale=s, person=karen)
    besked_write(
        samtale=s, actor=psykolog.user, enhed=e["pc-dep"], now=dage(1),
        svar_fra=karen_deltager, svar_frist=(nu + datetime.timedelta(days=3)).date(),
        tekst="Karen, har du taget tabletten om morgenen hver dag siden torsdag? Skriv "
        "gerne, hvordan du har sovet.",
    )  # fmt: skip

    # 2. Among the professionals: Mette's unit takes part by its open request.
    anmodning = (
        Anmodning.objects.filter(borger=karen, anmoder=mette, status=AnmodningStatus.AFVENTER)
        .order_by("-oprettet")
        .first()
    )
    if anmodning is None:
        return
    start = max(anmodning.oprettet, nu) + datetime.timedelta(seconds=1)
    faglig = samtale_create(
        borger=karen, type=SamtaleType.FAGLIG, emne="Koordinering af støtte i hverdagen",
        actor=mette.user, enhed=e["hp"], deltagere=[e["hjp"], e["pc-dep"]], now=start,
        tekst="Karens søn har fortalt, at hverdagen er blevet svær. Jeg vurderer, om hun "
        "kan få socialpædagogisk støtte, og har bedt Karen om samtykke.",
    )  # fmt: skip
    besked_write(
        samtale=faglig, actor=psykolog.user, enhed=e["pc-dep"],
        now=start + datetime.timedelta(minutes=20),
        tekst="Fra psykiatriens side støtter vi det. Struktur i hverdagen hjælper på søvnen.",
    )  # fmt: skip
    hjp = Deltager.objects.gaeldende().get(samtale=faglig, enhed=e["hjp"])
    besked_write(
        samtale=faglig, actor=mette.user, enhed=e["hp"],
        now=start + datetime.timedelta(minutes=40),
        svar_fra=hjp, svar_frist=(nu + datetime.timedelta(days=4)).date(),
        tekst="Hjemmeplejen: kan I skrive kort, hvad Karen klarer selv, og hvor I hjælper, "
        "inden fredag?",
    )  # fmt: skip

    # 3. The conversation Mette's request opened, shown where Karen answers it.
    samtale_create(
        borger=karen, type=SamtaleType.MED_BORGEREN, anmodning=anmodning,
        emne="Anmodning om samtykke: støtte i hverdagen", actor=mette.user, enhed=e["hp"],
        now=start + datetime.timedelta(minutes=45),
        tekst="Hej Karen. Jeg har sendt dig en anmodning om samtykke. Skriv endelig her, hvis "
        "du har spørgsmål, før du svarer – du kan også ringe til mig.",
    )  # fmt: skip
