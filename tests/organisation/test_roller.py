"""Role administration over HTTP (issue 11, finding 11): who gives roles, second-eyes
approval of one's own roles, the role trail, and that a pending role grants nothing."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction
from django.test import Client
from django.urls import reverse

from organisation import services
from organisation.models import (
    Enhed,
    Funktion,
    FunktionHaendelse,
    FunktionHandling,
    FunktionStatus,
    Medarbejder,
    Myndighed,
    Rolle,
)
from organisation.selectors import aktoer_for, er_administrator, funktioner_for_adgangslog
from samtykke.models import Adgangslog
from tests.overblik import test_tilstand_screens as skaerme
from tests.overblik.test_tilstand_screens import tilstand

g = skaerme.g

pytestmark = pytest.mark.django_db

TILFOEJ = reverse("admin:organisation_funktion_add")
LISTE = reverse("admin:organisation_funktion_changelist")


def borgerside(borger) -> str:
    return reverse("overblik:borger", kwargs={"pk": borger.pk})


def ret(funktion) -> str:
    return reverse("admin:organisation_funktion_change", args=[funktion.pk])


def klient_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def person(brugernavn: str, myndighed: Myndighed, *, superbruger: bool = False) -> Medarbejder:
    User = get_user_model()
    if superbruger:
        user = User.objects.create_superuser(brugernavn, f"{brugernavn}@example.org", None)
    else:
        user = User.objects.create_user(brugernavn)
    return Medarbejder.objects.create(user=user, myndighed=myndighed, navn=brugernavn.title())


def administrator(brugernavn: str, enhed: Enhed) -> Medarbejder:
    """A superuser who administers the unit's authority (an approved administrator role)."""
    m = person(brugernavn, enhed.myndighed, superbruger=True)
    Funktion.objects.create(
        medarbejder=m, enhed=enhed, rolle=Rolle.ADMINISTRATOR, gyldig_fra=datetime.date(2020, 1, 1)
    )
    return m


def giv(klient: Client, medarbejder: Medarbejder, enhed: Enhed, rolle=Rolle.SAGSBEHANDLER):
    return klient.post(
        TILFOEJ,
        {
            "medarbejder": str(medarbejder.pk),
            "enhed": str(enhed.pk),
            "rolle": rolle,
            "gyldig_fra": "2020-01-01",
        },
    )


def handling(klient: Client, navn: str, *funktioner: Funktion):
    return klient.post(LISTE, {"action": navn, "_selected_action": [str(f.pk) for f in funktioner]})


def spor(funktion) -> list[str]:
    return list(
        FunktionHaendelse.objects.filter(funktion_uuid=funktion.pk)
        .order_by("tidspunkt")
        .values_list("handling", flat=True)
    )


@pytest.fixture
def a():
    """Authority A: another municipality with a unit of its own."""
    myndighed = Myndighed.objects.create(navn="Andeby Kommune", type="kommune", kommunekode="997")
    return Enhed.objects.create(myndighed=myndighed, navn="Andeby Jobcenter")


@pytest.fixture
def b_admin(g):
    """An administrator of authority B (g.myndighed), placed in the unit without the data."""
    return administrator("badmin", g.anden_enhed)


def test_the_attack_a_superuser_giving_themself_a_role_elsewhere_reads_nothing(g, a, b_admin):
    tilstand(g)  # the citizen has data in B's unit g.enhed
    su = person("su", a.myndighed, superbruger=True)
    su_klient = klient_for(su.user)
    assert su_klient.get(borgerside(g.borger)).status_code == 404

    response = giv(su_klient, su, g.enhed)

    assert response.status_code == 302
    funktion = Funktion.objects.get(medarbejder=su)
    assert funktion.status == FunktionStatus.AFVENTER
    assert funktion not in aktoer_for(su.user).funktioner
    assert su_klient.get(borgerside(g.borger)).status_code == 404
    assert not Adgangslog.objects.filter(bruger=su.user).exists()
    # nor can they approve it themself, superuser or not
    handling(su_klient, "godkend", funktion)
    funktion.refresh_from_db()
    assert funktion.status == FunktionStatus.AFVENTER
    assert su_klient.get(borgerside(g.borger)).status_code == 404

    # a second administrator, of B, approves: now it takes effect
    response = handling(klient_for(b_admin.user), "godkend", funktion)
    assert response.status_code == 302
    funktion.refresh_from_db()
    assert funktion.status == FunktionStatus.GODKENDT
    assert su_klient.get(borgerside(g.borger)).status_code == 200
    assert spor(funktion) == [FunktionHandling.ANMODET, FunktionHandling.GODKENDT]

    # the citizen's log names the role and unit, and leads to the function and its trail
    entry = Adgangslog.objects.filter(bruger=su.user).latest("nummer")
    assert (entry.enhed_id, entry.rolle) == (g.enhed.pk, "Sagsbehandler")
    [(fundet, haendelser)] = funktioner_for_adgangslog(entry)
    assert fundet == funktion
    assert [h.handling for h in haendelser] == spor(funktion)
    assert haendelser[-1].aktoer == b_admin.user


def test_a_refused_request_never_grants(g, a, b_admin):
    tilstand(g)
    su = person("su", a.myndighed, superbruger=True)
    giv(klient_for(su.user), su, g.enhed)
    funktion = Funktion.objects.get(medarbejder=su)

    handling(klient_for(b_admin.user), "afvis", funktion)

    funktion.refresh_from_db()
    assert funktion.status == FunktionStatus.AFVIST
    assert klient_for(su.user).get(borgerside(g.borger)).status_code == 404
    assert spor(funktion) == [FunktionHandling.ANMODET, FunktionHandling.AFVIST]
    # a refused role cannot be changed back into force
    response = klient_for(b_admin.user).post(
        ret(funktion), {"enhed": str(g.enhed.pk), "rolle": Rolle.LEDER, "gyldig_fra": "2020-01-01"}
    )
    assert response.status_code == 403


def test_an_administrator_of_a_cannot_give_roles_in_b(g, a, b_admin):
    tilstand(g)
    a_admin = administrator("aadmin", a)
    kollega = person("kollega", g.myndighed)

    response = giv(klient_for(a_admin.user), kollega, g.enhed)

    assert response.status_code == 200
    assert "Kun en administrator i Testrup Kommune" in response.content.decode()
    assert not Funktion.objects.filter(medarbejder=kollega).exists()
    assert not FunktionHaendelse.objects.filter(medarbejder_uuid=kollega.pk).exists()
    # nor approve requests there, nor end B's roles
    su = person("su", a.myndighed, superbruger=True)
    giv(klient_for(su.user), su, g.enhed)
    anmodning = Funktion.objects.get(medarbejder=su)
    handling(klient_for(a_admin.user), "godkend", anmodning)
    handling(klient_for(a_admin.user), "afslut", b_admin.funktioner.get())
    anmodning.refresh_from_db()
    assert anmodning.status == FunktionStatus.AFVENTER
    assert b_admin.funktioner.get().gyldig_til is None
    assert (
        klient_for(a_admin.user).get(ret(b_admin.funktioner.get())).context["has_change_permission"]
        is False
    )

    # B's administrator gives the same role, and it takes effect at once
    response = giv(klient_for(b_admin.user), kollega, g.enhed)
    assert response.status_code == 302
    funktion = Funktion.objects.get(medarbejder=kollega)
    assert funktion.status == FunktionStatus.GODKENDT
    assert klient_for(kollega.user).get(borgerside(g.borger)).status_code == 200


def test_a_superuser_is_not_an_administrator_but_may_appoint_an_authoritys_first(g, a):
    su = person("su", a.myndighed, superbruger=True)
    kollega = person("kollega", g.myndighed)
    su_klient = klient_for(su.user)
    assert not er_administrator(su.user, g.myndighed)

    # not a caseworker role, and not while the authority has no administrator
    assert giv(su_klient, kollega, g.enhed).status_code == 200
    assert not Funktion.objects.filter(medarbejder=kollega).exists()
    assert giv(su_klient, kollega, g.anden_enhed, Rolle.ADMINISTRATOR).status_code == 302
    assert er_administrator(kollega.user, g.myndighed)
    # once the authority has one, the superuser gives nothing there
    anden = person("anden", g.myndighed)
    assert giv(su_klient, anden, g.anden_enhed, Rolle.ADMINISTRATOR).status_code == 200
    assert not Funktion.objects.filter(medarbejder=anden).exists()


def test_an_administrators_own_change_waits_for_a_second_administrator(g, b_admin):
    tilstand(g)
    anden_admin = administrator("cadmin", g.anden_enhed)
    egen = b_admin.funktioner.get()
    b_klient = klient_for(b_admin.user)

    # giving oneself a role in one's own authority waits too
    giv(b_klient, b_admin, g.enhed)
    anmodet = Funktion.objects.get(medarbejder=b_admin, enhed=g.enhed)
    assert anmodet.status == FunktionStatus.AFVENTER
    assert b_klient.get(borgerside(g.borger)).status_code == 404

    # changing one's own role: a pending replacement; the current role keeps working
    response = b_klient.post(
        ret(egen),
        {"enhed": str(g.enhed.pk), "rolle": Rolle.ADMINISTRATOR, "gyldig_fra": "2020-01-01"},
    )
    assert response.status_code == 302
    egen.refresh_from_db()
    assert (egen.enhed, egen.status) == (g.anden_enhed, FunktionStatus.GODKENDT)
    aendring = Funktion.objects.get(erstatter=egen)
    assert (aendring.enhed, aendring.status) == (g.enhed, FunktionStatus.AFVENTER)
    assert b_klient.get(borgerside(g.borger)).status_code == 404

    handling(klient_for(anden_admin.user), "godkend", aendring)

    egen.refresh_from_db()
    aendring.refresh_from_db()
    assert aendring.status == FunktionStatus.GODKENDT
    assert egen.status == FunktionStatus.ERSTATTET
    assert b_klient.get(borgerside(g.borger)).status_code == 200
    assert spor(egen) == [FunktionHandling.AFSLUTTET]
    assert spor(aendring) == [FunktionHandling.AENDRING_ANMODET, FunktionHandling.GODKENDT]


def test_the_trail_records_every_change_and_is_read_only(g, b_admin):
    kollega = person("kollega", g.myndighed)
    b_klient = klient_for(b_admin.user)
    giv(b_klient, kollega, g.enhed)
    funktion = Funktion.objects.get(medarbejder=kollega)
    response = b_klient.post(
        ret(funktion),
        {"enhed": str(g.enhed.pk), "rolle": Rolle.LEDER, "gyldig_fra": "2020-01-01"},
    )
    assert response.status_code == 302
    handling(b_klient, "afslut", funktion)

    haendelser = list(
        FunktionHaendelse.objects.filter(funktion_uuid=funktion.pk).order_by("tidspunkt")
    )
    assert [h.handling for h in haendelser] == [
        FunktionHandling.GIVET,
        FunktionHandling.AENDRET,
        FunktionHandling.AFSLUTTET,
    ]
    givet, aendret, afsluttet = haendelser
    assert all(h.aktoer == b_admin.user and h.aktoer_navn == "Badmin" for h in haendelser)
    assert all(h.enhed_navn == "Hjemmepleje" and h.myndighed == g.myndighed for h in haendelser)
    assert givet.foer is None and givet.efter["rolle"] == Rolle.SAGSBEHANDLER
    assert (aendret.foer["rolle"], aendret.efter["rolle"]) == (Rolle.SAGSBEHANDLER, Rolle.LEDER)
    assert afsluttet.foer["gyldig_til"] is None and afsluttet.efter["gyldig_til"]

    # shown in the admin, never changed there
    side = reverse("admin:organisation_funktionhaendelse_change", args=[givet.pk])
    assert (
        b_klient.get(reverse("admin:organisation_funktionhaendelse_changelist")).status_code == 200
    )
    assert b_klient.get(side).status_code == 200
    assert b_klient.post(side, {"handling": "afvist"}).status_code == 403
    assert b_klient.get(reverse("admin:organisation_funktionhaendelse_add")).status_code == 403
    assert b_klient.post(side.replace("/change/", "/delete/"), {"post": "yes"}).status_code == 403
    # nor in the database
    with pytest.raises(DatabaseError), transaction.atomic():
        FunktionHaendelse.objects.filter(pk=givet.pk).update(handling="afvist")
    # and a role is ended, never deleted, from the admin
    assert (
        b_klient.post(ret(funktion).replace("/change/", "/delete/"), {"post": "yes"}).status_code
        == 403
    )


def test_the_staff_profile_shows_roles_but_does_not_write_them(g, b_admin):
    kollega = person("kollega", g.myndighed)
    side = reverse("admin:organisation_medarbejder_change", args=[kollega.pk])
    data = {
        "navn": "Kollega",
        "myndighed": str(g.myndighed.pk),
        "user": str(kollega.user.pk),
        "funktioner-TOTAL_FORMS": "1",
        "funktioner-INITIAL_FORMS": "0",
        "funktioner-0-enhed": str(g.enhed.pk),
        "funktioner-0-rolle": Rolle.SAGSBEHANDLER,
        "funktioner-0-gyldig_fra": "2020-01-01",
    }
    klient_for(b_admin.user).post(side, data)
    assert not Funktion.objects.filter(medarbejder=kollega).exists()


def test_ending_ones_own_role_needs_nobody_and_closing_a_unit_is_in_the_trail(g, b_admin):
    tilstand(g)
    kollega = person("kollega", g.myndighed, superbruger=True)
    giv(klient_for(b_admin.user), kollega, g.enhed)
    funktion = Funktion.objects.get(medarbejder=kollega)
    kollega_klient = klient_for(kollega.user)
    assert kollega_klient.get(borgerside(g.borger)).status_code == 200

    handling(kollega_klient, "afslut", funktion)

    assert kollega_klient.get(borgerside(g.borger)).status_code == 404
    assert spor(funktion) == [FunktionHandling.GIVET, FunktionHandling.AFSLUTTET]

    services.medarbejder_passivate(actor=b_admin.user, medarbejder=b_admin)
    assert spor(b_admin.funktioner.get()) == [FunktionHandling.AFSLUTTET]
