"""The dialogue rule: who may see a citizen's dialogue, and who reads which conversation.

The conversations live in `dialog`, one floor above this package, so the rule is written
over field paths and subqueries the caller hands in; nothing here imports `dialog`.

A member of staff may see a citizen's dialogue (`ser_dialog_q`) when
- their own unit is involved with the citizen: a unit they work in today is the
  responsible unit of an active condition, intervention or case of the citizen, or has
  an open request for consent to the citizen (sent, not answered, at most
  ANMODNING_AABNER_DAGE old: the request that opens a conversation with the citizen), or
- a consent in force that includes the dialogue (Samtykke.dialog, "dialogen om mig") is
  addressed to one of their units, their authority or them by name, open to their
  profession,
  and in both cases the citizen has not blocked them (a block, AFVIS, to their unit,
  authority or themselves beats the own unit's involvement and any consent); or
- they hold a legal-basis access (Hjemmel) to the citizen in force now. A legal basis is
  the one access the citizen cannot block, here as for data.
A unit as such (a conversation's unit participant, a system acting for it) is judged by
the same rule through `enhed_aktoer`: no profession, no legal basis (that is personal).

A member of staff reads a conversation when they may see its citizen's dialogue AND take
part in it: they by name, or one of their units, is a current participant (the newest
participant row says so). Taking part alone never lets anyone read.

The citizen reads the conversations about them that are held with them (type "med
borgeren"); a person acting for the citizen through a relation valid today whose scope
(omfang) includes the dialogue (Omfang.DIALOG) reads those too. Of a conversation among
professionals only, the citizen sees that it exists and its history (who, when), never
its messages; a relative sees nothing of it. Nobody else reads anything.

Everything is decided when the query runs: a revoked consent or a new block removes the
reading on the very next request, while what the person wrote stays for the others. A
notification of a new message is shown by the same rule (`samtale_laeselig_q`, asked by
the notifications rule): only while the person reads the conversation.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from typing import NamedTuple, TypeVar

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from datadeling.core.models import gyldig_q
from indsats.models import Indsats
from organisation.models import Borger, Enhed, Omfang, Relation
from organisation.selectors import Aktoer
from sagsindeks.models import Sag
from samtykke.models import (
    Anmodning,
    AnmodningStatus,
    Beslutning,
    Grundlag,
    Hjemmel,
    Samtykke,
    i_kraft_q,
)
from samtykke.policy.byggesten import blokeret, enhed_aktoer, hjemmel_q
from samtykke.policy.sag import modtager_fag_q
from tilstand.models import Tilstand

INGEN = Q(pk__in=[])
K = TypeVar("K")


def involveret_q(aktoer: Aktoer, now: datetime.datetime, borger: str = "borger_id") -> Q:
    """Return the filter for outer rows (with the citizen in field `borger`) whose citizen
    the person's own unit is involved with: data, a case or an open request of the unit."""
    enheder = list(aktoer.enhed_ids)
    if not enheder:
        return INGEN
    ref = OuterRef(borger)
    aaben_siden = now - datetime.timedelta(days=settings.ANMODNING_AABNER_DAGE)
    return (
        Q(
            Exists(
                Tilstand.objects.filter(borger_id=ref, aktiv=True, ansvarlig_enhed_id__in=enheder)
            )
        )
        | Q(
            Exists(
                Indsats.objects.filter(borger_id=ref, aktiv=True, ansvarlig_enhed_id__in=enheder)
            )
        )
        | Q(Exists(Sag.objects.filter(borger_id=ref, aktiv=True, ansvarlig_enhed_id__in=enheder)))
        | Q(
            Exists(
                Anmodning.objects.filter(
                    borger_id=ref,
                    modtager_enhed_id__in=enheder,
                    status=AnmodningStatus.AFVENTER,
                    oprettet__gt=aaben_siden,
                )
            )
        )
    )


def dialogsamtykker(aktoer: Aktoer, now: datetime.datetime) -> QuerySet[Samtykke]:
    """Return the consent versions in force that include the dialogue and are addressed to
    the person (unit, authority or them by name), open to their profession."""
    return Samtykke.objects.filter(
        i_kraft_q(now), modtager_fag_q(aktoer), beslutning=Beslutning.TILLAD, dialog=True
    )


def ser_dialog_q(aktoer: Aktoer, now: datetime.datetime, borger: str = "borger_id") -> Q:
    """Return the filter for outer rows (the citizen in field `borger`: a Samtale, or "pk"
    for a Borger) whose citizen's dialogue the member of staff (or unit) may see."""
    if not aktoer.enhed_ids:
        return INGEN
    ref = OuterRef(borger)
    q = (
        involveret_q(aktoer, now, borger)
        | Q(Exists(dialogsamtykker(aktoer, now).filter(borger_id=ref)))
    ) & ~Q(blokeret(aktoer, now, borger=borger))
    if aktoer.medarbejder is not None:
        q |= Q(Exists(Hjemmel.objects.filter(hjemmel_q(aktoer, now), borger_id=ref)))
    return q


def deltager_q(aktoer: Aktoer) -> Q:
    """Return the filter for participant rows that name the member of staff or one of
    their units (on the participant model: `medarbejder_id`, `enhed_id`)."""
    if not aktoer.enhed_ids:
        return INGEN
    q = Q(enhed_id__in=list(aktoer.enhed_ids))
    if aktoer.medarbejder is not None:
        q |= Q(medarbejder_id=aktoer.medarbejder.pk)
    return q


def dialog_relationer(aktoer: Aktoer, now: datetime.datetime) -> QuerySet[Relation]:
    """Return the relations valid today by which the person may read a citizen's dialogue
    with the citizen (scope includes Omfang.DIALOG)."""
    if aktoer.borger is None or aktoer.er_medarbejder:
        return Relation.objects.none()
    return Relation.objects.filter(
        gyldig_q(timezone.localdate(now)),
        person_id=aktoer.borger.pk,
        omfang__contains=[Omfang.DIALOG],
    )


def samtaler_laeselige_q(
    aktoer: Aktoer, now: datetime.datetime, *, deltagere: QuerySet, med_borgeren: Q
) -> Q:
    """Return the filter for the conversations (a Samtale query) the person reads.

    `deltagere` is the caller's queryset of current participant rows of the outer
    conversation (filtered on `samtale_id=OuterRef("pk")`); `med_borgeren` the filter for
    conversations held with the citizen.
    """
    if aktoer.er_medarbejder:
        return ser_dialog_q(aktoer, now) & Q(Exists(deltagere.filter(deltager_q(aktoer))))
    if aktoer.borger is not None:
        egne = Q(borger_id=aktoer.borger.pk)
        via = Q(borger_id__in=dialog_relationer(aktoer, now).values("borger_id"))
        return (egne | via) & med_borgeren
    return INGEN


class Samtalekilde(NamedTuple):
    """The dialogue's own tables, named by the dialog app for the rules that filter other
    rows by its conversations (this package cannot import it): `samtaler` the
    conversations, `aktuelle_deltagere` the current participant rows (the newest row of
    each participant, when it adds them), `med_borgeren` the filter for conversations held
    with the citizen."""

    samtaler: QuerySet
    aktuelle_deltagere: QuerySet
    med_borgeren: Q

    @property
    def deltagere(self) -> QuerySet:
        """The current participant rows of the outer conversation."""
        return self.aktuelle_deltagere.filter(samtale_id=OuterRef("pk"))


def samtale_laeselig_q(
    aktoer: Aktoer, now: datetime.datetime, kilde: Samtalekilde, samtale: str = "objekt_id"
) -> Q:
    """Return the filter for outer rows naming a conversation in field `samtale` (a
    notification of a new message) that the person reads now: the rule above
    (`samtaler_laeselige_q`), asked in the same query. Opening a citizen's page is not
    enough: a conversation whose page 404s for the person tells them nothing either."""
    laeselige = kilde.samtaler.filter(
        samtaler_laeselige_q(
            aktoer, now, deltagere=kilde.deltagere, med_borgeren=kilde.med_borgeren
        )
    )
    return Q(Exists(laeselige.filter(pk=OuterRef(samtale))))


def dialog_relation_brugere(borger_id: uuid.UUID, now: datetime.datetime) -> list[int]:
    """Return the user ids of the people who read the conversations held with the citizen
    through a relation valid today whose scope includes the dialogue (Omfang.DIALOG): who,
    besides the citizen, may be told of a message in one."""
    return list(
        Relation.objects.filter(
            gyldig_q(timezone.localdate(now)),
            borger_id=borger_id,
            omfang__contains=[Omfang.DIALOG],
            person__user__isnull=False,
        ).values_list("person__user_id", flat=True)
    )


def enheder_at_skrive_til(
    aktoer: Aktoer, borger_id: uuid.UUID, now: datetime.datetime, kilde: Samtalekilde
) -> list[Enhed]:
    """Return the units the citizen, or a person acting for them in the dialogue, may start
    a conversation with about the citizen, by name; [] for anybody else.

    Each may see the citizen's dialogue as a unit now (`deltagere_grundlag`: its own
    involvement, or a consent that includes the dialogue addressed to the unit or its
    authority without a profession; never through a block, never by a legal basis, which
    is personal), so the service's own check (`dialog.services.samtale_create`) accepts
    it. The citizen is offered every such unit: it is responsible for their data or a
    case, asks them for consent, or has their consent, all of which they see themselves.
    A person acting for the citizen is offered only those of them already taking part in
    a conversation with the citizen that the person reads: the relation's scope covers
    the dialogue, not which units hold the citizen's data. A fixed number of queries
    whatever the number of units."""
    grundlag = dialog_grundlag(aktoer, borger_id, now)
    if grundlag is None or grundlag[0] not in (Grundlag.BORGER, Grundlag.RELATION):
        return []
    idag = timezone.localdate(now)
    aaben_siden = now - datetime.timedelta(days=settings.ANMODNING_AABNER_DAGE)
    ref = OuterRef("pk")
    kandidater = Enhed.objects.filter(
        Q(Exists(Tilstand.objects.filter(borger_id=borger_id, aktiv=True, ansvarlig_enhed_id=ref)))
        | Q(Exists(Indsats.objects.filter(borger_id=borger_id, aktiv=True, ansvarlig_enhed_id=ref)))
        | Q(Exists(Sag.objects.filter(borger_id=borger_id, aktiv=True, ansvarlig_enhed_id=ref)))
        | Q(
            Exists(
                Anmodning.objects.filter(
                    borger_id=borger_id, modtager_enhed_id=ref,
                    status=AnmodningStatus.AFVENTER, oprettet__gt=aaben_siden,
                )
            )
        )
        | Q(
            Exists(
                Samtykke.objects.filter(
                    Q(modtager_enhed_id=ref) | Q(modtager_myndighed_id=OuterRef("myndighed_id")),
                    i_kraft_q(now), borger_id=borger_id, beslutning=Beslutning.TILLAD,
                    dialog=True, faglighed__isnull=True,
                )
            )
        )
    )  # fmt: skip
    if grundlag[0] == Grundlag.RELATION:
        laeselige = kilde.samtaler.filter(
            samtaler_laeselige_q(
                aktoer, now, deltagere=kilde.deltagere, med_borgeren=kilde.med_borgeren
            ),
            borger_id=borger_id,
        )
        deltager_enheder = kilde.aktuelle_deltagere.filter(
            samtale_id__in=laeselige.values("pk"), enhed_id__isnull=False
        )
        kandidater = kandidater.filter(pk__in=deltager_enheder.values("enhed_id"))
    enheder = list(
        kandidater.filter(gyldig_q(idag)).select_related("myndighed").order_by("navn", "pk")
    )
    svar = deltagere_grundlag(borger_id, {e.pk: enhed_aktoer(e) for e in enheder}, now)
    return [e for e in enheder if svar[e.pk] is not None]


def samtaler_kendte_q(aktoer: Aktoer) -> Q:
    """Return the filter for conversations a citizen knows exist without reading them:
    every conversation about them (the professionals-only ones show their history only)."""
    if aktoer.er_borger:
        assert aktoer.borger is not None  # er_borger says so
        return Q(borger_id=aktoer.borger.pk)
    return INGEN


def samtaler_i_eksport_q(
    aktoer: Aktoer, borger_id: uuid.UUID, now: datetime.datetime, *, laeselige: Q
) -> Q:
    """Return the filter for the conversations in a download of citizen `borger_id` made by
    the person `aktoer` (the citizen, or someone acting for them: the download's own rule,
    `maa_eksportere`, is asked first). `laeselige` is `samtaler_laeselige_q` for the person.

    The download holds what the person may open of that citizen's dialogue and nothing
    more: the conversations they read (for a relative: held with the citizen, through a
    relation whose scope includes the dialogue), and for the citizen also the
    professionals-only ones, of which only that they exist and their history (who, when)
    is shown. Never a conversation about anyone else."""
    return Q(borger_id=borger_id) & (laeselige | samtaler_kendte_q(aktoer))


def dialog_grundlag(
    aktoer: Aktoer, borger_id: uuid.UUID, now: datetime.datetime
) -> tuple[str, uuid.UUID | None, Relation | None] | None:
    """Return the basis on which the person sees the citizen's dialogue: (grundlag, consent
    or legal-basis id, relation acted through), or None when they do not. For the access
    log and the "on what basis" line; at most two queries.

    Own unit first, then a consent, then a legal basis; for a person, themselves or the
    relation. A block leaves only a legal basis.
    """
    if aktoer.enhed_ids:
        raekke = (
            Borger.objects.filter(pk=borger_id)
            .annotate(
                _involveret=Exists(
                    Borger.objects.filter(involveret_q(aktoer, now, "pk"), pk=OuterRef("pk"))
                ),
                _blokeret=blokeret(aktoer, now, borger="pk"),
            )
            .values("_involveret", "_blokeret")
            .first()
        )
        if raekke is None:
            return None
        if not raekke["_blokeret"]:
            if raekke["_involveret"]:
                return (Grundlag.EGEN_ENHED, None, None)
            samtykke_id = (
                dialogsamtykker(aktoer, now)
                .filter(borger_id=borger_id)
                .order_by("-gyldig_til", "pk")
                .values_list("pk", flat=True)
                .first()
            )
            if samtykke_id is not None:
                return (Grundlag.SAMTYKKE, samtykke_id, None)
        if aktoer.medarbejder is not None:
            hjemmel_id = (
                Hjemmel.objects.filter(hjemmel_q(aktoer, now), borger_id=borger_id)
                .order_by("-gyldig_til")
                .values_list("pk", flat=True)
                .first()
            )
            if hjemmel_id is not None:
                return (Grundlag.HJEMMEL, hjemmel_id, None)
        return None
    if aktoer.borger is not None:
        if aktoer.borger.pk == borger_id:
            return (Grundlag.BORGER, None, None)
        relation = dialog_relationer(aktoer, now).filter(borger_id=borger_id).first()
        if relation is not None:
            return (Grundlag.RELATION, relation.pk, relation)
    return None


def enheders_dialog_grundlag(
    borger_id: uuid.UUID, enheder: Iterable[Enhed], now: datetime.datetime
) -> dict[uuid.UUID, tuple[str, uuid.UUID | None]]:
    """Return {unit id: (grundlag, consent id or None)} for those of `enheder` (each with its
    `myndighed` loaded) that may see the citizen's dialogue as units: what a system acting
    for the unit may be told of it (metadata only). A unit past its validity sees nothing;
    a legal basis is personal and never reaches a unit."""
    idag = timezone.localdate(now)
    svar: dict[uuid.UUID, tuple[str, uuid.UUID | None]] = {}
    for e in enheder:
        if not e.gyldig_paa(idag):
            continue
        g = dialog_grundlag(enhed_aktoer(e), borger_id, now)
        if g is not None:
            svar[e.pk] = (g[0], g[1])
    return svar


def deltagere_grundlag(
    borger_id: uuid.UUID, aktoerer: Mapping[K, Aktoer], now: datetime.datetime
) -> dict[K, tuple[str, uuid.UUID | None] | None]:
    """Return, for several members of staff or units at once (`enhed_aktoer`), the basis
    on which each sees the citizen's dialogue: {key: (grundlag, consent or legal-basis id)}
    or None; what `dialog_grundlag` answers for each, in three queries whatever their
    number ("who takes part, on what basis"). The rows of the citizen are read once and
    matched here with the rule's own precedence: a block leaves only a legal basis; then
    the own unit, a consent that includes the dialogue (open to their profession, the one
    lasting longest), a legal basis."""
    enheder = {e for a in aktoerer.values() for e in a.enhed_ids}
    aaben_siden = now - datetime.timedelta(days=settings.ANMODNING_AABNER_DAGE)
    involveret: set[uuid.UUID] = set()
    if enheder:
        e = list(enheder)
        involveret = set(
            Tilstand.objects.filter(borger_id=borger_id, aktiv=True, ansvarlig_enhed_id__in=e)
            .values_list("ansvarlig_enhed_id", flat=True)
            .union(
                Indsats.objects.filter(
                    borger_id=borger_id, aktiv=True, ansvarlig_enhed_id__in=e
                ).values_list("ansvarlig_enhed_id", flat=True),
                Sag.objects.filter(
                    borger_id=borger_id, aktiv=True, ansvarlig_enhed_id__in=e
                ).values_list("ansvarlig_enhed_id", flat=True),
                Anmodning.objects.filter(
                    borger_id=borger_id,
                    modtager_enhed_id__in=e,
                    status=AnmodningStatus.AFVENTER,
                    oprettet__gt=aaben_siden,
                ).values_list("modtager_enhed_id", flat=True),
            )  # fmt: skip
        )
    samtykker = list(
        Samtykke.objects.filter(i_kraft_q(now), borger_id=borger_id)
        .filter(Q(beslutning=Beslutning.AFVIS) | Q(beslutning=Beslutning.TILLAD, dialog=True))
        .order_by("-gyldig_til", "pk")
    )
    hjemler = list(
        Hjemmel.objects.filter(borger_id=borger_id, gyldig_fra__lte=now, gyldig_til__gt=now)
        .order_by("-gyldig_til")
        .values_list("pk", "medarbejder_id", "enhed_id")
    )
    svar: dict[K, tuple[str, uuid.UUID | None] | None] = {}
    for noegle, a in aktoerer.items():
        svar[noegle] = _grundlag_af(a, involveret, samtykker, hjemler)
    return svar


def _til(a: Aktoer, s: Samtykke, fag: bool) -> bool:
    """Whether the consent (or block) is addressed to the person (`modtager_q`), and with
    `fag` also open to their profession in that role (`modtager_fag_q`)."""
    for f in a.funktioner:
        modtager = f.enhed_id == s.modtager_enhed_id or (
            f.enhed.myndighed_id == s.modtager_myndighed_id
        )
        if modtager and (not fag or s.faglighed_id in (None, f.faglighed_id)):
            return True
    if a.medarbejder is not None and s.modtager_medarbejder_id == a.medarbejder.pk:
        return (
            not fag
            or s.faglighed_id is None
            or any(s.faglighed_id == f.faglighed_id for f in a.funktioner)
        )
    return False


def _grundlag_af(
    a: Aktoer,
    involveret: set[uuid.UUID],
    samtykker: list[Samtykke],
    hjemler: list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]],
) -> tuple[str, uuid.UUID | None] | None:
    if not a.enhed_ids:
        return None
    if not any(s.beslutning == Beslutning.AFVIS and _til(a, s, fag=False) for s in samtykker):
        if a.enhed_ids & involveret:
            return (Grundlag.EGEN_ENHED, None)
        for s in samtykker:
            if s.beslutning == Beslutning.TILLAD and _til(a, s, fag=True):
                return (Grundlag.SAMTYKKE, s.pk)
    if a.medarbejder is not None:
        for pk, medarbejder_id, enhed_id in hjemler:
            if medarbejder_id == a.medarbejder.pk and enhed_id in a.enhed_ids:
                return (Grundlag.HJEMMEL, pk)
    return None
