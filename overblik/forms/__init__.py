"""Forms of the portal screens, and the small helpers they share.

Forms only parse what the user typed; the rules live in the services, whose
ValidationErrors `tilfoej_fejl` puts next to the fields they name.
"""

from __future__ import annotations

import datetime
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from datadeling.core import clock
from organisation.cpr import normalize_cpr, validate_cpr


class DatoInput(forms.DateInput):
    """A native date picker; the value travels as ISO 8601, which every DateField accepts."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class KlasseFelt(forms.ChoiceField):
    """A class chosen from a list that the form narrows to what fits, by its UUID.

    The list shown may be narrower than what is accepted (`gyldige`): whether a class fits
    the datum is the service's rule, so its message, not a generic "invalid choice", is
    what the user sees.
    """

    def __init__(self, *, gyldige=frozenset(), **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.gyldige = gyldige
        self.error_messages["invalid_choice"] = _("Vælg en af mulighederne på listen.")

    def valid_value(self, value) -> bool:
        try:
            return uuid.UUID(str(value)) in self.gyldige
        except ValueError:
            return False

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return uuid.UUID(value)
        except ValueError:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None

    def validate(self, value) -> None:
        if value is None:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return
        if not self.valid_value(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")

    def has_changed(self, initial, data) -> bool:
        return str(initial or "") != str(data or "")


def tilfoej_fejl(form: forms.Form, fejl: ValidationError) -> None:
    """Put a service's ValidationError next to the form's fields it names (or on top)."""
    if not hasattr(fejl, "error_dict"):
        form.add_error(None, fejl)
        return
    for felt, beskeder in fejl.message_dict.items():
        form.add_error(felt if felt in form.fields else None, beskeder)


def tidspunkt(
    dato: datetime.date, *, tidligst: datetime.datetime | None = None
) -> datetime.datetime:
    """Return the moment a date in a form stands for.

    Today means now (so a change made today is in force at once); another day means that
    day's start in local time. When `tidligst` (e.g. when a condition began) falls on the
    same day, that moment is used instead of the day's start, so "from the day it began"
    is accepted.
    """
    nu = clock.now()
    if dato == timezone.localdate(nu):
        t = nu
    else:
        t = timezone.make_aware(datetime.datetime.combine(dato, datetime.time.min))
    if tidligst is not None and timezone.localdate(tidligst) == dato and t < tidligst:
        t = tidligst
    return t


def dagen_efter(dato: datetime.date) -> datetime.datetime:
    """Return the start of the day after `dato`: the end of a period "to and including" it."""
    return timezone.make_aware(
        datetime.datetime.combine(dato + datetime.timedelta(days=1), datetime.time.min)
    )


def idag() -> datetime.date:
    return timezone.localdate(clock.now())


class UdenVaerdi(forms.TextInput):
    """A text box that never writes its value back into the page (for CPR numbers)."""

    def format_value(self, value):
        return None


class CprFindForm(forms.Form):
    """Find a citizen by CPR number. Sent by POST only: a CPR number never goes in a URL."""

    cpr = forms.CharField(
        label=_("CPR-nummer"),
        max_length=20,
        help_text=_("10 cifre, med eller uden bindestreg."),
        widget=UdenVaerdi(
            attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def clean_cpr(self) -> str:
        cpr = normalize_cpr(self.cleaned_data["cpr"])
        validate_cpr(cpr)
        return cpr
