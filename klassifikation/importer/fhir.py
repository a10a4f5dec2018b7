"""Read and check FHIR terminology files (CodeSystem, supplement, ConceptMap), without the database.

Every problem is collected with the file name and the JSON path where it is
(`concept[3].concept[0].code`), so one run can report them all.

Concept properties: `status` (active, experimental, draft, deprecated, retired) and `inactive`
set the class's status; `effectiveDate` and `retirementDate` its validity; `parent` and
`child` its place in the tree, besides nesting. `deprecated`/`deprecationDate` only
discourage use (FHIR), so they stay in `egenskaber` with every other property.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from klassifikation.models import MappingRelation, Status

MAKS_FEJL = 25
_MAKS_DYBDE = 100

_STATUS = {s.value for s in Status}
# FHIR concept status (concept-properties#status) → Klasse.status. "deprecated" still valid.
_BEGREB_STATUS = {
    "active": Status.AKTIV,
    "deprecated": Status.AKTIV,
    "experimental": Status.UDKAST,
    "draft": Status.UDKAST,
    "retired": Status.UDGAAET,
}
# R4 `equivalence` and R5 `relationship`, read from the source to the target (SKOS-style).
_RELATION = {
    "equal": MappingRelation.EXACT,
    "equivalent": MappingRelation.EXACT,
    "wider": MappingRelation.BROAD,
    "subsumes": MappingRelation.BROAD,
    "source-is-narrower-than-target": MappingRelation.BROAD,
    "narrower": MappingRelation.NARROW,
    "specializes": MappingRelation.NARROW,
    "source-is-broader-than-target": MappingRelation.NARROW,
    "relatedto": MappingRelation.RELATED,
    "related-to": MappingRelation.RELATED,
    "inexact": MappingRelation.CLOSE,
    "close": MappingRelation.CLOSE,
}
# Statements that two concepts do *not* correspond: nothing to store.
_INGEN_RELATION = {"unmatched", "disjoint", "not-related-to"}
_VAERDI_TYPER: dict[str, tuple[type, ...]] = {
    "valueCode": (str,),
    "valueString": (str,),
    "valueDateTime": (str,),
    "valueBoolean": (bool,),
    "valueInteger": (int,),
    "valueDecimal": (int, float),
    "valueCoding": (dict,),
}


# -- Parsed resources ------------------------------------------------------------------------


@dataclass
class Designation:
    """A `designation`: another word for a concept, perhaps with the profession using it."""

    tekst: str
    sprog: str
    brug_system: str
    brug_kode: str
    brug_tekst: str
    sti: str


@dataclass
class Concept:
    """A `concept`, with its place in the tree once the whole file is read."""

    kode: str
    titel: str
    definition: str
    sti: str  # JSON path, for messages
    indlejret_i: str | None
    forfaedre: list[str] = field(default_factory=list)  # own codes, root → parent
    foraeldre: list[str] = field(default_factory=list)  # from `parent` properties
    boern: list[str] = field(default_factory=list)  # from `child` properties
    egenskaber: dict[str, Any] = field(default_factory=dict)
    status: str = Status.AKTIV
    gyldig_fra: datetime.date | None = None
    gyldig_til: datetime.date | None = None
    betegnelser: list[Designation] = field(default_factory=list)
    raekkefoelge: int = 0


@dataclass
class CodeSystem:
    """A CodeSystem resource, or a supplement to one (`indhold` "supplement")."""

    fil: Path
    uri: str
    version: str
    navn: str
    titel: str
    beskrivelse: str
    ejer: str
    kilde: str
    status: str
    indhold: str
    sprog: str
    supplerer: str  # canonical URI of the supplemented code system, or ""
    begreber: list[Concept]  # the tree in pre-order (file order for a supplement)

    @property
    def er_supplement(self) -> bool:
        return self.indhold == "supplement"


@dataclass
class MapTarget:
    """One `group.element.target` of a ConceptMap: source code, target code, relation."""

    fra_system: str
    fra_kode: str
    til_system: str
    til_kode: str
    relation: str
    kommentar: str
    sti: str


@dataclass
class ConceptMap:
    """A ConceptMap resource with its mappings (statements of no relation left out)."""

    fil: Path
    uri: str
    version: str
    navn: str
    titel: str
    beskrivelse: str
    ejer: str
    status: str
    mappings: list[MapTarget]


class Fejlliste:
    """Collects problems (file: JSON path: message), so one run reports them all."""

    def __init__(self) -> None:
        self.beskeder: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.beskeder)

    def add(self, fil: Path, sti: str, besked: str) -> None:
        self.beskeder.append(f"{fil.name}: {sti}: {besked}" if sti else f"{fil.name}: {besked}")

    def raise_if_any(self) -> None:
        if not self.beskeder:
            return
        vist = self.beskeder[:MAKS_FEJL]
        if len(self.beskeder) > MAKS_FEJL:
            vist.append(_("… og %(antal)d fejl mere.") % {"antal": len(self.beskeder) - MAKS_FEJL})
        raise ValidationError(
            [ValidationError(besked, code="ugyldig_fil") for besked in vist],
        )


# -- Reading ---------------------------------------------------------------------------------


def laes(fil: Path, fejl: Fejlliste) -> CodeSystem | ConceptMap | None:
    """Read one file; add its problems to `fejl` (then the result is incomplete or None).

    In a supplement only codes and designations count; its properties are read and checked
    but not imported, since they would belong to another file's classes.
    """
    try:
        data = json.loads(fil.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        fejl.add(fil, "", _("filen er ikke UTF-8-tekst."))
        return None
    except json.JSONDecodeError as e:
        fejl.add(
            fil,
            "",
            _("ikke gyldig JSON (linje %(linje)d, kolonne %(kolonne)d): %(fejl)s")
            % {"linje": e.lineno, "kolonne": e.colno, "fejl": e.msg},
        )
        return None
    except OSError as e:
        fejl.add(fil, "", _("filen kan ikke læses: %(fejl)s") % {"fejl": e.strerror})
        return None
    if not isinstance(data, dict):
        fejl.add(
            fil, "", _("forventede et JSON-objekt, fandt %(type)s.") % {"type": _typenavn(data)}
        )
        return None
    art = data.get("resourceType")
    if art == "CodeSystem":
        return _laes_kodesystem(fil, data, fejl)
    if art == "ConceptMap":
        return _laes_begrebskort(fil, data, fejl)
    fejl.add(
        fil,
        "resourceType",
        _("er %(art)s; forventede CodeSystem eller ConceptMap.") % {"art": json.dumps(art)},
    )
    return None


class _Laeser:
    """Typed access to one JSON object, reporting wrong types with their path."""

    def __init__(self, fil: Path, fejl: Fejlliste) -> None:
        self.fil = fil
        self.fejl = fejl

    def tekst(
        self,
        objekt: dict,
        noegle: str,
        sti: str,
        *,
        paakraevet: bool = False,
        maks: int | None = None,
    ) -> str:
        felt = jsonsti(sti, noegle)
        vaerdi = objekt.get(noegle)
        if vaerdi is None:
            if paakraevet:
                self.fejl.add(self.fil, felt, _("mangler."))
            return ""
        if not isinstance(vaerdi, str):
            self.fejl.add(
                self.fil, felt, _("skal være en tekst, er %(type)s.") % {"type": _typenavn(vaerdi)}
            )
            return ""
        if paakraevet and not vaerdi.strip():
            self.fejl.add(self.fil, felt, _("er tom."))
        if maks is not None and len(vaerdi) > maks:
            self.fejl.add(
                self.fil,
                felt,
                _("er %(laengde)d tegn; højst %(maks)d er tilladt.")
                % {"laengde": len(vaerdi), "maks": maks},
            )
            return vaerdi[:maks]
        return vaerdi

    def liste(self, objekt: dict, noegle: str, sti: str) -> list:
        vaerdi = objekt.get(noegle)
        if vaerdi is None:
            return []
        if not isinstance(vaerdi, list):
            self.fejl.add(
                self.fil,
                jsonsti(sti, noegle),
                _("skal være en liste, er %(type)s.") % {"type": _typenavn(vaerdi)},
            )
            return []
        return vaerdi

    def objekter(self, objekt: dict, noegle: str, sti: str) -> list[tuple[str, dict]]:
        resultat = []
        for i, element in enumerate(self.liste(objekt, noegle, sti)):
            element_sti = f"{jsonsti(sti, noegle)}[{i}]"
            if isinstance(element, dict):
                resultat.append((element_sti, element))
            else:
                self.fejl.add(
                    self.fil,
                    element_sti,
                    _("skal være et objekt, er %(type)s.") % {"type": _typenavn(element)},
                )
        return resultat

    def status(self, data: dict) -> str:
        status = self.tekst(data, "status", "") or Status.AKTIV
        if status not in _STATUS:
            self.fejl.add(
                self.fil,
                "status",
                _("ukendt status %(status)s; forventede draft, active, retired eller unknown.")
                % {"status": json.dumps(status)},
            )
            return Status.UKENDT
        return status


def _laes_metadata(laeser: _Laeser, data: dict) -> dict[str, str]:
    uri = laeser.tekst(data, "url", "", paakraevet=True, maks=255).strip()
    name = laeser.tekst(data, "name", "", maks=128)
    title = laeser.tekst(data, "title", "", maks=255)
    ressource_id = laeser.tekst(data, "id", "")
    return {
        "uri": uri,
        "version": laeser.tekst(data, "version", "", maks=64),
        "navn": (name or ressource_id or uri)[:128],
        "titel": (title or name or uri)[:255],
        "beskrivelse": laeser.tekst(data, "description", ""),
        "ejer": laeser.tekst(data, "publisher", "", maks=255),
        "status": laeser.status(data),
    }


def _laes_kodesystem(fil: Path, data: dict, fejl: Fejlliste) -> CodeSystem | None:
    laeser = _Laeser(fil, fejl)
    metadata = _laes_metadata(laeser, data)
    indhold = laeser.tekst(data, "content", "") or "complete"
    if indhold not in {"complete", "fragment", "example", "supplement", "not-present"}:
        fejl.add(fil, "content", _("ukendt værdi %(v)s.") % {"v": json.dumps(indhold)})
    if indhold == "not-present":
        fejl.add(fil, "content", _("er not-present: filen indeholder ingen begreber at importere."))
    supplerer = ""
    if indhold == "supplement":
        supplerer = laeser.tekst(data, "supplements", "", paakraevet=True).split("|")[0].strip()
        if supplerer and supplerer == metadata["uri"]:
            fejl.add(fil, "supplements", _("et supplement kan ikke supplere sig selv."))
    kodesystem = CodeSystem(
        fil=fil,
        kilde=laeser.tekst(data, "copyright", ""),
        indhold=indhold,
        sprog=laeser.tekst(data, "language", "", maks=16) or "da",
        supplerer=supplerer,
        begreber=[],
        **metadata,
    )
    begreber: list[Concept] = []
    _laes_begreber(laeser, data, "", None, 0, begreber, kodesystem.sprog)
    if kodesystem.er_supplement:
        _tjek_dubletter(laeser, begreber)
        kodesystem.begreber = begreber
    else:
        kodesystem.begreber = _byg_trae(laeser, begreber)
    antal = data.get("count")
    if indhold == "complete" and isinstance(antal, int) and antal != len(begreber):
        fejl.add(
            fil,
            "count",
            _("siger %(antal)d begreber, men filen har %(fundet)d.")
            % {"antal": antal, "fundet": len(begreber)},
        )
    return kodesystem


def _laes_begreber(
    laeser: _Laeser,
    objekt: dict,
    sti: str,
    overordnet: str | None,
    dybde: int,
    ud: list[Concept],
    sprog: str,
) -> None:
    if dybde > _MAKS_DYBDE:
        laeser.fejl.add(laeser.fil, sti, _("begreberne er indlejret for dybt."))
        return
    for begreb_sti, data in laeser.objekter(objekt, "concept", sti):
        kode = laeser.tekst(data, "code", begreb_sti, paakraevet=True, maks=128)
        if kode and kode != kode.strip():
            laeser.fejl.add(
                laeser.fil,
                jsonsti(begreb_sti, "code"),
                _("må ikke begynde eller slutte med mellemrum."),
            )
        display = laeser.tekst(data, "display", begreb_sti, maks=500)
        begreb = Concept(
            kode=kode,
            titel=display.strip() or kode,
            definition=laeser.tekst(data, "definition", begreb_sti),
            sti=begreb_sti,
            indlejret_i=overordnet,
        )
        _laes_egenskaber(laeser, data, begreb)
        for betegnelse_sti, betegnelse in laeser.objekter(data, "designation", begreb_sti):
            tekst = laeser.tekst(betegnelse, "value", betegnelse_sti, paakraevet=True, maks=500)
            brug = betegnelse.get("use")
            if brug is not None and not isinstance(brug, dict):
                laeser.fejl.add(
                    laeser.fil,
                    jsonsti(betegnelse_sti, "use"),
                    _("skal være en Coding (et objekt), er %(type)s.") % {"type": _typenavn(brug)},
                )
                brug = None
            brug = brug or {}
            brug_sti = jsonsti(betegnelse_sti, "use")
            begreb.betegnelser.append(
                Designation(
                    tekst=tekst.strip(),
                    sprog=laeser.tekst(betegnelse, "language", betegnelse_sti, maks=16) or sprog,
                    brug_system=laeser.tekst(brug, "system", brug_sti).split("|")[0],
                    brug_kode=laeser.tekst(brug, "code", brug_sti),
                    brug_tekst=laeser.tekst(brug, "display", brug_sti),
                    sti=betegnelse_sti,
                )
            )
        ud.append(begreb)
        _laes_begreber(laeser, data, begreb_sti, kode or None, dybde + 1, ud, sprog)


def _laes_egenskaber(laeser: _Laeser, data: dict, begreb: Concept) -> None:
    for sti, egenskab in laeser.objekter(data, "property", begreb.sti):
        kode = laeser.tekst(egenskab, "code", sti, paakraevet=True)
        vaerdier = [k for k in egenskab if k.startswith("value")]
        if len(vaerdier) != 1:
            laeser.fejl.add(laeser.fil, sti, _("skal have præcis én value[x]."))
            continue
        noegle = vaerdier[0]
        vaerdi = egenskab[noegle]
        typer = _VAERDI_TYPER.get(noegle)
        if typer is None:
            laeser.fejl.add(laeser.fil, jsonsti(sti, noegle), _("ukendt værditype."))
            continue
        if not isinstance(vaerdi, typer) or (noegle != "valueBoolean" and isinstance(vaerdi, bool)):
            laeser.fejl.add(
                laeser.fil,
                jsonsti(sti, noegle),
                _("har forkert type (%(type)s).") % {"type": _typenavn(vaerdi)},
            )
            continue
        if not kode:
            continue
        vaerdi_sti = jsonsti(sti, noegle)
        if kode == "parent":
            if noegle == "valueCode":
                begreb.foraeldre.append(vaerdi)
            else:
                laeser.fejl.add(laeser.fil, vaerdi_sti, _("parent skal være en valueCode."))
            continue
        if kode == "child":
            if noegle == "valueCode":
                begreb.boern.append(vaerdi)
            else:
                laeser.fejl.add(laeser.fil, vaerdi_sti, _("child skal være en valueCode."))
            continue
        if kode == "status":
            if noegle != "valueCode":
                laeser.fejl.add(laeser.fil, vaerdi_sti, _("status skal være en valueCode."))
            else:
                begreb.status = _BEGREB_STATUS.get(vaerdi, Status.UKENDT)
        elif kode == "inactive" and noegle == "valueBoolean":
            if "status" not in begreb.egenskaber:
                begreb.status = Status.UDGAAET if vaerdi else Status.AKTIV
        elif kode in {"effectiveDate", "retirementDate"}:
            dato = _dato(vaerdi) if noegle == "valueDateTime" else None
            if dato is None:
                laeser.fejl.add(
                    laeser.fil,
                    vaerdi_sti,
                    _("skal være en valueDateTime med en dato (ÅÅÅÅ-MM-DD)."),
                )
            elif kode == "effectiveDate":
                begreb.gyldig_fra = dato
            else:
                begreb.gyldig_til = dato
        # Every other property, and the raw value of the ones above, is kept as it came.
        if kode in begreb.egenskaber:
            tidligere = begreb.egenskaber[kode]
            if not isinstance(tidligere, list):
                tidligere = [tidligere]
            begreb.egenskaber[kode] = [*tidligere, vaerdi]
        else:
            begreb.egenskaber[kode] = vaerdi
    if begreb.gyldig_fra and begreb.gyldig_til and begreb.gyldig_til <= begreb.gyldig_fra:
        laeser.fejl.add(
            laeser.fil,
            jsonsti(begreb.sti, "property"),
            _("retirementDate (%(til)s) skal ligge efter effectiveDate (%(fra)s).")
            % {"til": begreb.gyldig_til, "fra": begreb.gyldig_fra},
        )


def _tjek_dubletter(laeser: _Laeser, begreber: list[Concept]) -> dict[str, Concept]:
    efter_kode: dict[str, Concept] = {}
    for begreb in begreber:
        if not begreb.kode:
            continue
        if begreb.kode in efter_kode:
            laeser.fejl.add(
                laeser.fil,
                jsonsti(begreb.sti, "code"),
                _("koden %(kode)s findes allerede i %(andet)s.")
                % {"kode": json.dumps(begreb.kode), "andet": efter_kode[begreb.kode].sti},
            )
        else:
            efter_kode[begreb.kode] = begreb
    return efter_kode


def _byg_trae(laeser: _Laeser, begreber: list[Concept]) -> list[Concept]:
    """Return the concepts in tree pre-order, with each one's ancestors; report cycles."""
    fejl_foer = len(laeser.fejl.beskeder)
    efter_kode = _tjek_dubletter(laeser, begreber)
    foraeldre: dict[str, list[str]] = {k: [] for k in efter_kode}
    for begreb in efter_kode.values():
        if begreb.indlejret_i:
            foraeldre[begreb.kode].append(begreb.indlejret_i)
    for begreb in efter_kode.values():
        for egenskab, andre in (("parent", begreb.foraeldre), ("child", begreb.boern)):
            for anden in andre:
                sti = jsonsti(begreb.sti, "property")
                if anden not in efter_kode:
                    laeser.fejl.add(
                        laeser.fil,
                        sti,
                        _("%(egenskab)s peger på koden %(kode)s, som ikke findes i filen.")
                        % {"egenskab": egenskab, "kode": json.dumps(anden)},
                    )
                elif anden == begreb.kode:
                    laeser.fejl.add(
                        laeser.fil,
                        sti,
                        _("%(egenskab)s peger på begrebet selv.") % {"egenskab": egenskab},
                    )
                else:
                    barn, foraelder = (
                        (begreb.kode, anden) if egenskab == "parent" else (anden, begreb.kode)
                    )
                    if foraelder not in foraeldre[barn]:
                        foraeldre[barn].append(foraelder)
    if len(laeser.fejl.beskeder) > fejl_foer:
        return []

    # One parent per class (the nesting, else the first `parent`); the tree needs no more.
    overordnet = {k: f[0] for k, f in foraeldre.items() if f}
    for kode, f in foraeldre.items():
        if len(f) > 1:
            efter_kode[kode].egenskaber["parent"] = f
    forfaedre: dict[str, list[str]] = {}
    for start in efter_kode:
        vej: list[str] = []
        paa_vej: set[str] = set()
        kode: str | None = start
        while kode is not None and kode not in forfaedre:
            if kode in paa_vej:
                ring = [*vej[vej.index(kode) :], kode]
                laeser.fejl.add(
                    laeser.fil,
                    jsonsti(efter_kode[kode].sti, "property"),
                    _("overordnet-relationerne danner en ring: %(ring)s.")
                    % {"ring": " → ".join(ring)},
                )
                for k in vej:
                    forfaedre[k] = []
                break
            paa_vej.add(kode)
            vej.append(kode)
            kode = overordnet.get(kode)
        else:
            base = [*forfaedre[kode], kode] if kode is not None else []
            for k in reversed(vej):
                forfaedre[k] = base
                base = [*base, k]
    if len(laeser.fejl.beskeder) > fejl_foer:
        return []

    boern: dict[str | None, list[str]] = {}
    for kode in efter_kode:
        boern.setdefault(overordnet.get(kode), []).append(kode)
    orden: list[Concept] = []
    stak = list(reversed(boern.get(None, [])))
    while stak:
        kode = stak.pop()
        begreb = efter_kode[kode]
        begreb.forfaedre = forfaedre[kode]
        begreb.raekkefoelge = len(orden)
        orden.append(begreb)
        stak.extend(reversed(boern.get(kode, [])))
    return orden


def _laes_begrebskort(fil: Path, data: dict, fejl: Fejlliste) -> ConceptMap:
    laeser = _Laeser(fil, fejl)
    kort = ConceptMap(fil=fil, mappings=[], **_laes_metadata(laeser, data))
    for gruppe_sti, gruppe in laeser.objekter(data, "group", ""):
        fra_system = laeser.tekst(gruppe, "source", gruppe_sti, paakraevet=True).split("|")[0]
        til_system = laeser.tekst(gruppe, "target", gruppe_sti, paakraevet=True).split("|")[0]
        for element_sti, element in laeser.objekter(gruppe, "element", gruppe_sti):
            fra_kode = laeser.tekst(element, "code", element_sti, paakraevet=True)
            for maal_sti, maal in laeser.objekter(element, "target", element_sti):
                noegle = "relationship" if "relationship" in maal else "equivalence"
                relation = laeser.tekst(maal, noegle, maal_sti, paakraevet=True)
                if relation in _INGEN_RELATION:
                    continue
                til_kode = laeser.tekst(maal, "code", maal_sti, paakraevet=True)
                if relation and relation not in _RELATION:
                    fejl.add(
                        fil,
                        jsonsti(maal_sti, noegle),
                        _("ukendt relation %(relation)s.") % {"relation": json.dumps(relation)},
                    )
                    continue
                if fra_system == til_system and fra_kode == til_kode and fra_kode:
                    fejl.add(fil, maal_sti, _("et begreb kan ikke mappes til sig selv."))
                    continue
                kort.mappings.append(
                    MapTarget(
                        fra_system=fra_system,
                        fra_kode=fra_kode,
                        til_system=til_system,
                        til_kode=til_kode,
                        relation=_RELATION.get(relation, ""),
                        kommentar=laeser.tekst(maal, "comment", maal_sti),
                        sti=maal_sti,
                    )
                )
    return kort


# -- Helpers ---------------------------------------------------------------------------------


def jsonsti(sti: str, noegle: str) -> str:
    return f"{sti}.{noegle}" if sti else noegle


def _typenavn(vaerdi: Any) -> str:
    if vaerdi is None:
        return "null"
    if isinstance(vaerdi, bool):
        return _("en sandhedsværdi")
    if isinstance(vaerdi, int | float):
        return _("et tal")
    if isinstance(vaerdi, str):
        return _("en tekst")
    if isinstance(vaerdi, list):
        return _("en liste")
    return _("et objekt")


def _dato(tekst: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(tekst[:10])
    except ValueError:
        return None
