"""A chunk's sag writes are planned message by message and written together.

As for tilstand (test_behandling_samlet): the joint write of a chunk must give exactly
what applying each message alone gives (a savepoint and an immediate write per message):
the same statuses and errors, the same registrations with the same metadata, the same
case. A message that fails has its plans undone, so the next message about the case
builds on what came before it. Tilstand messages are mixed in: one chunk plans both.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mox.models import Besked
from mox.protokol import Status
from sagsindeks.models import Sag, SagRegistrering
from tests import hypotese
from tests.mox.samlet import modtag_og_anvend
from tests.mox.test_behandling import indpak, tilstand_data, v
from tests.mox.test_sag import sag_data
from tilstand.models import Tilstand, TilstandRegistrering

OPRET = ("opret", "opret_fremtid", "opret_afsluttet")
SLAGS = (
    "ret_titel", "ret_fremdrift", "afslut", "genaabn", "ret_daarlig_kle", "ret_ukendt_fremdrift",
    "ret_kun_journal", "ret_fremmed_enhed", "passiver", "slet", "tilstand",
)  # fmt: skip


class Rul(Exception):
    """Roll the example back."""


def _besked(slags: str, objekt_id, i: int, grundlag) -> dict:
    note = f"{slags} {i}"
    if slags in OPRET:
        data = sag_data(grundlag, titel=f"Sag {i}")
        data["note"] = note
        if slags == "opret_fremtid":  # refused by the service: a start in the future
            for post in data["attributter"]["sagegenskaber"]:
                post["virkning"] = v("2999-01-01")
        if slags == "opret_afsluttet":
            data["tilstande"]["sagfremdrift"][0]["fremdrift"] = "Afsluttet"
        return indpak(data, "sag", "create", objekt_id)
    if slags in ("passiver", "slet"):
        operation = "passivate" if slags == "passiver" else "delete"
        return indpak({"note": note}, "sag", operation, objekt_id)
    fra = f"2024-0{i % 9 + 1}-15"
    data: dict = {"note": note}
    egenskab = {"virkning": v(fra)}
    if slags == "ret_titel":
        egenskab["titel"] = note
    if slags == "ret_daarlig_kle":
        egenskab["integrationsdata"] = '{"kle": "x"}'
    if slags in ("ret_titel", "ret_daarlig_kle"):
        data["attributter"] = {"sagegenskaber": [egenskab]}
    fremdrift = {
        "ret_fremdrift": "Afgjort", "afslut": "Afsluttet", "genaabn": "Oplyst",
        "ret_ukendt_fremdrift": "Ukendt",
    }.get(slags)  # fmt: skip
    if fremdrift is not None:
        data["tilstande"] = {"sagfremdrift": [{"fremdrift": fremdrift, "virkning": v(fra)}]}
    if slags == "ret_fremmed_enhed":  # refused while mapping: not a unit the system writes for
        data["relationer"] = {
            "ansvarlig": [
                {"objekttype": "Organisationenhed", "uuid": str(uuid.uuid4()), "virkning": v(fra)}
            ]
        }
    # ret_kun_journal: nothing the index holds (applied, nothing written)
    return indpak(data, "sag", "update", objekt_id)


def _udfald(beskeder: list[dict], sag_ids: list, tilstand_ids: list) -> tuple:
    """What the messages ended as, and what their objects hold, without ids and times."""
    pr_id = {
        str(b.besked_id): (b.status, b.fejl)
        for b in Besked.objects.filter(besked_id__in=[x["beskedID"] for x in beskeder])
    }
    statusser = [pr_id[b["beskedID"]] for b in beskeder]
    felter = (
        "titel", "fremdrift", "kle_nummer", "startdato", "slutdato", "aktiv", "livscykluskode",
        "ansvarlig_enhed_id", "ansvarlig_enhed_uuid", "borger_id", "kildesystem",
        "kildesystem_id", "sagsnummer",
    )  # fmt: skip
    sager = []
    for sag_id in sag_ids:
        s = Sag.objects.filter(pk=sag_id).values(*felter).first()
        registreringer = [
            (r.nummer, r.livscykluskode, r.aktoer_tekst, r.begrundelse, r.data)
            for r in SagRegistrering.objects.filter(sag_id=sag_id).order_by("nummer")
        ]
        sager.append((s, registreringer))
    tilstande = [
        (
            Tilstand.objects.filter(pk=t).values_list("faglig_note", "aktiv").first(),
            list(
                TilstandRegistrering.objects.filter(tilstand_id=t)
                .order_by("nummer")
                .values_list("nummer", "livscykluskode", "begrundelse")
            ),
        )
        for t in tilstand_ids
    ]
    return statusser, sager, tilstande


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
def test_a_chunk_of_cases_written_together_equals_each_message_applied_alone(
    afsender, grundlag, forloeb, data
):
    # one abstract history per case, sent twice under other object ids; "tilstand" in a
    # history is a condition message (a create, or an update of the case's condition)
    sekvenser = [[(o, 0)] + [(s, i + 1) for i, s in enumerate(f)] for o, f in forloeb]
    raekkefoelge = data.draw(
        st.permutations([n for n, s in enumerate(sekvenser) for _ in s]), label="interleaving"
    )
    try:
        with transaction.atomic():
            udfald = []
            for samlet in (True, False):
                sag_ids = [uuid.uuid4() for _ in sekvenser]
                tilstand_ids = [uuid.uuid4() for _ in sekvenser]
                tilstand_oprettet = [False] * len(sekvenser)
                naeste = [0] * len(sekvenser)
                beskeder = []
                for n in raekkefoelge:
                    slags, i = sekvenser[n][naeste[n]]
                    naeste[n] += 1
                    if slags == "tilstand":
                        if tilstand_oprettet[n]:
                            t_data = {
                                "note": f"tilstand {i}",
                                "attributter": {"tilstandegenskaber": [
                                    {"beskrivelse": f"t {i}", "virkning": v(f"2024-0{i}-01")}
                                ]},
                            }  # fmt: skip
                            beskeder.append(indpak(t_data, "tilstand", "update", tilstand_ids[n]))
                        else:
                            t_data = tilstand_data(grundlag, fra="2024-01-01")
                            t_data["note"] = f"tilstand {i}"
                            beskeder.append(indpak(t_data, objekt_id=tilstand_ids[n]))
                            tilstand_oprettet[n] = True
                    else:
                        beskeder.append(_besked(slags, sag_ids[n], i, grundlag))
                modtag_og_anvend(afsender.system, beskeder, samlet=samlet)
                udfald.append(_udfald(beskeder, sag_ids, tilstand_ids))
            samlet_udfald, hver_for_sig = udfald
            assert samlet_udfald == hver_for_sig
            statusser = {s for s, _ in samlet_udfald[0]}
            assert statusser <= {Status.BEHANDLET, Status.FEJLET, Status.VENTER}
            raise Rul
    except Rul:
        pass
