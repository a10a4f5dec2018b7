"""`manage.py importer_klassifikation`: output, errors and exit codes."""

from __future__ import annotations

import io
import re
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from klassifikation.importer import STANDARD_MAPPE, klassifikation_import
from klassifikation.management.commands.importer_klassifikation import Command
from klassifikation.models import Klasse, Klassifikation, Mapping

from .conftest import FFB, FSIII, FSIII_URI, fjern

pytestmark = pytest.mark.django_db


def kommando(*args, **kwargs) -> str:
    ud = StringIO()
    call_command("importer_klassifikation", *args, stdout=ud, stderr=StringIO(), **kwargs)
    return ud.getvalue()


def test_standard_imports_every_shipped_file_with_one_line_each():
    ud = kommando("--standard")

    linjer = ud.splitlines()
    assert len(linjer) == len(list(STANDARD_MAPPE.glob("*.json")))
    fsiii = next(linje for linje in linjer if linje.startswith("CodeSystem-FSIII.json:"))
    assert fsiii.startswith(
        "CodeSystem-FSIII.json: FSIII 20240530 – klasser: 828 nye, 0 ændrede, 0 uændrede, "
        "0 udgåede; betegnelser: 4 nye"
    )
    assert fsiii.endswith(" s)")
    assert (
        "ConceptMap-Datadeling-FSIII-FFB.json: FSIII-tilstande til FFB-tilstande 1.0.0 – "
        "mappings: 25 nye, 0 ændrede, 0 uændrede, 0 slettede"
    ) in ud
    assert (
        "CodeSystem-Datadeling-FFB-Fagord.json: supplement Faglige betegnelser for FFB 1.0.0 – "
        "betegnelser: 23 nye"
    ) in ud
    assert Mapping.objects.count() == 25


def test_standard_again_reports_nothing_changed():
    kommando("--standard")

    ud = kommando("--standard")

    assert "klasser: 0 nye, 0 ændrede, 828 uændrede, 0 udgåede" in ud
    assert not re.search(r"\b[1-9]\d* (nye|ændrede|udgåede|slettede)", ud)


def test_files_and_folders_in_any_order(tmp_path):
    ud = kommando(str(FFB), str(FSIII))

    assert [linje.split(":")[0] for linje in ud.splitlines()] == [
        "CodeSystem-FFB.json",
        "CodeSystem-FSIII.json",
    ]


def test_verbosity_zero_prints_nothing():
    assert kommando(str(FFB), verbosity=0) == ""
    assert Klassifikation.objects.count() == 1


def test_error_gives_command_error_with_the_message_and_nothing_imported(skriv):
    fejl = skriv("fejl.json", {"resourceType": "CodeSystem", "concept": []})

    with pytest.raises(CommandError) as e:
        kommando(str(FFB), str(fejl))

    assert str(e.value) == "Intet er importeret:\n  fejl.json: url: mangler."
    assert e.value.returncode == 1
    assert not Klassifikation.objects.exists()


def test_no_paths_is_an_error():
    with pytest.raises(CommandError, match="Angiv mindst én fil eller mappe"):
        kommando()


def test_older_version_needs_force(skriv, fsiii):
    fsiii["version"] = "20990101"
    fjern(fsiii, "J4.2")
    kommando(str(FSIII))
    assert "1 udgåede" in kommando(str(skriv("ny.json", fsiii)))

    with pytest.raises(CommandError, match="Brug --force"):
        kommando(str(FSIII))
    ud = kommando(str(FSIII), "--force")

    assert "CodeSystem-FSIII.json: FSIII 20240530 – klasser: 0 nye," in ud
    assert Klassifikation.objects.get(uri=FSIII_URI).version == "20240530"
    assert Klasse.objects.get(kode="J4.2").status == "active"


def test_exit_code_from_the_command_line(skriv, monkeypatch, capsys):
    # run_from_argv closes the database connections when done; the test still needs its own.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    fejl = skriv("fejl.json", "ikke json")

    with pytest.raises(SystemExit) as afslut:
        Command().run_from_argv(["manage.py", "importer_klassifikation", str(fejl)])

    assert afslut.value.code == 1
    assert "fejl.json: ikke gyldig JSON (linje 1, kolonne 1)" in capsys.readouterr().err


def test_progress_bar_on_a_terminal_only(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    kommando(str(FFB))
    assert "begreber" in terminal.getvalue()

    stille = Terminal()
    monkeypatch.setattr(sys, "stderr", stille)
    kommando(str(FSIII), "--quiet")
    assert stille.getvalue() == ""


def test_progress_is_reported_up_to_the_total():
    kald = []

    klassifikation_import(stier=[FFB, FSIII], fremskridt=lambda n, i_alt: kald.append((n, i_alt)))

    assert kald == [(220, 1048), (1048, 1048)]
    assert Klasse.objects.count() == 1048
