"""Admin for the case index (sagsindeks): what a case's pages show, all of it read-only.

Nothing is added, changed or deleted here: the fagsystem that delivered a case changes it
by MOX. It sits in samtykke, not in sagsindeks, for the reason the Tilstand and Indsats
admins do: every page that shows a citizen's cases writes access-log entries (grundlag
administration) in the transaction that reads them, and sagsindeks may not import
samtykke. CPR numbers stay out of URLs and searches (BorgerdataAdmin).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.utils.translation import gettext_lazy as _lazy

from datadeling.core.bitemporal import Livscykluskode
from sagsindeks.models import Sag, SagRegistrering
from samtykke.admin.faelles import BorgerdataAdmin, LivscyklusFilter


def livscyklus_tekst(kode: str) -> str:
    """Return the label of a life-cycle code (the code itself if it is unknown)."""
    try:
        return Livscykluskode(kode).label
    except ValueError:
        return kode


class SagRegistreringInline(admin.TabularInline):
    model = SagRegistrering
    fk_name = "sag"
    fields = ["nummer", "tidspunkt", "livscyklus", "aktoer", "aktoer_tekst", "begrundelse", "data"]
    ordering = ["-nummer"]
    verbose_name_plural = _lazy("registreringer (nyeste først)")
    extra = 0
    can_delete = False

    @admin.display(description=_lazy("livscykluskode"))
    def livscyklus(self, obj: SagRegistrering) -> str:
        return livscyklus_tekst(obj.livscykluskode)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("aktoer")

    def get_readonly_fields(self, request, obj=None):
        return list(self.fields)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SagAdmin(admin.ModelAdmin):
    list_display = [
        "titel", "borger", "kildesystem", "kle_nummer", "sagsnummer", "fremdrift",
        "enhed", "startdato", "slutdato", "aktiv",
    ]  # fmt: skip
    list_select_related = ["borger", "ansvarlig_enhed"]
    list_filter = ["aktiv", "fremdrift", "livscykluskode", "kildesystem"]
    search_fields = [
        "titel", "sagsnummer", "kle_nummer", "kildesystem_id", "borger__fornavn",
        "borger__efternavn", "ansvarlig_enhed__navn", "ansvarlig_enhed_navn",
    ]  # fmt: skip
    date_hierarchy = "startdato"
    fieldsets = [
        (None, {"fields": ["borger", "titel", ("kle_nummer", "kle_klasse_uuid"), "sagsnummer",
                           ("fremdrift", "startdato", "slutdato")]}),
        (_lazy("Kilde"), {"fields": [("kildesystem", "kildesystem_id")]}),
        (_lazy("Ansvar"), {"fields": [
            ("ansvarlig_enhed", "ansvarlig_enhed_uuid", "ansvarlig_enhed_navn"),
            ("myndighed", "myndighed_uuid", "myndighed_navn"),
            ("primaerbehandler", "primaerbehandler_uuid", "primaerbehandler_navn"),
        ]}),
        (_lazy("Registrering"), {"fields": [("livscyklus", "aktiv"), ("oprettet", "opdateret")]}),
    ]  # fmt: skip
    inlines = [SagRegistreringInline]

    @admin.display(description=_lazy("ansvarlig enhed"), ordering="ansvarlig_enhed__navn")
    def enhed(self, obj: Sag) -> str:
        return obj.ansvarlig_enhed.navn if obj.ansvarlig_enhed_id else obj.ansvarlig_enhed_navn

    @admin.display(description=_lazy("livscykluskode"), ordering="livscykluskode")
    def livscyklus(self, obj: Sag) -> str:
        return livscyklus_tekst(obj.livscykluskode)

    def get_readonly_fields(self, request, obj=None):
        return flatten_fieldsets(self.fieldsets)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Sag)
class LoggetSagAdmin(BorgerdataAdmin, SagAdmin):
    log_hvad = _lazy("Sagsindeks i administrationen")
    list_filter = ["aktiv", "fremdrift", LivscyklusFilter, "kildesystem"]
