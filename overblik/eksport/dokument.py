"""The citizen's download as Datadeling's own JSON document (`eksport.schema.json`).

Everything is built from an `EksportData` (overblik.selectors.eksport) without a query.
Codes carry their code system's URI and version, so the download can be read without
Datadeling; units, authorities and staff carry their names as they are now. Field names are
Datadeling's own (Danish, as in MOX), and the schema beside this module documents each.
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import Model

    from overblik.selectors.eksport import EksportData

SCHEMA_VERSION = "1.1"
"""The version of the document's shape: MAJOR.MINOR (docs/eksport.md says when each grows)."""
SCHEMA_ID = "urn:datadeling:eksport:1"
FORMAT = "datadeling-borgereksport"

PROVENIENS = ("kilde", "metode", "ansvarlig_enhed", "ansvarlig", "kildesystem",
              "kildesystem_id", "vurderet")  # fmt: skip
TILSTAND_FELTER = (
    "type", "niveau", "stoettebehov", "udfoerelse", "betydning", "borgerens_vurdering",
    "faglig_note", "forventet_niveau", "maaltype", "status", "opfoelgning", *PROVENIENS,
)  # fmt: skip
INDSATS_FELTER = (
    "type", "lovgrundlag", "bevilgende_enhed", "leverende_enhed", "leverandoer", "startdato",
    "slutdato", "fremdrift", "afsluttet", "ophoersgrund", "formaal", "maal", "tilstande",
    "maalgruppe", "opfoelgningsresultat", "opfoelgning", *PROVENIENS,
)  # fmt: skip
SAG_FELTER = (
    "kildesystem", "kildesystem_id", "sagsnummer", "titel", "kle_nummer", "kle_klasse_uuid",
    "ansvarlig_enhed_navn", "myndighed_navn", "fremdrift", "primaerbehandler_navn",
    "startdato", "slutdato",
)  # fmt: skip


def tid(v: datetime.date | datetime.datetime | None) -> str | None:
    return v.isoformat() if v is not None else None


class Bygger:
    """Turn an EksportData into the JSON document; holds the lookups of names."""

    def __init__(self, data: EksportData) -> None:
        self.data = data

    # --- references -----------------------------------------------------------------------

    def kode(self, klasse_id: uuid.UUID | None) -> dict[str, Any] | None:
        """Return a coded value: the code system's URI and version, the code and its title."""
        if klasse_id is None:
            return None
        k = self.data.klasser.get(klasse_id)
        if k is None:  # a class id that names nothing (a consent's old category): say so
            return {"id": str(klasse_id), "system": None, "version": None, "kode": None,
                    "titel": None}  # fmt: skip
        return {
            "id": str(k.pk),
            "system": k.klassifikation.uri,
            "version": k.klassifikation.version or None,
            "kode": k.kode,
            "titel": k.titel,
        }

    def enhed(self, enhed_id: uuid.UUID | None) -> dict[str, Any] | None:
        if enhed_id is None:
            return None
        e = self.data.enheder.get(enhed_id)
        if e is None:
            return {"id": str(enhed_id), "navn": None, "myndighed": None}
        return {"id": str(e.pk), "navn": e.navn, "myndighed": e.myndighed.navn}

    def medarbejder(self, medarbejder_id: uuid.UUID | None) -> dict[str, Any] | None:
        if medarbejder_id is None:
            return None
        m = self.data.medarbejdere.get(medarbejder_id)
        return {"id": str(medarbejder_id), "navn": m.navn if m is not None else None}

    def registreret_af(self, bruger_id: int | None, tekst: str) -> str:
        """Return who made a registration: the member of staff, or the system's own words."""
        m = self.data.medarbejder_for_bruger.get(bruger_id) if bruger_id is not None else None
        return m.navn if m is not None else tekst

    # --- one value of a versioned object --------------------------------------------------

    def felter(self, o: Model, navne: tuple[str, ...]) -> dict[str, Any]:
        ud: dict[str, Any] = {}
        for navn in navne:
            f = o._meta.get_field(navn)
            if f.is_relation:
                model = f.related_model._meta.model_name  # type: ignore[union-attr]
                v = getattr(o, f"{navn}_id")
                ud[navn] = {"klasse": self.kode, "enhed": self.enhed,
                            "medarbejder": self.medarbejder}[model](v)  # fmt: skip
                continue
            v = getattr(o, navn)
            if isinstance(v, datetime.date | datetime.datetime):
                v = v.isoformat()
            elif isinstance(v, uuid.UUID):
                v = str(v)
            elif navn == "tilstande":
                v = [str(t) for t in v]
            ud[navn] = v
        return ud

    def registrering(self, r: Any, **ekstra: Any) -> dict[str, Any]:
        """Return one registration: when, what kind of change, by whom, why."""
        return {
            "nummer": r.nummer,
            "tidspunkt": tid(r.tidspunkt),
            "livscykluskode": r.livscykluskode,
            "registreret_af": self.registreret_af(r.aktoer_id, r.aktoer_tekst),
            "begrundelse": r.begrundelse,
            **ekstra,
        }

    def historisk(self, o: Any, navne: tuple[str, ...]) -> dict[str, Any]:
        """Return a condition or intervention: its state now and every registration."""
        return {
            "id": str(o.pk),
            "aktiv": o.aktiv,
            "livscykluskode": o.livscykluskode,
            "oprettet": tid(o.oprettet),
            "virkning_fra": tid(o.virkning_fra),
            "virkning_til": tid(o.virkning_til),
            "nu": self.felter(o, navne),
            "registreringer": [
                self.registrering(
                    r,
                    versioner=[
                        {
                            "virkning_fra": tid(v.virkning_fra),
                            "virkning_til": tid(v.virkning_til),
                            **self.felter(v, navne),
                        }
                        for v in r.versioner.all()
                    ],
                )
                for r in o.registreringer.all()
            ],
        }

    # --- the parts ------------------------------------------------------------------------

    def sag(self, s: Any) -> dict[str, Any]:
        return {
            "id": str(s.pk),
            "aktiv": s.aktiv,
            "livscykluskode": s.livscykluskode,
            **self.felter(s, SAG_FELTER),
            "ansvarlig_enhed": self.enhed(s.ansvarlig_enhed_id),
            "registreringer": [self.registrering(r, data=r.data) for r in s.registreringer.all()],
        }

    def modtager(self, s: Any) -> dict[str, Any]:
        if s.modtager_enhed_id is not None:
            return {"type": "enhed", **(self.enhed(s.modtager_enhed_id) or {})}
        if s.modtager_myndighed_id is not None:
            m = self.data.myndigheder.get(s.modtager_myndighed_id)
            return {"type": "myndighed", "id": str(s.modtager_myndighed_id),
                    "navn": m.navn if m else None}  # fmt: skip
        return {"type": "medarbejder", **(self.medarbejder(s.modtager_medarbejder_id) or {})}

    def person(self, borger_id: uuid.UUID) -> str | None:
        """Return the name of the citizen or of someone acting for them."""
        if borger_id == self.data.borger.pk:
            return self.data.borger.navn
        r = next((r for r in self.data.relationer if r.person_id == borger_id), None)
        return r.person.navn if r is not None else None

    def samtykke(self, s: Any) -> dict[str, Any]:
        return {
            "id": str(s.pk),
            "samtykke_id": str(s.kaede),
            "version": s.version,
            "erstatter": str(s.erstatter_id) if s.erstatter_id else None,
            "beslutning": s.beslutning,
            "status": s.status,
            "modtager": self.modtager(s),
            "kun_faglighed": self.kode(s.faglighed_id),
            "kategorier": [self.kode(k) for k in s.kategorier],
            "kilder": [self.enhed(e) for e in s.kilder],
            "sagsindeks": s.sagsindeks,
            "dialog": s.dialog,
            "formaal": s.formaal,
            "gyldig_fra": tid(s.gyldig_fra),
            "gyldig_til": tid(s.gyldig_til),
            "tekst": s.tekst,
            "tekst_version": s.tekst_version,
            "givet_af": self.person(s.givet_af_id),
            "via_relation": str(s.via_relation_id) if s.via_relation_id else None,
            "assisteret": s.assisteret,
            "vidne": s.vidne,
            "anmodning": str(s.anmodning_id) if s.anmodning_id else None,
            "oprettet": tid(s.oprettet),
        }

    def anmodning(self, a: Any) -> dict[str, Any]:
        return {
            "id": str(a.pk),
            "anmodet_af": self.medarbejder(a.anmoder_id),
            "til_enhed": self.enhed(a.modtager_enhed_id),
            "kategorier": [self.kode(k) for k in a.kategorier],
            "kilder": [self.enhed(e) for e in a.kilder],
            "sagsindeks": a.sagsindeks,
            "dialog": a.dialog,
            "formaal": a.formaal,
            "begrundelse": a.begrundelse,
            "varighed_dage": a.varighed_dage,
            "status": a.status,
            "oprettet": tid(a.oprettet),
            "besvaret": tid(a.besvaret),
        }

    def hjemmel(self, h: Any) -> dict[str, Any]:
        g = getattr(h, "gennemgang", None)
        return {
            "id": str(h.pk),
            "medarbejder": self.medarbejder(h.medarbejder_id),
            "enhed": self.enhed(h.enhed_id),
            "lovgrundlag": self.kode(h.lovgrundlag_id),
            "begrundelse": h.begrundelse,
            "gyldig_fra": tid(h.gyldig_fra),
            "gyldig_til": tid(h.gyldig_til),
            "oprettet": tid(h.oprettet),
            "gennemgang": {
                "resultat": g.resultat,
                "leder": g.leder.navn,
                "kommentar": g.kommentar,
                "tidspunkt": tid(g.tidspunkt),
            }
            if g is not None
            else None,
        }

    def relation(self, r: Any) -> dict[str, Any]:
        return {
            "id": str(r.pk),
            "type": r.type,
            "person": r.person.navn,
            "beskrivelse": r.beskrivelse,
            "omfang": list(r.omfang),
            "gyldig_fra": tid(r.gyldig_fra),
            "gyldig_til": tid(r.gyldig_til),
        }

    def log(self, e: Any) -> dict[str, Any]:
        return {
            "nummer": e.nummer,
            "tidspunkt": tid(e.tidspunkt),
            "hvem": e.navn,
            "enhed": e.enhed_navn,
            "myndighed": e.myndighed_navn,
            "rolle": e.rolle,
            "faglighed": e.faglighed,
            "paa_vegne_af_relation": str(e.handler_for_id) if e.handler_for_id else None,
            "handling": e.handling,
            "hvad": e.hvad,
            "objekter": e.objekter,
            "formaal": e.formaal,
            "grundlag": e.grundlag,
            "grundlag_id": str(e.grundlag_id) if e.grundlag_id else None,
            "hash": e.hash,
            "forrige_hash": e.forrige_hash,
        }

    # --- the dialogue (schema version 1.1) -----------------------------------------------

    def hvem(self, x: Any) -> dict[str, Any]:
        """Return a participant (a Deltager row): a member of staff, a unit, or a person."""
        if x.medarbejder_id is not None:
            m = x.medarbejder
            return {"type": "medarbejder", "navn": m.navn, "enhed": None,
                    "myndighed": m.myndighed.navn, "via_relation": None}  # fmt: skip
        if x.enhed_id is not None:
            return {"type": "enhed", "navn": x.enhed.navn, "enhed": x.enhed.navn,
                    "myndighed": x.enhed.myndighed.navn, "via_relation": None}  # fmt: skip
        return {"type": "person", "navn": x.person.navn, "enhed": None, "myndighed": None,
                "via_relation": str(x.via_relation_id) if x.via_relation_id else None}  # fmt: skip

    def om(self, s: Any) -> dict[str, Any] | None:
        """Return what a conversation is about: the id of the datum (in this download)."""
        for art, felt in (("tilstand", "tilstand_id"), ("indsats", "indsats_id"),
                          ("sag", "sag_id"), ("anmodning", "anmodning_id")):  # fmt: skip
            if (pk := getattr(s, felt)) is not None:
                return {"type": art, "id": str(pk), "maal_nummer": s.maal_nummer}
        return None

    def besked(self, b: Any, deltagere: dict[int, Any]) -> dict[str, Any]:
        svar_fra = deltagere.get(b.svar_fra_id) if b.svar_fra_id is not None else None
        return {
            "id": str(b.pk),
            "besked_id": str(b.kaede),
            "nummer": b.nummer,
            "version": b.version,
            "erstatter": str(b.erstatter_id) if b.erstatter_id else None,
            "skrevet": tid(b.skrevet),
            "afsender": {
                "type": "medarbejder" if b.medarbejder_id else "person",
                "navn": b.navn,
                "enhed": b.enhed_navn,
                "myndighed": b.myndighed_navn,
                "rolle": b.rolle,
                "faglighed": b.faglighed,
                "via_relation": str(b.via_relation_id) if b.via_relation_id else None,
            },
            "trukket_tilbage": b.trukket_tilbage,
            "tekst": None if b.trukket_tilbage else b.tekst,
            "henviser_til": {
                "tilstande": sorted(str(t) for t in b.tilstand_ids),
                "indsatser": sorted(str(i) for i in b.indsats_ids),
            },
            "vedhaeftninger": [
                {
                    "id": str(f.pk),
                    "filnavn": f.filnavn,
                    "content_type": f.content_type,
                    "stoerrelse": f.stoerrelse,
                    "sha256": f.sha256,
                }  # fmt: skip
                for f in b.filer
            ],
            "svar_fra": self.hvem(svar_fra) if svar_fra is not None else None,
            "svar_frist": tid(b.svar_frist),
        }

    def samtale(self, s: Any) -> dict[str, Any]:
        deltagere = {x.pk: x for x in s.alle_deltagere}
        return {
            "id": str(s.pk),
            "type": s.type,
            "emne": s.emne,
            "om": self.om(s),
            "oprettet": tid(s.oprettet),
            "seneste": tid(s.seneste),
            "beskeder_med": s.laeser,
            "deltagere": [
                {**self.hvem(x), "handling": x.handling, "tidspunkt": tid(x.tidspunkt)}
                for x in s.alle_deltagere
            ],
            "beskeder": [self.besked(b, deltagere) for b in s.eksport_beskeder],
            "historik": [
                {
                    "tidspunkt": tid(h.tidspunkt),
                    "haendelse": h.type,
                    "hvem": h.navn,
                    "enhed": h.enhed_navn,
                }  # fmt: skip
                for h in s.tidslinje
            ],
        }

    def dokument(self, *, dannet_af: str, schema_url: str) -> dict[str, Any]:
        d, b = self.data, self.data.borger
        return {
            "$schema": schema_url,
            "format": FORMAT,
            "schemaversion": SCHEMA_VERSION,
            "dannet": tid(d.dannet),
            "dannet_af": dannet_af,
            "borger": {
                "id": str(b.pk),
                "cpr": b.cpr,
                "fornavn": b.fornavn,
                "efternavn": b.efternavn,
                "adresse": b.adresse,
                "postnummer": b.postnummer,
                "by": b.by,
            },
            "tilstande": [self.historisk(t, TILSTAND_FELTER) for t in d.tilstande],
            "indsatser": [self.historisk(i, INDSATS_FELTER) for i in d.indsatser],
            "sager": [self.sag(s) for s in d.sager],
            "samtykker": [self.samtykke(s) for s in d.samtykker],
            "anmodninger": [self.anmodning(a) for a in d.anmodninger],
            "hjemler": [self.hjemmel(h) for h in d.hjemler],
            "relationer": [self.relation(r) for r in d.relationer],
            "samtaler": [self.samtale(s) for s in d.samtaler],  # since schema version 1.1
            "adgangslog": [self.log(e) for e in d.adgangslog],
        }


def eksport_dokument(data: EksportData, *, dannet_af: str, schema_url: str) -> dict[str, Any]:
    """Return the download as Datadeling's JSON document (schema version SCHEMA_VERSION)."""
    return Bygger(data).dokument(dannet_af=dannet_af, schema_url=schema_url)
