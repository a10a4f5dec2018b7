"""Every write to an Indsats: register, correct, follow up, end, passivate.

Shared by the caseworker screens, the admin and MOX; one transaction each, one new
registration each (nothing is overwritten), and the after-change hooks (`data_aendret`)
for higher layers. Given `samling=` (a `datadeling.core.historik.Samling`: MOX applies a
chunk of messages so), a service only plans its registration into that unit of work,
which its owner writes later.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from datadeling.core import clock
from datadeling.core.bitemporal import Livscykluskode
from datadeling.core.historik import Historik, Samling
from indsats import regler
from indsats.models import (
    BorgerensStemme,
    Fremdrift,
    Indsats,
    IndsatsFelter,
    IndsatsRegistrering,
    IndsatsVersion,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from klassifikation.models import Klasse
    from organisation.models import Borger, Relation

MAKS_STEMME = 4000

historik = Historik(
    objekt=Indsats,
    registrering=IndsatsRegistrering,
    version=IndsatsVersion,
    felter_model=IndsatsFelter,
    objekt_fk="indsats",
    valider=regler.valider_tidslinje,
    forudhent=regler.forudhent,
    defaults={
        "fremdrift": Fremdrift.VISITERET,
        "afsluttet": False,
        "formaal": "",
        "maal": [],
        "tilstande": [],
        "leverandoer": "",
        "kildesystem": "",
        "kildesystem_id": "",
    },
)


def indsats_register(
    *,
    actor: User | None,
    borger: Borger,
    data: Mapping[str, Any],
    virkning_fra: datetime.datetime | None = None,
    objekt_id: uuid.UUID | None = None,
    importeret: bool = False,
    aktoer_tekst: str = "",
    begrundelse: str = "",
    samling: Samling | None = None,
) -> Indsats:
    """Register a new intervention for a citizen, valid from `virkning_fra` (now by default).

    `data` holds the Indsats's fields by name (classes as Klasse instances or ids);
    `vurderet` defaults to now and `startdato` to today.
    """
    now = clock.now()
    return historik.register(
        actor=actor,
        borger=borger,
        data={"vurderet": now, "startdato": now.date(), **data},
        virkning_fra=virkning_fra or now,
        objekt_id=objekt_id,
        livscykluskode=Livscykluskode.IMPORTERET if importeret else Livscykluskode.OPSTAAET,
        aktoer_tekst=aktoer_tekst,
        begrundelse=begrundelse,
        samling=samling,
    )


def indsats_update(
    *,
    actor: User | None,
    indsats: Indsats,
    aendringer: Mapping[str, Any],
    virkning_fra: datetime.datetime | None = None,
    aktoer_tekst: str = "",
    begrundelse: str = "",
    samling: Samling | None = None,
) -> Indsats:
    """Record a change in the world (progress, provider, goals …) from `virkning_fra` (now)."""
    return historik.change(
        indsats,
        actor=actor,
        fra=virkning_fra or clock.now(),
        til=None,
        aendringer=aendringer,
        aktoer_tekst=aktoer_tekst,
        begrundelse=begrundelse,
        samling=samling,
    )


def indsats_follow_up(
    *,
    actor: User | None,
    indsats: Indsats,
    resultat: Klasse,
    naeste_opfoelgning: datetime.date | None = None,
    aendringer: Mapping[str, Any] | None = None,
    virkning_fra: datetime.datetime | None = None,
    begrundelse: str = "",
    samling: Samling | None = None,
) -> Indsats:
    """Record a follow-up held at `virkning_fra` (now): its result (FSIII E1–E4 / FFB status
    på indsats); the intervention counts as assessed then."""
    now = virkning_fra or clock.now()
    return historik.change(
        indsats,
        actor=actor,
        fra=now,
        til=None,
        aendringer={
            "fremdrift": Fremdrift.VURDERET,
            **(aendringer or {}),
            "opfoelgningsresultat": resultat,
            "opfoelgning": naeste_opfoelgning,
            "vurderet": now,
        },
        begrundelse=begrundelse,
        samling=samling,
    )


def indsats_correct(
    *,
    actor: User | None,
    indsats: Indsats,
    aendringer: Mapping[str, Any],
    virkning_fra: datetime.datetime,
    virkning_til: datetime.datetime | None = None,
    begrundelse: str,
    aktoer_tekst: str = "",
    samling: Samling | None = None,
) -> Indsats:
    """Correct what was registered for [virkning_fra, virkning_til): an error, not a change."""
    return historik.correct(
        indsats,
        actor=actor,
        fra=virkning_fra,
        til=virkning_til,
        aendringer=aendringer,
        aktoer_tekst=aktoer_tekst,
        begrundelse=begrundelse,
        samling=samling,
    )


def indsats_end(
    *,
    actor: User | None,
    indsats: Indsats,
    slutdato: datetime.date | None = None,
    ophoersgrund: Klasse | None = None,
    virkning_fra: datetime.datetime | None = None,
    begrundelse: str = "",
    aktoer_tekst: str = "",
    samling: Samling | None = None,
) -> Indsats:
    """End the intervention on `slutdato` (today): afsluttet from `virkning_fra` (now) on."""
    now = virkning_fra or clock.now()
    return historik.change(
        indsats,
        actor=actor,
        fra=now,
        til=None,
        aendringer={
            "afsluttet": True,
            "slutdato": slutdato or now.date(),
            "ophoersgrund": ophoersgrund,
        },
        aktoer_tekst=aktoer_tekst,
        begrundelse=begrundelse,
        samling=samling,
    )


def indsats_passivate(
    *,
    actor: User | None,
    indsats: Indsats,
    begrundelse: str,
    slet: bool = False,
    aktoer_tekst: str = "",
    samling: Samling | None = None,
) -> Indsats:
    """Passivate (or mark deleted) the intervention: it stops being valid, its history stays."""
    return historik.passivate(
        indsats,
        actor=actor,
        slet=slet,
        aktoer_tekst=aktoer_tekst,
        begrundelse=begrundelse,
        samling=samling,
    )


def borgerens_stemme_add(
    *,
    actor: User | None,
    indsats: Indsats,
    skrevet_af: Borger,
    via_relation: Relation | None = None,
    betydning: str = "",
    forloeb: str = "",
) -> BorgerensStemme:
    """Add the citizen's own words about the intervention's goals: what the goal means to
    them and how it is going. Appended, never changed: the newest is shown, the older stay.

    The caller has asked samtykke.policy.er_part whether `skrevet_af` speaks for the
    citizen (this floor cannot ask it); the relation must at least be between the two.
    """
    betydning, forloeb = betydning.strip(), forloeb.strip()
    if not (betydning or forloeb):
        raise ValidationError(
            {"forloeb": _("Skriv, hvad målet betyder for dig, eller hvordan det går.")},
            code="mangler",
        )
    for felt, tekst in (("betydning", betydning), ("forloeb", forloeb)):
        if len(tekst) > MAKS_STEMME:
            raise ValidationError(
                {felt: _("Skriv højst %(n)d tegn.") % {"n": MAKS_STEMME}}, code="for_lang"
            )
    if via_relation is None and skrevet_af.pk != indsats.borger_id:
        raise ValidationError(_("Kun borgeren selv kan skrive her."), code="ikke_part")
    if via_relation is not None and (
        via_relation.borger_id != indsats.borger_id or via_relation.person_id != skrevet_af.pk
    ):
        raise ValidationError(_("Relationen gælder ikke denne borger."), code="ikke_part")
    if not indsats.aktiv:
        raise ValidationError(_("Indsatsen findes ikke længere."), code="passiveret")
    return BorgerensStemme.objects.create(
        indsats=indsats, betydning=betydning, forloeb=forloeb, skrevet_af=skrevet_af,
        via_relation=via_relation, oprettet=clock.now(),
    )  # fmt: skip
