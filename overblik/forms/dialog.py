"""Forms of the dialogue screens: start a conversation, write (or correct) a message with
attachments, and invite a unit or a member of staff.

The forms only parse what was typed and offer what fits; who may take part, what a
message may refer to and which files are accepted are dialog.services' rules, whose
messages `tilfoej_fejl` puts next to the fields.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dialog.models import SamtaleType
from overblik.forms import DatoInput, idag

MAKS_TEKST = 10_000
# the buttons of the message form: send it, or show how it will look first
SEND = "send"
VIS = "vis"


class FlereFilerInput(forms.ClearableFileInput):
    """A file input that takes several files at once."""

    allow_multiple_selected = True


class FlereFilerFelt(forms.FileField):
    """Zero or more uploaded files, each checked by the service (type, size, checksum)."""

    widget = FlereFilerInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        filer = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(FlereFilerFelt, self).clean(f, initial) for f in filer]


def _tekst_felt(label, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=MAKS_TEKST,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": _("Skriv en besked."),
            "max_length": _("Beskeden er for lang: højst %(limit_value)d tegn."),
        },
    )


class BeskedForm(forms.Form):
    """Write a message: its text, files, and optionally whom it needs an answer from and
    by when. `deltagere` are the (id, name) of the participants who can be asked."""

    tekst = _tekst_felt(_("Besked"))
    filer = FlereFilerFelt(
        label=_("Vedhæft filer"),
        help_text=_("PDF, billeder eller Office-dokumenter, højst %(mb)s MB pr. fil."),
    )
    svar_fra = forms.ChoiceField(
        label=_("Skal besvares af"),
        required=False,
        help_text=_("Vælg en deltager, hvis beskeden kræver et svar."),
        error_messages={"invalid_choice": _("Vælg en af samtalens deltagere.")},
    )
    svar_frist = forms.DateField(
        label=_("Svarfrist"),
        required=False,
        widget=DatoInput(),
        error_messages={"invalid": _("Skriv en dato.")},
    )
    henvisninger = forms.MultipleChoiceField(
        label=_("Henvis til borgerens oplysninger"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "De tilstande og indsatser, du selv kan se. Andre ser kun det, de har adgang til."
        ),
        error_messages={"invalid_choice": _("Vælg blandt de oplysninger, du kan se.")},
    )

    def __init__(self, *args, deltagere=(), henvisninger=(), **kwargs):
        super().__init__(*args, **kwargs)
        if henvisninger:
            self.fields["henvisninger"].choices = list(henvisninger)
        else:
            del self.fields["henvisninger"]
        mb = getattr(settings, "DIALOG_VEDHAEFTNING_MAKS_BYTES", 10 * 1024 * 1024) // 2**20
        self.fields["filer"].help_text = self.fields["filer"].help_text % {"mb": mb}
        self.deltagere = {str(pk): navn for pk, navn in deltagere}
        if self.deltagere:
            self.fields["svar_fra"].choices = [
                ("", _("Ingen – kræver ikke svar")),
                *self.deltagere.items(),
            ]
        else:
            del self.fields["svar_fra"]
            del self.fields["svar_frist"]

    def clean(self):
        c = super().clean()
        if c.get("svar_frist") and not c.get("svar_fra"):
            self.add_error("svar_fra", _("Vælg hvem der skal svare inden fristen."))
        if c.get("svar_frist") and c["svar_frist"] < idag():
            self.add_error("svar_frist", _("Svarfristen kan ikke ligge før i dag."))
        return c


class RetForm(forms.Form):
    """Correct a message: a new version; the earlier one stays, shown as edited."""

    tekst = _tekst_felt(_("Ny tekst"))


class SamtaleForm(forms.Form):
    """Start a conversation about the citizen, with its first message."""

    emne = forms.CharField(
        label=_("Emne"),
        max_length=200,
        help_text=_("Kort, fx „Aftaler om medicin efter udskrivelsen“."),
        error_messages={"required": _("Skriv et emne.")},
    )
    type = forms.ChoiceField(
        label=_("Hvem er med"),
        choices=[
            (
                SamtaleType.MED_BORGEREN,
                _("Borgeren (og pårørende, der handler for borgeren) er med"),
            ),
            (
                SamtaleType.FAGLIG,
                _("Kun fagpersoner – borgeren kan se, at I har talt sammen, og hvornår"),
            ),
        ],
        widget=forms.RadioSelect,
        initial=SamtaleType.MED_BORGEREN,
        error_messages={"required": _("Vælg hvem der er med i samtalen.")},
    )
    tekst = _tekst_felt(_("Første besked"))
    enhed = forms.ChoiceField(
        label=_("Skriv fra enhed"),
        error_messages={"invalid_choice": _("Vælg en af dine egne enheder.")},
    )

    def __init__(self, *args, enheder=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.enheder = {str(e.pk): e for e in enheder}
        self.fields["enhed"].choices = [(pk, e.navn) for pk, e in self.enheder.items()]
        if len(self.enheder) == 1:
            self.fields["enhed"].widget = forms.HiddenInput()
            self.fields["enhed"].initial = next(iter(self.enheder))


class InviterForm(forms.Form):
    """Invite a whole unit or one member of staff into the conversation. Whether they may
    take part (they must be allowed to see the citizen's dialogue) is the policy's call."""

    enhed = forms.ChoiceField(
        label=_("En enhed"),
        required=False,
        help_text=_("Alle i enheden kan læse og skrive med."),
        error_messages={"invalid_choice": _("Vælg en enhed fra listen.")},
    )
    medarbejder = forms.ChoiceField(
        label=_("Eller en bestemt medarbejder"),
        required=False,
        error_messages={"invalid_choice": _("Vælg en medarbejder fra listen.")},
    )

    person = forms.ChoiceField(
        label=_("Eller en pårørende, der handler for borgeren"),
        required=False,
        help_text=_("Kun personer med fuldmagt, værgemål eller en relation, der omfatter dialog."),
        error_messages={"invalid_choice": _("Vælg en person fra listen.")},
    )

    def __init__(self, *args, enheder=(), medarbejdere=(), personer=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.enheder = {str(e.pk): e for e in enheder}
        self.medarbejdere = {str(m.pk): m for m in medarbejdere}
        self.personer = {str(r.person_id): r.person for r in personer}
        if self.personer:
            self.fields["person"].choices = [
                ("", "–"),
                *((pk, p.navn) for pk, p in self.personer.items()),
            ]
        else:
            del self.fields["person"]
        self.fields["enhed"].choices = [
            ("", "–"),
            *((pk, f"{e.navn}, {e.myndighed.navn}") for pk, e in self.enheder.items()),
        ]
        self.fields["medarbejder"].choices = [
            ("", "–"),
            *((pk, f"{m.navn}, {m.myndighed.navn}") for pk, m in self.medarbejdere.items()),
        ]

    def clean(self):
        c = super().clean()
        valgt = [n for n in ("enhed", "medarbejder", "person") if c.get(n)]
        if not valgt and not self.errors:
            raise forms.ValidationError(_("Vælg hvem du vil invitere."), code="intet")
        if len(valgt) > 1:
            raise forms.ValidationError(_("Vælg kun én ad gangen."), code="flere")
        return c

    def valgt(self) -> dict:
        c = self.cleaned_data
        if c.get("enhed"):
            return {"enhed": self.enheder[c["enhed"]]}
        if c.get("person"):
            return {"person": self.personer[c["person"]]}
        return {"medarbejder": self.medarbejdere[c["medarbejder"]]}


class MinSamtaleForm(forms.Form):
    """The citizen (or a person acting for them in the dialogue) starts a conversation
    with a unit: whom to write to, the subject and the first message. `valg` is what
    overblik.selectors.dialog.ny_samtale_valg offers; whether the unit may take part is the
    service's own check when the conversation is started."""

    til = forms.ChoiceField(
        label=_("Hvem vil du skrive til"),
        error_messages={
            "required": _("Vælg hvem du vil skrive til."),
            "invalid_choice": _("Vælg en af enhederne på listen."),
        },
    )
    emne = forms.CharField(
        label=_("Emne"),
        max_length=200,
        help_text=_("Kort, fx „Spørgsmål om min hjemmehjælp“."),
        error_messages={
            "required": _("Skriv et emne."),
            "max_length": _("Emnet må højst være %(limit_value)d tegn."),
        },
    )
    tekst = _tekst_felt(_("Din besked"))

    def __init__(self, *args, valg=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.valg = {f"{v.borger.pk}:{e.pk}": (v.borger, e) for v in valg for e in v.enheder}
        grupper = [
            (
                _("Om dig selv") if v.relation is None else v.borger.navn,
                [(f"{v.borger.pk}:{e.pk}", f"{e.navn}, {e.myndighed.navn}") for e in v.enheder],
            )
            for v in valg
        ]
        if len(valg) == 1 and valg[0].relation is None:  # only about themself
            self.fields["til"].choices = [("", "–"), *grupper[0][1]]
        else:
            self.fields["til"].choices = [("", "–"), *grupper]

    def valgt(self):
        """Return (citizen, unit) as chosen."""
        return self.valg[self.cleaned_data["til"]]
