"""Every write of the dialogue: start a conversation, add and end participants, write,
edit and withdraw messages (with attachments), and record how far a person has read.

Each service runs in one transaction, refuses in Danish (ValidationError) what the actor
may not do — asking the access policy (samtykke.policy.dialog) at the time of the write —
and records the write in the conversation's own history (SamtaleHaendelse). The
conversation row is locked (SELECT ... FOR UPDATE) before a message is numbered, so two
writers never get the same number; `seneste`/`seneste_nummer` change in that transaction.
Nothing is changed or deleted: an edit or a withdrawal is a new version of the message.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from datadeling.core import clock, hooks
from datadeling.core.bitemporal import Livscykluskode
from datadeling.core.historik import Aendring
from dialog import filtyper
from dialog.models import (
    Besked,
    Deltager,
    DeltagerHandling,
    HaendelseType,
    Laesning,
    Samtale,
    SamtaleHaendelse,
    SamtaleType,
    Vedhaeftning,
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
    from django.core.files.uploadedfile import UploadedFile

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
    actor: User, samtale: Samtale, now: datetime.datetime, enhed: Enhed | None = None
) -> _Skriver:
    """Return the actor as a writer in the conversation, or refuse: staff must read it
    (the policy), a person must be the citizen or act for them in the dialogue."""
    aktoer = aktoer_for(actor)
    if aktoer.er_medarbejder:
        if not _laeser(aktoer, samtale, now):
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
    if samtale is not None:
        deltager_enheder = set(
            Deltager.objects.gaeldende()
            .filter(samtale=samtale, enhed_id__in=list(aktoer.enhed_ids))
            .values_list("enhed_id", flat=True)
        )
        for f in aktoer.funktioner:
            if f.enhed_id in deltager_enheder:
                return f
    return aktoer.funktioner[0]


def _laeser(aktoer: Aktoer, samtale: Samtale, now: datetime.datetime) -> bool:
    """Return whether the person reads the conversation now (the policy, at this moment)."""
    return Samtale.objects.filter(laeselig_q(aktoer, now), pk=samtale.pk).exists()


def laeselig_q(aktoer: Aktoer, now: datetime.datetime) -> Q:
    """Return the filter for the conversations the person reads (the policy's rule, with
    this app's participant rows)."""
    return dialogregel.samtaler_laeselige_q(
        aktoer,
        now,
        deltagere=Deltager.objects.gaeldende().filter(samtale_id=OuterRef("pk")),
        med_borgeren=Q(type=SamtaleType.MED_BORGEREN),
    )


def _laas(samtale: Samtale) -> Samtale:
    """Lock the conversation row (numbering and `seneste` are decided under it)."""
    return Samtale.objects.select_for_update(of=("self",)).get(pk=samtale.pk)


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


# --- the services ---------------------------------------------------------------------------


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


def _som_deltager(d: Medarbejder | Enhed | Borger) -> dict[str, Any]:
    if isinstance(d, Medarbejder):
        return {"medarbejder": d}
    if isinstance(d, Enhed):
        return {"enhed": d}
    if isinstance(d, Borger):
        return {"person": d}
    raise TypeError("en deltager er en Medarbejder, en Enhed eller en Borger")


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
        samtale = _laas(samtale)
        skriver = _skriver(actor, samtale, now)
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
        samtale = _laas(samtale)
        skriver = _skriver(actor, samtale, now)
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


@dataclass(frozen=True)
class _Fil:
    filnavn: str
    content_type: str
    indhold: bytes
    sha256: str


def _laes_filer(filer: Sequence[UploadedFile]) -> list[_Fil]:
    """Read and check every file before anything is stored: size, type from the content,
    and that the name and the claimed type fit that type."""
    maks = settings.DIALOG_VEDHAEFTNING_MAKS_BYTES
    ud: list[_Fil] = []
    for f in filer:
        navn = (f.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].strip()[:255] or "fil"
        if f.size is not None and f.size > maks:
            raise _for_stor(navn, maks)
        f.seek(0)
        indhold = f.read(maks + 1)
        if len(indhold) > maks:
            raise _for_stor(navn, maks)
        if not indhold:
            raise _fejl(_("Filen «%(navn)s» er tom.") % {"navn": navn}, "filer", code="tom")
        t = filtyper.find_type(indhold)
        tilladte = ", ".join(sorted({e for x in filtyper.TILLADTE.values() for e in x.endelser}))
        if t is None:
            raise _fejl(
                _("Filen «%(navn)s» er ikke en af de filtyper, der kan vedhæftes (%(typer)s).")
                % {"navn": navn, "typer": tilladte},
                "filer",
                code="filtype",
            )
        if filtyper.endelse(navn) not in t.endelser or not filtyper.passer_paastand(
            t, f.content_type or ""
        ):
            raise _fejl(
                _(
                    "Filen «%(navn)s» er ikke det, den udgiver sig for: indholdet er en "
                    "%(type)s. Omdøb den eller vælg den rigtige fil."
                )
                % {"navn": navn, "type": t.navn},
                "filer",
                code="filtype",
            )
        ud.append(_Fil(navn, t.content_type, indhold, hashlib.sha256(indhold).hexdigest()))
    return ud


def _for_stor(navn: str, maks: int) -> ValidationError:
    return _fejl(
        _("Filen «%(navn)s» er for stor: en vedhæftning må højst fylde %(mb)s MB.")
        % {"navn": navn, "mb": f"{maks / (1024 * 1024):g}"},
        "filer",
        code="for_stor",
    )


def _henvisninger(
    skriver: _Skriver,
    samtale: Samtale,
    now: datetime.datetime,
    tilstande: Sequence[Tilstand],
    indsatser: Sequence[Indsats],
) -> None:
    """Refuse references to data the writer may not see (or that are not the citizen's)."""
    if not tilstande and not indsatser:
        return
    if skriver.relation is not None:
        raise _fejl(_("Som pårørende kan du ikke henvise til borgerens oplysninger."), "tilstande")
    aktoer = skriver.aktoer
    t_ids = {t.pk for t in tilstande}
    i_ids = {i.pk for i in indsatser}
    ok_t = set(
        policy.tilstande_synlige(aktoer, samtale.borger_id, now)
        .filter(pk__in=t_ids)
        .values_list("pk", flat=True)
    )
    ok_i = set(
        policy.indsatser_synlige(aktoer, samtale.borger_id, now)
        .filter(pk__in=i_ids)
        .values_list("pk", flat=True)
    )
    if ok_t != t_ids or ok_i != i_ids:
        raise _fejl(
            _("Du kan kun henvise til borgerens oplysninger, som du selv har adgang til."),
            "tilstande",
        )


def _skriv(
    samtale: Samtale,
    skriver: _Skriver,
    now: datetime.datetime,
    *,
    tekst: str,
    tilstande: Sequence[Tilstand] = (),
    indsatser: Sequence[Indsats] = (),
    svar_fra: Deltager | None = None,
    svar_frist: datetime.date | None = None,
    filer: Sequence[_Fil] = (),
) -> Besked:
    """Write a message into a locked conversation (the checks are done)."""
    nummer = samtale.seneste_nummer + 1
    besked = Besked.objects.create(
        samtale=samtale,
        kaede=uuid.uuid4(),
        nummer=nummer,
        version=1,
        skrevet=now,
        tekst=tekst,
        svar_fra=svar_fra,
        svar_frist=svar_frist,
        **skriver.felter(),
    )
    if tilstande:
        besked.tilstande.set(tilstande)
    if indsatser:
        besked.indsatser.set(indsatser)
    haendelse = _historik(samtale, HaendelseType.SKREVET, skriver, now, besked=besked)
    _gem_filer(samtale, besked, skriver, now, filer)
    _opdater_seneste(samtale, now, nummer)
    _fortael(besked, Livscykluskode.OPSTAAET, haendelse)
    return besked


def _gem_filer(
    samtale: Samtale,
    besked: Besked,
    skriver: _Skriver,
    now: datetime.datetime,
    filer: Sequence[_Fil],
) -> None:
    for f in filer:
        Vedhaeftning.objects.create(
            besked=besked,
            filnavn=f.filnavn,
            content_type=f.content_type,
            stoerrelse=len(f.indhold),
            sha256=f.sha256,
            indhold=f.indhold,
            oprettet=now,
        )
        _historik(samtale, HaendelseType.VEDHAEFTET, skriver, now, besked=besked)


def _tekst(tekst: str) -> str:
    tekst = tekst.strip()
    if not tekst:
        raise _fejl(_("Skriv en besked."), "tekst", code="tom")
    if len(tekst) > TEKST_MAKS:
        raise _fejl(
            _("Beskeden må højst være %(n)d tegn.") % {"n": TEKST_MAKS}, "tekst", code="for_lang"
        )
    return tekst


def besked_write(
    *,
    samtale: Samtale,
    actor: User,
    tekst: str,
    enhed: Enhed | None = None,
    tilstande: Iterable[Tilstand] = (),
    indsatser: Iterable[Indsats] = (),
    svar_fra: Deltager | None = None,
    svar_frist: datetime.date | None = None,
    filer: Sequence[UploadedFile] = (),
    now: datetime.datetime | None = None,
) -> Besked:
    """Write a message in a conversation the actor reads, as one of their units (staff),
    with references to the citizen's data they may see, optionally asking one current
    participant for an answer by a date, and with attachments (checked and stored with
    their checksum; one bad file stores nothing)."""
    now = now or clock.now()
    tekst = _tekst(tekst)
    tilstande, indsatser = list(tilstande), list(indsatser)
    if svar_frist is not None and svar_fra is None:
        raise _fejl(_("Vælg hvem der skal svare inden fristen."), "svar_fra", code="frist")
    if svar_frist is not None and svar_frist < timezone.localdate(now):
        raise _fejl(_("Svarfristen kan ikke ligge før i dag."), "svar_frist", code="frist")
    filer_laest = _laes_filer(filer)
    with transaction.atomic():
        samtale = _laas(samtale)
        skriver = _skriver(actor, samtale, now, enhed)
        _henvisninger(skriver, samtale, now, tilstande, indsatser)
        if svar_fra is not None and not (
            Deltager.objects.gaeldende().filter(pk=svar_fra.pk, samtale=samtale).exists()
        ):
            raise _fejl(
                _("Den, der skal svare, skal deltage i samtalen."), "svar_fra", code="frist"
            )
        return _skriv(
            samtale,
            skriver,
            now,
            tekst=tekst,
            tilstande=tilstande,
            indsatser=indsatser,
            svar_fra=svar_fra,
            svar_frist=svar_frist,
            filer=filer_laest,
        )


def _ny_version(
    besked: Besked, actor: User, now: datetime.datetime, *, tekst: str, trukket: bool
) -> Besked:
    with transaction.atomic():
        samtale = _laas(besked.samtale)
        skriver = _skriver(actor, samtale, now, besked.enhed if besked.medarbejder_id else None)
        gammel = (
            Besked.objects.select_for_update(of=("self",))
            .filter(kaede=besked.kaede, erstattet_af__isnull=True)
            .get()
        )
        if gammel.bruger_id != actor.pk:
            raise _fejl(_("Kun den, der skrev beskeden, kan rette eller trække den tilbage."))
        if gammel.trukket_tilbage:
            raise _fejl(_("Beskeden er trukket tilbage og kan ikke rettes."), code="trukket")
        if gammel.pk != besked.pk:
            raise _fejl(
                _("Beskeden er allerede rettet; opdatér siden og prøv igen."), code="forældet"
            )
        felter = {
            f.attname: getattr(gammel, f.attname)
            for f in Besked._meta.concrete_fields
            if f.name not in {"id", "version", "erstatter", "skrevet", "tekst", "trukket_tilbage"}
        }
        if trukket:
            felter.update(svar_fra_id=None, svar_frist=None)
        ny = Besked.objects.create(
            **felter,
            version=gammel.version + 1,
            erstatter=gammel,
            skrevet=now,
            tekst=tekst,
            trukket_tilbage=trukket,
        )
        if not trukket:
            ny.tilstande.set(gammel.tilstande.all())
            ny.indsatser.set(gammel.indsatser.all())
        haendelse = _historik(
            samtale,
            HaendelseType.TRUKKET if trukket else HaendelseType.RETTET,
            skriver,
            now,
            besked=ny,
        )
        _opdater_seneste(samtale, now)
        _fortael(ny, Livscykluskode.PASSIVERET if trukket else Livscykluskode.RETTET, haendelse)
        return ny


def besked_edit(
    *, besked: Besked, actor: User, tekst: str, now: datetime.datetime | None = None
) -> Besked:
    """Edit one's own message: a new version with the new text; the earlier version is kept
    and the message is shown as edited. Not after it was withdrawn, and only by its author
    while they still read the conversation."""
    return _ny_version(besked, actor, now or clock.now(), tekst=_tekst(tekst), trukket=False)


def besked_withdraw(*, besked: Besked, actor: User, now: datetime.datetime | None = None) -> Besked:
    """Withdraw one's own message: a new version, marked withdrawn, without text; the
    earlier versions stay in the database (never shown again) and nothing is deleted."""
    return _ny_version(besked, actor, now or clock.now(), tekst="", trukket=True)


def laesning_write(
    *, samtale: Samtale, actor: User, til_nummer: int, now: datetime.datetime | None = None
) -> Laesning | None:
    """Record that the actor has read the conversation up to message `til_nummer` (capped
    at the newest). Only a reader; nothing is written when it is no further than before."""
    now = now or clock.now()
    aktoer = aktoer_for(actor)
    if not _laeser(aktoer, samtale, now):
        raise _ikke_samtale()
    with transaction.atomic():
        samtale = _laas(samtale)
        til = min(max(til_nummer, 0), samtale.seneste_nummer)
        hidtil = (
            Laesning.objects.filter(samtale=samtale, bruger=actor)
            .order_by("-til_nummer")
            .values_list("til_nummer", flat=True)
            .first()
        )
        if til <= (hidtil or 0):
            return None
        return Laesning.objects.create(samtale=samtale, bruger=actor, til_nummer=til, tidspunkt=now)
