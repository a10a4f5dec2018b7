"""Admin for correction requests (GDPR art. 16): read-only, logged like every citizen page.
The answer and the citizen's statements are shown with the request (inlines)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _lazy

from samtykke.admin.faelles import BorgerdataAdmin, SkrivebeskyttetInline
from samtykke.models import Berigtigelse, BerigtigelseSvar, BorgerensBemaerkning


class SvarInline(SkrivebeskyttetInline):
    model = BerigtigelseSvar
    fields = ["status", "begrundelse", "medarbejder", "enhed", "tidspunkt"]
    verbose_name_plural = _lazy("svar")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("medarbejder", "enhed")


class BemaerkningInline(SkrivebeskyttetInline):
    model = BorgerensBemaerkning
    fields = ["tekst", "skrevet_af", "oprettet"]
    verbose_name_plural = _lazy("borgerens bemærkninger")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("skrevet_af")


@admin.register(Berigtigelse)
class BerigtigelseAdmin(BorgerdataAdmin):
    log_hvad = _lazy("Anmodning om rettelse i administrationen")
    list_display = ["borger", "hvad_er_forkert", "oprettet", "frist", "status_visning"]
    list_select_related = ["borger", "svar"]
    search_fields = ["borger__fornavn", "borger__efternavn", "hvad_er_forkert"]
    date_hierarchy = "oprettet"
    fields = [
        "borger", "tilstand", "indsats", "hvad_er_forkert", "hvad_er_rigtigt",
        "indsendt_af", "via_relation", "oprettet", "frist",
    ]  # fmt: skip
    inlines = [SvarInline, BemaerkningInline]

    @admin.display(description=_lazy("status"))
    def status_visning(self, obj: Berigtigelse) -> str:
        svar = getattr(obj, "svar", None)
        return str(svar.get_status_display()) if svar else str(_lazy("Venter på svar"))
