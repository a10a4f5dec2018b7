"""The leaner write of the access log (migration 0006) writes what the old one wrote.

Migration 0006 dropped the entries' own foreign key to the citizen, moves the chain head
with a plain UPDATE instead of INSERT … ON CONFLICT, and no longer looks up a role's label
through `get_rolle_display`. Pinned here: the chains and heads are the same as the 0005
function writes, the database still refuses an entry for a citizen who does not exist and
the deletion of a citizen with a log, and the role text is the same in every language.
"""

import datetime
import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from organisation.models import Borger, Funktion, Rolle
from organisation.selectors import aktoer_for
from samtykke.adgangslog import _rolle, adgangslog_post, adgangslog_write_batch, verificer
from samtykke.migrations._sql_0006 import SKRIV_0005
from samtykke.models import Adgangslog, AdgangslogHoved, Grundlag

UTC = datetime.UTC


@pytest.mark.parametrize("sprog", ["da", "en"])
@pytest.mark.parametrize("rolle", [*Rolle.values, "ukendt"])
def test_the_role_label_is_what_get_rolle_display_gives(rolle, sprog):
    f = Funktion(rolle=rolle)
    with translation.override(sprog):
        assert _rolle(f) == f.get_rolle_display()


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    # before: how many entries each of three citizens already has (0: no head yet)
    foer=st.lists(st.integers(0, 3), min_size=3, max_size=3),
    # then batches of (citizen, seconds after the start): a time may go back
    batches=st.lists(
        st.lists(st.tuples(st.integers(0, 2), st.integers(-3, 5)), min_size=1, max_size=6),
        min_size=1, max_size=5,
    ),
)  # fmt: skip
def test_the_lean_function_writes_the_chains_the_0005_function_wrote(grundlag, foer, batches):
    g = grundlag
    borgere = [g.borger, g.anden_borger, Borger.objects.get_or_create(
        cpr="0303701234", defaults={"fornavn": "Ib", "efternavn": "Ny"})[0]]  # fmt: skip
    aktoer = aktoer_for(g.user)
    start = datetime.datetime(2026, 11, 30, 23, 59, 57, tzinfo=UTC)

    def post(b, sek, i):
        return adgangslog_post(
            aktoer=aktoer, user=g.user, borger=borgere[b], hvad=f"Læste {i}",
            grundlag=Grundlag.EGEN_ENHED, objekter=[("tilstand", uuid.UUID(int=i))],
            tidspunkt=start + datetime.timedelta(seconds=sek),
        )  # fmt: skip

    def skriv():
        i = 0
        for b, antal in enumerate(foer):
            for _ in range(antal):
                adgangslog_write_batch([post(b, 0, i)])
                i += 1
        for batch in batches:
            adgangslog_write_batch([post(b, sek, i + j) for j, (b, sek) in enumerate(batch)])
            i += len(batch)
        with connection.cursor() as c:
            # the deferred checks (the head's foreign key) run now, inside the savepoint
            c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        return list(
            Adgangslog.objects.order_by("borger_id", "nummer").values_list(
                "borger_id", "nummer", "tidspunkt", "hvad", "forrige_hash", "hash"
            )
        ), list(AdgangslogHoved.objects.order_by("borger_id").values_list())

    with transaction.atomic():
        with connection.cursor() as c:
            c.execute(SKRIV_0005)  # the function as migration 0005 made it, until rollback
        gammel = skriv()
        transaction.set_rollback(True)
    with transaction.atomic():
        ny = skriv()
        assert list(verificer()) == []
        transaction.set_rollback(True)
    assert ny == gammel
    assert len(ny[1]) == len({b for b, n in enumerate(foer) if n} | {
        b for batch in batches for b, _s in batch})  # fmt: skip


@pytest.mark.django_db
def test_an_entry_for_a_citizen_who_does_not_exist_is_refused(grundlag):
    g = grundlag
    ingen = Borger(pk=uuid.uuid4(), cpr="0909091234")  # never saved
    entry = adgangslog_post(
        aktoer=aktoer_for(g.user), user=g.user, borger=ingen, hvad="Overblik",
        grundlag=Grundlag.EGEN_ENHED,
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        adgangslog_write_batch([entry])
        with connection.cursor() as c:
            c.execute("SET CONSTRAINTS ALL IMMEDIATE")


@pytest.mark.django_db
def test_the_database_refuses_to_delete_a_citizen_with_a_log(grundlag):
    g = grundlag
    adgangslog_write_batch([
        adgangslog_post(aktoer=aktoer_for(g.user), user=g.user, borger=g.borger,
                        hvad="Overblik", grundlag=Grundlag.EGEN_ENHED)
    ])  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as c:
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        c.execute("DELETE FROM organisation_borger WHERE id = %s", [g.borger.pk])


@pytest.mark.django_db(transaction=True)
def test_writing_an_entry_locks_no_citizen_row(grundlag):
    """The entry's foreign key to the citizen locked the citizen's row for every read (a WAL
    record, and the page written again after every checkpoint); the head guards the citizen
    now, and its own check runs once, when the chain begins."""
    g = grundlag
    aktoer = aktoer_for(g.user)

    def skriv():
        with transaction.atomic():
            adgangslog_write_batch([
                adgangslog_post(aktoer=aktoer, user=g.user, borger=g.borger, hvad="Overblik",
                                grundlag=Grundlag.EGEN_ENHED)
            ])  # fmt: skip

    def laas():
        with connection.cursor() as c:
            c.execute("SELECT xmax::text FROM organisation_borger WHERE id = %s", [g.borger.pk])
            return c.fetchone()[0]

    skriv()  # the chain's first entry: the head's foreign key checks the citizen
    foer = laas()
    skriv()
    skriv()
    assert laas() == foer
