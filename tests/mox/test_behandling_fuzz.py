"""Fuzzing the processing: any message the ingress accepts ends behandlet, fejlet (with
errors naming fields, never a CPR number) or venter — never an exception, never half
applied."""

from __future__ import annotations

import copy
import json
import uuid

from django.db import transaction
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from indsats.models import Indsats
from mox import services, validering
from mox.behandling.anvend import anvend
from mox.models import Besked
from mox.protokol import Status
from tests import hypotese
from tests.mox.conftest import CPR
from tests.mox.test_behandling import BORGER_URN, indpak, indsatstype, tilstand_data, v
from tests.mox.test_schema import json_vaerdier, stier
from tilstand.models import Tilstand


class Rul(Exception):
    """Roll the example back."""


def indsats_data(grundlag) -> dict:
    fra = "2024-04-15"
    return {
        "note": "Bevilget",
        "attributter": {
            "indsatsegenskaber": [
                {
                    "brugervendtnoegle": "I-1",
                    "beskrivelse": "Hjælp",
                    "starttidspunkt": fra,
                    "sluttidspunkt": "2024-10-15",
                    "virkning": v(fra),
                }
            ]
        },
        "tilstande": {
            "indsatsfremdrift": [{"fremdrift": "Visiteret", "virkning": v(fra)}],
            "indsatspubliceret": [{"publiceret": "Normal", "virkning": v(fra)}],
        },
        "relationer": {
            "indsatsmodtager": [{"objekttype": "Person", "urn": BORGER_URN, "virkning": v(fra)}],
            "indsatstype": [
                {"objekttype": "Klasse", "uuid": str(indsatstype().pk), "virkning": v(fra)}
            ],
            "indsatsaktoer": [
                {
                    "objekttype": "Organisationenhed",
                    "uuid": str(grundlag.enhed.pk),
                    "virkning": v(fra),
                }
            ],
        },
    }


def muter(draw, besked: dict) -> dict:
    besked = copy.deepcopy(besked)
    kandidater = [s for s in stier(besked) if s and s[0] == "data"]
    if not kandidater:
        return besked
    sti = draw(st.sampled_from(kandidater))
    foraelder = besked
    for del_ in sti[:-1]:
        foraelder = foraelder[del_]
    handling = draw(st.sampled_from(["erstat", "slet", "tilfoej"]))
    if handling == "erstat":
        foraelder[sti[-1]] = draw(json_vaerdier)
    elif handling == "slet":
        del foraelder[sti[-1]]
    elif isinstance(foraelder[sti[-1]], dict):
        foraelder[sti[-1]][draw(st.text(max_size=12))] = draw(json_vaerdier)
    elif isinstance(foraelder[sti[-1]], list):
        foraelder[sti[-1]].append(draw(json_vaerdier))
    return besked


@settings(
    max_examples=hypotese.eksempler(120),
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
@given(data=st.data())
def test_any_accepted_message_ends_cleanly_and_never_half_applied(afsender, grundlag, data):
    grundlaget = [
        indpak(tilstand_data(grundlag)),
        indpak(indsats_data(grundlag), "indsats"),
    ]
    besked = data.draw(st.sampled_from(grundlaget), label="base")
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        besked = muter(data.draw, besked)
    besked["operation"] = data.draw(st.sampled_from(["create", "import", "update"]))
    besked["beskedID"], besked["objektID"] = str(uuid.uuid4()), str(uuid.uuid4())
    assume(validering.valider(besked) == [])  # the ingress refuses the rest
    model = Tilstand if besked["objekttype"] == "tilstand" else Indsats
    try:
        with transaction.atomic():
            services.beskeder_receive(system=afsender.system, beskeder=[besked])
            b = Besked.objects.get(besked_id=besked["beskedID"])
            status = anvend(b.pk)
            b.refresh_from_db()
            assert status == b.status
            event(f"{besked['operation']} → {b.status}")
            findes = model.objects.filter(pk=besked["objektID"]).exists()
            if b.status == Status.FEJLET:
                assert b.fejl and all(set(f) == {"felt", "fejl"} and f["fejl"] for f in b.fejl)
                assert CPR not in json.dumps(b.fejl)
                assert not findes  # nothing half-applied
            elif b.status == Status.BEHANDLET:
                assert findes == (besked["operation"] != "update")
            else:
                assert b.status == Status.VENTER and besked["operation"] == "update"
            raise Rul
    except Rul:
        pass
