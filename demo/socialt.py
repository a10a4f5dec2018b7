"""The social area in FFB terms, and the region's psychiatry, for one generated citizen each.

A citizen of the social area has a profile (target group, typical conditions, offers): a
VUM assessment in Handicap og Psykiatri or the Jobcenter gives mental functions and
circumstances without a level and activities with a functional level and a support need,
answered by § 85 support, offers under §§ 103–110 or mentoring (LAB § 78). Many are also
treated by the region's psychiatry, whose data is its own unit's: others need consent.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from demo import katalog as kat
from demo.klinik import (
    SOCIALE_ENHEDER,
    Hovedperson,
    Klinik,
    Ophoer,
    Vurdering,
    besoeg_tilbage,
    klem,
)
from tilstand.models import Tilstand


def socialt(k: Klinik, hp: Hovedperson, alder: int) -> None:
    """A VUM assessment in FFB terms with § 85 support, offers, or Jobcenter mentoring."""
    rng = hp.rng
    profiler = [p for p in kat.PROFILER if p.jobcenter != "job-unge" or alder < 30]
    profil = rng.choices(profiler, weights=[p.vaegt for p in profiler])[0]
    enhed = profil.jobcenter or rng.choices(SOCIALE_ENHEDER, weights=[3, 3, 2])[0]
    ansvarlig = k.medarbejder(enhed, rng, "" if profil.jobcenter else "socialrådgiver")
    besoeg = besoeg_tilbage(rng, int(rng.triangular(3, 450, 30)), (150, 330), (25, 45, 30))
    start = besoeg[0]
    interval = rng.choice([180, 365, 365])
    svaerhed = rng.choice([1, 2, 2, 3])
    kilde = rng.choice([kat.KILDE_BORGER, kat.KILDE_BORGER_OG_MEDARBEJDER, kat.KILDE_SAGSBEHANDLER])
    foerste = {"kilde": kilde, "metode": kat.METODE_VUM}
    if rng.random() < 0.5:
        foerste["borgerens_vurdering"] = rng.choice(kat.BORGERENS_ORD)
    tabt = profil.navn in ("udviklingshaemning", "hjerneskade")
    maaltype = kat.FFB_BEGRAENSE_TAB if tabt else kat.FFB_UDVIKLE

    def uden_niveau(note: str) -> Callable[[int, int], dict]:
        return lambda _j, d: {"faglig_note": note, "opfoelgning": k.dato(d - interval)}

    def skriv(type_: uuid.UUID, forloeb: list[Vurdering], slut: Ophoer | None = None):
        return k.tilstand(
            hp, enhed=enhed, ansvarlig=ansvarlig, type_=type_, forloeb=forloeb, slut=slut
        )

    mentale = {}
    n = min(3, len(profil.mentale))
    for type_ in rng.sample(profil.mentale, rng.randint(min(2, n), n)):
        forloeb = k.ved_besoeg(rng, besoeg, uden_niveau(kat.MENTALE[type_]), foerste)
        mentale[type_] = skriv(type_, forloeb)
    for type_ in rng.sample(profil.forhold, rng.randint(0, len(profil.forhold))):
        skriv(type_, k.ved_besoeg(rng, besoeg, uden_niveau(kat.FORHOLD[type_]), foerste))

    grupper: dict[uuid.UUID, list[tuple[kat.Art, Tilstand, int]]] = {}
    antal = rng.randint(min(2, len(profil.aktivitet)), min(4, len(profil.aktivitet)))
    for art in rng.sample(profil.aktivitet, antal):
        niveau = [klem(svaerhed + rng.choice([-1, 0, 0, 1]), 1, 4)]

        def felter(j: int, d: int, art=art, niveau=niveau) -> dict:
            if j:
                niveau[0] = klem(niveau[0] + rng.choice([-1, -1, 0, 0, 1]), 0, 4)
            stoette = klem(niveau[0] + rng.choice([-1, 0, 0]), 0, 4)
            return {
                "niveau": kat.FFB_NIVEAU[niveau[0]],
                "stoettebehov": kat.FFB_STOETTEBEHOV[stoette],
                "faglig_note": art.note,
                "opfoelgning": k.dato(d - interval),
            }

        maal_niveau = max(0, niveau[0] - 1) if maaltype == kat.FFB_UDVIKLE else niveau[0]
        forloeb = k.ved_besoeg(
            rng,
            besoeg,
            felter,
            {
                **foerste,
                "maaltype": maaltype,
                "forventet_niveau": kat.FFB_NIVEAU[maal_niveau],
            },
        )
        slut = None
        if niveau[0] == 0 and forloeb[-1].dage > 2:
            slut = Ophoer(forloeb[-1].dage - 1, None, kat.OPHOER_FAGPERSON, "Målet er nået")
        t = skriv(art.tilstand, forloeb, slut)
        if slut is None:
            grupper.setdefault(art.indsats, []).append((art, t, forloeb[0].dage))

    if profil.jobcenter:
        lov = "LAB § 78"
        faelles = {
            "bevilgende_enhed": k.enheder[enhed],
            "leverende_enhed": k.enheder[enhed],
        }
    else:
        lov = "SEL § 85"
        faelles = {
            "bevilgende_enhed": k.enheder["hp-myn"],
            "leverende_enhed": k.enheder["hp-sp"],
        }
    faelles |= {"maalgruppe": profil.maalgruppe, "kilde": kilde, "metode": kat.METODE_VUM}
    slut_ffb = (kat.FFB_AFSLUT, kat.OPHOER_FAGPERSON, "Målene er nået")
    ydelser = [
        (type_, [t for _a, t, _d in m], [(a.maal, [t]) for a, t, _d in m], min(d for *_, d in m))
        for type_, m in list(grupper.items())[:2]
    ]
    if kat.FOELELSER_OG_ADFAERD in mentale and not profil.jobcenter and rng.random() < 0.4:
        foelelser = mentale[kat.FOELELSER_OG_ADFAERD]
        maal = "Kender sine tegn på forværring og ved, hvem der kan hjælpe."
        ydelser.append((kat.STOETTE_PSYKISK_TRIVSEL, [foelelser], [(maal, [foelelser])], start))
    for type_, tilstande, maal, fra in ydelser:
        start_i = max(2, fra - rng.randint(10, 40))
        opf, slut = k.opfoelgninger(
            rng, start_i, besoeg, kat.FFB_FORTSAET, p_slut=0.15, slut=slut_ffb
        )
        k.indsats(
            hp,
            enhed=enhed,
            ansvarlig=ansvarlig,
            type_=type_,
            lov=lov,
            start=start_i,
            interval=interval,
            tilstande=tilstande,
            maal=maal,
            opfoelgninger=opf,
            slut=slut,
            felter=faelles,
        )
    aktiviteter = [t for m in grupper.values() for _a, t, _d in m][:2]
    for tilbud in profil.tilbud:
        if rng.random() < 0.4:
            start_i = max(2, start - rng.randint(30, 120))
            opf, slut = k.opfoelgninger(
                rng,
                start_i,
                besoeg,
                kat.FFB_FORTSAET,
                p_slut=0.2,
                slut=(kat.FFB_AFSLUT, kat.OPHOER_HAENDELSE, "Flyttet til egen bolig"),
            )
            k.indsats(
                hp,
                enhed=enhed,
                ansvarlig=ansvarlig,
                type_=tilbud.type,
                lov=tilbud.lov,
                start=start_i,
                interval=365,
                tilstande=aktiviteter,
                opfoelgninger=opf,
                maal=[("Trives i tilbuddet og deltager i fællesskabet.", aktiviteter)],
                slut=slut,
                felter={
                    **faelles,
                    "bevilgende_enhed": k.enheder["hp-myn"],
                    "leverende_enhed": None,
                    "leverandoer": tilbud.leverandoer,
                },
            )
    if profil.region and rng.random() < 0.6:
        psykiatri(k, hp, profil.region)


def psykiatri(k: Klinik, hp: Hovedperson, enhed: str) -> None:
    """The region's psychiatry: mental conditions in FFB or FSIII terms, own unit."""
    rng = hp.rng
    besoeg = besoeg_tilbage(rng, int(rng.triangular(3, 300, 15)), (60, 150), (20, 40, 40))
    udskrevet = besoeg[-1] > 30 and rng.random() < 0.25
    slut_dag = besoeg[-1] - rng.randint(1, 20)
    for type_, note, fsiii in rng.sample(kat.REGION[enhed], 2):
        ansvarlig = k.medarbejder(enhed, rng, "sygeplejerske" if fsiii else "")
        forloeb = k.ved_besoeg(
            rng,
            besoeg,
            lambda _j, d, note=note: {"faglig_note": note, "opfoelgning": k.dato(d - 90)},
            {
                "kilde": kat.KILDE_BORGER_OG_MEDARBEJDER,
                "metode": kat.METODE_SYGEPLEJE if fsiii else None,
            },
        )
        slut = None
        if udskrevet:
            slut = Ophoer(slut_dag, None, kat.OPHOER_FAGPERSON, "Afsluttet i psykiatrien")
        k.tilstand(hp, enhed=enhed, ansvarlig=ansvarlig, type_=type_, forloeb=forloeb, slut=slut)
