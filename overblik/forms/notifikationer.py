"""Forms of following (Følg) and of the notification settings."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from klassifikation import kendte as k
from klassifikation.models import Klasse, Status
from organisation.selectors import Aktoer
from overblik.models import NotifikationIndstillinger


def _omraader():
    """The areas one may follow: the FSIII areas and FFB temaer (the classes of the first
    two levels of their trees) and the intervention kinds."""
    return (
        Klasse.objects.filter(klassifikation__uri__in=[k.FSIII_URI, k.FFB_URI], niveau__lte=1)
        .exclude(status=Status.UDGAAET)
        .order_by("klassifikation__uri", "raekkefoelge")
    )


def _love():
    return (
        Klasse.objects.filter(klassifikation__uri=k.LOVGRUNDLAG_URI)
        .exclude(status=Status.UDGAAET)
        .order_by("raekkefoelge")
    )


class FoelgForm(forms.Form):
    """What a member of staff follows about a citizen: everything, or chosen information."""

    alt = forms.BooleanField(label=_("Alt, jeg må se om borgeren"), required=False)
    klasser = forms.ModelMultipleChoiceField(
        label=_("Områder og typer (FSIII, FFB)"), queryset=Klasse.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    lovgrundlag = forms.ModelMultipleChoiceField(
        label=_("Indsatser efter lovgrundlag"), queryset=Klasse.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    sager = forms.BooleanField(label=_("Sager i sagsindekset"), required=False)
    dialog = forms.BooleanField(label=_("Dialogen om borgeren"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["klasser"].queryset = _omraader()  # type: ignore[attr-defined]
        self.fields["lovgrundlag"].queryset = _love()  # type: ignore[attr-defined]


class IndstillingerForm(forms.ModelForm):
    """A person's notification settings; staff and citizens see the fields that fit them."""

    class Meta:
        model = NotifikationIndstillinger
        fields = ["auto_foelg", "nye_data", "email", "email_minutter"]

    def __init__(self, *args, aktoer: Aktoer, **kwargs):
        super().__init__(*args, **kwargs)
        if aktoer.er_borger:
            del self.fields["auto_foelg"]
        else:
            del self.fields["nye_data"]

    def clean_email_minutter(self) -> int:
        minutter = self.cleaned_data["email_minutter"]
        if minutter is None or minutter < 5:
            raise forms.ValidationError(_("Skriv et tal på mindst 5 minutter."), code="min")
        return minutter
