"""The fagsystem simulator: deterministic, schema-valid, realistic order, and its messages
produce the objects they describe when Datadeling applies them."""

from __future__ import annotations

import datetime
import io
import json
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command

from demo.simulator import grundlag as sim_grundlag
from demo.simulator import simuler
from indsats.models import Indsats
from mox import validering
from mox.agent import eksport
from mox.behandling.anvend import HAANDTERINGER
from mox.models import Besked
from organisation.models import Borger, Enhed, Myndighed
from tests.mox.conftest import ny_afsender
from tilstand.models import Tilstand

SLUT = datetime.date(2026, 6, 30)


@pytest.fixture(autouse=True)
def eager():
    from datadeling.celery import app

    foer = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = foer


def filer(mappe: Path) -> dict[str, bytes]:
    return {str(p.relative_to(mappe)): p.read_bytes() for p in sorted(mappe.rglob("*.*"))}


def beskeder(mappe: Path) -> list[dict]:
    ud = []
    for fil in eksport.laes_mappe(mappe):
        for post in fil.poster:
            assert post.fejl is None, (fil.navn, post.nummer, post.fejl)
            ud.append(post.besked)
    return ud


def test_the_same_seed_gives_the_same_files_and_another_seed_others(kodesystemer, tmp_path):
    a = simuler(mappe=tmp_path / "a", borgere=12, beskeder=300, seed=7)
    b = simuler(mappe=tmp_path / "b", borgere=12, beskeder=300, seed=7)
    c = simuler(mappe=tmp_path / "c", borgere=12, beskeder=300, seed=8)
    assert a.beskeder == b.beskeder == c.beskeder == 300
    assert filer(tmp_path / "a") == filer(tmp_path / "b")
    assert filer(tmp_path / "a") != filer(tmp_path / "c")
    # the second run reused the citizens and units the first one created
    assert (a.borgere_oprettet, b.borgere_oprettet) == (12, 0)
    assert a.enheder_oprettet > 0 and b.enheder_oprettet == 0
    assert Borger.objects.count() == 12


def test_every_system_writes_its_format_and_every_message_passes_the_schema(kodesystemer, tmp_path):
    r = simuler(mappe=tmp_path, borgere=30, beskeder=1200, seed=1)
    assert [s.system for s in r.systemer] == ["omsorg", "social", "jobcenter", "psykiatri"]
    endelser = {s.system: {p.suffix for p in s.filer} for s in r.systemer}
    assert endelser == {
        "omsorg": {".json"},
        "social": {".csv"},
        "jobcenter": {".json"},
        "psykiatri": {".jsonl"},
    }
    for s in r.systemer:
        alle = beskeder(s.mappe)
        assert len(alle) == s.beskeder
        for start in range(0, len(alle), 1000):
            assert validering.valider({"beskeder": alle[start : start + 1000]}) == []
        assert len({b["beskedID"] for b in alle}) == len(alle)

    typer = Counter()
    for s in r.systemer:
        typer.update(s.pr_type)
    # mostly creates, then updates, and some passivations; every objekttype occurs
    assert typer["tilstand create"] > typer["tilstand update"] > typer["tilstand passivate"] > 0
    assert typer["indsats create"] > 0 and typer["indsats update"] > 0
    assert typer["sag create"] > 0 and typer["sag update"] > 0
    creates = sum(n for t, n in typer.items() if t.endswith("create"))
    assert creates > r.beskeder / 2


def test_an_object_is_created_before_it_is_changed_and_never_changed_after_passivation(
    kodesystemer, tmp_path
):
    r = simuler(mappe=tmp_path, borgere=20, beskeder=800, seed=3)
    for s in r.systemer:
        foerste: dict[str, str] = {}
        passiv: set[str] = set()
        for besked in beskeder(s.mappe):
            oid = besked["objektID"]
            assert oid not in passiv, "a message after the object's passivation"
            foerste.setdefault(oid, besked["operation"])
            assert foerste[oid] == "create", "an update before its create"
            if besked["operation"] == "passivate":
                passiv.add(oid)


def test_the_classes_are_real_and_fit_each_system(kodesystemer, tmp_path):
    from klassifikation import kendte as k
    from klassifikation.models import Klasse

    r = simuler(mappe=tmp_path, borgere=15, beskeder=400, seed=2)
    pr_system = {s.system: beskeder(s.mappe) for s in r.systemer}

    def klasser(system: str, objekttype: str, relation: str) -> list[Klasse]:
        ids = {
            post["uuid"]
            for b in pr_system[system]
            if b["objekttype"] == objekttype and b["operation"] == "create"
            for post in b["data"]["relationer"].get(relation, [])
        }
        fundne = list(Klasse.objects.filter(pk__in=ids))
        assert len(fundne) == len(ids) > 0
        return fundne

    assert all(
        k.under(kl, k.FSIII_FUNKTIONSEVNETILSTANDE[0])
        for kl in klasser("omsorg", "tilstand", "tilstandstype")
    )
    assert all(
        k.under(kl, k.FSIII_INDSATSER[0]) for kl in klasser("omsorg", "indsats", "indsatstype")
    )
    assert all(
        k.under(kl, k.FFB_TILSTANDE) for kl in klasser("social", "tilstand", "tilstandstype")
    )
    assert all(
        k.under(kl, k.FFB_YDELSE, k.FFB_TILBUD)
        for kl in klasser("social", "indsats", "indsatstype")
    )
    kvaliteter = klasser("social", "tilstand", "tilstandskvalitet")
    assert any(k.under(kl, k.FFB_FUNKTIONSEVNENIVEAU) for kl in kvaliteter)
    assert any(k.under(kl, k.FFB_STOETTEBEHOVSNIVEAU) for kl in kvaliteter)
    sager = [b for b in pr_system["jobcenter"] if b["objekttype"] == "sag"]
    numre = {b["data"]["attributter"]["sagegenskaber"][0]["sagsnummer"][:2] for b in sager
             if b["operation"] == "create"}  # fmt: skip
    assert numre <= {"15", "32"} and numre


def test_demo_units_are_used_when_they_exist(kodesystemer, tmp_path):
    kommune = Myndighed.objects.create(navn="Aarhus Kommune", type="kommune", kommunekode="751")
    visitation = Enhed.objects.create(myndighed=kommune, navn="Visitationen")
    r = simuler(mappe=tmp_path, borgere=5, beskeder=60, seed=1, systemer=["omsorg"])
    assert r.enheder_oprettet == 0
    assert r.systemer[0].enheder == ["Visitationen"]
    enheder = {
        post["uuid"]
        for b in beskeder(tmp_path / "omsorg")
        if b["operation"] == "create"
        for navn in ("tilstandsaktoer", "indsatsaktoer", "ansvarlig")
        for post in b["data"]["relationer"].get(navn, [])
        if post["objekttype"] == "Organisationenhed"
    }
    assert enheder == {str(visitation.pk)}


def test_created_citizens_have_valid_cpr_numbers(kodesystemer):
    folk, oprettet = sim_grundlag.borgere(25, seed=4, slutdato=SLUT)
    assert oprettet == 25 and len({b.cpr for b in folk}) == 25
    for borger in Borger.objects.all():
        borger.full_clean()  # validate_cpr among others


def test_the_command_writes_the_folders_and_says_what_it_did(kodesystemer, tmp_path):
    ud = io.StringIO()
    call_command(
        "mox_simuler",
        "--mappe", str(tmp_path), "--borgere", "6", "--beskeder", "90", "--system", "social",
        stdout=ud, stderr=io.StringIO(),
    )  # fmt: skip
    assert [p.name for p in tmp_path.iterdir()] == ["social"]
    csv_filer = sorted((tmp_path / "social").glob("*.csv"))
    assert csv_filer
    hoved = csv_filer[0].read_text(encoding="utf-8").splitlines()[0]
    assert hoved.startswith("objekttype;operation;objektID;noegle;cpr;fra")
    assert "90 beskeder om 6 borgere" in ud.getvalue()
    assert len(beskeder(tmp_path / "social")) == 90


def test_the_command_refuses_a_period_in_the_future(kodesystemer, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="fremtiden"):
        call_command("mox_simuler", "--mappe", str(tmp_path), "--slutdato", "2999-01-01")


def test_without_the_code_systems_the_command_says_what_to_import(db, uden_kodesystemer, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="importer_klassifikation"):
        call_command("mox_simuler", "--mappe", str(tmp_path))


# --- applied by Datadeling -------------------------------------------------------------------


def test_applied_the_simulated_messages_produce_tilstande_indsatser_and_sager(
    kodesystemer, tmp_path, django_capture_on_commit_callbacks
):
    r = simuler(mappe=tmp_path, borgere=10, beskeder=360, seed=5)
    for s in r.systemer:
        # each fagsystem sends its own folder with its own credentials
        afsender = ny_afsender(
            f"Simuleret {s.system}",
            enhed=Enhed.objects.get(pk=s.enhed_ider[0]),
            enheder=Enhed.objects.filter(pk__in=s.enhed_ider[1:]),
            alle_enheder=False,  # registered as the simulator says, for its units only
        )
        alle = beskeder(s.mappe)
        for start in range(0, len(alle), 200):
            with django_capture_on_commit_callbacks(execute=True):
                svar = afsender.post({"beskeder": alle[start : start + 200]})
            assert svar.status_code == 202, svar.content

    status = Counter((b.objekttype, b.status) for b in Besked.objects.only("objekttype", "status"))
    fejl = {
        (b.objekttype, json.dumps(b.fejl, ensure_ascii=False))
        for b in Besked.objects.filter(status="fejlet").exclude(objekttype="sag")
    }
    assert not fejl, fejl
    for objekttype in ("tilstand", "indsats"):
        assert status[(objekttype, "behandlet")] == sum(
            s.pr_type.get(f"{objekttype} {op}", 0)
            for s in r.systemer
            for op in ("create", "update", "passivate")
        )
    creates = {
        t: sum(s.pr_type.get(f"{t} create", 0) for s in r.systemer) for t in ("tilstand", "indsats")
    }
    assert Tilstand.objects.count() == creates["tilstand"]
    assert Indsats.objects.count() == creates["indsats"]
    passiveret = sum(s.pr_type.get("tilstand passivate", 0) for s in r.systemer)
    assert Tilstand.objects.filter(aktiv=False).count() >= passiveret
    sager = sum(n for (t, _), n in status.items() if t == "sag")
    if "sag" in HAANDTERINGER:  # the sag handler is there: the sagsindeks fills
        assert status[("sag", "behandlet")] == sager
    else:
        assert status[("sag", "fejlet")] == sager
        felter = {f["felt"] for b in Besked.objects.filter(objekttype="sag") for f in b.fejl}
        assert felter == {"objekttype"}
