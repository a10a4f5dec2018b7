"""Every write of a correction request (GDPR art. 16, berigtigelse): file it, correct the
datum after it, decline it, and the citizen's own statement on a datum not corrected.

A request is one row that never changes; its answer is another (one per request), and
statements are further rows: the status is read from them, never stored in place.
Correcting goes through the datum's own service (`tilstand_correct`, `indsats_correct`):
the registration it appends says "Rettet efter borgerens anmodning" in its reason, and the
answer names that registration, so the history leads to the request. Each service runs in
one transaction and tells the apps above (notifications) what happened through
`datadeling.core.hooks.data_aendret(sender=Berigtigelse, ...)`: each change is a
`historik.Aendring` whose `objekt` is the request, `registrering` the answer or statement
row (or the request itself when filed) and `livscykluskode` a `BerigtigelseHaendelse`.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from datadeling.core import clock
from datadeling.core.historik import Aendring
from datadeling.core.hooks import data_aendret
from indsats.models import Indsats
from indsats.services import indsats_correct
from organisation.models import Borger, Relation
from organisation.selectors import aktoer_for
from samtykke import policy
from samtykke.models import (
    Berigtigelse,
    BerigtigelseHaendelse,
    BerigtigelseStatus,
    BerigtigelseSvar,
    BorgerensBemaerkning,
)
from tilstand.models import Tilstand
from tilstand.services import tilstand_correct

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAKS_TEKST = 4000
RETTET_EFTER_ANMODNING = "Rettet efter borgerens anmodning"


def svarfrist(modtaget: datetime.datetime) -> datetime.date:
    """Return the last day to answer a request received at `modtaget`: one month later
    (GDPR art. 12(3)), the same day of the month or the month's last day."""
    return timezone.localdate(modtaget) + relativedelta(months=1)


def _tekst(felt: str, tekst: str, *, kraevet: bool, besked: str) -> str:
    tekst = tekst.strip()
    if kraevet and not tekst:
        raise ValidationError({felt: besked}, code="mangler")
    if len(tekst) > MAKS_TEKST:
        raise ValidationError(
            {felt: _("Skriv højst %(n)d tegn.") % {"n": MAKS_TEKST}}, code="for_lang"
        )
    return tekst


def _part(person: Borger, borger: Borger, relation: Relation | None) -> None:
    if not policy.er_part(person, borger, relation, clock.now()):
        raise PermissionDenied(_("Du kan ikke handle for denne borger."))


def _meddel(haendelse: str, berigtigelse: Berigtigelse, raekke: object) -> None:
    """Tell the apps above what happened (notifications hook in at Trin.NOTIFIKATION)."""
    data_aendret(
        sender=Berigtigelse,
        aendringer=[Aendring(objekt=berigtigelse, registrering=raekke, livscykluskode=haendelse)],
    )


def berigtigelse_create(
    *,
    actor: User | None,
    datum: Tilstand | Indsats,
    indsendt_af: Borger,
    via_relation: Relation | None = None,
    hvad_er_forkert: str,
    hvad_er_rigtigt: str = "",
) -> Berigtigelse:
    """File a request to correct `datum` for its citizen: what is wrong, what is right.

    `indsendt_af` is the citizen, or a person acting for them through `via_relation`
    (samtykke.policy.er_part). The request goes to the datum's responsible unit and is due
    one month from now (`svarfrist`).
    """
    borger = datum.borger
    _part(indsendt_af, borger, via_relation)
    if not datum.aktiv:
        raise ValidationError(_("Oplysningen findes ikke længere."), code="passiveret")
    fejl = _tekst(
        "hvad_er_forkert", hvad_er_forkert, kraevet=True,
        besked=_("Skriv, hvad der er forkert."),
    )  # fmt: skip
    rigtigt = _tekst("hvad_er_rigtigt", hvad_er_rigtigt, kraevet=False, besked="")
    now = clock.now()
    with transaction.atomic():
        b = Berigtigelse.objects.create(
            borger=borger,
            tilstand=datum if isinstance(datum, Tilstand) else None,
            indsats=datum if isinstance(datum, Indsats) else None,
            hvad_er_forkert=fejl,
            hvad_er_rigtigt=rigtigt,
            indsendt_af=indsendt_af,
            via_relation=via_relation,
            oprettet=now,
            frist=svarfrist(now),
        )
        _meddel(BerigtigelseHaendelse.INDSENDT, b, b)
    return b


def _laas_aaben(berigtigelse: Berigtigelse) -> Berigtigelse:
    """Lock the request and refuse it if it is already answered (one answer per request)."""
    b = (
        Berigtigelse.objects.select_for_update(of=("self",))
        .select_related("tilstand", "indsats")
        .get(pk=berigtigelse.pk)
    )
    if BerigtigelseSvar.objects.filter(berigtigelse=b).exists():
        raise ValidationError(_("Anmodningen er allerede besvaret."), code="besvaret")
    return b


def _svarer(actor: User | None, datum: Tilstand | Indsats) -> Any:
    aktoer = aktoer_for(actor) if actor is not None else None
    if aktoer is None or not policy.kan_besvare(aktoer, datum):
        raise PermissionDenied(_("Kun den enhed, der har oplysningen, kan svare på anmodningen."))
    return aktoer


def berigtigelse_correct(
    *,
    actor: User | None,
    berigtigelse: Berigtigelse,
    aendringer: Mapping[str, Any],
    virkning_fra: datetime.datetime,
    virkning_til: datetime.datetime | None = None,
    begrundelse: str,
) -> BerigtigelseSvar:
    """Correct the request's datum through its own service and answer the request.

    The datum's new registration gives "Rettet efter borgerens anmodning" and
    `begrundelse` as its reason; the answer (status rettet, `begrundelse` for the citizen)
    names that registration. Only staff of the datum's responsible unit may do it.
    """
    tekst = _tekst(
        "begrundelse", begrundelse, kraevet=True,
        besked=_("Skriv til borgeren, hvad der er rettet."),
    )  # fmt: skip
    with transaction.atomic():
        b = _laas_aaben(berigtigelse)
        datum = b.datum
        aktoer = _svarer(actor, datum)
        modtaget = timezone.localdate(b.oprettet)
        grund = f"{RETTET_EFTER_ANMODNING} af {modtaget:%d.%m.%Y}: {tekst}"
        if isinstance(datum, Tilstand):
            rettet: Tilstand | Indsats = tilstand_correct(
                actor=actor, tilstand=datum, aendringer=aendringer, virkning_fra=virkning_fra,
                virkning_til=virkning_til, begrundelse=grund,
            )  # fmt: skip
        else:
            rettet = indsats_correct(
                actor=actor, indsats=datum, aendringer=aendringer, virkning_fra=virkning_fra,
                virkning_til=virkning_til, begrundelse=grund,
            )  # fmt: skip
        svar = BerigtigelseSvar.objects.create(
            berigtigelse=b,
            status=BerigtigelseStatus.RETTET,
            begrundelse=tekst,
            medarbejder=aktoer.medarbejder,
            enhed_id=datum.ansvarlig_enhed_id,
            tidspunkt=clock.now(),
            tilstand_registrering=rettet.registrering if isinstance(rettet, Tilstand) else None,
            indsats_registrering=rettet.registrering if isinstance(rettet, Indsats) else None,
        )
        _meddel(BerigtigelseHaendelse.RETTET, b, svar)
    return svar


def berigtigelse_decline(
    *, actor: User | None, berigtigelse: Berigtigelse, begrundelse: str
) -> BerigtigelseSvar:
    """Decline the request with a justification the citizen reads; the datum stays as it
    is, and the citizen may then add their own statement to it."""
    tekst = _tekst(
        "begrundelse", begrundelse, kraevet=True,
        besked=_("Skriv til borgeren, hvorfor oplysningen ikke rettes."),
    )  # fmt: skip
    with transaction.atomic():
        b = _laas_aaben(berigtigelse)
        aktoer = _svarer(actor, b.datum)
        svar = BerigtigelseSvar.objects.create(
            berigtigelse=b,
            status=BerigtigelseStatus.AFVIST,
            begrundelse=tekst,
            medarbejder=aktoer.medarbejder,
            enhed_id=b.datum.ansvarlig_enhed_id,
            tidspunkt=clock.now(),
        )
        _meddel(BerigtigelseHaendelse.AFVIST, b, svar)
    return svar


def bemaerkning_add(
    *,
    actor: User | None,
    berigtigelse: Berigtigelse,
    skrevet_af: Borger,
    via_relation: Relation | None = None,
    tekst: str,
) -> BorgerensBemaerkning:
    """Add the citizen's own statement to the datum of a declined request; it is shown next
    to the datum to everyone who may see it, instead of an earlier statement on it."""
    _part(skrevet_af, berigtigelse.borger, via_relation)
    indhold = _tekst("tekst", tekst, kraevet=True, besked=_("Skriv din bemærkning."))
    with transaction.atomic():
        svar = BerigtigelseSvar.objects.filter(berigtigelse_id=berigtigelse.pk).first()
        if svar is None or svar.status != BerigtigelseStatus.AFVIST:
            raise ValidationError(
                _("Du kan tilføje en bemærkning, når kommunen har afvist at rette."),
                code="ikke_afvist",
            )
        bemaerkning = BorgerensBemaerkning.objects.create(
            berigtigelse=berigtigelse, tekst=indhold, skrevet_af=skrevet_af,
            via_relation=via_relation, oprettet=clock.now(),
        )  # fmt: skip
        _meddel(BerigtigelseHaendelse.BEMAERKNING, berigtigelse, bemaerkning)
    return bemaerkning
