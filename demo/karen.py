"""Karen Holm's picture, written by hand so the demo tells one coherent story.

Karen (76, Viby J) has had home care from Hjemmepleje for 14 months; the demo nurse
Hanne Kjær Poulsen holds her assessment. She fell and broke her hip eight months ago and
trained with Træning og Rehabilitering; Hjemmesygeplejen treated a leg ulcer that has
just healed; the region's Afdeling for Depression og Angst treats her for depression.
Some assessments are fresh, some are old, and one follow-up is overdue. Independent of
the seed.
"""

from __future__ import annotations

import datetime
import random

from demo import katalog as kat
from demo.klinik import Hovedperson, Klinik, Opfoelgning, Ophoer, Vurdering
from indsats.services import indsats_end, indsats_follow_up
from organisation.models import Borger, Medarbejder


def byg_karen(klinik: Klinik, karen: Borger, hanne: Medarbejder) -> None:
    """Write Karen Holm's conditions and interventions (she has none yet)."""
    hp = Hovedperson("karen", karen, "aeldre", random.Random("karen|klinik"))
    k = klinik
    borger_og_soen = {"kilde": kat.KILDE_BORGER_OG_PAAROERENDE, "metode": kat.METODE_HJEMMEPLEJE}

    def fsiii(art: kat.Art, forloeb: list[tuple[int, int]], interval: int, **foerste):
        vurderinger = [Vurdering(d, k.fsiii(hp.rng, art, n, d - interval)) for d, n in forloeb]
        vurderinger[0].felter.update(borger_og_soen, **foerste)
        return k.tilstand(hp, enhed="hjp", ansvarlig=hanne, type_=art.tilstand, forloeb=vurderinger)

    # Hjemmepleje: visits 430, 250 (after the fall) and 70 days ago.
    gaa = fsiii(
        kat.GAA,
        [(430, 2), (250, 3), (70, 2)],
        180,
        borgerens_vurdering="Jeg tør ikke gå ud alene, efter jeg faldt.",
        maaltype=kat.FSIII_MINDSKES,
        forventet_niveau=kat.FSIII_NIVEAU[1],
    )
    forflytte = fsiii(kat.FORFLYTTE, [(430, 1), (250, 2)], 180)  # follow-up overdue
    vaske = fsiii(kat.VASKE_SIG, [(430, 2), (70, 2)], 180, maaltype=kat.FSIII_UAENDRET)
    paaklaedning = fsiii(kat.PAAKLAEDNING, [(430, 1), (70, 2)], 180)
    husligt = fsiii(kat.HUSLIGT_ARBEJDE, [(430, 3)], 365)  # older than 12 months
    indkoeb = fsiii(kat.INDKOEB, [(430, 3), (250, 4)], 365)
    fsiii(
        kat.HUKOMMELSE,
        [(400, 1)],
        365,
        borgerens_vurdering="Jeg glemmer lidt, men det går.",
    )
    smerter = k.tilstand(
        hp,
        enhed="hjp",
        ansvarlig=hanne,
        type_=kat.KRONISKE_SMERTER.tilstand,
        forloeb=[
            Vurdering(
                300,
                {
                    "kilde": kat.KILDE_BORGER,
                    "metode": kat.METODE_SYGEPLEJE,
                    "faglig_note": kat.KRONISKE_SMERTER.note,
                    "borgerens_vurdering": "Smerterne er værst om morgenen.",
                    "opfoelgning": k.dato(300 - 180),
                },
            ),
            Vurdering(
                70,
                {
                    "faglig_note": "Smerterne er lindret efter justering af medicinen.",
                    "opfoelgning": k.dato(70 - 180),
                },
            ),
        ],
    )

    hjemmepleje = {
        "bevilgende_enhed": k.enheder["sot-vis"],
        "leverende_enhed": k.enheder["hjp-syd"],
        **borger_og_soen,
    }

    def hjaelp(type_, tilstande, arter, start, interval, opf=(), slut=None, lov="SEL § 83", **f):
        return k.indsats(
            hp,
            enhed="hjp",
            ansvarlig=hanne,
            type_=type_,
            lov=lov,
            start=start,
            interval=interval,
            tilstande=tilstande,
            maal=[(a.maal, [t]) for a, t in zip(arter, tilstande, strict=True)],
            opfoelgninger=opf,
            slut=slut,
            felter={**hjemmepleje, **f},
        )

    hjaelp(
        kat.PERSONLIG_HYGIEJNE,
        [vaske, paaklaedning],
        [kat.VASKE_SIG, kat.PAAKLAEDNING],
        425,
        180,
        [Opfoelgning(245, kat.FSIII_AENDRES), Opfoelgning(65, kat.FSIII_FORTSAETTES)],
    )
    mobilitet = hjaelp(kat.MOBILITET_83, [gaa, forflytte], [kat.GAA, kat.FORFLYTTE], 245, 240)
    hjaelp(kat.RENGOERING, [husligt], [kat.HUSLIGT_ARBEJDE], 425, 365)  # follow-up overdue
    hjaelp(
        kat.INDKOEB_83,
        [indkoeb],
        [kat.INDKOEB],
        425,
        180,
        [Opfoelgning(245, kat.FSIII_AENDRES)],
        Ophoer(120, kat.FSIII_AFSLUTTES, kat.OPHOER_BORGER, "Sønnen bestiller varer online"),
    )
    hjaelp(
        kat.KRONISKE_SMERTER.indsats,
        [smerter],
        [kat.KRONISKE_SMERTER],
        295,
        180,
        [Opfoelgning(70, kat.FSIII_FORTSAETTES)],
        lov="SUL § 138",
        bevilgende_enhed=k.enheder["hjp"],
        leverende_enhed=k.enheder["hjp-spl"],
        metode=kat.METODE_SYGEPLEJE,
    )
    # The mobility follow-up was due five days ago; Hanne records it today.
    indsats_follow_up(
        actor=hanne.user,
        indsats=mobilitet,
        resultat=kat.FSIII_FORTSAETTES,
        naeste_opfoelgning=k.idag + datetime.timedelta(days=180),
        begrundelse="Går igen sikkert med rollator indendørs; hjælpen fortsætter.",
    )

    # Hjemmesygeplejen: a venous leg ulcer that healed three days ago.
    sygeplejerske = k.medarbejder("hjp-spl", hp.rng, "sygeplejerske")
    sygepleje = {
        "bevilgende_enhed": k.enheder["hjp-spl"],
        "leverende_enhed": k.enheder["hjp-spl"],
        "kilde": kat.KILDE_MEDARBEJDER,
        "metode": kat.METODE_SYGEPLEJE,
    }

    def spl(art: kat.Art, dage: list[int], interval: int, slut: Ophoer | None = None):
        vurderinger = [
            Vurdering(d, {"faglig_note": art.note, "opfoelgning": k.dato(d - interval)})
            for d in dage
        ]
        vurderinger[0].felter.update(kilde=kat.KILDE_MEDARBEJDER, metode=kat.METODE_SYGEPLEJE)
        return k.tilstand(
            hp,
            enhed="hjp-spl",
            ansvarlig=sygeplejerske,
            type_=art.tilstand,
            forloeb=vurderinger,
            slut=slut,
        )

    saar = spl(
        kat.VENOEST_SAAR, [200, 120], 90, Ophoer(3, None, kat.OPHOER_FAGPERSON, "Såret er helet")
    )
    cirkulation = spl(kat.CIRKULATION, [200, 45], 90)
    saarbehandling = k.indsats(
        hp,
        enhed="hjp-spl",
        ansvarlig=sygeplejerske,
        type_=kat.SAARBEHANDLING,
        lov="SUL § 138",
        start=199,
        interval=90,
        tilstande=[saar],
        maal=[(kat.VENOEST_SAAR.maal, [saar])],
        opfoelgninger=[Opfoelgning(120, kat.FSIII_AENDRES)],
        felter=sygepleje,
    )
    indsats_end(
        actor=sygeplejerske.user,
        indsats=saarbehandling,
        slutdato=k.idag - datetime.timedelta(days=3),
        ophoersgrund=kat.OPHOER_FAGPERSON,
        begrundelse="Såret er helet.",
    )
    k.indsats(
        hp,
        enhed="hjp-spl",
        ansvarlig=sygeplejerske,
        type_=kat.KOMPRESSION,
        lov="SUL § 138",
        start=199,
        interval=90,
        tilstande=[cirkulation],
        maal=[(kat.CIRKULATION.maal, [cirkulation])],
        opfoelgninger=[Opfoelgning(45, kat.FSIII_FORTSAETTES)],
        felter=sygepleje,
    )

    # Træning og Rehabilitering: after the hip fracture, ended 165 days ago.
    terapeut = k.medarbejder("sot-trae", hp.rng, "fysioterapeut")
    slut = Ophoer(165, None, kat.OPHOER_FAGPERSON, "Genoptræningen er afsluttet")
    traening = []
    for art, niveauer in ((kat.GANG_OG_BEVAEGELSE, [3, 2, 1]), (kat.BALANCE, [3, 2, 2])):
        vurderinger = [
            Vurdering(d, k.fsiii(hp.rng, art, n, d - 42))
            for d, n in zip([248, 215, 170], niveauer, strict=True)
        ]
        vurderinger[0].felter.update(
            kilde=kat.KILDE_BORGER_OG_MEDARBEJDER,
            metode=kat.METODE_TERAPEUT,
            maaltype=kat.FSIII_MINDSKES,
            forventet_niveau=kat.FSIII_NIVEAU[1],
        )
        traening.append(
            k.tilstand(
                hp,
                enhed="sot-trae",
                ansvarlig=terapeut,
                type_=art.tilstand,
                forloeb=vurderinger,
                slut=slut,
            )
        )
    k.indsats(
        hp,
        enhed="sot-trae",
        ansvarlig=terapeut,
        type_=kat.FUNKTIONSTRAENING,
        lov="SUL § 140",
        start=246,
        interval=42,
        tilstande=traening,
        maal=[
            (a.maal, [t])
            for a, t in zip((kat.GANG_OG_BEVAEGELSE, kat.BALANCE), traening, strict=True)
        ],
        opfoelgninger=[Opfoelgning(215, kat.FSIII_AENDRES)],
        slut=Ophoer(165, kat.FSIII_AFSLUTTES, kat.OPHOER_FAGPERSON, "Målene er nået"),
        felter={
            "bevilgende_enhed": k.enheder["sot-vis"],
            "leverende_enhed": k.enheder["sot-trae"],
            "kilde": kat.KILDE_BORGER_OG_MEDARBEJDER,
            "metode": kat.METODE_TERAPEUT,
        },
    )

    # Region Midtjylland, Afdeling for Depression og Angst: treated since 330 days ago.
    psykolog = k.medarbejder("pc-dep", hp.rng, "psykolog")
    psykiatrisk_sygeplejerske = k.medarbejder("pc-dep", hp.rng, "sygeplejerske")
    for type_, noter, ansvarlig, metode in (
        (
            kat.FOELELSER_OG_ADFAERD,
            [
                (330, "Moderat depressiv episode; trist, græder meget, har tabt interessen."),
                (150, "Let bedring efter medicinskift; sover bedre."),
                (30, "I bedring; fortsætter samtaler hver fjerde uge."),
            ],
            psykolog,
            None,
        ),
        (
            kat.EMOTIONELLE_PROBLEMER,
            [
                (330, "Tristhed og indre uro, især om aftenen."),
                (30, "Mindre uro; glæder sig til sønnens besøg."),
            ],
            psykiatrisk_sygeplejerske,
            kat.METODE_SYGEPLEJE,
        ),
        (
            kat.IGANGSAETNING,
            [(330, "Nedsat energi og initiativ; bliver i sengen til middag.")],
            psykolog,
            None,
        ),
    ):
        interval = 90 if len(noter) > 1 else 180
        vurderinger = [
            Vurdering(d, {"faglig_note": note, "opfoelgning": k.dato(d - interval)})
            for d, note in noter
        ]
        vurderinger[0].felter.update(kilde=kat.KILDE_BORGER_OG_MEDARBEJDER, metode=metode)
        k.tilstand(hp, enhed="pc-dep", ansvarlig=ansvarlig, type_=type_, forloeb=vurderinger)
