"""Messages: write, edit and withdraw (new versions), attachments, reading positions."""

from __future__ import annotations

import datetime
import hashlib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from datadeling.core import clock
from datadeling.core.bitemporal import Livscykluskode
from dialog import filtyper
from dialog.models import (
    Besked,
    Deltager,
    HaendelseType,
    Laesning,
    Samtale,
    Vedhaeftning,
)
from dialog.services.faelles import (
    TEKST_MAKS,
    _fejl,
    _fortael,
    _historik,
    _ikke_samtale,
    _laas,
    _laas_som,
    _laeser,
    _opdater_seneste,
    _Skriver,
)
from indsats.models import Indsats
from organisation.models import Enhed
from organisation.selectors import Aktoer, aktoer_for
from samtykke import policy
from tilstand.models import Tilstand

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import UploadedFile


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
    aktoer: Aktoer | None = None,
) -> Besked:
    """Write a message in a conversation the actor reads, as one of their units (staff),
    with references to the citizen's data they may see, optionally asking one current
    participant for an answer by a date, and with attachments (checked and stored with
    their checksum; one bad file stores nothing). `aktoer` is `aktoer_for(actor)` when the
    caller has it already (a view: `overblik.views.aktoer_for(request)`)."""
    now = now or clock.now()
    tekst = _tekst(tekst)
    tilstande, indsatser = list(tilstande), list(indsatser)
    if svar_frist is not None and svar_fra is None:
        raise _fejl(_("Vælg hvem der skal svare inden fristen."), "svar_fra", code="frist")
    if svar_frist is not None and svar_frist < timezone.localdate(now):
        raise _fejl(_("Svarfristen kan ikke ligge før i dag."), "svar_frist", code="frist")
    filer_laest = _laes_filer(filer)
    with transaction.atomic():
        samtale, skriver = _laas_som(actor, samtale, now, enhed, aktoer)
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
    besked: Besked,
    actor: User,
    now: datetime.datetime,
    *,
    tekst: str,
    trukket: bool,
    aktoer: Aktoer | None,
) -> Besked:
    with transaction.atomic():
        samtale, skriver = _laas_som(
            actor, besked.samtale, now, besked.enhed if besked.medarbejder_id else None, aktoer
        )
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
    *,
    besked: Besked,
    actor: User,
    tekst: str,
    now: datetime.datetime | None = None,
    aktoer: Aktoer | None = None,
) -> Besked:
    """Edit one's own message: a new version with the new text; the earlier version is kept
    and the message is shown as edited. Not after it was withdrawn, and only by its author
    while they still read the conversation."""
    return _ny_version(
        besked, actor, now or clock.now(), tekst=_tekst(tekst), trukket=False, aktoer=aktoer
    )


def besked_withdraw(
    *,
    besked: Besked,
    actor: User,
    now: datetime.datetime | None = None,
    aktoer: Aktoer | None = None,
) -> Besked:
    """Withdraw one's own message: a new version, marked withdrawn, without text; the
    earlier versions stay in the database (never shown again) and nothing is deleted."""
    return _ny_version(besked, actor, now or clock.now(), tekst="", trukket=True, aktoer=aktoer)


def laesning_write(
    *,
    samtale: Samtale,
    actor: User,
    til_nummer: int,
    now: datetime.datetime | None = None,
    aktoer: Aktoer | None = None,
) -> Laesning | None:
    """Record that the actor has read the conversation up to message `til_nummer` (capped
    at the newest). Only a reader; nothing is written when it is no further than before."""
    now = now or clock.now()
    aktoer = aktoer or aktoer_for(actor)
    if not aktoer.er_medarbejder and not _laeser(aktoer, samtale, now):
        raise _ikke_samtale()
    with transaction.atomic():
        samtale = _laas(samtale, aktoer, now)
        if not getattr(samtale, "_laeser_nu", True):  # staff: the policy, under the lock
            raise _ikke_samtale()
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
