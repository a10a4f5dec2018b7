"""Property: whatever order workers pick messages up in (and however often), the messages
about one object are applied exactly once each, in the order they were received — with an
update received before its create applied after the create."""

from __future__ import annotations

import uuid

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mox import services
from mox.behandling.anvend import anvend
from mox.models import Besked
from mox.protokol import Status
from tests import hypotese
from tests.mox.test_behandling import indpak, tilstand_data, v
from tilstand.models import TilstandRegistrering


class Rul(Exception):
    """Roll the example back."""


@settings(
    max_examples=hypotese.eksempler(30),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), antal=st.integers(min_value=1, max_value=4))
def test_any_processing_order_applies_each_message_once_in_receipt_order(
    afsender, grundlag, data, antal
):
    objekt_id = uuid.uuid4()
    opret = indpak(tilstand_data(grundlag, fra="2024-01-01"), objekt_id=objekt_id)
    opret["data"]["note"] = "opret"
    rettelser = []
    for i in range(1, antal + 1):
        ret = indpak(
            {
                "note": f"ret {i}",
                "attributter": {
                    "tilstandegenskaber": [
                        {"beskrivelse": f"ret {i}", "virkning": v(f"2024-0{i + 1}-01")}
                    ]
                },
            },
            operation="update",
            objekt_id=objekt_id,
        )
        rettelser.append(ret)
    # the create may be received anywhere among the updates
    plads = data.draw(st.integers(min_value=0, max_value=antal), label="create received as no.")
    modtaget = [*rettelser[:plads], opret, *rettelser[plads:]]
    try:
        with transaction.atomic():
            services.beskeder_receive(system=afsender.system, beskeder=modtaget)
            pks = list(
                Besked.objects.filter(objekt_id=objekt_id)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            # workers pick messages in any order, some twice (redelivery, the sweep) ...
            for pk in data.draw(st.lists(st.sampled_from(pks), max_size=12), label="picked"):
                anvend(pk)
            # ... and the sweep eventually offers every open message again
            for _ in range(len(pks) + 1):
                for pk in pks:
                    anvend(pk)
            statusser = set(Besked.objects.filter(pk__in=pks).values_list("status", flat=True))
            assert statusser == {Status.BEHANDLET}
            begrundelser = list(
                TilstandRegistrering.objects.filter(tilstand_id=objekt_id)
                .order_by("nummer")
                .values_list("begrundelse", flat=True)
            )
            forventet = ["opret"] + [r["data"]["note"] for r in modtaget if r is not opret]
            assert begrundelser == forventet
            raise Rul
    except Rul:
        pass
