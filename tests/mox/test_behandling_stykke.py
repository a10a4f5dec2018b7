"""Chunks: a worker applies many inbox messages in one transaction (a savepoint each).

Whatever chunks the messages arrive in and in whatever order the chunks run, each message
is applied once, in receipt order per object, and the wake-ups a finished message sends
are enough to finish everything (no sweep needed); one bad message does not take its
chunk down; a transient error rolls the whole chunk back; the queries per message stay
constant.
"""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datadeling.core.laas import Navnerum
from mox import services
from mox.behandling import koe
from mox.behandling.anvend import anvend_mange
from mox.models import Besked
from mox.protokol import Status
from tests import hypotese
from tests.mox.test_behandling import indpak, tilstand_data, v
from tilstand.models import Tilstand, TilstandRegistrering


class Rul(Exception):
    """Roll the example back."""


def _ret(objekt_id, i: int) -> dict:
    return indpak(
        {
            "note": f"ret {i}",
            "attributter": {
                "tilstandegenskaber": [
                    {"beskrivelse": f"ret {i}", "virkning": v(f"2024-0{i + 1}-01")}
                ]
            },
        },
        operation="update",
        objekt_id=objekt_id,
    )


def _opret(grundlag, objekt_id) -> dict:
    besked = indpak(tilstand_data(grundlag, fra="2024-01-01"), objekt_id=objekt_id)
    besked["data"]["note"] = "opret"
    return besked


@settings(
    max_examples=hypotese.eksempler(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), antal=st.lists(st.integers(0, 3), min_size=1, max_size=3))
def test_any_chunking_and_chunk_order_applies_each_once_in_order_woken_without_sweep(
    afsender, grundlag, data, antal, monkeypatch
):
    vaekket: list[int] = []
    monkeypatch.setattr(koe, "saet_i_koe", lambda ids: vaekket.extend(ids))
    modtaget, objekter = [], []
    for n in antal:
        objekt_id = uuid.uuid4()
        objekter.append(objekt_id)
        modtaget.append(_opret(grundlag, objekt_id))
        modtaget.extend(_ret(objekt_id, i) for i in range(1, n + 1))
    # any receipt order: updates before their create, objects interleaved
    modtaget = data.draw(st.permutations(modtaget), label="receipt order")
    try:
        with transaction.atomic():
            services.beskeder_receive(system=afsender.system, beskeder=modtaget)
            pks = list(Besked.objects.order_by("modtaget", "pk").values_list("pk", flat=True))
            # the ingress enqueues the batch in chunks of any size; workers take them in any order
            snit = sorted(data.draw(st.sets(st.integers(1, max(1, len(pks) - 1))), label="cuts"))
            stykker = [pks[a:b] for a, b in zip([0, *snit], [*snit, len(pks)], strict=True)]
            for stykke in data.draw(st.permutations(stykker), label="chunk order"):
                anvend_mange(stykke)
            # then only what finished messages woke, until nothing more is woken
            for _ in range(len(pks) * 2):
                if not vaekket:
                    break
                anvend_mange([vaekket.pop(0)])
            statusser = dict(Besked.objects.values_list("pk", "status"))
            assert set(statusser.values()) == {Status.BEHANDLET}, statusser
            for objekt_id in objekter:
                begrundelser = list(
                    TilstandRegistrering.objects.filter(tilstand_id=objekt_id)
                    .order_by("nummer")
                    .values_list("begrundelse", flat=True)
                )
                modtaget_noter = [
                    b["data"]["note"] for b in modtaget if b["objektID"] == str(objekt_id)
                ]
                # the create first, then the updates in receipt order
                assert begrundelser == ["opret"] + [n for n in modtaget_noter if n != "opret"]
            raise Rul
    except Rul:
        pass


@pytest.mark.django_db
def test_a_bad_message_fails_alone_and_the_rest_of_its_chunk_is_applied(afsender, grundlag):
    a, b = uuid.uuid4(), uuid.uuid4()
    daarlig = _opret(grundlag, b)
    daarlig["data"]["relationer"]["tilstandstype"][0]["uuid"] = str(uuid.uuid4())  # unknown
    services.beskeder_receive(
        system=afsender.system, beskeder=[_opret(grundlag, a), daarlig, _ret(a, 1)]
    )
    pks = list(Besked.objects.order_by("pk").values_list("pk", flat=True))
    assert anvend_mange(pks) == {
        pks[0]: Status.BEHANDLET,
        pks[1]: Status.FEJLET,
        pks[2]: Status.BEHANDLET,
    }
    assert Tilstand.objects.filter(pk=a).exists()
    assert not Tilstand.objects.filter(pk=b).exists()
    fejl = Besked.objects.get(pk=pks[1]).fejl
    assert fejl[0]["felt"] == "data.relationer.tilstandstype[0].uuid"
    assert TilstandRegistrering.objects.filter(tilstand_id=a).count() == 2


def _mange_borgere_og_typer(n: int) -> tuple[list[str], list]:
    from klassifikation import kendte as k
    from klassifikation.models import Klasse
    from organisation.models import Borger

    start = Borger.objects.count()
    cprs = [f"0101{50 + (start + i) // 9000:02d}{1000 + (start + i) % 9000:04d}" for i in range(n)]
    Borger.objects.bulk_create(
        Borger(cpr=c, fornavn=f"Borger {c[-4:]}", efternavn="Stykke") for c in cprs
    )
    typer = list(
        Klasse.objects.filter(
            sti__contains=[k.FSIII_FUNKTIONSEVNETILSTANDE[0]], underordnede__isnull=True
        ).values_list("pk", flat=True)[:n]
    )
    assert len(typer) == n
    return cprs, typer


@pytest.mark.django_db
def test_queries_per_chunk_do_not_grow_with_its_messages(afsender, grundlag):
    """A chunk's tilstand messages cost the same number of statements whether it holds 10
    or 30, each about another citizen and class: lookups are asked once per chunk, the
    objects it changes are locked and loaded together, and the registrations, versions,
    objects, grants and statuses are written together."""

    def stykker(n: int) -> tuple[int, int]:
        cprs, typer = _mange_borgere_og_typer(n)
        ids = [uuid.uuid4() for _ in range(n)]
        beskeder = []
        for objekt_id, cpr, type_id in zip(ids, cprs, typer, strict=True):
            b = _opret(grundlag, objekt_id)
            b["data"]["relationer"]["tilstandsobjekt"][0]["urn"] = f"urn:dk:cpr:person:{cpr}"
            b["data"]["relationer"]["tilstandstype"][0]["uuid"] = str(type_id)
            beskeder += [b, _ret(objekt_id, 1)]
        anden_runde = [_ret(objekt_id, 2) for objekt_id in ids]
        tal = []
        for runde in (beskeder, anden_runde):
            services.beskeder_receive(system=afsender.system, beskeder=runde)
            pks = list(
                Besked.objects.filter(status=Status.MODTAGET)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            assert len(pks) == len(runde)
            with CaptureQueriesContext(connection) as q:
                assert set(anvend_mange(pks).values()) == {Status.BEHANDLET}
            tal.append(len(q.captured_queries))
        assert all(TilstandRegistrering.objects.filter(tilstand_id=i).count() == 3 for i in ids)
        return tal[0], tal[1]

    ti, tredive = stykker(10), stykker(30)
    assert ti == tredive
    # creates + updates: the chunk's transaction (a savepoint here), the rows, the lock
    # timeout, the locks, the open messages, which objects exist, the citizens, the
    # classes, the units, the units the system writes for (issue 11 #6), the objects to
    # lock (none exist yet), then the joint write in
    # a savepoint: the registrations' ids from the sequence, then the registrations,
    # versions and objects (COPY each), the citizens' grant lock and their
    # consents, the active subscriptions, the outbox's event rows (one INSERT for the
    # chunk), the foreign-key check (two statements); the statuses
    assert ti[0] == 25
    # updates of stored objects: the same but no citizens or units to look up (updates
    # name none); the objects are locked with their timelines, one query more
    assert ti[1] == 24


@pytest.mark.django_db(transaction=True)
def test_a_lock_timeout_rolls_the_whole_chunk_back(afsender, grundlag, settings, monkeypatch):
    from mox import tasks

    settings.MOX_LAAS_VENTETID_MS = 200
    # the test drives the chunk itself: nothing is enqueued when the inbox commits
    monkeypatch.setattr(tasks.behandl_beskeder, "delay", lambda *a, **k: None)
    a, b = uuid.uuid4(), uuid.uuid4()
    services.beskeder_receive(
        system=afsender.system, beskeder=[_opret(grundlag, a), _opret(grundlag, b)]
    )
    beskeder = list(Besked.objects.order_by("pk"))
    holdt, slip = threading.Event(), threading.Event()

    def hold_laasen():
        # another worker applying a message about b: it holds b's lock
        anden = connection.copy()  # the test database (a new wrapper would use the real one)
        try:
            with anden.cursor() as c:
                c.execute("BEGIN")
                c.execute(
                    "SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                    [int(Navnerum.MOX_OBJEKT), f"tilstand:{b}"],
                )
                holdt.set()
                slip.wait(10)
                c.execute("ROLLBACK")
        finally:
            anden.close()

    traad = threading.Thread(target=hold_laasen)
    traad.start()
    try:
        assert holdt.wait(10)
        with pytest.raises(OperationalError):
            anvend_mange([x.pk for x in beskeder])
    finally:
        slip.set()
        traad.join()
    # nothing of the chunk happened: both still modtaget, no object, no attempt counted
    assert set(Besked.objects.values_list("status", "forsoeg")) == {(Status.MODTAGET, 0)}
    assert not Tilstand.objects.exists()
    # the retry (what the task's autoretry does) applies both
    assert set(anvend_mange([x.pk for x in beskeder]).values()) == {Status.BEHANDLET}
