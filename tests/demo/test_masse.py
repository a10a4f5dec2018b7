"""`demo_data --scale` above 1: citizens copied by COPY from the demo's first 100 show
through the app's own selectors, policy and pages exactly as their templates do."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse

from demo.byg import demo_uuid
from demo.masse import SKABELONER, kopierede_modeller
from indsats import regler as indsats_regler
from indsats.models import Indsats
from indsats.services import historik as indsats_historik
from organisation.models import Borger, Medarbejder
from organisation.selectors import aktoer_for
from samtykke.models import Hjemmel, Samtykke, TilstandGruppeTilladelse
from samtykke.policy import indsatser_synlige, tilstande_synlige
from tests.demo.conftest import demo, demo_i_ramme
from tilstand import regler as tilstand_regler
from tilstand.models import Tilstand
from tilstand.services import historik as tilstand_historik

pytestmark = pytest.mark.django_db

BORGERE = 300  # the 100 of the demo and 200 copies: each template copied twice


@pytest.fixture(scope="module")
def masse(django_db_setup, django_db_blocker):
    """The demo with 200 copied citizens, built once in a transaction rolled back at the end."""
    with demo_i_ramme(django_db_blocker, "--borgere", str(BORGERE)) as udskrift:
        yield udskrift


def skabelon(i: int):
    return demo_uuid(1, "borger", i % SKABELONER)


def kopi(i: int):
    return demo_uuid(1, "borger", i)


def test_the_copies_satisfy_every_constraint_and_trigger(masse):
    assert "Kopierede borgere: 200 nye (0 fandtes)" in masse
    assert Borger.objects.filter(user__username__startswith="masse-borger-").count() == 200
    with connection.cursor() as c:
        # the foreign keys are deferred to the commit, which the test never reaches
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        c.execute("SET CONSTRAINTS ALL DEFERRED")
    assert Tilstand.objects.filter(borger__user__username__startswith="masse-").exists()
    assert Samtykke.objects.filter(borger__user__username__startswith="masse-").exists()
    assert TilstandGruppeTilladelse.objects.filter(
        content_object__borger__user__username__startswith="masse-"
    ).exists()
    labels = {m._meta.label for m in kopierede_modeller()}
    assert {"tilstand.TilstandVersion", "indsats.IndsatsRegistrering"} <= labels
    assert not labels & {"samtykke.Adgangslog", "organisation.Relation", "dialog.Besked"}


def _synligt(aktoer, borger_ids) -> dict:
    """What a person sees per citizen: the values of conditions and interventions."""
    ud: dict = defaultdict(Counter)
    for t in tilstande_synlige(aktoer).filter(borger_id__in=borger_ids):
        ud[t.borger_id][("t", t.type_id, t.niveau_id, t.status, t.ansvarlig_enhed_id)] += 1
    for i in indsatser_synlige(aktoer).filter(borger_id__in=borger_ids):
        ud[i.borger_id][("i", i.type_id, i.ansvarlig_enhed_id, i.afsluttet)] += 1
    return ud


def _hele(i: int) -> bool:
    """Whether all that opens template i to others was copied: its consents (not those a
    relative gave or that answer a request) and no legal-basis access (the demo staff's)."""
    return (
        not Hjemmel.objects.filter(borger_id=skabelon(i)).exists()
        and Samtykke.objects.filter(borger_id=skabelon(i)).count()
        == Samtykke.objects.filter(borger_id=kopi(i)).count()
    )


def test_every_member_of_staff_sees_a_copy_as_its_template(masse):
    """Own unit, another unit by consent, nothing without: equal for copy and template
    where everything that opens the template was copied, never more where it was not."""
    numre = range(SKABELONER, BORGERE)
    hele = {i for i in numre if _hele(i)}
    assert len(hele) >= 190
    ider = [kopi(i) for i in numre] + [skabelon(i) for i in range(SKABELONER)]
    set_noget = 0
    for m in Medarbejder.objects.select_related("user"):
        synligt = _synligt(aktoer_for(m.user), ider)
        for i in numre:
            her, der = synligt.get(kopi(i), Counter()), synligt.get(skabelon(i), Counter())
            if i in hele:
                assert her == der, (m.user.username, i)
            else:
                assert her <= der, (m.user.username, i)
            set_noget += bool(her)
    assert set_noget > 200


def _uden_ider(tidslinje, nummer: int) -> list:
    """A timeline without what names the copy itself (its source id, its conditions)."""
    return [
        (
            v.fra,
            v.til,
            {f: x for f, x in v.data.items() if f not in ("kildesystem_id", "tilstande", "maal")},
        )
        for v in tidslinje
    ]


def test_the_history_of_a_copy_is_its_templates_and_obeys_the_rules(masse):
    """Each copied datum has its template's registrations and timeline, and passes the
    rules the services check."""
    kopier = 0
    for model, historik, regler in (
        (Tilstand, tilstand_historik, tilstand_regler),
        (Indsats, indsats_historik, indsats_regler),
    ):
        objekter = (
            model.objects.filter(borger__user__username__startswith="masse-borger-")
            .select_related("borger", "registrering")
            .prefetch_related("registrering__versioner", "registreringer")
        )
        for o in objekter:
            regler.valider_tidslinje(historik.timeline(o.registrering), o.borger)
            nummer = int(o.borger.user.username.rsplit("-", 1)[1])
            original = model.objects.get(
                borger_id=skabelon(nummer),
                kildesystem_id=o.kildesystem_id.removesuffix(f"/m{nummer}"),
            )
            assert _uden_ider(historik.timeline(o.registrering), nummer) == _uden_ider(
                historik.timeline(original.registrering), nummer
            )
            if model is Indsats:  # the conditions it addresses are the copy's own
                egne = set(Tilstand.objects.filter(borger=o.borger).values_list("pk", flat=True))
                assert set(o.tilstande) <= egne
                assert len(o.tilstande) == len(original.tilstande)
            assert [(r.nummer, r.livscykluskode, r.tidspunkt) for r in o.registreringer.all()] == [
                (r.nummer, r.livscykluskode, r.tidspunkt) for r in original.registreringer.all()
            ]
            kopier += 1
    assert kopier > 500


def test_the_pages_show_a_copy_to_its_unit_and_to_the_citizen(masse):
    i = next(
        i
        for i in range(SKABELONER, BORGERE)
        if Tilstand.objects.filter(borger_id=kopi(i), aktiv=True).exists()
    )
    borger = Borger.objects.get(pk=kopi(i))
    enhed = Tilstand.objects.filter(borger=borger, aktiv=True).first().ansvarlig_enhed_id
    kollega = get_user_model().objects.get(
        username__startswith="masse-", medarbejder__funktioner__enhed_id=enhed
    )
    klient = Client()
    klient.force_login(kollega)
    side = klient.get(reverse("overblik:borger", args=[borger.pk]))
    assert side.status_code == 200
    assert borger.navn in side.content.decode()
    fremmed = (
        get_user_model()
        .objects.filter(username__startswith="masse-", medarbejder__isnull=False)
        .exclude(medarbejder__funktioner__enhed_id=enhed)
        .first()
    )
    if not _synligt(aktoer_for(fremmed), [borger.pk]):
        klient.force_login(fremmed)
        assert klient.get(reverse("overblik:borger", args=[borger.pk])).status_code == 404

    klient.force_login(borger.user)
    mine = klient.get(reverse("overblik:mine_data"))
    assert mine.status_code == 200
    synligt = _synligt(aktoer_for(borger.user), [borger.pk, skabelon(i)])
    assert synligt[borger.pk]
    assert not synligt.get(skabelon(i))  # a citizen sees only her own
    assert klient.get(reverse("overblik:hvem_har_set")).status_code == 200


def test_running_again_adds_nothing(masse):
    foer = (Borger.objects.count(), Tilstand.objects.count(), Indsats.objects.count())
    udskrift = demo("--borgere", str(BORGERE), "--uden-klassifikation")
    assert "Kopierede borgere: 0 nye (200 fandtes)" in udskrift
    assert (Borger.objects.count(), Tilstand.objects.count(), Indsats.objects.count()) == foer
