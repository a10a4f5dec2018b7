"""Fuzzing the ingress: any body gets 202 or 400 with a list of errors, never a 500, and a
refused body stores nothing while an accepted one stores exactly its new messages."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mox.models import Besked
from tests import hypotese
from tests.mox.conftest import CPR, konvolut
from tests.mox.test_schema import json_vaerdier, muterede_konvolutter

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=hypotese.eksempler(150),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def send_og_tjek(afsender, krop: bytes) -> None:
    foer = Besked.objects.count()
    response = afsender.post(krop)
    assert response.status_code in (202, 400), response.content[:500]
    svar = response.json()
    if response.status_code == 400:
        assert isinstance(svar["fejl"], list) and svar["fejl"]
        assert all(set(f) == {"felt", "fejl"} and f["fejl"] for f in svar["fejl"])
        assert CPR not in response.content.decode()
        assert Besked.objects.count() == foer  # nothing half-stored
    else:
        sendt = json.loads(krop)
        beskeder = sendt.get("beskeder", [sendt])
        svarliste = svar.get("beskeder", [svar])
        assert [s["beskedID"] for s in svarliste] == [b["beskedID"] for b in beskeder]
        # every message is in the inbox (new ones stored now, repeats from before)
        ids = {s["beskedID"] for s in svarliste}
        assert Besked.objects.filter(system=afsender.system, besked_id__in=ids).count() == len(
            {i.lower() for i in ids}
        )
        assert Besked.objects.count() - foer <= len(ids)


@FUZZ
@given(vaerdi=st.one_of(muterede_konvolutter(), json_vaerdier))
def test_fuzzed_envelopes_get_202_or_400(afsender, vaerdi):
    if isinstance(vaerdi, dict) and "beskedID" in vaerdi:
        vaerdi = {**vaerdi, "beskedID": konvolut()["beskedID"]}  # fresh, so 202 stores it
    send_og_tjek(afsender, json.dumps(vaerdi).encode())


@FUZZ
@given(beskeder=st.lists(st.one_of(st.just(None), muterede_konvolutter()), min_size=1, max_size=5))
def test_fuzzed_batches_are_all_or_nothing(afsender, beskeder):
    beskeder = [konvolut() if b is None else b for b in beskeder]
    send_og_tjek(afsender, json.dumps({"beskeder": beskeder}).encode())


@FUZZ
@given(krop=st.binary(max_size=300))
def test_random_bytes_get_400(afsender, krop):
    send_og_tjek(afsender, krop)
