"""Correction requests (GDPR art. 16): services, the access rules, and the pages."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse

from datadeling.core.models import idag as idag_
from indsats.models import BorgerensStemme
from indsats.services import borgerens_stemme_add
from organisation.models import Omfang, Relation, RelationsType
from organisation.selectors import aktoer_for
from samtykke import policy
from samtykke.berigtigelse import services
from samtykke.berigtigelse.services import svarfrist
from samtykke.models import Adgangslog, BerigtigelseStatus
from tilstand import services as tilstand_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def g(grundlag):
    g = grundlag
    User = get_user_model()
    g.borger.user = User.objects.create_user("else")
    g.borger.save()
    g.t = tilstand_services.tilstand_register(
        actor=g.user, borger=g.borger,
        data={"type": g.type, "ansvarlig_enhed": g.enhed, "faglig_note": "Går dårligt"},
    )  # fmt: skip
    return g


def _anmod(g, **kw):
    return services.berigtigelse_create(
        actor=g.borger.user, datum=g.t, indsendt_af=g.borger,
        hvad_er_forkert="Jeg går fint", hvad_er_rigtigt="Går godt", **kw,
    )  # fmt: skip


def test_due_date_is_one_month_ahead():
    assert svarfrist(datetime.datetime(2026, 1, 31, 12, tzinfo=datetime.UTC)) == datetime.date(
        2026, 2, 28
    )


def test_correct_names_the_request_in_the_history(g):
    b = _anmod(g)
    assert b.frist == svarfrist(b.oprettet)
    assert list(policy.berigtigelser_til(aktoer_for(g.user))) == [b]
    svar = services.berigtigelse_correct(
        actor=g.user, berigtigelse=b, aendringer={"faglig_note": "Går godt"},
        virkning_fra=g.t.virkning_fra, begrundelse="Du har ret.",
    )  # fmt: skip
    g.t.refresh_from_db()
    assert g.t.faglig_note == "Går godt"
    reg = svar.tilstand_registrering
    assert reg.pk == g.t.registrering_id
    assert reg.begrundelse.startswith(services.RETTET_EFTER_ANMODNING)
    assert reg.berigtigelse_svar.berigtigelse == b
    assert list(policy.berigtigelser_til(aktoer_for(g.user))) == []
    with pytest.raises(ValidationError):  # one answer per request
        services.berigtigelse_decline(actor=g.user, berigtigelse=b, begrundelse="Nej")


def test_only_the_owning_unit_answers(g):
    b = _anmod(g)
    anden = get_user_model().objects.create_user("anden")
    with pytest.raises(PermissionDenied):
        services.berigtigelse_decline(actor=anden, berigtigelse=b, begrundelse="Nej")


def test_declined_then_statement(g):
    b = _anmod(g)
    with pytest.raises(ValidationError):
        services.bemaerkning_add(actor=None, berigtigelse=b, skrevet_af=g.borger, tekst="x")
    svar = services.berigtigelse_decline(actor=g.user, berigtigelse=b, begrundelse="Vi så det.")
    assert svar.status == BerigtigelseStatus.AFVIST
    services.bemaerkning_add(actor=None, berigtigelse=b, skrevet_af=g.borger, tekst="Uenig")


def test_requests_are_append_only(g):
    b = _anmod(g)
    with (
        pytest.raises(Exception, match="må kun udvides"),
        transaction.atomic(),
        connection.cursor() as c,
    ):
        c.execute("UPDATE samtykke_berigtigelse SET hvad_er_forkert='x' WHERE id=%s", [b.pk])


def test_empty_text_is_refused_in_danish(g):
    with pytest.raises(ValidationError) as fejl:
        services.berigtigelse_create(
            actor=None, datum=g.t, indsendt_af=g.borger, hvad_er_forkert="  "
        )
    assert "Skriv, hvad der er forkert." in str(fejl.value)


def test_relative_in_scope_files_and_others_do_not(g):
    idag = idag_()
    for n, (omfang, ok) in enumerate(
        (
            ([Omfang.SAMTYKKE, Omfang.HELBRED], True),
            ([Omfang.SAMTYKKE], False),
            ([Omfang.HELBRED], False),
        )
    ):
        person = type(g.borger).objects.create(cpr=f"030370{n}234", fornavn="P", efternavn="R")
        r = Relation.objects.create(
            borger=g.borger, person=person, type=RelationsType.FULDMAGT, omfang=omfang,
            gyldig_fra=idag - datetime.timedelta(days=1),
            gyldig_til=idag + datetime.timedelta(days=30),
        )  # fmt: skip
        if ok:
            _anmod_for = services.berigtigelse_create(
                actor=None, datum=g.t, indsendt_af=person, via_relation=r,
                hvad_er_forkert="x",
            )  # fmt: skip
            assert _anmod_for.via_relation == r
        else:
            with pytest.raises(PermissionDenied):
                services.berigtigelse_create(
                    actor=None, datum=g.t, indsendt_af=person, via_relation=r,
                    hvad_er_forkert="x",
                )  # fmt: skip


def test_voice_is_appended(g):
    from indsats import services as indsats_services
    from klassifikation import kendte as k
    from klassifikation.models import Klasse

    ydelse = Klasse.objects.filter(sti__contains=[k.FFB_YDELSE], underordnede__isnull=True).first()
    i = indsats_services.indsats_register(
        actor=g.user, borger=g.borger,
        data={"type": ydelse, "ansvarlig_enhed": g.enhed, "bevilgende_enhed": g.enhed},
    )  # fmt: skip
    borgerens_stemme_add(actor=None, indsats=i, skrevet_af=g.borger, forloeb="Godt")
    borgerens_stemme_add(actor=None, indsats=i, skrevet_af=g.borger, betydning="Meget")
    assert BorgerensStemme.objects.filter(indsats=i).count() == 2
    with pytest.raises(ValidationError):
        borgerens_stemme_add(actor=None, indsats=i, skrevet_af=g.anden_borger, forloeb="x")


def test_pages_flow(g, client):
    client.force_login(g.borger.user)
    url = reverse("overblik:min_tilstand_berigtigelse", kwargs={"pk": g.t.pk})
    svar = client.post(url, {"hvad_er_forkert": "", "hvad_er_rigtigt": "Behold mig"})
    assert svar.status_code == 200 and "Behold mig" in svar.content.decode()
    svar = client.post(url, {"hvad_er_forkert": "Forkert", "hvad_er_rigtigt": "Rigtigt"})
    assert svar.status_code == 302
    assert (
        "Du har bedt om en rettelse" in client.get(reverse("overblik:mine_data")).content.decode()
    )
    assert client.get(reverse("overblik:mine_berigtigelser")).status_code == 200
    b = policy.berigtigelser_for_borger(g.borger.pk).get()
    assert client.get(svar["Location"]).status_code == 200
    client.force_login(g.user)
    assert b.pk and "Else Jensen" in client.get(reverse("overblik:berigtigelser")).content.decode()
    side = reverse("overblik:berigtigelse", kwargs={"pk": b.pk})
    assert client.get(side).status_code == 200
    svar = client.post(side, {"handling": "afvis", "begrundelse": ""})
    assert svar.status_code == 200
    svar = client.post(side, {"handling": "afvis", "begrundelse": "Det står fast."})
    assert svar.status_code == 302
    assert Adgangslog.objects.filter(borger=g.borger, hvad="Anmodning om rettelse").exists()
    client.force_login(g.borger.user)
    mit = reverse("overblik:min_berigtigelse", kwargs={"pk": b.pk})
    assert "Det står fast." in client.get(mit).content.decode()
    assert client.post(mit, {"tekst": "Jeg er uenig"}).status_code == 302
    client.force_login(g.user)
    side = client.get(reverse("overblik:tilstand", kwargs={"pk": g.t.pk})).content.decode()
    assert "Jeg er uenig" in side
    oversigt = client.get(reverse("overblik:borger", kwargs={"pk": g.borger.pk}))
    assert "Jeg er uenig" in oversigt.content.decode()


def test_notifications_hear_each_event_of_a_request(g):
    """The kinds a notification hook registered for Berigtigelse receives, in order."""
    from datadeling.core import hooks
    from samtykke.models import Berigtigelse, BerigtigelseHaendelse

    hoert = []

    def krog(*, sender, aendringer):
        hoert.extend((sender, a.livscykluskode, a.objekt.pk) for a in aendringer)

    hooks.registrer(hooks.Trin.NOTIFIKATION, krog, sendere=(Berigtigelse,))
    try:
        b = _anmod(g)
        services.berigtigelse_decline(actor=g.user, berigtigelse=b, begrundelse="Nej")
        services.bemaerkning_add(actor=None, berigtigelse=b, skrevet_af=g.borger, tekst="Uenig")
    finally:
        hooks.afregistrer(hooks.Trin.NOTIFIKATION, krog)
    assert hoert == [
        (Berigtigelse, BerigtigelseHaendelse.INDSENDT, b.pk),
        (Berigtigelse, BerigtigelseHaendelse.AFVIST, b.pk),
        (Berigtigelse, BerigtigelseHaendelse.BEMAERKNING, b.pk),
    ]
