"""The reference MOX agent: reads exports (JSON, JSON Lines, CSV), signs and sends them in
batches against a real Datadeling (live_server), resumes after a stop, reports refused
messages, stops on refused credentials, retries transient trouble, receives signed
notifications, and never needs Django."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from django.conf import settings

from demo.simulator import simuler
from indsats.models import Indsats
from mox import auth, eksempler, indstillinger, validering
from mox.agent import afsender as agent_afsender
from mox.agent import cli, eksport, sikkerhed
from mox.agent.modtager import Indbakke, lav_modtager
from mox.behandling.anvend import HAANDTERINGER
from mox.models import Besked
from organisation.models import Enhed
from tests.mox.conftest import CPR, ny_afsender
from tests.mox.test_behandling import indpak, niveau, tilstand_data
from tilstand.models import Tilstand

PROJEKT = Path(settings.BASE_DIR)
CPR_RE = re.compile(r"(?<![0-9a-f])\d{6}-?\d{4}(?![0-9a-f])")


@pytest.fixture(autouse=True)
def eager():
    from datadeling.celery import app

    foer = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = foer


@pytest.fixture
def server(live_server, monkeypatch):
    """The live server over plain HTTP. Its middleware was built when the session's live
    server started, before the autouse fixture turned SECURE_SSL_REDIRECT off (the redirect
    belongs to deployment), so the redirect is switched off on the class here."""
    from django.middleware.security import SecurityMiddleware

    monkeypatch.setattr(SecurityMiddleware, "process_request", lambda self, request: None)
    return live_server


def noeglefil(tmp_path: Path, a) -> Path:
    sti = tmp_path / f"noegler-{a.system.pk}.json"
    sti.write_text(json.dumps({"system": str(a.system.uuid), "token": a.token, "secret": a.secret}))
    return sti


def send_argv(url: str, mappe: Path, tmp_path: Path, a, *ekstra: str) -> list[str]:
    return [
        "send", "--url", url, "--noegle-fil", str(noeglefil(tmp_path, a)), "--mappe", str(mappe),
        "--tilstand-fil", str(tmp_path / "state.json"),
        "--rapport-fil", str(tmp_path / "rapport.jsonl"), *ekstra,
    ]  # fmt: skip


def koer(argv: list[str], capsys) -> tuple[int, dict, str]:
    """Run the agent in-process; return exit code, the summary line and stderr."""
    kode = cli.main(argv)
    ud = capsys.readouterr()
    linjer = [linje for linje in ud.out.splitlines() if linje.startswith("{")]
    return kode, (json.loads(linjer[-1]) if linjer else {}), ud.err


def koer_proces(argv: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mox.agent", *argv],
        cwd=PROJEKT,
        env={"PATH": os.environ.get("PATH", ""), **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def skriv_json(sti: Path, beskeder: list[dict]) -> None:
    sti.parent.mkdir(parents=True, exist_ok=True)
    sti.write_text(json.dumps(beskeder, ensure_ascii=False), encoding="utf-8")


# --- end to end against a running Datadeling ------------------------------------------------


def test_a_simulated_export_reaches_the_inbox_and_is_applied(
    server, kodesystemer, tmp_path, capsys
):
    r = simuler(mappe=tmp_path / "eksport", borgere=8, beskeder=240, seed=11,
                systemer=["omsorg", "social"])  # fmt: skip
    url = server.url + "/mox/"
    for s in r.systemer:
        a = ny_afsender(
            f"Simuleret {s.system}",
            enhed=Enhed.objects.get(pk=s.enhed_ider[0]),
            enheder=Enhed.objects.filter(pk__in=s.enhed_ider[1:]),
            alle_enheder=False,  # registered as the simulator says, for its units only
        )
        arbejde = tmp_path / s.system
        arbejde.mkdir()
        kode, resultat, err = koer(send_argv(url, s.mappe, arbejde, a, "--batch", "50"), capsys)
        assert kode == 0, err
        assert resultat["sendt"] == resultat["ialt"] == s.beskeder
        assert resultat["afvist"] == 0
        assert resultat["batches"] == -(-s.beskeder // 50)
        assert f"{s.beskeder}/{s.beskeder} beskeder" in err
        assert not CPR_RE.search(err)
        assert Besked.objects.filter(system=a.system).count() == s.beskeder
        state = json.loads((arbejde / "state.json").read_text())
        assert state["url"] == url
        assert all(
            f["faerdige"] == f["beskeder"] == f["kvitteret"] for f in state["filer"].values()
        )

    status = Counter(Besked.objects.values_list("objekttype", "status"))
    assert {s for (t, s) in status if t != "sag"} == {"behandlet"}, status
    sag = "behandlet" if "sag" in HAANDTERINGER else "fejlet"
    assert {s for (t, s) in status if t == "sag"} == {sag}
    creates = sum(s.pr_type.get("tilstand create", 0) for s in r.systemer)
    assert Tilstand.objects.count() == creates
    assert Indsats.objects.count() == sum(s.pr_type.get("indsats create", 0) for s in r.systemer)

    # the status subcommand asks Datadeling, message by message
    social = r.systemer[1]
    a = ny_afsender("Kun for status")  # another system sees none of these messages
    kode = cli.main(["status", "--url", url, "--noegle-fil", str(noeglefil(tmp_path, a)),
                     "--mappe", str(social.mappe)])  # fmt: skip
    assert kode == 0
    assert f"ukendt (404): {social.beskeder}" in capsys.readouterr().out


def test_a_stopped_agent_resumes_after_the_last_acknowledged_batch(server, grundlag, tmp_path):
    a = ny_afsender("Omsorgssystem Testrup")
    alle = [indpak(tilstand_data(grundlag)) for _ in range(30)]
    skriv_json(tmp_path / "eksport" / "001.json", alle[:18])
    skriv_json(tmp_path / "eksport" / "002.json", alle[18:])
    argv = send_argv(server.url + "/mox/", tmp_path / "eksport", tmp_path, a, "--batch", "8")
    state_sti = tmp_path / "state.json"

    foerste = koer_proces([*argv, "--maks-batches", "1"])
    assert foerste.returncode == 0, foerste.stderr
    assert json.loads(foerste.stdout)["sendt"] == 8
    assert Besked.objects.count() == 8
    state = json.loads(state_sti.read_text())
    assert state["filer"]["001.json"]["faerdige"] == 8
    assert state["filer"]["002.json"]["faerdige"] == 0
    efter_foerste = state_sti.read_text()

    anden = koer_proces(argv)
    assert anden.returncode == 0, anden.stderr
    svar = json.loads(anden.stdout)
    assert (svar["allerede_sendt"], svar["sendt"], svar["batches"]) == (8, 22, 3)
    state = json.loads(state_sti.read_text())
    assert [f["faerdige"] for f in state["filer"].values()] == [18, 12]
    assert Besked.objects.count() == 30
    assert Counter(Besked.objects.values_list("status", flat=True)) == {"behandlet": 30}

    assert json.loads(koer_proces(argv).stdout)["sendt"] == 0  # nothing left to send

    # Killed after Datadeling stored batches but before the state file was written: the
    # agent sends them again, and Datadeling's idempotency keeps them once.
    state_sti.write_text(efter_foerste)
    igen = koer_proces(argv)
    assert json.loads(igen.stdout)["sendt"] == 22
    assert Besked.objects.count() == 30
    assert Tilstand.objects.count() == 30
    assert not list(tmp_path.glob("state.json.*.tmp"))  # the atomic write left no debris


def test_refused_messages_go_to_the_report_and_the_rest_is_sent(server, db, tmp_path, capsys):
    a = ny_afsender("Socialsystem Testrup")
    gode = [indpak(tilstand_data_uden_db()) for _ in range(3)]
    daarlig = {**indpak(tilstand_data_uden_db()), "objekttype": "hemmelig-0101501234"}
    skriv_json(tmp_path / "eksport" / "01.json", [gode[0], daarlig, gode[1]])
    (tmp_path / "eksport" / "02.csv").write_text(
        "objekttype;operation;noegle;cpr;fra\ntilstand;create;X-1;12345;2024-01-01\n",
        encoding="utf-8",
    )
    skriv_json(tmp_path / "eksport" / "03.json", [gode[2]])
    url = server.url + "/mox/"

    kode, resultat, err = koer(send_argv(url, tmp_path / "eksport", tmp_path, a), capsys)
    assert kode == agent_afsender.AFVIST
    assert (resultat["sendt"], resultat["afvist"]) == (3, 2)
    assert set(Besked.objects.values_list("besked_id", flat=True)) == {
        uuid.UUID(b["beskedID"]) for b in gode
    }
    rapport = [json.loads(linje) for linje in (tmp_path / "rapport.jsonl").read_text().splitlines()]
    rapport.sort(key=lambda r: (r["fil"], r["nummer"]))
    assert [(r["fil"], r["nummer"]) for r in rapport] == [("01.json", 2), ("02.csv", 2)]
    assert rapport[0]["beskedID"] == daarlig["beskedID"]
    assert rapport[0]["fejl"][0]["felt"] == "objekttype"  # the batch prefix is taken off
    assert "cpr" in rapport[1]["fejl"][0]["fejl"]
    tekst = (tmp_path / "rapport.jsonl").read_text() + err
    assert "0101501234" not in tekst and "12345" not in tekst

    # --ved-fejl stop: the batch with the bad message is not stored, the run stops there
    b = ny_afsender("Andet system")
    (tmp_path / "b").mkdir()
    argv = send_argv(url, tmp_path / "eksport", tmp_path / "b", b, "--ved-fejl", "stop")
    kode, _, err = koer(argv, capsys)
    assert kode == agent_afsender.AFVIST
    assert "afviste 1 besked" in err
    assert not Besked.objects.filter(system=b.system).exists()
    assert not (tmp_path / "b" / "state.json").exists()


def tilstand_data_uden_db() -> dict:
    """A valid tilstand body (the schema only; nothing here needs to exist)."""
    return json.loads(json.dumps(eksempler.TILSTAND["data"]))


def test_bad_credentials_stop_the_agent_with_a_clear_message(server, db, tmp_path, capsys):
    a = ny_afsender("Jobcentersystem Testrup")
    skriv_json(tmp_path / "eksport" / "01.json", [indpak(tilstand_data_uden_db())])
    url = server.url + "/mox/"

    a.token = "mox_forkert"
    kode, _, err = koer(send_argv(url, tmp_path / "eksport", tmp_path, a), capsys)
    assert kode == agent_afsender.NAEGTET
    assert "401" in err and "token" in err

    a = ny_afsender("Andet jobcentersystem")
    a.secret = "forkert-hemmelighed"
    kode, _, err = koer(send_argv(url, tmp_path / "eksport", tmp_path, a), capsys)
    assert kode == agent_afsender.NAEGTET
    assert "403" in err and "signatur" in err.lower()
    assert not Besked.objects.exists()
    assert not (tmp_path / "state.json").exists()


def test_credentials_come_from_the_environment_and_http_elsewhere_is_refused(
    tmp_path, monkeypatch, capsys
):
    (tmp_path / "tom").mkdir()
    monkeypatch.delenv("MOX_TOKEN", raising=False)
    monkeypatch.delenv("MOX_SECRET", raising=False)
    base = ["send", "--mappe", str(tmp_path / "tom"), "--tilstand-fil", str(tmp_path / "s")]
    assert cli.main([*base, "--url", "https://datadeling.example/mox/"]) == 1
    assert "MOX_TOKEN" in capsys.readouterr().err
    monkeypatch.setenv("MOX_TOKEN", "mox_x")
    monkeypatch.setenv("MOX_SECRET", "hemmelig")
    assert cli.main([*base, "--url", "http://datadeling.example/mox/"]) == 1
    assert "https" in capsys.readouterr().err


# --- the CSV mapping ------------------------------------------------------------------------

CSV = """objekttype;operation;objektID;noegle;cpr;fra;til;enhed_uuid;type_uuid;niveau_uuid;status;start;slut;fremdrift;sagsnummer;titel;note
tilstand;create;;T-1;{cpr};12-04-2024;;{enhed};{type};{niveau};Aktiv;;;;;;Vurdering
indsats;create;;I-1;{cpr};2024-04-15;;{enhed};{indsats};;;2024-04-15;2024-10-15;;;;
tilstand;update;;T-1;;2024-06-01;;;;{niveau1};;;;;;;Revurdering
indsats;update;;I-1;;2024-04-22;;;;;;;;Leveret;;;
sag;create;;S-1;{cpr};2024-04-01;;{enhed};{kle};;;;;Oplyst;27.24.00-G01-118-24;Hjemmehjælp;
tilstand;passivate;;T-2;;;;;;;;;;;;;Registreret ved en fejl
"""  # noqa: E501


def csv_tekst(grundlag) -> str:
    from tests.mox.test_behandling import indsatstype

    cpr = f"{CPR[:6]}-{CPR[6:]}"
    return CSV.format(
        cpr=cpr, enhed=grundlag.enhed.pk, type=grundlag.type.pk, niveau=niveau("3").pk,
        niveau1=niveau("1").pk, indsats=indsatstype().pk, kle=uuid.uuid5(uuid.NAMESPACE_URL, "kle"),
    )  # fmt: skip


def test_csv_rows_become_valid_envelopes_by_the_documented_mapping(grundlag, tmp_path):
    (tmp_path / "a.csv").write_text(csv_tekst(grundlag), encoding="utf-8-sig")
    (fil,) = eksport.laes_mappe(tmp_path)
    assert [p.nummer for p in fil.poster] == [2, 3, 4, 5, 6, 7]
    assert all(p.fejl is None for p in fil.poster)
    t, i, t_ret, i_ret, sag, passiv = (p.besked for p in fil.poster)
    assert validering.valider({"beskeder": [t, i, t_ret, i_ret, sag, passiv]}) == []

    # objektID from the fagsystem's own id, the same for the create and its update
    assert t["objektID"] == t_ret["objektID"] == eksport.afledt_objekt_id("tilstand", "T-1")
    assert i["objektID"] == i_ret["objektID"]
    rel = t["data"]["relationer"]
    assert rel["tilstandsobjekt"][0]["urn"] == f"urn:dk:cpr:person:{CPR}"
    assert rel["tilstandstype"][0]["uuid"] == str(grundlag.type.pk)
    assert rel["tilstandskvalitet"][0]["uuid"] == str(niveau("3").pk)
    assert rel["tilstandsaktoer"][0] == {
        "objekttype": "Organisationenhed",
        "uuid": str(grundlag.enhed.pk),
        "virkning": {"from": "2024-04-12", "to": "infinity"},
    }
    assert t["data"]["tilstande"]["tilstandstatus"][0]["status"] == "Aktiv"
    assert t["data"]["note"] == "Vurdering"
    egenskaber = i["data"]["attributter"]["indsatsegenskaber"][0]
    assert (egenskaber["starttidspunkt"], egenskaber["sluttidspunkt"]) == (
        "2024-04-15",
        "2024-10-15",
    )
    assert i["data"]["tilstande"]["indsatsfremdrift"][0]["fremdrift"] == "Visiteret"
    # an update carries only what the row fills in
    assert set(t_ret["data"]) == {"relationer", "note"}
    assert i_ret["data"] == {
        "tilstande": {
            "indsatsfremdrift": [
                {"fremdrift": "Leveret", "virkning": {"from": "2024-04-22", "to": "infinity"}}
            ]
        }
    }
    assert sag["data"]["attributter"]["sagegenskaber"][0]["kassationskode"] == "B"
    assert passiv["data"] == {"note": "Registreret ved en fejl"}

    # beskedID: the same on a re-read; another only for the row whose content changed
    (fil2,) = eksport.laes_mappe(tmp_path)
    assert [p.besked["beskedID"] for p in fil2.poster] == [p.besked["beskedID"] for p in fil.poster]
    linjer = csv_tekst(grundlag).splitlines()
    linjer[3] = linjer[3].replace("Revurdering", "Revurderet")
    (tmp_path / "a.csv").write_text("\n".join(linjer) + "\n", encoding="utf-8")
    (fil3,) = eksport.laes_mappe(tmp_path)
    forskel = [
        nr for nr, (x, y) in enumerate(zip(fil.poster, fil3.poster, strict=True))
        if x.besked["beskedID"] != y.besked["beskedID"]
    ]  # fmt: skip
    assert forskel == [2]


def test_csv_rows_that_cannot_be_messages_are_named_without_their_values(tmp_path):
    (tmp_path / "b.csv").write_text(
        "objekttype,noegle,cpr,fra,type_uuid\n"
        "tilstand,A,0101501234,2024-01-01,ikke-en-uuid\n"
        "hemmelig,B,0101501234,2024-01-01,\n"
        "tilstand,C,010150123,2024-01-01,\n"
        "tilstand,D,0101501234,31/02/2024,\n"
        "tilstand,,0101501234,2024-01-01,\n",
        encoding="utf-8",
    )
    (fil,) = eksport.laes_mappe(tmp_path)
    fejl = [p.fejl for p in fil.poster]
    assert all(fejl) and [p.nummer for p in fil.poster] == [2, 3, 4, 5, 6]
    assert "type_uuid" in fejl[0] and "objekttype" in fejl[1] and "cpr" in fejl[2]
    assert "fra" in fejl[3] and "objektID" in fejl[4]
    assert not any(CPR_RE.search(f) or "ikke-en-uuid" in f for f in fejl)


def test_json_files_in_every_form_are_read_and_filled_in(tmp_path):
    b = {k: v for k, v in eksempler.TILSTAND.items() if k not in ("beskedID", "beskedversion")}
    skriv_json(tmp_path / "1.json", [b, b])
    (tmp_path / "2.json").write_text(json.dumps({"beskeder": [eksempler.INDSATS]}))
    (tmp_path / "3.json").write_text(json.dumps(eksempler.SAG))
    (tmp_path / "4.jsonl").write_text(json.dumps(b) + "\n\n{ikke json\n")
    (tmp_path / "5.txt").write_text("ignoreres")
    filer = eksport.laes_mappe(tmp_path)
    assert [f.navn for f in filer] == ["1.json", "2.json", "3.json", "4.jsonl"]
    poster = [p for f in filer for p in f.poster]
    assert [p.besked["objekttype"] if p.besked else p.fejl for p in poster] == [
        "tilstand", "tilstand", "indsats", "sag", "tilstand", "Linjen er ikke gyldig JSON.",
    ]  # fmt: skip
    ider = [p.besked["beskedID"] for p in poster if p.besked]
    assert len(set(ider)) == 5  # the same content at another place gets another id
    assert ider[2] == eksempler.INDSATS["beskedID"]  # a given id is kept
    assert validering.valider({"beskeder": [p.besked for p in poster if p.besked]}) == []


def test_the_csv_rows_applied_produce_the_objects(
    afsender, grundlag, tmp_path, django_capture_on_commit_callbacks
):
    (tmp_path / "a.csv").write_text(csv_tekst(grundlag), encoding="utf-8")
    (fil,) = eksport.laes_mappe(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        svar = afsender.post({"beskeder": [p.besked for p in fil.poster[:5]]})
    assert svar.status_code == 202
    t = Tilstand.objects.get(pk=eksport.afledt_objekt_id("tilstand", "T-1"))
    assert (t.kildesystem_id, t.niveau, t.status) == ("T-1", niveau("1"), "aktiv")
    i = Indsats.objects.get(pk=eksport.afledt_objekt_id("indsats", "I-1"))
    assert (i.fremdrift, str(i.startdato), str(i.slutdato)) == (
        "Leveret",
        "2024-04-15",
        "2024-10-15",
    )
    assert i.ansvarlig_enhed == grundlag.enhed


# --- the sender against a stub: signatures, retries, splitting ------------------------------


class Stub(BaseHTTPRequestHandler):
    """Answers from a script, verifies every signature like Datadeling, records the bodies."""

    svar: list[int]
    kroppe: list[dict]
    secret = "stub-hemmelighed"

    def do_POST(self):  # noqa: N802
        krop = self.rfile.read(int(self.headers["Content-Length"]))
        t = self.headers["X-Mox-Tidspunkt"]
        assert self.headers["Authorization"] == "Bearer mox_stub"
        assert self.headers["X-Mox-Signatur"] == auth.signatur(self.secret, t, krop)
        assert abs(int(t) - time.time()) < 5
        indhold = json.loads(krop)
        status = self.svar.pop(0) if self.svar else 202
        if status == 413 and len(indhold["beskeder"]) <= 2:
            status = 202
        if status == 202:
            type(self).kroppe.append(indhold)
        data = json.dumps({"beskeder": []}).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def stub():
    Stub.svar, Stub.kroppe = [], []
    server = HTTPServer(("127.0.0.1", 0), Stub)
    traad = threading.Thread(target=server.serve_forever, daemon=True)
    traad.start()
    yield server
    server.shutdown()
    server.server_close()


def lav_afsender(stub, tmp_path, **kwargs) -> agent_afsender.Afsender:
    forb = agent_afsender.Forbindelse(
        url=f"http://127.0.0.1:{stub.server_address[1]}/mox", token="mox_stub", secret=Stub.secret
    )
    ventetider = []
    a = agent_afsender.Afsender(
        forbindelse=forb, tilstand_sti=tmp_path / "s.json", rapport_sti=tmp_path / "r.jsonl",
        fremdrift=None, sov=ventetider.append, **kwargs,
    )  # fmt: skip
    a.ventetider = ventetider
    return a


def eksempel_filer(tmp_path: Path, antal: int) -> list:
    b = {k: v for k, v in eksempler.TILSTAND.items() if k != "beskedID"}
    skriv_json(
        tmp_path / "ud" / "1.json", [dict(b, objektID=str(uuid.uuid4())) for _ in range(antal)]
    )
    return eksport.laes_mappe(tmp_path / "ud")


def test_the_signature_is_the_one_datadeling_computes():
    assert (
        sikkerhed.signatur(eksempler.REGNE_SECRET, eksempler.REGNE_TIDSPUNKT, eksempler.REGNE_KROP)
        == eksempler.REGNE_SIGNATUR
    )
    assert sikkerhed.MAKS_BESKEDER_PR_KALD == agent_afsender.sikkerhed.MAKS_BESKEDER_PR_KALD
    from mox.protokol import MAKS_BESKEDER_PR_KALD, TIDSVINDUE_SEKUNDER

    assert (sikkerhed.MAKS_BESKEDER_PR_KALD, sikkerhed.TIDSVINDUE_SEKUNDER) == (
        MAKS_BESKEDER_PR_KALD,
        TIDSVINDUE_SEKUNDER,
    )
    assert sikkerhed.MAKS_KROP_BYTES == indstillinger.STANDARD_MAKS_KROP


def test_server_errors_are_retried_with_growing_waits(stub, tmp_path):
    Stub.svar = [503, 500, 502]
    a = lav_afsender(stub, tmp_path, batch=4)
    r = a.send(eksempel_filer(tmp_path, 10))
    assert (r.sendt, r.batches) == (10, 3)
    assert a.ventetider == [1.0, 2.0, 4.0]
    assert [len(k["beskeder"]) for k in Stub.kroppe] == [4, 4, 2]


def test_the_agent_gives_up_after_its_attempts_and_keeps_its_progress(stub, tmp_path):
    Stub.svar = [202] + [503] * 3
    a = lav_afsender(stub, tmp_path, batch=5, forsoeg=3)
    with pytest.raises(agent_afsender.Stop) as stop:
        a.send(eksempel_filer(tmp_path, 10))
    assert stop.value.kode == agent_afsender.OPGIVET
    state = json.loads((tmp_path / "s.json").read_text())
    assert state["filer"]["1.json"]["faerdige"] == 5


def test_a_body_too_large_is_split(stub, tmp_path):
    Stub.svar = [413, 413]
    a = lav_afsender(stub, tmp_path, batch=8)
    assert a.send(eksempel_filer(tmp_path, 8)).sendt == 8
    assert [len(k["beskeder"]) for k in Stub.kroppe] == [2, 2, 4]  # 8 → 4+4 → 2+2+4


def test_a_batch_is_never_larger_than_datadeling_accepts(tmp_path):
    forb = agent_afsender.Forbindelse(url="https://x.example/mox/", token="t", secret="s")
    a = agent_afsender.Afsender(forbindelse=forb, tilstand_sti=tmp_path / "s",
                                rapport_sti=tmp_path / "r", batch=5000)  # fmt: skip
    assert a.batch == 1000


# --- receiving notifications ----------------------------------------------------------------


@pytest.fixture
def modtager(tmp_path):
    log = open(tmp_path / "log.txt", "w+", encoding="utf-8")  # noqa: SIM115
    server = lav_modtager(
        vaert="127.0.0.1", port=0, secret="system-hemmelighed",
        indbakke=Indbakke(tmp_path / "indbakke.jsonl"), log=log,
    )  # fmt: skip
    traad = threading.Thread(target=server.serve_forever, daemon=True)
    traad.start()
    yield server
    server.shutdown()
    server.server_close()
    log.close()


def notifikation() -> dict:
    return {**eksempler.TILSTAND, "beskedID": str(uuid.uuid4()), "beskedtype": "Notification"}


def post(server, krop: bytes, headere: dict) -> int:
    url = f"http://127.0.0.1:{server.server_address[1]}/notifikationer"
    req = urllib.request.Request(url, data=krop, method="POST", headers=headere)
    try:
        with urllib.request.urlopen(req, timeout=10) as svar:  # noqa: S310 (a local test server)
            return svar.status
    except urllib.error.HTTPError as e:
        return e.code


def signeret(krop: bytes, *, secret="system-hemmelighed", tidspunkt=None) -> dict:  # noqa: S107
    t = str(int(time.time()) if tidspunkt is None else tidspunkt)
    return {"X-Mox-Tidspunkt": t, "X-Mox-Signatur": auth.signatur(secret, t, krop),
            "Content-Type": "application/json"}  # fmt: skip


def test_a_signed_notification_is_answered_204_and_written_once(modtager, tmp_path):
    besked = notifikation()
    krop = json.dumps(besked).encode()
    assert post(modtager, krop, signeret(krop)) == 204
    assert post(modtager, krop, signeret(krop)) == 204  # Datadeling retried: written once
    batch = json.dumps({"beskeder": [notifikation(), notifikation()]}).encode()
    assert post(modtager, batch, signeret(batch)) == 204
    linjer = [json.loads(x) for x in (tmp_path / "indbakke.jsonl").read_text().splitlines()]
    assert len(linjer) == 3 and linjer[0] == besked
    log = (tmp_path / "log.txt").read_text()
    assert besked["beskedID"] in log and CPR_RE.search(log) is None


@pytest.mark.parametrize(
    "forkert",
    [
        {"secret": "en-anden-hemmelighed"},
        {"forskydning": -301},  # stale: more than 5 minutes old
        {"forskydning": 400},
    ],
)
def test_a_notification_with_a_bad_signature_is_refused_and_not_written(
    modtager, tmp_path, forkert
):
    krop = json.dumps(notifikation()).encode()
    forkert = dict(forkert)
    if "forskydning" in forkert:  # from now, not from when the tests were collected
        forkert["tidspunkt"] = int(time.time()) + forkert.pop("forskydning")
    assert post(modtager, krop, signeret(krop, **forkert)) == 401
    assert post(modtager, krop, {"Content-Type": "application/json"}) == 401
    assert post(modtager, krop + b" ", signeret(krop)) == 401  # the body was changed
    assert not (tmp_path / "indbakke.jsonl").exists()


def test_the_receiver_command_runs_from_the_command_line(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proces = subprocess.Popen(
        [sys.executable, "-m", "mox.agent", "modtag", "--port", str(port),
         "--indbakke", str(tmp_path / "ind.jsonl")],
        cwd=PROJEKT, env={"PATH": os.environ.get("PATH", ""), "MOX_SECRET": "hemmelig"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert "modtager notifikationer" in proces.stderr.readline()
        krop = json.dumps(notifikation()).encode()
        server = type("S", (), {"server_address": ("127.0.0.1", port)})
        assert post(server, krop, signeret(krop, secret="hemmelig")) == 204
        assert post(server, krop, signeret(krop, secret="forkert")) == 401
    finally:
        proces.terminate()
        proces.wait(timeout=10)
    assert len((tmp_path / "ind.jsonl").read_text().splitlines()) == 1


# --- standalone ------------------------------------------------------------------------------


def test_the_agent_runs_without_django_or_any_package_outside_the_stdlib():
    # -S: no site-packages at all, so an import of Django (or anything else installed)
    # would fail here; and the modules loaded are checked too.
    kode = (
        "import sys, mox.agent.cli, mox.agent.afsender, mox.agent.eksport, mox.agent.modtager; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('django', 'datadeling') "
        "or (m.startswith('mox.') and not m.startswith('mox.agent'))))"
    )
    svar = subprocess.run(
        [sys.executable, "-S", "-X", "importtime", "-c", kode],
        cwd=PROJEKT, capture_output=True, text=True, timeout=60, env={},
    )  # fmt: skip
    assert svar.returncode == 0, svar.stderr
    assert svar.stdout.strip() == "[]"
    assert "django" not in svar.stderr
    hjaelp = subprocess.run(
        [sys.executable, "-S", "-m", "mox.agent", "send", "--help"],
        cwd=PROJEKT, capture_output=True, text=True, timeout=60, env={},
    )  # fmt: skip
    assert hjaelp.returncode == 0 and "eksportmappen" in hjaelp.stdout


def test_the_documentation_page_explains_the_agent_and_the_demo_flow(client, db):
    svar = client.get("/mox/")
    assert svar.status_code == 200
    tekst = svar.content.decode()
    assert 'id="agent"' in tekst
    for del_ in ("mox_system_opret", "mox_simuler", "python -m mox.agent send", "--noegle-fil",
                 "http://testserver/mox/", "stoettebehov_uuid", "modtag"):  # fmt: skip
        assert del_ in tekst
