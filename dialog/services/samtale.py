"""Conversations and their participants: start one, add and end participants."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from datadeling.core import clock
from dialog.models import (
    Deltager,
    DeltagerHandling,
    HaendelseType,
    Samtale,
    SamtaleType,
)
from dialog.services.besked import _skriv
from dialog.services.faelles import (
    _deltager_felter,
    _deltager_tilfoej,
    _fejl,
    _funktion,
    _historik,
    _krav,
    _laas_som,
    _opdater_seneste,
    _ser_dialog,
    _Skriver,
)
from indsats.models import Indsats
from organisation.models import Borger, Enhed, Funktion, Medarbejder, Relation
from organisation.selectors import Aktoer, aktoer_for
from sagsindeks.models import Sag
from samtykke import policy
from samtykke.models import Anmodning
from samtykke.policy import dialog as dialogregel
from tilstand.models import Tilstand

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def samtale_create(
    *,
    borger: Borger,
    type: str,
    emne: str,
    actor: User,
    enhed: Enhed | None = None,
    tilstand: Tilstand | None = None,
    indsats: Indsats | None = None,
    maal_nummer: int | None = None,
    sag: Sag | None = None,
    anmodning: Anmodning | None = None,
    deltagere: Iterable[Medarbejder | Enhed | Borger] = (),
    tekst: str = "",
    now: datetime.datetime | None = None,
) -> Samtale:
    """Start a conversation about a citizen, optionally about one thing of theirs, with
    its first participants and an optional first message.

    A member of staff who may see the citizen's dialogue starts it from one of their
    units; they and that unit take part. The citizen (or someone acting for them in the
    dialogue) may start one with the professionals. In a conversation with the citizen,
    the citizen takes part.
    """
    now = now or clock.now()
    aktoer = aktoer_for(actor)
    emne = emne.strip()
    fejl: dict[str, list[str]] = {}
    if not emne:
        fejl["emne"] = [_("Skriv hvad samtalen handler om.")]
    elif len(emne) > 200:
        fejl["emne"] = [_("Emnet må højst være 200 tegn.")]
    if type not in SamtaleType.values:
        fejl["type"] = [_("Vælg om samtalen er med borgeren eller mellem fagpersoner.")]
    if sum(x is not None for x in (tilstand, indsats, sag, anmodning)) > 1:
        fejl["tilstand"] = [_("En samtale kan højst handle om én ting.")]
    if maal_nummer is not None and indsats is None:
        fejl["maal_nummer"] = [_("Et mål hører til en indsats: vælg indsatsen.")]
    if fejl:
        raise ValidationError(fejl)
    funktion: Funktion | None = None
    relation: Relation | None = None
    if aktoer.er_medarbejder:
        funktion = _funktion(aktoer, None, enhed)
        if funktion is None or not _ser_dialog(aktoer, borger.pk, now):
            raise _fejl(
                _("Du har ikke adgang til dialogen om borgeren. ")
                + _krav().replace("enheden", "din enhed")
            )
        _kontroller_emne(aktoer, borger, now, tilstand, indsats, maal_nummer, sag, anmodning)
    elif aktoer.borger is not None:
        grundlag = dialogregel.dialog_grundlag(aktoer, borger.pk, now)
        if grundlag is None:
            raise _fejl(_("Du kan kun starte en samtale om dig selv eller en, du handler for."))
        if type != SamtaleType.MED_BORGEREN:
            raise _fejl(
                _("Borgeren og pårørende kan kun starte en samtale med fagpersonerne."), "type"
            )
        if any(x is not None for x in (tilstand, indsats, sag, anmodning)):
            _kontroller_emne(aktoer, borger, now, tilstand, indsats, maal_nummer, sag, anmodning)
        relation = grundlag[2]
    else:
        raise _fejl(
            _(
                "Kun medarbejdere, borgeren og personer, der handler for borgeren, kan starte "
                "en samtale."
            )
        )
    skriver = _Skriver(actor, aktoer, funktion, relation)
    with transaction.atomic():
        samtale = Samtale.objects.create(
            borger=borger,
            type=type,
            emne=emne,
            tilstand=tilstand,
            indsats=indsats,
            maal_nummer=maal_nummer,
            sag=sag,
            anmodning=anmodning,
            oprettet=now,
            oprettet_af=actor,
            oprettet_i_enhed=funktion.enhed if funktion else None,
            seneste_nummer=0,
            seneste=now,
        )
        _historik(samtale, HaendelseType.OPRETTET, skriver, now)
        if aktoer.medarbejder is not None and funktion is not None:
            _deltager_tilfoej(
                samtale, skriver, now, medarbejder=aktoer.medarbejder, kontroller=False
            )
            _deltager_tilfoej(samtale, skriver, now, enhed=funktion.enhed, kontroller=False)
        elif aktoer.borger is not None:
            _deltager_tilfoej(samtale, skriver, now, person=aktoer.borger)
        if type == SamtaleType.MED_BORGEREN and (
            aktoer.er_medarbejder or aktoer.borger is None or aktoer.borger.pk != borger.pk
        ):
            _deltager_tilfoej(samtale, skriver, now, person=borger, kontroller=False)
        for d in deltagere:
            _deltager_tilfoej(samtale, skriver, now, **_som_deltager(d))
        if tekst.strip():
            _skriv(samtale, skriver, now, tekst=tekst)
    return samtale


_DELTAGERFELT: tuple[tuple[type, str], ...] = (
    (Medarbejder, "medarbejder"), (Enhed, "enhed"), (Borger, "person"),
)  # fmt: skip


def _som_deltager(d: Medarbejder | Enhed | Borger) -> dict[str, Any]:
    """Return the participant field that names `d` (for `_deltager_tilfoej`)."""
    felt = next((f for klasse, f in _DELTAGERFELT if isinstance(d, klasse)), None)
    if felt is None:
        raise TypeError("en deltager er en Medarbejder, en Enhed eller en Borger")
    return {felt: d}


def _kontroller_emne(
    aktoer: Aktoer,
    borger: Borger,
    now: datetime.datetime,
    tilstand: Tilstand | None,
    indsats: Indsats | None,
    maal_nummer: int | None,
    sag: Sag | None,
    anmodning: Anmodning | None,
) -> None:
    """Refuse a subject the starter may not see or that is not the citizen's."""
    ukendt = _("Det, samtalen skal handle om, findes ikke eller er ikke synligt for dig.")
    if (
        tilstand is not None
        and not policy.tilstande_synlige(aktoer, borger.pk, now).filter(pk=tilstand.pk).exists()
    ):
        raise _fejl(ukendt, "tilstand")
    if indsats is not None:
        synlig = policy.indsatser_synlige(aktoer, borger.pk, now).filter(pk=indsats.pk).first()
        if synlig is None:
            raise _fejl(ukendt, "indsats")
        if maal_nummer is not None and not 0 <= maal_nummer < len(synlig.maal or []):
            raise _fejl(_("Indsatsen har ikke det valgte mål."), "maal_nummer")
    if (
        sag is not None
        and not policy.sager_synlige(aktoer, borger.pk, now).filter(pk=sag.pk).exists()
    ):
        raise _fejl(ukendt, "sag")
    if anmodning is not None and not (
        anmodning.borger_id == borger.pk and anmodning.modtager_enhed_id in aktoer.enhed_ids
    ):
        raise _fejl(ukendt, "anmodning")


def deltager_add(
    *,
    samtale: Samtale,
    actor: User,
    medarbejder: Medarbejder | None = None,
    enhed: Enhed | None = None,
    person: Borger | None = None,
    now: datetime.datetime | None = None,
) -> Deltager:
    """Invite a member of staff, a unit or a person (the citizen or someone acting for them
    in the dialogue) into a conversation the actor reads.

    Staff and units must be allowed to see the citizen's dialogue (the policy); a person
    takes part only in a conversation with the citizen. The refusal says why without
    telling what the citizen has hidden or blocked.
    """
    now = now or clock.now()
    with transaction.atomic():
        samtale, skriver = _laas_som(actor, samtale, now)
        d = _deltager_tilfoej(
            samtale, skriver, now, medarbejder=medarbejder, enhed=enhed, person=person
        )
        _opdater_seneste(samtale, now)
    return d


def deltager_end(
    *,
    samtale: Samtale,
    actor: User,
    medarbejder: Medarbejder | None = None,
    enhed: Enhed | None = None,
    person: Borger | None = None,
    now: datetime.datetime | None = None,
) -> Deltager:
    """End a participation: a member of staff leaves (or takes one of their units out of)
    the conversation, a person leaves it. A new participant row; nothing is removed, and
    what the participant wrote stays."""
    now = now or clock.now()
    felter = _deltager_felter(medarbejder, enhed, person)
    if sum(x is not None for x in (medarbejder, enhed, person)) != 1:
        raise _fejl(
            _("Vælg én deltager: en medarbejder, en enhed eller en person."), code="deltager"
        )
    with transaction.atomic():
        samtale, skriver = _laas_som(actor, samtale, now)
        a = skriver.aktoer
        egen = (
            (
                medarbejder is not None
                and a.medarbejder is not None
                and medarbejder.pk == a.medarbejder.pk
            )
            or (enhed is not None and enhed.pk in a.enhed_ids)
            or (person is not None and a.borger is not None and person.pk == a.borger.pk)
        )
        if not egen:
            raise _fejl(_("Du kan kun forlade samtalen selv eller tage din egen enhed ud af den."))
        if not Deltager.objects.gaeldende().filter(samtale=samtale, **felter).exists():
            raise _fejl(
                _("%(navn)s deltager ikke i samtalen.") % {"navn": next(iter(felter.values()))},
                code="deltager",
            )
        d = Deltager.objects.create(
            samtale=samtale, handling=DeltagerHandling.AFSLUT, tidspunkt=now, af=actor, **felter
        )
        _historik(samtale, HaendelseType.FORLADT, skriver, now, deltager=d)
        _opdater_seneste(samtale, now)
    return d
