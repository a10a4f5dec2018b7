"""A chunk's unit and staff messages are planned message by message and written together.

As for tilstand and sag (test_behandling_samlet*.py): the joint write of a chunk must give
exactly what applying each message alone gives (a savepoint and an immediate write per
message): the same statuses and errors, the same units and staff with the same fields
and logins, and the same conditions where a condition message names a unit or a member
of staff planned earlier in the chunk (which makes the chunk write its plans first). The
messages that are never planned (passivate, delete, moving a unit or changing its
validity, closing a member of staff) are written at once between the planned ones.
"""

from __future__ import annotations

import logging
import uuid

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mox import services
from mox.behandling.anvend import anvend_mange
from mox.models import Besked
from mox.protokol import Status
from organisation.models import Enhed, Medarbejder
from tests import hypotese
from tests.mox.conftest import ny_afsender
from tests.mox.samlet import modtag_og_anvend, statements_for_chunk
from tests.mox.test_behandling import indpak, tilstand_data, v
from tests.mox.test_organisation import bruger_data, enhed_data
from tilstand.models import Tilstand

ENHED_OPRET = ("opret", "opret_under", "opret_uden_myndighed", "opret_inaktiv", "opret_tom")
ENHED_SLAGS = (
    "navn", "tomt_navn", "enhedstype", "ukendt_enhedstype", "flyt_top", "flyt_under",
    "gyldighed", "passiver", "slet", "tilstand",
)  # fmt: skip
BRUGER_OPRET = ("opret", "opret_inaktiv", "opret_ukendt_myndighed")
BRUGER_SLAGS = ("navn", "email", "daarlig_email", "inaktiv", "passiver", "tilstand", "enhed")


class Rul(Exception):
    """Roll the example back."""


def _enhed_besked(slags, i, ids, n, andre, grundlag) -> dict:
    """Message number `i` of unit history `n` (`andre`: another history, a parent)."""
    objekt_id = ids[n]
    navn = f"Enhed {n}.{i}"
    if slags in ENHED_OPRET:
        if slags == "opret_under":
            data = enhed_data(navn, overordnet=ids[andre])
        elif slags == "opret_uden_myndighed":  # refused: no authority, no parent
            data = enhed_data(navn)
        else:
            data = enhed_data(navn, tilhoerer=grundlag.myndighed.pk)
        if slags == "opret_inaktiv":  # refused: never Aktiv
            data["tilstande"]["organisationenhedgyldighed"][0]["gyldighed"] = "Inaktiv"
        if slags == "opret_tom":  # refused by the model: a blank name
            data["attributter"]["organisationenhedegenskaber"][0]["enhedsnavn"] = ""
        return indpak(data, "organisationenhed", "create", objekt_id)
    if slags in ("passiver", "slet"):
        operation = "passivate" if slags == "passiver" else "delete"
        return indpak({}, "organisationenhed", operation, objekt_id)
    if slags == "tilstand":  # a condition for which the unit is responsible
        data = tilstand_data(grundlag, fra="2024-01-01", beskrivelse=navn)
        data["relationer"]["tilstandsaktoer"][0]["uuid"] = str(objekt_id)
        return indpak(data, "tilstand", "create", uuid.uuid5(objekt_id, str(i)))
    fra = f"2024-0{i % 9 + 1}-01"
    data: dict = {}
    if slags in ("navn", "tomt_navn"):
        data["attributter"] = {
            "organisationenhedegenskaber": [
                {"enhedsnavn": navn if slags == "navn" else "", "virkning": v(fra)}
            ]
        }
    if slags in ("enhedstype", "ukendt_enhedstype"):
        klasse = grundlag.type.pk if slags == "enhedstype" else uuid.uuid4()
        data["relationer"] = {"enhedstype": [{"uuid": str(klasse), "virkning": v(fra)}]}
    if slags == "flyt_top":  # written at once: under the authority
        data["relationer"] = {
            "overordnet": [{"uuid": str(grundlag.myndighed.pk), "virkning": v(fra)}],
            "tilhoerer": [{"uuid": str(grundlag.myndighed.pk), "virkning": v(fra)}],
        }
    if slags == "flyt_under":  # written at once: under another history's unit
        data["relationer"] = {"overordnet": [{"uuid": str(ids[andre]), "virkning": v(fra)}]}
    if slags == "gyldighed":  # written at once: the unit ends at the end of 2099
        data["tilstande"] = {
            "organisationenhedgyldighed": [
                {"gyldighed": "Aktiv", "virkning": v("2021-01-01", "2099-12-31")}
            ]
        }
    return indpak(data, "organisationenhed", "update", objekt_id)


def _bruger_besked(slags, i, ids, n, grundlag, enhed_ids) -> dict:
    objekt_id = ids[n]
    navn = f"Medarbejder {n}.{i}"
    if slags in BRUGER_OPRET:
        myndighed = grundlag.myndighed.pk if slags != "opret_ukendt_myndighed" else uuid.uuid4()
        data = bruger_data(navn, tilhoerer=myndighed)
        if slags == "opret_inaktiv":  # written at once: made and closed
            data["tilstande"]["brugergyldighed"][0]["gyldighed"] = "Inaktiv"
        return indpak(data, "bruger", "create", objekt_id)
    if slags == "passiver":
        return indpak({}, "bruger", "passivate", objekt_id)
    if slags in ("tilstand", "enhed"):
        # a condition naming the member of staff (and, for "enhed", a unit planned in the
        # chunk as the responsible unit)
        data = tilstand_data(grundlag, fra="2024-01-01", beskrivelse=navn)
        data["relationer"]["tilstandsaktoer"].append(
            {"objekttype": "Bruger", "uuid": str(objekt_id), "virkning": v("2024-01-01")}
        )
        if slags == "enhed" and enhed_ids:
            data["relationer"]["tilstandsaktoer"][0]["uuid"] = str(enhed_ids[0])
        return indpak(data, "tilstand", "create", uuid.uuid5(objekt_id, str(i)))
    fra = f"2024-0{i % 9 + 1}-01"
    data: dict = {}
    if slags == "navn":
        data["attributter"] = {"brugeregenskaber": [{"brugernavn": navn, "virkning": v(fra)}]}
    if slags in ("email", "daarlig_email"):
        adresse = f"m{n}.{i}@example.org" if slags == "email" else "ikke en adresse"
        data["relationer"] = {
            "adresser": [{"urn": f"urn:mailto:{adresse}", "virkning": v("2021-01-01")}]
        }
    if slags == "inaktiv":  # written at once: closes the member of staff
        data["tilstande"] = {
            "brugergyldighed": [{"gyldighed": "Inaktiv", "virkning": v("2021-01-01")}]
        }
    return indpak(data, "bruger", "update", objekt_id)


def _udfald(beskeder, enhed_ids, bruger_ids, grundlag) -> tuple:
    """What the messages ended as and what their objects hold, ids replaced by the
    history they belong to (each run uses ids of its own)."""
    navne = {i: f"enhed {n}" for n, i in enumerate(enhed_ids)}
    navne |= {i: f"bruger {n}" for n, i in enumerate(bruger_ids)}
    navne |= {grundlag.enhed.pk: "grundlag"}

    def navn(i):
        return navne.get(i, i)

    pr_id = {
        str(b.besked_id): (b.status, b.fejl)
        for b in Besked.objects.filter(besked_id__in=[x["beskedID"] for x in beskeder])
    }
    statusser = [pr_id[b["beskedID"]] for b in beskeder]
    enheder = []
    for i in enhed_ids:
        e = (
            Enhed.objects.filter(pk=i)
            .values(
                "navn",
                "overordnet_id",
                "myndighed_id",
                "enhedstype",
                "gyldig_fra",
                "gyldig_til",
                "kildesystem",
            )  # fmt: skip
            .first()
        )
        if e is not None:
            e["overordnet_id"] = navn(e["overordnet_id"])
        enheder.append(e)
    brugere = [
        Medarbejder.objects.filter(pk=i)
        .values(
            "navn",
            "email",
            "telefon",
            "myndighed_id",
            "kildesystem",
            "user__username",
            "user__is_active",
            "user__password",
        )  # fmt: skip
        .first()
        for i in bruger_ids
    ]
    for b, i in zip(brugere, bruger_ids, strict=True):
        if b is not None:
            b["user__username"] = b["user__username"].replace(str(i), "<id>")
            b["user__password"] = b["user__password"][:1]  # unusable: "!" and random text
    tilstande = sorted(
        (
            (t.faglig_note, navn(t.ansvarlig_enhed_id), navn(t.ansvarlig_id))
            for t in Tilstand.objects.filter(
                pk__in=[uuid.uuid5(i, str(k)) for i in [*enhed_ids, *bruger_ids] for k in range(12)]
            )
        ),
        key=repr,
    )
    return statusser, enheder, brugere, tilstande


@settings(
    max_examples=hypotese.eksempler(40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    enheder=st.lists(
        st.tuples(st.sampled_from(ENHED_OPRET), st.lists(st.sampled_from(ENHED_SLAGS), max_size=5)),
        min_size=0,
        max_size=3,
    ),
    brugere=st.lists(
        st.tuples(
            st.sampled_from(BRUGER_OPRET), st.lists(st.sampled_from(BRUGER_SLAGS), max_size=4)
        ),
        min_size=0,
        max_size=2,
    ),
    data=st.data(),
)
def test_a_chunk_of_units_and_staff_written_together_equals_each_message_applied_alone(
    afsender, grundlag, enheder, brugere, data
):
    sekvenser = [("enhed", n, [(o, 0)] + [(s, i + 1) for i, s in enumerate(f)])
                 for n, (o, f) in enumerate(enheder)]  # fmt: skip
    sekvenser += [("bruger", n, [(o, 0)] + [(s, i + 1) for i, s in enumerate(f)])
                  for n, (o, f) in enumerate(brugere)]  # fmt: skip
    if not sekvenser:
        return
    raekkefoelge = data.draw(
        st.permutations([k for k, (_a, _n, s) in enumerate(sekvenser) for _ in s]),
        label="interleaving",
    )
    # the other unit a history's "under" points at (itself when it is the only one: a
    # unit under itself is refused, or waits)
    andre = [data.draw(st.integers(0, max(len(enheder) - 1, 0))) for _ in enheder]
    try:
        with transaction.atomic():
            udfald = []
            for samlet in (True, False):
                enhed_ids = [uuid.uuid4() for _ in enheder]
                bruger_ids = [uuid.uuid4() for _ in brugere]
                naeste = [0] * len(sekvenser)
                beskeder = []
                for k in raekkefoelge:
                    art, n, sekvens = sekvenser[k]
                    slags, i = sekvens[naeste[k]]
                    naeste[k] += 1
                    if art == "enhed":
                        beskeder.append(_enhed_besked(slags, i, enhed_ids, n, andre[n], grundlag))
                    else:
                        beskeder.append(
                            _bruger_besked(slags, i, bruger_ids, n, grundlag, enhed_ids)
                        )
                modtag_og_anvend(afsender.system, beskeder, samlet=samlet)
                udfald.append(_udfald(beskeder, enhed_ids, bruger_ids, grundlag))
            samlet_udfald, hver_for_sig = udfald
            assert samlet_udfald == hver_for_sig
            statusser = {s for s, _ in samlet_udfald[0]}
            assert statusser <= {Status.BEHANDLET, Status.FEJLET, Status.VENTER}
            raise Rul
    except Rul:
        pass


def _chunk(grundlag, antal: int) -> list[dict]:
    """`antal` unit and staff messages: creates (units under the authority and under
    each other, staff) and updates of names, types and addresses."""
    enheder = [uuid.uuid4() for _ in range(antal // 4)]
    brugere = [uuid.uuid4() for _ in range(antal // 4)]
    beskeder = []
    for n, e in enumerate(enheder):
        if n % 2:
            data = enhed_data(f"Enhed {n}", overordnet=enheder[n - 1])
        else:
            data = enhed_data(f"Enhed {n}", tilhoerer=grundlag.myndighed.pk)
        data["relationer"]["enhedstype"] = [
            {"uuid": str(grundlag.type.pk), "virkning": v("2021-01-01")}
        ]
        beskeder.append(indpak(data, "organisationenhed", "create", e))
    for n, b in enumerate(brugere):
        beskeder.append(
            indpak(bruger_data(f"B {n}", tilhoerer=grundlag.myndighed.pk), "bruger", "create", b)
        )
    for n, e in enumerate(enheder):
        data = {"attributter": {"organisationenhedegenskaber": [
            {"enhedsnavn": f"Distrikt {n}", "virkning": v("2024-02-01")}]}}  # fmt: skip
        beskeder.append(indpak(data, "organisationenhed", "update", e))
    for n, b in enumerate(brugere):
        fra = v("2024-02-01")
        data = {
            "attributter": {"brugeregenskaber": [{"brugernavn": f"M {n}", "virkning": fra}]},
            "relationer": {"adresser": [{"urn": f"urn:mailto:m{n}@example.org", "virkning": fra}]},
        }
        beskeder.append(indpak(data, "bruger", "update", b))
    return beskeder


@pytest.mark.django_db
def test_a_chunk_of_units_and_staff_takes_the_same_statements_whatever_its_size(grundlag):
    # a system registered for one unit (not "every unit there is", whose test hook adds
    # each new unit to the system with a query of its own)
    afsender = ny_afsender("Organisationssystem", enheder=[grundlag.enhed], alle_enheder=False)
    antal_statements = {}
    for antal in (8, 40):
        antal_statements[antal] = statements_for_chunk(afsender.system, _chunk(grundlag, antal))
    assert antal_statements[8] == antal_statements[40], antal_statements


@pytest.mark.django_db
@pytest.mark.parametrize("foer_tilstand", [True, False], ids=["midt_i", "til_sidst"])
def test_planned_units_the_database_refuses_are_redone_message_by_message(
    afsender, grundlag, caplog, foer_tilstand
):
    # The database refuses one unit (a trigger, as a constraint the planning does not know
    # would), when the plans are written before a condition that names a planned unit
    # (midt_i) or at the end of the chunk (til_sidst): the chunk is rolled back and applied
    # one message at a time, each in its savepoint; only the refused unit fails.
    with connection.cursor() as c:
        c.execute(
            "CREATE FUNCTION test_afvis_bom() RETURNS trigger AS $$ BEGIN"
            " IF NEW.navn = 'BOM' THEN RAISE EXCEPTION 'afvist'; END IF;"
            " RETURN NEW; END $$ LANGUAGE plpgsql;"
            " CREATE TRIGGER test_afvis_bom BEFORE INSERT ON organisation_enhed"
            " FOR EACH ROW EXECUTE FUNCTION test_afvis_bom();"
        )
    a, b, c_ = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    tilstand = tilstand_data(grundlag, fra="2024-01-01")
    if foer_tilstand:
        tilstand["relationer"]["tilstandsaktoer"][0]["uuid"] = str(a)
    beskeder = [
        indpak(
            enhed_data("God", tilhoerer=grundlag.myndighed.pk), "organisationenhed", "create", a
        ),
        indpak(
            enhed_data("BOM", tilhoerer=grundlag.myndighed.pk), "organisationenhed", "create", b
        ),
        indpak(tilstand),
        indpak(enhed_data("Også god", overordnet=a), "organisationenhed", "create", c_),
    ]
    services.beskeder_receive(system=afsender.system, beskeder=beskeder)
    pks = list(Besked.objects.order_by("pk").values_list("pk", flat=True))
    with caplog.at_level(logging.WARNING, logger="mox.behandling.anvend"):
        resultat = anvend_mange(pks)
    assert list(resultat.values()) == [
        Status.BEHANDLET, Status.FEJLET, Status.BEHANDLET, Status.BEHANDLET,
    ]  # fmt: skip
    assert "samlet skrivning af 4 beskeder fejlede" in caplog.text
    assert set(Enhed.objects.filter(pk__in=[a, b, c_]).values_list("pk", flat=True)) == {a, c_}
    assert Tilstand.objects.get().ansvarlig_enhed_id == (a if foer_tilstand else grundlag.enhed.pk)
