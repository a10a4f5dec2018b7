"""Import FHIR terminology (CodeSystem, CodeSystem supplement, ConceptMap) into klassifikation.

One call imports a batch of files in one transaction, in three steps:

1. read and check every file on its own (JSON, structure, codes, tree), without the database;
2. check the files against each other and the database (versions, references to other code
   systems, identifiers) - still without writing;
3. write: code systems and their classes first, then terms (designations, also those from
   supplements), then mappings (ConceptMaps).

Any problem in step 1 or 2 refuses the whole batch with messages naming the file and the JSON
path (`concept[3].concept[0].code`), and nothing is written. The import is idempotent: a row
is only written when a value differs, so importing the same files again issues no UPDATE.
Classes keep their FK Klassifikation UUID codes as identifiers (see `klasse_uuid`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from datadeling.core.laas import Navnerum, laas
from klassifikation.importer.database import Importresultat, Plan
from klassifikation.importer.fhir import CodeSystem, ConceptMap, Fejlliste, laes

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

__all__ = ["STANDARD_MAPPE", "Importresultat", "klassifikation_import"]

logger = logging.getLogger(__name__)

# The code systems shipped with Datadeling (`manage.py importer_klassifikation --standard`).
STANDARD_MAPPE = Path(__file__).resolve().parent.parent / "data"


# Taken for the whole transaction, so two imports never interleave their reads and writes.
def klassifikation_import(
    *,
    stier: Sequence[Path | str],
    force: bool = False,
    actor: AbstractBaseUser | None = None,
    fremskridt: Callable[[int, int], None] | None = None,
) -> list[Importresultat]:
    """Import FHIR CodeSystems, supplements and ConceptMaps from files or folders, all or none.

    Folders contribute their `*.json` files. Code systems are imported first, then
    supplements, then ConceptMaps, whatever the order of `stier`. A version older than the
    stored one is refused unless `force`. `fremskridt(done, total)` is called as concepts are
    written. Raise `ValidationError` (nothing written) when any file is unusable.
    """
    start = time.monotonic()
    filer = _filer(stier)
    fejl = Fejlliste()
    kodesystemer: list[CodeSystem] = []
    kort: list[ConceptMap] = []
    for fil in filer:
        ressource = laes(fil, fejl)
        if isinstance(ressource, CodeSystem):
            kodesystemer.append(ressource)
        elif isinstance(ressource, ConceptMap):
            kort.append(ressource)
    fejl.raise_if_any()
    basis = [k for k in kodesystemer if not k.er_supplement]
    supplementer = [k for k in kodesystemer if k.er_supplement]

    with transaction.atomic():
        laas(Navnerum.KLASSIFIKATION_IMPORT, ["klassifikation"])
        plan = Plan(basis=basis, supplementer=supplementer, kort=kort, force=force)
        plan.tjek(fejl)
        fejl.raise_if_any()
        resultater = plan.skriv(fremskridt=fremskridt)

    logger.info(
        "Klassifikation importeret af %s på %.2f s: %s",
        getattr(actor, "pk", None) or "system",
        time.monotonic() - start,
        "; ".join(r.opsummering() for r in resultater),
    )
    return resultater


def _filer(stier: Iterable[Path | str]) -> list[Path]:
    fejl = Fejlliste()
    filer: list[Path] = []
    for sti in map(Path, stier):
        if sti.is_dir():
            fundne = sorted(sti.glob("*.json"))
            if not fundne:
                fejl.add(sti, "", _("mappen indeholder ingen .json-filer."))
            filer.extend(fundne)
        elif sti.is_file():
            filer.append(sti)
        else:
            fejl.add(sti, "", _("filen findes ikke."))
    fejl.raise_if_any()
    if not filer:
        raise ValidationError(_("Ingen filer at importere."), code="ingen_filer")
    # The same file named twice (a folder and one of its files) is read once.
    unikke: dict[Path, Path] = {}
    for fil in filer:
        unikke.setdefault(fil.resolve(), fil)
    return list(unikke.values())
