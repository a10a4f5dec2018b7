"""How the citizen's screens name the person whose data they show (tiltale: form of address).

A citizen reads "Mine data", "din situation", "Oplyst af dig selv". A værge or fuldmægtig
acting for Karen Hansen reads the same pages about her: "Karen Hansens data", "Karen
Hansens situation", "Oplyst af Karen Hansen selv". The reader is always "du"; only the
person the data is about changes. Every citizen template and every text the citizen's
selectors build take their pronouns from one `Tiltale`, so no page patches its own strings:

    {{ tiltale.mine|capfirst }} data          Mine data        | Karen Hansens data
    {{ tiltale.din }} situation               din situation    | Karen Hansens situation
    Oplyst af {{ tiltale.dig }} selv          dig selv         | Karen Hansen selv
    {{ tiltale.du|capfirst }} klarer det      Du klarer det    | Karen Hansen klarer det

`tiltale` is in every template's context (a context processor), and `Hvem.tiltale` gives
it to views and selectors.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


def ejefald(navn: str) -> str:
    """Return a name in the Danish genitive: "Karens", "Jonas'", "Felix'"."""
    navn = navn.strip()
    if navn[-1:].lower() in {"s", "x", "z"}:
        return navn + "'"
    return navn + "s"


@dataclass(frozen=True)
class Tiltale:
    """The words for the person whose data a citizen page shows: the reader self (`navn`
    None) or the citizen they act for (`navn` that citizen's name)."""

    navn: str | None = None

    @property
    def for_andre(self) -> bool:
        return self.navn is not None

    def _ord(self, egen: str) -> str:
        return egen if self.navn is None else self.navn

    def _eje(self, egen: str) -> str:
        return egen if self.navn is None else ejefald(self.navn)

    # the reader's own voice (menus, page titles): "Mine data", "Hvem har set mine data"
    @property
    def mine(self) -> str:
        return self._eje(_("mine"))

    @property
    def min(self) -> str:
        return self._eje(_("min"))

    @property
    def mit(self) -> str:
        return self._eje(_("mit"))

    # the pages speaking to the reader: "din situation", "Oplyst af dig"
    @property
    def du(self) -> str:
        return self._ord(_("du"))

    @property
    def dig(self) -> str:
        return self._ord(_("dig"))

    @property
    def din(self) -> str:
        return self._eje(_("din"))

    @property
    def dit(self) -> str:
        return self._eje(_("dit"))

    @property
    def dine(self) -> str:
        return self._eje(_("dine"))

    # the names of the citizen's pages, the same in the menu, titles and breadcrumbs
    @property
    def mine_data(self) -> str:
        return _("%(Mine)s data") % self.ord()

    @property
    def mine_samtykker(self) -> str:
        return _("%(Mine)s samtykker") % self.ord()

    @property
    def hvem_har_set(self) -> str:
        return _("Hvem har set %(mine)s data") % self.ord()

    def ord(self) -> dict[str, str]:
        """Return every word for %-formatting, also capitalised: "%(Du)s klarer det"."""
        ord_ = {n: getattr(self, n) for n in ORD}
        return ord_ | {n.capitalize(): v[:1].upper() + v[1:] for n, v in ord_.items()}

    def __str__(self) -> str:
        return self.navn or _("dig")


ORD = ("mine", "min", "mit", "du", "dig", "din", "dit", "dine")
SELV = Tiltale()  # the citizen reading their own data
