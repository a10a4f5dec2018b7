"""A chunk's tilstand writes are planned message by message and written together.

The joint write must give exactly what applying each message alone gives (the old path,
a savepoint and an immediate write per message): the same statuses and errors, the same
registrations with the same timelines, the same current state. A message that fails has
its plans undone, so the next message about the object builds on what came before it. A
joint write the database refuses is rolled back and the chunk applied message by message,
so the refusal stays with its message.
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
from tests import hypotese
from tests.mox.samlet import modtag_og_anvend
from tests.mox.test_behandling import indpak, tilstand_data, v
from tilstand.models import Tilstand, TilstandRegistrering, TilstandVersion

# the first message about an object: a create (whose later period may break a rule, after
# the create itself was planned); then what a message about an existing object may do
OPRET = ("opret", "opret_daarlig_senere")
SLAGS = (
    "ret", "ret_foer_start", "ret_ukendt_klasse", "ret_forkert_niveau", "ret_halvt",
    "passiver", "slet",
)  # fmt: skip


def _ffb_niveau():
    """A level on FFB's scale: mapped to `niveau`, refused by the rules for an FSIII type."""
    from klassifikation import kendte as k
    from klassifikation.models import Klasse

    return Klasse.objects.filter(sti__contains=[k.FFB_FUNKTIONSEVNENIVEAU]).first().pk


class Rul(Exception):
    """Roll the example back."""


def _besked(slags: str, objekt_id, i: int, grundlag, ffb_niveau) -> dict:
    note = f"{slags} {i}"
    forkert_niveau = {"objekttype": "Klasse", "uuid": str(ffb_niveau)}
    if slags in OPRET:
        data = tilstand_data(grundlag, fra="2024-01-01")
        data["note"] = note
        # a later period: the create registers, then corrects, in one message
        data["attributter"]["tilstandegenskaber"].append(
            {"beskrivelse": f"senere {i}", "virkning": v("2024-06-01")}
        )
        if slags == "opret_daarlig_senere":  # the correction breaks a rule: nothing at all
            data["relationer"]["tilstandstype"].append(
                {**forkert_niveau, "virkning": v("2024-08-01")}
            )
        return indpak(data, objekt_id=objekt_id)
    if slags in ("passiver", "slet"):
        operation = "passivate" if slags == "passiver" else "delete"
        return indpak({"note": note}, operation=operation, objekt_id=objekt_id)
    fra = "2023-01-01" if slags == "ret_foer_start" else f"2024-0{i % 9 + 1}-15"
    data = {
        "note": note,
        "attributter": {"tilstandegenskaber": [{"beskrivelse": note, "virkning": v(fra)}]},
    }
    if slags == "ret_ukendt_klasse":  # refused while mapping the message
        data["relationer"] = {
            "tilstandstype": [
                {"objekttype": "Klasse", "uuid": str(uuid.uuid4()), "virkning": v(fra)}
            ]
        }
    if slags == "ret_forkert_niveau":  # refused by the service's rules (FFB level, FSIII type)
        data["relationer"] = {"tilstandstype": [{**forkert_niveau, "virkning": v(fra)}]}
    if slags == "ret_halvt":  # two periods: the first is fine, the second breaks a rule
        data["relationer"] = {"tilstandstype": [{**forkert_niveau, "virkning": v("2024-10-01")}]}
    return indpak(data, operation="update", objekt_id=objekt_id)


def _udfald(beskeder: list[dict], objekt_ids: list) -> tuple[list, list]:
    """What the messages ended as, and what their objects hold, without ids and times."""
    pr_id = {
        str(b.besked_id): (b.status, b.fejl)
        for b in Besked.objects.filter(besked_id__in=[x["beskedID"] for x in beskeder])
    }
    statusser = [pr_id[b["beskedID"]] for b in beskeder]
    felter = ("faglig_note", "status", "type_id", "niveau_id", "kildesystem", "kildesystem_id")
    objekter = []
    for objekt_id in objekt_ids:
        t = Tilstand.objects.filter(pk=objekt_id).first()
        if t is None:
            objekter.append(None)
            continue
        registreringer = []
        for r in TilstandRegistrering.objects.filter(tilstand_id=objekt_id).order_by("nummer"):
            versioner = list(
                TilstandVersion.objects.filter(registrering=r)
                .order_by("virkning_fra")
                .values_list("virkning_fra", "virkning_til", *felter)
            )
            registreringer.append(
                (r.nummer, r.livscykluskode, r.aktoer_tekst, r.begrundelse, versioner)
            )
        nu = (t.aktiv, t.livscykluskode, t.virkning_fra, t.virkning_til, t.registrering.nummer)
        objekter.append((nu, *(getattr(t, f) for f in felter), registreringer))
    return statusser, objekter


@settings(
    max_examples=hypotese.eksempler(40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    forloeb=st.lists(
        st.tuples(st.sampled_from(OPRET), st.lists(st.sampled_from(SLAGS), max_size=5)),
        min_size=1,
        max_size=3,
    ),
    data=st.data(),
)
def test_a_chunk_written_together_equals_each_message_applied_alone(
    afsender, grundlag, forloeb, data
):
    ffb_niveau = _ffb_niveau()
    # one abstract history per object, sent twice under other object ids
    sekvenser = [[(o, 0)] + [(s, i + 1) for i, s in enumerate(f)] for o, f in forloeb]
    # objects interleaved, each in its own order
    raekkefoelge = data.draw(
        st.permutations([n for n, s in enumerate(sekvenser) for _ in s]), label="interleaving"
    )
    try:
        with transaction.atomic():
            udfald = []
            for samlet in (True, False):
                ids = [uuid.uuid4() for _ in sekvenser]
                naeste = [0] * len(sekvenser)
                beskeder = []
                for n in raekkefoelge:
                    slags, i = sekvenser[n][naeste[n]]
                    naeste[n] += 1
                    beskeder.append(_besked(slags, ids[n], i, grundlag, ffb_niveau))
                modtag_og_anvend(afsender.system, beskeder, samlet=samlet)
                udfald.append(_udfald(beskeder, ids))
            samlet_udfald, hver_for_sig = udfald
            assert samlet_udfald == hver_for_sig
            statusser = {s for s, _ in samlet_udfald[0]}
            # (updates of an object whose create failed wait for it)
            assert statusser <= {Status.BEHANDLET, Status.FEJLET, Status.VENTER}
            raise Rul
    except Rul:
        pass


@pytest.mark.django_db
def test_a_failed_message_is_undone_and_the_next_builds_on_what_came_before(afsender, grundlag):
    a = uuid.uuid4()
    opret = indpak(tilstand_data(grundlag, fra="2024-01-01"), objekt_id=a)
    daarlig = indpak(
        {
            "note": "forkert niveau",
            "attributter": {
                "tilstandegenskaber": [{"beskrivelse": "mellem", "virkning": v("2024-03-01")}]
            },
            "relationer": {
                "tilstandstype": [
                    {
                        "objekttype": "Klasse",
                        "uuid": str(_ffb_niveau()),
                        "virkning": v("2024-03-01"),
                    }
                ]
            },
        },
        operation="update",
        objekt_id=a,
    )
    god = indpak(
        {
            "note": "god",
            "attributter": {
                "tilstandegenskaber": [{"beskrivelse": "senere", "virkning": v("2024-05-01")}]
            },
        },
        operation="update",
        objekt_id=a,
    )
    services.beskeder_receive(system=afsender.system, beskeder=[opret, daarlig, god])
    pks = list(Besked.objects.order_by("pk").values_list("pk", flat=True))
    assert list(anvend_mange(pks).values()) == [Status.BEHANDLET, Status.FEJLET, Status.BEHANDLET]
    registreringer = list(TilstandRegistrering.objects.filter(tilstand_id=a).order_by("nummer"))
    assert [r.nummer for r in registreringer] == [1, 2]
    noter = list(
        TilstandVersion.objects.filter(registrering=registreringer[-1])
        .order_by("virkning_fra")
        .values_list("faglig_note", flat=True)
    )
    assert "mellem" not in noter and noter[-1] == "senere"


@pytest.mark.django_db
def test_a_joint_write_the_database_refuses_is_redone_message_by_message(
    afsender, grundlag, caplog
):
    # The database refuses one version (a trigger, as a constraint the planning does not
    # know would): the chunk's joint write fails, is rolled back, and the messages are
    # applied one by one, each in its savepoint: only the refused one fails.
    with connection.cursor() as c:
        c.execute(
            "CREATE FUNCTION test_afvis_bom() RETURNS trigger AS $$ BEGIN"
            " IF NEW.faglig_note = 'BOM' THEN RAISE EXCEPTION 'afvist'; END IF;"
            " RETURN NEW; END $$ LANGUAGE plpgsql;"
            " CREATE TRIGGER test_afvis_bom BEFORE INSERT ON tilstand_tilstandversion"
            " FOR EACH ROW EXECUTE FUNCTION test_afvis_bom();"
        )
    a, b, c_ = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    beskeder = [
        indpak(tilstand_data(grundlag, beskrivelse="god"), objekt_id=a),
        indpak(tilstand_data(grundlag, beskrivelse="BOM"), objekt_id=b),
        indpak(tilstand_data(grundlag, beskrivelse="også god"), objekt_id=c_),
    ]
    services.beskeder_receive(system=afsender.system, beskeder=beskeder)
    pks = list(Besked.objects.order_by("pk").values_list("pk", flat=True))
    with caplog.at_level(logging.WARNING, logger="mox.behandling.anvend"):
        resultat = anvend_mange(pks)
    assert list(resultat.values()) == [Status.BEHANDLET, Status.FEJLET, Status.BEHANDLET]
    assert "samlet skrivning af 3 beskeder fejlede" in caplog.text
    assert set(Tilstand.objects.values_list("pk", flat=True)) == {a, c_}
    assert Besked.objects.get(pk=pks[1]).fejl[0]["fejl"].startswith("Intern fejl")
    # each message was tried once: the rolled-back attempt does not count
    assert list(Besked.objects.order_by("pk").values_list("forsoeg", flat=True)) == [1, 1, 1]
