"""Apply LoRa `klasse` messages through klassifikation.services.

KL's code systems (FSIII, FFB, CareSocialCodes) and Datadeling's own are imported from
files, and the files are authoritative: a `klasse` message can never create, change or
retire a class of an imported code system (the error names objektID, or the facet).

What a fagsystem may deliver are its own local classes. They live in code systems
(Klassifikation) that belong to the sending system, recognised by their URI
`urn:datadeling:mox:<the system's uuid>…`:
- with a `facet` relation: the code system with the facet's uuid as its id, made on first
  use (URI `…:facet:<facet uuid>`); a facet that is another system's or an imported code
  system is refused;
- without one: the system's own code system "Lokale klasser fra <system>", made on first
  use (URI `urn:datadeling:mox:<system uuid>`).
Only the system that owns a code system changes its classes.

Mapping (a class keeps no valid-time history, so of each field's entries the one in force
now is used; see mox.behandling.organisation):
  attributter.klasseegenskaber  brugervendtnoegle → kode, titel → titel, beskrivelse →
                                definition; eksempel, omfang, retskilde, aendringsnotat →
                                egenskaber; soegeord [identifikation, beskrivelse, kategori]
                                → the class's terms (Betegnelse: identifikation, use =
                                kategori); the earliest `from` → gyldig_fra (on create)
  tilstande.klassepubliceret    Publiceret → aktiv, IkkePubliceret → udkast
  relationer.overordnetklasse   the parent class, in the same code system; a parent not yet
                                known makes the message wait (venter) for its own message
  relationer.facet              the code system (above)
Not stored: ejer, ansvarlig, redaktoerer, sideordnede, mapninger, tilfoejelser, erstatter,
lovligekombinationer and integrationsdata.

Operations: create/import make the class with the sender's objektID as its id; update
changes what the message names (an empty overordnetklasse list makes it a root); passivate
and delete retire it (status udgået: data that uses it keeps it).

In a chunk, creates and the updates that neither move a class nor name its terms are
planned into the chunk's unit of work (`klassifikation.services.KlasseArbejde`) and
written together; the rest are written at once, after the plans before them (see
`kan_planlaegges` and `skal_skrives_foer`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from datadeling.core import clock, historik, memo
from klassifikation import services
from klassifikation.models import KLASSE_NAMESPACE, Klasse, Klassifikation, Status
from mox.behandling.faelles import (
    FINDES_ALLEREDE,
    FINDES_IKKE,
    Afvist,
    Venter,
    fejl,
    kald,
)
from mox.behandling.organisation import (
    OPRETTER,
    _relationer,
    dato,
    gaeldende,
    naevnt,
    poster,
    som_uuid,
    vaek_ventende,
)
from mox.models import Besked, System
from mox.protokol import Operation
from mox.validering import MINUS_UENDELIG

MOX_URI = "urn:datadeling:mox:"
K_STI = "data.attributter.klasseegenskaber"
P_STI = "data.tilstande.klassepubliceret"
EKSTRA_EGENSKABER = ("eksempel", "omfang", "retskilde", "aendringsnotat")
PUBLICERET = {"publiceret": Status.AKTIV, "ikkepubliceret": Status.UDKAST}
IMPORTERET = (
    "Klassen hører til et kodesystem, der importeres fra filer (fx KL's FSIII, FFB eller "
    "CareSocialCodes); den kan kun ændres ved at importere en ny version, ikke med "
    "MOX-beskeder."
)


def system_uri(system: System) -> str:
    """Return the URI of the sending system's own code system (the root of its others)."""
    return f"{MOX_URI}{system.uuid}"


def ejes_af(klassifikation: Klassifikation, system: System) -> bool:
    """Return whether the code system belongs to the sending system."""
    egen = system_uri(system)
    return klassifikation.uri == egen or klassifikation.uri.startswith(f"{egen}:")


def findes(objekt_id: uuid.UUID) -> bool:
    return Klasse.objects.filter(pk=objekt_id).exists()


def findes_mange(objekt_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    return set(Klasse.objects.filter(pk__in=objekt_ids).values_list("pk", flat=True))


def _klassifikation(
    data: dict, system: System, nu, samling: historik.Samling | None = None
) -> tuple[Klassifikation, str]:
    """Return the code system a new class goes in (made on first use, or planned so with
    `samling`) and its path."""
    facet = gaeldende(data, "relationer", "facet", nu)
    if facet is None:
        sti = "data.relationer"
        return (
            kald(
                dict.fromkeys(("id", "uri", "klassifikation", "navn", "titel", "ejer"), sti),
                services.klassifikation_lokal,
                actor=None,
                uri=system_uri(system),
                navn=f"mox-{system.uuid}",
                titel=f"Lokale klasser fra {system.navn}",
                ejer=system.navn,
                klassifikation_id=egen_klassifikation_id(system),
                samling=samling,
            ),
            sti,
        )
    sti = f"{facet.sti}.uuid"
    facet_id = som_uuid(facet.post.get("uuid"))
    if facet_id is None:
        raise Afvist([fejl(sti, "Facetten angives med sin uuid.")])
    fundet = (
        services.klasse_arbejde(samling).klassifikation(pk=facet_id)
        if samling is not None
        else Klassifikation.objects.filter(pk=facet_id).first()
    )
    if fundet is not None and not ejes_af(fundet, system):
        tekst = (
            "Facetten er et importeret kodesystem; MOX-beskeder kan ikke tilføje klasser til det."
            if services.er_importeret(fundet)
            else "Facetten er et kodesystem, som dette system ikke har leveret."
        )
        raise Afvist([fejl(sti, tekst)])
    return (
        kald(
            dict.fromkeys(("id", "uri", "klassifikation", "navn", "titel", "ejer"), sti),
            services.klassifikation_lokal,
            actor=None,
            uri=f"{system_uri(system)}:facet:{facet_id}",
            navn=f"mox-facet-{facet_id}",
            titel=f"Facet {facet_id} fra {system.navn}",
            ejer=system.navn,
            klassifikation_id=facet_id,
            samling=samling,
        ),
        sti,
    )


def egen_klassifikation_id(system: System) -> uuid.UUID:
    """Return the id of the sending system's own code system."""
    return uuid.uuid5(KLASSE_NAMESPACE, f"mox|{system.uuid}")


def _felter(
    data: dict, *, klasse: Klasse | None, samling: historik.Samling | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """Map the message to the services' fields and the paths they came from."""
    nu = clock.now()
    opret = klasse is None
    felter: dict[str, Any] = {}
    stier = {"id": "objektID", "klassifikation": "data.relationer.facet"}

    egenskaber = gaeldende(data, "attributter", "klasseegenskaber", nu)
    if egenskaber is not None:
        post = egenskaber.post
        for noegle, felt in (
            ("brugervendtnoegle", "kode"),
            ("titel", "titel"),
            ("beskrivelse", "definition"),
        ):
            if noegle in post:
                felter[felt] = str(post[noegle] or "")
                stier[felt] = f"{egenskaber.sti}.{noegle}"
        ekstra = {n: str(post[n] or "") for n in EKSTRA_EGENSKABER if n in post}
        if ekstra or opret:
            felter["egenskaber"] = {**(klasse.egenskaber if klasse else {}), **ekstra}
            stier["egenskaber"] = egenskaber.sti
        if "soegeord" in post:
            felter["betegnelser"] = [
                (str(s[0]), str(s[2]))
                for s in post.get("soegeord") or []
                if isinstance(s, list) and len(s) == 3
            ]
            stier["betegnelser"] = f"{egenskaber.sti}.soegeord"
    if opret:
        start = min((v.fra for v in poster(data, "attributter", "klasseegenskaber")), default=None)
        if start is not None and start != MINUS_UENDELIG:
            felter["gyldig_fra"] = dato(start)
            stier["gyldig_fra"] = K_STI

    publiceret = gaeldende(data, "tilstande", "klassepubliceret", nu)
    if publiceret is not None:
        status = PUBLICERET.get(str(publiceret.post.get("publiceret", "")).lower())
        if status is None:
            raise Afvist(
                [fejl(f"{publiceret.sti}.publiceret", "Brug Publiceret eller IkkePubliceret.")]
            )
        felter["status"] = status
        stier["status"] = f"{publiceret.sti}.publiceret"

    if naevnt(data, "relationer", "overordnetklasse") or opret:
        valgt = gaeldende(data, "relationer", "overordnetklasse", nu)
        overordnet = None
        if valgt is not None:
            sti = f"{valgt.sti}.uuid"
            stier["overordnet"] = sti
            overordnet_id = som_uuid(valgt.post.get("uuid"))
            if overordnet_id is None:
                raise Afvist([fejl(sti, "Den overordnede klasse angives med sin uuid.")])
            overordnet = (
                services.klasse_arbejde(samling).klasse(overordnet_id)
                if samling is not None
                else Klasse.objects.filter(pk=overordnet_id).first()
            )
            if overordnet is None:
                raise Venter(
                    fejl(
                        sti,
                        "Den overordnede klasse findes ikke (endnu) i Datadeling; beskeden "
                        "venter på den.",
                    )
                )
        felter["overordnet"] = overordnet
    return felter, stier


def anvend(besked: Besked, objekt_findes: bool) -> None:
    """Apply a klasse message (inside the caller's transaction)."""
    try:
        _anvend(besked, objekt_findes)
    finally:
        memo.glem()  # classes were written: rows cached for this chunk may be stale


def planlaeg(besked: Besked, objekt_findes: bool, samling: historik.Samling) -> None:
    """Plan a klasse message into the chunk's unit of work (see `kan_planlaegges`: a
    create, or an update that neither moves the class nor names its terms)."""
    _anvend(besked, objekt_findes, samling=samling)


def _anvend(
    besked: Besked, objekt_findes: bool, *, samling: historik.Samling | None = None
) -> None:
    system = besked.system
    data = besked.data or {}
    nu = clock.now()
    arbejde = services.klasse_arbejde(samling) if samling is not None else None
    if besked.operation in OPRETTER:
        if objekt_findes:
            fundet = (
                arbejde.klasse(besked.objekt_id)
                if arbejde is not None
                else Klasse.objects.select_related("klassifikation").get(pk=besked.objekt_id)
            )
            assert fundet is not None
            tekst = IMPORTERET if services.er_importeret(fundet.klassifikation) else FINDES_ALLEREDE
            raise Afvist([fejl("objektID", tekst)])
        felter, stier = _felter(data, klasse=None, samling=samling)
        klassifikation, stier["klassifikation"] = _klassifikation(data, system, nu, samling)
        klasse = kald(
            stier,
            services.klasse_create,
            actor=None,
            klassifikation=klassifikation,
            klasse_id=uuid.UUID(str(besked.objekt_id)),
            samling=samling,
            **felter,
        )
        if samling is None:  # planned: when the plans are written (`skriv`)
            vaek_ventende("klasse", "overordnetklasse", klasse.pk)
        return
    klasse = (
        arbejde.klasse(besked.objekt_id)
        if arbejde is not None
        else Klasse.objects.select_related("klassifikation").filter(pk=besked.objekt_id).first()
    )
    if klasse is None:
        raise Venter(fejl("objektID", FINDES_IKKE))
    if services.er_importeret(klasse.klassifikation):
        raise Afvist([fejl("objektID", IMPORTERET)])
    if not ejes_af(klasse.klassifikation, system):
        raise Venter(fejl("objektID", FINDES_IKKE))  # another system's: as if unknown
    if besked.operation != Operation.UPDATE:
        assert samling is None  # passivate and delete are never planned
        services.klasse_passivate(actor=None, klasse=klasse)
        return
    felter, stier = _felter(data, klasse=klasse, samling=samling)
    facet = gaeldende(data, "relationer", "facet", nu)
    if facet is not None and som_uuid(facet.post.get("uuid")) != klasse.klassifikation_id:
        raise Afvist([fejl(f"{facet.sti}.uuid", "En klasse kan ikke flyttes til en anden facet.")])
    kald(
        stier, services.klasse_update, actor=None, klasse=klasse, aendringer=felter,
        samling=samling,
    )  # fmt: skip


# --- a chunk's classes, planned together -------------------------------------------------------


def _naevner_betegnelser(data: Any) -> bool:
    attributter = data.get("attributter") if isinstance(data, dict) else None
    poster_ = attributter.get("klasseegenskaber") if isinstance(attributter, dict) else None
    return any(
        isinstance(post, dict) and "soegeord" in post
        for post in (poster_ if isinstance(poster_, list) else ())
    )


def kan_planlaegges(besked: Besked) -> bool:
    """Return whether a klasse message is planned into the chunk's unit of work rather
    than written at once (after the plans before it).

    Planned: creates, and updates that neither name the parent (a move rewrites the
    subtree's paths in the database) nor the terms (matched against the terms in the
    database). Passivate and delete are written at once, as a single message is.
    """
    if besked.operation in OPRETTER:
        return True
    if besked.operation != Operation.UPDATE:
        return False
    data = besked.data if isinstance(besked.data, dict) else {}
    return not (naevnt(data, "relationer", "overordnetklasse") or _naevner_betegnelser(data))


def _koder(data: Any) -> set[str]:
    attributter = data.get("attributter") if isinstance(data, dict) else None
    poster_ = attributter.get("klasseegenskaber") if isinstance(attributter, dict) else None
    return {
        str(post["brugervendtnoegle"] or "")
        for post in (poster_ if isinstance(poster_, list) else ())
        if isinstance(post, dict) and "brugervendtnoegle" in post
    }


def forbered(beskeder: Sequence[Besked], samling: historik.Samling) -> None:
    """Load, in one go per kind, what a chunk's planned klasse messages read: their classes
    (locked), the parents they name, the code systems they may go in, those code systems'
    last places and which classes have the codes the messages give."""
    planlagte = [b for b in beskeder if kan_planlaegges(b)]
    if not planlagte:
        return
    arbejde = services.klasse_arbejde(samling)
    arbejde.hent({b.objekt_id for b in planlagte}, laas=True)
    arbejde.hent(set().union(*(_relationer(b.data, "overordnetklasse") for b in planlagte)),
                 laas=False)  # fmt: skip
    # per system: the code systems its messages may put a class in or change one of (an
    # update names none: its class may be new in the chunk, in any of them), and its codes
    uris: set[str] = set()
    pr_system: dict[uuid.UUID, tuple[set[uuid.UUID], set[str]]] = {}
    for b in planlagte:
        egne, koder = pr_system.setdefault(
            b.system.uuid, ({egen_klassifikation_id(b.system)}, set())
        )
        uris.add(system_uri(b.system))
        for facet in _relationer(b.data, "facet"):
            egne.add(facet)
            uris.add(f"{system_uri(b.system)}:facet:{facet}")
        if b.operation not in OPRETTER:
            fundet = arbejde.klasse(b.objekt_id)
            if fundet is not None:
                egne.add(fundet.klassifikation_id)
        koder |= _koder(b.data)
    arbejde.kend(
        uris=uris,
        kodesystemer=set().union(*(egne for egne, _k in pr_system.values())),
        koder={(k, kode) for egne, koder in pr_system.values() for k in egne for kode in koder},
    )


def skal_skrives_foer(besked: Besked, samling: historik.Samling) -> bool:
    """Return whether the chunk's planned classes must be written before `besked` is
    applied: any message of another kind (tilstand and indsats read classes and cache
    them and their rules, units their types), and a klasse message written at once."""
    arbejde = samling.har(services.KlasseArbejde)
    if arbejde is None or not arbejde.planer:
        return False
    return besked.objekttype != "klasse" or not kan_planlaegges(besked)


def skriv(samling: historik.Samling) -> None:
    """Write the chunk's planned code systems and classes, and enqueue the messages that
    waited for the new classes."""
    arbejde = samling.har(services.KlasseArbejde)
    if arbejde is None or not arbejde.planer:
        return
    nye = arbejde.nye_klasser()  # type: ignore[attr-defined]
    arbejde.skriv()
    memo.glem()  # classes were written: rows cached for this chunk may be stale
    vaek_ventende("klasse", "overordnetklasse", *nye)


def skrevet_uden_om(samling: historik.Samling) -> None:
    """After a klasse message written at once: the unit of work forgets what it read (its
    plans were written before)."""
    arbejde = samling.har(services.KlasseArbejde)
    if arbejde is not None:
        arbejde.glem()  # type: ignore[attr-defined]
