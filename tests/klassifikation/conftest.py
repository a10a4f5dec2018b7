"""Fixtures for the klassifikation tests: the shipped files and helpers to vary them."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from klassifikation.importer import STANDARD_MAPPE
from klassifikation.models import (
    Betegnelse,
    Klasse,
    Klassifikation,
    Mapping,
    Mappingsaet,
    Supplement,
)

FSIII = STANDARD_MAPPE / "CodeSystem-FSIII.json"
FFB = STANDARD_MAPPE / "CodeSystem-FFB.json"
CARE = STANDARD_MAPPE / "CodeSystem-CareSocialCodes.json"
LTT = STANDARD_MAPPE / "CodeSystem-LTT.json"
FAGLIGHED = STANDARD_MAPPE / "CodeSystem-Datadeling-Faglighed.json"
FSIII_FAGORD = STANDARD_MAPPE / "CodeSystem-Datadeling-FSIII-Fagord.json"
FFB_FAGORD = STANDARD_MAPPE / "CodeSystem-Datadeling-FFB-Fagord.json"
FSIII_FFB = STANDARD_MAPPE / "ConceptMap-Datadeling-FSIII-FFB.json"

FSIII_URI = "urn:oid:1.2.208.176.2.21"
FFB_URI = "urn:oid:1.2.208.176.2.22"
FAGLIGHED_URI = "urn:datadeling:codesystem:faglighed"


def laes(fil: Path) -> dict[str, Any]:
    return json.loads(fil.read_text(encoding="utf-8"))


def begreber(data: dict) -> list[dict]:
    """Return every concept of a CodeSystem, nested ones included, in file order."""
    ud = []

    def gaa(liste):
        for begreb in liste:
            ud.append(begreb)
            gaa(begreb.get("concept", []))

    gaa(data.get("concept", []))
    return ud


def find(data: dict, kode: str) -> dict:
    return next(b for b in begreber(data) if b["code"] == kode)


def fjern(data: dict, kode: str) -> None:
    """Remove a concept (and its subtree) wherever it is nested."""

    def gaa(liste):
        for i, begreb in enumerate(liste):
            if begreb["code"] == kode:
                del liste[i]
                return True
            if gaa(begreb.get("concept", [])):
                return True
        return False

    assert gaa(data["concept"]), kode
    if "count" in data:
        data["count"] = len(begreber(data))


@pytest.fixture(autouse=True)
def _uden_kodesystemer(uden_kodesystemer):
    """These tests import code systems themselves and count what the import did."""


@pytest.fixture
def skriv(tmp_path: Path) -> Callable[..., Path]:
    """Write a JSON resource (or raw text) to tmp_path and return its path."""

    def skriv(navn: str, indhold: dict | str) -> Path:
        fil = tmp_path / navn
        tekst = indhold if isinstance(indhold, str) else json.dumps(indhold, ensure_ascii=False)
        fil.write_text(tekst, encoding="utf-8")
        return fil

    return skriv


@pytest.fixture
def fsiii() -> dict:
    """A fresh copy of the shipped FSIII CodeSystem, to vary."""
    return copy.deepcopy(_FSIII)


_FSIII = laes(FSIII)


def snapshot() -> dict[str, list[tuple]]:
    """Return every klassifikation row with every column, to compare before and after."""
    return {
        model.__name__: sorted(tuple(str(v) for v in row) for row in model.objects.values_list())
        for model in (Klassifikation, Klasse, Betegnelse, Supplement, Mappingsaet, Mapping)
    }
