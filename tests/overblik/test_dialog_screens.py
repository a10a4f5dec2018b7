"""The dialogue screens: the Dialog section of the citizen page, a conversation (write, preview,
poll, page back, correct, withdraw, attach, download), inviting, Mine samtaler, and the one
process of asking consent with a message and answering with a reply — access (404 at once
after a revocation), access log, query counts at 10 and 1,000 messages, Danish errors."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dialog import services as ds
from dialog.models import Besked, Samtale, SamtaleType, Vedhaeftning
from organisation.models import Borger, Medarbejder, Relation
from samtykke import services as samtykke_services
from samtykke.models import Adgangslog, Anmodning
from tests.overblik import test_tilstand_screens as skaerme
from tests.overblik.test_borger_screens import DELTAGER_GRUNDLAG
from tests.overblik.test_tilstand_screens import ADGANGSLOG, HTMX, LOGIN, TRANSAKTION, tilstand

g_grund = skaerme.g

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def g(g_grund):
    """Tina (Hjemmepleje) works with Else (her unit's condition); Frede (Jobcenter) may see
    Else's dialogue by a consent that includes it; Else and her son Jonas (a fuldmagt that
    covers dialogue) log in as citizens."""
    g = g_grund
    g.egen = tilstand(g)
    User = get_user_model()
    g.borger_user = User.objects.create_user("else")
    g.borger.user = g.borger_user
    g.borger.save()
    g.jonas_user = User.objects.create_user("jonas")
    g.jonas = Borger.objects.create(
        cpr="0303901234", fornavn="Jonas", efternavn="Holm", user=g.jonas_user
    )
    idag = timezone.localdate()
    g.fuldmagt = Relation.objects.create(
        borger=g.borger, person=g.jonas, type="fuldmagt", beskrivelse="søn",
        omfang=["samtykke", "dialog"], gyldig_fra=idag - datetime.timedelta(days=30),
        gyldig_til=idag + datetime.timedelta(days=365),
    )  # fmt: skip
    g.dialogsamtykke = samtykke_services.samtykke_give(
        actor=None, borger=g.borger, modtager=g.anden_enhed, kategorier=[], kilder=[g.enhed],
        formaal="Dialog om jobsøgningen", dialog=True,
    )  # fmt: skip
    g.frede = Medarbejder.objects.get(user=g.fremmed_user)
    return g


def klient_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def tina(g):
    return klient_for(g.user)


@pytest.fixture
def frede(g):
    return klient_for(g.fremmed_user)


@pytest.fixture
def else_(g):
    return klient_for(g.borger_user)


def samtale(g, *, type=SamtaleType.MED_BORGEREN, tekst="Hej Else, hvordan går det med søvnen?"):
    return ds.samtale_create(
        borger=g.borger, type=type, emne="Søvn og medicin", actor=g.user, enhed=g.enhed,
        deltagere=[g.anden_enhed], tekst=tekst,
    )  # fmt: skip


def url(navn: str, g, s=None, **kw) -> str:
    if s is not None:
        kw["samtale"] = s.pk
    return reverse(f"overblik:{navn}", kwargs={"pk": g.borger.pk, **kw})


def side(c, g, s, **params):
    return c.get(url("samtale", g, s), params)


def mange(g, s: Samtale, n: int) -> None:
    """Add n messages to the conversation in a few statements (the same rows the service
    writes, its history aside), alternating between Tina and Else."""
    now = timezone.now()
    start = s.seneste_nummer
    rows = []
    for i in range(1, n + 1):
        staff = i % 2 == 0
        rows.append(
            Besked(
                samtale=s,
                kaede=uuid.uuid4(),
                nummer=start + i,
                skrevet=now,
                bruger=g.user if staff else g.borger_user,
                medarbejder=g.medarbejder if staff else None,
                person=None if staff else g.borger,
                navn="Tina Test" if staff else "Else Jensen",
                enhed=g.enhed if staff else None,
                enhed_navn="Hjemmepleje" if staff else "",
                tekst=f"Besked nummer {start + i}",
            )  # fmt: skip
        )
    Besked.objects.bulk_create(rows)
    Samtale.objects.filter(pk=s.pk).update(seneste_nummer=start + n, seneste=now)
    s.refresh_from_db()


def log_for(borger) -> list[Adgangslog]:
    return list(Adgangslog.objects.filter(borger=borger).order_by("nummer"))


# --- the Dialog section of the citizen page ------------------------------------------------------


def test_the_citizen_page_lists_the_conversations_with_unread_counts(tina, frede, g):
    s = samtale(g)
    ds.besked_write(samtale=s, actor=g.fremmed_user, tekst="Vi har et jobtilbud til Else.")

    html = tina.get(reverse("overblik:borger", kwargs={"pk": g.borger.pk})).content.decode()

    assert "Dialog" in html and "Søvn og medicin" in html
    assert "1 ulæst" in html
    assert "Start en samtale" in html
    post = log_for(g.borger)[-1]
    # one page view is one entry: the conversations listed are in the page's entry
    assert post.hvad == "Borgerens side: tilstande, indsatser, sager i andre systemer og samtaler"
    assert "dialog" in post.kategorier
    assert any(o["type"] == "samtale" and o["id"] == str(s.pk) for o in post.objekter)


def test_a_caseworker_starts_a_conversation_without_javascript(tina, g):
    response = tina.post(
        url("samtale_ny", g),
        {"emne": "Udskrivelse", "type": "borger", "tekst": "Hej Else", "enhed": str(g.enhed.pk)},
    )
    s = Samtale.objects.get(emne="Udskrivelse")
    assert response.status_code == 302
    assert response["Location"] == url("samtale", g, s)
    html = side(tina, g, s).content.decode()
    assert "Hej Else" in html and "Tina Test" in html


def test_starting_without_a_subject_keeps_the_text_and_says_why(tina, g):
    response = tina.post(
        url("samtale_ny", g), {"emne": "", "type": "borger", "tekst": "Min lange tekst"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Skriv et emne." in html and "Min lange tekst" in html
    assert not Samtale.objects.exists()


# --- the conversation page ----------------------------------------------------------------------


def test_the_page_shows_author_role_unit_and_is_logged_and_marked_read(frede, g):
    s = samtale(g)
    response = side(frede, g, s)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tina Test" in html and "Hjemmepleje" in html and "Testrup Kommune" in html
    assert 'hx-history="false"' in html
    post = log_for(g.borger)[-1]
    assert post.hvad == "Læste samtalen om «Søvn og medicin»"
    assert post.bruger_id == g.fremmed_user.pk
    # Tina sees that Frede has read her message
    html = side(klient_for(g.user), g, s).content.decode()
    assert "Set af Frede Fremmed" in html


def test_a_participant_whose_consent_is_revoked_gets_404_on_the_next_request(frede, g):
    s = samtale(g)
    assert side(frede, g, s).status_code == 200
    samtykke_services.samtykke_revoke(actor=None, samtykke=g.dialogsamtykke)
    assert side(frede, g, s).status_code == 404
    assert frede.get(url("samtale_nye", g, s), {"efter": 0}).status_code == 404
    response = frede.post(url("samtale_skriv", g, s), {"tekst": "Hallo?"})
    assert response.status_code == 404
    assert Besked.objects.filter(samtale=s).count() == 1


def test_the_citizen_takes_the_dialogue_out_of_a_consent_and_the_reader_gets_404(frede, else_, g):
    from samtykke.models import Samtykke

    samtykke_services.samtykke_revoke(actor=None, samtykke=g.dialogsamtykke)
    med_data = samtykke_services.samtykke_give(
        actor=None, borger=g.borger, modtager=g.anden_enhed, kategorier=[g.type.overordnet],
        kilder=[g.enhed], formaal="Jobsøgning og dialog", dialog=True,
    )  # fmt: skip
    s = samtale(g)
    assert side(frede, g, s).status_code == 200
    adresse = reverse("overblik:mit_samtykke_indskraenk", kwargs={"pk": med_data.pk})
    form = else_.get(adresse).content.decode()
    assert "Dialogen om dig" in form
    response = else_.post(
        adresse,
        {"kategorier": [str(g.type.overordnet.pk)], "kilder": [str(g.enhed.pk)]},
    )
    assert response.status_code == 302
    assert side(frede, g, s).status_code == 404
    ny = Samtykke.objects.get(kaede=med_data.kaede, erstattet_af__isnull=True)
    assert not ny.dialog and ny.kategorier == [g.type.overordnet.pk]  # the data still shared


def test_a_conversation_about_another_citizen_is_a_404_like_a_random_one(tina, g):
    s = samtale(g)
    tilstand(g, borger=g.anden_borger)
    forkert = reverse("overblik:samtale", kwargs={"pk": g.anden_borger.pk, "samtale": s.pk})
    tilfaeldig = url("samtale", g, samtale=uuid.uuid4())
    assert tina.get(forkert).status_code == 404
    assert tina.get(tilfaeldig).status_code == 404


def test_writing_a_message_and_polling_for_new_ones(tina, frede, g):
    s = samtale(g)
    assert tina.get(url("samtale_nye", g, s), {"efter": 1}, **HTMX).status_code == 204

    response = frede.post(url("samtale_skriv", g, s), {"tekst": "Svar fra Jobcentret"})
    assert response.status_code == 302

    nye = tina.get(url("samtale_nye", g, s), {"efter": 1}, **HTMX)
    html = nye.content.decode()
    assert nye.status_code == 200
    assert "Svar fra Jobcentret" in html and "Hej Else" not in html
    assert 'hx-swap-oob="true"' in html and "efter=2" in html


def test_the_preview_shows_the_text_and_stores_nothing(tina, g):
    s = samtale(g)
    data = {"tekst": "Et udkast\n\nmed afsnit", "handling": "vis"}
    htmx = tina.post(url("samtale_skriv", g, s), data, **HTMX)
    plain = tina.post(url("samtale_skriv", g, s), data)
    assert "Sådan kommer beskeden til at se ud" in htmx.content.decode()
    assert "<p>med afsnit</p>" in htmx.content.decode()
    assert "Et udkast" in plain.content.decode() and "<html" in plain.content.decode()
    assert Besked.objects.filter(samtale=s).count() == 1


def test_an_empty_message_is_a_danish_error_and_nothing_is_lost(tina, g):
    s = samtale(g)
    response = tina.post(
        url("samtale_skriv", g, s), {"tekst": "  ", "svar_frist": "2020-01-01"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Skriv en besked." in html
    assert "Vælg hvem der skal svare inden fristen." in html


def test_older_messages_come_in_windows(tina, g):
    s = samtale(g)
    mange(g, s, 120)
    html = side(tina, g, s).content.decode()
    assert "Besked nummer 121" in html and "Besked nummer 71" not in html
    assert "Vis ældre beskeder" in html and "foer=72" in html
    aeldre = tina.get(url("samtale", g, s), {"foer": 72}, **HTMX).content.decode()
    assert "Besked nummer 71" in aeldre and "Besked nummer 22" in aeldre
    assert "Besked nummer 72" not in aeldre and "<html" not in aeldre


def test_a_needs_answer_mark_with_due_date_until_answered(tina, frede, g):
    s = samtale(g)
    d = next(x for x in s.deltagere.all() if x.enhed_id == g.anden_enhed.pk)
    frist = timezone.localdate() + datetime.timedelta(days=3)
    tina.post(
        url("samtale_skriv", g, s),
        {"tekst": "Kan I svare?", "svar_fra": str(d.pk), "svar_frist": frist.isoformat()},
    )
    html = side(frede, g, s).content.decode()
    assert "Afventer svar" in html and "Jobcenter" in html
    sektion = frede.get(reverse("overblik:borger", kwargs={"pk": g.borger.pk})).content.decode()
    assert "Venter på dit svar" in sektion
    frede.post(url("samtale_skriv", g, s), {"tekst": "Ja, det kan vi."})
    assert "Afventer svar" not in side(frede, g, s).content.decode()


def test_an_edited_message_keeps_its_earlier_version_and_a_withdrawn_one_is_a_stub(tina, frede, g):
    s = samtale(g)
    b = Besked.objects.get(samtale=s)
    ret = url("samtale_besked_ret", g, s, besked=b.kaede)
    assert tina.get(ret).status_code == 200
    assert frede.get(ret).status_code == 404  # not hers
    tina.post(ret, {"tekst": "Hej Else, hvordan sover du?"})
    html = side(frede, g, s).content.decode()
    assert "Rettet" in html and "hvordan sover du?" in html
    assert "Se den tidligere version" in html and "hvordan går det med søvnen?" in html

    tina.post(url("samtale_besked_tilbagetraek", g, s, besked=b.kaede))
    html = side(frede, g, s).content.decode()
    assert "Beskeden er trukket tilbage af afsenderen." in html
    assert "hvordan sover du?" not in html and "med søvnen" not in html


def test_an_attachment_is_stored_and_served_as_a_logged_download(tina, frede, g):
    s = samtale(g)
    fil = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    response = tina.post(url("samtale_skriv", g, s), {"tekst": "Planen", "filer": [fil]})
    assert response.status_code == 302
    v = Vedhaeftning.objects.get()
    html = side(frede, g, s).content.decode()
    link = url("samtale_fil", g, s, fil=v.pk)
    assert link in html and "plan.pdf" in html

    hent = frede.get(link)
    assert hent.status_code == 200
    assert b"".join(hent.streaming_content) == PDF
    assert hent["Content-Disposition"].startswith("attachment")
    assert hent["X-Content-Type-Options"] == "nosniff"
    assert log_for(g.borger)[-1].hvad.startswith("Hentede filen «plan.pdf»")
    samtykke_services.samtykke_revoke(actor=None, samtykke=g.dialogsamtykke)
    assert frede.get(link).status_code == 404


def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_stored(tina, g):
    s = samtale(g)
    falsk = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = tina.post(
        url("samtale_skriv", g, s), {"tekst": "Min tekst bevares", "filer": [falsk]}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "plan.pdf" in html and "Min tekst bevares" in html
    assert not Vedhaeftning.objects.exists()
    assert Besked.objects.filter(samtale=s).count() == 1


def test_inviting_a_unit_that_may_not_see_the_dialogue_is_refused_in_danish(tina, g):
    s = samtale(g)
    from organisation.models import Enhed

    fremmed = Enhed.objects.create(myndighed=g.myndighed, navn="Tandpleje")
    response = tina.post(url("samtale_inviter", g, s), {"enhed": str(fremmed.pk)})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tandpleje kan ikke deltage" in html


def test_inviting_a_relative_who_acts_for_the_citizen_in_the_dialogue(tina, g):
    s = samtale(g)
    side_ = tina.get(url("samtale_inviter", g, s)).content.decode()
    assert "Jonas Holm" in side_
    response = tina.post(url("samtale_inviter", g, s), {"person": str(g.jonas.pk)})
    assert response.status_code == 302
    assert s.deltagere.filter(person=g.jonas, via_relation=g.fuldmagt).exists()
    assert "Handler for borgeren (Fuldmagt)" in side(tina, g, s).content.decode()


# --- Mine samtaler ------------------------------------------------------------------------------


def test_the_citizen_reads_and_answers_in_mine_samtaler(else_, g):
    s = samtale(g)
    liste = else_.get(reverse("overblik:mine_samtaler"))
    assert liste.status_code == 200
    assert "Søvn og medicin" in liste.content.decode() and "1 ny besked" in liste.content.decode()
    side_ = reverse("overblik:min_samtale", kwargs={"pk": s.pk})
    assert "Hej Else" in else_.get(side_).content.decode()
    skriv = reverse("overblik:min_samtale_skriv", kwargs={"pk": s.pk})
    assert else_.post(skriv, {"tekst": "Jeg sover bedre nu."}).status_code == 302
    b = Besked.objects.get(samtale=s, nummer=2)
    assert b.person == g.borger and b.tekst == "Jeg sover bedre nu."
    assert log_for(g.borger)[-1].grundlag == "borger"


def test_professionals_only_conversations_show_the_citizen_who_and_when_not_what(else_, g):
    samtale(g, type=SamtaleType.FAGLIG, tekst="Fortroligt mellem os")
    html = else_.get(reverse("overblik:mine_samtaler")).content.decode()
    assert "Fagpersoner har talt sammen om dig" in html and "Tina Test" in html
    assert "Fortroligt mellem os" not in html


def test_staff_get_404_on_mine_samtaler_and_citizens_on_staff_pages(tina, else_, g):
    s = samtale(g)
    assert tina.get(reverse("overblik:mine_samtaler")).status_code == 404
    assert else_.get(url("samtale", g, s)).status_code == 404


# --- one process: ask consent with a message, answer and write back on one page ---------------


def test_a_request_with_a_message_opens_a_conversation_the_citizen_answers_in(tina, else_, g):
    from klassifikation import kendte as k

    tilstand(g, enhed=g.anden_enhed)
    data = {
        "anmod-kategorier": [str(k.FFB_AKTIVITET_OG_DELTAGELSE)],
        "anmod-dialog": "on",
        "anmod-kilder": [str(g.myndighed.pk)],
        "anmod-formaal": "Koordinering",
        "anmod-begrundelse": "Vi vil gerne hjælpe dig bedre.",
        "anmod-varighed_dage": "90",
        "anmod-enhed": str(g.enhed.pk),
        "anmod-besked": "Ring gerne, hvis du har spørgsmål.",
    }
    assert tina.post(url("samtykke_anmod", g), data).status_code == 302
    a = Anmodning.objects.get(borger=g.borger)
    s = Samtale.objects.get(anmodning=a)
    assert a.dialog and s.type == SamtaleType.MED_BORGEREN

    svar = reverse("overblik:min_anmodning_svar", kwargs={"pk": a.pk})
    html = else_.get(svar).content.decode()
    assert "Ring gerne, hvis du har spørgsmål." in html and "Send kun beskeden" in html
    response = else_.post(
        svar,
        {
            "svar": "ja", "besked": "Ja tak, ring i morgen.",
            "kategorier": [str(x) for x in a.kategorier], "kilder": [str(x) for x in a.kilder],
        },
    )  # fmt: skip
    assert response.status_code == 302, response.context["form"].errors
    a.refresh_from_db()
    assert a.status == "besvaret" or a.besvaret is not None
    assert Besked.objects.filter(samtale=s, tekst="Ja tak, ring i morgen.").exists()
    assert "Ja tak, ring i morgen." in side(tina, g, s).content.decode()


# --- query counts ----------------------------------------------------------------------------


# The conversation page: who is logged in (the views' and each dialog selector's own look-up),
# the conversation with its participants, the window with versions, files and references,
# how far others have read, the access-log entry, the reading position.
@pytest.mark.parametrize("n", [10, 1000])
def test_the_conversation_page_has_a_pinned_query_count(tina, g, n, django_assert_num_queries):
    s = samtale(g)
    mange(g, s, n)
    side(tina, g, s)  # the first read writes the reading position; pin the steady state
    ds.besked_write(samtale=s, actor=g.fremmed_user, tekst="Ny")
    with django_assert_num_queries(SAMTALE_SIDE):
        response = side(tina, g, s)
    assert response.status_code == 200
    assert len(response.context["s"].beskeder) == min(n + 2, 50)


@pytest.mark.parametrize("n", [10, 1000])
def test_the_dialog_section_has_a_pinned_query_count(tina, g, n, django_assert_num_queries):
    from tests.overblik.test_borger_screens import BORGER_SIDE, DIALOG_LISTE, DIALOG_SAMTALER

    for i in range(3):
        s = samtale(g)
        mange(g, s, n // 3 + i)
    # The citizen has no interventions here: the summary has none to fetch (-1).
    with django_assert_num_queries(BORGER_SIDE - 1 + DIALOG_SAMTALER + DIALOG_LISTE):
        response = tina.get(reverse("overblik:borger", kwargs={"pk": g.borger.pk}))
    assert len(response.context["dialog"].samtaler) == 3


# The conversation page: the citizen (borgerside; who is logged in is read once per request
# and handed to every dialog selector and service); the conversation, its participants and
# whether the reader's dialogue is open (3); the window, earlier versions, files, references
# (2) and how far others read (6); the log entry; the reading position: savepoint pair, the
# lock that also asks the policy, the previous one, insert (5); on what basis each
# participant takes part (DELTAGER_GRUNDLAG); what the writer may refer to: the conditions
# and interventions she sees (2).
SAMTALE_SIDE = LOGIN + TRANSAKTION + 1 + 3 + 6 + ADGANGSLOG + 5 + DELTAGER_GRUNDLAG + 2


def test_who_takes_part_and_on_what_basis(tina, g):
    """The conversation page and the Dialog section say on what basis each participant
    takes part, as the policy decides it now: a revoked consent shows at once."""
    s = samtale(g)
    html = side(tina, g, s).content.decode()
    assert "borgerens samtykke, der omfatter dialogen" in html  # the other unit
    assert "samtalen handler om borgeren" in html  # Else herself
    liste = tina.get(reverse("overblik:borger", kwargs={"pk": g.borger.pk})).content.decode()
    assert "(borgerens samtykke, der omfatter dialogen)" in liste
    samtykke_services.samtykke_revoke(actor=None, samtykke=g.dialogsamtykke)
    html = side(tina, g, s).content.decode()
    assert "borgerens samtykke, der omfatter dialogen" not in html
    assert "har ikke adgang til dialogen nu og læser ikke med" in html


def test_staff_refer_to_data_they_see_in_the_write_box(tina, frede, g):
    """The write box offers the caseworker the citizen's conditions she may see; the chosen
    one goes with the message; a choice outside what she sees is refused, nothing stored.
    Frede's unit sees no data of Else: he is offered nothing to refer to."""
    t = tilstand(g)
    s = samtale(g)
    html = side(tina, g, s).content.decode()
    assert f'value="t:{t.pk}"' in html and "Henvis til en tilstand eller indsats" in html
    assert f'value="t:{t.pk}"' not in side(frede, g, s).content.decode()
    response = tina.post(
        url("samtale_skriv", g, s), {"tekst": "Se tilstanden", "henvisninger": [f"t:{t.pk}"]}
    )
    assert response.status_code == 302
    b = Besked.objects.get(samtale=s, tekst="Se tilstanden")
    assert list(b.tilstande.all()) == [t]
    fremmed = tilstand(g, enhed=g.anden_enhed)
    response = tina.post(
        url("samtale_skriv", g, s), {"tekst": "Snyd", "henvisninger": [f"t:{fremmed.pk}"]}
    )
    assert "Vælg blandt de oplysninger, du kan se." in response.content.decode()
    assert "Snyd" in response.content.decode()  # what she typed is kept
    assert not Besked.objects.filter(samtale=s, tekst="Snyd").exists()
