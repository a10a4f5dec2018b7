"""Object permissions that consents grant: rows in guardian's direct foreign-key models.

Rows are written when a consent version is given (for the citizen's existing data) and
when data changes (`data_aendret`, for data that arrives after the consent). Each row
names its consent version; whether that version is in force is decided by the policy at
query time, so rows never need to be removed for security, only for tidiness.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from datadeling.core import memo
from datadeling.core.laas import Navnerum, laas
from indsats.models import Indsats
from samtykke.models import Beslutning, Samtykke, i_kraft_q
from samtykke.policy import TILLADELSER, daekker, daekker_q, typer
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
    return memo.hent(
        "permission",
        (app_label, codename),
        lambda: Permission.objects.get(content_type__app_label=app_label, codename=codename),
    )


def _rows(model, samtykke: Samtykke, objekter):
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


def laas_borgere(borger_ids) -> None:
    """Take the grant lock of these citizens until the transaction ends (one statement, in
    a fixed order, so two writers never deadlock).

    A consent and new data about the same citizen, written at the same time in two
    transactions, would each miss the other (neither sees the other's uncommitted row), and
    the data would stay without its grant row: hidden from a recipient the citizen
    consented to. Both sides take this lock after their own write and before they read the
    other side, so the second waits for the first to commit and then sees its row.
    """
    laas(Navnerum.TILDELING, (str(b) for b in borger_ids))


def tildel_for_samtykke(samtykke: Samtykke) -> int:
    """Write grant rows for all existing data a consent version covers; return how many."""
    if samtykke.beslutning != Beslutning.TILLAD or not samtykke.kategorier:
        return 0
    laas_borgere([samtykke.borger_id])
    total = 0
    for model in (Tilstand, Indsats):
        objekter = list(model.objects.filter(daekker_q(samtykke)).only("pk"))
        row_model, rows = _rows(model, samtykke, objekter)
        row_model.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
        total += len(rows)
    return total


def _samtykker_i_kraft(borger_ids: set, now) -> dict:
    fundet: dict = {b: [] for b in borger_ids}
    for s in Samtykke.objects.filter(
        i_kraft_q(now), borger_id__in=borger_ids, beslutning=Beslutning.TILLAD
    ).select_related("modtager_enhed", "modtager_myndighed", "modtager_medarbejder"):
        fundet[s.borger_id].append(s)
    return fundet


def tildel_for_objekter(objekter, now) -> None:
    """Bring the objects' grant rows (all of one model) in step with the consents in force
    for their citizens: a few queries whatever their number; two (the citizens' lock and
    their consents) when none of them has given a consent."""
    if not objekter:
        return
    model = type(objekter[0])
    gruppe_model, bruger_model = TILLADELSER[model]
    laas_borgere({o.borger_id for o in objekter})
    # Within one unit of work (a MOX chunk) the consents are read once per citizen, under
    # the citizens' grant lock: a grant row for a consent that lapsed meanwhile grants
    # nothing (the policy checks the consent at query time), and a consent given meanwhile
    # waits for this transaction and then grants this data itself.
    samtykker = memo.hent_mange(
        "samtykker_i_kraft",
        {o.borger_id for o in objekter},
        lambda ids: _samtykker_i_kraft(ids, now),
    )
    # rows of consents no longer in force grant nothing; leave their tidying for later
    relevante = [o for o in objekter if samtykker.get(o.borger_id)]
    if not relevante:
        return
    # the coverage rule in Python: one query for the types' ancestors, not one query per
    # consent
    typer_af = typer({o.type_id for o in relevante})
    daekkende = {
        o.pk: [s for s in samtykker[o.borger_id] if daekker(s, o, typer_af[o.type_id])]
        for o in relevante
    }
    # tidiness: rows of consents that no longer cover the object go
    for row_model in (gruppe_model, bruger_model):
        gamle = [
            pk
            for pk, objekt_id, samtykke_id in row_model.objects.filter(
                content_object__in=list(daekkende)
            ).values_list("pk", "content_object_id", "samtykke_id")
            if samtykke_id not in {s.pk for s in daekkende[objekt_id]}
        ]
        if gamle:
            row_model.objects.filter(pk__in=gamle).delete()
    nye: dict = {}
    for o in relevante:
        for s in daekkende[o.pk]:
            row_model, rows = _rows(model, s, [o])
            nye.setdefault(row_model, []).extend(rows)
    for row_model, rows in nye.items():
        row_model.objects.bulk_create(rows, ignore_conflicts=True)
