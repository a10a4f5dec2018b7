"""manage.py mox_system_opret: one JSON line with the credentials, stored safely."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from mox.models import System, token_hash

pytestmark = pytest.mark.django_db


def test_the_command_prints_one_json_line_with_system_token_and_secret():
    ud = io.StringIO()
    call_command("mox_system_opret", "Omsorgssystem Testrup", stdout=ud)
    linjer = ud.getvalue().splitlines()
    assert len(linjer) == 1
    svar = json.loads(linjer[0])
    assert set(svar) == {"system", "token", "secret"}
    system = System.objects.get(uuid=svar["system"])
    assert system.navn == "Omsorgssystem Testrup" and system.aktiv
    # the token is stored only as its hash; the secret as it is (HMAC needs it)
    assert system.token_hash == token_hash(svar["token"]) != svar["token"]
    assert svar["token"] not in system.token_hash
    assert system.secret == svar["secret"]
    assert len(svar["token"]) >= 40 and len(svar["secret"]) >= 40


def test_two_systems_get_different_keys():
    svar = []
    for navn in ("A", "B"):
        ud = io.StringIO()
        call_command("mox_system_opret", navn, stdout=ud)
        svar.append(json.loads(ud.getvalue()))
    assert svar[0]["token"] != svar[1]["token"] and svar[0]["secret"] != svar[1]["secret"]


def test_a_name_in_use_is_refused():
    call_command("mox_system_opret", "A", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("mox_system_opret", "A", stdout=io.StringIO())
    assert System.objects.count() == 1
