"""The object types whose changes are told to subscribing systems, by objekttype.

What a system acting for a unit may be told is decided by the access policy alone
(samtykke.policy.enheders_grundlag: the units rule for tilstand and indsats, the case
rule for units for a sag); mox asks it and decides nothing itself.
"""

from __future__ import annotations

from typing import Any

from indsats.models import Indsats
from sagsindeks.models import Sag
from tilstand.models import Tilstand

MODELLER: dict[str, Any] = {"tilstand": Tilstand, "indsats": Indsats, "sag": Sag}
"""The models whose changes are told, by objekttype (the ones that send data_aendret)."""

OBJEKTTYPER: dict[Any, str] = {model: navn for navn, model in MODELLER.items()}
