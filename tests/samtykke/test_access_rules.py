"""The access rules, one by one, on real data: consent, expiry, revocation, block, legal basis."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from klassifikation import kendte as k
from klassifikation.models import Klasse
from organisation.models import Enhed, Funktion, Medarbejder, Relation
from organisation.selectors import aktoer_for
from samtykke import policy, services
from samtykke.adgangslog import adgangslog_visning
from samtykke.models import Grundlag, TilstandGruppeTilladelse
from tests.fakeclock import FakeClock
from tilstand.services import tilstand_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(grundlag, monkeypatch):
    """Hjemmepleje holds a condition on the citizen; a psychiatry unit wants to see it."""
    g = grundlag
    g.clock = FakeClock(datetime.datetime(2026, 6, 1, 10, tzinfo=datetime.UTC))
    monkeypatch.setattr("datadeling.core.clock.now", g.clock)
    Funktion.objects.filter(medarbejder=g.medarbejder).update(gyldig_fra=datetime.date(2026, 1, 1))
    g.psyk = Enhed.objects.create(myndighed=g.myndighed, navn="Psykiatri")
    user = get_user_model().objects.create_user("psyk")
    g.psyk_user = user
    g.psyk_m = Medarbejder.objects.create(user=user, myndighed=g.myndighed, navn="Per Psyk")
    Funktion.objects.create(
        medarbejder=g.psyk_m, enhed=g.psyk, rolle="sagsbehandler",
        gyldig_fra=datetime.date(2026, 1, 1),
    )  # fmt: skip
    g.tilstand = tilstand_register(
        actor=g.user, borger=g.borger, data={"type": g.type, "ansvarlig_enhed": g.enhed}
    )
    g.kategori = Klasse.objects.get(pk=k.FSIII_FUNKTIONSEVNETILSTANDE[0])
    return g


def sees(g, user=None):
    return set(
        policy.tilstande_synlige(aktoer_for(user or g.psyk_user)).values_list("pk", flat=True)
    )


def give(g, **kw):
    return services.samtykke_give(
        actor=None, borger=g.borger, modtager=g.psyk, kategorier=[g.kategori],
        kilder=[g.enhed], formaal="Koordinere behandling og hjemmepleje", **kw,
    )  # fmt: skip


def test_without_consent_another_unit_sees_nothing(w):
    assert sees(w) == set()
    assert sees(w, w.user) == {w.tilstand.pk}  # the owning unit always sees its own


def test_consent_grants_existing_and_later_data(w):
    give(w)
    assert sees(w) == {w.tilstand.pk}
    later = tilstand_register(
        actor=w.user, borger=w.borger, data={"type": w.type, "ansvarlig_enhed": w.enhed}
    )
    assert sees(w) == {w.tilstand.pk, later.pk}
    # another citizen's data is not covered
    other = tilstand_register(
        actor=w.user, borger=w.anden_borger, data={"type": w.type, "ansvarlig_enhed": w.enhed}
    )
    assert other.pk not in sees(w)


def test_revocation_hides_at_once_and_expiry_needs_no_job(w):
    s = give(w, gyldig_til=w.clock() + datetime.timedelta(days=10))
    assert sees(w) == {w.tilstand.pk}
    w.clock.advance(days=10)
    assert sees(w) == set()  # expired: the grant row is still there, and grants nothing
    assert TilstandGruppeTilladelse.objects.filter(samtykke=s).exists()
    w.clock.advance(days=-5)
    services.samtykke_revoke(actor=None, samtykke=s)
    assert sees(w) == set()


def test_narrowing_to_other_sources_removes_access(w):
    s = give(w)
    other_source = Enhed.objects.create(myndighed=w.myndighed, navn="Anden kilde")
    services.samtykke_give(
        actor=None, borger=w.borger, modtager=w.psyk, kategorier=[w.kategori],
        kilder=[other_source], formaal="Andet",
    )  # fmt: skip
    services.samtykke_narrow(
        actor=None, samtykke=s, gyldig_til=w.clock() + datetime.timedelta(days=1)
    )
    assert sees(w) == {w.tilstand.pk}
    with pytest.raises(ValidationError):
        services.samtykke_narrow(actor=None, samtykke=s, kilder=[w.enhed])  # superseded version


def test_block_beats_consent_but_not_own_unit(w):
    give(w)
    services.samtykke_give(actor=None, borger=w.borger, modtager=w.psyk, beslutning="afvis")
    assert sees(w) == set()
    services.samtykke_give(actor=None, borger=w.borger, modtager=w.enhed, beslutning="afvis")
    assert sees(w, w.user) == {w.tilstand.pk}


def test_a_blanket_consent_cannot_be_made(w):
    for kw in ({"kategorier": []}, {"kilder": []}, {"formaal": ""}):
        args = {"kategorier": [w.kategori], "kilder": [w.enhed], "formaal": "x", **kw}
        with pytest.raises(ValidationError):
            services.samtykke_give(actor=None, borger=w.borger, modtager=w.psyk, **args)
    with pytest.raises(ValidationError):
        give(w, gyldig_til=w.clock() + datetime.timedelta(days=5000))


def test_only_a_relation_with_consent_scope_may_consent_for_the_citizen(w):
    today = w.clock().date()
    with pytest.raises(ValidationError):
        give(w, givet_af=w.anden_borger)
    Relation.objects.create(
        borger=w.borger, person=w.anden_borger, type="fuldmagt", omfang=["helbred"],
        gyldig_fra=today, gyldig_til=today + datetime.timedelta(days=30),
    )  # fmt: skip
    with pytest.raises(ValidationError):
        give(w, givet_af=w.anden_borger)
    Relation.objects.create(
        borger=w.borger, person=w.anden_borger, type="vaerge", omfang=["samtykke"],
        gyldig_fra=today,
    )  # fmt: skip
    s = give(w, givet_af=w.anden_borger)
    assert s.via_relation.type == "vaerge"


def test_legal_basis_grants_one_citizen_for_a_time(w):
    lov = Klasse.objects.filter(klassifikation__uri=k.ADGANGSHJEMMEL_URI).first()
    h = services.hjemmel_register(
        actor=w.psyk_user, borger=w.borger, medarbejder=w.psyk_m, enhed=w.psyk,
        lovgrundlag=lov, begrundelse="Borgeren er akut indlagt", dage=3,
    )  # fmt: skip
    assert sees(w) == {w.tilstand.pk}
    entry = adgangslog_visning(
        aktoer=aktoer_for(w.psyk_user), user=w.psyk_user, borger=w.borger, hvad="Overblik",
        objekter=[w.tilstand],
    )  # fmt: skip
    assert entry.grundlag == Grundlag.HJEMMEL and entry.grundlag_id == h.pk
    w.clock.advance(days=3)
    assert sees(w) == set()


def test_the_log_names_the_consent_a_read_rests_on(w):
    s = give(w)
    entry = adgangslog_visning(
        aktoer=aktoer_for(w.psyk_user), user=w.psyk_user, borger=w.borger, hvad="Overblik",
        objekter=[w.tilstand],
    )  # fmt: skip
    assert entry.grundlag == Grundlag.SAMTYKKE and entry.grundlag_id == s.pk
    assert entry.objekter[0]["grundlag_id"] == str(s.pk)


def test_superuser_gets_no_silent_access(w):
    root = get_user_model().objects.create_superuser("root", password="x")
    assert sees(w, root) == set()


def test_leaving_the_unit_ends_access(w):
    give(w)
    Funktion.objects.filter(medarbejder=w.psyk_m).update(gyldig_til=w.clock().date())
    assert sees(w) == set()
