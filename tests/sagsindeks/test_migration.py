"""The case index moved from overblik to sagsindeks with its rows, history and content types."""

import datetime
import uuid

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import DatabaseError

from organisation.models import Borger
from sagsindeks.models import Sag, SagRegistrering
from tests.admin.factories import BorgerFactory

FOER = [("overblik", "0001_sagsindeks"), ("sagsindeks", None)]


def _migrer(maal) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(maal)
    executor.loader.build_graph()
    return executor


@pytest.mark.django_db(transaction=True)
def test_sag_og_historik_flytter_med_til_sagsindeks():
    borger = BorgerFactory()
    sag_id = uuid.uuid4()
    try:
        gamle = _migrer(FOER).loader.project_state(FOER[0]).apps
        GammelSag = gamle.get_model("overblik", "Sag")
        nu = datetime.datetime(2026, 1, 5, 9, tzinfo=datetime.UTC)
        gammel = GammelSag.objects.create(
            id=sag_id, borger_id=borger.pk, kildesystem="KMD Nexus", kildesystem_id="S-1",
            titel="Ansøgning om hjælpemiddel", fremdrift="Oplyst", startdato=nu.date(),
            livscykluskode="Importeret", aktiv=True, oprettet=nu, opdateret=nu,
        )  # fmt: skip
        gamle.get_model("overblik", "SagRegistrering").objects.create(
            sag=gammel, nummer=1, tidspunkt=nu, livscykluskode="Importeret",
            aktoer_tekst="KMD Nexus", data={"titel": "Ansøgning om hjælpemiddel"},
        )  # fmt: skip
        # the content type and permission rows overblik's models have in a running database
        ContentType.objects.clear_cache()
        gammel_type, _ = ContentType.objects.get_or_create(app_label="overblik", model="sag")
        tilladelse, _ = Permission.objects.get_or_create(
            content_type=gammel_type, codename="view_sag",
            defaults={"name": "Can view sag i sagsindekset"},
        )  # fmt: skip
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    sag = Sag.objects.get(pk=sag_id)
    assert (sag.borger, sag.titel, sag.kildesystem_id) == (
        Borger.objects.get(pk=borger.pk),
        "Ansøgning om hjælpemiddel",
        "S-1",
    )
    assert list(sag.registreringer.values_list("nummer", "aktoer_tekst")) == [(1, "KMD Nexus")]
    # the same content type row, now sagsindeks's, so the permission still names the model
    assert ContentType.objects.get_for_model(Sag).pk == gammel_type.pk
    tilladelse.refresh_from_db()
    assert tilladelse.content_type.model_class() is Sag
    # (overblik's own later models, following and notifications, have theirs)
    flyttede = ["sag", "sagregistrering"]
    assert not ContentType.objects.filter(app_label="overblik", model__in=flyttede).exists()
    # the history table still refuses UPDATE and DELETE under its new name
    with pytest.raises(DatabaseError, match="sagsindeks_sagregistrering"):
        SagRegistrering.objects.filter(sag=sag).update(begrundelse="ændret")
