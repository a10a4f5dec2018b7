"""The pieces every dialogue service shares: who is writing and may they, who may take
part, the conversation lock, the history row and the hook to the higher apps."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db.models import BooleanField, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from datadeling.core import hooks
from datadeling.core.historik import Aendring
from dialog.models import (
    Besked,
    Deltager,
    DeltagerHandling,
    HaendelseType,
    Samtale,
    SamtaleHaendelse,
    SamtaleType,
)
from organisation.models import Borger, Enhed, Funktion, Medarbejder, Relation
from organisation.selectors import Aktoer, aktoer_for
from samtykke import policy
from samtykke.policy import dialog as dialogregel

if TYPE_CHECKING:
    from django.contrib.auth.models import User


TEKST_MAKS = 20_000
"""The longest message, in characters."""

IKKE_ADGANG = "ikke_adgang"


# --- who is writing -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Skriver:
    """The actor as a writer in one conversation: who, for which unit, through which relation."""

    user: User
    aktoer: Aktoer
    funktion: Funktion | None = None
    relation: Relation | None = None

    def felter(self) -> dict[str, Any]:
        """Return the author fields of a message, copied as they are now."""
        if self.aktoer.medarbejder is not None:
            f = self.funktion
            return {
                "bruger": self.user,
                "medarbejder": self.aktoer.medarbejder,
                "navn": self.aktoer.navn,
                "enhed": f.enhed if f else None,
                "enhed_navn": f.enhed.navn if f else "",
                "myndighed_navn": f.enhed.myndighed.navn if f else "",
                "rolle": f.get_rolle_display() if f else "",
                "faglighed": str(f.faglighed) if f and f.faglighed_id else "",
            }
        return {
            "bruger": self.user,
            "person": self.aktoer.borger,
            "via_relation": self.relation,
            "navn": self.aktoer.navn,
        }


def _fejl(tekst: str, felt: str | None = None, code: str = IKKE_ADGANG) -> ValidationError:
    return ValidationError({felt: [tekst]} if felt else tekst, code=code)


def _ikke_samtale() -> ValidationError:
    # The same words whether the conversation does not exist or may not be read.
    return _fejl(_("Du har ikke adgang til samtalen."), code="ikke_fundet")


def _skriver(
    actor: User,
    samtale: Samtale,
    now: datetime.datetime,
    enhed: Enhed | None = None,
    aktoer: Aktoer | None = None,
) -> _Skriver:
    """Return the actor as a writer in the conversation, or refuse: staff must read it
    (the policy), a person must be the citizen or act for them in the dialogue.

    `aktoer` is the actor as `aktoer_for(actor)` returns it, when the caller has it. A
    conversation locked by `_laas(samtale, aktoer, now)` carries the policy's answer for
    staff already (no further query)."""
    aktoer = aktoer or aktoer_for(actor)
    if aktoer.er_medarbejder:
        laeser = getattr(samtale, "_laeser_nu", None)
        if not (_laeser(aktoer, samtale, now) if laeser is None else laeser):
            raise _ikke_samtale()
        return _Skriver(actor, aktoer, _funktion(aktoer, samtale, enhed))
    if aktoer.borger is not None:
        if samtale.type != SamtaleType.MED_BORGEREN:
            raise _ikke_samtale()
        grundlag = dialogregel.dialog_grundlag(aktoer, samtale.borger_id, now)
        if grundlag is None:
            raise _fejl(
                _(
                    "Du kan kun skrive i samtaler om dig selv eller om en borger, du har "
                    "fuldmagt eller værgemål til dialog for."
                )
            )
        return _Skriver(actor, aktoer, relation=grundlag[2])
    raise _ikke_samtale()


def _laas_som(
    actor: User,
    samtale: Samtale,
    now: datetime.datetime,
    enhed: Enhed | None = None,
    aktoer: Aktoer | None = None,
) -> tuple[Samtale, _Skriver]:
    """Lock the conversation and return it with the actor as its writer (or refuse): for
    staff one query locks the row, asks the policy and finds their participating units."""
    aktoer = aktoer or aktoer_for(actor)
    samtale = _laas(samtale, aktoer, now)
    return samtale, _skriver(actor, samtale, now, enhed, aktoer)


def _funktion(aktoer: Aktoer, samtale: Samtale | None, enhed: Enhed | None) -> Funktion | None:
    """Return the actor's role to write as: in `enhed` (one of theirs), else in a unit of
    theirs that takes part in the conversation, else their first."""
    if not aktoer.funktioner:
        return None
    if enhed is not None:
        for f in aktoer.funktioner:
            if f.enhed_id == enhed.pk:
                return f
        raise _fejl(_("Du arbejder ikke i den valgte enhed."), "enhed")
    if len(aktoer.funktioner) == 1:
        return aktoer.funktioner[0]
    if samtale is not None:
        forhaandet = getattr(samtale, "_deltager_enheder", None)
        deltager_enheder = set(
            _deltager_enheder(aktoer).filter(samtale=samtale).values_list("enhed_id", flat=True)
            if forhaandet is None
            else forhaandet
        )
        for f in aktoer.funktioner:
            if f.enhed_id in deltager_enheder:
                return f
    return aktoer.funktioner[0]


def _laeser(aktoer: Aktoer, samtale: Samtale, now: datetime.datetime) -> bool:
    """Return whether the person reads the conversation now (the policy, at this moment)."""
    return Samtale.objects.filter(laeselig_q(aktoer, now), pk=samtale.pk).exists()


def samtalekilde() -> dialogregel.Samtalekilde:
    """Return this app's tables as the dialogue rule reads them (for the rules that filter
    other rows by a conversation, such as the notifications of new messages)."""
    return dialogregel.Samtalekilde(
        samtaler=Samtale.objects.all(),
        aktuelle_deltagere=Deltager.objects.gaeldende(),
        med_borgeren=Q(type=SamtaleType.MED_BORGEREN),
    )


def laeselig_q(aktoer: Aktoer, now: datetime.datetime) -> Q:
    """Return the filter for the conversations the person reads (the policy's rule, with
    this app's participant rows)."""
    kilde = samtalekilde()
    return dialogregel.samtaler_laeselige_q(
        aktoer, now, deltagere=kilde.deltagere, med_borgeren=kilde.med_borgeren
    )


def _deltager_enheder(aktoer: Aktoer) -> QuerySet[Deltager]:
    return Deltager.objects.gaeldende().filter(enhed_id__in=list(aktoer.enhed_ids))


def _laas(
    samtale: Samtale, aktoer: Aktoer | None = None, now: datetime.datetime | None = None
) -> Samtale:
    """Lock the conversation row (numbering and `seneste` are decided under it).

    Given a member of staff (and `now`), the same query asks the policy whether they read
    the conversation (`_laeser_nu`) and, when they work in more than one unit, which of
    their units take part (`_deltager_enheder`): what `_skriver` needs, in one round trip."""
    qs = Samtale.objects.select_for_update(of=("self",))
    if aktoer is not None and aktoer.er_medarbejder and now is not None:
        qs = qs.annotate(
            _laeser_nu=ExpressionWrapper(laeselig_q(aktoer, now), output_field=BooleanField())
        )
        if len(aktoer.funktioner) > 1:
            qs = qs.annotate(
                _deltager_enheder=ArraySubquery(
                    _deltager_enheder(aktoer).filter(samtale_id=OuterRef("pk")).values("enhed_id")
                )
            )
    return qs.get(pk=samtale.pk)


def _historik(
    samtale: Samtale,
    type: str,
    skriver: _Skriver,
    now: datetime.datetime,
    *,
    besked: Besked | None = None,
    deltager: Deltager | None = None,
) -> SamtaleHaendelse:
    return SamtaleHaendelse.objects.create(
        samtale=samtale,
        tidspunkt=now,
        type=type,
        bruger=skriver.user,
        navn=skriver.aktoer.navn,
        enhed_navn=skriver.funktion.enhed.navn if skriver.funktion else "",
        besked=besked,
        deltager=deltager,
    )


# --- who may take part --------------------------------------------------------------------


def _ser_dialog(aktoer: Aktoer, borger_id: uuid.UUID, now: datetime.datetime) -> bool:
    return Borger.objects.filter(
        dialogregel.ser_dialog_q(aktoer, now, borger="pk"), pk=borger_id
    ).exists()


def _krav() -> str:
    return _(
        "Det kræver, at enheden selv har oplysninger eller en sag om borgeren, at borgeren "
        "har givet samtykke, der omfatter dialogen, eller en adgang på lovhjemmel."
    )


def _kan_deltage(
    samtale: Samtale,
    now: datetime.datetime,
    *,
    medarbejder: Medarbejder | None,
    enhed: Enhed | None,
    person: Borger | None,
) -> Relation | None:
    """Refuse a participant who may not take part; return the relation a person acts
    through. The refusal says what is needed, never what the citizen has hidden or blocked."""
    if sum(x is not None for x in (medarbejder, enhed, person)) != 1:
        raise _fejl(
            _("Vælg én deltager: en medarbejder, en enhed eller en person."), code="deltager"
        )
    if medarbejder is not None:
        aktoer = aktoer_for(medarbejder.user)
        if not aktoer.enhed_ids or not _ser_dialog(aktoer, samtale.borger_id, now):
            raise _fejl(
                _(
                    "%(navn)s kan ikke deltage: vedkommende har ikke adgang til dialogen om "
                    "borgeren. "
                )
                % {"navn": medarbejder.navn}
                + _krav(),
                "medarbejder",
            )
        return None
    if enhed is not None:
        enhed = Enhed.objects.select_related("myndighed").get(pk=enhed.pk)
        if not enhed.gyldig_paa(timezone.localdate(now)) or not _ser_dialog(
            policy.enhed_aktoer(enhed), samtale.borger_id, now
        ):
            raise _fejl(
                _("%(navn)s kan ikke deltage: enheden har ikke adgang til dialogen om borgeren. ")
                % {"navn": enhed.navn}
                + _krav(),
                "enhed",
            )
        return None
    assert person is not None  # exactly one is given
    if samtale.type != SamtaleType.MED_BORGEREN:
        raise _fejl(
            _("Borgeren og pårørende deltager ikke i en samtale mellem fagpersoner."), "person"
        )
    if person.pk == samtale.borger_id:
        return None
    relation = (
        dialogregel.dialog_relationer(Aktoer(borger=person), now)
        .filter(borger_id=samtale.borger_id)
        .first()
    )
    if relation is None:
        raise _fejl(
            _(
                "%(navn)s kan ikke deltage: kun borgeren selv og personer med værgemål, "
                "fuldmagt eller en relation, der omfatter dialog med myndigheder, kan deltage."
            )
            % {"navn": person.navn},
            "person",
        )
    return relation


def _deltager_felter(
    medarbejder: Medarbejder | None, enhed: Enhed | None, person: Borger | None
) -> dict[str, Any]:
    if medarbejder is not None:
        return {"medarbejder": medarbejder}
    if enhed is not None:
        return {"enhed": enhed}
    return {"person": person}


def _deltager_tilfoej(
    samtale: Samtale,
    skriver: _Skriver,
    now: datetime.datetime,
    *,
    medarbejder: Medarbejder | None = None,
    enhed: Enhed | None = None,
    person: Borger | None = None,
    kontroller: bool = True,
) -> Deltager:
    felter = _deltager_felter(medarbejder, enhed, person)
    if Deltager.objects.gaeldende().filter(samtale=samtale, **felter).exists():
        raise _fejl(
            _("%(navn)s deltager allerede.") % {"navn": next(iter(felter.values()))},
            code="deltager_findes",
        )
    relation = (
        _kan_deltage(samtale, now, medarbejder=medarbejder, enhed=enhed, person=person)
        if kontroller
        else None
    )
    d = Deltager.objects.create(
        samtale=samtale,
        via_relation=relation,
        handling=DeltagerHandling.TILFOEJ,
        tidspunkt=now,
        af=skriver.user,
        **felter,
    )
    _historik(samtale, HaendelseType.DELTAGER, skriver, now, deltager=d)
    return d


def _opdater_seneste(samtale: Samtale, now: datetime.datetime, nummer: int | None = None) -> None:
    felter: dict[str, Any] = {"seneste": now}
    if nummer is not None:
        felter["seneste_nummer"] = nummer
        samtale.seneste_nummer = nummer
    Samtale.objects.filter(pk=samtale.pk).update(**felter)
    samtale.seneste = now


def _fortael(besked: Besked, livscykluskode: str, haendelse: SamtaleHaendelse) -> None:
    """Tell the higher apps (mox's outbound metadata) of a message, in this transaction."""
    hooks.data_aendret(
        sender=Besked,
        aendringer=[Aendring(objekt=besked, registrering=haendelse, livscykluskode=livscykluskode)],
    )
