"""Every write about consent and legal-basis access: give, narrow, prolong, revoke, block,
request and answer, assisted consent, access on a legal basis and its review.

A consent is never edited: each change appends a version that supersedes the one before
(`erstatter`), and the access policy reads the newest version at query time.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from datadeling.core import clock
from datadeling.core.tekst import dato as _dato_tekst
from datadeling.core.tekst import saetning
from klassifikation.kendte import ADGANGSHJEMMEL_URI
from klassifikation.models import Klasse
from organisation.models import Borger, Enhed, Medarbejder, Myndighed, Relation
from samtykke import grants, haendelser
from samtykke.models import (
    Anmodning,
    AnmodningStatus,
    Beslutning,
    Gennemgang,
    HaendelseArt,
    Hjemmel,
    HjemmelGennemgang,
    Samtykke,
    SamtykkeStatus,
)
from samtykke.policy import kan_handle_for

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from datadeling.core.historik import Aendring

TEKST_VERSION = "2026-12"  # dates as "7. november 2026", no ".." after the purpose

Modtager = Enhed | Myndighed | Medarbejder


def _modtager_felter(modtager: Modtager) -> dict:
    if isinstance(modtager, Enhed):
        return {"modtager_enhed": modtager}
    if isinstance(modtager, Myndighed):
        return {"modtager_myndighed": modtager}
    if isinstance(modtager, Medarbejder):
        return {"modtager_medarbejder": modtager}
    raise TypeError("modtager must be an Enhed, a Myndighed or a Medarbejder")


def _dato(t: datetime.datetime) -> str:
    return _dato_tekst(t)


def samtykke_tekst(s: Samtykke, kategorier: Sequence[Klasse], kilder: Sequence[Enhed]) -> str:
    """Return the plain-Danish text the citizen is shown for a consent version."""
    if s.beslutning == Beslutning.AFVIS:
        return _(
            "Jeg ønsker ikke, at %(modtager)s får adgang til mine oplysninger i Datadeling "
            "på baggrund af samtykke. Blokeringen gælder fra %(fra)s til %(til)s."
        ) % {
            "modtager": s.modtager,
            "fra": _dato(s.gyldig_fra),
            "til": _dato(s.gyldig_til),
        }
    hvad = [k.titel for k in kategorier]
    if s.sagsindeks:
        hvad.append(_("oversigten over mine sager"))
    if s.dialog:
        hvad.append(_("dialogen om mig"))
    tekst = _(
        "Jeg giver samtykke til, at %(modtager)s må se disse oplysninger om mig: %(hvad)s. "
        "Oplysningerne kommer fra: %(kilder)s. Formålet er: %(formaal)s. "
        "Samtykket gælder fra %(fra)s til %(til)s, og jeg kan til enhver tid trække det "
        "tilbage i Datadeling."
    ) % {
        "modtager": s.modtager,
        "hvad": ", ".join(hvad),
        "kilder": ", ".join(e.navn for e in kilder),
        "formaal": saetning(s.formaal),
        "fra": _dato(s.gyldig_fra),
        "til": _dato(s.gyldig_til),
    }
    if s.faglighed_id:
        tekst += " " + _("Kun medarbejdere med fagligheden %(f)s.") % {"f": s.faglighed}
    return tekst


def _valider(
    *, borger: Borger, givet_af: Borger, kategorier: Sequence[Klasse], kilder: Sequence[Enhed],
    formaal: str, fra: datetime.datetime, til: datetime.datetime, beslutning: str,
    assisteret: bool, vidne: str, sagsindeks: bool = False, dialog: bool = False,
) -> Relation | None:  # fmt: skip
    now = clock.now()
    fejl: dict[str, list[str]] = {}
    relation = None
    if givet_af.pk != borger.pk:
        relation = kan_handle_for(givet_af, borger, now)
        if relation is None:
            fejl.setdefault("givet_af", []).append(
                _(
                    "Kun borgeren selv eller en værge eller fuldmægtig med ret til at give "
                    "samtykke kan det."
                )
            )
    if til <= fra:
        fejl.setdefault("gyldig_til", []).append(_("Slutdatoen skal ligge efter startdatoen."))
    if til > now + datetime.timedelta(days=settings.SAMTYKKE_MAKS_DAGE):
        fejl.setdefault("gyldig_til", []).append(
            _("Et samtykke kan højst gælde %(d)d dage frem.") % {"d": settings.SAMTYKKE_MAKS_DAGE}
        )
    if beslutning == Beslutning.TILLAD:
        if not kategorier and not (sagsindeks or dialog):
            fejl.setdefault("kategorier", []).append(
                _("Vælg hvilke slags oplysninger samtykket omfatter.")
            )
        if not kilder:
            fejl.setdefault("kilder", []).append(
                _("Vælg hvilke enheder oplysningerne må komme fra.")
            )
        if not formaal.strip():
            fejl.setdefault("formaal", []).append(_("Skriv formålet med samtykket."))
    if assisteret and not vidne.strip():
        fejl.setdefault("vidne", []).append(
            _("Et samtykke givet på papir eller i et møde skal have et vidne.")
        )
    if fejl:
        raise ValidationError(fejl)
    return relation


def _opret(
    *,
    forrige: Samtykke | None,
    actor: User | None,
    kategorier: Iterable[Klasse],
    kilder: Iterable[Enhed],
    **felter: Any,
) -> Samtykke:
    kategorier = list(kategorier)
    kilder = list(kilder)
    s = Samtykke(
        kaede=forrige.kaede if forrige else uuid.uuid4(),
        version=forrige.version + 1 if forrige else 1,
        erstatter=forrige,
        kategorier=[k.pk for k in kategorier],
        kilder=[e.pk for e in kilder],
        registreret_af=actor,
        oprettet=clock.now(),
        tekst_version=TEKST_VERSION,
        **felter,
    )
    s.tekst = samtykke_tekst(s, kategorier, kilder)
    s.full_clean(exclude=["erstatter", "anmodning", "via_relation", "registreret_af"])
    s.save(force_insert=True)
    grants.tildel_for_samtykke(s)
    return s


def samtykke_give(
    *,
    actor: User | None,
    borger: Borger,
    givet_af: Borger | None = None,
    modtager: Modtager,
    kategorier: Iterable[Klasse] = (),
    kilder: Iterable[Enhed] = (),
    formaal: str = "",
    gyldig_fra: datetime.datetime | None = None,
    gyldig_til: datetime.datetime | None = None,
    faglighed: Klasse | None = None,
    sagsindeks: bool = False,
    dialog: bool = False,
    beslutning: str = Beslutning.TILLAD,
    assisteret: bool = False,
    vidne: str = "",
    anmodning: Anmodning | None = None,
) -> Samtykke:
    """Give (or, with beslutning=afvis, block) consent for a recipient: a new consent chain.

    Grants object permissions on the citizen's existing data it covers; data that arrives
    later is granted when it arrives.
    """
    now = clock.now()
    givet_af = givet_af or borger
    kategorier, kilder = list(kategorier), list(kilder)
    fra = gyldig_fra or now
    til = gyldig_til or fra + datetime.timedelta(days=settings.SAMTYKKE_STANDARD_DAGE)
    relation = _valider(
        borger=borger, givet_af=givet_af, kategorier=kategorier, kilder=kilder, formaal=formaal,
        fra=fra, til=til, beslutning=beslutning, assisteret=assisteret, vidne=vidne,
        sagsindeks=sagsindeks, dialog=dialog,
    )  # fmt: skip
    with transaction.atomic():
        s = _opret(
            forrige=None, actor=actor, kategorier=kategorier, kilder=kilder, borger=borger,
            givet_af=givet_af, via_relation=relation, faglighed=faglighed, formaal=formaal,
            gyldig_fra=fra, gyldig_til=til, beslutning=beslutning, sagsindeks=sagsindeks,
            dialog=dialog, assisteret=assisteret, vidne=vidne, anmodning=anmodning,
            **_modtager_felter(modtager),
        )  # fmt: skip
        if anmodning is not None:
            Anmodning.objects.filter(pk=anmodning.pk).update(
                status=AnmodningStatus.BESVARET, besvaret=now
            )
            _besvaret(anmodning, actor)
    return s


def _besvaret(anmodning: Anmodning, actor: User | None) -> None:
    """Write the event that a request was answered (the requesting caseworker is told)."""
    haendelser.haendelse_write(
        art=HaendelseArt.ANMODNING_BESVARET, borger_id=anmodning.borger_id,
        objekt_id=anmodning.pk, enhed_id=anmodning.modtager_enhed_id,
        aktoer_id=getattr(actor, "pk", None),
    )  # fmt: skip


def _aendret(s: Samtykke, art: str, actor: User | None) -> Samtykke:
    """Write the event that a consent changed (its recipients are told)."""
    haendelser.haendelse_write(
        art=art, borger_id=s.borger_id, objekt_id=s.pk, enhed_id=s.modtager_enhed_id,
        aktoer_id=getattr(actor, "pk", None),
    )  # fmt: skip
    return s


def _seneste(samtykke: Samtykke) -> Samtykke:
    """Return the newest version of the consent's chain, locked, or refuse."""
    nyeste = (
        Samtykke.objects.select_for_update(of=("self",))
        .filter(kaede=samtykke.kaede)
        .order_by("-version")
        .first()
    )
    assert nyeste is not None  # the chain holds `samtykke` itself
    if nyeste.pk != samtykke.pk:
        raise ValidationError(
            _("Samtykket er allerede ændret; opdatér siden og prøv igen."), code="forældet"
        )
    if nyeste.status == SamtykkeStatus.TILBAGEKALDT:
        raise ValidationError(_("Samtykket er trukket tilbage."), code="tilbagekaldt")
    return nyeste


def _ny_version(
    samtykke: Samtykke, *, actor: User | None, givet_af: Borger | None, **aendringer: Any
) -> Samtykke:
    with transaction.atomic():
        gammel = _seneste(samtykke)
        felter = {
            f.name: getattr(gammel, f.name)
            for f in Samtykke._meta.concrete_fields
            if f.name
            not in {"id", "kaede", "version", "erstatter", "oprettet", "registreret_af", "tekst",
                    "tekst_version", "kategorier", "kilder"}
        }  # fmt: skip
        kategorier = aendringer.pop("kategorier", None)
        kilder = aendringer.pop("kilder", None)
        if kategorier is None:
            kategorier = list(Klasse.objects.filter(pk__in=gammel.kategorier))
        if kilder is None:
            kilder = list(Enhed.objects.filter(pk__in=gammel.kilder))
        felter.update(aendringer)
        givet_af = givet_af or gammel.borger
        felter["givet_af"] = givet_af
        felter["via_relation"] = _valider(
            borger=gammel.borger, givet_af=givet_af, kategorier=kategorier, kilder=kilder,
            formaal=felter["formaal"], fra=felter["gyldig_fra"], til=felter["gyldig_til"],
            beslutning=felter["beslutning"], assisteret=felter["assisteret"],
            vidne=felter["vidne"], sagsindeks=felter["sagsindeks"], dialog=felter["dialog"],
        ) if felter["status"] == SamtykkeStatus.AKTIV else felter["via_relation"]  # fmt: skip
        return _opret(forrige=gammel, actor=actor, kategorier=kategorier, kilder=kilder, **felter)


def samtykke_narrow(
    *,
    actor: User | None,
    samtykke: Samtykke,
    givet_af: Borger | None = None,
    kategorier: Iterable[Klasse] | None = None,
    kilder: Iterable[Enhed] | None = None,
    gyldig_til: datetime.datetime | None = None,
    sagsindeks: bool | None = None,
    dialog: bool | None = None,
) -> Samtykke:
    """Narrow a consent: fewer categories or sources, without the case overview
    (`sagsindeks=False`) or the dialogue (`dialog=False`: the recipients stop reading the
    conversations about the citizen at once), or an earlier end. A new version.

    A consent left with neither categories nor the case overview (nor the dialogue) is
    refused, as when it is given.
    """
    aendringer: dict = {}
    if kategorier is not None:
        kategorier = list(kategorier)
        if not {k.pk for k in kategorier} <= set(samtykke.kategorier):
            raise ValidationError(
                {"kategorier": _("Et samtykke kan kun indskrænkes, ikke udvides.")}
            )
        aendringer["kategorier"] = kategorier
    if kilder is not None:
        kilder = list(kilder)
        if not {e.pk for e in kilder} <= set(samtykke.kilder):
            raise ValidationError({"kilder": _("Et samtykke kan kun indskrænkes, ikke udvides.")})
        aendringer["kilder"] = kilder
    if sagsindeks is not None:
        if sagsindeks and not samtykke.sagsindeks:
            raise ValidationError(
                {"sagsindeks": _("Et samtykke kan kun indskrænkes, ikke udvides.")}
            )
        aendringer["sagsindeks"] = sagsindeks
    if dialog is not None:
        if dialog and not samtykke.dialog:
            raise ValidationError({"dialog": _("Et samtykke kan kun indskrænkes, ikke udvides.")})
        aendringer["dialog"] = dialog
    if gyldig_til is not None:
        if gyldig_til > samtykke.gyldig_til:
            raise ValidationError({"gyldig_til": _("Brug «forlæng» for at forlænge samtykket.")})
        aendringer["gyldig_til"] = gyldig_til
    with transaction.atomic():
        ny = _ny_version(samtykke, actor=actor, givet_af=givet_af, **aendringer)
        return _aendret(ny, HaendelseArt.SAMTYKKE_INDSKRAENKET, actor)


def samtykke_prolong(
    *,
    actor: User | None,
    samtykke: Samtykke,
    gyldig_til: datetime.datetime,
    givet_af: Borger | None = None,
) -> Samtykke:
    """Prolong a consent to `gyldig_til` (at most the maximum period from now)."""
    return _ny_version(samtykke, actor=actor, givet_af=givet_af, gyldig_til=gyldig_til)


def samtykke_revoke(
    *, actor: User | None, samtykke: Samtykke, givet_af: Borger | None = None
) -> Samtykke:
    """Revoke a consent (or lift a block) now: a new version with status tilbagekaldt."""
    givet_af = givet_af or samtykke.borger
    if (
        givet_af.pk != samtykke.borger_id
        and kan_handle_for(givet_af, samtykke.borger, clock.now()) is None
    ):
        raise ValidationError(
            {
                "givet_af": _(
                    "Kun borgeren selv, en værge eller en fuldmægtig kan trække samtykket tilbage."
                )
            }
        )
    with transaction.atomic():
        ny = _ny_version(
            samtykke, actor=actor, givet_af=givet_af, status=SamtykkeStatus.TILBAGEKALDT
        )
        return _aendret(ny, HaendelseArt.SAMTYKKE_TILBAGEKALDT, actor)


def anmodning_create(
    *,
    actor: User | None,
    borger: Borger,
    anmoder: Medarbejder,
    enhed: Enhed,
    kategorier: Iterable[Klasse],
    kilder: Iterable[Enhed],
    formaal: str,
    begrundelse: str,
    varighed_dage: int,
    sagsindeks: bool = False,
    dialog: bool = False,
) -> Anmodning:
    """Ask the citizen for consent on behalf of the caseworker's unit."""
    fejl = {}
    if not formaal.strip():
        fejl["formaal"] = [_("Skriv formålet.")]
    if not begrundelse.strip():
        fejl["begrundelse"] = [_("Forklar borgeren, hvorfor I beder om oplysningerne.")]
    if not 1 <= varighed_dage <= settings.SAMTYKKE_MAKS_DAGE:
        fejl["varighed_dage"] = [
            _("Varigheden skal være mellem 1 og %(d)d dage.") % {"d": settings.SAMTYKKE_MAKS_DAGE}
        ]
    kategorier, kilder = list(kategorier), list(kilder)
    if not kategorier and not sagsindeks and not dialog:
        fejl["kategorier"] = [_("Vælg hvilke slags oplysninger I beder om.")]
    if not kilder:
        fejl["kilder"] = [_("Vælg hvilke enheder oplysningerne skal komme fra.")]
    if fejl:
        raise ValidationError(fejl)
    with transaction.atomic():
        anmodning = Anmodning.objects.create(
            borger=borger,
            anmoder=anmoder,
            modtager_enhed=enhed,
            kategorier=[k.pk for k in kategorier],
            kilder=[e.pk for e in kilder],
            formaal=formaal,
            begrundelse=begrundelse,
            varighed_dage=varighed_dage,
            sagsindeks=sagsindeks,
            dialog=dialog,
            oprettet=clock.now(),
        )
        haendelser.haendelse_write(
            art=HaendelseArt.ANMODNING_NY,
            borger_id=borger.pk,
            objekt_id=anmodning.pk,
            enhed_id=enhed.pk,
            aktoer_id=getattr(actor, "pk", None),
        )
    return anmodning  # fmt: skip


def anmodning_answer(
    *,
    actor: User | None,
    anmodning: Anmodning,
    givet_af: Borger,
    accepter: bool,
    kategorier: Iterable[Klasse] | None = None,
    kilder: Iterable[Enhed] | None = None,
    sagsindeks: bool | None = None,
) -> Samtykke | None:
    """Answer a request: grant it (possibly narrowed: fewer categories or sources, or
    without the case overview, `sagsindeks=False`) or decline it. None means as asked."""
    with transaction.atomic():
        anmodning = Anmodning.objects.select_for_update().get(pk=anmodning.pk)
        return _besvar(actor, anmodning, givet_af, accepter, kategorier, kilder, sagsindeks)


def _besvar(
    actor: User | None,
    anmodning: Anmodning,
    givet_af: Borger,
    accepter: bool,
    kategorier: Iterable[Klasse] | None,
    kilder: Iterable[Enhed] | None,
    sagsindeks: bool | None = None,
) -> Samtykke | None:
    if anmodning.status != AnmodningStatus.AFVENTER:
        raise ValidationError(_("Anmodningen er allerede besvaret."), code="besvaret")
    if not accepter:
        Anmodning.objects.filter(pk=anmodning.pk).update(
            status=AnmodningStatus.AFVIST, besvaret=clock.now()
        )
        _besvaret(anmodning, actor)
        return None
    alle_kat = list(Klasse.objects.filter(pk__in=anmodning.kategorier))
    alle_kilder = list(Enhed.objects.filter(pk__in=anmodning.kilder))
    kategorier = alle_kat if kategorier is None else list(kategorier)
    kilder = alle_kilder if kilder is None else list(kilder)
    sagsindeks = anmodning.sagsindeks if sagsindeks is None else sagsindeks
    if (
        not {k.pk for k in kategorier} <= set(anmodning.kategorier)
        or not {e.pk for e in kilder} <= set(anmodning.kilder)
        or (sagsindeks and not anmodning.sagsindeks)
    ):
        raise ValidationError(
            _("Du kan kun give samtykke til det, der blev spurgt om, eller mindre.")
        )
    now = clock.now()
    return samtykke_give(
        actor=actor, borger=anmodning.borger, givet_af=givet_af,
        modtager=anmodning.modtager_enhed, kategorier=kategorier, kilder=kilder,
        formaal=anmodning.formaal, gyldig_fra=now,
        gyldig_til=now + datetime.timedelta(days=anmodning.varighed_dage),
        sagsindeks=sagsindeks, dialog=anmodning.dialog, anmodning=anmodning,
    )  # fmt: skip


def hjemmel_register(
    *,
    actor: User | None,
    borger: Borger,
    medarbejder: Medarbejder,
    enhed: Enhed,
    lovgrundlag: Klasse,
    begrundelse: str,
    dage: int,
) -> Hjemmel:
    """Register access to one citizen on a legal basis, for at most HJEMMEL_MAKS_DAGE days."""
    fejl = {}
    if not begrundelse.strip():
        fejl["begrundelse"] = [_("Skriv en begrundelse; borgeren kan læse den.")]
    if not 1 <= dage <= settings.HJEMMEL_MAKS_DAGE:
        fejl["dage"] = [
            _("Adgangen kan højst gives for %(d)d dage.") % {"d": settings.HJEMMEL_MAKS_DAGE}
        ]
    if not medarbejder.funktioner.gaeldende().filter(enhed=enhed).exists():
        fejl["enhed"] = [_("Du arbejder ikke i den valgte enhed.")]
    if lovgrundlag.klassifikation.uri != ADGANGSHJEMMEL_URI:
        fejl["lovgrundlag"] = [_("Vælg lovgrundlaget fra listen.")]
    if fejl:
        raise ValidationError(fejl)
    now = clock.now()
    with transaction.atomic():
        hjemmel = Hjemmel.objects.create(
            borger=borger,
            medarbejder=medarbejder,
            enhed=enhed,
            lovgrundlag=lovgrundlag,
            begrundelse=begrundelse,
            gyldig_fra=now,
            gyldig_til=now + datetime.timedelta(days=dage),
            oprettet=now,
        )
        # the leaders of the unit review it; the citizen is told of the access
        haendelser.haendelse_write(
            art=HaendelseArt.HJEMMEL_REGISTRERET,
            borger_id=borger.pk,
            objekt_id=hjemmel.pk,
            enhed_id=enhed.pk,
            aktoer_id=getattr(actor, "pk", None),
        )
    return hjemmel  # fmt: skip


def hjemmel_review(
    *,
    actor: User | None,
    hjemmel: Hjemmel,
    leder: Medarbejder,
    resultat: str,
    kommentar: str = "",
) -> HjemmelGennemgang:
    """Record a unit leader's review of a legal-basis access (approve or flag)."""
    if not leder.funktioner.gaeldende().filter(enhed=hjemmel.enhed, rolle="leder").exists():
        raise ValidationError(_("Kun en leder af enheden kan gennemgå adgangen."))
    if resultat == Gennemgang.FLAGET and not kommentar.strip():
        raise ValidationError({"kommentar": _("Skriv hvorfor adgangen skal følges op.")})
    return HjemmelGennemgang.objects.create(
        hjemmel=hjemmel, leder=leder, resultat=resultat, kommentar=kommentar, tidspunkt=clock.now()
    )


def tildel_ved_aendring(sender: type, aendringer: Sequence[Aendring], **kwargs: Any) -> None:
    """Grant data that arrives (or changes) after a consent, in the writing transaction
    (each object by its newest state). The after-change hook of stage TILDELING for
    Tilstand and Indsats (registered in samtykke.apps)."""
    sidste = {a.objekt.pk: a.objekt for a in aendringer}
    grants.tildel_for_objekter(list(sidste.values()), clock.now())
