"""Read a fagsystem's export folder and turn its files into MOX messages.

The folder's files are read in name order (so a fagsystem that names its exports by date
gets them sent in time order), each from the top:

  *.json   one envelope, a list of envelopes, or {"beskeder": [envelope, …]}
  *.jsonl  one envelope per line
  *.csv    one message per row, by the column mapping below

An envelope without `beskedID` gets a deterministic one (uuid5 of the file name, the
message's number in the file and its content), so a re-run sends the same ids and
Datadeling's idempotency makes a repeat harmless. `beskedversion` defaults to "1" and
`beskedtype` to "Manipulation".

CSV mapping (header row required; `;`, `,` or tab as separator; UTF-8, a BOM is allowed;
column names are case-insensitive; empty cells count as absent; unknown columns are
ignored):

  column              meaning                                   becomes in the message
  ------------------  ----------------------------------------  ---------------------------------
  objekttype          tilstand, indsats or sag (required)       objekttype
  operation           create (default), update, passivate,      operation
                      delete, import
  objektID            the object's uuid                         objektID
  noegle              the fagsystem's own id of the object      attributter.*egenskaber
                      (objektID is derived from it when            .brugervendtnoegle
                      objektID is empty: uuid5)
  beskedID            optional; derived when empty              beskedID
  cpr                 the citizen, 10 digits (dash allowed)     relationer.tilstandsobjekt /
  borger_uuid         … or a uuid Datadeling knows                indsatsmodtager / primaerpart
  fra, til            virkning (YYYY-MM-DD, DD-MM-YYYY or an    every entry's virkning
                      ISO time; til empty = infinity)
  enhed_uuid          the responsible unit                      relationer.*aktoer /
                                                                  ansvarlig (Organisationenhed)
  medarbejder_uuid    the responsible staff member              relationer.*aktoer /
                                                                  primaerbehandler (Bruger)
  type_uuid           the class: condition, intervention, or    tilstandstype / indsatstype /
                      the case's KLE subject                      primaerklasse
  beskrivelse         professional note / purpose / case text   *egenskaber.beskrivelse
  note                the reason for the change                 data.note
  tilstand only:
  niveau_uuid, stoettebehov_uuid, udfoerelse_uuid,              relationer.tilstandskvalitet
  betydning_uuid      level classes (FSIII 0–4, FFB …)            (one entry each)
  status              Aktiv (default on create) or Inaktiv      tilstande.tilstandstatus
  indsats only:
  start, slut         the intervention's period                 indsatsegenskaber.starttidspunkt
                                                                  / sluttidspunkt
  fremdrift           Visiteret (default on create), Uoplyst,   tilstande.indsatsfremdrift
                      Disponeret, Leveret, Vurderet
  sag only:
  sagsnummer, titel   the case's number and title               sagegenskaber
  kassationskode      B (default on create)                     sagegenskaber.kassationskode
  fremdrift           Opstaaet (default on create), Oplyst,     tilstande.sagfremdrift
                      Afgjort, Bestilt, Udfoert, Afsluttet

A create carries the whole object (publiceret "Normal" is added); an update carries only the
columns that are filled in (relations too); passivate and delete carry only the note.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .sikkerhed import CPR_URN_PRAEFIKS

NAVNERUM = uuid.UUID("8c1f4e0a-6b2d-5c3e-9f7a-1d2e3f4a5b6c")
"""The uuid5 namespace of ids the agent derives (beskedID, objektID)."""

ENDELSER = (".json", ".jsonl", ".csv")
OBJEKTTYPER = ("tilstand", "indsats", "sag")
OPERATIONER = ("create", "update", "passivate", "delete", "import")
DATO_DK = re.compile(r"(\d{1,2})[-./](\d{1,2})[-./](\d{4})")
CPR = re.compile(r"(\d{6})-?(\d{4})")

FORMER = {
    # objekttype: (egenskaber, borger relation, type relation, aktoer relations, tilstand)
    "tilstand": ("tilstandegenskaber", "tilstandsobjekt", "tilstandstype", "tilstandstatus"),
    "indsats": ("indsatsegenskaber", "indsatsmodtager", "indsatstype", "indsatsfremdrift"),
    "sag": ("sagegenskaber", "primaerpart", "primaerklasse", "sagfremdrift"),
}
STANDARD_TILSTAND = {"tilstand": "Aktiv", "indsats": "Visiteret", "sag": "Opstaaet"}
AKTOER = {"tilstand": "tilstandsaktoer", "indsats": "indsatsaktoer"}
TILSTAND_FELT = {"tilstand": "status", "indsats": "fremdrift", "sag": "fremdrift"}
KVALITETER = ("niveau_uuid", "stoettebehov_uuid", "udfoerelse_uuid", "betydning_uuid")


class RaekkeFejl(ValueError):
    """A row (or file) that cannot become a message; the text never repeats a cell value."""


@dataclass
class Post:
    """One message read from the export, with where it came from (for reports and state)."""

    fil: str
    nummer: int  # 1-based: CSV line number (header is line 1), else the message's number
    besked: dict[str, Any] | None
    fejl: str | None = None  # a local error: the row could not become a message


@dataclass
class Fil:
    """One export file: its name, content hash and messages."""

    navn: str
    sha256: str
    poster: list[Post]


def laes_mappe(mappe: Path) -> list[Fil]:
    """Return the export files of a folder in name order, each with its messages."""
    if not mappe.is_dir():
        raise FileNotFoundError(f"Mappen findes ikke: {mappe}")
    filer = sorted(
        (p for p in mappe.iterdir() if p.is_file() and p.suffix.lower() in ENDELSER),
        key=lambda p: p.name,
    )
    return [laes_fil(sti) for sti in filer]


def laes_fil(sti: Path) -> Fil:
    """Return one export file's messages (rows that cannot be read carry a local error)."""
    raw = sti.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    tekst = raw.decode("utf-8-sig")
    endelse = sti.suffix.lower()
    if endelse == ".csv":
        poster = list(_csv_poster(sti.name, tekst))
    elif endelse == ".jsonl":
        poster = []
        for nr, linje in enumerate(tekst.splitlines(), start=1):
            if linje.strip():
                poster.append(_json_post(sti.name, nr, linje))
    else:
        poster = list(_json_poster(sti.name, tekst))
    return Fil(navn=sti.name, sha256=sha, poster=poster)


# --- JSON -----------------------------------------------------------------------------------


def _json_poster(fil: str, tekst: str) -> Iterator[Post]:
    try:
        vaerdi = json.loads(tekst)
    except ValueError:
        yield Post(fil, 1, None, "Filen er ikke gyldig JSON.")
        return
    if isinstance(vaerdi, dict) and isinstance(vaerdi.get("beskeder"), list):
        liste = vaerdi["beskeder"]
    elif isinstance(vaerdi, list):
        liste = vaerdi
    else:
        liste = [vaerdi]
    for nr, besked in enumerate(liste, start=1):
        yield _udfyld(fil, nr, besked)


def _json_post(fil: str, nr: int, linje: str) -> Post:
    try:
        return _udfyld(fil, nr, json.loads(linje))
    except ValueError:
        return Post(fil, nr, None, "Linjen er ikke gyldig JSON.")


def _udfyld(fil: str, nr: int, besked: Any) -> Post:
    if not isinstance(besked, dict):
        return Post(fil, nr, None, "En besked skal være et JSON-objekt.")
    besked = dict(besked)
    besked.setdefault("beskedversion", "1")
    besked.setdefault("beskedtype", "Manipulation")
    if not besked.get("beskedID"):
        besked["beskedID"] = afledt_besked_id(fil, nr, besked)
    return Post(fil, nr, besked)


def afledt_besked_id(fil: str, nr: int, indhold: Any) -> str:
    """Return the deterministic beskedID of a message without one (uuid5)."""
    kanonisk = json.dumps(indhold, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(kanonisk.encode("utf-8")).hexdigest()
    return str(uuid.uuid5(NAVNERUM, f"besked\n{fil}\n{nr}\n{digest}"))


def afledt_objekt_id(objekttype: str, noegle: str) -> str:
    """Return the objektID derived from the fagsystem's own id of an object (uuid5)."""
    return str(uuid.uuid5(NAVNERUM, f"objekt\n{objekttype}\n{noegle}"))


# --- CSV ------------------------------------------------------------------------------------


def _csv_poster(fil: str, tekst: str) -> Iterator[Post]:
    foerste = tekst.split("\n", 1)[0]
    skilletegn = max(";,\t", key=foerste.count)
    laeser = csv.reader(io.StringIO(tekst, newline=""), delimiter=skilletegn)
    try:
        hoved = [h.strip().lower() for h in next(laeser)]
    except StopIteration:
        return
    for raekke in laeser:
        linje = laeser.line_num
        if not any(c.strip() for c in raekke):
            continue
        celler = {
            navn: vaerdi.strip()
            for navn, vaerdi in zip(hoved, raekke, strict=False)
            if navn and vaerdi.strip()
        }
        try:
            besked = raekke_til_besked(celler, fil=fil, linje=linje)
        except RaekkeFejl as fejl:
            yield Post(fil, linje, None, str(fejl))
        else:
            yield Post(fil, linje, besked)


def _tid(vaerdi: str, kolonne: str) -> str:
    """Return a virkning/time value in the protocol's form (ISO date or time)."""
    match = DATO_DK.fullmatch(vaerdi)
    if match:
        dag, maaned, aar = match.groups()
        vaerdi = f"{aar}-{int(maaned):02d}-{int(dag):02d}"
    if vaerdi == "infinity":
        return vaerdi
    try:
        datetime.datetime.fromisoformat(vaerdi)  # a real date (or time), not the 31st of February
    except ValueError:
        raise RaekkeFejl(
            f"Kolonnen {kolonne} er ikke en dato (ÅÅÅÅ-MM-DD eller DD-MM-ÅÅÅÅ)."
        ) from None
    return vaerdi.replace(" ", "T")


def _uuid(vaerdi: str, kolonne: str) -> str:
    try:
        return str(uuid.UUID(vaerdi))
    except ValueError:
        raise RaekkeFejl(f"Kolonnen {kolonne} er ikke en UUID.") from None


def _borger(celler: dict[str, str]) -> dict[str, str] | None:
    if "cpr" in celler:
        match = CPR.fullmatch(celler["cpr"].replace(" ", ""))
        if not match:
            raise RaekkeFejl("Kolonnen cpr skal have 10 cifre (bindestreg tilladt).")
        return {"objekttype": "Person", "urn": CPR_URN_PRAEFIKS + match.group(1) + match.group(2)}
    if "borger_uuid" in celler:
        return {"objekttype": "Person", "uuid": _uuid(celler["borger_uuid"], "borger_uuid")}
    return None


def raekke_til_besked(celler: dict[str, str], *, fil: str, linje: int) -> dict[str, Any]:
    """Return the envelope one CSV row describes (see the module's mapping); raise RaekkeFejl.

    `celler` maps lower-case column names to non-empty, stripped values.
    """
    objekttype = celler.get("objekttype", "").lower()
    if objekttype not in OBJEKTTYPER:
        raise RaekkeFejl("Kolonnen objekttype skal være tilstand, indsats eller sag.")
    operation = celler.get("operation", "create").lower()
    if operation not in OPERATIONER:
        raise RaekkeFejl(
            "Kolonnen operation skal være create, update, passivate, delete eller import."
        )
    noegle = celler.get("noegle", "")
    if "objektid" in celler:
        objekt_id = _uuid(celler["objektid"], "objektID")
    elif noegle:
        objekt_id = afledt_objekt_id(objekttype, noegle)
    else:
        raise RaekkeFejl("Rækken mangler objektID (eller noegle, som objektID afledes af).")

    besked: dict[str, Any] = {
        "beskedversion": "1",
        "beskedtype": "Manipulation",
        "objekttype": objekttype,
        "operation": operation,
        "objektID": objekt_id,
    }
    note = celler.get("note", "")
    if operation in ("passivate", "delete"):
        if note:
            besked["data"] = {"note": note}
    else:
        besked["data"] = _data(celler, objekttype, hel=operation != "update", objekt_id=objekt_id)
        if note:
            besked["data"]["note"] = note
    if "beskedid" in celler:
        besked["beskedID"] = _uuid(celler["beskedid"], "beskedID")
    else:
        besked["beskedID"] = afledt_besked_id(fil, linje, celler)
    # the envelope's keys in the protocol's order, beskedID first
    return {"beskedID": besked.pop("beskedID"), **besked}


def _data(celler: dict[str, str], objekttype: str, *, hel: bool, objekt_id: str) -> dict:
    egenskaber_navn, borger_navn, type_navn, tilstand_navn = FORMER[objekttype]
    if "fra" not in celler:
        raise RaekkeFejl("Kolonnen fra (virkningens begyndelse) mangler.")
    fra = _tid(celler["fra"], "fra")
    til = _tid(celler["til"], "til") if "til" in celler else "infinity"
    virkning = {"from": fra, "to": til}

    def post(**indhold: Any) -> dict[str, Any]:
        return {**indhold, "virkning": dict(virkning)}

    data: dict[str, Any] = {}
    # --- attributter
    egenskaber: dict[str, Any] = {}
    if hel:
        egenskaber["brugervendtnoegle"] = celler.get("noegle") or objekt_id
    elif "noegle" in celler and "objektid" in celler:
        egenskaber["brugervendtnoegle"] = celler["noegle"]  # a new own id for the object
    if "beskrivelse" in celler:
        egenskaber["beskrivelse"] = celler["beskrivelse"]
    if objekttype == "indsats":
        for kolonne, felt in (("start", "starttidspunkt"), ("slut", "sluttidspunkt")):
            if kolonne in celler:
                egenskaber[felt] = _tid(celler[kolonne], kolonne)
    if objekttype == "sag":
        for felt in ("sagsnummer", "titel", "kassationskode"):
            if felt in celler:
                egenskaber[felt] = celler[felt]
        if hel:
            mangler = [f for f in ("sagsnummer", "titel") if f not in egenskaber]
            if mangler:
                raise RaekkeFejl("En ny sag skal have kolonnerne " + " og ".join(mangler) + ".")
            egenskaber.setdefault("kassationskode", "B")
            egenskaber.setdefault("beskrivelse", egenskaber["titel"])
    if egenskaber:
        data["attributter"] = {egenskaber_navn: [post(**egenskaber)]}

    # --- tilstande
    tilstande: dict[str, Any] = {}
    felt = TILSTAND_FELT[objekttype]
    kolonne = "status" if objekttype == "tilstand" else "fremdrift"
    vaerdi = celler.get(kolonne) or (STANDARD_TILSTAND[objekttype] if hel else "")
    if vaerdi:
        tilstande[tilstand_navn] = [post(**{felt: vaerdi[:1].upper() + vaerdi[1:]})]
    if hel and objekttype != "sag":
        tilstande[f"{objekttype}publiceret"] = [post(publiceret="Normal")]
    if tilstande:
        data["tilstande"] = tilstande

    # --- relationer
    relationer: dict[str, list] = {}
    borger = _borger(celler)
    if borger is not None:
        relationer[borger_navn] = [post(**borger)]
    elif hel:
        raise RaekkeFejl("Rækken mangler borgeren (kolonnen cpr eller borger_uuid).")
    if "type_uuid" in celler:
        relationer[type_navn] = [
            post(objekttype="Klasse", uuid=_uuid(celler["type_uuid"], "type_uuid"))
        ]
    if objekttype == "tilstand":
        kvaliteter = [
            post(objekttype="Klasse", uuid=_uuid(celler[k], k), indeks=i)
            for i, k in enumerate((k for k in KVALITETER if k in celler), start=1)
        ]
        if kvaliteter:
            relationer["tilstandskvalitet"] = kvaliteter
    enhed = (
        [post(objekttype="Organisationenhed", uuid=_uuid(celler["enhed_uuid"], "enhed_uuid"))]
        if "enhed_uuid" in celler
        else []
    )
    medarbejder = (
        [post(objekttype="Bruger", uuid=_uuid(celler["medarbejder_uuid"], "medarbejder_uuid"))]
        if "medarbejder_uuid" in celler
        else []
    )
    if objekttype == "sag":
        if enhed:
            relationer["ansvarlig"] = enhed
        if medarbejder:
            relationer["primaerbehandler"] = medarbejder
    elif enhed or medarbejder:
        relationer[AKTOER[objekttype]] = enhed + medarbejder
    if relationer:
        data["relationer"] = relationer
    if not hel and not data:
        raise RaekkeFejl("En rettelse (update) skal ændre mindst én kolonne.")
    return data
