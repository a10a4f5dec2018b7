"""The access log at scale: partitions by month, retention, batch writes, SQL verification.

What makes it fast is pinned here, never a time: one statement per batch whatever its size,
the hash computed the same in SQL as in Python, the chain unbroken across months and
after retention, and concurrent writers that never fork a chain.
"""

import datetime
import threading
import uuid
from unittest import mock

import pytest
from django.db import connection, connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from datadeling.core import clock
from organisation.selectors import aktoer_for
from samtykke.adgangslog import (
    GENESIS,
    _indhold,
    _indhold_v1,
    adgangslog_post,
    adgangslog_vedligehold,
    adgangslog_write,
    adgangslog_write_batch,
    beregn_hash,
    partitioner,
    verificer,
)
from samtykke.models import Adgangslog, AdgangslogAnker, AdgangslogHoved, Grundlag

UTC = datetime.UTC


def _skriv(g, borger, tid, hvad="Overblik"):
    with mock.patch.object(clock, "now", return_value=tid):
        return adgangslog_write(
            aktoer=aktoer_for(g.user), user=g.user, borger=borger, hvad=hvad,
            grundlag=Grundlag.EGEN_ENHED, objekter=[("tilstand", g.borger.pk)],
        )  # fmt: skip


def _partition(entry) -> str:
    with connection.cursor() as c:
        c.execute(
            "SELECT tableoid::regclass::text FROM samtykke_adgangslog WHERE id = %s", [entry.pk]
        )
        return c.fetchone()[0]


def _uden_trigger(sql, params=()):
    with connection.cursor() as c:
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for tabel in ("samtykke_adgangslog", "samtykke_adgangsloganker"):
            c.execute(f"ALTER TABLE {tabel} DISABLE TRIGGER {tabel}_append_only")
        c.execute(sql, params)
        for tabel in ("samtykke_adgangslog", "samtykke_adgangsloganker"):
            c.execute(f"ALTER TABLE {tabel} ENABLE TRIGGER {tabel}_append_only")


@pytest.mark.django_db
def test_the_chain_runs_unbroken_across_a_month_boundary(grundlag):
    g = grundlag
    foer = _skriv(g, g.borger, datetime.datetime(2026, 11, 30, 23, 59, 59, 999999, tzinfo=UTC))
    efter = _skriv(g, g.borger, datetime.datetime(2026, 12, 1, tzinfo=UTC))
    langt = _skriv(g, g.borger, datetime.datetime(2031, 5, 2, tzinfo=UTC))  # made on demand
    assert [_partition(e) for e in (foer, efter, langt)] == [
        "samtykke_adgangslog_p202611", "samtykke_adgangslog_p202612",
        "samtykke_adgangslog_p203105",
    ]  # fmt: skip
    assert efter.forrige_hash == foer.hash and langt.forrige_hash == efter.hash
    assert [foer.nummer, efter.nummer, langt.nummer] == [1, 2, 3]
    assert list(verificer()) == []


@pytest.mark.django_db
def test_an_entry_never_goes_back_before_the_one_before_it(grundlag):
    """A chain's months follow its numbers (retention drops whole months)."""
    g = grundlag
    senere = _skriv(g, g.borger, datetime.datetime(2026, 12, 3, tzinfo=UTC))
    tidligere = _skriv(g, g.borger, datetime.datetime(2026, 11, 3, tzinfo=UTC))
    assert tidligere.tidspunkt == senere.tidspunkt and tidligere.nummer == 2


@pytest.mark.django_db
def test_retention_drops_whole_old_months_and_the_chains_still_verify(grundlag):
    g = grundlag
    for maaned in (8, 9, 10, 11, 12):
        _skriv(g, g.borger, datetime.datetime(2026, maaned, 10, tzinfo=UTC))
    kun_gammel = _skriv(g, g.anden_borger, datetime.datetime(2026, 8, 20, tzinfo=UTC))
    v = adgangslog_vedligehold(
        forud=1, opbevaring=2, nu=datetime.datetime(2026, 12, 15, tzinfo=UTC)
    )
    assert v.slettet == ["samtykke_adgangslog_p202608", "samtykke_adgangslog_p202609"]
    assert v.ankre == 3  # Else in August and September, Ole in August
    assert [n for n, _ in partitioner()][0] == "samtykke_adgangslog_p202610"
    assert list(Adgangslog.objects.filter(borger=g.borger).values_list("nummer", flat=True)) == [
        3,
        4,
        5,
    ]
    assert not Adgangslog.objects.filter(borger=g.anden_borger).exists()
    anker = AdgangslogAnker.objects.get(borger=g.anden_borger)
    assert (anker.nummer, anker.hash) == (1, kun_gammel.hash)
    assert list(verificer()) == []
    # the chains go on from where they were
    ny = _skriv(g, g.anden_borger, datetime.datetime(2026, 12, 16, tzinfo=UTC))
    assert (ny.nummer, ny.forrige_hash) == (2, kun_gammel.hash)
    assert list(verificer()) == []
    # a second run has nothing to do
    assert (
        adgangslog_vedligehold(
            forud=1, opbevaring=2, nu=datetime.datetime(2026, 12, 15, tzinfo=UTC)
        ).slettet
        == []
    )


@pytest.mark.django_db
def test_tampering_is_still_found_after_retention(grundlag):
    g = grundlag
    for maaned in (9, 10, 11, 12):
        _skriv(g, g.borger, datetime.datetime(2026, maaned, 10, tzinfo=UTC))
    e = [_skriv(g, g.anden_borger, datetime.datetime(2026, 12, d, tzinfo=UTC)) for d in (1, 2)]
    adgangslog_vedligehold(forud=0, opbevaring=1, nu=datetime.datetime(2026, 12, 15, tzinfo=UTC))
    assert list(verificer()) == []
    forste_beholdte = Adgangslog.objects.get(borger=g.borger, nummer=3)

    # the first kept entry removed: the chain no longer starts where the anchor says
    _uden_trigger("DELETE FROM samtykke_adgangslog WHERE id = %s", [forste_beholdte.pk])
    # the newest entry of another chain removed: only the chain head tells
    _uden_trigger("DELETE FROM samtykke_adgangslog WHERE id = %s", [e[1].pk])
    brud = {b.borger_id: b for b in verificer()}
    assert brud[g.borger.pk].grund == "mangler post nr. 3"
    assert brud[g.anden_borger.pk].grund.startswith("de nyeste poster mangler")
    assert brud[g.anden_borger.pk].entry_id == e[0].pk


@pytest.mark.django_db
def test_a_removed_anchor_or_changed_entry_is_a_break(grundlag):
    g = grundlag
    for maaned in (10, 11, 12):
        _skriv(g, g.borger, datetime.datetime(2026, maaned, 10, tzinfo=UTC))
    ole = _skriv(g, g.anden_borger, datetime.datetime(2026, 12, 11, tzinfo=UTC))
    adgangslog_vedligehold(forud=0, opbevaring=1, nu=datetime.datetime(2026, 12, 15, tzinfo=UTC))
    _uden_trigger("DELETE FROM samtykke_adgangsloganker")
    _uden_trigger("UPDATE samtykke_adgangslog SET hvad = 'intet' WHERE id = %s", [ole.pk])
    brud = {b.borger_id: b.grund for b in verificer()}
    assert brud == {
        g.borger.pk: "mangler post nr. 1",
        g.anden_borger.pk: "indholdet er ændret efter det blev skrevet",
    }


@pytest.mark.django_db
def test_the_maintenance_task_makes_the_coming_months(grundlag, settings):
    from samtykke.tasks import adgangslog_vedligehold_task

    assert "samtykke-adgangslog-vedligehold" in settings.CELERY_BEAT_SCHEDULE
    with mock.patch.object(clock, "now", return_value=datetime.datetime(2030, 2, 3, tzinfo=UTC)):
        ud = adgangslog_vedligehold_task.apply().get()
    assert ud["oprettet"] == [f"samtykke_adgangslog_p2030{m:02d}" for m in (2, 3, 4, 5)]
    assert ud["slettet"] == []  # ADGANGSLOG_OPBEVARING_MAANEDER = 0: everything kept


@pytest.mark.django_db
@pytest.mark.parametrize("antal", [20, 1000])
def test_a_batch_is_one_statement_whatever_its_size(grundlag, antal, django_assert_num_queries):
    g = grundlag
    aktoer = aktoer_for(g.user)
    entries = [
        adgangslog_post(
            aktoer=aktoer,
            user=g.user,
            borger=g.borger if i % 3 else g.anden_borger,
            hvad=f"Side {i}",
            grundlag=Grundlag.EGEN_ENHED,
            objekter=[("tilstand", uuid.uuid4())],
        )  # fmt: skip
        for i in range(antal)
    ]
    with django_assert_num_queries(1):
        skrevet = adgangslog_write_batch(entries)
    assert all(e.pk and beregn_hash(e) == e.hash for e in skrevet)
    assert AdgangslogHoved.objects.get(borger=g.borger).nummer == len(
        [i for i in range(antal) if i % 3]
    )
    assert list(verificer()) == []


# --- the hash computed in SQL equals the one computed in Python ------------------------

tekst = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=30)
objekt = st.dictionaries(st.sampled_from(["type", "id", "grundlag", "grundlag_id", "æ", "a b"]),
                         tekst, max_size=4)  # fmt: skip


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    felter=st.fixed_dictionaries(
        {"navn": tekst, "enhed_navn": tekst, "hvad": tekst, "formaal": tekst, "rolle": tekst},
    ),
    objekter=st.lists(objekt, max_size=4),
    kategorier=st.lists(tekst, max_size=3),
    mikro=st.integers(0, 999_999) | st.just(0),
    bruger=st.none() | st.integers(1, 10**6),
)
def test_sql_and_python_hash_the_same_text(grundlag, felter, objekter, kategorier, mikro, bruger):
    e = Adgangslog(
        borger_id=grundlag.borger.pk, nummer=7, bruger_id=bruger, enhed_id=None,
        tidspunkt=datetime.datetime(2026, 12, 1, 8, 30, 5, mikro, tzinfo=UTC),
        myndighed_navn="Testrup", faglighed="", handling="visning", grundlag="samtykke",
        grundlag_id=uuid.uuid4(), handler_for_id=None, objekter=objekter,
        kategorier=kategorier, forrige_hash=GENESIS, **felter,
    )  # fmt: skip
    raekke = {f.attname: getattr(e, f.attname) for f in Adgangslog._meta.concrete_fields}
    import json

    with connection.cursor() as c:
        c.execute(
            "SELECT samtykke_adgangslog_kanonisk(r), samtykke_adgangslog_kanonisk_v1(r)"
            " FROM jsonb_populate_record(NULL::samtykke_adgangslog, %s::jsonb) AS r",
            [
                json.dumps(
                    raekke, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v)
                )
            ],
        )
        v2, v1 = c.fetchone()
    assert v2 == _indhold(e)
    assert v1 == _indhold_v1(e)


# --- the batch API writes what one-by-one writes ---------------------------------------


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    poster=st.lists(
        st.tuples(st.integers(0, 2), tekst, st.integers(0, 3)), min_size=1, max_size=12
    ),
    snit=st.lists(st.integers(1, 5), min_size=1, max_size=12),
)
def test_batches_write_the_same_chains_as_one_by_one(grundlag, poster, snit):
    from organisation.models import Borger

    g = grundlag
    borgere = [g.borger, g.anden_borger, Borger.objects.get_or_create(
        cpr="0303701234", defaults={"fornavn": "Ib", "efternavn": "Ny"})[0]]  # fmt: skip
    aktoer = aktoer_for(g.user)
    start = datetime.datetime(2026, 11, 30, 23, 59, 58, tzinfo=UTC)

    def lav():
        return [
            adgangslog_post(
                aktoer=aktoer,
                user=g.user,
                borger=borgere[b],
                hvad=hvad,
                grundlag=Grundlag.EGEN_ENHED,
                objekter=[("tilstand", uuid.UUID(int=i))],
                tidspunkt=start + datetime.timedelta(seconds=sek),
            )  # fmt: skip
            for i, (b, hvad, sek) in enumerate(poster)
        ]

    def kaeder():
        return list(
            Adgangslog.objects.order_by("borger_id", "nummer").values_list(
                "borger_id", "nummer", "tidspunkt", "hvad", "forrige_hash", "hash"
            )
        ), list(AdgangslogHoved.objects.order_by("borger_id").values_list())

    with transaction.atomic():
        for e in lav():
            adgangslog_write_batch([e])
        enkeltvis = kaeder()
        transaction.set_rollback(True)
    with transaction.atomic():
        entries, i = lav(), 0
        for n in snit * len(entries):
            if i >= len(entries):
                break
            adgangslog_write_batch(entries[i : i + n])
            i += n
        samlet = kaeder()
        assert list(verificer()) == []
        transaction.set_rollback(True)
    assert samlet == enkeltvis


# --- two writers to one citizen at once -----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_writers_to_one_citizen_never_fork_the_chain():
    from django.contrib.auth import get_user_model

    from organisation.models import Borger, Enhed, Funktion, Medarbejder, Myndighed

    kommune = Myndighed.objects.create(navn="Samtidig Kommune", type="kommune", kommunekode="997")
    enhed = Enhed.objects.create(myndighed=kommune, navn="Hjemmepleje")
    user = get_user_model().objects.create_user("samtidig")
    m = Medarbejder.objects.create(user=user, myndighed=kommune, navn="Sam Tidig")
    Funktion.objects.create(medarbejder=m, enhed=enhed, rolle="sagsbehandler")
    borger = Borger.objects.create(cpr="0404801234", fornavn="Else", efternavn="Samtid")
    start = threading.Barrier(2)
    fejl = []

    def skriver(k):
        try:
            aktoer = aktoer_for(user)
            start.wait()
            for i in range(40):
                with transaction.atomic():
                    if i % 4:
                        adgangslog_write(
                            aktoer=aktoer, user=user, borger=borger, hvad=f"{k} {i}",
                            grundlag=Grundlag.EGEN_ENHED,
                        )  # fmt: skip
                    else:
                        adgangslog_write_batch([
                            adgangslog_post(aktoer=aktoer, user=user, borger=borger,
                                            hvad=f"{k} {i} {j}", grundlag=Grundlag.EGEN_ENHED)
                            for j in range(3)
                        ])  # fmt: skip
        except Exception as ex:  # noqa: BLE001 - reported by the test below
            fejl.append(ex)
        finally:
            connections.close_all()

    traade = [threading.Thread(target=skriver, args=(k,)) for k in "AB"]
    for t in traade:
        t.start()
    for t in traade:
        t.join()
    assert fejl == []
    numre = list(Adgangslog.objects.filter(borger=borger).values_list("nummer", flat=True))
    assert sorted(numre) == list(range(1, 2 * (30 + 10 * 3) + 1))
    assert AdgangslogHoved.objects.get(borger=borger).nummer == len(numre)
    assert list(verificer()) == []
