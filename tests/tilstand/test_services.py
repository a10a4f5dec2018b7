import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from datadeling.core import clock
from klassifikation import kendte as k
from tilstand import services
from tilstand.models import Tilstand, TilstandRegistrering, TilstandVersion

pytestmark = pytest.mark.django_db


def register(g, **data):
    return services.tilstand_register(
        actor=g.user, borger=g.borger, data={"type": g.type, "ansvarlig_enhed": g.enhed, **data}
    )


def nothing_stored():
    return (
        Tilstand.objects.count() == 0
        and TilstandRegistrering.objects.count() == 0
        and TilstandVersion.objects.count() == 0
    )


def refused(g, field, message_part, **data):
    with pytest.raises(ValidationError) as exc:
        register(g, **data)
    messages = " ".join(exc.value.message_dict.get(field, []))
    assert message_part in messages, exc.value.message_dict
    assert nothing_stored()


def test_register_stores_current_state_and_first_registration(grundlag):
    g = grundlag
    level = g.klasse("2", k.FSIII_FUNKTIONSEVNE_SKALA)
    kilde = g.klasse("Borger", k.CSC_KILDE)
    metode = g.klasse("funktionsevnevurdering hjemmepleje, FSIII", k.CSC_OPLYSNINGSAKTIVITET)
    t = register(g, niveau=level, kilde=kilde, metode=metode, faglig_note="Går med rollator")
    t.refresh_from_db()
    assert t.niveau == level and t.kilde == kilde and t.metode == metode
    assert t.livscykluskode == "Opstaaet" and t.aktiv
    reg = t.registrering
    assert reg.nummer == 1 and reg.aktoer == g.user
    assert reg.versioner.count() == 1


def test_a_class_from_another_part_is_refused(grundlag):
    g = grundlag
    intervention = g.klasse("Madservice", k.FSIII_INDSATSER[0])
    refused(g, "type", "ikke en tilstand", type=intervention)


def test_an_area_instead_of_a_condition_is_refused(grundlag):
    g = grundlag
    from klassifikation.models import Klasse

    area = Klasse.objects.get(pk=k.FSIII_FUNKTIONSEVNETILSTANDE[0]).underordnede.first()
    refused(g, "type", "et område", type=area)


def test_a_level_off_its_scale_is_refused(grundlag):
    g = grundlag
    ffb_level = g.klasse("Let nedsat funktionsevne", k.FFB_FUNKTIONSEVNENIVEAU)
    refused(g, "niveau", "FSIII's skala", niveau=ffb_level)


def test_ffb_level_only_on_activity_and_participation(grundlag):
    g = grundlag
    from klassifikation.models import Klasse

    mental = (
        Klasse.objects.filter(sti__contains=[k.FFB_TILSTANDE], underordnede__isnull=True)
        .exclude(sti__contains=[k.FFB_AKTIVITET_OG_DELTAGELSE])
        .first()
    )
    level = g.klasse("Let nedsat funktionsevne", k.FFB_FUNKTIONSEVNENIVEAU)
    refused(g, "niveau", "Aktivitet og deltagelse", type=mental, niveau=level)


def test_provenance_must_come_from_caresocialcodes(grundlag):
    g = grundlag
    wrong = g.klasse("2", k.FSIII_FUNKTIONSEVNE_SKALA)
    refused(g, "kilde", "kilder", kilde=wrong)


def test_future_assessment_is_refused(grundlag):
    g = grundlag
    refused(g, "vurderet", "fremtiden", vurderet=clock.now() + datetime.timedelta(days=2))


def test_history_tables_refuse_update_and_delete_in_sql(grundlag):
    t = register(grundlag)
    for sql in (
        "UPDATE tilstand_tilstandversion SET faglig_note = 'x'",
        "DELETE FROM tilstand_tilstandregistrering",
    ):
        with (
            pytest.raises(DatabaseError, match="må kun udvides"),
            transaction.atomic(),
            connection.cursor() as c,
        ):
            c.execute(sql)
    assert t.registreringer.count() == 1


def test_reassess_keeps_the_old_assessment_in_history(grundlag):
    g = grundlag
    level2 = g.klasse("2", k.FSIII_FUNKTIONSEVNE_SKALA)
    level3 = g.klasse("3", k.FSIII_FUNKTIONSEVNE_SKALA)
    t = services.tilstand_register(
        actor=g.user,
        borger=g.borger,
        virkning_fra=clock.now() - datetime.timedelta(days=30),
        data={"type": g.type, "ansvarlig_enhed": g.enhed, "niveau": level2},
    )
    before = clock.now()
    services.tilstand_reassess(actor=g.user, tilstand=t, aendringer={"niveau": level3})
    t.refresh_from_db()
    assert t.niveau == level3 and t.registrering.nummer == 2
    past = clock.now() - datetime.timedelta(days=10)
    assert services.historik.gyldig(t.pk, gyldig=past)["niveau_id"] == level2.pk
    # as known before the reassessment, today's level was still 2
    assert services.historik.gyldig(t.pk, gyldig=before, kendt=before)["niveau_id"] == level2.pk


def test_correction_needs_a_reason_and_passivated_data_cannot_change(grundlag):
    g = grundlag
    t = register(g)
    with pytest.raises(ValidationError) as exc:
        services.tilstand_correct(
            actor=g.user, tilstand=t, aendringer={}, virkning_fra=t.virkning_fra, begrundelse=" "
        )
    assert "begrundelse" in exc.value.message_dict
    services.tilstand_passivate(actor=g.user, tilstand=t, begrundelse="fejl")
    with pytest.raises(ValidationError):
        services.tilstand_end(actor=g.user, tilstand=t)
    t.refresh_from_db()
    assert not t.aktiv and t.registreringer.count() == 2


def test_writes_announce_the_change(grundlag):
    from datadeling.core import hooks

    seen = []

    def receiver(sender, aendringer, **kwargs):
        for a in aendringer:
            seen.append((sender, a.objekt.pk, a.registrering.nummer, a.livscykluskode))

    hooks.registrer(hooks.Trin.NOTIFIKATION, receiver)
    try:
        t = register(grundlag)
        services.tilstand_end(actor=grundlag.user, tilstand=t)
    finally:
        hooks.afregistrer(hooks.Trin.NOTIFIKATION, receiver)
    assert seen == [(Tilstand, t.pk, 1, "Opstaaet"), (Tilstand, t.pk, 2, "Rettet")]


def test_a_service_given_a_unit_of_work_plans_and_writes_when_it_is_written(grundlag):
    from datadeling.core import hooks
    from datadeling.core.historik import Samling

    seen = []

    def receiver(sender, aendringer, **kwargs):
        seen.extend(a.registrering.nummer for a in aendringer)

    samling = Samling()
    hooks.registrer(hooks.Trin.NOTIFIKATION, receiver)
    try:
        with transaction.atomic():
            t = services.tilstand_register(
                actor=grundlag.user,
                borger=grundlag.borger,
                data={"type": grundlag.type, "ansvarlig_enhed": grundlag.enhed},
                samling=samling,
            )
            t = services.tilstand_end(actor=grundlag.user, tilstand=t, samling=samling)
            # planned only: nothing is written, no hook has run
            assert nothing_stored() and seen == []
            assert services.historik.find(t.pk, samling=samling).status == "afsluttet"
            assert services.historik.find(t.pk) is None
            samling.skriv()
    finally:
        hooks.afregistrer(hooks.Trin.NOTIFIKATION, receiver)
    assert seen == [1, 2]
    assert Tilstand.objects.get(pk=t.pk).registreringer.count() == 2
