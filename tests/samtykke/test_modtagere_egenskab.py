"""Property: the rule "which people may be told of this change" (policy.personale_der_ser,
asked for many people at once) equals, on random data, a plain reference function of who
works where in which profession and of the consents, blocks and legal bases in force —
and so equals the per-person staff rule the screens use (tilstande_synlige,
indsatser-like, sager_synlige), which is asked too.

Random: staff in two units of one authority, each role with or without one of two
professions; consents to a unit, to the authority or to one person by name, with or
without a profession, with or without the case overview, revoked or not; blocks;
legal-basis accesses; one condition and one case per unit.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klassifikation import kendte as k
from klassifikation.models import Klasse
from organisation.models import Borger, Enhed, Funktion, Medarbejder, Myndighed
from organisation.selectors import aktoer_for
from sagsindeks.services import sag_register
from samtykke import policy, services
from samtykke.models import Beslutning
from tests import hypotese
from tests.fakeclock import FakeClock
from tilstand.services import tilstand_register

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
UNITS, STAFF = 2, 4

rolle = st.tuples(st.integers(0, UNITS - 1), st.sampled_from([None, 0, 1]))
samtykke = st.fixed_dictionaries(
    {
        "til": st.sampled_from(["enhed0", "enhed1", "myndighed", "person0", "person1"]),
        "fag": st.sampled_from([None, 0, 1]),
        "kilder": st.sets(st.integers(0, UNITS - 1), min_size=1),
        "sager": st.booleans(),
        "blok": st.booleans(),
        "tilbagekaldt": st.booleans(),
    }
)


def reference(w: dict, m: int, objekt: tuple) -> bool:
    """Whether staff member m may see the object (kind, unit), in plain words."""
    kind, unit = objekt
    roller = w["roller"][m]
    if not roller:
        return False
    if unit in {e for e, _f in roller} or m in w["hjemler"]:
        return True

    def til_mig(s, fag_krav: bool) -> bool:
        if s["til"] == f"person{m}":
            return not fag_krav or s["fag"] is None or s["fag"] in {f for _e, f in roller}
        for e, f in roller:
            if (s["til"] in (f"enhed{e}", "myndighed")) and (
                not fag_krav or s["fag"] is None or s["fag"] == f
            ):
                return True
        return False

    i_kraft = [s for s in w["samtykker"] if not s["tilbagekaldt"]]
    blokeret = any(s["blok"] and til_mig(s, fag_krav=False) for s in i_kraft)
    viser = any(
        not s["blok"] and til_mig(s, fag_krav=True) and unit in s["kilder"]
        and (kind == "tilstand" or s["sager"])
        for s in i_kraft
    )  # fmt: skip
    return viser and not blokeret


@settings(
    max_examples=hypotese.eksempler(80),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    roller=st.lists(st.lists(rolle, max_size=2), min_size=STAFF, max_size=STAFF),
    samtykker=st.lists(samtykke, max_size=4),
    hjemler=st.sets(st.integers(0, STAFF - 1), max_size=1),
)
def test_who_may_be_told_equals_the_reference(
    kodesystemer, monkeypatch, roller, samtykker, hjemler
):
    monkeypatch.setattr("datadeling.core.clock.now", FakeClock(START))
    w = {"roller": [], "samtykker": [], "hjemler": hjemler}
    with transaction.atomic():
        kommune = Myndighed.objects.create(navn="K", type="kommune", kommunekode="997")
        enheder = [Enhed.objects.create(myndighed=kommune, navn=f"E{i}") for i in range(UNITS)]
        fag = list(Klasse.objects.filter(klassifikation__uri=k.FFB_URI).order_by("kode")[:2])
        borger = Borger.objects.create(cpr="0101801000", fornavn="B", efternavn="B")
        kategori = Klasse.objects.get(pk=k.FFB_TILSTANDE)
        type_ = Klasse.objects.filter(sti__contains=[kategori.pk], underordnede__isnull=True)
        type_ = type_.order_by("kode").first()
        lov = Klasse.objects.filter(klassifikation__uri=k.ADGANGSHJEMMEL_URI).first()
        ansatte, brugere = [], []
        for i in range(STAFF):
            user = get_user_model().objects.create_user(f"u{i}")
            m = Medarbejder.objects.create(user=user, myndighed=kommune, navn=f"M{i}")
            ansatte.append(m)
            brugere.append(user)
            unikke = dict(roller[i])  # one role per unit
            w["roller"].append(set(unikke.items()))
            for e, f in unikke.items():
                Funktion.objects.create(
                    medarbejder=m, enhed=enheder[e], rolle="sagsbehandler",
                    faglighed=None if f is None else fag[f],
                    gyldig_fra=START.date() - datetime.timedelta(days=1),
                )  # fmt: skip
        objekter = []
        for e in range(UNITS):
            t = tilstand_register(
                actor=None, borger=borger, data={"type": type_, "ansvarlig_enhed": enheder[e]}
            )
            objekter.append((t, ("tilstand", e)))
            sag = sag_register(
                actor=None, borger=borger,
                data={"titel": "Sag", "kildesystem": "X", "fremdrift": "Oplyst",
                      "startdato": START.date(), "ansvarlig_enhed": enheder[e]},
            )  # fmt: skip
            objekter.append((sag, ("sag", e)))
        for s in samtykker:
            til = s["til"]
            if til == "myndighed":
                modtager = kommune
            elif til.startswith("enhed"):
                modtager = enheder[int(til[-1])]
            else:
                modtager = ansatte[int(til[-1])]
            faglighed = None if s["fag"] is None else fag[s["fag"]]
            if s["blok"]:
                db = services.samtykke_give(
                    actor=None, borger=borger, modtager=modtager, beslutning=Beslutning.AFVIS,
                    faglighed=faglighed,
                )  # fmt: skip
            else:
                db = services.samtykke_give(
                    actor=None, borger=borger, modtager=modtager, kategorier=[kategori],
                    kilder=[enheder[e] for e in sorted(s["kilder"])], formaal="Koordinering",
                    faglighed=faglighed, sagsindeks=s["sager"],
                )  # fmt: skip
            if s["tilbagekaldt"]:
                services.samtykke_revoke(actor=None, samtykke=db)
            w["samtykker"].append(s)
        for m in hjemler:
            if w["roller"][m]:
                e = min(e for e, _f in w["roller"][m])
                services.hjemmel_register(
                    actor=None, borger=borger, medarbejder=ansatte[m], enhed=enheder[e],
                    lovgrundlag=lov, begrundelse="Akut", dage=3,
                )  # fmt: skip
            else:
                w["hjemler"] = set()

        alle = [m.pk for m in ansatte]
        for objekt, beskrivelse in objekter:
            got = policy.personale_der_ser(objekt, alle, START)
            want = {ansatte[m].pk for m in range(STAFF) if reference(w, m, beskrivelse)}
            assert got == want, (beskrivelse, w)
            # and the per-person rule of the screens agrees
            skaerm = set()
            for m, user in zip(ansatte, brugere, strict=True):
                a = aktoer_for(user)
                qs = (
                    policy.tilstande_synlige(a) if beskrivelse[0] == "tilstand"
                    else policy.sager_synlige(a)
                )  # fmt: skip
                if qs.filter(pk=objekt.pk).exists():
                    skaerm.add(m.pk)
            assert got == skaerm, (beskrivelse, w)
        transaction.set_rollback(True)
