"""Validate a MOX request body against the published schema and the rules a schema cannot
express (real dates, CPR birth dates, periods that end after they begin).

Every error is `{"felt": <path>, "fejl": <Danish text>}`, with paths such as
`data.relationer.tilstandsobjekt[0].urn` or, in a batch, `beskeder[3].objekttype`.
No error ever repeats a value from the message: a value may be a CPR number, and a
field name the sender invented is named only when it cannot be one.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import jsonschema
import jsonschema_rs
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from jsonschema import validators

from datadeling.core.logging import mask_cpr
from mox.protokol import CPR_URN_PRAEFIKS, Beskedtype
from mox.schema.byg import STI, TIDSPUNKT_MOENSTER, VIRKNINGSTIDSPUNKT_MOENSTER
from organisation.cpr import validate_cpr

MAKS_FEJL = 100
"""At most this many errors are listed; a message that is wrong everywhere is wrong."""

TYPER = {
    "object": "et JSON-objekt",
    "array": "en liste",
    "string": "en tekst",
    "integer": "et heltal",
    "number": "et tal",
    "boolean": "true eller false",
    "null": "null",
}
SIKKERT_FELTNAVN = re.compile(r"[A-Za-z_][A-Za-z_\-]{0,49}")
"""A field name the sender invented is repeated only if it has no digits at all."""

TIDSPUNKT = re.compile(TIDSPUNKT_MOENSTER.replace("$", r"\Z"))
VIRKNINGSTIDSPUNKT = re.compile(VIRKNINGSTIDSPUNKT_MOENSTER.replace("$", r"\Z"))
CPR_URN = re.compile(re.escape(CPR_URN_PRAEFIKS) + r"(\d{10})\Z")
UGYLDIGE_TEGN = re.compile("[\x00\ud800-\udfff]")
# Raw UTF-8 cannot carry either, so they can only come from \u escapes in the JSON text.
MISTAENKELIGE_ESCAPES = re.compile(r"\\u(0000|[dD][89a-fA-F])")

Fejl = dict[str, str]


@dataclass(frozen=True)
class Krop:
    """A valid body: its envelopes in the order sent, and whether it was a batch."""

    beskeder: list[dict[str, Any]]
    batch: bool


class UgyldigKrop(Exception):
    """The body is not a valid MOX message; `fejl` says why, field by field."""

    def __init__(self, fejl: list[Fejl]):
        super().__init__(f"{len(fejl)} fejl")
        self.fejl = fejl


# --- parsing ------------------------------------------------------------------------------


def _afvis_konstant(navn: str) -> None:
    raise ValueError(navn)


@sensitive_variables("raw", "tekst", "vaerdi")
def laes_krop(raw: bytes) -> Krop:
    """Parse and validate a request body; return its envelopes or raise `UgyldigKrop`."""
    try:
        tekst = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UgyldigKrop([fejl("", "Kroppen er ikke gyldig UTF-8.")]) from None
    if not tekst.strip():
        raise UgyldigKrop([fejl("", "Kroppen er tom; den skal være en besked i JSON.")])
    try:
        vaerdi = json.loads(tekst, parse_constant=_afvis_konstant)
    except (ValueError, RecursionError):
        # ValueError covers JSONDecodeError, NaN/Infinity and integers too long to read.
        raise UgyldigKrop([fejl("", "Kroppen er ikke gyldig JSON.")]) from None
    fundne = valider(vaerdi, tjek_tegn=bool(MISTAENKELIGE_ESCAPES.search(tekst)))
    if fundne:
        raise UgyldigKrop(fundne)
    if isinstance(vaerdi, dict) and "beskeder" in vaerdi:
        return Krop(beskeder=vaerdi["beskeder"], batch=True)
    return Krop(beskeder=[vaerdi], batch=False)


def valider(vaerdi: Any, *, tjek_tegn: bool = True) -> list[Fejl]:
    """Return every error in a parsed body (one envelope or a batch); [] when it is valid.

    `tjek_tegn=False` skips the search for NUL and lone surrogates, for a body whose
    JSON text has no escape that could produce them.
    """
    try:
        fundne = list(_ugyldige_tegn(vaerdi, ())) if tjek_tegn else []
        if not fundne:
            if not _hurtigt_gyldig(vaerdi):
                # Only an invalid body pays for the detailed (and slower) walk.
                fundne = list(_schema_fejl(vaerdi)) or [
                    fejl("", "Beskeden følger ikke det offentliggjorte JSON Schema.")
                ]
            fundne += _regel_fejl(vaerdi)
    except RecursionError:
        fundne = [fejl("", "Beskeden er for dybt indlejret.")]
    return _ryd_op(fundne)


def fejl(felt: str, tekst: str) -> Fejl:
    return {"felt": felt, "fejl": tekst}


def sti(dele: Any) -> str:
    """Return a path such as `data.relationer.tilstandsobjekt[0].urn`."""
    tekst = ""
    for del_ in dele:
        if isinstance(del_, int):
            tekst += f"[{del_}]"
        else:
            tekst += f".{del_}" if tekst else str(del_)
    return tekst


def _naturlig(felt: str) -> list[tuple[int, str]]:
    """Sort key that puts beskeder[9] before beskeder[10]."""
    # ASCII digits only: a key may hold other digits (e.g. U+10E60) that int() refuses
    return [
        (int(d), "") if d.isascii() and d.isdigit() else (-1, d)
        for d in re.split(r"([0-9]+)", felt)
    ]


def _ryd_op(fundne: list[Fejl]) -> list[Fejl]:
    """Sort, drop repeats, mask anything CPR-like (belt and braces) and cap the list."""
    set_: set[tuple[str, str]] = set()
    ud = []
    for f in sorted(fundne, key=lambda f: (_naturlig(f["felt"]), f["fejl"])):
        noegle = (mask_cpr(f["felt"]), mask_cpr(f["fejl"]))
        if noegle not in set_:
            set_.add(noegle)
            ud.append(fejl(*noegle))
    if len(ud) > MAKS_FEJL:
        rest = len(ud) - MAKS_FEJL
        ud = [*ud[:MAKS_FEJL], fejl("", f"… og {rest} fejl mere.")]
    return ud


# --- characters PostgreSQL cannot store ----------------------------------------------------


def _ugyldige_tegn(vaerdi: Any, dele: tuple) -> Iterator[Fejl]:
    """Find NUL characters and lone surrogates (valid JSON escapes, but not text)."""
    besked = "Indeholder et tegn der ikke er tilladt (NUL eller et ufuldstændigt Unicode-tegn)."
    if isinstance(vaerdi, str):
        if UGYLDIGE_TEGN.search(vaerdi):
            yield fejl(sti(dele), besked)
    elif isinstance(vaerdi, dict):
        for noegle, under in vaerdi.items():
            if UGYLDIGE_TEGN.search(noegle):
                yield fejl(sti(dele), "Et feltnavn " + besked[0].lower() + besked[1:])
            else:
                yield from _ugyldige_tegn(under, (*dele, noegle))
    elif isinstance(vaerdi, list):
        for nr, under in enumerate(vaerdi):
            yield from _ugyldige_tegn(under, (*dele, nr))


# --- the JSON Schema -----------------------------------------------------------------------


@functools.cache
def schema() -> dict[str, Any]:
    """Return the published schema (the file the documentation links to)."""
    return json.loads(STI.read_text(encoding="utf-8"))


@functools.cache
def _moenster(pattern: str) -> re.Pattern[str]:
    # JSON Schema patterns are ECMA-262: `$` is the very end. Python's `$` also matches
    # before a final newline, so it becomes `\Z` here.
    return re.compile(pattern.replace("$", r"\Z"))


def _pattern(validator, pattern, instance, schema_):
    if validator.is_type(instance, "string") and not _moenster(pattern).search(instance):
        yield jsonschema.ValidationError("pattern")


@functools.cache
def _validator() -> jsonschema.protocols.Validator:
    klasse = validators.extend(jsonschema.Draft202012Validator, {"pattern": _pattern})
    return klasse(schema())


@functools.cache
def _hurtig_validator() -> jsonschema_rs.Draft202012Validator:
    return jsonschema_rs.Draft202012Validator(schema())


def _hurtigt_gyldig(vaerdi: Any) -> bool:
    """Answer whether the body follows the schema, fast (a compiled validator).

    Valid messages, the common case, are checked only here; anything it cannot read
    (an integer beyond 64 bits) counts as invalid and gets the detailed walk.
    """
    try:
        return _hurtig_validator().is_valid(vaerdi)
    except Exception:
        return False


def _schema_fejl(vaerdi: Any) -> Iterator[Fejl]:
    # Several schemas may demand a type of the same value (the envelope and the object
    # shape both say "data is an object"): one type error per field, the most specific.
    typefejl: dict[tuple, jsonschema.ValidationError] = {}
    for e in _validator().iter_errors(vaerdi):
        if e.validator == "type":
            sted = tuple(e.absolute_path)
            if sted not in typefejl or "errorMessage" in e.schema:
                typefejl[sted] = e
        else:
            yield from _oversaet(e)
    for e in typefejl.values():
        yield from _oversaet(e)


def _oversaet(e: jsonschema.ValidationError) -> Iterator[Fejl]:
    """Turn one jsonschema error into Danish errors, never quoting the instance."""
    dele = list(e.absolute_path)
    felt = sti(dele)
    egen = e.schema.get("errorMessage") if isinstance(e.schema, dict) else None
    art = e.validator
    if art == "required":
        mangler = [
            k for k in e.validator_value if isinstance(e.instance, dict) and k not in e.instance
        ]
        for k in mangler:
            yield fejl(sti([*dele, k]), egen or "Feltet mangler.")
        return
    if art == "additionalProperties" and isinstance(e.instance, dict):
        kendte = list(e.schema.get("properties", {}))
        tilladt = f" Tilladte felter her: {', '.join(kendte)}." if kendte else ""
        for k in e.instance:
            if k in kendte:
                continue
            if SIKKERT_FELTNAVN.fullmatch(k):
                yield fejl(sti([*dele, k]), f"Ukendt felt.{tilladt}")
            else:
                yield fejl(felt, f"Ukendt felt (navnet gentages ikke).{tilladt}")
        return
    if egen:
        yield fejl(felt, egen)
    elif art == "type":
        typer = e.validator_value if isinstance(e.validator_value, list) else [e.validator_value]
        yield fejl(felt, "Skal være " + " eller ".join(TYPER.get(t, t) for t in typer) + ".")
    elif art == "enum":
        muligheder = ", ".join(str(v) for v in e.validator_value)
        yield fejl(felt, f"Ukendt værdi. Tilladte værdier: {muligheder}.")
    elif art == "const":
        yield fejl(felt, f"Skal være {json.dumps(e.validator_value, ensure_ascii=False)}.")
    elif art == "minItems":
        n = e.validator_value
        yield fejl(
            felt,
            "Listen må ikke være tom." if n == 1 else f"Listen skal have mindst {n} elementer.",
        )
    elif art == "maxItems":
        n = e.validator_value
        yield fejl(
            felt,
            "Højst ét element: relationen peger på ét mål ad gangen."
            if n == 1
            else f"Listen må højst have {n} elementer.",
        )
    elif art == "pattern":
        yield fejl(felt, "Har ikke det forventede format.")
    else:
        yield fejl(felt, "Ugyldig værdi.")


# --- rules beyond the schema -----------------------------------------------------------------

UENDELIG = datetime.datetime.max.replace(tzinfo=datetime.UTC)
MINUS_UENDELIG = datetime.datetime.min.replace(tzinfo=datetime.UTC)


@functools.lru_cache(maxsize=4096)
def parse_tidspunkt(tekst: str) -> datetime.datetime | None:
    """Return the time a schema-valid timestamp names (Danish time when it has no offset),
    or None when it is no real date or time (the 30th of February, hour 25)."""
    if tekst == "infinity":
        return UENDELIG
    if tekst == "-infinity":
        return MINUS_UENDELIG
    try:
        tid = datetime.datetime.fromisoformat(tekst)
    except ValueError:
        return None
    if timezone.is_naive(tid):
        tid = timezone.make_aware(tid, timezone.get_default_timezone())
    return tid


def _regel_fejl(vaerdi: Any) -> Iterator[Fejl]:
    if isinstance(vaerdi, dict) and "beskeder" in vaerdi:
        if isinstance(vaerdi["beskeder"], list):
            for nr, besked in enumerate(vaerdi["beskeder"]):
                yield from _besked_regler(besked, ("beskeder", nr))
    else:
        yield from _besked_regler(vaerdi, ())


def _besked_regler(besked: Any, dele: tuple) -> Iterator[Fejl]:
    if not isinstance(besked, dict):
        return
    if besked.get("beskedtype") == Beskedtype.NOTIFICATION:
        yield fejl(
            sti((*dele, "beskedtype")),
            "Datadeling modtager Manipulation-beskeder; Notification er det Datadeling "
            "sender til sine abonnenter.",
        )
    if "data" in besked and not _data_fejlfri(besked["data"]):
        yield from _data_regler(besked["data"], (*dele, "data"))


AFSNIT_MED_PUNKTER = ("attributter", "tilstande", "relationer")


def _data_fejlfri(data: Any) -> bool:
    """Answer whether `_data_regler` would find nothing in `data`, fast: the same checks
    without building paths or generators. Only data that fails one pays for the walk that
    names the errors (tests/mox/test_ingress_hurtig.py holds the two to the same answer)."""
    if not isinstance(data, dict):
        return True
    for afsnit in AFSNIT_MED_PUNKTER:
        gruppe = data.get(afsnit)
        if not isinstance(gruppe, dict):
            continue
        for punkter in gruppe.values():
            if not isinstance(punkter, list):
                continue
            for punkt in punkter:
                if isinstance(punkt, dict) and not _punkt_fejlfrit(punkt):
                    return False
    return True


def _punkt_fejlfrit(punkt: dict) -> bool:
    virkning = punkt.get("virkning")
    if isinstance(virkning, dict):
        # Only texts of the timestamp form count (as in `_virkning_regler`), and only
        # they reach the cache: nothing else a sender wrote there is kept.
        fra = virkning.get("from")
        til = virkning.get("to")
        if not _virkning_fejlfri(
            fra if isinstance(fra, str) and VIRKNINGSTIDSPUNKT.match(fra) else None,
            til if isinstance(til, str) and VIRKNINGSTIDSPUNKT.match(til) else None,
        ):
            return False
    # Most entries have neither a urn nor a time property: skip the calls for them.
    urn = punkt.get("urn")
    if urn is not None and _ugyldig_cpr_urn(urn):
        return False
    for noegle in TIDSPUNKTER:
        tekst = punkt.get(noegle)
        if tekst is not None and _ugyldig_tid(tekst):
            return False
    return True


@functools.lru_cache(maxsize=4096)
def _virkning_fejlfri(fra: str | None, til: str | None) -> bool:
    """Answer whether a virkning with these timestamps (None: absent, or not a timestamp)
    is valid: a batch repeats the same few periods, so each pair is checked once."""
    virkning = {kant: tekst for kant, tekst in (("from", fra), ("to", til)) if tekst is not None}
    return not any(_virkning_regler(virkning, ()))


def _data_regler(data: Any, dele: tuple) -> Iterator[Fejl]:
    """Check `data`'s entries: real dates, periods that end after they begin, CPR urns.

    The schema allows virkning, urn and the time properties only in the entries of
    attributter, tilstande and relationer, so only those are visited.
    """
    if not isinstance(data, dict):
        return
    for afsnit in AFSNIT_MED_PUNKTER:
        gruppe = data.get(afsnit)
        if not isinstance(gruppe, dict):
            continue
        for navn, punkter in gruppe.items():
            if not isinstance(punkter, list):
                continue
            for nr, punkt in enumerate(punkter):
                if isinstance(punkt, dict):
                    yield from _punkt_regler(punkt, (*dele, afsnit, navn, nr))


def _punkt_regler(punkt: dict, dele: tuple) -> Iterator[Fejl]:
    virkning = punkt.get("virkning")
    if isinstance(virkning, dict):
        yield from _virkning_regler(virkning, (*dele, "virkning"))
    if _ugyldig_cpr_urn(punkt.get("urn")):
        yield fejl(
            sti((*dele, "urn")),
            "CPR-nummeret i urn'en er ikke gyldigt: de første seks cifre er ikke "
            "en fødselsdato (DDMMÅÅ).",
        )
    for noegle in TIDSPUNKTER:
        if _ugyldig_tid(punkt.get(noegle)):
            yield fejl(sti((*dele, noegle)), "Er ikke en gyldig dato eller tid.")


TIDSPUNKTER = ("starttidspunkt", "sluttidspunkt")


def _ugyldig_cpr_urn(urn: Any) -> bool:
    """Answer whether `urn` is a CPR urn whose number is no real birth date."""
    match = CPR_URN.match(urn) if isinstance(urn, str) else None
    if match is None:
        return False
    try:
        validate_cpr(match.group(1))
    except ValidationError:
        return True
    return False


def _ugyldig_tid(tekst: Any) -> bool:
    """Answer whether `tekst` has the form of a timestamp but names no real time."""
    return (
        isinstance(tekst, str) and bool(TIDSPUNKT.match(tekst)) and parse_tidspunkt(tekst) is None
    )


def _virkning_regler(virkning: dict, dele: tuple) -> Iterator[Fejl]:
    tider = {}
    for kant in ("from", "to"):
        tekst = virkning.get(kant)
        if isinstance(tekst, str) and VIRKNINGSTIDSPUNKT.match(tekst):
            tid = parse_tidspunkt(tekst)
            if tid is None:
                yield fejl(sti((*dele, kant)), "Er ikke en gyldig dato eller tid.")
            else:
                tider[kant] = tid
    if len(tider) == 2 and tider["from"] >= tider["to"]:
        yield fejl(sti(dele), "Virkningen skal begynde (from) før den slutter (to).")
