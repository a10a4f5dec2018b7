"""The correction-request pages and the citizen's words: pinned query counts, equal for 10
and 1,000 requests (or entries)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indsats import services as indsats_services
from indsats.services import borgerens_stemme_add
from klassifikation import kendte as k
from klassifikation.models import Klasse
from samtykke.berigtigelse import services
from tilstand import services as tilstand_services

pytestmark = pytest.mark.django_db

# Measured once, pinned: session + user, who is logged in, the transaction, the read (the
# requests with their answers, data and units in one query, their statements in one), the
# access log (one statement); the staff page of one request also loads its correction
# form's choices and the datum's start.
SIDER = {
    "mine_berigtigelser": 8,
    "min_berigtigelse": 8,
    "berigtigelser": 11,
    "berigtigelse": 12,
    "mine_ord": 8,
}


def _byg(g, n: int):
    User = get_user_model()
    g.borger.user = User.objects.create_user("else")
    g.borger.save()
    t = tilstand_services.tilstand_register(
        actor=g.user, borger=g.borger, data={"type": g.type, "ansvarlig_enhed": g.enhed}
    )
    ydelse = Klasse.objects.filter(sti__contains=[k.FFB_YDELSE], underordnede__isnull=True).first()
    i = indsats_services.indsats_register(
        actor=g.user, borger=g.borger,
        data={"type": ydelse, "ansvarlig_enhed": g.enhed, "bevilgende_enhed": g.enhed},
    )  # fmt: skip
    forste = None
    for nr in range(n):
        b = services.berigtigelse_create(
            actor=None, datum=t if nr % 2 else i, indsendt_af=g.borger, hvad_er_forkert=f"F{nr}"
        )
        forste = forste or b
        if nr % 3 == 0:
            services.berigtigelse_decline(actor=g.user, berigtigelse=b, begrundelse="Nej")
            services.bemaerkning_add(
                actor=None, berigtigelse=b, skrevet_af=g.borger, tekst=f"Uenig {nr}"
            )
        borgerens_stemme_add(actor=None, indsats=i, skrevet_af=g.borger, forloeb=f"Godt {nr}")
    return t, i, forste


def _antal(client, url) -> int:
    with CaptureQueriesContext(connection) as q:
        svar = client.get(url)
    assert svar.status_code == 200, url
    return len(q)


@pytest.mark.parametrize("n", [10, 1000])
def test_pages_have_pinned_query_counts(grundlag, client, n):
    t, i, b = _byg(grundlag, n)
    client.force_login(grundlag.borger.user)
    borger = {
        "mine_berigtigelser": reverse("overblik:mine_berigtigelser"),
        "min_berigtigelse": reverse("overblik:min_berigtigelse", kwargs={"pk": b.pk}),
        "mine_ord": reverse("overblik:mine_ord", kwargs={"pk": i.pk}),
    }
    fundet = {navn: _antal(client, url) for navn, url in borger.items()}
    client.force_login(grundlag.user)
    personale = {
        "berigtigelser": reverse("overblik:berigtigelser"),
        "berigtigelse": reverse("overblik:berigtigelse", kwargs={"pk": b.pk}),
    }
    fundet |= {navn: _antal(client, url) for navn, url in personale.items()}
    assert fundet == SIDER
