"""Every write of following and notifications: follow and stop following, the fan-out of
one event in batches, mark read, the settings, and the e-mail digest.

The fan-out (`haendelse_udfold`) takes one batch of candidates at a time:
- about data (a Tilstand, an Indsats, a Sag): the staff of the unit that registered it
  follow the citizen from then on (unless their settings say no); the candidates are the
  citizen's followers whose choice covers the change, less the person who made it; the
  policy keeps those who may see the object now; on the last batch the citizen, if they
  asked to hear of new data about them;
- a request answered: the caseworker who asked; a consent revoked, narrowed or expiring:
  the staff it names (by name, or with a current role in its unit or authority, within
  its profession); a legal-basis access: the leaders of its unit, and the citizen and
  whoever acts for them; a new request: the citizen and whoever acts for them;
- another kind (the dialogue, corrections): the function registered for it with
  `modtagere_registrer`.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from datadeling.core import clock
from indsats.models import Indsats
from klassifikation.models import Klasse
from organisation.models import Borger, Funktion, Rolle
from organisation.selectors import aktoer_for
from overblik.models import Foelg, Notifikation, NotifikationIndstillinger
from overblik.notifikation import selectors
from sagsindeks.models import Sag
from samtykke import policy
from samtykke.models import Anmodning, Haendelse, HaendelseArt, Samtykke
from tilstand.models import Tilstand

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

MODELLER: dict[str, type[Tilstand] | type[Indsats] | type[Sag]] = {
    HaendelseArt.TILSTAND: Tilstand,
    HaendelseArt.INDSATS: Indsats,
    HaendelseArt.SAG: Sag,
}

Modtagere = Callable[[Haendelse, datetime.datetime], Iterable[int]]
_MODTAGERE: dict[str, Modtagere] = {}


def modtagere_registrer(art: str, modtagere: Modtagere) -> None:
    """Register who hears of events of `art` (the extension point for the dialogue,
    DIALOG_BESKED, and corrections, BERIGTIGELSE): `modtagere(haendelse, now)` returns the
    user ids. The inbox shows them to staff who may open the citizen's page, and to the
    citizen and whoever acts for them (samtykke.policy.notifikationer_synlige_q)."""
    _MODTAGERE[art] = modtagere


def _batch() -> int:
    return int(getattr(settings, "NOTIFIKATION_BATCH", 500))


# --- following ------------------------------------------------------------------------------


def foelg_create(
    *,
    actor: User,
    borger: Borger,
    alt: bool = True,
    klasser: Iterable[Klasse] = (),
    lovgrundlag: Iterable[Klasse] = (),
    sager: bool = False,
    dialog: bool = False,
) -> Foelg:
    """Follow a citizen (everything, or the chosen information), or change what one
    follows. The caller has checked that the person may open the citizen's page."""
    klasse_ids = [k.pk for k in klasser]
    lov_ids = [k.pk for k in lovgrundlag]
    foelg, _ny = Foelg.objects.update_or_create(
        bruger=actor, borger=borger,
        defaults={
            "alt": alt or not (klasse_ids or lov_ids or sager or dialog),
            "klasser": klasse_ids, "lovgrundlag": lov_ids, "sager": sager, "dialog": dialog,
            "automatisk": False,
        },
    )  # fmt: skip
    return foelg


def foelg_stop(*, actor: User, borger: Borger) -> int:
    """Stop following a citizen; return how many subscriptions ended (0 or 1)."""
    antal, _detaljer = Foelg.objects.filter(bruger=actor, borger=borger).delete()
    return antal


# --- the fan-out ----------------------------------------------------------------------------


def _foelger_automatisk(haendelser: list[Haendelse], now: datetime.datetime) -> None:
    """The staff of the unit that registered a change follow its citizen from now on,
    unless their settings say no (two statements for any number of changes)."""
    idag = timezone.localdate(now)
    enheder = {h.enhed_id for h in haendelser if h.enhed_id is not None}
    if not enheder:
        return
    ansatte = defaultdict(set)
    for e, u in (
        Funktion.objects.gaeldende(idag)
        .exclude(enhed__gyldig_til__lte=idag)
        .filter(enhed_id__in=enheder)
        .exclude(medarbejder__user__notifikation_indstillinger__auto_foelg=False)
        .values_list("enhed_id", "medarbejder__user_id")
    ):
        ansatte[e].add(u)
    par = {
        (u, h.borger_id)
        for h in haendelser
        if h.borger_id is not None
        for u in ansatte.get(h.enhed_id, ())
    }
    Foelg.objects.bulk_create(
        [Foelg(bruger_id=u, borger_id=b, automatisk=True, oprettet=now) for u, b in par],
        ignore_conflicts=True,
    )


FOELG_FELTER = (
    "id",
    "bruger_id",
    "alt",
    "klasser",
    "lovgrundlag",
    "sager",
    "bruger__medarbejder__id",
)


def _daekker(foelg: tuple, art: str, typer: set, lovgrundlag: uuid.UUID | None) -> bool:
    """Return whether what a follower chose covers a change of this kind and type."""
    _id, _bruger, alt, klasser, lov, sager, _m = foelg
    if alt:
        return True
    if art == HaendelseArt.SAG:
        return sager
    return bool(typer & set(klasser)) or (lovgrundlag is not None and lovgrundlag in lov)


def _data_modtagere(
    haendelser: list[Haendelse], foelgere: dict, now: datetime.datetime, *, borgeren: bool
) -> list[tuple[Haendelse, int]]:
    """Return (event, user id) for changes of data: of each event's candidate followers
    (`foelgere`: {citizen id: Foelg rows}) those whose choice covers the change and whom
    the policy lets see it, less whoever made it; with `borgeren`, also the citizen who
    asked to hear of new data. A fixed number of queries for any number of events."""
    objekter: dict = {}
    for art, model in MODELLER.items():
        ids = [h.objekt_id for h in haendelser if h.art == art and h.objekt_id is not None]
        if ids:
            objekter.update({o.pk: o for o in model.objects.filter(pk__in=ids)})
    type_ids: set[Any] = {getattr(o, "type_id", None) for o in objekter.values()} - {None}
    stier = (
        dict(Klasse.objects.filter(pk__in=type_ids).values_list("pk", "sti")) if type_ids else {}
    )
    kandidater: list = []
    for h in haendelser:
        o = objekter.get(h.objekt_id)
        if o is None:
            continue
        type_id = getattr(o, "type_id", None)
        typer = {type_id, *(stier.get(type_id) or [])} if type_id else set()
        lov = getattr(o, "lovgrundlag_id", None)
        mine = {
            r[6]: r[1]
            for r in foelgere.get(h.borger_id, ())
            if r[6] is not None and r[1] != h.aktoer_id and _daekker(r, h.art, typer, lov)
        }
        kandidater.append((h, o, mine))
    ser = policy.personale_der_ser_mange([(o, mine) for _h, o, mine in kandidater], now)
    svar = [(h, mine[m]) for h, o, mine in kandidater for m in ser.get(o.pk, ())]
    if borgeren:
        aktive = {h.pk for h, o, _m in kandidater if o.aktiv}
        vil_vide: defaultdict[Any, list[int]] = defaultdict(list)
        for b, u in NotifikationIndstillinger.objects.filter(
            nye_data=True, bruger__borger__id__in={h.borger_id for h in haendelser}
        ).values_list("bruger__borger__id", "bruger_id"):
            vil_vide[b].append(u)
        svar += [
            (h, u)
            for h in haendelser
            if h.pk in aktive
            for u in vil_vide.get(h.borger_id, ())
            if u != h.aktoer_id
        ]
    return svar


def _ansatte(q: Q, now: datetime.datetime) -> list[int]:
    """Return the user ids of staff with a current role matching `q`."""
    idag = timezone.localdate(now)
    return list(
        Funktion.objects.gaeldende(idag)
        .exclude(enhed__gyldig_til__lte=idag)
        .filter(q)
        .values_list("medarbejder__user_id", flat=True)
        .distinct()
    )


def _borger_og_handlende(h: Haendelse, now: datetime.datetime) -> list[int]:
    """Return the citizen's user id (if they have a login) and those acting for them."""
    assert h.borger_id is not None  # the events for citizens name one
    egen = Borger.objects.filter(pk=h.borger_id).values_list("user_id", flat=True).first()
    return [*([egen] if egen else []), *policy.handler_for_brugere(h.borger_id, now)]


def _samtykkets_modtagere(samtykke_id: uuid.UUID | None, now: datetime.datetime) -> list[int]:
    """Return the staff a consent version names: by name, or with a current role in its unit
    or authority, within its profession (a consent to one profession reaches only it)."""
    s = (
        Samtykke.objects.filter(pk=samtykke_id).select_related("modtager_medarbejder").first()
        if samtykke_id is not None
        else None
    )
    if s is None:
        return []
    if s.modtager_medarbejder is not None:
        return [s.modtager_medarbejder.user_id]
    q = (
        Q(enhed_id=s.modtager_enhed_id)
        if s.modtager_enhed_id
        else Q(enhed__myndighed_id=s.modtager_myndighed_id)
    )
    if s.faglighed_id is not None:
        q &= Q(faglighed_id=s.faglighed_id)
    return _ansatte(q, now)


def _andre_modtagere(h: Haendelse, now: datetime.datetime) -> list[int]:
    """Return the recipients of an event that is not a change of data (see the module)."""
    if h.art == HaendelseArt.ANMODNING_NY:
        return _borger_og_handlende(h, now)
    if h.art == HaendelseArt.ANMODNING_BESVARET and h.objekt_id is not None:
        return list(
            Anmodning.objects.filter(pk=h.objekt_id).values_list("anmoder__user_id", flat=True)
        )
    if h.art in (
        HaendelseArt.SAMTYKKE_TILBAGEKALDT,
        HaendelseArt.SAMTYKKE_INDSKRAENKET,
        HaendelseArt.SAMTYKKE_UDLOEBER,
    ):
        return _samtykkets_modtagere(h.objekt_id, now)
    if h.art == HaendelseArt.HJEMMEL_REGISTRERET:
        ledere = _ansatte(Q(enhed_id=h.enhed_id, rolle=Rolle.LEDER), now)
        return ledere + _borger_og_handlende(h, now)
    modtagere = _MODTAGERE.get(h.art)
    return list(modtagere(h, now)) if modtagere is not None else []


def haendelse_udfold(*, haendelse_id: int, efter: int = 0, batch: int | None = None) -> int | None:
    """Deliver one batch of an event to its recipients' inboxes, in one transaction; return
    the cursor for the next batch, or None when the event is fully delivered.

    Idempotent: a notification is unique per event and person, and a delivered event is
    marked (`udfoldet`) so that it is not taken again.
    """
    batch = batch or _batch()
    with transaction.atomic():
        h = Haendelse.objects.select_for_update(of=("self",)).filter(pk=haendelse_id).first()
        if h is None or h.udfoldet is not None:
            return None
        now = clock.now()
        naeste = None
        if h.art in MODELLER:
            if efter == 0:
                _foelger_automatisk([h], now)
            raekker = list(
                Foelg.objects.filter(borger=h.borger_id, id__gt=efter)
                .order_by("id")
                .values_list(*FOELG_FELTER)[:batch]
            )
            naeste = raekker[-1][0] if len(raekker) == batch else None
            par = _data_modtagere([h], {h.borger_id: raekker}, now, borgeren=naeste is None)
        else:
            par = [(h, u) for u in _andre_modtagere(h, now) if u != h.aktoer_id]
        _indsaet(par, now, [] if naeste is not None else [h.pk])
    return naeste


def _indsaet(
    par: Iterable[tuple[Haendelse, int]], now: datetime.datetime, faerdige: list[int]
) -> None:
    """Insert one notification per (event, person), once (one statement), and mark the
    finished events delivered."""
    Notifikation.objects.bulk_create(
        [
            Notifikation(
                haendelse_id=h.pk, modtager_id=u, art=h.art, borger_id=h.borger_id,
                objekt_id=h.objekt_id, livscykluskode=h.livscykluskode, oprettet=now,
            )
            for h, u in {(h.pk, u): (h, u) for h, u in par}.values()
        ],
        ignore_conflicts=True,
    )  # fmt: skip
    if faerdige:
        Haendelse.objects.filter(pk__in=list(faerdige)).update(udfoldet=now)


def haendelser_udfold(*, haendelse_ids: Iterable[int]) -> list[list[int]]:
    """Settle at once the events about data that nobody can be told of, and return the
    others in groups for the fan-out: a group of several changes of data whose followers
    number at most NOTIFIKATION_BATCH in all (`haendelser_udfold_sammen` delivers it in a
    fixed number of statements), or a single event (`haendelse_udfold`, in chained batches).

    Nobody can be told of a change of data when the citizen has no followers, the unit that
    registered it has no current staff (who would follow now) and the citizen has not asked
    to hear of new data. Five queries for any number of events, so the events of a MOX
    chunk cost one task, and a task per group of followers after it.
    """
    now = clock.now()
    idag = timezone.localdate(now)
    with transaction.atomic():
        raekker = list(
            Haendelse.objects.filter(pk__in=list(haendelse_ids), udfoldet__isnull=True)
            .order_by("pk")
            .values_list("pk", "art", "borger_id", "enhed_id")
        )
        data = [r for r in raekker if r[1] in MODELLER]
        borgere = {r[2] for r in data}
        enheder = {r[3] for r in data if r[3] is not None}
        foelgere = dict(
            Foelg.objects.filter(borger_id__in=borgere).values("borger_id")
            .annotate(n=Count("id")).values_list("borger_id", "n")
        ) if data else {}  # fmt: skip
        ansatte = dict(
            Funktion.objects.gaeldende(idag).exclude(enhed__gyldig_til__lte=idag)
            .filter(enhed_id__in=enheder).values("enhed_id")
            .annotate(n=Count("medarbejder_id", distinct=True)).values_list("enhed_id", "n")
        ) if enheder else {}  # fmt: skip
        vil_vide = set(
            NotifikationIndstillinger.objects.filter(nye_data=True, bruger__borger__id__in=borgere)
            .values_list("bruger__borger__id", flat=True)
        ) if data else set()  # fmt: skip
        tomme = {
            pk
            for pk, _art, b, e in data
            if b not in foelgere and b not in vil_vide and e not in ansatte
        }
        if tomme:
            Haendelse.objects.filter(pk__in=tomme).update(udfoldet=now)
    # the candidates of a citizen's changes: their followers, and the staff of the units
    # that registered them (who follow from now on)
    vaegt: dict = defaultdict(int)
    per_borger: dict = defaultdict(list)
    for pk, _art, b, e in data:
        if pk not in tomme:
            per_borger[b].append(pk)
            vaegt[b] = max(vaegt[b], foelgere.get(b, 0) + ansatte.get(e, 0) + 1)
    grupper: list[list[int]] = [[pk] for pk, art, _b, _e in raekker if art not in MODELLER]
    gruppe: list[int] = []
    i_gruppen = 0
    for b, pks in per_borger.items():
        if vaegt[b] > _batch():
            grupper += [[pk] for pk in pks]
            continue
        if i_gruppen + vaegt[b] > _batch() and gruppe:
            grupper.append(gruppe)
            gruppe, i_gruppen = [], 0
        gruppe += pks
        i_gruppen += vaegt[b]
    if gruppe:
        grupper.append(gruppe)
    return grupper


def haendelser_udfold_sammen(*, haendelse_ids: list[int]) -> list[int]:
    """Deliver a group of changes of data together (see `haendelser_udfold`), in one
    transaction; return those that proved to have too many followers for it, which need a
    fan-out of their own."""
    with transaction.atomic():
        leveret = _sammen(haendelse_ids, clock.now())
    return [pk for pk in haendelse_ids if pk not in leveret]


def _sammen(haendelse_ids: list[int], now: datetime.datetime) -> set[int]:
    """Deliver changes of data together when their followers are few (at most
    NOTIFIKATION_BATCH in all): a dozen statements for the lot; return the ids delivered.
    Otherwise nothing is delivered here and each gets a fan-out of its own."""
    if not haendelse_ids:
        return set()
    haendelser = list(
        Haendelse.objects.select_for_update(of=("self",))
        .filter(pk__in=haendelse_ids)
        .order_by("pk")
    )
    _foelger_automatisk(haendelser, now)
    raekker = list(
        Foelg.objects.filter(borger_id__in={h.borger_id for h in haendelser})
        .order_by("id")
        .values_list("borger_id", *FOELG_FELTER)[: _batch() + 1]
    )
    if len(raekker) > _batch():
        return set()
    foelgere: dict = defaultdict(list)
    for b, *r in raekker:
        foelgere[b].append(tuple(r))
    _indsaet(
        _data_modtagere(haendelser, foelgere, now, borgeren=True), now, [h.pk for h in haendelser]
    )
    return {h.pk for h in haendelser}


def haendelse_udfold_alle(*, haendelse_id: int, batch: int | None = None) -> None:
    """Deliver an event to every recipient here and now, batch after batch (the demo, the
    tests, a management command; the worker chains one task per batch instead)."""
    efter: int | None = 0
    while efter is not None:
        efter = haendelse_udfold(haendelse_id=haendelse_id, efter=efter, batch=batch)


# --- the inbox ------------------------------------------------------------------------------


def notifikationer_mark_read(
    *, actor: User, ids: Iterable[int] | None = None, now: datetime.datetime | None = None
) -> int:
    """Mark the person's notifications read (the given ones, or all); return how many."""
    qs = Notifikation.objects.filter(modtager=actor, laest__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(laest=now or clock.now())


def indstillinger_update(*, actor: User, **felter: Any) -> NotifikationIndstillinger:
    """Save the person's notification settings (the fields of NotifikationIndstillinger)."""
    with transaction.atomic():
        indstillinger, _ny = NotifikationIndstillinger.objects.select_for_update().get_or_create(
            bruger=actor
        )
        for navn, vaerdi in felter.items():
            setattr(indstillinger, navn, vaerdi)
        indstillinger.full_clean()
        indstillinger.save()
    return indstillinger


# --- e-mail ---------------------------------------------------------------------------------


def email_digest_send(*, now: datetime.datetime | None = None) -> int:
    """Send "Der er nyt i Datadeling" with a link to everyone who asked for e-mail, has
    unread notifications newer than their last e-mail, and was last mailed at least their
    interval ago; return how many were sent.

    What counts is what the person's inbox shows at the time of sending, not what was
    delivered: the policy is asked again for each recipient (`selectors.
    notifikationer_synlige`), so a notification about something they may no longer see (a
    consent revoked, a role ended, a block, a conversation they no longer read) neither
    sends an e-mail nor is counted in one. The e-mail never carries citizen data: the
    number of unread notifications the inbox shows, and a link."""
    now = now or clock.now()
    nye = Notifikation.objects.filter(modtager_id=OuterRef("bruger_id"), laest__isnull=True)
    modtagere = list(
        NotifikationIndstillinger.objects.filter(email=True)
        .exclude(bruger__email="")
        .filter(
            (Q(sidst_mailet__isnull=True) & Q(Exists(nye)))
            | Q(Exists(nye.filter(oprettet__gt=OuterRef("sidst_mailet"))))
        )
        .select_related("bruger")
    )
    link = settings.DATADELING_URL.rstrip("/") + reverse("overblik:notifikationer")
    sendt = 0
    for ind in modtagere:
        if ind.sidst_mailet and ind.sidst_mailet > now - datetime.timedelta(
            minutes=ind.email_minutter
        ):
            continue
        # the raw rows above only pick the candidates; the policy decides, now
        synlige = selectors.notifikationer_synlige(aktoer_for(ind.bruger), ind.bruger_id, now)
        nye_siden = Q(oprettet__gt=ind.sidst_mailet) if ind.sidst_mailet else Q()
        antal = synlige.filter(laest__isnull=True).aggregate(
            alle=Count("pk"), nye=Count("pk", filter=nye_siden)
        )
        if not antal["nye"]:
            continue
        send_mail(
            _("Der er nyt i Datadeling"),
            ngettext(
                "Du har %(antal)d ulæst notifikation i Datadeling. Log ind for at se den:"
                "\n\n%(link)s\n",
                "Du har %(antal)d ulæste notifikationer i Datadeling. Log ind for at se dem:"
                "\n\n%(link)s\n",
                antal["alle"],
            )
            % {"antal": antal["alle"], "link": link},
            None,
            [ind.bruger.email],
        )
        NotifikationIndstillinger.objects.filter(pk=ind.pk).update(sidst_mailet=now)
        sendt += 1
    return sendt


def udestaaende() -> list[int]:
    """Return the ids of events not yet fully delivered and older than a minute (whose
    signal or task was lost), oldest first, at most 1,000."""
    graense = clock.now() - datetime.timedelta(minutes=1)
    return list(
        Haendelse.objects.filter(udfoldet__isnull=True, tidspunkt__lt=graense)
        .order_by("tidspunkt")
        .values_list("pk", flat=True)[:1000]
    )
