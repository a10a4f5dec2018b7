"""Every write to units (Enhed), staff (Medarbejder), their roles (Funktion) and citizens' logins.

Roles are written only here, by the admin too (see "roles" below for who may give them).

MOX (organisationenhed and bruger messages) writes through these, and so can the screens:
each service runs in one transaction, locks the row it changes, checks the model's own
rules (`full_clean`) plus the tree rules below, and raises `ValidationError` by field with
Danish messages a caseworker or an integrator understands.

Tree rules for units: a unit is never its own parent or below one of its own sub-units,
and a unit and its parent belong to the same authority.

Staff delivered by another system (MOX) get a Django user without a usable password and
inactive: a fagsystem may name a person as the responsible caseworker for data it sends,
so the person must exist in Datadeling, but only an administrator decides that the person
may log in (activates the user and sets up how they authenticate).
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import Model, ProtectedError, Q, QuerySet
from django.db.models.signals import post_save
from django.utils.translation import gettext as _

from datadeling.core import clock
from datadeling.core.historik import Samling, kopi, kopier_ind, opdater_alle
from datadeling.core.models import idag
from organisation.cpr import validate_cpr
from organisation.models import (
    Borger,
    Enhed,
    Funktion,
    FunktionHaendelse,
    FunktionHandling,
    FunktionStatus,
    Medarbejder,
    Myndighed,
    Rolle,
)
from organisation.selectors import administrerede_myndigheder

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from klassifikation.models import Klasse

logger = logging.getLogger(__name__)

ENHED_FELTER = frozenset(
    {"myndighed", "navn", "overordnet", "enhedstype", "gyldig_fra", "gyldig_til"}
)
MEDARBEJDER_FELTER = frozenset({"myndighed", "navn", "titel", "email", "telefon"})
BRUGERNAVN_PRAEFIKS = "mox-"


def _aktoer(actor: User | None, kildesystem: str = "") -> str:
    return str(getattr(actor, "pk", None) or kildesystem or "system")


def _saml(
    fejl: dict[str, list[str]],
    objekt: Model,
    *,
    exclude: set[str] | None = None,
    planlagt: bool = False,
) -> None:
    """Run full_clean and add its errors to `fejl`; drop non-field repeats of ours.

    Fields that already have an error are left out, with the constraints on them, so one
    problem is not reported twice (once ours, once the database constraint's wording).

    `planlagt` (a write planned into a unit of work) checks the fields alone, without a
    query: the related objects it points at are instances the caller found (in the
    database or planned before it, which the database cannot see yet), the unique fields
    are the id (checked by the caller) and a login made with the row, and the table's
    check constraints repeat our own rules (`_valider_enhed`), which, when they fail,
    leave those fields out of full_clean anyway. Should the database still refuse a row,
    the unit of work's write fails and its owner applies each change alone.
    """
    udelad = (exclude or set()) | set(fejl)
    if planlagt:
        udelad |= {f.name for f in objekt._meta.concrete_fields if f.is_relation}
    try:
        objekt.full_clean(
            exclude=udelad, validate_unique=not planlagt, validate_constraints=not planlagt
        )
    except ValidationError as e:
        egne = {m for beskeder in fejl.values() for m in beskeder}
        for felt, beskeder in e.message_dict.items():
            for besked in beskeder:
                if felt == NON_FIELD_ERRORS and besked in egne:
                    continue
                fejl.setdefault(felt, []).append(besked)


def _periode_fejl(
    fejl: dict[str, list[str]], fra: datetime.date, til: datetime.date | None
) -> None:
    if til is not None and fra is not None and til <= fra:
        fejl.setdefault("gyldig_til", []).append(_("Slutdatoen skal ligge efter startdatoen."))


# --- units ----------------------------------------------------------------------------------


def _over_sig_selv(enhed: Enhed, overordnet: Enhed) -> bool:
    """Return whether `overordnet` is `enhed` or lies below it (walking up from it)."""
    set_: set[uuid.UUID] = set()
    naeste: uuid.UUID | None = overordnet.pk
    while naeste is not None and naeste not in set_:
        if naeste == enhed.pk:
            return True
        set_.add(naeste)
        naeste = Enhed.objects.filter(pk=naeste).values_list("overordnet_id", flat=True).first()
    return False


def _valider_enhed(
    enhed: Enhed,
    *,
    ny: bool,
    aendrede: Iterable[str] = (),
    arbejde: OrganisationArbejde | None = None,
) -> None:
    """Check a unit before it is written: a new one whole, a changed one as far as its
    changes (`aendrede`) go. The tree rules are asked only when the parent or the authority
    is new or changes: a rename leaves the tree as it was. With `arbejde` (a planned write)
    the unit's own existence is asked of the unit of work, and nothing else queries."""
    aendrede = set(aendrede)
    fejl: dict[str, list[str]] = {}
    if ny and (
        arbejde.findes(Enhed, enhed.pk)
        if arbejde is not None
        else Enhed.objects.filter(pk=enhed.pk).exists()
    ):
        fejl["id"] = [_("Der findes allerede en enhed med dette id.")]
    _periode_fejl(fejl, enhed.gyldig_fra, enhed.gyldig_til)
    if enhed.overordnet_id is not None and (ny or aendrede & {"overordnet", "myndighed"}):
        overordnet = enhed.overordnet
        assert overordnet is not None
        if overordnet.pk == enhed.pk or (
            not ny and "overordnet" in aendrede and _over_sig_selv(enhed, overordnet)
        ):
            fejl.setdefault("overordnet", []).append(
                _("En enhed kan ikke placeres under sig selv eller en af sine underenheder.")
            )
        elif overordnet.myndighed_id != enhed.myndighed_id:
            fejl.setdefault("overordnet", []).append(
                _("Den overordnede enhed skal høre til samme myndighed.")
            )
    if (
        not ny
        and "myndighed" in aendrede
        and enhed.myndighed_id is not None
        and Enhed.objects.filter(overordnet=enhed).exclude(myndighed_id=enhed.myndighed_id).exists()
    ):
        fejl.setdefault("myndighed", []).append(
            _("Enheden har underenheder i sin nuværende myndighed; flyt dem først.")
        )
    # `id` is checked above with a clearer message than the model's unique check.
    _saml(fejl, enhed, exclude={"id"}, planlagt=arbejde is not None)
    if fejl:
        raise ValidationError(fejl)


def enhed_create(
    *,
    actor: User | None,
    myndighed: Myndighed,
    navn: str,
    overordnet: Enhed | None = None,
    enhedstype: str = "",
    gyldig_fra: datetime.date | None = None,
    gyldig_til: datetime.date | None = None,
    enhed_id: uuid.UUID | None = None,
    kildesystem: str = "",
    samling: Samling | None = None,
) -> Enhed:
    """Create a unit in an authority's tree, valid [gyldig_fra, gyldig_til) (from today).

    `enhed_id` keeps an identifier given by another system; `kildesystem` names the system
    that delivered the unit (blank: made in Datadeling). With `samling` the unit is
    validated alike but only planned (see `OrganisationArbejde`).
    """
    enhed = Enhed(
        id=enhed_id or uuid.uuid4(),
        myndighed=myndighed,
        navn=navn,
        overordnet=overordnet,
        enhedstype=enhedstype,
        gyldig_fra=gyldig_fra or idag(),
        gyldig_til=gyldig_til,
        kildesystem=kildesystem,
    )
    if samling is not None:
        arbejde = organisation_arbejde(samling)
        _valider_enhed(enhed, ny=True, arbejde=arbejde)
        return arbejde.planlaeg(None, enhed, aendrede=(), aktoer=_aktoer(actor, kildesystem))
    with transaction.atomic():
        _valider_enhed(enhed, ny=True)
        enhed.save(force_insert=True)
    logger.info("Enhed %s oprettet af %s", enhed.pk, _aktoer(actor, kildesystem))
    return enhed


def enhed_update(
    *,
    actor: User | None,
    enhed: Enhed,
    aendringer: Mapping[str, Any],
    samling: Samling | None = None,
) -> Enhed:
    """Change a unit's fields (myndighed, navn, overordnet, enhedstype, gyldig_fra/til).

    Only the fields named in `aendringer` change; return the unit as stored. With
    `samling` the change is planned (`OrganisationArbejde`); a planned change may not move
    the unit (parent or authority): the tree rules read the tree from the database.
    """
    ukendte = set(aendringer) - ENHED_FELTER
    if ukendte:
        raise TypeError(f"Ukendte felter: {sorted(ukendte)}")
    if samling is not None:
        arbejde = organisation_arbejde(samling)
        stand = arbejde.stand(Enhed, enhed.pk)
        aendrede = [f for f, v in aendringer.items() if getattr(stand.objekt, f) != v]
        if not aendrede:
            return stand.objekt  # type: ignore[return-value]
        if {"myndighed", "overordnet"} & set(aendrede):
            raise TypeError("En planlagt ændring kan ikke flytte enheden.")
        ny = kopi(stand.objekt)
        for felt in aendrede:
            setattr(ny, felt, aendringer[felt])
        _valider_enhed(ny, ny=False, aendrede=aendrede, arbejde=arbejde)
        return arbejde.planlaeg(stand, ny, aendrede=aendrede, aktoer=_aktoer(actor))
    with transaction.atomic():
        enhed = Enhed.objects.select_for_update(of=("self",)).get(pk=enhed.pk)
        aendrede = [f for f, v in aendringer.items() if getattr(enhed, f) != v]
        if not aendrede:
            return enhed
        for felt in aendrede:
            setattr(enhed, felt, aendringer[felt])
        _valider_enhed(enhed, ny=False, aendrede=aendrede)
        enhed.save(update_fields=aendrede)
    logger.info("Enhed %s rettet af %s: %s", enhed.pk, _aktoer(actor), ", ".join(aendrede))
    return enhed


def _afslut_funktioner(
    funktioner: QuerySet[Funktion], dato: datetime.date, *, actor: User | None
) -> None:
    """End the roles still valid on or after `dato`; drop those that would begin then.

    Each ended role is written to the role trail (FunktionHaendelse).
    """
    aabne = funktioner.filter(Q(gyldig_til__isnull=True) | Q(gyldig_til__gt=dato))
    for funktion in aabne.select_related("medarbejder", "enhed").select_for_update(of=("self",)):
        _afslut(funktion, dato, actor=actor)


def _afslut(funktion: Funktion, dato: datetime.date, *, actor: User | None) -> bool:
    """End one open role on `dato` with its entry in the role trail; return whether it was
    removed instead (a role that would only begin on `dato` or later)."""
    foer = _billede(funktion)
    if funktion.gyldig_fra >= dato:
        _spor(
            actor=actor,
            handling=FunktionHandling.AFSLUTTET,
            funktion=funktion,
            foer=foer,
            fjernes=True,
        )
        funktion.delete()
        return True
    funktion.gyldig_til = dato
    funktion.save(update_fields=["gyldig_til"])
    _spor(actor=actor, handling=FunktionHandling.AFSLUTTET, funktion=funktion, foer=foer)
    return False


def enhed_passivate(
    *, actor: User | None, enhed: Enhed, dato: datetime.date | None = None
) -> Enhed | None:
    """End a unit's validity on `dato` (today by default), with the roles in it.

    The roles (Funktion) in the unit end too: access to a unit's data follows the roles,
    so a closed unit must not keep granting it. A unit with sub-units still valid is
    refused (passivate those first). A unit that has not begun by `dato` is deleted when
    nothing refers to it (return None); otherwise refused. Ending an ended unit again
    changes nothing.
    """
    dato = dato or idag()
    with transaction.atomic():
        enhed = Enhed.objects.select_for_update(of=("self",)).get(pk=enhed.pk)
        if enhed.gyldig_til is not None and enhed.gyldig_til <= dato:
            return enhed
        if (
            Enhed.objects.filter(overordnet=enhed)
            .filter(Q(gyldig_til__isnull=True) | Q(gyldig_til__gt=dato))
            .exists()
        ):
            raise ValidationError(
                {
                    "underenheder": _(
                        "Enheden har underenheder, der stadig er gyldige; passivér dem først."
                    )
                },
                code="har_underenheder",
            )
        _afslut_funktioner(Funktion.objects.filter(enhed=enhed), dato, actor=actor)
        if enhed.gyldig_fra >= dato:
            enhed_id = enhed.pk
            try:
                with transaction.atomic():
                    enhed.delete()
            except ProtectedError:
                raise ValidationError(
                    {
                        "gyldig_fra": _(
                            "Enheden er endnu ikke trådt i kraft, men bruges allerede; "
                            "ret dens gyldighed i stedet."
                        )
                    },
                    code="ikke_i_kraft",
                ) from None
            logger.info("Enhed %s slettet (ikke trådt i kraft) af %s", enhed_id, _aktoer(actor))
            return None
        enhed.gyldig_til = dato
        enhed.save(update_fields=["gyldig_til"])
    logger.info("Enhed %s passiveret af %s", enhed.pk, _aktoer(actor))
    return enhed


# --- staff ----------------------------------------------------------------------------------


def brugernavn_for(medarbejder_id: uuid.UUID) -> str:
    """Return the username of the login made for a member of staff delivered by MOX."""
    return f"{BRUGERNAVN_PRAEFIKS}{medarbejder_id}"


def _valider_medarbejder(
    medarbejder: Medarbejder, *, ny: bool, arbejde: OrganisationArbejde | None = None
) -> None:
    fejl: dict[str, list[str]] = {}
    if ny and (
        arbejde.findes(Medarbejder, medarbejder.pk)
        if arbejde is not None
        else Medarbejder.objects.filter(pk=medarbejder.pk).exists()
    ):
        fejl["id"] = [_("Der findes allerede en medarbejder med dette id.")]
    _saml(fejl, medarbejder, exclude={"id"}, planlagt=arbejde is not None)
    if fejl:
        raise ValidationError(fejl)


def _nyt_login(medarbejder_id: uuid.UUID, *, taget: bool) -> User:
    """Return the unsaved login nobody can use for a member of staff from MOX; refuse when
    its username is `taget` already."""
    if taget:
        raise ValidationError(
            {"id": _("Der findes allerede et login til en medarbejder med dette id.")},
            code="login_findes",
        )
    user = get_user_model()(username=brugernavn_for(medarbejder_id), is_active=False)
    user.set_unusable_password()
    return user


def medarbejder_create(
    *,
    actor: User | None,
    myndighed: Myndighed,
    navn: str,
    titel: str = "",
    email: str = "",
    telefon: str = "",
    user: User | None = None,
    medarbejder_id: uuid.UUID | None = None,
    kildesystem: str = "",
    samling: Samling | None = None,
) -> Medarbejder:
    """Create a staff profile in an authority, on `user` or on a new login nobody can use.

    Without `user`, the profile gets an inactive user with an unusable password and the
    username `mox-<id>` (see the module docstring for why): the person can be named as
    responsible, but logs in only after an administrator has set that up. With `samling`
    the profile (and its new login) are validated alike but only planned.
    """
    medarbejder_id = medarbejder_id or uuid.uuid4()
    if samling is not None:
        if user is not None:
            raise TypeError("En planlagt medarbejder får sit eget nye login.")
        arbejde = organisation_arbejde(samling)
        ny_user = _nyt_login(
            medarbejder_id, taget=arbejde.brugernavn_taget(brugernavn_for(medarbejder_id))
        )
        medarbejder = Medarbejder(
            id=medarbejder_id, user=ny_user, myndighed=myndighed, navn=navn, titel=titel,
            email=email, telefon=telefon, kildesystem=kildesystem,
        )  # fmt: skip
        _valider_medarbejder(medarbejder, ny=True, arbejde=arbejde)
        return arbejde.planlaeg(None, medarbejder, aendrede=(), aktoer=_aktoer(actor, kildesystem))
    with transaction.atomic():
        if user is None:
            User = get_user_model()
            user = _nyt_login(
                medarbejder_id,
                taget=User.objects.filter(username=brugernavn_for(medarbejder_id)).exists(),
            )
            # Validated with the profile below; saved first so the profile can point at it.
            user.save()
        medarbejder = Medarbejder(
            id=medarbejder_id,
            user=user,
            myndighed=myndighed,
            navn=navn,
            titel=titel,
            email=email,
            telefon=telefon,
            kildesystem=kildesystem,
        )
        _valider_medarbejder(medarbejder, ny=True)
        medarbejder.save(force_insert=True)
    logger.info("Medarbejder %s oprettet af %s", medarbejder.pk, _aktoer(actor, kildesystem))
    return medarbejder


def medarbejder_update(
    *,
    actor: User | None,
    medarbejder: Medarbejder,
    aendringer: Mapping[str, Any],
    samling: Samling | None = None,
) -> Medarbejder:
    """Change a staff profile's fields (myndighed, navn, titel, email, telefon).

    Only the fields named in `aendringer` change; the login is not touched. With `samling`
    the change is planned (`OrganisationArbejde`).
    """
    ukendte = set(aendringer) - MEDARBEJDER_FELTER
    if ukendte:
        raise TypeError(f"Ukendte felter: {sorted(ukendte)}")
    if samling is not None:
        arbejde = organisation_arbejde(samling)
        stand = arbejde.stand(Medarbejder, medarbejder.pk)
        aendrede = [f for f, v in aendringer.items() if getattr(stand.objekt, f) != v]
        if not aendrede:
            return stand.objekt  # type: ignore[return-value]
        ny = kopi(stand.objekt)
        for felt in aendrede:
            setattr(ny, felt, aendringer[felt])
        _valider_medarbejder(ny, ny=False, arbejde=arbejde)
        return arbejde.planlaeg(stand, ny, aendrede=aendrede, aktoer=_aktoer(actor))
    with transaction.atomic():
        medarbejder = Medarbejder.objects.select_for_update(of=("self",)).get(pk=medarbejder.pk)
        aendrede = [f for f, v in aendringer.items() if getattr(medarbejder, f) != v]
        if not aendrede:
            return medarbejder
        for felt in aendrede:
            setattr(medarbejder, felt, aendringer[felt])
        _valider_medarbejder(medarbejder, ny=False)
        medarbejder.save(update_fields=aendrede)
    logger.info(
        "Medarbejder %s rettet af %s: %s", medarbejder.pk, _aktoer(actor), ", ".join(aendrede)
    )
    return medarbejder


def medarbejder_passivate(
    *, actor: User | None, medarbejder: Medarbejder, dato: datetime.date | None = None
) -> Medarbejder:
    """Close a member of staff: end their roles on `dato` (today) and close their login.

    The profile stays (data names the person as responsible). Passivating again changes
    nothing. Reopening the login is an administrator's decision, never a service's.
    """
    dato = dato or idag()
    with transaction.atomic():
        medarbejder = (
            Medarbejder.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(pk=medarbejder.pk)
        )
        _afslut_funktioner(Funktion.objects.filter(medarbejder=medarbejder), dato, actor=actor)
        if medarbejder.user.is_active:
            medarbejder.user.is_active = False
            medarbejder.user.save(update_fields=["is_active"])
    logger.info("Medarbejder %s passiveret af %s", medarbejder.pk, _aktoer(actor))
    return medarbejder


# --- roles (Funktion) -------------------------------------------------------------------------
#
# A role in a unit is given, changed and ended by an administrator of the unit's authority
# (an approved, valid `administrator` Funktion in one of its units; being a superuser is not
# enough). Changing one's own roles needs a second pair of eyes: a role you give yourself,
# or a change of your own role, is a request that waits (status `afventer`, granting
# nothing) until another administrator of that authority approves it. Anyone may ask for
# a role for themself in any authority; only that authority's administrators make it take
# effect. Giving up access needs nobody: the holder may end their own role at once.
# The one way in for an authority with no administrator yet: a superuser appoints its
# first administrator, who must be somebody else. Every change is in the role trail.

FUNKTION_FELTER = frozenset({"enhed", "rolle", "faglighed", "gyldig_fra", "gyldig_til"})


def _aktoer_navn(actor: User | None) -> str:
    medarbejder = getattr(actor, "medarbejder", None) if actor is not None else None
    if medarbejder is not None:
        return medarbejder.navn
    if actor is not None and hasattr(actor, "get_username"):
        return actor.get_username()
    return str(getattr(actor, "navn", None) or actor or "system")


def _billede(funktion: Funktion) -> dict[str, Any]:
    """Return what the trail records of a role: its unit, role, profession, period, status."""
    return {
        "enhed": str(funktion.enhed_id),
        "enhed_navn": funktion.enhed.navn,
        "rolle": funktion.rolle,
        "faglighed": str(funktion.faglighed_id) if funktion.faglighed_id else None,
        "gyldig_fra": funktion.gyldig_fra.isoformat() if funktion.gyldig_fra else None,
        "gyldig_til": funktion.gyldig_til.isoformat() if funktion.gyldig_til else None,
        "status": funktion.status,
    }


def _spor(
    *,
    actor: User | None,
    handling: str,
    funktion: Funktion,
    foer: dict[str, Any] | None = None,
    fjernes: bool = False,
) -> FunktionHaendelse:
    """Append one change of a role to the role trail, in the caller's transaction: the role
    as it was (`foer`) and as it is now, saved (none when it is about to be removed)."""
    return FunktionHaendelse.objects.create(
        tidspunkt=clock.now(),
        handling=handling,
        aktoer=actor if getattr(actor, "pk", None) and hasattr(actor, "get_username") else None,
        aktoer_navn=_aktoer_navn(actor)[:255],
        funktion_uuid=funktion.pk,
        medarbejder_uuid=funktion.medarbejder_id,
        medarbejder_navn=funktion.medarbejder.navn,
        myndighed_id=funktion.enhed.myndighed_id,
        enhed_uuid=funktion.enhed_id,
        enhed_navn=funktion.enhed.navn,
        foer=foer,
        efter=None if fjernes else _billede(funktion),
    )


def _er_egen(actor: User | None, medarbejder: Medarbejder) -> bool:
    return actor is not None and actor.pk is not None and medarbejder.user_id == actor.pk


def _ikke_administrator(enhed: Enhed) -> ValidationError:
    return ValidationError(
        {
            "enhed": _(
                "Kun en administrator i %(myndighed)s kan give og ændre funktioner i dens enheder."
            )
            % {"myndighed": enhed.myndighed.navn}
        },
        code="ikke_administrator",
    )


def funktion_tilladelse(
    *, actor: User | None, medarbejder: Medarbejder, enhed: Enhed, rolle: str
) -> str:
    """Return what giving `rolle` in `enhed` to `medarbejder` by `actor` becomes.

    `FunktionHandling.GIVET` (takes effect) for an administrator of the unit's authority
    giving it to somebody else, or a superuser appointing the first administrator of an
    authority that has none; `FunktionHandling.ANMODET` (waits for approval) for one's own
    role. Raise `ValidationError` (on "enhed") for anybody else.
    """
    if _er_egen(actor, medarbejder):
        return FunktionHandling.ANMODET
    if enhed.myndighed_id in administrerede_myndigheder(actor):
        return FunktionHandling.GIVET
    if (
        getattr(actor, "is_superuser", False)
        and getattr(actor, "is_active", False)
        and rolle == Rolle.ADMINISTRATOR
        and not Funktion.objects.administratorer()
        .filter(enhed__myndighed_id=enhed.myndighed_id)
        .exists()
    ):
        return FunktionHandling.GIVET
    raise _ikke_administrator(enhed)


def _valider_funktion(funktion: Funktion) -> None:
    fejl: dict[str, list[str]] = {}
    _periode_fejl(fejl, funktion.gyldig_fra, funktion.gyldig_til)
    _saml(fejl, funktion, exclude={"id", "erstatter", "anmodet_af"})
    if fejl:
        raise ValidationError(fejl)


def funktion_create(
    *,
    actor: User | None,
    medarbejder: Medarbejder,
    enhed: Enhed,
    rolle: str,
    faglighed: Klasse | None = None,
    gyldig_fra: datetime.date | None = None,
    gyldig_til: datetime.date | None = None,
    funktion_id: uuid.UUID | None = None,
) -> Funktion:
    """Give a member of staff a role in a unit, valid [gyldig_fra, gyldig_til) (from today).

    Given by an administrator of the unit's authority to somebody else, the role takes
    effect at once. Asked for by the holder themself, it waits (status `afventer`) for
    another administrator of that authority (`funktion_approve`). Anybody else is refused
    with a `ValidationError`. The trail records the role as given or asked for.
    """
    with transaction.atomic():
        handling = funktion_tilladelse(
            actor=actor, medarbejder=medarbejder, enhed=enhed, rolle=rolle
        )
        afventer = handling == FunktionHandling.ANMODET
        funktion = Funktion(
            id=funktion_id or uuid.uuid4(),
            medarbejder=medarbejder,
            enhed=enhed,
            rolle=rolle,
            faglighed=faglighed,
            gyldig_fra=gyldig_fra or idag(),
            gyldig_til=gyldig_til,
            status=FunktionStatus.AFVENTER if afventer else FunktionStatus.GODKENDT,
            anmodet_af=actor if afventer else None,
        )
        _valider_funktion(funktion)
        funktion.save(force_insert=True)
        _spor(actor=actor, handling=handling, funktion=funktion)
    logger.info("Funktion %s %s af %s", funktion.pk, handling, _aktoer(actor))
    return funktion


def funktion_change(
    *, actor: User | None, funktion: Funktion, aendringer: Mapping[str, Any]
) -> Funktion:
    """Change a role's unit, role, profession or period (the fields named in `aendringer`).

    An administrator of the unit's authority (and of the new unit's, when it moves)
    changes somebody else's role at once; return it. A change of one's own approved role
    is a request: return a new pending function with the changed values, which replaces
    the current one when another administrator approves it; the current one keeps working
    meanwhile. One's own pending request is changed in place and stays pending. A refused
    or replaced function is not changed.
    """
    ukendte = set(aendringer) - FUNKTION_FELTER
    if ukendte:
        raise TypeError(f"Ukendte felter: {sorted(ukendte)}")
    with transaction.atomic():
        funktion = (
            Funktion.objects.select_for_update(of=("self",))
            .select_related("medarbejder", "enhed__myndighed")
            .get(pk=funktion.pk)
        )
        if funktion.status in (FunktionStatus.AFVIST, FunktionStatus.ERSTATTET):
            raise ValidationError(
                {"status": _("En afvist eller erstattet funktion kan ikke ændres.")},
                code="lukket",
            )
        aendrede = [f for f, v in aendringer.items() if getattr(funktion, f) != v]
        if not aendrede:
            return funktion
        foer = _billede(funktion)
        egen = _er_egen(actor, funktion.medarbejder)
        if not egen:
            ny_enhed = aendringer.get("enhed", funktion.enhed)
            for enhed in {funktion.enhed.pk: funktion.enhed, ny_enhed.pk: ny_enhed}.values():
                funktion_tilladelse(
                    actor=actor,
                    medarbejder=funktion.medarbejder,
                    enhed=enhed,
                    rolle=aendringer.get("rolle", funktion.rolle),
                )
        if egen and funktion.status == FunktionStatus.GODKENDT:
            ny = Funktion(
                id=uuid.uuid4(),
                medarbejder=funktion.medarbejder,
                enhed=funktion.enhed,
                rolle=funktion.rolle,
                faglighed=funktion.faglighed,
                gyldig_fra=funktion.gyldig_fra,
                gyldig_til=funktion.gyldig_til,
                status=FunktionStatus.AFVENTER,
                erstatter=funktion,
                anmodet_af=actor,
            )
            for felt in aendrede:
                setattr(ny, felt, aendringer[felt])
            _valider_funktion(ny)
            ny.save(force_insert=True)
            _spor(
                actor=actor,
                handling=FunktionHandling.AENDRING_ANMODET,
                funktion=ny,
                foer=foer,
            )
            logger.info("Ændring af funktion %s anmodet af %s", funktion.pk, _aktoer(actor))
            return ny
        for felt in aendrede:
            setattr(funktion, felt, aendringer[felt])
        _valider_funktion(funktion)
        funktion.save(update_fields=aendrede)
        _spor(
            actor=actor,
            handling=FunktionHandling.AENDRET,
            funktion=funktion,
            foer=foer,
        )
    logger.info("Funktion %s ændret af %s: %s", funktion.pk, _aktoer(actor), ", ".join(aendrede))
    return funktion


def funktion_end(
    *, actor: User | None, funktion: Funktion, dato: datetime.date | None = None
) -> Funktion | None:
    """End a role on `dato` (today); return it, or None when it had not begun and is removed.

    The holder may end their own role (giving up access needs no approval); otherwise only
    an administrator of the unit's authority. Ending a pending request withdraws it (it
    becomes `afvist`). Ending an ended role again changes nothing.
    """
    dato = dato or idag()
    with transaction.atomic():
        funktion = (
            Funktion.objects.select_for_update(of=("self",))
            .select_related("medarbejder", "enhed__myndighed")
            .get(pk=funktion.pk)
        )
        if not _er_egen(actor, funktion.medarbejder) and (
            funktion.enhed.myndighed_id not in administrerede_myndigheder(actor)
        ):
            raise _ikke_administrator(funktion.enhed)
        funktion_id = funktion.pk
        if funktion.status == FunktionStatus.AFVENTER:
            foer = _billede(funktion)
            funktion.status = FunktionStatus.AFVIST
            funktion.save(update_fields=["status"])
            _spor(actor=actor, handling=FunktionHandling.AFSLUTTET, funktion=funktion, foer=foer)
        elif funktion.gyldig_til is not None and funktion.gyldig_til <= dato:
            return funktion
        elif _afslut(funktion, dato, actor=actor):
            logger.info("Funktion %s fjernet (ikke begyndt) af %s", funktion_id, _aktoer(actor))
            return None
    logger.info("Funktion %s afsluttet af %s", funktion.pk, _aktoer(actor))
    return funktion


def _til_afgoerelse(*, actor: User | None, funktion: Funktion) -> Funktion:
    """Lock a pending function and check that `actor` may decide on it (second eyes)."""
    funktion = (
        Funktion.objects.select_for_update(of=("self",))
        .select_related("medarbejder", "enhed__myndighed")
        .get(pk=funktion.pk)
    )
    if funktion.status != FunktionStatus.AFVENTER:
        raise ValidationError(
            {"status": _("Funktionen afventer ikke godkendelse.")}, code="afventer_ikke"
        )
    if _er_egen(actor, funktion.medarbejder) or funktion.anmodet_af_id == getattr(
        actor, "pk", None
    ):
        raise ValidationError(
            {"status": _("Din egen funktion skal godkendes af en anden administrator.")},
            code="egen",
        )
    if funktion.enhed.myndighed_id not in administrerede_myndigheder(actor):
        raise _ikke_administrator(funktion.enhed)
    return funktion


def funktion_approve(*, actor: User | None, funktion: Funktion) -> Funktion:
    """Approve a pending role: it takes effect; a pending change replaces the role it changes.

    Only an administrator of the unit's authority who neither holds the role nor asked
    for it may approve. The replaced role ends where the new one begins (or, when the new
    one begins no later, stops counting: status `erstattet`).
    """
    with transaction.atomic():
        funktion = _til_afgoerelse(actor=actor, funktion=funktion)
        foer = _billede(funktion)
        funktion.status = FunktionStatus.GODKENDT
        funktion.save(update_fields=["status"])
        _spor(
            actor=actor,
            handling=FunktionHandling.GODKENDT,
            funktion=funktion,
            foer=foer,
        )
        if funktion.erstatter_id is not None:
            gammel = (
                Funktion.objects.select_for_update(of=("self",))
                .select_related("medarbejder", "enhed")
                .get(pk=funktion.erstatter_id)
            )
            if gammel.status == FunktionStatus.GODKENDT:
                gammel_foer = _billede(gammel)
                if gammel.gyldig_fra < funktion.gyldig_fra:
                    if gammel.gyldig_til is None or gammel.gyldig_til > funktion.gyldig_fra:
                        gammel.gyldig_til = funktion.gyldig_fra
                else:
                    gammel.status = FunktionStatus.ERSTATTET
                gammel.save(update_fields=["gyldig_til", "status"])
                _spor(
                    actor=actor,
                    handling=FunktionHandling.AFSLUTTET,
                    funktion=gammel,
                    foer=gammel_foer,
                )
    logger.info("Funktion %s godkendt af %s", funktion.pk, _aktoer(actor))
    return funktion


def funktion_refuse(*, actor: User | None, funktion: Funktion) -> Funktion:
    """Refuse a pending role or change: it never takes effect (status `afvist`).

    The same administrators as for `funktion_approve` decide; the one who asked withdraws
    their request with `funktion_end` instead.
    """
    with transaction.atomic():
        funktion = _til_afgoerelse(actor=actor, funktion=funktion)
        foer = _billede(funktion)
        funktion.status = FunktionStatus.AFVIST
        funktion.save(update_fields=["status"])
        _spor(
            actor=actor,
            handling=FunktionHandling.AFVIST,
            funktion=funktion,
            foer=foer,
        )
    logger.info("Funktion %s afvist af %s", funktion.pk, _aktoer(actor))
    return funktion


# --- planned writes (a MOX chunk) -----------------------------------------------------------


@dataclass(frozen=True)
class _OrgStand:
    objekt: Enhed | Medarbejder  # as planned so far (a copy of its own) or as read, locked
    ny: bool  # not in the database yet


@dataclass(frozen=True)
class _OrgPlan:
    stand: _OrgStand
    oprettet: bool  # a create; else a change of the fields `aendrede`
    aendrede: tuple[str, ...]
    aktoer: str


class OrganisationArbejde:
    """The planned writes to units and staff in a unit of work (`Samling`), as a MOX chunk
    makes them: creates and changes of fields, validated as the single services validate
    them, each the object as it stands after it; `skriv()` writes the new logins, units
    and staff with COPY and the changed ones with one upsert per table, then sends
    `post_save` for each planned change in order, as the single writes do. Units and
    staff keep no history and send no `data_aendret` (no part of them is citizen data).

    What the unit of work cannot answer from what it holds (does a unit exist, is a
    username taken) it asks the database once and remembers; its owner loads the rows a
    chunk will read in one go first (`hent`, `laes_enheder`, `kend_brugernavne`). The
    owner must write the plans (`skriv`) before anything else reads the tables, and call
    `glem` after writing to them any other way.
    """

    def __init__(self) -> None:
        self.stande: dict[tuple[type, uuid.UUID], _OrgStand] = {}
        self.planer: list[_OrgPlan] = []
        self._fravaerende: set[tuple[type, uuid.UUID]] = set()  # asked: not in the database
        self._laeste: dict[uuid.UUID, Enhed | None] = {}  # units read unlocked (parents)
        self._brugernavne: dict[str, bool] = {}  # username → taken in the database

    def hent(self, model: type[Enhed] | type[Medarbejder], ids: Iterable[uuid.UUID]) -> None:
        """Lock and load the rows not yet known (one query); remember the absent ones."""
        mangler = {i for i in ids if (model, i) not in self.stande}
        mangler -= {i for m, i in self._fravaerende if m is model}
        if not mangler:
            return
        qs = model.objects.select_for_update(of=("self",)).filter(pk__in=mangler)
        if model is Enhed:
            qs = qs.select_related("myndighed")
        for objekt in qs:
            self.stande[(model, objekt.pk)] = _OrgStand(objekt, ny=False)
            mangler.discard(objekt.pk)
        self._fravaerende |= {(model, i) for i in mangler}

    def findes(self, model: type[Enhed] | type[Medarbejder], pk: uuid.UUID) -> bool:
        """Return whether the object exists, in the database or planned."""
        self.hent(model, [pk])
        return (model, pk) in self.stande

    def stand(self, model: type[Enhed] | type[Medarbejder], pk: uuid.UUID) -> _OrgStand:
        self.hent(model, [pk])
        stand = self.stande.get((model, pk))
        if stand is None:
            raise model.DoesNotExist(f"{model.__name__} {pk} findes ikke")
        return stand

    def find(self, model: type[Enhed] | type[Medarbejder], pk: uuid.UUID) -> Any:
        """Return the object as it stands here (locked), None if it does not exist."""
        return self.stand(model, pk).objekt if self.findes(model, pk) else None

    def laes_enheder(self, ids: Iterable[uuid.UUID]) -> None:
        """Read (unlocked, with their authority) the units not yet known: parents to be."""
        mangler = {i for i in ids if (Enhed, i) not in self.stande and i not in self._laeste}
        mangler -= {i for m, i in self._fravaerende if m is Enhed}
        if mangler:
            fundne = Enhed.objects.select_related("myndighed").in_bulk(mangler)
            for i in mangler:
                self._laeste[i] = fundne.get(i)

    def enhed(self, pk: uuid.UUID) -> Enhed | None:
        """Return a unit as it stands here, planned or read (unlocked: a parent)."""
        stand = self.stande.get((Enhed, pk))
        if stand is not None:
            return stand.objekt  # type: ignore[return-value]
        if (Enhed, pk) in self._fravaerende:
            return None
        self.laes_enheder([pk])
        return self._laeste[pk]

    def kend_brugernavne(self, brugernavne: Iterable[str]) -> None:
        """Ask which of these usernames the database has taken (one query)."""
        mangler = set(brugernavne) - self._brugernavne.keys()
        if mangler:
            taget = set(
                get_user_model()
                .objects.filter(username__in=mangler)
                .values_list("username", flat=True)
            )
            self._brugernavne.update((n, n in taget) for n in mangler)

    def brugernavn_taget(self, brugernavn: str) -> bool:
        planlagt = any(
            s.ny and isinstance(s.objekt, Medarbejder) and s.objekt.user.username == brugernavn
            for s in self.stande.values()
        )
        if planlagt:
            return True
        self.kend_brugernavne([brugernavn])
        return self._brugernavne[brugernavn]

    def planlaeg(
        self,
        forrige: _OrgStand | None,
        objekt: Any,
        *,
        aendrede: Iterable[str],
        aktoer: str,
    ) -> Any:
        stand = _OrgStand(objekt, ny=forrige is None or forrige.ny)
        self.stande[(type(objekt), objekt.pk)] = stand
        self.planer.append(_OrgPlan(stand, forrige is None, tuple(aendrede), aktoer))
        return objekt

    def planlagte(self) -> dict[uuid.UUID, Enhed | Medarbejder]:
        """Return the objects with plans not yet written, by id."""
        return {p.stand.objekt.pk: p.stand.objekt for p in self.planer}

    def skriv(self) -> list:
        planer, self.planer = self.planer, []
        if not planer:
            return []
        sidste = {(type(p.stand.objekt), p.stand.objekt.pk): p.stand for p in planer}
        User = get_user_model()
        nye_medarbejdere = [s.objekt for (m, _i), s in sidste.items() if s.ny and m is Medarbejder]
        logins = [m.user for m in nye_medarbejdere]  # type: ignore[union-attr]
        kopier_ind(User, logins)
        for medarbejder, login in zip(nye_medarbejdere, logins, strict=True):
            medarbejder.user_id = login.pk  # type: ignore[union-attr]
        for model in (Enhed, Medarbejder):
            nye = [s.objekt for (m, _i), s in sidste.items() if m is model and s.ny]
            if nye:
                kopier_ind(model, nye, ny_noegle=False)
            # every row changed here exists and is locked by this transaction
            opdater_alle(
                model, [s.objekt for (m, _i), s in sidste.items() if m is model and not s.ny]
            )
        # the foreign keys (a unit under a unit planned in the same go) are checked now,
        # not at commit: a broken one fails here, where the owner can still start over
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for noegle, s in sidste.items():
            if s.ny:
                self.stande[noegle] = _OrgStand(s.objekt, ny=False)
        for login in logins:
            post_save.send(sender=User, instance=login, created=True, update_fields=None,
                           raw=False, using=DEFAULT_DB_ALIAS)  # fmt: skip
        for p in planer:
            objekt = p.stand.objekt
            post_save.send(
                sender=type(objekt), instance=objekt, created=p.oprettet,
                update_fields=None if p.oprettet else frozenset(p.aendrede), raw=False,
                using=DEFAULT_DB_ALIAS,
            )  # fmt: skip
            slags = "Enhed" if isinstance(objekt, Enhed) else "Medarbejder"
            if p.oprettet:
                logger.info("%s %s oprettet af %s", slags, objekt.pk, p.aktoer)
            else:
                logger.info(
                    "%s %s rettet af %s: %s", slags, objekt.pk, p.aktoer, ", ".join(p.aendrede)
                )
        return []

    def glem(self) -> None:
        """Forget what was read: the tables were written outside the plans (which were
        written first)."""
        assert not self.planer, "skriv planerne før der skrives uden om dem"
        self.stande.clear()
        self._fravaerende.clear()
        self._laeste.clear()
        self._brugernavne.clear()


def organisation_arbejde(samling: Samling) -> OrganisationArbejde:
    """Return the unit of work's part for units and staff (made on first use)."""
    return samling.del_(OrganisationArbejde, OrganisationArbejde)  # type: ignore[return-value]


# --- citizens' logins -----------------------------------------------------------------------

BORGER_BRUGERNAVN_PRAEFIKS = "borger-"


def borger_login_link(
    *, actor: User | None, cpr: str, fornavn: str = "", efternavn: str = ""
) -> Borger:
    """Return the citizen with this CPR number and a login, creating either when missing.

    For a login through a MitID broker: the broker has verified the person, and the citizen
    portal shows a person only their own data, so a person Datadeling does not know yet gets
    a Borger (named from the broker's claims) rather than a refusal; data that other systems
    send later for the CPR number finds that record. The login gets a username made from
    the Borger's UUID (never the CPR number) and no usable password.
    """
    validate_cpr(cpr)
    User = get_user_model()
    with transaction.atomic():
        borger, oprettet = Borger.objects.get_or_create(
            cpr=cpr, defaults={"fornavn": fornavn[:255], "efternavn": efternavn[:255]}
        )
        borger = Borger.objects.select_for_update(of=("self",)).get(pk=borger.pk)
        if borger.user_id is None:
            user = User(username=f"{BORGER_BRUGERNAVN_PRAEFIKS}{borger.pk}")
            user.set_unusable_password()
            user.save()
            borger.user = user
            borger.save(update_fields=["user"])
            logger.info("Borger %s fik et login af %s", borger.pk, _aktoer(actor, "oidc"))
    if oprettet:
        logger.info("Borger %s oprettet ved login af %s", borger.pk, _aktoer(actor, "oidc"))
    return Borger.objects.select_related("user").get(pk=borger.pk)
