"""Admin for the case index (sagsindeks): read-only and logged, like all citizen data.

Reuses samtykke.admin's BorgerdataAdmin: nothing is added, changed or deleted here (the
fagsystem that delivered a case changes it by MOX), CPR numbers stay out of URLs and
searches, and every page that shows a citizen's cases writes access-log entries
(grundlag administration) in the transaction that reads them.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _lazy

from overblik.models import Sag, SagRegistrering
from samtykke.admin import (
    BorgerdataAdmin,
    LivscyklusFilter,
    SkrivebeskyttetInline,
    livscyklus,
)


class SagRegistreringInline(SkrivebeskyttetInline):
    model = SagRegistrering
    fk_name = "sag"
    fields = ["nummer", "tidspunkt", "livscyklus", "aktoer", "aktoer_tekst", "begrundelse", "data"]
    ordering = ["-nummer"]
    verbose_name_plural = _lazy("registreringer (nyeste først)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("aktoer")


@admin.register(Sag)
class SagAdmin(BorgerdataAdmin):
    log_hvad = _lazy("Sagsindeks i administrationen")
    list_display = [
        "titel", "borger", "kildesystem", "kle_nummer", "sagsnummer", "fremdrift",
        "enhed", "startdato", "slutdato", "aktiv",
    ]  # fmt: skip
    list_select_related = ["borger", "ansvarlig_enhed"]
    list_filter = ["aktiv", "fremdrift", LivscyklusFilter, "kildesystem"]
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
        return livscyklus(obj.livscykluskode)
