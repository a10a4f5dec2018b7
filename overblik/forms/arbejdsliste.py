"""The worklist's filter (unit, citizen, kind, order) and the citizen list's filters.

Both travel in the address (GET): they hold uuids and fixed words, never anything typed.
A value that does not parse is dropped, so an old or edited address still shows a page.
"""

from __future__ import annotations

import uuid

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from organisation.selectors import Aktoer
from overblik.selectors import arbejdsliste as a

ART_VALG = (
    ("", _("Alle")),
    (a.FULGTE, _("Borgere jeg følger")),
    (a.OPFOELGNINGER, _("Opfølgninger")),
    (a.SAMTYKKER, _("Samtykker der udløber")),
    (a.ANMODNINGER, _("Anmodninger der venter på svar")),
    (a.SVAR, _("Svar på anmodninger")),
    (a.DIALOG, _("Dialog der venter på mig")),
    (a.BERIGTIGELSER, _("Anmodninger om berigtigelse")),
    (a.GENNEMGANG, _("Lovhjemmel til gennemgang")),
)
SORTER_VALG = (
    (a.DATO, _("Frist, ældste først")),
    (a.DATO_NYESTE, _("Frist, nyeste først")),
    (a.NAVN, _("Borgerens navn")),
)


def enhed_valg(aktoer: Aktoer) -> list[tuple[str, str]]:
    enheder = {f.enhed_id: f.enhed for f in aktoer.funktioner}
    return [("", str(_("Alle mine enheder")))] + [
        (str(pk), e.navn) for pk, e in sorted(enheder.items(), key=lambda x: x[1].navn)
    ]


class ArbejdslisteFilterForm(forms.Form):
    enhed = forms.ChoiceField(label=_("Enhed"), required=False)
    art = forms.ChoiceField(label=_("Vis"), required=False, choices=ART_VALG)
    sorter = forms.ChoiceField(label=_("Sortér efter"), required=False, choices=SORTER_VALG)
    borger = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: QueryDict, *, aktoer: Aktoer, skjul: frozenset[str] = frozenset()):
        super().__init__(data)
        self.fields["enhed"].choices = enhed_valg(aktoer)
        self.fields["art"].choices = [(k, v) for k, v in ART_VALG if k not in skjul]

    def filtre(self) -> a.Filtre:
        """Return the filter, each field that does not parse left at its default."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        enhed = data.get("enhed") or None
        return a.Filtre(
            enhed=uuid.UUID(enhed) if enhed else None,
            borger=data.get("borger"),
            art=data.get("art") or "",
            sorter=data.get("sorter") or a.DATO,
        )


def sider(data: QueryDict) -> dict[str, int | str]:
    """Return each list's page number from the address (`side_<list>`)."""
    return {navn: data[f"side_{navn}"] for navn in a.LISTER if f"side_{navn}" in data}
