"""Admin for Tilstand: read-only and logged, with its registrations and versions.

It sits in samtykke, not in tilstand, because every page writes the access log
(`samtykke.adgangslog`) and tilstand may not import samtykke (the floors in
ARCHITECTURE.md).
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Prefetch
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from datadeling.core.proveniens import friskhed_problemer
from samtykke.admin.faelles import LivscyklusFilter, SkrivebeskyttetInline
from samtykke.admin.historik import (
    HISTORIK,
    PROVENIENS,
    REGISTRERING_FELTER,
    HistorikAdmin,
    virkning,
)
from tilstand.models import Tilstand, TilstandRegistrering, TilstandVersion
from tilstand.services import tilstand_passivate


class TilstandRegistreringInline(SkrivebeskyttetInline):
    model = TilstandRegistrering
    fk_name = "tilstand"
    fields = [*REGISTRERING_FELTER, "begrundelse", "versioner"]
    ordering = ["-nummer"]
    verbose_name_plural = _lazy("registreringer (nyeste først) med deres versioner")

    def get_queryset(self, request):
        versioner = TilstandVersion.objects.select_related("type", "niveau", "ansvarlig_enhed")
        return (
            super()
            .get_queryset(request)
            .select_related("aktoer")
            .prefetch_related(Prefetch("versioner", queryset=versioner))
        )

    @admin.display(description=_lazy("versioner (virkning)"))
    def versioner(self, reg) -> str:
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{}: {} – {}, {}, {}: {}</li>",
                (
                    (
                        virkning(v),
                        v.type,
                        v.niveau or _("intet niveau"),
                        v.get_status_display(),
                        _("ansvarlig"),
                        v.ansvarlig_enhed,
                    )
                    for v in reg.versioner.all()
                ),
            ),
        )


@admin.register(Tilstand)
class TilstandAdmin(HistorikAdmin):
    log_hvad = _lazy("Tilstand i administrationen")
    passiver_felt = "tilstand"
    list_display = [
        "type", "borger", "niveau", "status", "aktiv", "ansvarlig_enhed", "vurderet",
        "frisk", "livscyklus", "registreret",
    ]  # fmt: skip
    list_select_related = ["borger", "type", "niveau", "ansvarlig_enhed", "registrering__aktoer"]
    list_filter = [
        "aktiv", "status", LivscyklusFilter, ("ansvarlig_enhed", admin.RelatedOnlyFieldListFilter),
        "kildesystem",
    ]  # fmt: skip
    search_fields = [
        "borger__fornavn", "borger__efternavn", "type__titel", "type__kode",
        "ansvarlig_enhed__navn", "kildesystem_id",
    ]  # fmt: skip
    date_hierarchy = "vurderet"
    fieldsets = [
        (None, {"fields": ["borger", "type", "status"]}),
        (
            _lazy("Vurdering"),
            {
                "fields": [
                    ("niveau", "stoettebehov"),
                    ("udfoerelse", "betydning"),
                    "borgerens_vurdering",
                    "faglig_note",
                ]
            },
        ),
        (_lazy("Mål og opfølgning"), {"fields": [("forventet_niveau", "maaltype"), "opfoelgning"]}),
        PROVENIENS,
        HISTORIK,
    ]
    inlines = [TilstandRegistreringInline]

    def passiver_service(self, **kwargs):
        return tilstand_passivate(**kwargs)

    @admin.display(description=_lazy("frisk"), boolean=True)
    def frisk(self, obj: Tilstand) -> bool:
        return not friskhed_problemer(obj.vurderet, obj.opfoelgning)
