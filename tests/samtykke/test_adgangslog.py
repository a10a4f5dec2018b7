import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from organisation.selectors import aktoer_for
from samtykke.adgangslog import GENESIS, adgangslog_write, beregn_hash
from samtykke.models import Adgangslog, Grundlag

pytestmark = pytest.mark.django_db


def write(g, borger, n=1):
    aktoer = aktoer_for(g.user)
    return [
        adgangslog_write(
            aktoer=aktoer,
            user=g.user,
            borger=borger,
            hvad=f"Overblik {i}",
            grundlag=Grundlag.EGEN_ENHED,
            objekter=[("tilstand", g.borger.pk)],
        )
        for i in range(n)
    ]


def test_entries_are_chained_per_citizen_and_name_the_reader(grundlag):
    g = grundlag
    a = write(g, g.borger, 3)
    b = write(g, g.anden_borger, 2)
    assert [e.nummer for e in a] == [1, 2, 3] and [e.nummer for e in b] == [1, 2]
    assert a[0].forrige_hash == GENESIS and a[1].forrige_hash == a[0].hash
    assert b[0].forrige_hash == GENESIS
    assert a[0].navn == "Tina Test" and a[0].enhed_navn == "Hjemmepleje"
    assert a[0].rolle == "Sagsbehandler" and a[0].myndighed_navn == "Testrup Kommune"
    assert all(beregn_hash(e) == e.hash for e in a + b)
    call_command("verificer_adgangslog")


def test_update_and_delete_are_refused_by_the_database(grundlag):
    write(grundlag, grundlag.borger, 2)
    for sql in ("UPDATE samtykke_adgangslog SET hvad = 'x'", "DELETE FROM samtykke_adgangslog"):
        with (
            pytest.raises(DatabaseError, match="må kun udvides"),
            transaction.atomic(),
            connection.cursor() as c,
        ):
            c.execute(sql)
    assert Adgangslog.objects.count() == 2


def test_tampering_by_a_superuser_is_named_by_the_verifier(grundlag, capsys):
    entries = write(grundlag, grundlag.borger, 4)
    write(grundlag, grundlag.anden_borger, 2)
    with connection.cursor() as c:
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks block ALTER TABLE
        c.execute("ALTER TABLE samtykke_adgangslog DISABLE TRIGGER samtykke_adgangslog_append_only")
        c.execute(
            "UPDATE samtykke_adgangslog SET hvad = 'intet at se her' WHERE id = %s",
            [entries[2].pk],
        )
        c.execute("ALTER TABLE samtykke_adgangslog ENABLE TRIGGER samtykke_adgangslog_append_only")
    with pytest.raises(CommandError, match="1 brudt"):
        call_command("verificer_adgangslog")
    out = capsys.readouterr().out
    assert f"post id {entries[2].pk} (nr. 3" in out
    assert "ændret" in out
    assert grundlag.borger.cpr not in out


def test_a_deleted_entry_breaks_the_chain(grundlag, capsys):
    entries = write(grundlag, grundlag.borger, 3)
    with connection.cursor() as c:
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks block ALTER TABLE
        c.execute("ALTER TABLE samtykke_adgangslog DISABLE TRIGGER samtykke_adgangslog_append_only")
        c.execute("DELETE FROM samtykke_adgangslog WHERE id = %s", [entries[1].pk])
        c.execute("ALTER TABLE samtykke_adgangslog ENABLE TRIGGER samtykke_adgangslog_append_only")
    with pytest.raises(CommandError):
        call_command("verificer_adgangslog")
    assert f"post id {entries[2].pk} (nr. 3" in capsys.readouterr().out


def test_a_failed_log_write_fails_the_read(grundlag):
    """The entry is written in the reader's transaction: if it fails, so does the read."""
    g = grundlag

    def read_with_log():
        with transaction.atomic():
            data = list(g.borger.__class__.objects.filter(pk=g.borger.pk))
            adgangslog_write(
                aktoer=aktoer_for(g.user),
                user=g.user,
                borger=g.borger,
                hvad="x" * 10,
                grundlag="ikke-et-grundlag-men-alt-for-langt-til-feltet",
            )
            return data

    with pytest.raises(DatabaseError):
        read_with_log()
    assert Adgangslog.objects.count() == 0
