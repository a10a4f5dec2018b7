"""The hooks that run after citizen data changed, in one explicit, fixed order.

A lower app that writes citizen data (tilstand and indsats through `historik`, the case
index) calls `data_aendret(sender=<model>, aendringer=[...])` inside the writing
transaction, after the new registrations are stored. `aendringer` is a list of
`datadeling.core.historik.Aendring` (`objekt`, the current-state object as it stands after
the registration, e.g. a Tilstand; `registrering`; `livscykluskode`), all of the sender's
model, in the order they were made: one change from a screen is a list of one, a MOX
chunk passes all its changes of a type at once, so a hook can act on them together.

Higher apps register a function for a stage (`Trin`) in their AppConfig.ready. The hooks
run stage by stage in the order declared here, never in the order of registration or of
INSTALLED_APPS:

1. TILDELING (samtykke): the grant rows of the new state, so that
2. UDBAKKE (mox) decides on those who may hear of a change when it writes the outbound
   notifications;
3. NOTIFIKATION: notifications to staff and citizens (no hook yet). Correction requests
   (samtykke.berigtigelse.services) call `data_aendret(sender=Berigtigelse, ...)` with
   changes whose `livscykluskode` is a `BerigtigelseHaendelse` (indsendt, rettet, afvist,
   bemaerkning): a notification hook registers for that sender.

Within a stage, hooks run in the order they were registered (they must not depend on
each other). A hook that must act only after the commit (a task, a message) uses
`transaction.on_commit` itself; one that must act atomically with the write (a grant)
acts directly. An exception in a hook propagates: the write is rolled back with it.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any


class Trin(enum.Enum):
    """The stages after a change, in the order they run (the order of declaration)."""

    TILDELING = "tildeling"
    UDBAKKE = "udbakke"
    NOTIFIKATION = "notifikation"


# hook(sender=<model>, aendringer=[Aendring, ...])
Krog = Callable[..., None]


@dataclass(frozen=True)
class _Registrering:
    krog: Krog
    sendere: tuple[type, ...] | None  # None: every sender


class Kroge:
    """The registered hooks by stage; `kald` runs them in the order of `Trin`."""

    def __init__(self) -> None:
        self._trin: dict[Trin, list[_Registrering]] = {trin: [] for trin in Trin}

    def registrer(self, trin: Trin, krog: Krog, *, sendere: Iterable[type] | None = None) -> None:
        """Register `krog` for `trin`, for changes of the models in `sendere` (default:
        all). Registering the same function for the same stage again replaces it."""
        self.afregistrer(trin, krog)
        self._trin[trin].append(
            _Registrering(krog, tuple(sendere) if sendere is not None else None)
        )

    def afregistrer(self, trin: Trin, krog: Krog) -> None:
        """Remove `krog` from `trin` (nothing if it is not registered there)."""
        self._trin[trin] = [r for r in self._trin[trin] if r.krog != krog]

    def kald(self, *, sender: type, aendringer: Sequence[Any]) -> None:
        """Run the hooks for changes of `sender`, stage by stage in the order of `Trin`."""
        for trin in Trin:
            for r in list(self._trin[trin]):
                if r.sendere is None or sender in r.sendere:
                    r.krog(sender=sender, aendringer=aendringer)


KROGE = Kroge()
"""The hooks of the running project (registered by the apps when they are ready)."""


def registrer(trin: Trin, krog: Krog, *, sendere: Iterable[type] | None = None) -> None:
    """Register `krog` for `trin` in the project's hooks (see `Kroge.registrer`)."""
    KROGE.registrer(trin, krog, sendere=sendere)


def afregistrer(trin: Trin, krog: Krog) -> None:
    """Remove `krog` from `trin` in the project's hooks."""
    KROGE.afregistrer(trin, krog)


def data_aendret(*, sender: type, aendringer: Sequence[Any]) -> None:
    """Tell the higher apps that citizen data of `sender` changed: run the hooks, in the
    writing transaction, stage by stage (see the module's docstring)."""
    KROGE.kald(sender=sender, aendringer=aendringer)
