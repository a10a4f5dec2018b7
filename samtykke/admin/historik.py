"""What the Tilstand and Indsats admins share: provenance, history, freshness, and the
action that passivates data registered by mistake (through the services, with a reason).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext

from datadeling.core.proveniens import GAMMEL, friskhed_problemer
from samtykke.admin.faelles import BorgerdataAdmin, livscyklus


def friskhed_tekst(obj) -> str:
    problemer = friskhed_problemer(obj.vurderet, obj.opfoelgning)
    if not problemer:
        return _("Frisk")
    return "; ".join(
        _("Vurderingen er gammel") if p == GAMMEL else _("Opfølgningen er overskredet")
        for p in problemer
    )


def virkning(v) -> str:
    til = f"{timezone.localtime(v.virkning_til):%d.%m.%Y %H:%M}" if v.virkning_til else _("åben")
    return f"{timezone.localtime(v.virkning_fra):%d.%m.%Y %H:%M} – {til}"


# --- passivating what was registered by mistake ------------------------------------------


class PassiverForm(forms.Form):
    begrundelse = forms.CharField(
        label=_lazy("Begrundelse"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=2000,
        help_text=_lazy("Hvorfor oplysningen var registreret ved en fejl. Gemmes i historikken."),
    )


class PassiverMixin:
    """The admin action that passivates data registered by mistake, through the service."""

    actions = ["passiver"]
    passiver_felt = ""  # the service's keyword for the object: "tilstand" or "indsats"

    def passiver_service(self, **kwargs):
        raise NotImplementedError

    def has_passiver_permission(self, request) -> bool:
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(description=_lazy("Passivér (registreret ved en fejl)"), permissions=["passiver"])
    def passiver(self, request, queryset):
        form = PassiverForm(request.POST if "post" in request.POST else None)
        if form.is_valid():
            antal = 0
            for obj in queryset.order_by("pk"):  # row locks in a fixed order
                try:
                    self.passiver_service(
                        actor=request.user,
                        begrundelse=form.cleaned_data["begrundelse"],
                        **{self.passiver_felt: obj},
                    )
                except ValidationError as fejl:
                    besked = "; ".join(fejl.messages)
                    self.message_user(request, f"{obj}: {besked}", messages.WARNING)
                else:
                    antal += 1
            self.message_user(
                request,
                ngettext(
                    "%(antal)d oplysning er passiveret.",
                    "%(antal)d oplysninger er passiveret.",
                    antal,
                )
                % {"antal": antal},
                messages.SUCCESS,
            )
            return None
        objs = list(queryset.select_related("borger", "type", "ansvarlig_enhed"))
        self.log_objekter(request, objs, hvad=_("Passivering i administrationen"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Passivér oplysninger registreret ved en fejl"),
            "opts": self.model._meta,
            "objekter": objs,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/samtykke/passiver.html", context)


PROVENIENS = (
    _lazy("Proveniens"),
    {
        "fields": [
            ("kilde", "metode"),
            ("ansvarlig_enhed", "ansvarlig"),
            ("kildesystem", "kildesystem_id"),
            ("vurderet", "friskhed"),
            ("registreret", "oprettet"),
        ]
    },
)
HISTORIK = (
    _lazy("Historik"),
    {"fields": [("livscyklus", "aktiv"), ("virkning_fra", "virkning_til")]},
)


class HistorikAdmin(PassiverMixin, BorgerdataAdmin):
    """Shared columns of Tilstand and Indsats: provenance, freshness and registration."""

    @admin.display(description=_lazy("friskhed"))
    def friskhed(self, obj) -> str:
        return friskhed_tekst(obj)

    @admin.display(description=_lazy("livscykluskode"), ordering="livscykluskode")
    def livscyklus(self, obj) -> str:
        return livscyklus(obj.livscykluskode)

    @admin.display(description=_lazy("registreret"), ordering="registrering__tidspunkt")
    def registreret(self, obj) -> str:
        reg = obj.registrering
        if reg is None:
            return "–"
        hvem = reg.aktoer_tekst or (reg.aktoer.get_username() if reg.aktoer_id else "")
        tekst = f"{timezone.localtime(reg.tidspunkt):%d.%m.%Y %H:%M} (nr. {reg.nummer})"
        return f"{tekst}, {hvem}" if hvem else tekst


REGISTRERING_FELTER = ["nummer", "tidspunkt", "livscyklus", "aktoer", "aktoer_tekst"]
