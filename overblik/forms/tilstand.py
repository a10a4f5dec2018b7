"""Forms of the Tilstand screens: register, reassess, correct a period, end, remove.

The forms offer the choices that fit the chosen condition and parse dates into moments;
whether the data is right is decided by tilstand.services (tilstand/regler.py), whose
Danish messages the views put next to the fields.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klassifikation import kendte as k
from klassifikation.models import Klasse
from organisation.selectors import Aktoer
from overblik.forms import DatoInput, KlasseFelt, dagen_efter, idag, tidspunkt
from overblik.selectors.tilstand import Klassevalg, etiket
from tilstand.models import Tilstand, TilstandStatus

# The coded fields whose list depends on the condition chosen.
SKALAFELTER = ("niveau", "stoettebehov", "forventet_niveau", "maaltype", "udfoerelse", "betydning")
# The versioned fields these forms edit (besides the coded ones).
TEKSTFELTER = ("borgerens_vurdering", "faglig_note")

INGEN = ("", _("Ikke angivet"))
VAELG = ("", _("Vælg …"))


@dataclass(frozen=True)
class Skalaer:
    """Which scale or list each coded field of a condition takes its value from (None: none)."""

    niveau: uuid.UUID | None
    stoettebehov: uuid.UUID | None
    udfoerelse: uuid.UUID | None
    betydning: uuid.UUID | None
    maaltype: uuid.UUID | None

    @property
    def forventet_niveau(self) -> uuid.UUID | None:
        return self.niveau


def skalaer_for(type_: Klasse) -> Skalaer:
    """Return the scales that apply to a condition, by the rules of tilstand/regler.py.

    FSIII's functional-ability conditions have the 0–4 scale; in FFB only "Aktivitet og
    deltagelse" has a level and a support need; the citizen's own view (udførelse,
    betydning) belongs to FSIII; the goal type comes from the condition's own system.
    """
    ffb = k.under(type_, k.FFB_TILSTANDE)
    fsiii = k.under(type_, *k.FSIII_TILSTANDE)
    aktivitet = ffb and k.under(type_, k.FFB_AKTIVITET_OG_DELTAGELSE)
    if fsiii and k.under(type_, *k.FSIII_FUNKTIONSEVNETILSTANDE):
        niveau = k.FSIII_FUNKTIONSEVNE_SKALA
    elif aktivitet:
        niveau = k.FFB_FUNKTIONSEVNENIVEAU
    else:
        niveau = None
    return Skalaer(
        niveau=niveau,
        stoettebehov=k.FFB_STOETTEBEHOVSNIVEAU if aktivitet else None,
        udfoerelse=k.FSIII_UDFOERELSE if fsiii else None,
        betydning=k.FSIII_BETYDNING if fsiii else None,
        maaltype=k.FFB_MAALTYPE if ffb else (k.FSIII_MAALTYPE if fsiii else None),
    )


# With no condition chosen yet, a coded field offers every list it can take, by system.
ALLE_SKALAER = {
    "niveau": (("FSIII", k.FSIII_FUNKTIONSEVNE_SKALA), ("FFB", k.FFB_FUNKTIONSEVNENIVEAU)),
    "forventet_niveau": (
        ("FSIII", k.FSIII_FUNKTIONSEVNE_SKALA),
        ("FFB", k.FFB_FUNKTIONSEVNENIVEAU),
    ),
    "stoettebehov": (("FFB", k.FFB_STOETTEBEHOVSNIVEAU),),
    "udfoerelse": (("FSIII", k.FSIII_UDFOERELSE),),
    "betydning": (("FSIII", k.FSIII_BETYDNING),),
    "maaltype": (("FSIII", k.FSIII_MAALTYPE), ("FFB", k.FFB_MAALTYPE)),
}


def _tekst(label, help_text="") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _dato(label, *, required: bool = True, help_text="") -> forms.DateField:
    return forms.DateField(label=label, required=required, help_text=help_text, widget=DatoInput)


class TilstandDataForm(forms.Form):
    """The fields of a condition a caseworker assesses: levels, the citizen's view, source."""

    niveau = KlasseFelt(label=_("Funktionsevneniveau"))
    stoettebehov = KlasseFelt(
        label=_("Støttebehov"), help_text=_("Hvor meget støtte borgeren har brug for (FFB).")
    )
    forventet_niveau = KlasseFelt(
        label=_("Forventet niveau"), help_text=_("Det niveau, I forventer borgeren når.")
    )
    maaltype = KlasseFelt(label=_("Måltype"))
    udfoerelse = KlasseFelt(
        label=_("Borgerens udførelse"),
        help_text=_("Borgerens egen vurdering af, hvordan aktiviteten udføres."),
    )
    betydning = KlasseFelt(
        label=_("Betydning for borgeren"),
        help_text=_("Om borgeren selv oplever begrænsninger."),
    )
    borgerens_vurdering = _tekst(
        _("Borgerens egne ord"), _("Hvad borgeren selv siger om tilstanden.")
    )
    faglig_note = _tekst(_("Faglig vurdering"))
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (TilstandStatus.AKTIV, TilstandStatus.AKTIV.label),
            (TilstandStatus.POTENTIEL, TilstandStatus.POTENTIEL.label),
            (TilstandStatus.INAKTIV, TilstandStatus.INAKTIV.label),
        ],
        initial=TilstandStatus.AKTIV,
    )
    kilde = KlasseFelt(label=_("Kilde"), help_text=_("Hvem oplysningen stammer fra."))
    metode = KlasseFelt(
        label=_("Metode"), help_text=_("Den udredning eller samtale, vurderingen bygger på.")
    )
    vurderet = _dato(_("Vurderet"), help_text=_("Hvornår tilstanden sidst blev vurderet."))
    opfoelgning = _dato(_("Planlagt opfølgning"), required=False)

    def __init__(
        self,
        *args,
        valg: Klassevalg,
        type_: Klasse | None,
        tilstand: Tilstand | None = None,
        system: str | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.valg, self.type_ = valg, type_
        skalaer = skalaer_for(type_) if type_ is not None else None
        kendte = frozenset(valg.klasser)
        for navn in SKALAFELTER:
            felt = self.fields[navn]
            felt.gyldige = kendte
            if skalaer is None:
                # no condition yet: every list the field can take, or the chosen system's
                grupper = [
                    (sys, valg.skala(rod))
                    for sys, rod in ALLE_SKALAER[navn]
                    if system is None or sys == system
                ]
                if len(grupper) > 1:
                    felt.choices = [INGEN, *grupper]
                else:
                    felt.choices = [INGEN, *(grupper[0][1] if grupper else [])]
                felt.gaelder = bool(grupper)
            else:
                rod = getattr(skalaer, navn)
                felt.choices = [INGEN, *(valg.skala(rod) if rod else [])]
                felt.gaelder = rod is not None
        for navn, rod in (("kilde", k.CSC_KILDE), ("metode", k.CSC_OPLYSNINGSAKTIVITET)):
            self.fields[navn].choices = [INGEN, *valg.skala(rod)]
            self.fields[navn].gyldige = kendte
            self.fields[navn].gaelder = True
        if tilstand is not None:
            self._behold_udgaaede(tilstand)
        if skalaer is not None and skalaer.niveau == k.FFB_FUNKTIONSEVNENIVEAU:
            self.fields["niveau"].help_text = _("FFB's funktionsevneniveau.")
        elif skalaer is not None and skalaer.niveau == k.FSIII_FUNKTIONSEVNE_SKALA:
            self.fields["niveau"].help_text = _("FSIII's skala fra 0 (ingen) til 4 (totale).")

    def _behold_udgaaede(self, tilstand: Tilstand) -> None:
        """Keep a condition's current class in its list even when the class has been retired,
        so a form sent back unchanged does not clear the field."""
        for navn in (*SKALAFELTER, "kilde", "metode"):
            felt, pk = self.fields.get(navn), getattr(tilstand, f"{navn}_id")
            if felt is None or pk is None or pk in felt.gyldige:
                continue
            felt.gyldige = felt.gyldige | {pk}
            udgaaet = _("%(klasse)s (udgået)") % {"klasse": etiket(getattr(tilstand, navn))}
            felt.choices = [*felt.choices, (str(pk), udgaaet)]
            felt.gaelder = True

    def synlige(self, *navne: str) -> list[forms.BoundField]:
        """Return the named fields that apply to the condition, or that hold a value."""
        ud = []
        for navn in navne:
            if navn not in self.fields:
                continue
            bf = self[navn]
            if getattr(bf.field, "gaelder", True) or bf.value() or bf.errors:
                ud.append(bf)
        return ud

    @property
    def skalafelter(self) -> list[forms.BoundField]:
        return self.synlige(*SKALAFELTER)

    def versionsdata(self, navne=None) -> dict[str, Any]:
        """Return the cleaned values of the versioned fields, as the services take them."""
        navne = navne or (*SKALAFELTER, *TEKSTFELTER, "status", "kilde", "metode", "opfoelgning")
        return {n: self.cleaned_data.get(n) for n in navne if n in self.cleaned_data}


def _enheder(aktoer: Aktoer) -> list[tuple[str, str]]:
    set_: dict[str, str] = {}
    for f in aktoer.funktioner:
        set_.setdefault(str(f.enhed_id), f"{f.enhed.navn} ({f.enhed.myndighed.navn})")
    return list(set_.items())


class TilstandNyForm(TilstandDataForm):
    """Register a new condition for a citizen."""

    kodesystem = forms.ChoiceField(
        label=_("Kodesystem"),
        required=False,
        help_text=_("Vælg FSIII- eller FFB-delen for at se dens tilstande."),
    )
    type = KlasseFelt(
        label=_("Tilstand"),
        required=True,
        error_messages={"required": _("Vælg hvilken tilstand det drejer sig om.")},
    )
    virkning_fra = _dato(
        _("Gælder fra"), help_text=_("Fra hvilken dag tilstanden gælder. Ikke i fremtiden.")
    )
    ansvarlig_enhed = forms.ChoiceField(label=_("Ansvarlig enhed"))

    field_order = [
        "kodesystem", "type", *SKALAFELTER, "status", "borgerens_vurdering", "faglig_note",
        "kilde", "metode", "vurderet", "virkning_fra", "opfoelgning", "ansvarlig_enhed",
    ]  # fmt: skip

    def __init__(self, *args, valg: Klassevalg, aktoer: Aktoer, opslag_url: str = "", **kwargs):
        data = args[0] if args else kwargs.get("data")
        raa = data if data is not None else kwargs.get("initial", {})
        del_ = valg.get(raa.get("kodesystem")) if raa.get("kodesystem") else None
        del_id = del_.pk if del_ is not None and del_.pk in k.TILSTAND_ROEDDER else None
        type_ = valg.get(raa.get("type")) if raa.get("type") else None
        if type_ is not None and (
            not valg.er_blad(type_) or (del_id is not None and del_id not in type_.sti)
        ):
            type_ = None  # an area, or a condition of another part: the lists stay open
        kwargs["initial"] = {
            "vurderet": idag(),
            "virkning_fra": idag(),
            **kwargs.get("initial", {}),
        }
        system = None
        if del_id is not None:
            system = "FFB" if del_id == k.FFB_TILSTANDE else "FSIII"
        super().__init__(*args, valg=valg, type_=type_, system=system, **kwargs)
        if opslag_url:
            # htmx: a new part reloads the conditions, a new condition reloads its scales.
            skalaer = "#tilstand-ny [name=kodesystem], #tilstand-ny [name=type], #skalaer"
            self.fields["kodesystem"].widget.attrs.update(
                {"hx-get": opslag_url, "hx-target": "#typevalg", "hx-include": skalaer}
            )
            self.fields["type"].widget.attrs.update(
                {"hx-get": opslag_url, "hx-target": "#skalaer", "hx-include": skalaer}
            )
        self.fields["kodesystem"].choices = [("", _("Alle dele af FSIII og FFB")), *valg.dele()]
        self.fields["type"].choices = [VAELG, *valg.typer(del_id)]
        self.fields["type"].gyldige = frozenset(valg.klasser)
        # Where a datum comes from is part of it (U7): a new condition names its source.
        self.fields["kilde"].required = True
        self.fields["kilde"].error_messages["required"] = _("Angiv hvem oplysningen stammer fra.")
        self.fields["kilde"].choices = [VAELG, *self.fields["kilde"].choices[1:]]
        enheder = _enheder(aktoer)
        self.fields["ansvarlig_enhed"].choices = enheder if len(enheder) == 1 else [VAELG, *enheder]
        if len(enheder) == 1:
            self.fields["ansvarlig_enhed"].initial = enheder[0][0]

    def clean_ansvarlig_enhed(self) -> uuid.UUID:
        return uuid.UUID(self.cleaned_data["ansvarlig_enhed"])

    def data_til_register(self) -> dict[str, Any]:
        """Return the condition's data for tilstand_register (without the responsible person)."""
        return {
            **self.versionsdata(),
            "type": self.cleaned_data["type"],
            "vurderet": tidspunkt(self.cleaned_data["vurderet"]),
            "ansvarlig_enhed": self.cleaned_data["ansvarlig_enhed"],
        }

    @property
    def virkning(self) -> datetime.datetime:
        return tidspunkt(self.cleaned_data["virkning_fra"])


def initial_fra(t: Tilstand) -> dict[str, Any]:
    """Return a condition's current values as a form's initial data."""
    return {
        **{n: getattr(t, f"{n}_id") for n in (*SKALAFELTER, "kilde", "metode")},
        **{n: getattr(t, n) for n in TEKSTFELTER},
        "status": t.status,
        "opfoelgning": t.opfoelgning,
    }


class TilstandRevurderForm(TilstandDataForm):
    """Record a new assessment of a condition, in force from a date."""

    virkning_fra = _dato(_("Gælder fra"), help_text=_("Fra hvilken dag den nye vurdering gælder."))
    begrundelse = _tekst(_("Bemærkning til historikken"))

    def __init__(self, *args, valg: Klassevalg, tilstand: Tilstand, **kwargs):
        initial = {**initial_fra(tilstand), "vurderet": idag(), "virkning_fra": idag()}
        if tilstand.opfoelgning is not None and tilstand.opfoelgning <= idag():
            initial["opfoelgning"] = None  # this reassessment is the follow-up: ask anew
        kwargs["initial"] = initial
        kwargs.setdefault("prefix", "revurder")
        super().__init__(*args, valg=valg, type_=tilstand.type, tilstand=tilstand, **kwargs)
        self.fields["status"].choices = TilstandStatus.choices
        self.fields["opfoelgning"].label = _("Næste opfølgning")
        self.fields["opfoelgning"].help_text = _(
            "Hvornår der skal følges op næste gang. En dato, der er passeret, er fulgt op "
            "med denne vurdering."
        )

    def aendringer(self) -> dict[str, Any]:
        """Return what changed, plus when it was assessed: a reassessment is always recorded."""
        aendret = set(self.changed_data)
        return {
            **{n: v for n, v in self.versionsdata().items() if n in aendret},
            "vurderet": tidspunkt(self.cleaned_data["vurderet"]),
        }


class TilstandRetForm(TilstandDataForm):
    """Correct what was registered for a period: an error, not a change in the citizen."""

    virkning_fra = _dato(_("Fra og med"))
    virkning_til = _dato(
        _("Til og med"), required=False, help_text=_("Tom: rettelsen gælder fremover.")
    )
    begrundelse = _tekst(_("Begrundelse"), _("Hvorfor oplysningen rettes. Skal udfyldes."))

    def __init__(self, *args, valg: Klassevalg, tilstand: Tilstand, start=None, **kwargs):
        fra = timezone.localdate(start) if start else None
        kwargs["initial"] = {**initial_fra(tilstand), "virkning_fra": fra}
        kwargs.setdefault("prefix", "ret")
        super().__init__(*args, valg=valg, type_=tilstand.type, tilstand=tilstand, **kwargs)
        del self.fields["vurderet"]
        self.fields["status"].choices = TilstandStatus.choices
        self.fields["begrundelse"].required = True
        self.fields["begrundelse"].error_messages["required"] = _(
            "Skriv hvorfor oplysningen rettes."
        )

    def clean(self):
        data = super().clean()
        felter = {*SKALAFELTER, *TEKSTFELTER, "status", "kilde", "metode", "opfoelgning"}
        if not self.errors and not felter & set(self.changed_data):
            raise forms.ValidationError(
                _("Ret mindst ét felt: kun de felter, du ændrer, rettes i perioden."),
                code="ingen_aendring",
            )
        return data

    def aendringer(self) -> dict[str, Any]:
        aendret = set(self.changed_data)
        return {n: v for n, v in self.versionsdata().items() if n in aendret}

    def periode(self, start) -> tuple[datetime.datetime, datetime.datetime | None]:
        til = self.cleaned_data.get("virkning_til")
        fra = tidspunkt(self.cleaned_data["virkning_fra"], tidligst=start)
        return fra, dagen_efter(til) if til else None


class TilstandAfslutForm(forms.Form):
    """End a condition from a date: it no longer applies to the citizen."""

    virkning_fra = _dato(_("Afsluttet fra"))
    begrundelse = _tekst(_("Bemærkning til historikken"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "afslut")
        kwargs.setdefault("initial", {"virkning_fra": idag()})
        super().__init__(*args, **kwargs)


class TilstandFjernForm(forms.Form):
    """Passivate a condition registered by mistake; its history stays."""

    begrundelse = forms.CharField(
        label=_("Hvorfor skal tilstanden fjernes?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Skriv hvorfor tilstanden fjernes.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "fjern")
        super().__init__(*args, **kwargs)
