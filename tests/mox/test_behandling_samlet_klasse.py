"""A chunk's klasse messages are planned message by message and written together.

As for the other kinds (test_behandling_samlet*.py): the joint write of a chunk must give
exactly what applying each message alone gives (a savepoint and an immediate write per
message): the same statuses and errors, the same code systems, classes (codes, titles,
places in the tree and in the code system) and terms, and the same answers to condition
messages that name a class planned earlier in the chunk (a condition reads classes, so
the chunk writes its planned classes first: planned or not, the class must be there).
The messages that are never planned (passivate, delete, moving a class, new terms) are
written at once between the planned ones.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klassifikation.models import Betegnelse, Klasse, Klassifikation
from mox import services
from mox.behandling.anvend import anvend_mange
from mox.behandling.klasse import egen_klassifikation_id, system_uri
from mox.models import Besked
from mox.protokol import Status
from tests import hypotese
from tests.mox.conftest import ny_afsender
from tests.mox.samlet import modtag_og_anvend, statements_for_chunk
from tests.mox.test_behandling import indpak, tilstand_data, v
from tilstand.models import Tilstand

OPRET = ("opret", "opret_under", "opret_facet", "opret_soegeord", "opret_samme_kode", "opret_tom")
SLAGS = (
    "titel", "kode", "samme_kode", "upubliceret", "flyt", "soegeord", "passiver", "slet",
    "tilstand",
)  # fmt: skip


class Rul(Exception):
    """Roll the example back."""


@contextmanager
def _omstarter() -> Iterator[list[str]]:
    """Collect the warnings that a chunk's joint write failed and was started over."""
    fundne: list[str] = []

    class Opsamler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                fundne.append(record.getMessage())

    logger = logging.getLogger("mox.behandling.anvend")
    opsamler = Opsamler()
    logger.addHandler(opsamler)
    try:
        yield fundne
    finally:
        logger.removeHandler(opsamler)


def _egenskaber(kode=None, titel=None, soegeord=None, fra="2022-01-01") -> dict:
    post: dict = {"virkning": v(fra)}
    if kode is not None:
        post["brugervendtnoegle"] = kode
    if titel is not None:
        post["titel"] = titel
    if soegeord is not None:
        post["soegeord"] = soegeord
    return {"klasseegenskaber": [post]}


def _besked(slags, i, ids, n, andre, facet, grundlag) -> dict:
    """Message number `i` of class history `n` (`andre`: another history: a parent, or
    whose code to take)."""
    objekt_id = ids[n]
    if slags in OPRET:
        kode = {"opret_samme_kode": f"K{andre}", "opret_tom": ""}.get(slags, f"K{n}")
        data: dict = {
            "attributter": _egenskaber(
                kode,
                f"Klasse {n}",
                [["ord", "", "synonym"], [f"ord {n}", "", "kategori"]]
                if slags == "opret_soegeord"
                else None,
            ),
            "tilstande": {
                "klassepubliceret": [{"publiceret": "Publiceret", "virkning": v("2022-01-01")}]
            },
            "relationer": {},
        }
        if slags == "opret_under":  # waits while the parent is unknown
            data["relationer"]["overordnetklasse"] = [
                {"uuid": str(ids[andre]), "virkning": v("2022-01-01")}
            ]
        if slags == "opret_facet":
            data["relationer"]["facet"] = [{"uuid": str(facet), "virkning": v("2022-01-01")}]
        return indpak(data, "klasse", "create", objekt_id)
    if slags in ("passiver", "slet"):
        return indpak({}, "klasse", "passivate" if slags == "passiver" else "delete", objekt_id)
    if slags == "tilstand":
        # a condition of this class: the class is no condition Datadeling knows (a local
        # class never is), which it can only say of a class it finds
        data = tilstand_data(grundlag, fra="2024-01-01", beskrivelse=f"{n}.{i}")
        data["relationer"]["tilstandstype"][0]["uuid"] = str(objekt_id)
        return indpak(data, "tilstand", "create", uuid.uuid5(objekt_id, str(i)))
    data = {}
    if slags == "titel":
        data["attributter"] = _egenskaber(titel=f"Titel {n}.{i}")
    if slags == "kode":
        data["attributter"] = _egenskaber(kode=f"K{n}.{i}")
    if slags == "samme_kode":  # refused while the other history's class has the code
        data["attributter"] = _egenskaber(kode=f"K{andre}")
    if slags == "upubliceret":
        data["tilstande"] = {
            "klassepubliceret": [{"publiceret": "IkkePubliceret", "virkning": v("2022-01-01")}]
        }
    if slags == "flyt":  # written at once: under another history's class
        data["relationer"] = {
            "overordnetklasse": [{"uuid": str(ids[andre]), "virkning": v("2022-01-01")}]
        }
    if slags == "soegeord":  # written at once: new terms
        data["attributter"] = _egenskaber(soegeord=[[f"nyt {n}.{i}", "", "synonym"]])
    return indpak(data, "klasse", "update", objekt_id)


def _udfald(beskeder, ids, facet, system) -> tuple:
    """What the messages ended as and what their objects hold, ids replaced by the
    history they belong to (each run uses ids and a system of its own)."""
    navne = {i: f"klasse {n}" for n, i in enumerate(ids)}
    navne[facet] = "facet"
    navne[egen_klassifikation_id(system)] = "egen"
    egen = system_uri(system)

    def navn(i):
        return navne.get(i, i)

    def uden_id(tekst):
        for i, n in navne.items():
            tekst = tekst.replace(str(i), n)
        return tekst

    pr_id = {
        str(b.besked_id): (b.status, [{k: uden_id(t) for k, t in f.items()} for f in b.fejl])
        for b in Besked.objects.filter(besked_id__in=[x["beskedID"] for x in beskeder])
    }
    statusser = [pr_id[b["beskedID"]] for b in beskeder]
    klasser = []
    for i in ids:
        k = (
            Klasse.objects.filter(pk=i)
            .values(
                "klassifikation__uri",
                "kode",
                "titel",
                "definition",
                "overordnet_id",
                "sti",
                "niveau",
                "raekkefoelge",
                "status",
                "egenskaber",
                "gyldig_fra",
            )  # fmt: skip
            .first()
        )
        if k is not None:
            k["klassifikation__uri"] = uden_id(k["klassifikation__uri"].replace(egen, "<system>"))
            k["overordnet_id"] = navn(k["overordnet_id"])
            k["sti"] = [navn(s) for s in k["sti"]]
            k["betegnelser"] = sorted(
                Betegnelse.objects.filter(klasse_id=i).values_list("tekst", "brug", "kilde")
            )
            k["betegnelser"] = [(t, b, uden_id(kilde.replace(egen, "<system>")))
                                for t, b, kilde in k["betegnelser"]]  # fmt: skip
        klasser.append(k)
    kodesystemer = sorted(
        (
            uden_id(uri.replace(egen, "<system>")),
            uden_id(str(pk)),
            uden_id(navn_.replace(str(system.uuid), "<s>")),
        )
        for pk, uri, navn_ in Klassifikation.objects.filter(uri__startswith=egen).values_list(
            "pk", "uri", "navn"
        )
    )
    tilstande = Tilstand.objects.filter(
        pk__in=[uuid.uuid5(i, str(k)) for i in ids for k in range(12)]
    ).count()
    return statusser, klasser, kodesystemer, tilstande


@settings(
    max_examples=hypotese.eksempler(40),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    historier=st.lists(
        st.tuples(st.sampled_from(OPRET), st.lists(st.sampled_from(SLAGS), max_size=5)),
        min_size=1,
        max_size=4,
    ),
    data=st.data(),
)
def test_a_chunk_of_classes_and_conditions_written_together_equals_each_message_applied_alone(
    db, grundlag, historier, data
):
    sekvenser = [[(o, 0)] + [(s, i + 1) for i, s in enumerate(f)] for o, f in historier]
    raekkefoelge = data.draw(
        st.permutations([k for k, s in enumerate(sekvenser) for _ in s]), label="interleaving"
    )
    # the other history a message points at (itself when it is the only one: a class
    # under itself is refused, or waits)
    andre = [data.draw(st.integers(0, len(historier) - 1)) for _ in historier]
    try:
        with transaction.atomic():
            udfald = []
            for samlet in (True, False):
                afsender = ny_afsender(f"Klassesystem {samlet}")
                ids = [uuid.uuid4() for _ in historier]
                facet = uuid.uuid4()
                naeste = [0] * len(sekvenser)
                beskeder = []
                for n in raekkefoelge:
                    slags, i = sekvenser[n][naeste[n]]
                    naeste[n] += 1
                    beskeder.append(_besked(slags, i, ids, n, andre[n], facet, grundlag))
                with _omstarter() as omstarter:
                    modtag_og_anvend(afsender.system, beskeder, samlet=samlet)
                # the planning foresees every refusal: the joint write never falls back to
                # one message at a time (which would hide a planning error behind the
                # fallback's equal result)
                assert omstarter == [], omstarter
                udfald.append(_udfald(beskeder, ids, facet, afsender.system))
            samlet_udfald, hver_for_sig = udfald
            assert samlet_udfald == hver_for_sig
            statusser = {s for s, _ in samlet_udfald[0]}
            assert statusser <= {Status.BEHANDLET, Status.FEJLET, Status.VENTER}
            raise Rul
    except Rul:
        pass


def _chunk(antal: int) -> list[dict]:
    """`antal` klasse messages: creates (roots, classes under them, with terms, in the
    system's own code system and in a facet) and updates of titles and codes."""
    ids = [uuid.uuid4() for _ in range(antal // 2)]
    facet = uuid.uuid4()
    beskeder = []
    for n, i in enumerate(ids):
        relationer: dict = {}
        if n % 4 == 1:
            relationer["overordnetklasse"] = [
                {"uuid": str(ids[n - 1]), "virkning": v("2022-01-01")}
            ]
        if n % 4 >= 2:
            relationer["facet"] = [{"uuid": str(facet), "virkning": v("2022-01-01")}]
        data = {
            "attributter": _egenskaber(f"K{n}", f"Klasse {n}", [[f"ord {n}", "", "synonym"]]),
            "tilstande": {
                "klassepubliceret": [{"publiceret": "Publiceret", "virkning": v("2022-01-01")}]
            },
            "relationer": relationer,
        }
        beskeder.append(indpak(data, "klasse", "create", i))
    for n, i in enumerate(ids):
        data = {"attributter": _egenskaber(kode=f"N{n}", titel=f"Ny {n}", fra="2024-02-01")}
        beskeder.append(indpak(data, "klasse", "update", i))
    return beskeder


@pytest.mark.django_db
def test_a_chunk_of_classes_takes_the_same_statements_whatever_its_size():
    antal_statements = {}
    for antal in (8, 40):
        afsender = ny_afsender(f"Klassesystem {antal}")
        antal_statements[antal] = statements_for_chunk(afsender.system, _chunk(antal))
        assert Klasse.objects.filter(kode__startswith="N").count() >= antal // 2
    assert antal_statements[8] == antal_statements[40], antal_statements


@pytest.mark.django_db
@pytest.mark.parametrize("foer_tilstand", [True, False], ids=["midt_i", "til_sidst"])
def test_planned_classes_the_database_refuses_are_redone_message_by_message(
    afsender, grundlag, caplog, foer_tilstand
):
    # The database refuses one class (a trigger, as a constraint the planning does not know
    # would), when the plans are written before a condition (midt_i) or at the end of the
    # chunk (til_sidst): the chunk is rolled back and applied one message at a time, each
    # in its savepoint; only the refused class fails, and the class under a written one
    # is made.
    with connection.cursor() as c:
        c.execute(
            "CREATE FUNCTION test_afvis_bom() RETURNS trigger AS $$ BEGIN"
            " IF NEW.titel = 'BOM' THEN RAISE EXCEPTION 'afvist'; END IF;"
            " RETURN NEW; END $$ LANGUAGE plpgsql;"
            " CREATE TRIGGER test_afvis_bom BEFORE INSERT ON klassifikation_klasse"
            " FOR EACH ROW EXECUTE FUNCTION test_afvis_bom();"
        )
    a, b, c_ = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    def opret(objekt_id, kode, titel, overordnet=None):
        relationer = {}
        if overordnet is not None:
            relationer["overordnetklasse"] = [
                {"uuid": str(overordnet), "virkning": v("2022-01-01")}
            ]
        data = {"attributter": _egenskaber(kode, titel), "relationer": relationer}
        return indpak(data, "klasse", "create", objekt_id)

    beskeder = [opret(a, "A", "God"), opret(b, "B", "BOM")]
    if foer_tilstand:
        beskeder.append(indpak(tilstand_data(grundlag, fra="2024-01-01")))
    beskeder.append(opret(c_, "C", "Også god", overordnet=a))
    services.beskeder_receive(system=afsender.system, beskeder=beskeder)
    pks = list(Besked.objects.order_by("pk").values_list("pk", flat=True))
    with caplog.at_level(logging.WARNING, logger="mox.behandling.anvend"):
        resultat = anvend_mange(pks)
    forventet = [Status.BEHANDLET, Status.FEJLET, Status.BEHANDLET]
    if foer_tilstand:
        forventet.insert(2, Status.BEHANDLET)
    assert list(resultat.values()) == forventet
    assert f"samlet skrivning af {len(beskeder)} beskeder fejlede" in caplog.text
    assert set(Klasse.objects.filter(pk__in=[a, b, c_]).values_list("pk", flat=True)) == {a, c_}
    assert Klasse.objects.get(pk=c_).sti == [a]
