"""Home care, nursing and rehabilitation in FSIII terms, for one generated citizen each.

Home care (Hjemmepleje): functional conditions with levels 0–4 and the citizen's own view,
assessed at visits over up to two years, answered by § 83 help. Nursing (Hjemmesygeplejen
or Hjemmepleje): sygeplejetilstande without a level, SUL § 138; wounds heal. Rehabilitation
(Træning og Rehabilitering): levels improve over a few weeks, SUL § 140, mostly ended.
"""

from __future__ import annotations

import uuid

from demo import katalog as kat
from demo.klinik import (
    Hovedperson,
    Klinik,
    Opfoelgning,
    Ophoer,
    Vurdering,
    besoeg_frem,
    besoeg_tilbage,
    klem,
)
from tilstand.models import Tilstand

# Postcodes served by Hjemmepleje Nord; the rest of Aarhus by Hjemmepleje Syd.
NORD = {"8200", "8210", "8220", "8230", "8240", "8250", "8381", "8520"}


def hjemmepleje(k: Klinik, hp: Hovedperson) -> None:
    """Home care: FSIII conditions with levels, § 83 help, sometimes nursing."""
    rng = hp.rng
    distrikt = "hjp-nord" if hp.borger.postnummer in NORD else "hjp-syd"
    enhed = "hjp" if rng.random() < 0.35 else distrikt  # the area, or the district itself
    ansvarlig = k.medarbejder(enhed, rng)
    besoeg = besoeg_tilbage(rng, int(rng.triangular(3, 420, 20)), (120, 300), (20, 40, 30, 10))
    interval = rng.choice([180, 180, 365, 365])
    svaerhed = rng.choice([1, 2, 2, 3])
    kilde = rng.choice(
        [kat.KILDE_BORGER, kat.KILDE_BORGER_OG_PAAROERENDE, kat.KILDE_BORGER_OG_MEDARBEJDER]
    )
    grupper: dict[uuid.UUID, list[tuple[kat.Art, Tilstand, int]]] = {}
    for art in rng.sample(kat.HJEMMEPLEJE, rng.randint(3, 6)):
        fra = 0 if rng.random() < 0.8 else rng.randrange(len(besoeg))
        foerste = {"kilde": kilde, "metode": kat.METODE_HJEMMEPLEJE}
        if rng.random() < 0.4:
            foerste["borgerens_vurdering"] = rng.choice(kat.BORGERENS_ORD)
        if rng.random() < 0.4:
            foerste["maaltype"] = kat.FSIII_UAENDRET
        niveau = klem(svaerhed + rng.choice([-1, 0, 0, 1]), 1, 4)
        felter = k.niveauer(rng, art, niveau, [-1, 0, 0, 1, 1], interval)
        forloeb = k.ved_besoeg(rng, besoeg[fra:], felter, foerste)
        slut = None
        if forloeb[-1].felter["niveau"] == kat.FSIII_NIVEAU[0] and forloeb[-1].dage > 2:
            slut = Ophoer(forloeb[-1].dage - 1, None, kat.OPHOER_FAGPERSON, "Ikke et problem")
        t = k.tilstand(
            hp, enhed=enhed, ansvarlig=ansvarlig, type_=art.tilstand, forloeb=forloeb, slut=slut
        )
        if art.indsats and niveau >= 2 and slut is None:
            grupper.setdefault(art.indsats, []).append((art, t, forloeb[0].dage))
    for type_, medlemmer in list(grupper.items())[:3]:
        start_i = max(2, min(d for _a, _t, d in medlemmer) - rng.randint(1, 10))
        opf, slut = k.opfoelgninger(
            rng,
            start_i,
            besoeg,
            kat.FSIII_FORTSAETTES,
            p_slut=0.1,
            slut=(kat.FSIII_AFSLUTTES, kat.OPHOER_BORGER, "Borgeren ønsker ikke hjælpen"),
        )
        k.indsats(
            hp,
            enhed=enhed,
            ansvarlig=ansvarlig,
            type_=type_,
            lov="SEL § 83",
            start=start_i,
            interval=interval,
            tilstande=[t for _a, t, _d in medlemmer],
            maal=[(a.maal, [t]) for a, t, _d in medlemmer],
            opfoelgninger=opf,
            slut=slut,
            felter={
                "bevilgende_enhed": k.enheder["sot-vis"],
                "leverende_enhed": k.enheder[distrikt],
                "kilde": kilde,
                "metode": kat.METODE_HJEMMEPLEJE,
            },
        )
    if rng.random() < 0.45:
        sygepleje(k, hp, "hjp" if enhed == "hjp" and rng.random() < 0.5 else "hjp-spl")


def sygepleje(k: Klinik, hp: Hovedperson, enhed: str) -> None:
    """Nursing: FSIII sygeplejetilstande without a level, SUL § 138; wounds may heal."""
    rng = hp.rng
    ansvarlig = k.medarbejder(enhed, rng, "sygeplejerske")
    for art in rng.sample(kat.SYGEPLEJE, rng.randint(1, 2)):
        besoeg = besoeg_tilbage(rng, int(rng.triangular(3, 250, 10)), (45, 150), (30, 40, 30))
        start = besoeg[0]
        forloeb = k.ved_besoeg(
            rng,
            besoeg,
            lambda _j, d, art=art: {"faglig_note": art.note, "opfoelgning": k.dato(d - 90)},
            {"kilde": kat.KILDE_MEDARBEJDER, "metode": kat.METODE_SYGEPLEJE},
        )
        start_i = max(2, start - rng.randint(0, 5))
        sidste = min(forloeb[-1].dage, start_i)
        slut = None
        if art.indsats == kat.SAARBEHANDLING and sidste > 3 and rng.random() < 0.6:
            slut = Ophoer(
                sidste - rng.randint(1, min(30, sidste - 2)),
                kat.FSIII_AFSLUTTES,
                kat.OPHOER_FAGPERSON,
                "Såret er helet",
            )
        t = k.tilstand(
            hp, enhed=enhed, ansvarlig=ansvarlig, type_=art.tilstand, forloeb=forloeb, slut=slut
        )
        opf = [Opfoelgning(v.dage, kat.FSIII_FORTSAETTES) for v in forloeb[1:]]
        opf = [o for o in opf if o.dage < start_i and (slut is None or o.dage > slut.dage)]
        k.indsats(
            hp,
            enhed=enhed,
            ansvarlig=ansvarlig,
            type_=art.indsats,
            lov="SUL § 138",
            start=start_i,
            interval=90,
            tilstande=[t],
            maal=[(art.maal, [t])],
            opfoelgninger=opf,
            slut=slut,
            felter={
                "bevilgende_enhed": k.enheder["hjp-spl"],
                "leverende_enhed": k.enheder["hjp-spl"],
                "kilde": kat.KILDE_MEDARBEJDER,
                "metode": kat.METODE_SYGEPLEJE,
            },
        )


def genoptraening(k: Klinik, hp: Hovedperson) -> None:
    """Rehabilitation after a hospital stay (SUL § 140): levels improve; most have ended."""
    rng = hp.rng
    ansvarlig = k.medarbejder("sot-trae", rng, "fysioterapeut")
    start = rng.randint(20, 700)
    besoeg = besoeg_frem(rng, start, (21, 45), (10, 40, 50))
    afsluttet = len(besoeg) > 1 and besoeg[-1] > 10
    slut_dag = besoeg[-1] - rng.randint(1, 7) if afsluttet else None
    foerste = {
        "kilde": kat.KILDE_BORGER_OG_MEDARBEJDER,
        "metode": kat.METODE_TERAPEUT,
        "maaltype": kat.FSIII_MINDSKES,
        "forventet_niveau": kat.FSIII_NIVEAU[1],
    }
    lavet = []
    for art in rng.sample(kat.GENOPTRAENING, rng.randint(2, 3)):
        felter = k.niveauer(rng, art, rng.choice([2, 3, 3, 4]), [-1, -1, 0], 42)
        forloeb = [Vurdering(d, felter(j, d)) for j, d in enumerate(besoeg)]
        forloeb[0].felter.update(foerste)
        slut = None
        if slut_dag is not None:
            slut = Ophoer(slut_dag, None, kat.OPHOER_FAGPERSON, "Genoptræningen er afsluttet")
        t = k.tilstand(
            hp,
            enhed="sot-trae",
            ansvarlig=ansvarlig,
            type_=art.tilstand,
            forloeb=forloeb,
            slut=slut,
        )
        lavet.append((art, t))
    start_i = max(2, start - rng.randint(1, 5))
    opf = [Opfoelgning(d, kat.FSIII_AENDRES) for d in besoeg[1:] if d < start_i]
    k.indsats(
        hp,
        enhed="sot-trae",
        ansvarlig=ansvarlig,
        type_=lavet[0][0].indsats,
        lov="SUL § 140",
        start=start_i,
        interval=42,
        tilstande=[t for _a, t in lavet],
        maal=[(a.maal, [t]) for a, t in lavet],
        opfoelgninger=opf,
        slut=(
            Ophoer(slut_dag, kat.FSIII_AFSLUTTES, kat.OPHOER_FAGPERSON, "Målene er nået")
            if slut_dag is not None
            else None
        ),
        felter={
            "bevilgende_enhed": k.enheder["sot-vis"],
            "leverende_enhed": k.enheder["sot-trae"],
            "kilde": kat.KILDE_BORGER_OG_MEDARBEJDER,
            "metode": kat.METODE_TERAPEUT,
        },
    )
