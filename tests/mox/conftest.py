"""Helpers for the MOX tests: a sending system, signed requests and envelopes."""

from __future__ import annotations

import copy
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models.signals import post_save
from django.test import Client

from mox import auth, eksempler, services
from organisation.models import Enhed

LORA_FIXTURES = Path(settings.BASE_DIR).parent / "shared" / "data" / "lora-fixtures"
CPR = "0101501234"


@dataclass
class Afsender:
    """A sending system as its operator knows it: the row, its token and its secret."""

    system: object
    token: str
    secret: str
    client: Client

    def headers(self, krop: bytes, *, tidspunkt: int | None = None, **ekstra) -> dict:
        t = str(int(time.time()) if tidspunkt is None else tidspunkt)
        return {
            "HTTP_AUTHORIZATION": f"Bearer {self.token}",
            "HTTP_X_MOX_TIDSPUNKT": t,
            "HTTP_X_MOX_SIGNATUR": auth.signatur(self.secret, t, krop),
            **ekstra,
        }

    def post(self, krop, *, url: str = "/mox/beskeder/", **kwargs):
        """POST a body (an object is serialised) signed like a real agent would."""
        if not isinstance(krop, bytes):
            krop = json.dumps(krop).encode()
        headers = self.headers(krop, **kwargs)
        return self.client.generic("POST", url, krop, content_type="application/json", **headers)

    def get(self, besked_id, **kwargs):
        return self.client.get(f"/mox/beskeder/{besked_id}/", **self.headers(b"", **kwargs))


def ny_afsender(navn: str, *, enhed=None, enheder=(), alle_enheder: bool = True) -> Afsender:
    """Return a new system. The processing tests are about applying messages, not about
    which units a system may write for (tests/mox/test_system_enheder.py): with
    `alle_enheder` the system writes for every unit there is and every unit made later."""
    system, token, secret = services.system_create(navn=navn, enhed=enhed, enheder=enheder)
    if alle_enheder:
        system.enheder.add(*Enhed.objects.all())

        def ny_enhed(sender, instance, created, **kwargs):
            if created:
                system.enheder.add(instance)

        _modtagere.append(ny_enhed)  # kept alive for the weak signal reference
        post_save.connect(ny_enhed, sender=Enhed, weak=True)
    return Afsender(system=system, token=token, secret=secret, client=Client())


_modtagere: list = []


@pytest.fixture(autouse=True)
def _glem_modtagere():
    """Disconnect the test's "every unit" receivers when it ends."""
    yield
    while _modtagere:
        post_save.disconnect(_modtagere.pop(), sender=Enhed)


@pytest.fixture
def afsender(db) -> Afsender:
    return ny_afsender("Omsorgssystem Testrup")


@pytest.fixture
def anden_afsender(db) -> Afsender:
    return ny_afsender("Jobcentersystem Testrup")


def konvolut(data: dict | None = None, **felter) -> dict:
    """Return a valid tilstand create envelope with a fresh beskedID (fields overridable)."""
    besked = copy.deepcopy(eksempler.TILSTAND)
    besked["beskedID"] = str(uuid.uuid4())
    besked["objektID"] = str(uuid.uuid4())
    besked["data"]["relationer"]["tilstandsobjekt"][0]["urn"] = f"urn:dk:cpr:person:{CPR}"
    if data is not None:
        besked["data"] = data
    besked.update(felter)
    return besked


def lora_fixture(navn: str) -> dict:
    sti = LORA_FIXTURES / navn
    if not sti.exists():
        pytest.skip(
            f"LoRa's fixtures are not here ({LORA_FIXTURES} is missing: a clone without "
            "../shared); CI has them"
        )
    return json.loads(sti.read_text(encoding="utf-8"))
