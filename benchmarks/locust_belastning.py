"""Locust users for benchmarks/belastning.py (run by it; see there).

Reads the users, sessions and the MOX system from the JSON file named by BELASTNING_DATA:
- Personale: a caseworker browsing the citizen pages of her unit's citizens;
- Borger: a citizen reading Mine data and Hvem har set;
- Mox: a fagsystem sending signed batches of MOX messages (new conditions).
Each user has a session made beforehand (no password hashing in the measurement, and no
failed logins for django-axes to count). The run stops by itself after --run-time or
after BELASTNING_MAKS requests, whichever comes first. Only 127.0.0.1 is ever a target.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import random
import time
import uuid
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, between, constant, events, task

DATA = json.loads(open(os.environ["BELASTNING_DATA"]).read())  # noqa: PTH123, SIM115
MAKS = int(os.environ.get("BELASTNING_MAKS", "0"))
PERSONALE = itertools.cycle(DATA["personale"])
BORGERE = itertools.cycle(DATA["borgere"])
_antal = itertools.count(1)


@events.init.add_listener
def _kun_loopback(environment, **_kw):
    vaert = urlsplit(environment.host or "").hostname
    if vaert not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"Belastningstesten rammer kun 127.0.0.1, ikke {vaert!r}.")


_MILJOE: dict = {}


@events.request.add_listener
def _stop_efter_maks(**_kw):
    if MAKS and next(_antal) == MAKS and "env" in _MILJOE:
        gevent.spawn(_MILJOE["env"].runner.quit)  # not from inside a user's own greenlet


@events.init.add_listener
def _husk(environment, **_kw):
    _MILJOE["env"] = environment


class _Session(HttpUser):
    abstract = True
    host = "http://127.0.0.1"

    def _log_ind(self, session: str) -> None:
        self.client.cookies.set("sessionid", session, domain="127.0.0.1")


class Personale(_Session):
    """A caseworker opening her unit's citizens' pages, one after another."""

    weight = 6
    wait_time = between(0.05, 0.2)

    def on_start(self) -> None:
        self.mig = next(PERSONALE)
        self._log_ind(self.mig["session"])

    @task
    def borgerside(self) -> None:
        borger = random.choice(self.mig["borgere"])  # noqa: S311 — not cryptography
        self.client.get(f"/borgere/{borger}/", name="borgerside")


class Borger(_Session):
    """A citizen reading her own data and who has seen it."""

    weight = 3
    wait_time = between(0.2, 0.5)

    def on_start(self) -> None:
        self.mig = next(BORGERE)
        self._log_ind(self.mig["session"])

    @task(3)
    def mine_data(self) -> None:
        self.client.get("/mine-data/", name="mine_data")

    @task(1)
    def hvem_har_set(self) -> None:
        self.client.get("/mine-data/adgang/", name="hvem_har_set")


class Mox(HttpUser):
    """A fagsystem sending a batch of new conditions about the unit's citizens."""

    fixed_count = 1
    host = "http://127.0.0.1"
    wait_time = constant(1.0)

    @task
    def batch(self) -> None:
        mox = DATA["mox"]
        beskeder = [
            {
                "beskedID": str(uuid.uuid4()),
                "beskedversion": "1",
                "beskedtype": "Manipulation",
                "objekttype": "tilstand",
                "operation": "create",
                "objektID": str(uuid.uuid4()),
                "data": _tilstand(
                    mox["enhed"],
                    random.choice(mox["cprs"]),  # noqa: S311
                    random.choice(mox["typer"]),  # noqa: S311
                ),
            }
            for _ in range(mox["batch"])
        ]
        krop = json.dumps({"beskeder": beskeder}).encode()
        t = str(int(time.time()))
        signatur = hmac.new(mox["secret"].encode(), t.encode() + b"." + krop, hashlib.sha256)
        with self.client.post(
            "/mox/beskeder/",
            data=krop,
            name="mox_batch",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {mox['token']}",
                "X-Mox-Tidspunkt": t,
                "X-Mox-Signatur": "sha256=" + signatur.hexdigest(),
            },
            catch_response=True,
        ) as svar:
            if svar.status_code != 202:
                svar.failure(f"{svar.status_code}: {svar.text[:200]}")


def _tilstand(enhed: str, cpr: str, type_id: str) -> dict:
    v = {"from": "2024-01-01", "to": "infinity"}
    return {
        "note": "Funktionsevnevurdering",
        "attributter": {
            "tilstandegenskaber": [
                {"brugervendtnoegle": "B", "beskrivelse": "Belastningstest", "virkning": v}
            ]
        },
        "tilstande": {
            "tilstandstatus": [{"status": "Aktiv", "virkning": v}],
            "tilstandpubliceret": [{"publiceret": "Normal", "virkning": v}],
        },
        "relationer": {
            "tilstandsobjekt": [
                {"objekttype": "Person", "urn": f"urn:dk:cpr:person:{cpr}", "virkning": v}
            ],
            "tilstandstype": [{"objekttype": "Klasse", "uuid": type_id, "virkning": v}],
            "tilstandsaktoer": [{"objekttype": "Organisationenhed", "uuid": enhed, "virkning": v}],
        },
    }
