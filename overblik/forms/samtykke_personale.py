"""Forms of the caseworker's consent screens: ask for consent, register consent given on
paper or in a meeting (assisted), access on a legal basis, and a leader's review.

The forms parse and offer only what fits (the categories and the overview of the citizen's
cases elsewhere, the authorities holding hidden data, the person's own units, the legal bases of
the Adgangshjemmel code system); the rules live in samtykke.services, whose messages are put
next to the fields.
"""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from klassifikation.models import Klasse
from organisation.models import Enhed
from overblik.forms import DatoInput, idag, tidspunkt
from overblik.selectors.samtykke_personale import Adgang, kategori_titel
from samtykke.models import Gennemgang


def _enhed_navn(e: Enhed) -> str:
    return f"{e.navn}, {e.myndighed.navn}"


class _Valg(forms.Form):
    """Shared by the request and the assisted consent: what, from where, why, how long."""

    kategorier = forms.MultipleChoiceField(
        label=_("Hvilke oplysninger"),
        widget=forms.CheckboxSelectMultiple,
        required=False,  # the case overview alone is enough (clean)
        help_text=_("Vælg kun det, I har brug for. Et samtykke omfatter hele området."),
    )
    sagsindeks = forms.BooleanField(
        label=_("Oversigten over borgerens sager i andre systemer (sagsindeks)"),
        required=False,
        help_text=_(
            "Kun sagernes stamdata fra de valgte enheder: titel, KLE-nummer, enhed, status, "
            "sagsbehandler og datoer – aldrig hvad der står i sagerne."
        ),
    )
    dialog = forms.BooleanField(
        label=_("Dialogen om borgeren"),
        required=False,
        help_text=_(
            "Enheden må tage del i samtaler om borgeren i Datadeling – med borgeren og med "
            "andre fagpersoner."
        ),
    )
    kilder = forms.MultipleChoiceField(
        label=_("Fra hvilke myndigheder"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "De myndigheder, der har oplysninger om borgeren, som du ikke kan se. Borgeren "
            "ser præcis hvilke enheder, når de svarer."
        ),
        error_messages={"required": _("Vælg hvilke myndigheder oplysningerne skal komme fra.")},
    )
    formaal = forms.CharField(
        label=_("Formål"),
        max_length=500,
        help_text=_(
            "Hvad skal oplysningerne bruges til? Fx „Koordinere hjemmepleje og psykiatrisk "
            "behandling“."
        ),
        error_messages={"required": _("Skriv formålet.")},
    )
    varighed_dage = forms.IntegerField(
        label=_("Varighed i dage"),
        min_value=1,
        max_value=settings.SAMTYKKE_MAKS_DAGE,
        initial=365,
        help_text=_("Højst %(d)d dage.") % {"d": settings.SAMTYKKE_MAKS_DAGE},
        error_messages={
            "required": _("Skriv hvor mange dage samtykket skal gælde."),
            "min_value": _("Varigheden skal være mindst 1 dag."),
            "max_value": _("Et samtykke kan højst gælde %(d)d dage.")
            % {"d": settings.SAMTYKKE_MAKS_DAGE},
        },
    )
    enhed = forms.ChoiceField(
        label=_("Til enhed"),
        help_text=_("Den af dine enheder, der skal have adgang."),
        error_messages={"invalid_choice": _("Vælg en af dine egne enheder.")},
    )

    def __init__(self, *args, adgang: Adgang, **kwargs):
        super().__init__(*args, **kwargs)
        self.adgang = adgang
        self.klasser: dict[str, Klasse] = {
            str(x.pk): x for _navn, gruppe in adgang.kategori_grupper for x in gruppe
        }
        self.fields["kategorier"].choices = [
            (navn, [(str(x.pk), kategori_titel(x)) for x in gruppe])
            for navn, gruppe in adgang.kategori_grupper
        ]
        # Sources are chosen as authorities: privacy by default (samtykke.policy.skjult).
        self.myndigheder = {str(m.pk): m for m in adgang.kilde_valg}
        self.fields["kilder"].choices = [(pk, m.navn) for pk, m in self.myndigheder.items()]
        skjulte = {str(m.pk) for m in adgang.skjult}
        self.fields["kilder"].initial = [pk for pk in self.myndigheder if pk in skjulte]
        self.egne = {str(e.pk): e for e in adgang.enheder}
        self.fields["enhed"].choices = [(pk, _enhed_navn(e)) for pk, e in self.egne.items()]
        self.fields["kategorier"].error_messages["invalid_choice"] = _(
            "Vælg oplysningerne fra listen."
        )
        self.fields["kilder"].error_messages["invalid_choice"] = _(
            "Vælg myndighederne fra listen. Måske kan du allerede se oplysningerne."
        )

    def clean(self):
        c = super().clean()
        if self.adgang.blokeret:
            # Said before anything else: a blocked unit is offered no sources to choose.
            raise ValidationError(
                _("Borgeren har frabedt sig deling med din enhed. Du kan ikke bede om samtykke."),
                code="blokeret",
            )
        if (
            "kategorier" in c
            and not c["kategorier"]
            and not c.get("sagsindeks")
            and not c.get("dialog")
        ):
            self.add_error(
                "kategorier",
                ValidationError(
                    _("Vælg hvilke oplysninger — eller oversigten over sagerne eller dialogen."),
                    code="intet_valgt",
                ),
            )
        return c

    def kategori_grupper(self) -> list[tuple[str, list]]:
        """Return the category checkboxes in their groups (for the template)."""
        widgets = list(self["kategorier"])
        grupper, i = [], 0
        for navn, gruppe in self.adgang.kategori_grupper:
            grupper.append((navn, widgets[i : i + len(gruppe)]))
            i += len(gruppe)
        return grupper

    def valgte(self) -> dict:
        """Return the chosen classes, whether the case overview, the sources (the units of
        the chosen authorities, samtykke.policy.skjult) and own unit, for the service."""
        c = self.cleaned_data
        return {
            "kategorier": [self.klasser[pk] for pk in c["kategorier"]],
            "sagsindeks": c["sagsindeks"],
            "dialog": c["dialog"],
            "kilder": self.adgang.kilder_for(self.myndigheder[pk].pk for pk in c["kilder"]),
            "enhed": self.egne[c["enhed"]],
        }


class AnmodningForm(_Valg):
    """Ask the citizen for consent on behalf of one of the caseworker's units."""

    begrundelse = forms.CharField(
        label=_("Hvorfor – skrevet til borgeren"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_(
            "Borgeren læser teksten, når de svarer. Skriv kort og i et almindeligt sprog, hvad "
            "I vil bruge oplysningerne til, og hvad det betyder for dem."
        ),
        error_messages={"required": _("Forklar borgeren, hvorfor I beder om oplysningerne.")},
    )

    besked = forms.CharField(
        label=_("Skriv også en besked til borgeren"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Starter en samtale med borgeren om anmodningen. Borgeren kan svare på anmodningen "
            "og skrive tilbage på samme side."
        ),
    )

    field_order = [
        "kategorier", "sagsindeks", "dialog", "kilder", "formaal", "begrundelse",
        "varighed_dage", "enhed", "besked",
    ]  # fmt: skip


class AssisteretForm(_Valg):
    """Register consent the citizen gave on paper or in a meeting, with a witness."""

    vidne = forms.CharField(
        label=_("Vidne"),
        max_length=255,
        help_text=_(
            "Navn og rolle på den, der var til stede, da borgeren gav samtykke, "
            "fx „Lone Holm, socialrådgiver“."
        ),
        error_messages={
            "required": _("Et samtykke givet på papir eller i et møde skal have et vidne.")
        },
    )
    givet = forms.DateField(
        label=_("Dato for samtykket"),
        widget=DatoInput(),
        help_text=_("Den dag borgeren skrev under eller sagde ja i mødet."),
        error_messages={
            "required": _("Skriv datoen for samtykket."),
            "invalid": _("Skriv en dato."),
        },
    )

    field_order = [
        "kategorier", "sagsindeks", "kilder", "formaal", "givet", "varighed_dage", "vidne",
        "enhed",
    ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["givet"].initial = idag()

    def clean_givet(self) -> datetime.date:
        givet = self.cleaned_data["givet"]
        if givet > idag():
            raise ValidationError(_("Datoen kan ikke ligge i fremtiden."), code="fremtid")
        return givet

    def clean(self):
        c = super().clean()
        if c.get("givet") and c.get("varighed_dage"):
            fra = tidspunkt(c["givet"])
            til = fra + datetime.timedelta(days=c["varighed_dage"])
            if til <= tidspunkt(idag()):
                raise ValidationError(
                    _("Med den dato og varighed er samtykket allerede udløbet."), code="udloebet"
                )
            c["gyldig_fra"], c["gyldig_til"] = fra, til
        return c


class LovgrundlagValg(forms.RadioSelect):
    """Radio buttons that carry each legal basis's definition (the template shows it)."""

    def __init__(self, *args, definitioner: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.definitioner = definitioner or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["definition"] = self.definitioner.get(str(value), "")
        return option


class HjemmelForm(forms.Form):
    """Access to the citizen on a legal basis, for a short time, with a justification."""

    lovgrundlag = forms.ChoiceField(
        label=_("Lovgrundlag"),
        help_text=_("Den bestemmelse, der giver dig ret til oplysningerne uden samtykke."),
        error_messages={
            "required": _("Vælg lovgrundlaget fra listen."),
            "invalid_choice": _("Vælg lovgrundlaget fra listen."),
        },
    )
    begrundelse = forms.CharField(
        label=_("Begrundelse"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("Borgeren kan læse begrundelsen. Din leder gennemgår adgangen bagefter."),
        error_messages={"required": _("Skriv en begrundelse; borgeren kan læse den.")},
    )
    dage = forms.IntegerField(
        label=_("Varighed i dage"),
        min_value=1,
        max_value=settings.HJEMMEL_MAKS_DAGE,
        initial=1,
        help_text=_("Fra 1 til %(d)d dage. Vælg så kort tid som muligt.")
        % {"d": settings.HJEMMEL_MAKS_DAGE},
        error_messages={
            "required": _("Skriv hvor mange dage adgangen skal gælde."),
            "min_value": _("Adgangen skal gælde mindst 1 dag."),
            "max_value": _("Adgangen kan højst gives for %(d)d dage.")
            % {"d": settings.HJEMMEL_MAKS_DAGE},
        },
    )
    enhed = forms.ChoiceField(
        label=_("Som medarbejder i"),
        error_messages={"invalid_choice": _("Vælg en af dine egne enheder.")},
    )

    def __init__(self, *args, adgang: Adgang, **kwargs):
        super().__init__(*args, **kwargs)
        self.klasser = {str(x.pk): x for x in adgang.hjemmel_valg}
        self.fields["lovgrundlag"].choices = [(pk, x.titel) for pk, x in self.klasser.items()]
        self.fields["lovgrundlag"].widget = LovgrundlagValg(
            choices=self.fields["lovgrundlag"].choices,
            definitioner={pk: x.definition for pk, x in self.klasser.items()},
        )
        self.egne = {str(e.pk): e for e in adgang.enheder}
        self.fields["enhed"].choices = [(pk, _enhed_navn(e)) for pk, e in self.egne.items()]

    def valgte(self) -> dict:
        c = self.cleaned_data
        return {
            "lovgrundlag": self.klasser[c["lovgrundlag"]],
            "enhed": self.egne[c["enhed"]],
            "begrundelse": c["begrundelse"],
            "dage": c["dage"],
        }


class GennemgangForm(forms.Form):
    """A leader approves a legal-basis access or marks it for follow-up (with a comment)."""

    resultat = forms.ChoiceField(
        choices=Gennemgang.choices,
        error_messages={"required": _("Vælg godkend eller markér til opfølgning.")},
    )
    kommentar = forms.CharField(
        label=_("Kommentar"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Skal udfyldes, hvis adgangen markeres til opfølgning."),
    )


# The forms on the citizen's page share it, so each has a prefix of its own (unique ids).
ANMOD, PAPIR, HJEMMEL = "anmod", "papir", "hjemmel"


def mulige(adgang: Adgang) -> set[str]:
    """Return which of the forms make sense for the citizen now."""
    navne = set()
    if adgang.kan_anmode:
        navne.add(ANMOD)
    if adgang.kan_registrere_samtykke:
        navne.add(PAPIR)
    if adgang.hjemmel_mulig and adgang.hjemmel_valg:
        navne.add(HJEMMEL)
    return navne


KLASSER = {ANMOD: AnmodningForm, PAPIR: AssisteretForm, HJEMMEL: HjemmelForm}


def formularer(adgang: Adgang) -> dict:
    """Return the citizen page's blank forms for what the person can do now."""
    return {
        navn: KLASSER[navn](adgang=adgang, prefix=navn)
        for navn in (ANMOD, PAPIR, HJEMMEL)
        if navn in mulige(adgang)
    }
