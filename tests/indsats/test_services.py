import datetime

import pytest
from django.core.exceptions import ValidationError

from datadeling.core.models import idag
from indsats import services
from indsats.models import Indsats, IndsatsRegistrering, IndsatsVersion
from klassifikation import kendte as k
from klassifikation.models import Klasse
from tilstand.services import tilstand_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def g(grundlag):
    g = grundlag
    g.ydelse = (
        Klasse.objects.filter(sti__contains=[k.FFB_YDELSE], underordnede__isnull=True)
        .order_by("kode")
        .first()
    )
    g.sel85 = Klasse.objects.get(titel="SEL § 85", klassifikation__uri=k.LOVGRUNDLAG_URI)
    g.tilstand = tilstand_register(
        actor=g.user, borger=g.borger, data={"type": g.type, "ansvarlig_enhed": g.enhed}
    )
    g.fremmed_tilstand = tilstand_register(
        actor=g.user, borger=g.anden_borger, data={"type": g.type, "ansvarlig_enhed": g.enhed}
    )
    return g


def register(g, **data):
    return services.indsats_register(
        actor=g.user,
        borger=g.borger,
        data={
            "type": g.ydelse,
            "lovgrundlag": g.sel85,
            "ansvarlig_enhed": g.enhed,
            "bevilgende_enhed": g.enhed,
            "leverende_enhed": g.anden_enhed,
            **data,
        },
    )


def refused(g, field, message_part, **data):
    before = (Indsats.objects.count(), IndsatsRegistrering.objects.count())
    with pytest.raises(ValidationError) as exc:
        register(g, **data)
    assert message_part in " ".join(exc.value.message_dict.get(field, [])), exc.value
    assert (Indsats.objects.count(), IndsatsRegistrering.objects.count()) == before


def test_register_with_goals_pointing_at_the_citizens_own_tilstand(g):
    i = register(
        g,
        formaal="Borgeren skal kunne klare egen husholdning",
        maal=[{"tekst": "Handle ind selv", "tilstande": [str(g.tilstand.pk)]}],
        tilstande=[g.tilstand.pk],
    )
    i.refresh_from_db()
    assert i.lovgrundlag == g.sel85 and i.fremdrift == "Visiteret"
    assert i.tilstande == [g.tilstand.pk]
    assert IndsatsVersion.objects.filter(registrering__indsats=i).count() == 1
    # the version (written with COPY) holds what the object row (an INSERT) holds: every
    # versioned field, the JSON goals and the array of conditions included
    v = IndsatsVersion.objects.get(registrering__indsats=i)
    for felt in services.historik.felter:
        assert getattr(v, felt) == getattr(i, felt), felt
    assert v.maal == [{"tekst": "Handle ind selv", "tilstande": [str(g.tilstand.pk)]}]
    assert (v.virkning_fra, v.virkning_til) == (i.virkning_fra, i.virkning_til)


def test_a_goal_pointing_at_another_citizens_tilstand_is_refused(g):
    refused(
        g,
        "maal",
        "ikke er denne borgers",
        maal=[{"tekst": "Mål", "tilstande": [str(g.fremmed_tilstand.pk)]}],
    )
    refused(g, "maal", "ikke er denne borgers", tilstande=[g.fremmed_tilstand.pk])


def test_a_condition_class_is_not_an_intervention(g):
    refused(g, "type", "ikke en ydelse", type=g.type)


def test_end_before_start_is_refused(g):
    refused(
        g,
        "slutdato",
        "før startdatoen",
        startdato=datetime.date(2025, 5, 1),
        slutdato=datetime.date(2025, 4, 1),
    )


def test_legal_basis_must_come_from_the_paragraph_list(g):
    refused(g, "lovgrundlag", "paragraffer", lovgrundlag=g.type)


def test_target_group_only_for_social_interventions(g):
    maalgruppe = (
        Klasse.objects.filter(sti__contains=[k.FFB_MAALGRUPPE], underordnede__isnull=True)
        .order_by("kode")
        .first()
    )
    hjemmehjaelp = (
        Klasse.objects.filter(sti__contains=[k.FSIII_INDSATSER[0]], underordnede__isnull=True)
        .order_by("kode")
        .first()
    )
    refused(g, "maalgruppe", "sociale indsatser", type=hjemmehjaelp, maalgruppe=maalgruppe)
    i = register(g, maalgruppe=maalgruppe)
    assert i.maalgruppe == maalgruppe


def test_follow_up_and_end(g):
    i = register(g, startdato=datetime.date(2025, 1, 1))
    fortsaettes = Klasse.objects.get(
        sti__contains=[k.FFB_STATUS_PAA_INDSATS], titel__startswith="Træf afgørelse om fortsættelse"
    )
    services.indsats_follow_up(
        actor=g.user,
        indsats=i,
        resultat=fortsaettes,
        naeste_opfoelgning=datetime.date(2027, 1, 1),
    )
    i.refresh_from_db()
    assert i.fremdrift == "Vurderet" and i.opfoelgningsresultat == fortsaettes
    # an FSIII result on an FFB intervention is refused
    e1 = Klasse.objects.filter(sti__contains=[k.FSIII_OPFOELGNINGSRESULTAT]).first()
    with pytest.raises(ValidationError):
        services.indsats_follow_up(actor=g.user, indsats=i, resultat=e1)
    services.indsats_end(actor=g.user, indsats=i, slutdato=idag())
    i.refresh_from_db()
    assert i.afsluttet and i.slutdato == idag()
    assert [r.livscykluskode for r in i.registreringer.order_by("nummer")] == [
        "Opstaaet",
        "Rettet",
        "Rettet",
    ]
