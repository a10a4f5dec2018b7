"""Every write to units (Enhed), staff (Medarbejder) and citizens' logins outside the admin.

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
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Model, ProtectedError, Q, QuerySet
from django.utils.translation import gettext as _

from datadeling.core.models import idag
from organisation.cpr import validate_cpr
from organisation.models import Borger, Enhed, Funktion, Medarbejder, Myndighed

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

ENHED_FELTER = frozenset(
    {"myndighed", "navn", "overordnet", "enhedstype", "gyldig_fra", "gyldig_til"}
)
MEDARBEJDER_FELTER = frozenset({"myndighed", "navn", "titel", "email", "telefon"})
BRUGERNAVN_PRAEFIKS = "mox-"


def _aktoer(actor: User | None, kildesystem: str = "") -> str:
    return str(getattr(actor, "pk", None) or kildesystem or "system")


def _saml(fejl: dict[str, list[str]], objekt: Model, *, exclude: set[str] | None = None) -> None:
    """Run full_clean and add its errors to `fejl`; drop non-field repeats of ours.

    Fields that already have an error are left out, with the constraints on them, so one
    problem is not reported twice (once ours, once the database constraint's wording).
    """
    try:
        objekt.full_clean(exclude=(exclude or set()) | set(fejl))
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


def _valider_enhed(enhed: Enhed, *, ny: bool) -> None:
    fejl: dict[str, list[str]] = {}
    if ny and Enhed.objects.filter(pk=enhed.pk).exists():
        fejl["id"] = [_("Der findes allerede en enhed med dette id.")]
    _periode_fejl(fejl, enhed.gyldig_fra, enhed.gyldig_til)
    overordnet = enhed.overordnet
    if overordnet is not None:
        if overordnet.pk == enhed.pk or (not ny and _over_sig_selv(enhed, overordnet)):
            fejl.setdefault("overordnet", []).append(
                _("En enhed kan ikke placeres under sig selv eller en af sine underenheder.")
            )
        elif overordnet.myndighed_id != enhed.myndighed_id:
            fejl.setdefault("overordnet", []).append(
                _("Den overordnede enhed skal høre til samme myndighed.")
            )
    if (
        not ny
        and enhed.myndighed_id is not None
        and Enhed.objects.filter(overordnet=enhed).exclude(myndighed_id=enhed.myndighed_id).exists()
    ):
        fejl.setdefault("myndighed", []).append(
            _("Enheden har underenheder i sin nuværende myndighed; flyt dem først.")
        )
    # `id` is checked above with a clearer message than the model's unique check.
    _saml(fejl, enhed, exclude={"id"})
    if fejl:
        raise ValidationError(fejl)


def enhed_opret(
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
) -> Enhed:
    """Create a unit in an authority's tree, valid [gyldig_fra, gyldig_til) (from today).

    `enhed_id` keeps an identifier given by another system; `kildesystem` names the system
    that delivered the unit (blank: made in Datadeling).
    """
    with transaction.atomic():
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
        _valider_enhed(enhed, ny=True)
        enhed.save(force_insert=True)
    logger.info("Enhed %s oprettet af %s", enhed.pk, _aktoer(actor, kildesystem))
    return enhed


def enhed_ret(*, actor: User | None, enhed: Enhed, aendringer: Mapping[str, Any]) -> Enhed:
    """Change a unit's fields (myndighed, navn, overordnet, enhedstype, gyldig_fra/til).

    Only the fields named in `aendringer` change; return the unit as stored.
    """
    ukendte = set(aendringer) - ENHED_FELTER
    if ukendte:
        raise TypeError(f"Ukendte felter: {sorted(ukendte)}")
    with transaction.atomic():
        enhed = Enhed.objects.select_for_update(of=("self",)).get(pk=enhed.pk)
        aendrede = [f for f, v in aendringer.items() if getattr(enhed, f) != v]
        if not aendrede:
            return enhed
        for felt in aendrede:
            setattr(enhed, felt, aendringer[felt])
        _valider_enhed(enhed, ny=False)
        enhed.save(update_fields=aendrede)
    logger.info("Enhed %s rettet af %s: %s", enhed.pk, _aktoer(actor), ", ".join(aendrede))
    return enhed


def _afslut_funktioner(funktioner: QuerySet[Funktion], dato: datetime.date) -> None:
    """End the roles still valid on or after `dato`; drop those that would begin then."""
    aabne = funktioner.filter(Q(gyldig_til__isnull=True) | Q(gyldig_til__gt=dato))
    aabne.filter(gyldig_fra__gte=dato).delete()
    aabne.filter(gyldig_fra__lt=dato).update(gyldig_til=dato)


def enhed_passiver(
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
        _afslut_funktioner(Funktion.objects.filter(enhed=enhed), dato)
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


def _valider_medarbejder(medarbejder: Medarbejder, *, ny: bool) -> None:
    fejl: dict[str, list[str]] = {}
    if ny and Medarbejder.objects.filter(pk=medarbejder.pk).exists():
        fejl["id"] = [_("Der findes allerede en medarbejder med dette id.")]
    _saml(fejl, medarbejder, exclude={"id"})
    if fejl:
        raise ValidationError(fejl)


def medarbejder_opret(
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
) -> Medarbejder:
    """Create a staff profile in an authority, on `user` or on a new login nobody can use.

    Without `user`, the profile gets an inactive user with an unusable password and the
    username `mox-<id>` (see the module docstring for why): the person can be named as
    responsible, but logs in only after an administrator has set that up.
    """
    medarbejder_id = medarbejder_id or uuid.uuid4()
    with transaction.atomic():
        if user is None:
            User = get_user_model()
            brugernavn = brugernavn_for(medarbejder_id)
            if User.objects.filter(username=brugernavn).exists():
                raise ValidationError(
                    {"id": _("Der findes allerede et login til en medarbejder med dette id.")},
                    code="login_findes",
                )
            user = User(username=brugernavn, is_active=False)
            user.set_unusable_password()
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


def medarbejder_ret(
    *, actor: User | None, medarbejder: Medarbejder, aendringer: Mapping[str, Any]
) -> Medarbejder:
    """Change a staff profile's fields (myndighed, navn, titel, email, telefon).

    Only the fields named in `aendringer` change; the login is not touched.
    """
    ukendte = set(aendringer) - MEDARBEJDER_FELTER
    if ukendte:
        raise TypeError(f"Ukendte felter: {sorted(ukendte)}")
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


def medarbejder_passiver(
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
        _afslut_funktioner(Funktion.objects.filter(medarbejder=medarbejder), dato)
        if medarbejder.user.is_active:
            medarbejder.user.is_active = False
            medarbejder.user.save(update_fields=["is_active"])
    logger.info("Medarbejder %s passiveret af %s", medarbejder.pk, _aktoer(actor))
    return medarbejder


# --- citizens' logins -----------------------------------------------------------------------

BORGER_BRUGERNAVN_PRAEFIKS = "borger-"


def borger_login_knyt(
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
