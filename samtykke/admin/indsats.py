"""Admin for Indsats: read-only and logged, with its registrations and versions.

It sits in samtykke, not in indsats, because every page writes the access log
(`samtykke.adgangslog`) and indsats may not import samtykke (the floors in
ARCHITECTURE.md).
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Prefetch
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from indsats.models import Indsats, IndsatsRegistrering, IndsatsVersion
from indsats.services import indsats_passivate
from samtykke.admin.faelles import LivscyklusFilter, SkrivebeskyttetInline
from samtykke.admin.historik import (
    HISTORIK,
    PROVENIENS,
    REGISTRERING_FELTER,
    HistorikAdmin,
    virkning,
)
from tilstand.models import Tilstand


class IndsatsRegistreringInline(SkrivebeskyttetInline):
    model = IndsatsRegistrering
    fk_name = "indsats"
    fields = [*REGISTRERING_FELTER, "begrundelse", "versioner"]
    ordering = ["-nummer"]
    verbose_name_plural = _lazy("registreringer (nyeste først) med deres versioner")

    def get_queryset(self, request):
        versioner = IndsatsVersion.objects.select_related("type", "ansvarlig_enhed")
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
                "<li>{}: {} – {}, {} {}–{}, {}: {}</li>",
                (
                    (
                        virkning(v),
                        v.type,
                        v.get_fremdrift_display(),
                        _("periode"),
                        f"{v.startdato:%d.%m.%Y}",
                        f"{v.slutdato:%d.%m.%Y}" if v.slutdato else "",
                        _("ansvarlig"),
                        v.ansvarlig_enhed,
                    )
                    for v in reg.versioner.all()
                ),
            ),
        )


@admin.register(Indsats)
class IndsatsAdmin(HistorikAdmin):
    log_hvad = _lazy("Indsats i administrationen")
    passiver_felt = "indsats"
    list_display = [
        "type", "borger", "lovgrundlag", "fremdrift", "startdato", "slutdato", "afsluttet",
        "aktiv", "ansvarlig_enhed", "leverende_enhed", "vurderet", "registreret",
    ]  # fmt: skip
    list_select_related = [
        "borger", "type", "lovgrundlag", "ansvarlig_enhed", "leverende_enhed",
        "registrering__aktoer",
    ]  # fmt: skip
    list_filter = [
        "aktiv", "fremdrift", "afsluttet", LivscyklusFilter,
        ("lovgrundlag", admin.RelatedOnlyFieldListFilter),
        ("ansvarlig_enhed", admin.RelatedOnlyFieldListFilter),
        ("leverende_enhed", admin.RelatedOnlyFieldListFilter), "kildesystem",
    ]  # fmt: skip
    search_fields = [
        "borger__fornavn", "borger__efternavn", "type__titel", "type__kode",
        "lovgrundlag__titel", "ansvarlig_enhed__navn", "leverandoer", "kildesystem_id",
    ]  # fmt: skip
    date_hierarchy = "startdato"
    fieldsets = [
        (None, {"fields": ["borger", "type", "lovgrundlag"]}),
        (
            _lazy("Levering"),
            {
                "fields": [
                    ("bevilgende_enhed", "leverende_enhed", "leverandoer"),
                    ("startdato", "slutdato"),
                    ("fremdrift", "afsluttet", "ophoersgrund"),
                ]
            },
        ),
        (
            _lazy("Formål, mål og opfølgning"),
            {
                "fields": [
                    "formaal",
                    "maal_visning",
                    "tilstande_visning",
                    "maalgruppe",
                    ("opfoelgning", "opfoelgningsresultat"),
                ]
            },
        ),
        PROVENIENS,
        HISTORIK,
    ]
    inlines = [IndsatsRegistreringInline]

    def passiver_service(self, **kwargs):
        return indsats_passivate(**kwargs)

    @admin.display(description=_lazy("indsatsmål"))
    def maal_visning(self, obj: Indsats) -> str:
        tekster = [m.get("tekst", "") for m in obj.maal if isinstance(m, dict)]
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((t,) for t in tekster))
        )

    @admin.display(description=_lazy("tilstande indsatsen retter sig mod"))
    def tilstande_visning(self, obj: Indsats) -> str:
        tilstande = Tilstand.objects.filter(pk__in=obj.tilstande, borger_id=obj.borger_id)
        return ", ".join(str(t) for t in tilstande.select_related("type")) or "–"
