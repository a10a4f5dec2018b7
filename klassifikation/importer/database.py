"""Check parsed FHIR files against the database, then write only what differs."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from klassifikation.importer.fhir import (
    CodeSystem,
    Concept,
    ConceptMap,
    Fejlliste,
    jsonsti,
)
from klassifikation.models import (
    KLASSE_NAMESPACE,
    Betegnelse,
    Klasse,
    Klassifikation,
    Mapping,
    Mappingsaet,
    Status,
    Supplement,
    klasse_uuid,
)

_KLASSE_FELTER = (
    "titel",
    "definition",
    "overordnet",
    "sti",
    "niveau",
    "raekkefoelge",
    "status",
    "egenskaber",
    "gyldig_fra",
    "gyldig_til",
)


# -- Results ---------------------------------------------------------------------------------


@dataclass
class Importresultat:
    """What importing one file changed."""

    fil: Path
    art: str  # "CodeSystem", "supplement" or "ConceptMap"
    uri: str
    titel: str
    version: str
    oprettet: int = 0
    aendret: int = 0
    uaendret: int = 0
    udgaaet: int = 0
    betegnelser_oprettet: int = 0
    betegnelser_aendret: int = 0
    betegnelser_uaendret: int = 0
    betegnelser_slettet: int = 0
    slettet: int = 0  # mappings that left the ConceptMap
    metadata_aendret: bool = False  # version, title, status, publisher, ...
    sekunder: float = 0.0

    @property
    def aendringer(self) -> int:
        """Return how many rows the import created, changed, retired or deleted."""
        return (
            int(self.metadata_aendret)
            + self.oprettet
            + self.aendret
            + self.udgaaet
            + self.slettet
            + self.betegnelser_oprettet
            + self.betegnelser_aendret
            + self.betegnelser_slettet
        )

    def opsummering(self) -> str:
        """Return a one-line summary in Danish."""
        navn = f"{self.titel} {self.version}".strip()
        betegnelser = _(
            "betegnelser: %(nye)d nye, %(aendrede)d ændrede, %(uaendrede)d uændrede, "
            "%(slettede)d slettede"
        ) % {
            "nye": self.betegnelser_oprettet,
            "aendrede": self.betegnelser_aendret,
            "uaendrede": self.betegnelser_uaendret,
            "slettede": self.betegnelser_slettet,
        }
        tal = {"nye": self.oprettet, "aendrede": self.aendret, "uaendrede": self.uaendret}
        if self.art == "CodeSystem":
            tekst = _(
                "klasser: %(nye)d nye, %(aendrede)d ændrede, %(uaendrede)d uændrede, "
                "%(udgaaede)d udgåede"
            ) % {**tal, "udgaaede": self.udgaaet}
            if self.betegnelser_oprettet + self.betegnelser_uaendret + self.betegnelser_slettet:
                tekst = f"{tekst}; {betegnelser}"
        elif self.art == "supplement":
            navn = _("supplement %(navn)s") % {"navn": navn}
            tekst = betegnelser
        else:
            tekst = _(
                "mappings: %(nye)d nye, %(aendrede)d ændrede, %(uaendrede)d uændrede, "
                "%(slettede)d slettede"
            ) % {**tal, "slettede": self.slettet}
        sekunder = f"{self.sekunder:.2f}".replace(".", ",")
        return f"{self.fil.name}: {navn} – {tekst} ({sekunder} s)"


# -- Checking and writing --------------------------------------------------------------------


@dataclass
class _KlassifikationPlan:
    kodesystem: CodeSystem
    eksisterende: Klassifikation | None = None
    klasser: dict[str, Klasse] = field(default_factory=dict)  # stored, by code
    ids: dict[str, uuid.UUID] = field(default_factory=dict)  # file and stored codes


class Plan:
    """A batch of parsed files: `tjek` checks them against the database, `skriv` writes them.

    `tjek` reads only; it resolves every code to a class id and records problems. `skriv`
    then compares with what is stored and writes only the rows that differ, in bulk.
    """

    def __init__(
        self,
        *,
        basis: list[CodeSystem],
        supplementer: list[CodeSystem],
        kort: list[ConceptMap],
        force: bool,
    ) -> None:
        self.basis = [_KlassifikationPlan(k) for k in basis]
        self.supplementer = supplementer
        self.kort = kort
        self.force = force
        self._koder: dict[str, dict[str, uuid.UUID] | None] = {}
        self._supplementer: dict[str, Supplement] = {}
        self._mappingsaet: dict[str, Mappingsaet] = {}
        self._klassifikationer: dict[str, Klassifikation] = {}
        # Resolved in `tjek`, written in `skriv`.
        self._betegnelser: dict[str, dict[tuple, tuple[str, str]]] = {}
        self._mappings: dict[str, dict[tuple, str]] = {}

    # Step 2 --------------------------------------------------------------------------------

    def tjek(self, fejl: Fejlliste) -> None:
        alle = [p.kodesystem for p in self.basis] + self.supplementer + self.kort
        set_uri: dict[str, Path] = {}
        for ressource in alle:
            if ressource.uri in set_uri:
                fejl.add(
                    ressource.fil,
                    "url",
                    _("%(uri)s importeres også fra %(anden)s.")
                    % {"uri": ressource.uri, "anden": set_uri[ressource.uri].name},
                )
            set_uri[ressource.uri] = ressource.fil
        uris = list(set_uri)
        self._klassifikationer = {k.uri: k for k in Klassifikation.objects.filter(uri__in=uris)}
        self._supplementer = {s.uri: s for s in Supplement.objects.filter(uri__in=uris)}
        self._mappingsaet = {m.uri: m for m in Mappingsaet.objects.filter(uri__in=uris)}
        for ressource, art, gemte in (
            *((p.kodesystem, "CodeSystem", self._klassifikationer) for p in self.basis),
            *((s, "supplement", self._supplementer) for s in self.supplementer),
            *((k, "ConceptMap", self._mappingsaet) for k in self.kort),
        ):
            andre = [
                navn
                for navn, d in (
                    (_("et kodesystem"), self._klassifikationer),
                    (_("et supplement"), self._supplementer),
                    (_("et mappingsæt"), self._mappingsaet),
                )
                if d is not gemte and ressource.uri in d
            ]
            if andre:
                fejl.add(
                    ressource.fil,
                    "url",
                    _("%(uri)s er allerede importeret som %(andet)s.")
                    % {"uri": ressource.uri, "andet": andre[0]},
                )
            gemt = gemte.get(ressource.uri)
            if gemt is not None and not self.force and _er_aeldre(ressource.version, gemt.version):
                fejl.add(
                    ressource.fil,
                    "version",
                    _(
                        "version %(ny)s er ældre end den importerede version %(gemt)s af %(art)s "
                        "%(uri)s. Brug --force for at importere den alligevel."
                    )
                    % {
                        "ny": ressource.version,
                        "gemt": gemt.version,
                        "art": art,
                        "uri": ressource.uri,
                    },
                )
        if fejl:
            return
        self._tjek_klasser(fejl)
        if fejl:
            return
        for plan in self.basis:
            self._betegnelser[plan.kodesystem.uri] = self._tjek_betegnelser(
                plan.kodesystem, plan.kodesystem.uri, fejl
            )
        for supplement in self.supplementer:
            if self._koder_i(supplement.supplerer) is None:
                fejl.add(
                    supplement.fil,
                    "supplements",
                    _(
                        "supplerer %(uri)s, som ikke er importeret. Importér kodesystemet først "
                        "(eller i samme kommando)."
                    )
                    % {"uri": supplement.supplerer},
                )
                continue
            self._betegnelser[supplement.uri] = self._tjek_betegnelser(
                supplement, supplement.supplerer, fejl
            )
        for kort in self.kort:
            self._mappings[kort.uri] = self._tjek_mappings(kort, fejl)

    def _tjek_klasser(self, fejl: Fejlliste) -> None:
        eksisterende_ids = {
            p.kodesystem.uri: self._klassifikationer.get(p.kodesystem.uri) for p in self.basis
        }
        gemte = Klasse.objects.filter(
            klassifikation__in=[k for k in eksisterende_ids.values() if k is not None]
        )
        efter_klassifikation: dict[uuid.UUID, dict[str, Klasse]] = {}
        for klasse in gemte:
            efter_klassifikation.setdefault(klasse.klassifikation_id, {})[klasse.kode] = klasse
        nye: dict[uuid.UUID, tuple[CodeSystem, Concept]] = {}
        for plan in self.basis:
            ks = plan.kodesystem
            plan.eksisterende = eksisterende_ids[ks.uri]
            if plan.eksisterende is not None:
                plan.klasser = efter_klassifikation.get(plan.eksisterende.id, {})
            plan.ids = {kode: k.id for kode, k in plan.klasser.items()}
            for begreb in ks.begreber:
                if begreb.kode in plan.ids:
                    continue
                klasse_id = klasse_uuid(ks.uri, begreb.kode)
                if klasse_id in nye:
                    andet, andet_begreb = nye[klasse_id]
                    fejl.add(
                        ks.fil,
                        jsonsti(begreb.sti, "code"),
                        _("koden %(kode)s giver samme id (%(id)s) som %(andet)s i %(fil)s.")
                        % {
                            "kode": json.dumps(begreb.kode),
                            "id": klasse_id,
                            "andet": andet_begreb.sti,
                            "fil": andet.fil.name,
                        },
                    )
                nye[klasse_id] = (ks, begreb)
                plan.ids[begreb.kode] = klasse_id
            self._koder[ks.uri] = plan.ids
        # A UUID code is the class's id, so it must not be taken by another class already.
        for klasse in Klasse.objects.filter(id__in=list(nye)).select_related("klassifikation"):
            ks, begreb = nye[klasse.id]
            fejl.add(
                ks.fil,
                jsonsti(begreb.sti, "code"),
                _("id %(id)s bruges allerede af klassen %(kode)s i %(andet)s.")
                % {
                    "id": klasse.id,
                    "kode": json.dumps(klasse.kode),
                    "andet": klasse.klassifikation.uri,
                },
            )

    def _koder_i(self, uri: str) -> dict[str, uuid.UUID] | None:
        """Return the codes of a code system (this batch's or stored), None if unknown."""
        if not uri:
            return None
        if uri not in self._koder:
            koder = dict(Klasse.objects.filter(klassifikation__uri=uri).values_list("kode", "id"))
            if not koder and not Klassifikation.objects.filter(uri=uri).exists():
                self._koder[uri] = None
            else:
                self._koder[uri] = koder
        return self._koder[uri]

    def _tjek_betegnelser(
        self, ks: CodeSystem, klassifikation_uri: str, fejl: Fejlliste
    ) -> dict[tuple, tuple[str, str]]:
        koder = self._koder_i(klassifikation_uri) or {}
        oenskede: dict[tuple, tuple[str, str]] = {}
        for begreb in ks.begreber:
            klasse_id = koder.get(begreb.kode)
            if klasse_id is None:
                fejl.add(
                    ks.fil,
                    jsonsti(begreb.sti, "code"),
                    _("koden %(kode)s findes ikke i %(uri)s.")
                    % {"kode": json.dumps(begreb.kode), "uri": klassifikation_uri},
                )
                continue
            for betegnelse in begreb.betegnelser:
                faglighed_id = None
                brug = ""
                brug_koder = self._koder_i(betegnelse.brug_system)
                if brug_koder is not None:
                    faglighed_id = brug_koder.get(betegnelse.brug_kode)
                    if faglighed_id is None:
                        fejl.add(
                            ks.fil,
                            jsonsti(betegnelse.sti, "use.code"),
                            _("koden %(kode)s findes ikke i %(uri)s.")
                            % {
                                "kode": json.dumps(betegnelse.brug_kode),
                                "uri": betegnelse.brug_system,
                            },
                        )
                        continue
                else:
                    brug = (betegnelse.brug_tekst or betegnelse.brug_kode)[:128]
                if betegnelse.tekst:
                    oenskede.setdefault(
                        (klasse_id, betegnelse.tekst, faglighed_id), (betegnelse.sprog, brug)
                    )
        return oenskede

    def _tjek_mappings(self, kort: ConceptMap, fejl: Fejlliste) -> dict[tuple, str]:
        oenskede: dict[tuple, str] = {}
        for mapping in kort.mappings:
            ender = []
            for system, kode, hvad in (
                (mapping.fra_system, mapping.fra_kode, "source"),
                (mapping.til_system, mapping.til_kode, "target"),
            ):
                koder = self._koder_i(system)
                if koder is None:
                    fejl.add(
                        kort.fil,
                        mapping.sti,
                        _("%(hvad)s-kodesystemet %(uri)s er ikke importeret.")
                        % {"hvad": hvad, "uri": system},
                    )
                elif kode not in koder:
                    fejl.add(
                        kort.fil,
                        mapping.sti,
                        _("koden %(kode)s findes ikke i %(uri)s.")
                        % {"kode": json.dumps(kode), "uri": system},
                    )
                else:
                    ender.append(koder[kode])
            if len(ender) == 2 and mapping.relation:
                if ender[0] == ender[1]:
                    fejl.add(kort.fil, mapping.sti, _("et begreb kan ikke mappes til sig selv."))
                    continue
                oenskede.setdefault((ender[0], ender[1], mapping.relation), mapping.kommentar)
        return oenskede

    # Step 3 --------------------------------------------------------------------------------

    def skriv(self, *, fremskridt: Callable[[int, int], None] | None) -> list[Importresultat]:
        nu = timezone.now()
        i_alt = sum(len(p.kodesystem.begreber) for p in self.basis)
        i_alt += sum(len(s.begreber) for s in self.supplementer)
        i_alt += sum(len(k.mappings) for k in self.kort)
        faerdige = 0

        def taeller(antal: int) -> None:
            nonlocal faerdige
            faerdige += antal
            if fremskridt is not None:
                fremskridt(faerdige, i_alt)

        resultater: list[Importresultat] = []
        aendrede_klassifikationer: list[uuid.UUID] = []
        for plan in self.basis:
            start = time.monotonic()
            resultat, _klassifikation = self._skriv_klassifikation(plan)
            resultat.sekunder = time.monotonic() - start
            resultater.append(resultat)
            taeller(len(plan.kodesystem.begreber))
        # Terms after all classes: a term's profession may be a class of another file.
        for plan, resultat in zip(self.basis, resultater, strict=True):
            start = time.monotonic()
            self._skriv_betegnelser(plan.kodesystem.uri, resultat)
            resultat.sekunder += time.monotonic() - start
            if resultat.aendringer:
                aendrede_klassifikationer.append(self._klassifikationer[resultat.uri].id)
        if aendrede_klassifikationer:
            Klassifikation.objects.filter(id__in=aendrede_klassifikationer).update(importeret=nu)

        for supplement in self.supplementer:
            start = time.monotonic()
            resultat, gemt = self._skriv_metadata(
                supplement,
                "supplement",
                Supplement,
                self._supplementer,
                klassifikation_id=self._klassifikation_id(supplement.supplerer),
            )
            self._skriv_betegnelser(supplement.uri, resultat)
            if resultat.aendringer:
                Supplement.objects.filter(id=gemt.id).update(importeret=nu)
            resultat.sekunder = time.monotonic() - start
            resultater.append(resultat)
            taeller(len(supplement.begreber))

        for kort in self.kort:
            start = time.monotonic()
            resultat, mappingsaet = self._skriv_metadata(
                kort, "ConceptMap", Mappingsaet, self._mappingsaet
            )
            self._skriv_mappings(mappingsaet, self._mappings[kort.uri], resultat)
            if resultat.aendringer:
                Mappingsaet.objects.filter(id=mappingsaet.id).update(importeret=nu)
            resultat.sekunder = time.monotonic() - start
            resultater.append(resultat)
            taeller(len(kort.mappings))
        return resultater

    def _klassifikation_id(self, uri: str) -> uuid.UUID:
        klassifikation = self._klassifikationer.get(uri)
        if klassifikation is None:
            klassifikation = Klassifikation.objects.only("id").get(uri=uri)
            self._klassifikationer[uri] = klassifikation
        return klassifikation.id

    def _skriv_metadata(
        self,
        ressource: CodeSystem | ConceptMap,
        art: str,
        model: type[Klassifikation] | type[Supplement] | type[Mappingsaet],
        gemte: dict,
        **ekstra: Any,
    ) -> tuple[Importresultat, Any]:
        """Create or update the row describing a file; return a fresh result and the row."""
        felter = {
            "version": ressource.version,
            "navn": ressource.navn,
            "titel": ressource.titel,
            "beskrivelse": ressource.beskrivelse,
            "ejer": ressource.ejer,
            "status": ressource.status,
            **ekstra,
        }
        resultat = Importresultat(
            fil=ressource.fil,
            art=art,
            uri=ressource.uri,
            titel=ressource.titel,
            version=ressource.version,
        )
        gemt = gemte.get(ressource.uri)
        if gemt is None:
            gemt = model.objects.create(
                id=uuid.uuid5(KLASSE_NAMESPACE, f"{art}|{ressource.uri}"),
                uri=ressource.uri,
                **felter,
            )
            gemte[ressource.uri] = gemt
            resultat.metadata_aendret = True
        else:
            aendrede = [navn for navn, v in felter.items() if _attr(gemt, navn) != v]
            if aendrede:
                for navn in aendrede:
                    setattr(gemt, navn, felter[navn])
                gemt.save(update_fields=[n.removesuffix("_id") for n in aendrede])
                resultat.metadata_aendret = True
        return resultat, gemt

    def _skriv_klassifikation(
        self, plan: _KlassifikationPlan
    ) -> tuple[Importresultat, Klassifikation]:
        ks = plan.kodesystem
        resultat, klassifikation = self._skriv_metadata(
            ks, "CodeSystem", Klassifikation, self._klassifikationer, kilde=ks.kilde
        )
        ids = plan.ids
        nye: list[Klasse] = []
        aendrede: list[Klasse] = []
        aendrede_felter: set[str] = set()
        i_filen: set[str] = set()
        for begreb in ks.begreber:
            i_filen.add(begreb.kode)
            sti = [ids[k] for k in begreb.forfaedre]
            oenskede = {
                "titel": begreb.titel,
                "definition": begreb.definition,
                "overordnet": sti[-1] if sti else None,
                "sti": sti,
                "niveau": len(sti),
                "raekkefoelge": begreb.raekkefoelge,
                "status": begreb.status,
                "egenskaber": begreb.egenskaber,
                "gyldig_fra": begreb.gyldig_fra,
                "gyldig_til": begreb.gyldig_til,
            }
            klasse = plan.klasser.get(begreb.kode)
            if klasse is None:
                overordnet_id = oenskede.pop("overordnet")
                nye.append(
                    Klasse(
                        id=ids[begreb.kode],
                        klassifikation=klassifikation,
                        kode=begreb.kode,
                        overordnet_id=overordnet_id,
                        **oenskede,
                    )
                )
                continue
            forskellige = [f for f in _KLASSE_FELTER if _attr(klasse, f) != oenskede[f]]
            if forskellige:
                for f in forskellige:
                    setattr(klasse, f if f != "overordnet" else "overordnet_id", oenskede[f])
                aendrede.append(klasse)
                aendrede_felter.update(forskellige)
                resultat.aendret += 1
            else:
                resultat.uaendret += 1
        if ks.indhold == "complete":
            # A class that left the code system is retired, never deleted: data may use it.
            for kode, klasse in plan.klasser.items():
                if kode not in i_filen and klasse.status != Status.UDGAAET:
                    klasse.status = Status.UDGAAET
                    aendrede.append(klasse)
                    aendrede_felter.add("status")
                    resultat.udgaaet += 1
        Klasse.objects.bulk_create(nye, batch_size=1000)
        if aendrede:
            Klasse.objects.bulk_update(aendrede, sorted(aendrede_felter), batch_size=500)
        resultat.oprettet = len(nye)
        return resultat, klassifikation

    def _skriv_betegnelser(self, kilde: str, resultat: Importresultat) -> None:
        oenskede = self._betegnelser.get(kilde, {})
        gemte = {
            (b.klasse_id, b.tekst, b.faglighed_id): b
            for b in Betegnelse.objects.filter(kilde=kilde)
        }
        aendrede: list[Betegnelse] = []
        for noegle, betegnelse in gemte.items():
            if noegle not in oenskede:
                continue
            sprog, brug = oenskede[noegle]
            if (betegnelse.sprog, betegnelse.brug) != (sprog, brug):
                betegnelse.sprog, betegnelse.brug = sprog, brug
                aendrede.append(betegnelse)
            else:
                resultat.betegnelser_uaendret += 1
        slettes = [b.id for n, b in gemte.items() if n not in oenskede]
        mangler = [n for n in oenskede if n not in gemte]
        if slettes:
            Betegnelse.objects.filter(id__in=slettes).delete()
        if aendrede:
            Betegnelse.objects.bulk_update(aendrede, ["sprog", "brug"], batch_size=500)
        if mangler:
            # The same word may already be there, entered by hand or from another file.
            optaget = {
                (k, t, f)
                for k, t, f in Betegnelse.objects.filter(
                    klasse_id__in={n[0] for n in mangler}
                ).values_list("klasse_id", "tekst", "faglighed_id")
            }
            nye = [
                Betegnelse(
                    klasse_id=klasse_id,
                    tekst=tekst,
                    faglighed_id=faglighed_id,
                    sprog=oenskede[(klasse_id, tekst, faglighed_id)][0],
                    brug=oenskede[(klasse_id, tekst, faglighed_id)][1],
                    kilde=kilde,
                )
                for klasse_id, tekst, faglighed_id in mangler
                if (klasse_id, tekst, faglighed_id) not in optaget
            ]
            Betegnelse.objects.bulk_create(nye, batch_size=1000)
            resultat.betegnelser_oprettet = len(nye)
            resultat.betegnelser_uaendret += len(mangler) - len(nye)
        resultat.betegnelser_aendret = len(aendrede)
        resultat.betegnelser_slettet = len(slettes)

    def _skriv_mappings(
        self, mappingsaet: Mappingsaet, oenskede: dict[tuple, str], resultat: Importresultat
    ) -> None:
        gemte = {
            (m.fra_klasse_id, m.til_klasse_id, m.relation): m
            for m in Mapping.objects.filter(mappingsaet=mappingsaet)
        }
        aendrede = []
        for noegle, mapping in gemte.items():
            if noegle not in oenskede:
                continue
            if mapping.kommentar != oenskede[noegle]:
                mapping.kommentar = oenskede[noegle]
                aendrede.append(mapping)
            else:
                resultat.uaendret += 1
        slettes = [m.id for n, m in gemte.items() if n not in oenskede]
        if slettes:
            Mapping.objects.filter(id__in=slettes).delete()
        if aendrede:
            Mapping.objects.bulk_update(aendrede, ["kommentar"])
        nye = [
            Mapping(
                mappingsaet=mappingsaet,
                fra_klasse_id=fra,
                til_klasse_id=til,
                relation=relation,
                kommentar=kommentar,
            )
            for (fra, til, relation), kommentar in oenskede.items()
            if (fra, til, relation) not in gemte
        ]
        Mapping.objects.bulk_create(nye)
        resultat.oprettet = len(nye)
        resultat.aendret = len(aendrede)
        resultat.slettet = len(slettes)


# -- Helpers ---------------------------------------------------------------------------------


def _attr(objekt: Any, navn: str) -> Any:
    return getattr(objekt, "overordnet_id" if navn == "overordnet" else navn)


def _versionsnoegle(version: str) -> tuple:
    # "2.10.0" after "2.9.1", "20250530" after "20240530": numbers compare as numbers.
    return tuple(
        (0, int(del_), "") if del_.isdigit() else (1, 0, del_.lower())
        for del_ in re.findall(r"\d+|[^\W\d_]+", version)
    )


def _er_aeldre(ny: str, gemt: str) -> bool:
    if not ny or not gemt:
        return False
    return _versionsnoegle(ny) < _versionsnoegle(gemt)
