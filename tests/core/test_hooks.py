"""The after-change hooks run stage by stage in the order datadeling.core declares."""

from __future__ import annotations

from types import SimpleNamespace

from django.apps import apps

from datadeling.core import hooks
from indsats.models import Indsats
from tilstand.models import Tilstand


def test_stages_run_in_their_declared_order_not_the_order_of_registration():
    kroge = hooks.Kroge()
    kaldt = []

    def krog(navn):
        def kald(sender, aendringer, **kwargs):
            kaldt.append((navn, sender, list(aendringer)))

        return kald

    kroge.registrer(hooks.Trin.NOTIFIKATION, krog("notifikation"))
    kroge.registrer(hooks.Trin.UDBAKKE, krog("udbakke"))
    kroge.registrer(hooks.Trin.TILDELING, krog("tildeling"), sendere=(Tilstand, Indsats))
    kroge.kald(sender=Tilstand, aendringer=["a"])
    assert kaldt == [
        ("tildeling", Tilstand, ["a"]),
        ("udbakke", Tilstand, ["a"]),
        ("notifikation", Tilstand, ["a"]),
    ]
    kaldt.clear()
    kroge.kald(sender=object, aendringer=["b"])  # a sender the grants do not hear of
    assert [navn for navn, *_ in kaldt] == ["udbakke", "notifikation"]


def test_registering_a_hook_again_replaces_it_and_it_can_be_removed():
    kroge = hooks.Kroge()
    kaldt = []

    def krog(sender, aendringer, **kwargs):
        kaldt.append(sender)

    kroge.registrer(hooks.Trin.UDBAKKE, krog)
    kroge.registrer(hooks.Trin.UDBAKKE, krog)
    kroge.kald(sender=Tilstand, aendringer=[])
    assert kaldt == [Tilstand]
    kroge.afregistrer(hooks.Trin.UDBAKKE, krog)
    kroge.kald(sender=Tilstand, aendringer=[])
    assert kaldt == [Tilstand]


def test_grants_before_the_outbox_when_the_apps_register_in_reverse_order(monkeypatch):
    """mox registers before samtykke (the reverse of INSTALLED_APPS): the grant rows are
    still written before the outbox decides who may hear of the change, and the event rows
    for notifications to people come last."""
    from mox.udgaaende import services as udgaaende_services
    from samtykke import haendelser
    from samtykke import services as samtykke_services

    monkeypatch.setattr(hooks, "KROGE", hooks.Kroge())
    apps.get_app_config("mox").ready()
    apps.get_app_config("samtykke").ready()
    kaldt = []
    monkeypatch.setattr(
        samtykke_services.grants,
        "tildel_for_objekter",
        lambda objekter, nu: kaldt.append(("tildeling", [o.pk for o in objekter])),
    )
    monkeypatch.setattr(
        udgaaende_services,
        "notifikationer_write",
        lambda *, objekt, registrering, livscykluskode: kaldt.append(("udbakke", objekt.pk)),
    )
    monkeypatch.setattr(
        haendelser,
        "haendelser_write",
        lambda *, haendelser: kaldt.append(("notifikation", [h.objekt_id for h in haendelser])),
    )
    aendring = SimpleNamespace(
        objekt=SimpleNamespace(pk=1, borger_id=None, ansvarlig_enhed_id=None),
        registrering=SimpleNamespace(aktoer_id=None),
        livscykluskode="",
    )
    hooks.data_aendret(sender=Tilstand, aendringer=[aendring])
    assert kaldt == [("tildeling", [1]), ("udbakke", 1), ("notifikation", [1])]


def test_the_project_registers_grants_outbox_and_events_at_their_stages():
    from dialog.haendelser import skriv_ved_besked
    from dialog.models import Besked
    from mox.udgaaende.receivers import skriv_dialog_notifikationer, skriv_notifikationer
    from samtykke.haendelser import skriv_ved_aendring, skriv_ved_berigtigelse
    from samtykke.models import Berigtigelse
    from samtykke.services import tildel_ved_aendring

    registreret = {trin: [r.krog for r in rs] for trin, rs in hooks.KROGE._trin.items()}
    assert registreret[hooks.Trin.TILDELING] == [tildel_ved_aendring]
    assert registreret[hooks.Trin.UDBAKKE] == [skriv_notifikationer, skriv_dialog_notifikationer]
    # a message in a conversation reaches only the dialogue's outbox hook (metadata only)
    sendere = {r.krog: r.sendere for r in hooks.KROGE._trin[hooks.Trin.UDBAKKE]}
    assert sendere[skriv_dialog_notifikationer] == (Besked,)
    assert Besked not in sendere[skriv_notifikationer]
    # the outbox's events: one hook per kind of sender (data, correction requests, messages)
    assert registreret[hooks.Trin.NOTIFIKATION] == [
        skriv_ved_aendring, skriv_ved_berigtigelse, skriv_ved_besked,
    ]  # fmt: skip
    sendere = {r.krog: r.sendere for r in hooks.KROGE._trin[hooks.Trin.NOTIFIKATION]}
    assert sendere[skriv_ved_berigtigelse] == (Berigtigelse,)
    assert sendere[skriv_ved_besked] == (Besked,)
