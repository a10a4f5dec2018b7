"""Object permissions that consents grant: rows in guardian's direct foreign-key models.

Rows are written when a consent version is given (for the citizen's existing data) and
when data changes (`data_aendret`, for data that arrives after the consent). Each row
names its consent version; whether that version is in force is decided by the policy at
query time, so rows never need to be removed for security, only for tidiness.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from datadeling.core import memo
from indsats.models import Indsats
from klassifikation.models import Klasse
from samtykke.models import Beslutning, Samtykke, i_kraft_q
from tilstand.models import Tilstand

PERMISSIONS = {Tilstand: ("tilstand", "view_tilstand"), Indsats: ("indsats", "view_indsats")}


def _gruppe(obj) -> Group:
    """Return the guardian group of a unit or an authority, creating it the first time."""
    if obj.gruppe_id is None:
        kind = obj._meta.model_name
        obj.gruppe, _ = Group.objects.get_or_create(name=f"{kind}:{obj.pk}")
        type(obj).objects.filter(pk=obj.pk).update(gruppe=obj.gruppe)
    return obj.gruppe


def _permission(model) -> Permission:
    app_label, codename = PERMISSIONS[model]
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def daekker_q(samtykke: Samtykke) -> Q:
    """Return the filter for a citizen's data that a consent version covers."""
    kategorier = list(samtykke.kategorier)
    return (
        Q(borger_id=samtykke.borger_id, aktiv=True, ansvarlig_enhed_id__in=samtykke.kilder)
        & (Q(type_id__in=kategorier) | Q(type__sti__overlap=kategorier))
    )  # fmt: skip


def _rows(model, samtykke: Samtykke, objekter):
    from samtykke.policy import TILLADELSER

    gruppe_model, bruger_model = TILLADELSER[model]
    permission = _permission(model)
    if samtykke.modtager_medarbejder_id:
        user_id = samtykke.modtager_medarbejder.user_id
        return bruger_model, [
            bruger_model(
                user_id=user_id, permission=permission, content_object=o, samtykke=samtykke
            )
            for o in objekter
        ]
    gruppe = _gruppe(samtykke.modtager_enhed or samtykke.modtager_myndighed)
    return gruppe_model, [
        gruppe_model(group=gruppe, permission=permission, content_object=o, samtykke=samtykke)
        for o in objekter
    ]


def tildel_for_samtykke(samtykke: Samtykke) -> int:
    """Write grant rows for all existing data a consent version covers; return how many."""
    if samtykke.beslutning != Beslutning.TILLAD or not samtykke.kategorier:
        return 0
    total = 0
    for model in (Tilstand, Indsats):
        objekter = list(model.objects.filter(daekker_q(samtykke)).only("pk"))
        row_model, rows = _rows(model, samtykke, objekter)
        row_model.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
        total += len(rows)
    return total


def tildel_for_objekt(objekt, now) -> None:
    """Bring one object's grant rows in step with the consents in force for its citizen."""
    from samtykke.policy import TILLADELSER

    model = type(objekt)
    gruppe_model, bruger_model = TILLADELSER[model]
    # Within one unit of work (a MOX chunk) the consents are read once per citizen: a grant
    # row for a consent that lapsed meanwhile grants nothing (the policy checks the consent
    # at query time), and a consent given meanwhile grants its rows itself.
    samtykker = memo.hent(
        "samtykker_i_kraft",
        objekt.borger_id,
        lambda: list(
            Samtykke.objects.filter(
                i_kraft_q(now), borger_id=objekt.borger_id, beslutning=Beslutning.TILLAD
            ).select_related("modtager_enhed", "modtager_myndighed", "modtager_medarbejder")
        ),
        husk_tomt=True,
    )
    if not samtykker:
        # rows of consents no longer in force grant nothing; leave their tidying for later
        return
    # the same test as daekker_q, in Python: one query for the type's ancestors, not one
    # query per consent
    sti = set(
        memo.hent(
            "klasse_sti",
            objekt.type_id,
            lambda: Klasse.objects.filter(pk=objekt.type_id).values_list("sti", flat=True).first(),
        )
        or []
    )
    typer = sti | {objekt.type_id}
    daekkende = [
        s
        for s in samtykker
        if objekt.aktiv
        and objekt.ansvarlig_enhed_id in s.kilder
        and typer.intersection(s.kategorier)
    ]
    # tidiness: rows of consents that no longer cover the object go
    for row_model in (gruppe_model, bruger_model):
        row_model.objects.filter(content_object=objekt).exclude(
            samtykke__in=[s.pk for s in daekkende]
        ).delete()
    for s in daekkende:
        row_model, rows = _rows(model, s, [objekt])
        row_model.objects.bulk_create(rows, ignore_conflicts=True)
