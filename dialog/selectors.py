"""The reads of the dialogue, already filtered by the access policy and prefetched, so
pages and partials never query from a template.

- `samtaler_for`: the Dialog section of a citizen's page (conversations the reader reads,
  with unread counts, participants and the basis of the reader's access);
- `samtale_for`: one conversation (Http404 for anything the reader may not open);
- `beskeder_for`: a window of current messages (the newest page, older on demand), each
  with its earlier versions, its attachments' metadata and its references as THIS reader
  may see them (a hidden datum is a bare marker: no content, no class, no id);
- `sete_af`: how far each other reader has read ("seen by");
- `mine_samtaler`: the citizen's or a relative's conversations;
- `vedhaeftning_for`: one attachment, with its bytes, for the download view;
- `eksport_samtaler`: the conversations in a citizen's download of their data, with every
  message version the downloader may read;
- `samtale_log`: the access-log entry a view writes for each read it shows.

Who reads what is asked of samtykke.policy.dialog at query time (see its docstring).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from datadeling.core import clock
from dialog.models import Besked, Deltager, Laesning, Samtale, SamtaleType, Vedhaeftning
from dialog.services import laeselig_q
from indsats.models import Indsats
from organisation.models import Borger
from organisation.selectors import Aktoer, aktoer_for, aktoerer_for_medarbejdere
from samtykke import policy
from samtykke.adgangslog import adgangslog_write
from samtykke.models import Adgangslog, Grundlag
from samtykke.policy import dialog as dialogregel
from tilstand.models import Tilstand

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    Bruger = AbstractBaseUser | AnonymousUser

FORMAAL = "Dialog om borgeren"


@dataclass(frozen=True)
class Henvisning:
    """A reference in a message, as one reader sees it: the datum when they may see it,
    otherwise a marker that says nothing about it (`objekt` None)."""

    objekt: Tilstand | Indsats | None

    @property
    def skjult(self) -> bool:
        return self.objekt is None

    @property
    def tekst(self) -> str:
        if self.objekt is None:
            return _("oplysning du ikke har adgang til")
        return str(self.objekt.type) if self.objekt.type_id else str(self.objekt)


@dataclass(frozen=True)
class Laest:
    """How far one other reader has read a conversation."""

    bruger_id: int
    navn: str
    til_nummer: int
    tidspunkt: datetime.datetime


@dataclass
class Beskedvindue:
    """The current messages of one window, oldest first, and whether older ones exist."""

    beskeder: list[Besked] = field(default_factory=list)
    flere_foer: bool = False
    flere_efter: bool = False  # polling (`efter_nummer`): more new ones than one window

    @property
    def foerste_nummer(self) -> int | None:
        return self.beskeder[0].nummer if self.beskeder else None


def _deltagere_prefetch() -> Prefetch:
    return Prefetch(
        "deltagere",
        queryset=Deltager.objects.gaeldende()
        .select_related("medarbejder", "enhed__myndighed", "person", "via_relation")
        .order_by("tidspunkt", "id"),
        to_attr="aktuelle_deltagere",
    )


def _ulaeste(bruger_id: Any) -> Subquery:
    """Return the count of current, not withdrawn messages by others after the reader's
    newest reading position (a Samtale annotation)."""
    laest = Coalesce(
        Subquery(
            Laesning.objects.filter(samtale=OuterRef(OuterRef("pk")), bruger_id=bruger_id)
            .order_by("-til_nummer")
            .values("til_nummer")[:1]
        ),
        Value(0),
    )
    return Subquery(
        Besked.objects.filter(
            samtale=OuterRef("pk"),
            erstattet_af__isnull=True,
            trukket_tilbage=False,
            nummer__gt=laest,
        )
        .exclude(bruger_id=bruger_id)
        .order_by()
        .values("samtale")
        .annotate(n=Count("pk"))
        .values("n")[:1],
        output_field=IntegerField(),
    )


def _mig_q(aktoer: Aktoer) -> Q:
    """Return the filter for messages whose answer is asked of the reader: of them by name,
    of one of their units, or of them as a person."""
    q = Q(pk__in=[])
    if aktoer.medarbejder is not None:
        q |= Q(svar_fra__medarbejder_id=aktoer.medarbejder.pk)
        if aktoer.enhed_ids:
            q |= Q(svar_fra__enhed_id__in=list(aktoer.enhed_ids))
    elif aktoer.borger is not None:
        q |= Q(svar_fra__person_id=aktoer.borger.pk)
    return q


def _annotationer(aktoer: Aktoer, bruger_id: Any) -> dict[str, Any]:
    """Return the reader's annotations of a Samtale query: `ulaeste` (unread messages),
    `venter_paa_mig` (a current message asks them for an answer they have not given by
    writing after it) and `svar_frist` (the earliest due date among those, or None)."""
    venter = (
        Besked.objects.filter(
            _mig_q(aktoer), samtale=OuterRef("pk"), erstattet_af__isnull=True,
            trukket_tilbage=False,
        )
        .exclude(
            Exists(
                Besked.objects.filter(
                    samtale=OuterRef("samtale"), nummer__gt=OuterRef("nummer"), bruger_id=bruger_id
                )
            )
        )
    )  # fmt: skip
    return {
        "ulaeste": Coalesce(_ulaeste(bruger_id), Value(0)),
        "venter_paa_mig": Exists(venter),
        "svar_frist": Subquery(
            venter.filter(svar_frist__isnull=False).order_by("svar_frist").values("svar_frist")[:1]
        ),
    }


def _grundlag(aktoer: Aktoer, borger_id: uuid.UUID, now: datetime.datetime) -> tuple | None:
    return dialogregel.dialog_grundlag(aktoer, borger_id, now)


def samtaler_for(
    *,
    bruger: Bruger,
    borger: Borger,
    now: datetime.datetime | None = None,
    aktoer: Aktoer | None = None,
) -> list[Samtale]:
    """Return the conversations about `borger` the reader reads, newest activity first,
    each with `ulaeste` (unread messages), `venter_paa_mig`/`svar_frist` (an answer is
    asked of the reader, by that date), `aktuelle_deltagere` (who takes part) and
    `grundlag` (the reader's basis: (grundlag, consent/legal-basis id, relation)).
    A fixed number of queries whatever the number of conversations or messages."""
    now = now or clock.now()
    aktoer = aktoer or aktoer_for(bruger)
    grundlag = _grundlag(aktoer, borger.pk, now)
    if grundlag is None:
        return []
    samtaler: list[Samtale] = list(
        Samtale.objects.filter(laeselig_q(aktoer, now), borger=borger)
        .annotate(**_annotationer(aktoer, bruger.pk))
        .select_related("oprettet_i_enhed")
        .prefetch_related(_deltagere_prefetch())
        .order_by("-seneste", "pk")
    )
    for s in samtaler:
        s.grundlag = grundlag  # type: ignore[attr-defined]  # the reader's basis
        s.laeser = True  # type: ignore[attr-defined]
    return samtaler


def samtale_for(
    *,
    bruger: Bruger,
    samtale_id: uuid.UUID | str,
    now: datetime.datetime | None = None,
    aktoer: Aktoer | None = None,
) -> Samtale:
    """Return the conversation the reader may open, or raise Http404 (the same for one that
    does not exist). `laeser` says whether they read its messages (False: the citizen's
    view of a professionals-only conversation, history only); `grundlag` is their basis;
    `om` the thing it is about when they may see it (None otherwise), `om_skjult` whether
    it is about something they may not see."""
    now = now or clock.now()
    aktoer = aktoer or aktoer_for(bruger)
    try:
        pk = uuid.UUID(str(samtale_id))
    except ValueError:
        raise Http404 from None
    laeselig = laeselig_q(aktoer, now)
    samtale = (
        Samtale.objects.filter(laeselig | dialogregel.samtaler_kendte_q(aktoer), pk=pk)
        .annotate(**_annotationer(aktoer, bruger.pk))
        .select_related("borger", "oprettet_i_enhed")
        .prefetch_related(_deltagere_prefetch())
        .first()
    )
    if samtale is None:
        raise Http404
    grundlag = _grundlag(aktoer, samtale.borger_id, now)
    if grundlag is None:
        raise Http404
    samtale.grundlag = grundlag  # type: ignore[attr-defined]
    samtale.laeser = samtale.type == SamtaleType.MED_BORGEREN or aktoer.er_medarbejder  # type: ignore[attr-defined]
    _om(samtale, aktoer, now)
    return samtale


def deltagere_grundlag(
    samtaler: list[Samtale], now: datetime.datetime | None = None
) -> dict[int, tuple[str, uuid.UUID | None] | None]:
    """Return {participant row id: (grundlag, consent/legal-basis/relation id) or None}
    for the current participants (`aktuelle_deltagere`, as `samtale_for` and
    `samtaler_for` prefetch them) of conversations about one citizen (a page, or the
    Dialog section's list): on what basis each may see the citizen's dialogue now,
    None when they may not (they take part but read nothing). Staff and units by the
    policy (samtykke.policy.dialog.deltagere_grundlag), the citizen as themself, a relative
    through the relation they were invited on. At most four queries, whatever the number."""
    now = now or clock.now()
    if not samtaler:
        return {}
    borger_id = samtaler[0].borger_id
    assert all(s.borger_id == borger_id for s in samtaler)  # one citizen: one policy call
    deltagere: list[Deltager] = [
        d
        for s in samtaler
        for d in s.aktuelle_deltagere  # type: ignore[attr-defined]
    ]
    personale = aktoerer_for_medarbejdere(
        [d.medarbejder for d in deltagere if d.medarbejder is not None]
    )
    aktoerer: dict[int, Aktoer] = {}
    svar: dict[int, tuple[str, uuid.UUID | None] | None] = {}
    for d in deltagere:
        if d.medarbejder is not None:
            aktoerer[d.pk] = personale[d.medarbejder.pk]
        elif d.enhed is not None:
            aktoerer[d.pk] = policy.enhed_aktoer(d.enhed)
        elif d.person_id == borger_id:
            svar[d.pk] = (Grundlag.BORGER, None)
        else:
            svar[d.pk] = (Grundlag.RELATION, d.via_relation_id) if d.via_relation_id else None
    if aktoerer:
        svar |= dialogregel.deltagere_grundlag(borger_id, aktoerer, now)
    return svar


def _om(samtale: Samtale, aktoer: Aktoer, now: datetime.datetime) -> None:
    """Attach what the conversation is about, as far as the reader may see it."""
    om: Any = None
    skjult = False
    if samtale.tilstand_id:
        om = (
            policy.tilstande_synlige(aktoer, samtale.borger_id, now)
            .select_related("type")
            .filter(pk=samtale.tilstand_id)
            .first()
        )
    elif samtale.indsats_id:
        om = (
            policy.indsatser_synlige(aktoer, samtale.borger_id, now)
            .select_related("type")
            .filter(pk=samtale.indsats_id)
            .first()
        )
    elif samtale.sag_id:
        om = policy.sager_synlige(aktoer, samtale.borger_id, now).filter(pk=samtale.sag_id).first()
    if samtale.tilstand_id or samtale.indsats_id or samtale.sag_id:
        skjult = om is None
    samtale.om = om  # type: ignore[attr-defined]
    samtale.om_skjult = skjult  # type: ignore[attr-defined]


def beskeder_for(
    *,
    bruger: Bruger,
    samtale: Samtale,
    foer_nummer: int | None = None,
    efter_nummer: int | None = None,
    antal: int = 50,
    now: datetime.datetime | None = None,
    aktoer: Aktoer | None = None,
) -> Beskedvindue:
    """Return a window of the conversation's current messages, oldest first: the newest
    `antal`, the `antal` before message `foer_nummer`, or (polling) the oldest `antal`
    after message `efter_nummer`, filtered in the database. Each message carries
    `tidligere` (earlier versions, for "redigeret"; none for a withdrawn one), `filer`
    (its attachments' metadata, never the bytes), `henvisninger` (Henvisning, as this
    reader may see them) and, for the reader's own messages, `sete_af` (Laest).
    Nothing for a reader who may not read the messages. A fixed number of queries.
    `aktoer` (in every selector here) is `aktoer_for(bruger)` when the caller has it."""
    now = now or clock.now()
    aktoer = aktoer or aktoer_for(bruger)
    laeser = getattr(samtale, "laeser", None)
    if laeser is None:
        laeser = Samtale.objects.filter(laeselig_q(aktoer, now), pk=samtale.pk).exists()
    if not laeser:
        return Beskedvindue()
    qs = Besked.objects.filter(samtale_id=samtale.pk, erstattet_af__isnull=True).select_related(
        "svar_fra__medarbejder", "svar_fra__enhed", "svar_fra__person"
    )
    if foer_nummer is not None:
        qs = qs.filter(nummer__lt=foer_nummer)
    antal = max(1, min(antal, 200))
    if efter_nummer is not None:
        # polling: the oldest `antal` after N, so the next poll continues where this ended
        raekker = list(qs.filter(nummer__gt=efter_nummer).order_by("nummer")[: antal + 1])
        flere, flere_efter = False, len(raekker) > antal
        beskeder = raekker[:antal]
    else:
        raekker = list(qs.order_by("-nummer")[: antal + 1])
        flere, flere_efter = len(raekker) > antal, False
        beskeder = list(reversed(raekker[:antal]))
    if not beskeder:
        return Beskedvindue()
    kaeder = [b.kaede for b in beskeder]
    ids = [b.pk for b in beskeder]
    tidligere: dict[uuid.UUID, list[Besked]] = {}
    for v in Besked.objects.filter(kaede__in=kaeder, erstattet_af__isnull=False).order_by(
        "version"
    ):
        tidligere.setdefault(v.kaede, []).append(v)
    filer: dict[uuid.UUID, list[Vedhaeftning]] = {}
    for f in (
        Vedhaeftning.objects.filter(besked__kaede__in=kaeder)
        .defer("indhold")
        .annotate(
            kaede=Subquery(Besked.objects.filter(pk=OuterRef("besked_id")).values("kaede")[:1])
        )
        .order_by("oprettet", "pk")
    ):
        filer.setdefault(f.kaede, []).append(f)  # type: ignore[attr-defined]
    henvisninger = _henvisninger(aktoer, samtale.borger_id, ids, now)
    egne = [b for b in beskeder if b.bruger_id == bruger.pk]
    laest = sete_af(bruger=bruger, samtale=samtale) if egne else []
    for b in beskeder:
        b.tidligere = [] if b.trukket_tilbage else tidligere.get(b.kaede, [])  # type: ignore[attr-defined]
        b.redigeret = b.version > 1 and not b.trukket_tilbage  # type: ignore[attr-defined]
        b.filer = [] if b.trukket_tilbage else filer.get(b.kaede, [])  # type: ignore[attr-defined]
        b.henvisninger = [] if b.trukket_tilbage else henvisninger.get(b.pk, [])  # type: ignore[attr-defined]
        egen = b.bruger_id == bruger.pk
        b.sete_af = [x for x in laest if x.til_nummer >= b.nummer] if egen else []  # type: ignore[attr-defined]
    return Beskedvindue(beskeder=beskeder, flere_foer=flere, flere_efter=flere_efter)


def _henvisninger(
    aktoer: Aktoer, borger_id: uuid.UUID, besked_ids: list[uuid.UUID], now: datetime.datetime
) -> dict[uuid.UUID, list[Henvisning]]:
    """Return each message's references as the reader may see them (four queries)."""
    gennem_t = Besked.tilstande.through
    gennem_i = Besked.indsatser.through
    t_par = list(
        gennem_t.objects.filter(besked_id__in=besked_ids).values_list("besked_id", "tilstand_id")
    )
    i_par = list(
        gennem_i.objects.filter(besked_id__in=besked_ids).values_list("besked_id", "indsats_id")
    )
    synlige: dict[uuid.UUID, Tilstand | Indsats] = {}
    if t_par:
        synlige.update(
            (t.pk, t)
            for t in policy.tilstande_synlige(aktoer, borger_id, now)
            .filter(pk__in={t for _b, t in t_par})
            .select_related("type")
        )
    if i_par:
        synlige.update(
            (i.pk, i)
            for i in policy.indsatser_synlige(aktoer, borger_id, now)
            .filter(pk__in={i for _b, i in i_par})
            .select_related("type")
        )
    svar: dict[uuid.UUID, list[Henvisning]] = {}
    for besked_id, objekt_id in t_par + i_par:
        svar.setdefault(besked_id, []).append(Henvisning(synlige.get(objekt_id)))
    for liste in svar.values():
        # the visible first, then the markers, so a marker's place tells nothing
        liste.sort(key=lambda h: h.skjult)
    return svar


def sete_af(*, bruger: Bruger, samtale: Samtale) -> list[Laest]:
    """Return how far each other person has read the conversation (their newest reading
    position), furthest first: for "seen by" under the reader's own messages."""
    raekker = (
        Laesning.objects.filter(samtale_id=samtale.pk)
        .exclude(bruger_id=bruger.pk)
        .order_by("bruger_id", "-til_nummer")
        .distinct("bruger_id")
        .values_list(
            "bruger_id",
            "til_nummer",
            "tidspunkt",
            "bruger__medarbejder__navn",
            "bruger__borger__fornavn",
            "bruger__borger__efternavn",
            "bruger__username",
        )
    )
    ud = [
        Laest(bruger_id=b, navn=m or (f"{f} {e}" if f else u), til_nummer=n, tidspunkt=t)
        for b, n, t, m, f, e, u in raekker
    ]
    return sorted(ud, key=lambda x: (-x.til_nummer, x.navn))


def mine_samtaler(*, person: Borger, now: datetime.datetime | None = None) -> list[Samtale]:
    """Return the conversations a citizen (or a person acting for citizens in the dialogue)
    may open: those with them (`laeser` True, with `ulaeste`) and, for the citizen, the
    professionals-only ones about them (`laeser` False: that they exist, and their history
    `tidslinje` without text). Each with `aktuelle_deltagere` and `relation` (the relation
    the person acts through, None for their own). A fixed number of queries."""
    now = now or clock.now()
    aktoer = Aktoer(navn=person.navn, logget_ind=True, borger=person)
    relationer = {r.borger_id: r for r in dialogregel.dialog_relationer(aktoer, now)}
    med = Q(type=SamtaleType.MED_BORGEREN)
    q = Q(borger_id=person.pk) | (Q(borger_id__in=list(relationer)) & med)
    bruger_id = person.user_id
    samtaler: list[Samtale] = list(
        Samtale.objects.filter(q)
        .annotate(**_annotationer(aktoer, bruger_id))
        .select_related("borger")
        .prefetch_related(
            _deltagere_prefetch(),
            Prefetch(
                "historik",
                queryset=_tidslinje_qs(),
                to_attr="tidslinje",
            ),
        )
        .order_by("-seneste", "pk")
    )
    for s in samtaler:
        laeser = s.type == SamtaleType.MED_BORGEREN
        s.laeser = laeser  # type: ignore[attr-defined]
        s.relation = relationer.get(s.borger_id)  # type: ignore[attr-defined]
        if not laeser:
            s.ulaeste = 0  # type: ignore[attr-defined]
    return samtaler


def eksport_samtaler(
    *, person: Borger, borger: Borger, now: datetime.datetime | None = None
) -> list[Samtale]:
    """Return the conversations about `borger` for a download of their data made by
    `person` (the citizen, or someone acting for them; the caller has asked
    `policy.maa_eksportere`), as the dialogue rule decides (`samtaler_i_eksport_q`):

    - `laeser` True (the person reads it): `eksport_beskeder`, every version of every
      message, oldest first, each with `tilstand_ids`/`indsats_ids` (its references) and
      `filer` (attachments' metadata, never the bytes); a withdrawn message is only its
      withdrawal (no text, no earlier versions, no files), as on the conversation page;
    - `laeser` False (the citizen's view of a professionals-only conversation): no
      messages at all are read from the database, only that it exists;
    and for both `alle_deltagere` (every participant row: who was added or left, when)
    and `tidslinje` (the history: who did what when, never a text).
    A fixed number of queries whatever the number of conversations or messages."""
    now = now or clock.now()
    aktoer = Aktoer(navn=person.navn, logget_ind=True, borger=person)
    laeselig = laeselig_q(aktoer, now)
    valgt = dialogregel.samtaler_i_eksport_q(aktoer, borger.pk, now, laeselige=laeselig)
    beskeder = (
        Besked.objects.filter(samtale__in=Samtale.objects.filter(laeselig, borger_id=borger.pk))
        .annotate(
            tilstand_ids=ArrayAgg("tilstande", distinct=True, filter=Q(tilstande__isnull=False)),
            indsats_ids=ArrayAgg("indsatser", distinct=True, filter=Q(indsatser__isnull=False)),
        )
        .prefetch_related(
            Prefetch(
                "vedhaeftninger",
                queryset=Vedhaeftning.objects.only(
                    "besked_id", "filnavn", "content_type", "stoerrelse", "sha256", "oprettet"
                ).order_by("oprettet", "pk"),
                to_attr="filer",
            )
        )
        .order_by("nummer", "version")
    )
    samtaler: list[Samtale] = list(
        Samtale.objects.filter(valgt)
        .annotate(
            laeser=Case(
                When(laeselig, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )  # fmt: skip
        .prefetch_related(
            Prefetch(
                "deltagere",
                queryset=Deltager.objects.select_related(
                    "medarbejder__myndighed", "enhed__myndighed", "person", "via_relation"
                ).order_by("tidspunkt", "id"),
                to_attr="alle_deltagere",
            ),
            Prefetch("beskeder", queryset=beskeder, to_attr="versioner"),
            Prefetch("historik", queryset=_tidslinje_qs(), to_attr="tidslinje"),
        )
        .order_by("oprettet", "pk")
    )
    for s in samtaler:
        versioner: list[Besked] = s.versioner  # type: ignore[attr-defined]
        trukket = {b.kaede for b in versioner if b.trukket_tilbage}
        for b in versioner:  # ArrayAgg gives None for no rows
            b.tilstand_ids = b.tilstand_ids or []  # type: ignore[attr-defined]
            b.indsats_ids = b.indsats_ids or []  # type: ignore[attr-defined]
        s.eksport_beskeder = [  # type: ignore[attr-defined]
            b for b in versioner if b.kaede not in trukket or b.trukket_tilbage
        ] if s.laeser else []  # type: ignore[attr-defined]  # fmt: skip
    return samtaler


def _tidslinje_qs() -> QuerySet:
    """The history rows shown to the citizen: who did what when, never a message's text."""
    from dialog.models import SamtaleHaendelse

    return SamtaleHaendelse.objects.only(
        "samtale_id", "tidspunkt", "type", "navn", "enhed_navn"
    ).order_by("tidspunkt", "id")


def vedhaeftning_for(
    *,
    bruger: Bruger,
    vedhaeftning_id: uuid.UUID | str,
    now: datetime.datetime | None = None,
    aktoer: Aktoer | None = None,
) -> Vedhaeftning:
    """Return an attachment with its bytes when the reader reads its conversation and its
    message is not withdrawn; otherwise Http404. The view logs the read (`samtale_log`)."""
    now = now or clock.now()
    aktoer = aktoer or aktoer_for(bruger)
    try:
        pk = uuid.UUID(str(vedhaeftning_id))
    except ValueError:
        raise Http404 from None
    v = (
        Vedhaeftning.objects.select_related("besked__samtale")
        .filter(pk=pk, besked__samtale__in=Samtale.objects.filter(laeselig_q(aktoer, now)))
        .first()
    )
    if (
        v is None
        or Besked.objects.filter(
            kaede=v.besked.kaede, erstattet_af__isnull=True, trukket_tilbage=True
        ).exists()
    ):
        raise Http404
    return v


def samtale_log(
    *,
    bruger: Bruger,
    samtale: Samtale,
    hvad: str | None = None,
    now: datetime.datetime | None = None,
    aktoer: Aktoer | None = None,
) -> Adgangslog:
    """Write the access-log entry for a response that shows the conversation (or, with
    `hvad`, part of it, such as a downloaded file), on the reader's basis: the citizen sees
    "Læste samtalen om …" in Hvem har set mine data. Call it in the reading transaction."""
    now = now or clock.now()
    aktoer = aktoer or aktoer_for(bruger)
    grundlag = getattr(samtale, "grundlag", None) or _grundlag(aktoer, samtale.borger_id, now)
    if grundlag is None:
        raise Http404
    art, grundlag_id, relation = grundlag
    return adgangslog_write(
        aktoer=aktoer,
        user=bruger,
        borger=samtale.borger,
        hvad=hvad or _("Læste samtalen om «%(emne)s»") % {"emne": samtale.emne},
        grundlag=art,
        grundlag_id=grundlag_id if art != Grundlag.RELATION else relation.pk if relation else None,
        objekter=[("samtale", samtale.pk)],
        kategorier=["dialog"],
        formaal=FORMAAL,
        handler_for=relation,
    )


__all__ = [
    "Beskedvindue",
    "Henvisning",
    "Laest",
    "beskeder_for",
    "deltagere_grundlag",
    "eksport_samtaler",
    "samtaler_venter",
    "mine_samtaler",
    "samtale_for",
    "samtale_log",
    "samtaler_for",
    "sete_af",
    "vedhaeftning_for",
]


def samtaler_venter(
    *, bruger: Bruger, borger_ids: Any = None, now: datetime.datetime | None = None
) -> QuerySet[Samtale]:
    """Return the conversations, about any citizen (or those in `borger_ids`, a subquery),
    that the reader reads and that wait for them: unread messages by others, or a message
    asking them for an answer. Annotated like `samtaler_for` (`ulaeste`, `venter_paa_mig`,
    `svar_frist`); the worklist pages it (one query a page)."""
    now = now or clock.now()
    aktoer = aktoer_for(bruger)
    qs = Samtale.objects.filter(laeselig_q(aktoer, now))
    if borger_ids is not None:
        qs = qs.filter(borger_id__in=borger_ids)
    return (
        qs.annotate(**_annotationer(aktoer, bruger.pk))
        .filter(Q(ulaeste__gt=0) | Q(venter_paa_mig=True))
        .select_related("borger")
    )
