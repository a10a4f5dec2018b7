"""The floors hold: no module takes part in an import cycle, function-level imports included.

import-linter (`make lint`) checks the floors between apps and cycles between sibling
packages; this test checks every module against every other, so a cycle inside one app
(a service importing the task that imports the service) fails too.
"""

from __future__ import annotations

import sys

import grimp
import pytest
from django.conf import settings

PAKKER = (
    "datadeling",
    "klassifikation",
    "organisation",
    "tilstand",
    "indsats",
    "sagsindeks",
    "samtykke",
    "overblik",
    "mox",
    "demo",
)


def _cykler(graf) -> list[list[str]]:
    """Return the strongly connected groups of more than one module (Tarjan, iterative)."""
    indeks: dict[str, int] = {}
    lav: dict[str, int] = {}
    stak: list[str] = []
    paa_stak: set[str] = set()
    grupper = []
    naeste = 0
    for start in sorted(graf.modules):
        if start in indeks:
            continue
        arbejde = [(start, iter(sorted(graf.find_modules_directly_imported_by(start))))]
        indeks[start] = lav[start] = naeste
        naeste += 1
        stak.append(start)
        paa_stak.add(start)
        while arbejde:
            modul, boern = arbejde[-1]
            for barn in boern:
                if barn not in indeks:
                    indeks[barn] = lav[barn] = naeste
                    naeste += 1
                    stak.append(barn)
                    paa_stak.add(barn)
                    arbejde.append(
                        (barn, iter(sorted(graf.find_modules_directly_imported_by(barn))))
                    )
                    break
                if barn in paa_stak:
                    lav[modul] = min(lav[modul], indeks[barn])
            else:
                arbejde.pop()
                if arbejde:
                    lav[arbejde[-1][0]] = min(lav[arbejde[-1][0]], lav[modul])
                if lav[modul] == indeks[modul]:
                    gruppe = []
                    while True:
                        m = stak.pop()
                        paa_stak.discard(m)
                        gruppe.append(m)
                        if m == modul:
                            break
                    if len(gruppe) > 1:
                        grupper.append(sorted(gruppe))
    return grupper


@pytest.fixture(scope="module")
def graf():
    sys.path.insert(0, str(settings.BASE_DIR))
    return grimp.build_graph(*PAKKER, include_external_packages=False, cache_dir=None)


def test_intet_modul_er_del_af_en_importcykel(graf):
    assert _cykler(graf) == []


def test_cykelfinderen_finder_en_cykel():
    """The finder itself: a graph with a cycle of three is reported, a chain is not."""
    g = grimp.ImportGraph()
    for m in ("a", "a.x", "a.y", "a.z", "a.w"):
        g.add_module(m)
    g.add_import(importer="a.x", imported="a.y")
    g.add_import(importer="a.y", imported="a.z")
    g.add_import(importer="a.z", imported="a.x")
    g.add_import(importer="a.w", imported="a.x")
    assert _cykler(g) == [["a.x", "a.y", "a.z"]]


def test_mox_importerer_ikke_overblik(graf):
    assert not graf.chain_exists(importer="mox", imported="overblik", as_packages=True)
