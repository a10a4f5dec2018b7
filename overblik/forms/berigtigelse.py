"""Forms for correction requests and the citizen's own words (Danish, plain language)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

MAKS = 4000


def _tekst(label, help_text="", *, required=True) -> forms.CharField:
    return forms.CharField(
        label=label, help_text=help_text, required=required, max_length=MAKS,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Skriv noget her."),
            "max_length": _("Skriv højst %(limit_value)d tegn (du har skrevet %(show_value)d)."),
        },
    )  # fmt: skip


class AnmodForm(forms.Form):
    hvad_er_forkert = _tekst(
        _("Hvad er forkert?"), _("Skriv med dine egne ord, hvad der ikke passer.")
    )
    hvad_er_rigtigt = _tekst(
        _("Hvad mener du er rigtigt?"),
        _("Skriv, hvad der efter din mening burde stå. Du må gerne springe over."),
        required=False,
    )


class AfvisForm(forms.Form):
    begrundelse = _tekst(
        _("Hvorfor rettes oplysningen ikke?"),
        _("Borgeren læser det, du skriver. Skriv kort og i et sprog, borgeren forstår."),
    )


class BemaerkningForm(forms.Form):
    tekst = _tekst(
        _("Din bemærkning"),
        _("Den bliver vist ved siden af oplysningen for alle, der kan se den."),
    )


class StemmeForm(forms.Form):
    betydning = _tekst(_("Hvad betyder målet for dig?"), required=False)
    forloeb = _tekst(_("Hvordan går det?"), required=False)

    def clean(self):
        data = super().clean()
        if not (data.get("betydning", "").strip() or data.get("forloeb", "").strip()):
            raise forms.ValidationError(
                _("Skriv, hvad målet betyder for dig, eller hvordan det går.")
            )
        return data
