"""The dialogue's services and selectors on real PostgreSQL: who may take part and read,
revocation at once, hidden references, versions, attachments, append-only, query counts."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.http import Http404
from django.utils import timezone

from dialog import selectors, services
from dialog.models import Besked, SamtaleHaendelse, SamtaleType, Vedhaeftning
from samtykke import services as samtykke_services
from samtykke.models import Adgangslog, Beslutning

pytestmark = pytest.mark.django_db


def _samtale(v, **kw):
    return services.samtale_create(
        borger=v.g.borger, type=kw.pop("type", SamtaleType.MED_BORGEREN), emne="Hjælp i hjemmet",
        actor=v.g.user, tekst=kw.pop("tekst", "Hej Else"), **kw,
    )  # fmt: skip


def _dialogsamtykke(v):
    return samtykke_services.samtykke_give(
        actor=None, borger=v.g.borger, modtager=v.psykiatri, kilder=[v.g.enhed], dialog=True,
        formaal="Koordinering",
    )  # fmt: skip


def test_own_unit_starts_and_the_citizen_reads_and_answers(verden):
    v = verden
    s = _samtale(v)
    svar = services.besked_write(samtale=s, actor=v.borger_user, tekst="Tak, det passer fint")
    assert svar.person_id == v.g.borger.pk and svar.nummer == 2
    s.refresh_from_db()
    assert s.seneste_nummer == 2
    for bruger in (v.g.user, v.borger_user):
        samtale = selectors.samtale_for(bruger=bruger, samtale_id=s.pk)
        tekster = [b.tekst for b in selectors.beskeder_for(bruger=bruger, samtale=samtale).beskeder]
        assert tekster == ["Hej Else", "Tak, det passer fint"]
    assert list(SamtaleHaendelse.objects.filter(samtale=s).values_list("type", flat=True)) == [
        "oprettet", "deltager", "deltager", "deltager", "skrevet", "skrevet",
    ]  # fmt: skip
    # the staff side counts the citizen's answer as unread
    (liste,) = selectors.samtaler_for(bruger=v.g.user, borger=v.g.borger)
    assert liste.ulaeste == 1
    services.laesning_write(samtale=s, actor=v.g.user, til_nummer=2)
    (liste,) = selectors.samtaler_for(bruger=v.g.user, borger=v.g.borger)
    assert liste.ulaeste == 0


def test_an_outsider_cannot_be_invited_until_a_consent_includes_the_dialogue(verden):
    v = verden
    s = _samtale(v)
    with pytest.raises(ValidationError) as e:
        services.deltager_add(samtale=s, actor=v.g.user, medarbejder=v.psyk)
    assert "ikke adgang til dialogen" in str(e.value)
    with pytest.raises(ValidationError):
        services.deltager_add(samtale=s, actor=v.g.user, enhed=v.psykiatri)
    # a consent without the dialogue scope does not help
    samtykke_services.samtykke_give(
        actor=None, borger=v.g.borger, modtager=v.psykiatri, kilder=[v.g.enhed],
        sagsindeks=True, formaal="Koordinering",
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.deltager_add(samtale=s, actor=v.g.user, enhed=v.psykiatri)
    _dialogsamtykke(v)
    services.deltager_add(samtale=s, actor=v.g.user, enhed=v.psykiatri)
    assert selectors.samtale_for(bruger=v.psyk_user, samtale_id=s.pk).laeser


def test_revoked_consent_removes_reading_at_once_and_what_was_written_stays(verden):
    v = verden
    s = _samtale(v)
    samtykke = _dialogsamtykke(v)
    services.deltager_add(samtale=s, actor=v.g.user, medarbejder=v.psyk)
    services.besked_write(samtale=s, actor=v.psyk_user, tekst="Psykiatrien her")
    samtykke_services.samtykke_revoke(actor=None, samtykke=samtykke)
    with pytest.raises(Http404):
        selectors.samtale_for(bruger=v.psyk_user, samtale_id=s.pk)
    assert selectors.samtaler_for(bruger=v.psyk_user, borger=v.g.borger) == []
    with pytest.raises(ValidationError):
        services.besked_write(samtale=s, actor=v.psyk_user, tekst="Må jeg stadig?")
    samtale = selectors.samtale_for(bruger=v.g.user, samtale_id=s.pk)
    tekster = [b.tekst for b in selectors.beskeder_for(bruger=v.g.user, samtale=samtale).beskeder]
    assert "Psykiatrien her" in tekster


def test_a_block_beats_the_own_unit(verden):
    v = verden
    s = _samtale(v)
    samtykke_services.samtykke_give(
        actor=None, borger=v.g.borger, modtager=v.g.enhed, beslutning=Beslutning.AFVIS
    )
    with pytest.raises(Http404):
        selectors.samtale_for(bruger=v.g.user, samtale_id=s.pk)
    # the citizen still reads it
    assert selectors.samtale_for(bruger=v.borger_user, samtale_id=s.pk).laeser


def test_professionals_only_the_citizen_sees_that_it_exists_never_the_text(verden):
    v = verden
    s = _samtale(v, type=SamtaleType.FAGLIG, tekst="Fortroligt mellem os")
    samtale = selectors.samtale_for(bruger=v.borger_user, samtale_id=s.pk)
    assert samtale.laeser is False
    assert selectors.beskeder_for(bruger=v.borger_user, samtale=samtale).beskeder == []
    (mine,) = selectors.mine_samtaler(person=v.g.borger)
    assert mine.laeser is False and mine.ulaeste == 0
    assert [h.type for h in mine.tidslinje][-1] == "skrevet"
    assert not hasattr(mine.tidslinje[-1], "tekst")
    with pytest.raises(ValidationError):
        services.besked_write(samtale=s, actor=v.borger_user, tekst="Hvad skriver I?")


def test_a_hidden_reference_shows_neither_content_nor_class(verden):
    v = verden
    s = _samtale(v)
    _dialogsamtykke(v)  # the dialogue, not the data
    services.deltager_add(samtale=s, actor=v.g.user, medarbejder=v.psyk)
    services.besked_write(samtale=s, actor=v.g.user, tekst="Se tilstanden", tilstande=[v.tilstand])
    for bruger, skjult in ((v.g.user, False), (v.psyk_user, True)):
        samtale = selectors.samtale_for(bruger=bruger, samtale_id=s.pk)
        (h,) = selectors.beskeder_for(bruger=bruger, samtale=samtale).beskeder[-1].henvisninger
        assert h.skjult is skjult
        if skjult:
            assert h.objekt is None
            assert h.tekst == "oplysning du ikke har adgang til"
            assert str(v.g.type) not in h.tekst and str(v.tilstand.pk) not in repr(h)
    # and the psychiatry may not refer to it either
    with pytest.raises(ValidationError):
        services.besked_write(
            samtale=s, actor=v.psyk_user, tekst="Også mig", tilstande=[v.tilstand]
        )


def test_an_edit_keeps_the_earlier_version_and_a_withdrawal_leaves_a_stub(verden):
    v = verden
    s = _samtale(v)
    foerste = Besked.objects.get(samtale=s)
    ny = services.besked_edit(besked=foerste, actor=v.g.user, tekst="Hej Else!")
    assert ny.version == 2 and ny.erstatter_id == foerste.pk
    with pytest.raises(ValidationError):
        services.besked_edit(besked=ny, actor=v.borger_user, tekst="Ikke min")
    samtale = selectors.samtale_for(bruger=v.borger_user, samtale_id=s.pk)
    (b,) = selectors.beskeder_for(bruger=v.borger_user, samtale=samtale).beskeder
    assert b.redigeret and [t.tekst for t in b.tidligere] == ["Hej Else"]
    stub = services.besked_withdraw(besked=ny, actor=v.g.user)
    assert stub.trukket_tilbage and stub.tekst == ""
    (b,) = selectors.beskeder_for(bruger=v.borger_user, samtale=samtale).beskeder
    assert b.trukket_tilbage and b.tidligere == []
    with pytest.raises(ValidationError):
        services.besked_edit(besked=stub, actor=v.g.user, tekst="Igen")
    assert Besked.objects.filter(kaede=foerste.kaede).count() == 3


PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"


def test_attachments_checked_from_content_and_nothing_stored_when_refused(verden, settings):
    v = verden
    s = _samtale(v)
    god = SimpleUploadedFile("notat.pdf", PDF, content_type="application/pdf")
    b = services.besked_write(samtale=s, actor=v.g.user, tekst="Notat", filer=[god])
    (f,) = Vedhaeftning.objects.filter(besked=b)
    assert f.content_type == "application/pdf" and len(f.sha256) == 64
    antal = (Besked.objects.count(), Vedhaeftning.objects.count())
    falsk = SimpleUploadedFile("faktura.pdf", b"MZ\x90\x00" + b"\x00" * 60, "application/pdf")
    forklaedt = SimpleUploadedFile("billede.png", PDF, content_type="image/png")
    for fil in (falsk, forklaedt):
        with pytest.raises(ValidationError) as e:
            services.besked_write(samtale=s, actor=v.g.user, tekst="Se her", filer=[god, fil])
        assert e.value.code if hasattr(e.value, "code") else True
    settings.DIALOG_VEDHAEFTNING_MAKS_BYTES = 10
    stor = SimpleUploadedFile("stor.pdf", PDF, content_type="application/pdf")
    with pytest.raises(ValidationError) as e:
        services.besked_write(samtale=s, actor=v.g.user, tekst="Stor", filer=[stor])
    assert "for stor" in str(e.value)
    assert (Besked.objects.count(), Vedhaeftning.objects.count()) == antal
    # the file is served to a reader only, and the reader's access is logged by the view
    assert selectors.vedhaeftning_for(bruger=v.g.user, vedhaeftning_id=f.pk).indhold
    with pytest.raises(Http404):
        selectors.vedhaeftning_for(bruger=v.psyk_user, vedhaeftning_id=f.pk)


def test_the_tables_refuse_update_and_delete(verden):
    v = verden
    s = _samtale(v)
    for sql in (
        "UPDATE dialog_besked SET tekst = 'x'",
        "DELETE FROM dialog_besked",
        "DELETE FROM dialog_deltager",
        "UPDATE dialog_samtalehaendelse SET navn = 'x'",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
            c.execute(sql)
    assert Besked.objects.filter(samtale=s).count() == 1


def test_reading_writes_the_access_log(verden):
    v = verden
    s = _samtale(v)
    samtale = selectors.samtale_for(bruger=v.g.user, samtale_id=s.pk)
    selectors.samtale_log(bruger=v.g.user, samtale=samtale)
    e = Adgangslog.objects.filter(borger=v.g.borger).latest("nummer")
    assert e.hvad == "Læste samtalen om «Hjælp i hjemmet»" and e.grundlag == "egen_enhed"


def test_a_relative_reads_only_within_the_dialogue_scope(verden):
    from django.contrib.auth import get_user_model

    from organisation.models import Borger, Relation

    v = verden
    s = _samtale(v)
    soen = Borger.objects.create(
        cpr="0303801234", fornavn="Sven", efternavn="Jensen",
        user=get_user_model().objects.create_user("sven"),
    )  # fmt: skip
    r = Relation.objects.create(borger=v.g.borger, person=soen, type="paaroerende", omfang=[])
    with pytest.raises(Http404):
        selectors.samtale_for(bruger=soen.user, samtale_id=s.pk)
    with pytest.raises(ValidationError):
        services.deltager_add(samtale=s, actor=v.g.user, person=soen)
    r.delete()
    Relation.objects.create(
        borger=v.g.borger, person=soen, type="fuldmagt", omfang=["dialog"],
        gyldig_fra=datetime.date(2020, 1, 1), gyldig_til=datetime.date(2099, 1, 1),
    )  # fmt: skip
    services.deltager_add(samtale=s, actor=v.g.user, person=soen)
    b = services.besked_write(samtale=s, actor=soen.user, tekst="Jeg er hendes søn")
    assert b.via_relation_id is not None
    with pytest.raises(ValidationError):
        services.besked_write(samtale=s, actor=soen.user, tekst="Se her", tilstande=[v.tilstand])
    (mine,) = selectors.mine_samtaler(person=soen)
    assert mine.laeser and mine.relation is not None


def _fyld(v, s, n):
    rows = [
        Besked(
            samtale=s,
            kaede=__import__("uuid").uuid4(),
            nummer=i + 2,
            skrevet=s.seneste,
            bruger=v.g.user,
            medarbejder=v.g.medarbejder,
            navn="Tina",
            tekst=f"Besked {i}",
        )  # fmt: skip
        for i in range(n)
    ]
    Besked.objects.bulk_create(rows)
    type(s).objects.filter(pk=s.pk).update(seneste_nummer=n + 1)


@pytest.mark.parametrize("n", [10, 1000])
def test_query_counts_do_not_grow_with_messages(verden, django_assert_num_queries, n):
    v = verden
    s = _samtale(v)
    _fyld(v, s, n)
    services.besked_write(samtale=s, actor=v.borger_user, tekst="Svar", tilstande=[v.tilstand])
    with django_assert_num_queries(QUERIES_SAMTALER):
        (liste,) = selectors.samtaler_for(bruger=v.g.user, borger=v.g.borger)
    samtale = selectors.samtale_for(bruger=v.g.user, samtale_id=s.pk)
    with django_assert_num_queries(QUERIES_BESKEDER):
        vindue = selectors.beskeder_for(bruger=v.g.user, samtale=samtale)
    assert len(vindue.beskeder) == min(50, n + 2) and vindue.flere_foer == (n + 2 > 50)
    [(b.tekst, b.filer, b.henvisninger, b.tidligere, b.sete_af) for b in vindue.beskeder]


QUERIES_SAMTALER = 5
QUERIES_BESKEDER = 9


def test_the_admin_shows_conversations_read_only_logged_and_without_text(verden, admin_client):
    from django.urls import reverse

    v = verden
    s = _samtale(v, tekst="Meget privat besked")
    foer = Adgangslog.objects.filter(borger=v.g.borger).count()
    for side in (
        reverse("admin:dialog_samtale_changelist"),
        reverse("admin:dialog_samtale_change", args=[s.pk]),
    ):
        svar = admin_client.get(side)
        assert svar.status_code == 200
        assert "Meget privat besked" not in svar.content.decode()
    assert Adgangslog.objects.filter(borger=v.g.borger).count() == foer + 2
    assert admin_client.post(reverse("admin:dialog_samtale_delete", args=[s.pk])).status_code == 403


def test_narrowing_away_the_dialogue_removes_reading_at_once(verden):
    v = verden
    s = _samtale(v)
    samtykke = samtykke_services.samtykke_give(
        actor=None, borger=v.g.borger, modtager=v.psykiatri, kilder=[v.g.enhed], dialog=True,
        sagsindeks=True, formaal="Koordinering",
    )  # fmt: skip
    services.deltager_add(samtale=s, actor=v.g.user, enhed=v.psykiatri)
    assert selectors.samtale_for(bruger=v.psyk_user, samtale_id=s.pk).laeser
    samtykke_services.samtykke_narrow(actor=None, samtykke=samtykke, dialog=False)
    with pytest.raises(Http404):
        selectors.samtale_for(bruger=v.psyk_user, samtale_id=s.pk)
    kun_dialog = samtykke_services.samtykke_give(
        actor=None, borger=v.g.borger, modtager=v.g.anden_enhed, kilder=[v.g.enhed],
        dialog=True, formaal="Koordinering",
    )  # fmt: skip
    with pytest.raises(ValidationError):  # nothing would be left
        samtykke_services.samtykke_narrow(actor=None, samtykke=kun_dialog, dialog=False)


def test_a_message_can_wait_for_an_answer_from_a_participant(verden):
    v = verden
    s = _samtale(v)
    _dialogsamtykke(v)
    psyk = services.deltager_add(samtale=s, actor=v.g.user, medarbejder=v.psyk)
    frist = timezone.localdate() + datetime.timedelta(days=3)
    with pytest.raises(ValidationError):  # a due date needs someone to answer
        services.besked_write(samtale=s, actor=v.g.user, tekst="Svar?", svar_frist=frist)
    services.besked_write(
        samtale=s, actor=v.g.user, tekst="Kan I svare?", svar_fra=psyk, svar_frist=frist
    )
    (liste,) = selectors.samtaler_for(bruger=v.psyk_user, borger=v.g.borger)
    assert liste.venter_paa_mig and liste.svar_frist == frist
    (egen,) = selectors.samtaler_for(bruger=v.g.user, borger=v.g.borger)
    assert not egen.venter_paa_mig
    services.besked_write(samtale=s, actor=v.psyk_user, tekst="Ja, på torsdag")
    (liste,) = selectors.samtaler_for(bruger=v.psyk_user, borger=v.g.borger)
    assert not liste.venter_paa_mig and liste.svar_frist is None


@pytest.mark.parametrize("n", [10, 1000])
def test_writing_a_message_costs_a_handful_of_queries(verden, django_assert_num_queries, n):
    """One query locks the conversation and asks the policy (staff); then the message, its
    history row, the conversation's `seneste`, the outbound hook's subscriptions and the
    notifications' event row. The
    count does not grow with the messages, and a caller that has the actor passes it."""
    from organisation.selectors import aktoer_for

    v = verden
    s = _samtale(v)
    _fyld(v, s, n)
    aktoer = aktoer_for(v.g.user)
    with django_assert_num_queries(QUERIES_SKRIV):
        b = services.besked_write(samtale=s, actor=v.g.user, tekst="Hej", aktoer=aktoer)
    assert b.nummer == n + 2
    with django_assert_num_queries(QUERIES_SKRIV + 2):  # + the actor (user, roles)
        services.besked_write(samtale=s, actor=v.g.user, tekst="Hej igen")
    # The policy is still asked on every write: a block stops the next one.
    samtykke_services.samtykke_give(
        actor=None, borger=v.g.borger, modtager=v.g.enhed, beslutning=Beslutning.AFVIS
    )
    with pytest.raises(ValidationError):
        services.besked_write(samtale=s, actor=v.g.user, tekst="Igen", aktoer=aktoer)


QUERIES_SKRIV = 8  # BEGIN, lock + policy, message, history, seneste, subscriptions,
# the outbox event for notifications, COMMIT


@pytest.mark.parametrize("n", [10, 1000])
def test_polling_asks_the_database_for_the_messages_after_n(verden, django_assert_num_queries, n):
    """`efter_nummer` filters in the database: the oldest window after N (so the next poll
    goes on from there), nothing when none is newer; the same queries at any size."""
    from organisation.selectors import aktoer_for

    v = verden
    s = _samtale(v)
    _fyld(v, s, n)
    aktoer = aktoer_for(v.g.user)
    samtale = selectors.samtale_for(bruger=v.g.user, samtale_id=s.pk, aktoer=aktoer)
    # the window, versions, files, the two reference tables, how far others read
    with django_assert_num_queries(6):
        vindue = selectors.beskeder_for(
            bruger=v.g.user, samtale=samtale, efter_nummer=3, antal=50, aktoer=aktoer
        )
    numre = [b.nummer for b in vindue.beskeder]
    assert numre == list(range(4, min(n + 1, 53) + 1))
    assert vindue.flere_efter == (n + 1 > 53) and not vindue.flere_foer
    seneste = selectors.beskeder_for(
        bruger=v.g.user, samtale=samtale, efter_nummer=n + 1, aktoer=aktoer
    )
    assert seneste.beskeder == []
    services.besked_write(samtale=s, actor=v.borger_user, tekst="Ny")
    (ny,) = selectors.beskeder_for(
        bruger=v.g.user, samtale=samtale, efter_nummer=n + 1, aktoer=aktoer
    ).beskeder
    assert ny.tekst == "Ny"
