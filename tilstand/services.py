"""Every write to a Tilstand: register, correct, reassess, end, passivate.

Shared by the caseworker screens, the admin and MOX. Each service runs in one
transaction, appends one registration (nothing is overwritten) and calls the
after-change hooks (`data_aendret`) so higher layers can react. Given `samling=` (a
`datadeling.core.historik.Samling`: MOX applies a chunk of messages so), a service only
plans its registration into that unit of work, which its owner writes later.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from datadeling.core import clock
from datadeling.core.bitemporal import Livscykluskode
from datadeling.core.historik import Historik, Samling
from tilstand import regler
from tilstand.models import (
    Tilstand,
    TilstandFelter,
    TilstandRegistrering,
    TilstandStatus,
    TilstandVersion,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from organisation.models import Borger

historik = Historik(
    objekt=Tilstand,
    registrering=TilstandRegistrering,
    version=TilstandVersion,
    felter_model=TilstandFelter,
    objekt_fk="tilstand",
    valider=regler.valider_tidslinje,
    forudhent=regler.forudhent,
    defaults={
        "status": TilstandStatus.AKTIV,
        "borgerens_vurdering": "",
        "faglig_note": "",
        "kildesystem": "",
        "kildesystem_id": "",
    },
)


def tilstand_register(
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
) -> Tilstand:
    """Register a new condition for a citizen, valid from `virkning_fra` (now by default).

    `data` holds the Tilstand's fields by name (classes as Klasse instances or ids);
    `vurderet` defaults to now. `importeret` marks data that arrived from another system
    (livscykluskode Importeret); `objekt_id` keeps the sender's identifier.
    """
    now = clock.now()
    return historik.register(
        actor=actor,
        borger=borger,
        data={"vurderet": now, **data},
        virkning_fra=virkning_fra or now,
        objekt_id=objekt_id,
        livscykluskode=Livscykluskode.IMPORTERET if importeret else Livscykluskode.OPSTAAET,
        aktoer_tekst=aktoer_tekst,
        begrundelse=begrundelse,
        samling=samling,
    )


def tilstand_reassess(
    *,
    actor: User | None,
    tilstand: Tilstand,
    aendringer: Mapping[str, Any],
    virkning_fra: datetime.datetime | None = None,
    aktoer_tekst: str = "",
    begrundelse: str = "",
    samling: Samling | None = None,
) -> Tilstand:
    """Record a new assessment: the changes hold from `virkning_fra` (now) onwards.

    A reassessment is the follow-up: a follow-up date on or before the new assessment is
    done and is not carried over (the condition would still read "not fresh"), and a new
    one must lie after the assessment (ValidationError, code `opfoelgning_foer_vurdering`).
    """
    now = clock.now()
    aendringer = {"vurderet": now, **aendringer}
    vurderet_dag = timezone.localdate(aendringer["vurderet"])
    if "opfoelgning" in aendringer:
        ny = aendringer["opfoelgning"]
        if ny is not None and ny <= vurderet_dag:
            raise ValidationError(
                {"opfoelgning": _("Den næste opfølgning skal ligge efter vurderingen.")},
                code="opfoelgning_foer_vurdering",
            )
    elif tilstand.opfoelgning is not None and tilstand.opfoelgning <= vurderet_dag:
        aendringer["opfoelgning"] = None
    return historik.change(
        tilstand,
        actor=actor,
        fra=virkning_fra or now,
        til=None,
        aendringer=aendringer,
        aktoer_tekst=aktoer_tekst,
        begrundelse=begrundelse,
        samling=samling,
    )


def tilstand_correct(
    *,
    actor: User | None,
    tilstand: Tilstand,
    aendringer: Mapping[str, Any],
    virkning_fra: datetime.datetime,
    virkning_til: datetime.datetime | None = None,
    begrundelse: str,
    aktoer_tekst: str = "",
    samling: Samling | None = None,
) -> Tilstand:
    """Correct what was registered for [virkning_fra, virkning_til): an error, not a change."""
    return historik.correct(
        tilstand,
        actor=actor,
        fra=virkning_fra,
        til=virkning_til,
        aendringer=aendringer,
        aktoer_tekst=aktoer_tekst,
        begrundelse=begrundelse,
        samling=samling,
    )


def tilstand_end(
    *,
    actor: User | None,
    tilstand: Tilstand,
    virkning_fra: datetime.datetime | None = None,
    begrundelse: str = "",
    aktoer_tekst: str = "",
    samling: Samling | None = None,
) -> Tilstand:
    """End the condition from `virkning_fra` (now): its status becomes afsluttet."""
    return historik.change(
        tilstand,
        actor=actor,
        fra=virkning_fra or clock.now(),
        til=None,
        aendringer={"status": TilstandStatus.AFSLUTTET},
        aktoer_tekst=aktoer_tekst,
        begrundelse=begrundelse,
        samling=samling,
    )


def tilstand_passivate(
    *,
    actor: User | None,
    tilstand: Tilstand,
    begrundelse: str,
    slet: bool = False,
    aktoer_tekst: str = "",
    samling: Samling | None = None,
) -> Tilstand:
    """Passivate (or mark deleted) the condition: it stops being valid, its history stays."""
    return historik.passivate(
        tilstand,
        actor=actor,
        slet=slet,
        aktoer_tekst=aktoer_tekst,
        begrundelse=begrundelse,
        samling=samling,
    )
