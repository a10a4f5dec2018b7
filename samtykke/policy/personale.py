"""The staff rule: which of a citizen's conditions and interventions a person may see, on
what basis, and whose page a member of staff may open.

A member of staff sees a citizen's Tilstand or Indsats when
- it is the data of one of the units they work in today (egen enhed), or
- a consent version in force grants it to them (a grant row names the consent, and the
  consent's state is joined here, at query time), and the citizen has not blocked them, or
- they hold a legal-basis access (Hjemmel) to that citizen in force now.
A citizen sees all their own data. Nobody else sees anything — a superuser neither.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from datadeling.core import clock
from indsats.models import Indsats
from organisation.models import Borger, Rolle
from organisation.selectors import Aktoer
from samtykke.models import (
    Adgangslog,
    Anmodning,
    AnmodningStatus,
    Beslutning,
    Grundlag,
    Hjemmel,
    IndsatsBrugerTilladelse,
    IndsatsGruppeTilladelse,
    Samtykke,
    TilstandBrugerTilladelse,
    TilstandGruppeTilladelse,
    i_kraft_q,
)
from samtykke.policy.byggesten import (
    TILLADELSER,
    blokeret,
    bruger_q,
    er_en_af,
    grupper_q,
    hjemmel_q,
    modtager_q,
    samtykke_q,
    tilladelse_i_kraft_q,
)
from samtykke.policy.sag import Sag, sager_synlige
from tilstand.models import Tilstand

# The access-log category that marks a lookup by CPR number. A lookup opens the citizen's
# page to the person who made it for a while, so a case can be started.
OPSLAG = "cpr_opslag"
OPSLAG_GYLDIGHED = datetime.timedelta(hours=24)


def _synlig(
    model: type[Tilstand] | type[Indsats],
    aktoer: Aktoer,
    borger_id: uuid.UUID | None = None,
    now: datetime.datetime | None = None,
) -> Q:
    """Return the filter for the objects of `model` the person may see."""
    now = now or clock.now()
    if aktoer.er_borger:
        assert aktoer.borger is not None  # er_borger says so
        q = Q(borger_id=aktoer.borger.pk)
    elif aktoer.er_medarbejder and aktoer.enhed_ids:
        # Three branches, each one an index can answer (own unit; grant rows in force, by
        # the primary key; legal bases, by citizen), so the database ORs three index scans
        # (a BitmapOr) instead of asking every current object of every citizen
        # (docs/ydelse.md; tests/samtykke/test_synlighed_plan.py pins the plan).
        hjemler = Hjemmel.objects.filter(hjemmel_q(aktoer, now))
        if borger_id is not None:
            hjemler = hjemler.filter(borger_id=borger_id)
        q = (
            Q(ansvarlig_enhed_id__in=aktoer.enhed_ids)
            | samtykke_q(model, aktoer, now, borger_id)
            | er_en_af("borger_id", hjemler.values("borger_id").order_by())
        )
    else:
        return Q(pk__in=[])
    if borger_id is not None:
        q &= Q(borger_id=borger_id)
    return q & Q(aktiv=True)


def tilstande_synlige(
    aktoer: Aktoer, borger_id: uuid.UUID | None = None, now: datetime.datetime | None = None
) -> QuerySet[Tilstand]:
    """Return the current conditions the person may see."""
    return Tilstand.objects.filter(_synlig(Tilstand, aktoer, borger_id, now))


def indsatser_synlige(
    aktoer: Aktoer, borger_id: uuid.UUID | None = None, now: datetime.datetime | None = None
) -> QuerySet[Indsats]:
    """Return the current interventions the person may see."""
    return Indsats.objects.filter(_synlig(Indsats, aktoer, borger_id, now))


def borgere_synlige(aktoer: Aktoer) -> QuerySet[Borger]:
    """Return the citizens of whom the person may see a condition or an intervention."""
    if aktoer.er_borger:
        assert aktoer.borger is not None  # er_borger says so
        return Borger.objects.filter(pk=aktoer.borger.pk)
    return Borger.objects.filter(
        Exists(tilstande_synlige(aktoer).filter(borger_id=OuterRef("pk")))
        | Exists(indsatser_synlige(aktoer).filter(borger_id=OuterRef("pk")))
    )


def borgere_med_synligt(aktoer: Aktoer) -> QuerySet[Borger]:
    """Return the citizens of whom a member of staff may see a condition, an intervention
    or a case (none for anybody else)."""
    if not aktoer.er_medarbejder:
        return Borger.objects.none()
    sager = sager_synlige(aktoer).filter(borger_id=OuterRef("pk"))
    return borgere_synlige(aktoer) | Borger.objects.filter(Exists(sager))


def grundlag(aktoer: Aktoer) -> str:
    """Return the basis on which the person reads what the policy shows them."""
    return Grundlag.BORGER if aktoer.er_borger else Grundlag.EGEN_ENHED


def kan_skrive(aktoer: Aktoer, enhed_id: uuid.UUID) -> bool:
    """Return whether the person may register data on behalf of the unit."""
    return aktoer.er_medarbejder and enhed_id in aktoer.enhed_ids


def kan_starte_sag(aktoer: Aktoer) -> bool:
    """Return whether the person may find any citizen by CPR number and start a case for
    them (a member of staff with a current unit; what they then see is the policy's)."""
    return bool(aktoer.er_medarbejder and aktoer.enhed_ids)


def leder_enhed_ids(aktoer: Aktoer) -> frozenset:
    """Return the ids of the units the person leads today (a current `leder` Funktion)."""
    return frozenset(f.enhed_id for f in aktoer.funktioner if f.rolle == Rolle.LEDER)


def hjemler_til_gennemgang(aktoer: Aktoer) -> QuerySet[Hjemmel]:
    """Return the legal-basis accesses a leader reviews: those of the units they lead."""
    return Hjemmel.objects.filter(enhed_id__in=leder_enhed_ids(aktoer))


def forklar(
    aktoer: Aktoer, objekter: Iterable[Tilstand | Indsats], now: datetime.datetime | None = None
) -> dict:
    """Return, for each visible object, the basis the person sees it on: (grundlag, id).

    Own unit first, then a consent version in force that grants it, then a legal-basis
    access. At most one query per model plus one for legal bases.
    """
    now = now or clock.now()
    if aktoer.er_borger:
        return {o.pk: (Grundlag.BORGER, None) for o in objekter}
    svar: dict = {}
    rest = []
    for o in objekter:
        if o.ansvarlig_enhed_id in aktoer.enhed_ids:
            svar[o.pk] = (Grundlag.EGEN_ENHED, None)
        else:
            rest.append(o)
    for model, (gruppe_model, bruger_model) in TILLADELSER.items():
        ids = [o.pk for o in rest if isinstance(o, model)]
        if not ids:
            continue
        via = _via_samtykke_rows(gruppe_model, bruger_model, aktoer, now, ids)
        for objekt_id, samtykke_id in via:
            svar.setdefault(objekt_id, (Grundlag.SAMTYKKE, samtykke_id))
    mangler = {o.borger_id for o in rest if o.pk not in svar}
    if mangler and aktoer.medarbejder is not None:
        hjemler = dict(
            Hjemmel.objects.filter(hjemmel_q(aktoer, now), borger_id__in=mangler)
            .order_by("borger_id", "-gyldig_til")
            .distinct("borger_id")
            .values_list("borger_id", "pk")
        )
        for o in rest:
            if o.pk not in svar and o.borger_id in hjemler:
                svar[o.pk] = (Grundlag.HJEMMEL, hjemler[o.borger_id])
    return svar


def _via_samtykke_rows(
    gruppe_model: type[TilstandGruppeTilladelse] | type[IndsatsGruppeTilladelse],
    bruger_model: type[TilstandBrugerTilladelse] | type[IndsatsBrugerTilladelse],
    aktoer: Aktoer,
    now: datetime.datetime,
    ids: list[uuid.UUID],
) -> list:
    """Return (object id, consent id) pairs of grants in force for the person."""
    i_kraft = tilladelse_i_kraft_q(now)
    par = list(
        gruppe_model.objects.filter(
            grupper_q(aktoer), i_kraft, content_object_id__in=ids
        ).values_list("content_object_id", "samtykke_id")
    )
    if aktoer.medarbejder is not None:
        par += list(
            bruger_model.objects.filter(
                bruger_q(aktoer), i_kraft, content_object_id__in=ids
            ).values_list("content_object_id", "samtykke_id")
        )
    return par


# --- the consents and legal bases a member of staff holds ---------------------------------


def samtykker_til(
    aktoer: Aktoer, now: datetime.datetime, beslutning: str = Beslutning.TILLAD
) -> QuerySet[Samtykke]:
    """Return the consent versions (or, with AFVIS, the blocks) in force addressed to the
    member of staff: to one of their units, their authorities or themselves by name."""
    return Samtykke.objects.filter(i_kraft_q(now), modtager_q(aktoer), beslutning=beslutning)


def samtykker_udloeber(
    aktoer: Aktoer, now: datetime.datetime, dage: int = 30
) -> QuerySet[Samtykke]:
    """Return the consent versions in force addressed to the member of staff (to one of
    their units, their authorities or them by name) that end within `dage` days — unless
    the citizen has blocked them, for a block beats any consent. None for anybody else."""
    if not aktoer.er_medarbejder:
        return Samtykke.objects.none()
    return samtykker_til(aktoer, now).filter(
        ~blokeret(aktoer, now), gyldig_til__lte=now + datetime.timedelta(days=dage)
    )


def hjemler_til(aktoer: Aktoer, now: datetime.datetime) -> QuerySet[Hjemmel]:
    """Return the legal-basis accesses of the member of staff in force now."""
    return Hjemmel.objects.filter(hjemmel_q(aktoer, now))


# --- whose page a member of staff may open --------------------------------------------------


def kontakt_q(aktoer: Aktoer, now: datetime.datetime) -> Q:
    """Return the filter for citizens the member of staff has a recorded reason to open
    although the policy may show them nothing: a lookup by CPR number of their own in the
    last OPSLAG_GYLDIGHED, an open request (sent, not answered) from one of their units at
    most ANMODNING_AABNER_DAGE old, a consent in force for them, or a legal-basis access of
    theirs in force. An answered, withdrawn or old request opens nothing: what the unit
    then sees is what the answer gave it."""
    if aktoer.medarbejder is None or not aktoer.enhed_ids:
        return Q(pk__in=[])
    return (
        Q(
            Exists(
                Adgangslog.objects.filter(
                    borger_id=OuterRef("pk"),
                    bruger_id=aktoer.medarbejder.user_id,
                    kategorier__contains=[OPSLAG],
                    tidspunkt__gt=now - OPSLAG_GYLDIGHED,
                )
            )
        )
        | Q(
            Exists(
                Anmodning.objects.filter(
                    borger_id=OuterRef("pk"),
                    modtager_enhed_id__in=aktoer.enhed_ids,
                    status=AnmodningStatus.AFVENTER,
                    oprettet__gt=now - datetime.timedelta(days=settings.ANMODNING_AABNER_DAGE),
                )
            )
        )
        | Q(Exists(samtykker_til(aktoer, now).filter(borger_id=OuterRef("pk"))))
        | Q(Exists(hjemler_til(aktoer, now).filter(borger_id=OuterRef("pk"))))
    )


def adgang_annotationer(aktoer: Aktoer, now: datetime.datetime) -> dict:
    """Return annotations for a Borger query: `blokeret` (the citizen has blocked the
    person's unit, authority or the person) and `hjemmel_til` (the end of the person's
    legal-basis access to the citizen in force now, or None)."""
    if not aktoer.er_medarbejder or not aktoer.enhed_ids:
        return {}
    return {
        "blokeret": blokeret(aktoer, now, borger="pk"),
        "hjemmel_til": Subquery(
            hjemler_til(aktoer, now)
            .filter(borger_id=OuterRef("pk"))
            .order_by("-gyldig_til")
            .values("gyldig_til")[:1]
        ),
    }


def borgere_aabne(aktoer: Aktoer, now: datetime.datetime) -> QuerySet[Borger]:
    """Return the citizens whose page a member of staff may open: those of whom the policy
    shows them something (a condition, an intervention, a case), and those they have a
    recorded reason to open (`kontakt_q`). Nobody else opens a citizen's page."""
    if not aktoer.er_medarbejder:
        return Borger.objects.none()
    if not aktoer.enhed_ids:
        return Borger.objects.none()  # nothing is shown to them and `kontakt_q` is empty
    # The rule "the policy shows them a condition, an intervention or a case, or they have
    # a recorded reason", written with only the branches `kontakt_q` does not already
    # cover, so the query is a fraction of the size to build and compile (docs/ydelse.md):
    # - a legal basis in force that shows an object (`_synlig`, `sager_synlige`) is the
    #   same `hjemmel_q` row as `kontakt_q`'s legal basis for the citizen;
    # - a consent that shows a case (`samtykker_til_sag`) is a consent in force, TILLAD,
    #   addressed to them, of the case's citizen: one of `kontakt_q`'s `samtykker_til`.
    # What is left: data of their own units, and conditions and interventions shown by a
    # grant row unless the citizen has blocked them (`samtykke_q`; the block asked once,
    # of the citizen, since a grant row pairs an object only with a consent of the
    # object's own citizen). tests/samtykke/test_policy_property.py checks the result
    # against the full rule.
    egne = Q(ansvarlig_enhed_id__in=aktoer.enhed_ids, aktiv=True, borger_id=OuterRef("pk"))
    via = Q(aktiv=True, borger_id=OuterRef("pk"))
    tilladt = Exists(
        Tilstand.objects.filter(via, samtykke_q(Tilstand, aktoer, now, blokering=False))
    ) | Exists(Indsats.objects.filter(via, samtykke_q(Indsats, aktoer, now, blokering=False)))
    return Borger.objects.filter(
        Exists(Tilstand.objects.filter(egne))
        | Exists(Indsats.objects.filter(egne))
        | Exists(Sag.objects.filter(egne))
        | (tilladt & ~blokeret(aktoer, now, borger="pk"))
        | kontakt_q(aktoer, now)
    )


# --- one citizen's page: the visible set read once ---------------------------------------


@dataclass(frozen=True)
class SynligeIds:
    """The ids of one citizen's active conditions, interventions and cases that a person
    may see, read once in a request (`synlige_ids_annotationer`), so the pieces of one
    page that need the visible set do not each build and compile the whole rule again."""

    tilstande: list[uuid.UUID]
    indsatser: list[uuid.UUID]
    sager: list[uuid.UUID]


SYNLIGE_FELTER = ("_synlige_tilstande", "_synlige_indsatser", "_synlige_sager")


def synlige_ids_annotationer(aktoer: Aktoer, borger_id: uuid.UUID, now: datetime.datetime) -> dict:
    """Return annotations for a Borger query that read, in the same statement, the ids of
    the citizen's data the person may see (the staff rule and the case rule, unchanged);
    `synlige_ids` turns the annotated row into SynligeIds."""
    return {
        navn: ArraySubquery(qs.values("pk").order_by())
        for navn, qs in zip(
            SYNLIGE_FELTER,
            (
                tilstande_synlige(aktoer, borger_id, now),
                indsatser_synlige(aktoer, borger_id, now),
                sager_synlige(aktoer, borger_id, now),
            ),
            strict=True,
        )
    }


def synlige_ids(borger: object) -> SynligeIds | None:
    """Return the visible ids a Borger was read with (`synlige_ids_annotationer`), or None."""
    if not all(hasattr(borger, navn) for navn in SYNLIGE_FELTER):
        return None
    return SynligeIds(*(list(getattr(borger, navn)) for navn in SYNLIGE_FELTER))


def side_annotationer(aktoer: Aktoer, borger_id: uuid.UUID, now: datetime.datetime) -> dict:
    """Return annotations for the Borger row of one citizen whose page a member of staff
    asks for: the visible set (`synlige_ids_annotationer`) and `_kontakt` (`kontakt_q`), from
    which `side_aaben` decides rule 7 for this citizen without `borgere_aabne`'s query over
    all citizens. Empty for anybody who opens no citizen's page."""
    if not (aktoer.er_medarbejder and aktoer.enhed_ids):
        return {}
    return {
        **synlige_ids_annotationer(aktoer, borger_id, now),
        "_kontakt": ExpressionWrapper(kontakt_q(aktoer, now), output_field=BooleanField()),
    }


def side_aaben(aktoer: Aktoer, borger: Borger) -> bool:
    """Return whether the member of staff may open the citizen's page (rule 7, as
    `borgere_aabne`): the policy shows them a condition, an intervention or a case of the
    citizen, or they have a recorded reason (`kontakt_q`). `borger` was read with
    `side_annotationer`; tests/samtykke/test_policy_property.py holds the two equal."""
    synlige = synlige_ids(borger)
    if synlige is None or not (aktoer.er_medarbejder and aktoer.enhed_ids):
        return False
    vist = bool(synlige.tilstande or synlige.indsatser or synlige.sager)
    return vist or bool(getattr(borger, "_kontakt", False))
