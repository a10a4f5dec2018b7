"""Forms of the Indsats screens: register, follow up, end, correct.

The forms parse and offer choices; the domain rules live in indsats.services and
indsats.regler, whose Danish messages `vis_servicefejl` puts next to the fields.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from datadeling.core import clock
from indsats.models import Fremdrift

DATO = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
VAELG = ("", _("Vælg …"))
INGEN = ("", _("Ingen"))


def _valg(felt: forms.Field, valg, tom=VAELG) -> None:
    felt.widget.choices = [tom, *valg]
    if isinstance(felt, forms.ChoiceField):
        felt.choices = [tom, *valg]


def klasse_felt(label, *, required: bool = False, help_text="", **kwargs) -> forms.UUIDField:
    """Return a field holding a class id, shown as a <select>; the services check the class."""
    return forms.UUIDField(
        label=label, required=required, help_text=help_text, widget=forms.Select, **kwargs
    )


def vurderet_tidspunkt(dato: datetime.date) -> datetime.datetime:
    """Return the time of an assessment made on `dato`: now for today, else that noon.

    A date in the future stays in the future, so the service refuses it in its own words.
    """
    now = clock.now()
    if dato == timezone.localdate(now):
        return now
    return timezone.make_aware(datetime.datetime.combine(dato, datetime.time(12)))


def vis_servicefejl(
    form: forms.Form, fejl: ValidationError, omdoeb: Mapping[str, str] | None = None
) -> None:
    """Put a service's ValidationError next to the form's fields (unknown keys on top)."""
    omdoeb = omdoeb or {}
    if not hasattr(fejl, "error_dict"):
        form.add_error(None, fejl.messages)
        return
    for felt, beskeder in fejl.message_dict.items():
        felt = omdoeb.get(felt, felt)
        if felt == "maal" and hasattr(form, "maal_fejl"):
            form.maal_fejl.extend(beskeder)
        elif felt in form.fields:
            form.add_error(felt, list(beskeder))
        else:
            form.add_error(None, list(beskeder))


# --- register ------------------------------------------------------------------------------


class TilstandeFelt(forms.TypedMultipleChoiceField):
    """Checkboxes of the citizen's tilstande that the caseworker can see."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("coerce", uuid.UUID)
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "error_messages",
            {"invalid_choice": _("Der kan kun peges på borgerens egne tilstande, som du kan se.")},
        )
        super().__init__(**kwargs)


def tilstand_valg(tilstande) -> list[tuple[str, str]]:
    """Return checkbox choices: the tilstand's title, with its area to tell like ones apart."""
    return [
        (
            str(t.pk),
            f"{t.type.titel} ({t.type.overordnet.titel})" if t.type.overordnet else t.type.titel,
        )
        for t in tilstande
    ]


class MaalForm(forms.Form):
    """One goal: its text and the tilstande it is about."""

    tekst = forms.CharField(label=_("Mål"), required=False, max_length=1000)
    tilstande = TilstandeFelt(label=_("Tilstande målet handler om"))

    def __init__(self, *args, tilstande=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tilstande"].choices = tilstand_valg(tilstande)

    def clean(self):
        data = super().clean()
        if data.get("tilstande") and not data.get("tekst", "").strip():
            self.add_error("tekst", _("Skriv hvad målet er, eller fjern fluebenene."))
        return data

    def som_data(self) -> dict | None:
        """Return the goal as stored on an Indsats, or None when the form was left empty."""
        tekst = self.cleaned_data.get("tekst", "").strip()
        tilstande = [str(t) for t in self.cleaned_data.get("tilstande") or []]
        if not tekst and not tilstande:
            return None
        return {"tekst": tekst, "tilstande": tilstande}


MaalFormSet = forms.formset_factory(MaalForm, extra=1, max_num=20, absolute_max=20)


class IndsatsForm(forms.Form):
    """Register a new intervention for a citizen."""

    type = klasse_felt(
        _("Indsats"), required=True, help_text=_("En ydelse eller et tilbud fra FSIII eller FFB.")
    )
    lovgrundlag = klasse_felt(_("Lovgrundlag"), help_text=_("Paragraffen indsatsen gives efter."))
    bevilgende_enhed = forms.TypedChoiceField(
        label=_("Bevilgende enhed"),
        coerce=uuid.UUID,
        help_text=_("Den enhed, du bevilger indsatsen for. Enheden bliver ansvarlig for den."),
        error_messages={"invalid_choice": _("Vælg en af de enheder, du arbejder i.")},
    )
    leverende_enhed = forms.TypedChoiceField(
        label=_("Leverende enhed"),
        coerce=uuid.UUID,
        empty_value=None,
        required=False,
        help_text=_("Den enhed, der giver borgeren indsatsen."),
    )
    leverandoer = forms.CharField(
        label=_("Anden leverandør"),
        required=False,
        max_length=255,
        help_text=_("Udfyld, hvis leverandøren ikke er en enhed i Datadeling."),
    )
    startdato = forms.DateField(label=_("Startdato"), widget=DATO)
    slutdato = forms.DateField(label=_("Slutdato"), required=False, widget=DATO)
    fremdrift = forms.ChoiceField(label=_("Fremdrift"), choices=Fremdrift.choices)
    formaal = forms.CharField(
        label=_("Formål"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Hvad indsatsen skal føre til for borgeren."),
    )
    tilstande = TilstandeFelt(label=_("Tilstande indsatsen retter sig mod"))
    maalgruppe = klasse_felt(
        _("Målgruppe"),
        help_text=_("Kun for sociale indsatser (FFB): hvem indsatsen er rettet mod."),
    )
    kilde = klasse_felt(_("Kilde"), help_text=_("Hvem oplysningerne stammer fra."))
    metode = klasse_felt(_("Metode"), help_text=_("Hvordan borgerens behov er udredt."))
    vurderet = forms.DateField(label=_("Vurderet"), widget=DATO)
    opfoelgning = forms.DateField(label=_("Næste opfølgning"), required=False, widget=DATO)

    def __init__(self, *args, valg, url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.maal_fejl: list[str] = []
        if url:
            # htmx: choosing an intervention shows or hides the target group (FFB only)
            self.fields["type"].widget.attrs.update(
                {"hx-get": url, "hx-trigger": "change", "hx-target": "#felt-maalgruppe",
                 "hx-swap": "outerHTML", "hx-include": "[name='maalgruppe']"}
            )  # fmt: skip
        self.ffb_typer = valg.typer.ffb
        _valg(self.fields["type"], valg.typer.valg)
        if not valg.typer.valg:
            self.fields["type"].help_text = _(
                "Der er ingen indsatser at vælge: kodesystemernes lister over indsatser (FSIII "
                "og FFB) er ikke indlæst eller er udgået. Kontakt en administrator."
            )
        _valg(self.fields["lovgrundlag"], valg.lovgrundlag)
        _valg(self.fields["bevilgende_enhed"], valg.egne_enheder)
        _valg(self.fields["leverende_enhed"], valg.enheder, INGEN)
        _valg(self.fields["maalgruppe"], valg.maalgruppe, INGEN)
        _valg(self.fields["kilde"], valg.kilde)
        _valg(self.fields["metode"], valg.metode)
        self.fields["tilstande"].choices = tilstand_valg(valg.tilstande)
        self.fields["fremdrift"].choices = [
            c for c in Fremdrift.choices if c[0] != Fremdrift.UOPLYST
        ]
        idag = timezone.localdate()
        self.initial.setdefault("startdato", idag)
        self.initial.setdefault("vurderet", idag)
        self.initial.setdefault("fremdrift", Fremdrift.VISITERET)
        if len(valg.egne_enheder) == 1:
            self.initial.setdefault("bevilgende_enhed", valg.egne_enheder[0][0])

    def vis_maalgruppe(self) -> bool:
        """Return whether the chosen intervention (if any) takes a target group."""
        valgt = self["type"].value()
        return not valgt or str(valgt) in self.ffb_typer

    def service_data(self, *, ansvarlig, maal: list[dict]) -> dict:
        """Return the data for indsats_register; the granting unit becomes responsible."""
        d = self.cleaned_data
        return {
            "type": d["type"],
            "lovgrundlag": d["lovgrundlag"],
            "bevilgende_enhed": d["bevilgende_enhed"],
            "ansvarlig_enhed": d["bevilgende_enhed"],
            "ansvarlig": ansvarlig,
            "leverende_enhed": d["leverende_enhed"],
            "leverandoer": d["leverandoer"].strip(),
            "startdato": d["startdato"],
            "slutdato": d["slutdato"],
            "fremdrift": d["fremdrift"],
            "formaal": d["formaal"].strip(),
            "maal": maal,
            "tilstande": list(d["tilstande"]),
            "maalgruppe": d["maalgruppe"],
            "kilde": d["kilde"],
            "metode": d["metode"],
            "vurderet": vurderet_tidspunkt(d["vurderet"]),
            "opfoelgning": d["opfoelgning"],
        }


def maal_formset(data=None, *, tilstande, tilfoej: bool = False) -> forms.BaseFormSet:
    """Return the goals' formset; `tilfoej` adds one empty goal to the posted ones."""
    if data is not None and tilfoej:
        data = data.copy()
        noegle = "maal-TOTAL_FORMS"
        try:
            antal = int(data.get(noegle, "1"))
        except ValueError:
            antal = 1
        data[noegle] = str(min(antal + 1, 20))
    formset = MaalFormSet(data, prefix="maal", form_kwargs={"tilstande": tilstande})
    if tilfoej and formset.forms:
        formset.forms[-1].fields["tekst"].widget.attrs["autofocus"] = True
    return formset


# --- follow up, end, correct --------------------------------------------------------------


class OpfoelgForm(forms.Form):
    """Record a follow-up of an intervention."""

    prefix = "opfoelg"

    resultat = klasse_felt(
        _("Resultat"),
        required=True,
        error_messages={"required": _("Vælg resultatet af opfølgningen.")},
    )
    naeste_opfoelgning = forms.DateField(label=_("Næste opfølgning"), required=False, widget=DATO)
    fremdrift = forms.ChoiceField(
        label=_("Fremdrift efter opfølgningen"),
        required=False,
        help_text=_("Lad stå på «Vurderet», medmindre indsatsen er et andet sted nu."),
    )
    begrundelse = forms.CharField(
        label=_("Bemærkning"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, valg, **kwargs):
        super().__init__(*args, **kwargs)
        _valg(self.fields["resultat"], valg.resultat)
        self.fields["fremdrift"].choices = [
            c for c in Fremdrift.choices if c[0] != Fremdrift.UOPLYST
        ]
        self.initial.setdefault("fremdrift", Fremdrift.VURDERET)


class AfslutForm(forms.Form):
    """End an intervention."""

    prefix = "afslut"

    slutdato = forms.DateField(label=_("Slutdato"), widget=DATO)
    ophoersgrund = klasse_felt(
        _("Begrundelse for ophør"),
        required=True,
        error_messages={"required": _("Vælg hvorfor indsatsen ophører.")},
    )
    begrundelse = forms.CharField(
        label=_("Bemærkning"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, valg, **kwargs):
        super().__init__(*args, **kwargs)
        _valg(self.fields["ophoersgrund"], valg.ophoersgrund)
        self.initial.setdefault("slutdato", timezone.localdate())


class RetForm(forms.Form):
    """Correct the period of an intervention that was registered wrongly."""

    prefix = "ret"

    startdato = forms.DateField(label=_("Rigtig startdato"), widget=DATO)
    slutdato = forms.DateField(label=_("Rigtig slutdato"), required=False, widget=DATO)
    begrundelse = forms.CharField(
        label=_("Hvorfor rettes perioden?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Skriv hvorfor oplysningen rettes.")},
        help_text=_("Begrundelsen står i indsatsens historik."),
    )
