"""Forms of the citizen's consent pages: answer a request, narrow, prolong, block, and
choose whom to act for.

They parse only what the citizen ticked or chose; the rules (what may be narrowed, how
long a consent may last, who may act) live in samtykke.services, whose messages
`tilfoej_fejl` puts next to the fields.
"""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from datadeling.core.tekst import dato
from klassifikation.models import Klasse
from organisation.models import Enhed, Relation
from overblik.forms import DatoInput, dagen_efter, idag
from overblik.selectors.samtykke_borger import (
    AnmodningKort,
    LogFilter,
    SamtykkeKort,
    enhed_navn,
    varighed_tekst,
)
from overblik.tiltale import Tiltale

JA, NEJ, VIS = "ja", "nej", "vis"
SKRIV = "skriv"  # only write in the request's conversation, answer later


class Afkrydsninger(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, valg, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(choices=[(str(pk), tekst) for pk, tekst in valg], **kwargs)
        self.initial = [str(pk) for pk, _tekst in valg]


class _Valg:
    """Turns the ticked ids back into the classes and units they name."""

    klasser: dict[str, Klasse]
    enheder: dict[str, Enhed]
    omfatter_sagsindeks: bool = False

    def _saet(self, kategorier: list[Klasse], kilder: list[Enhed]) -> None:
        self.klasser = {str(k.pk): k for k in kategorier}
        self.enheder = {str(e.pk): e for e in kilder}
        self.fields["kategorier"] = Afkrydsninger(
            label=_("Hvilke oplysninger"), valg=[(k.pk, k.titel) for k in kategorier]
        )
        self.fields["kilder"] = Afkrydsninger(
            label=_("Fra hvem"), valg=[(e.pk, enhed_navn(e)) for e in kilder]
        )

    def _saet_sagsindeks(self, *, omfatter: bool, andet: bool, tiltale: Tiltale) -> None:
        """Offer the case overview as a tick of its own, ticked, among the kinds of
        information, when the consent or request includes it and something else would
        remain without it (`andet`): taking away the only thing shared is revoking or
        saying no, which the page says in words."""
        self.omfatter_sagsindeks = omfatter
        if not (omfatter and andet):
            return
        self.fields["sagsindeks"] = forms.BooleanField(
            label=_("Oversigten over %(dine)s sager i andre systemer") % tiltale.ord(),
            required=False,
            initial=True,
        )
        # what the overview shows (_sagsindeks_forklaring.html, next to the tick)
        felt = self["sagsindeks"].auto_id
        if felt:
            self.fields["sagsindeks"].widget.attrs["aria-describedby"] = f"{felt}_forklaring"
        self.order_fields(["kategorier", "sagsindeks", "kilder"])

    @property
    def sagsindeks_valgfri(self) -> bool:
        """Whether the case overview can be unticked on its own."""
        return "sagsindeks" in self.fields

    @property
    def fast_sagsindeks(self) -> bool:
        """Whether the case overview is included but cannot be unticked on its own."""
        return self.omfatter_sagsindeks and not self.sagsindeks_valgfri

    def valgt_sagsindeks(self) -> bool | None:
        """Return whether the case overview stays ticked, or None where it is not offered
        on its own (then it stays as it is)."""
        if not self.sagsindeks_valgfri:
            return None
        return bool(getattr(self, "cleaned_data", {}).get("sagsindeks"))

    # In the order shown, so the consent's text reads as the text the citizen was shown.
    def valgte_kategorier(self) -> list[Klasse]:
        valgt = set(self.cleaned_data.get("kategorier", []))
        return [k for pk, k in self.klasser.items() if pk in valgt]

    def valgte_kilder(self) -> list[Enhed]:
        valgt = set(self.cleaned_data.get("kilder", []))
        return [e for pk, e in self.enheder.items() if pk in valgt]


class SvarForm(_Valg, forms.Form):
    """Answer a request: yes (with everything asked for, or with some ticks removed, the
    case overview among them) or no."""

    svar = forms.ChoiceField(
        choices=[(JA, _("Ja")), (NEJ, _("Nej")), (VIS, _("Vis teksten")), (SKRIV, _("Skriv"))],
        required=False,
    )

    def __init__(self, *args, kort: AnmodningKort, **kwargs):
        super().__init__(*args, **kwargs)
        self._saet(kort.kategorier, kort.kilder)
        self.fields["kategorier"].help_text = _("Fjern fluebenet ved det, du ikke vil dele.")
        self.fields["kilder"].help_text = _(
            "Fjern fluebenet ved de steder, oplysningerne ikke må komme fra."
        )
        a = kort.anmodning
        self._saet_sagsindeks(
            omfatter=a.sagsindeks,
            andet=bool(kort.kategorier) or a.dialog,
            tiltale=kort.tiltale,
        )


class IndskraenkForm(_Valg, forms.Form):
    """Narrow a consent: fewer kinds of information, fewer sources, without the overview of
    the citizen's cases, or an earlier end."""

    dialog = forms.BooleanField(
        label=_("Dialogen om dig"),
        required=False,
        help_text=_(
            "De må tage del i samtaler om dig. Fjern fluebenet, så kan de ikke længere læse "
            "eller skrive i samtalerne. Det, de allerede har skrevet, bliver stående."
        ),
    )
    sidste_dag = forms.DateField(
        label=_("Sidste dag samtykket gælder"),
        required=False,
        widget=DatoInput(),
        help_text=_("Vælg en tidligere dag, hvis samtykket skal stoppe før."),
    )

    def __init__(self, *args, kort: SamtykkeKort, kategorier, kilder, **kwargs):
        super().__init__(*args, **kwargs)
        self.kort = kort
        self._saet(kategorier, kilder)
        self.fields["kategorier"].help_text = _(
            "Fjern fluebenet ved det, der ikke længere må deles."
        )
        self.fields["kilder"].help_text = _(
            "Fjern fluebenet ved de steder, oplysningerne ikke længere må komme fra."
        )
        self._saet_sagsindeks(
            omfatter=kort.samtykke.sagsindeks,
            andet=bool(kategorier) or kort.samtykke.dialog,
            tiltale=kort.tiltale,
        )
        if kort.samtykke.dialog:
            self.fields["dialog"].initial = True
        else:
            del self.fields["dialog"]
        self.fields["sidste_dag"].initial = kort.sidste_dag
        self.fields["sidste_dag"].widget.attrs.update(
            {"min": idag().isoformat(), "max": kort.sidste_dag.isoformat()}
        )

    def clean_sidste_dag(self):
        dag = self.cleaned_data["sidste_dag"]
        if dag is None or dag >= self.kort.sidste_dag:
            return None
        if dag < idag():
            raise forms.ValidationError(_("Vælg i dag eller en senere dag."))
        return dag

    def clean(self):
        data = super().clean()
        s = self.kort.samtykke
        aendringer: dict = {}
        if set(data.get("kategorier", [])) != {str(i) for i in s.kategorier}:
            aendringer["kategorier"] = self.valgte_kategorier()
        if set(data.get("kilder", [])) != {str(i) for i in s.kilder}:
            aendringer["kilder"] = self.valgte_kilder()
        sagsindeks = self.valgt_sagsindeks()
        if sagsindeks is not None and sagsindeks != s.sagsindeks:
            aendringer["sagsindeks"] = sagsindeks
        if "dialog" in self.fields and not data.get("dialog"):
            aendringer["dialog"] = False
        if data.get("sidste_dag"):
            aendringer["gyldig_til"] = min(dagen_efter(data["sidste_dag"]), s.gyldig_til)
        if not aendringer and not self.errors:
            raise forms.ValidationError(
                _("Du har ikke ændret noget. Fjern et flueben eller vælg en tidligere dag.")
            )
        self.aendringer = aendringer
        return data


class ForlaengForm(forms.Form):
    """Prolong a consent or a block: how long from today, within the maximum."""

    varighed = forms.TypedChoiceField(
        label=_("Hvor længe skal det gælde fra i dag?"),
        coerce=int,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, kort: SamtykkeKort, now: datetime.datetime, **kwargs):
        super().__init__(*args, **kwargs)
        maks = settings.SAMTYKKE_MAKS_DAGE
        muligheder = sorted({d for d in (90, 180, 365) if d < maks} | {maks})
        valg = [
            (
                d,
                varighed_tekst(d)
                + (" " + str(_("(det længste, der er muligt)")) if d == maks else ""),
            )
            for d in muligheder
            if now + datetime.timedelta(days=d) > kort.samtykke.gyldig_til
        ]
        self.fields["varighed"].choices = valg
        self.now = now

    @property
    def kan_forlaenges(self) -> bool:
        return bool(self.fields["varighed"].choices)

    def gyldig_til(self) -> datetime.datetime:
        return self.now + datetime.timedelta(days=self.cleaned_data["varighed"])


class BlokerForm(forms.Form):
    """Block a unit that has asked for, or been given, access."""

    enhed = forms.ChoiceField(label=_("Enhed"))
    varighed = forms.TypedChoiceField(label=_("Hvor længe"), coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args, enheder: list[Enhed], **kwargs):
        super().__init__(*args, **kwargs)
        self.enheder = {str(e.pk): e for e in enheder}
        self.fields["enhed"].choices = [("", _("Vælg en enhed"))] + [
            (str(e.pk), enhed_navn(e)) for e in enheder
        ]
        maks = settings.SAMTYKKE_MAKS_DAGE
        self.fields["varighed"].choices = [
            (d, varighed_tekst(d)) for d in sorted({min(365, maks), maks})
        ]
        self.fields["varighed"].initial = maks

    def valgt_enhed(self) -> Enhed:
        return self.enheder[self.cleaned_data["enhed"]]


def relation_tekst(r: Relation) -> str:
    """Return "Else Jensen (fuldmagt, til og med 24. november 2027)" for the chooser."""
    hvad = r.get_type_display().lower()
    if r.gyldig_til is None:
        return f"{r.borger.navn} ({hvad})"
    sidste = dato(r.gyldig_til - datetime.timedelta(days=1))
    return _("%(navn)s (%(hvad)s, til og med %(dag)s)") % {
        "navn": r.borger.navn,
        "hvad": hvad,
        "dag": sidste,
    }


class HandlForForm(forms.Form):
    """Choose whom to act for: oneself, or a citizen one holds a værge or fuldmagt for."""

    borger = forms.ChoiceField(
        label=_("Hvem vil du handle for?"), widget=forms.RadioSelect, required=False
    )

    def __init__(self, *args, navn: str, relationer: list[Relation], valgt: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["borger"].choices = [("", _("Mig selv (%(navn)s)") % {"navn": navn})] + [
            (str(r.borger_id), relation_tekst(r)) for r in relationer
        ]
        self.fields["borger"].error_messages["invalid_choice"] = _(
            "Du kan ikke handle for den person. Det kræver en værge eller en fuldmagt, der "
            "omfatter samtykke, og som gælder i dag."
        )
        self.fields["borger"].initial = valgt


DATO_FEJL = _("Skriv en dato som dag.måned.år, eller vælg den i kalenderen.")


class LogFilterForm(forms.Form):
    """Filter Hvem har set: others' reads or all, by whom, unit and period (GET, so the
    filter lives in the address and the pages and the download keep it)."""

    ANDRE, ALLE = "andre", "alle"

    vis = forms.ChoiceField(
        label=_("Vis"),
        required=False,
        choices=[(ANDRE, _("Kun andres opslag")), (ALLE, _("Alle opslag"))],
        widget=forms.RadioSelect,
        initial=ANDRE,
    )
    hvem = forms.ChoiceField(label=_("Hvem"), required=False)
    enhed = forms.ChoiceField(label=_("Enhed"), required=False)
    fra = forms.DateField(
        label=_("Fra og med"),
        required=False,
        widget=DatoInput(),
        error_messages={
            "invalid": _("Skriv en dato som dag.måned.år, eller vælg den i kalenderen.")
        },
    )
    til = forms.DateField(
        label=_("Til og med"),
        required=False,
        widget=DatoInput(),
        error_messages={
            "invalid": _("Skriv en dato som dag.måned.år, eller vælg den i kalenderen.")
        },
    )

    def __init__(self, *args, navne: list[str], enheder: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hvem"].choices = [("", _("Alle")), *((n, n) for n in navne)]
        self.fields["enhed"].choices = [("", _("Alle enheder")), *((e, e) for e in enheder)]

    def clean(self):
        data = super().clean()
        fra, til = data.get("fra"), data.get("til")
        if fra and til and til < fra:
            self.add_error("til", _("Til-datoen skal ligge efter fra-datoen."))
        return data

    def filter(self) -> LogFilter:
        """Return the filter for the valid fields; a field with an error filters nothing."""
        data = self.cleaned_data if self.is_bound else {}
        return LogFilter(
            andre=data.get("vis", "") != self.ALLE,
            hvem=data.get("hvem", "") or "",
            enhed=data.get("enhed", "") or "",
            fra=data.get("fra"),
            til=data.get("til"),
        )
