"""Admin for code systems, their classes, the professions' terms and the mappings."""

from __future__ import annotations

import datetime

from django.contrib import admin
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from klassifikation.kendte import FAGLIGHED_URI
from klassifikation.models import (
    Betegnelse,
    Klasse,
    Klassifikation,
    Mapping,
    Mappingsaet,
    Supplement,
)


class GyldigNuFilter(admin.SimpleListFilter):
    """Filter rows on a validity period [gyldig_fra, gyldig_til): valid, ended or future.

    Works for required and optional `gyldig_fra` (an empty start means "always").
    """

    title = _("gyldighed")
    parameter_name = "gyldig"

    def lookups(self, request, model_admin):
        return [
            ("nu", _("Gyldig nu")),
            ("ophoert", _("Ophørt")),
            ("fremtidig", _("Fremtidig")),
        ]

    def queryset(self, request, queryset):
        dato = timezone.localdate()
        startet = Q(gyldig_fra__isnull=True) | Q(gyldig_fra__lte=dato)
        ikke_slut = Q(gyldig_til__isnull=True) | Q(gyldig_til__gt=dato)
        match self.value():
            case "nu":
                return queryset.filter(startet & ikke_slut)
            case "ophoert":
                return queryset.filter(gyldig_til__lte=dato)
            case "fremtidig":
                return queryset.filter(gyldig_fra__gt=dato)
        return queryset


class ImporteretFilter(admin.SimpleListFilter):
    """Terms brought in by the importer (with a `kilde`) or entered in Datadeling."""

    title = _("oprindelse")
    parameter_name = "oprindelse"

    def lookups(self, request, model_admin):
        return [("importeret", _("Importeret")), ("lokal", _("Oprettet i Datadeling"))]

    def queryset(self, request, queryset):
        match self.value():
            case "importeret":
                return queryset.exclude(kilde="")
            case "lokal":
                return queryset.filter(kilde="")
        return queryset


def er_gyldig(obj, dato: datetime.date | None = None) -> bool:
    """Return whether an object's validity period covers the date (today by default)."""
    dato = dato or timezone.localdate()
    fra, til = obj.gyldig_fra, obj.gyldig_til
    return (fra is None or fra <= dato) and (til is None or dato < til)


def faglighed_klasser() -> QuerySet[Klasse]:
    """Return the classes of the profession code system: a Funktion's or Betegnelse's faglighed."""
    return Klasse.objects.filter(klassifikation__uri=FAGLIGHED_URI).order_by(
        "raekkefoelge", "titel"
    )


@admin.register(Klassifikation)
class KlassifikationAdmin(admin.ModelAdmin):
    list_display = ["titel", "navn", "version", "uri", "status", "antal_klasser", "importeret"]
    list_filter = ["status"]
    search_fields = ["titel", "navn", "uri", "ejer"]
    readonly_fields = ["importeret"]
    fieldsets = [
        (None, {"fields": ["titel", "navn", "uri", "version", "status"]}),
        (_("Om kodesystemet"), {"fields": ["beskrivelse", "ejer", "kilde", "importeret"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_antal_klasser=Count("klasser"))

    @admin.display(description=_("klasser"), ordering="_antal_klasser")
    def antal_klasser(self, obj: Klassifikation) -> int:
        return obj._antal_klasser


class BetegnelseInline(admin.TabularInline):
    model = Betegnelse
    fk_name = "klasse"
    extra = 0
    fields = ["tekst", "faglighed", "sprog", "brug", "kilde"]
    readonly_fields = ["kilde"]
    autocomplete_fields = ["faglighed"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "faglighed":
            kwargs["queryset"] = faglighed_klasser()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MappingInline(admin.TabularInline):
    model = Mapping
    fk_name = "fra_klasse"
    extra = 0
    fields = ["relation", "til_klasse", "kommentar", "mappingsaet"]
    readonly_fields = ["mappingsaet"]
    autocomplete_fields = ["til_klasse"]
    verbose_name = _("mapping til en anden klasse")
    verbose_name_plural = _("mappings til andre klasser")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("til_klasse__klassifikation")


@admin.register(Klasse)
class KlasseAdmin(admin.ModelAdmin):
    list_display = [
        "kode",
        "titel",
        "klassifikation_navn",
        "overordnet",
        "niveau",
        "status",
        "gyldig_nu",
    ]
    list_display_links = ["kode", "titel"]
    list_select_related = ["klassifikation", "overordnet"]
    list_filter = ["klassifikation", "status", "niveau", GyldigNuFilter]
    search_fields = ["kode", "titel", "betegnelser__tekst"]
    autocomplete_fields = ["klassifikation", "overordnet"]
    readonly_fields = ["sti_visning", "niveau"]
    fieldsets = [
        (None, {"fields": ["klassifikation", "kode", "titel", "definition", "status"]}),
        (_("Placering"), {"fields": ["overordnet", "sti_visning", "niveau", "raekkefoelge"]}),
        (_("Gyldighed"), {"fields": ["gyldig_fra", "gyldig_til"]}),
        (_("Egenskaber"), {"fields": ["egenskaber"], "classes": ["collapse"]}),
    ]
    inlines = [BetegnelseInline, MappingInline]
    show_full_result_count = False

    @admin.display(description=_("klassifikation"), ordering="klassifikation__navn")
    def klassifikation_navn(self, obj: Klasse) -> str:
        return obj.klassifikation.navn

    @admin.display(description=_("gyldig nu"), boolean=True)
    def gyldig_nu(self, obj: Klasse) -> bool:
        return er_gyldig(obj)

    @admin.display(description=_("sti"))
    def sti_visning(self, obj: Klasse) -> str:
        if not obj.sti:
            return "–"
        titler = dict(Klasse.objects.filter(id__in=obj.sti).values_list("id", "titel"))
        return format_html_join(" › ", "{}", ((titler.get(pk, str(pk)),) for pk in obj.sti))

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        # A Funktion's or Betegnelse's faglighed is a class in the profession code system:
        # the autocomplete offers only those.
        if request.GET.get("field_name") == "faglighed":
            queryset = queryset.filter(klassifikation__uri=FAGLIGHED_URI)
        return super().get_search_results(request, queryset, search_term)

    @transaction.atomic
    def save_model(self, request, obj: Klasse, form, change) -> None:
        # The importer keeps `sti` and `niveau`; a class edited here gets them from its
        # parent, and its descendants follow when it moves.
        gammel_sti = [*obj.sti, obj.id] if change else None
        if obj.overordnet_id:
            forael = Klasse.objects.only("sti", "niveau").get(pk=obj.overordnet_id)
            obj.sti = [*forael.sti, forael.pk]
            obj.niveau = forael.niveau + 1
        else:
            obj.sti, obj.niveau = [], 0
        super().save_model(request, obj, form, change)
        ny_sti = [*obj.sti, obj.id]
        if gammel_sti is not None and gammel_sti != ny_sti:
            efterkommere = list(Klasse.objects.filter(sti__contains=[obj.id]))
            for klasse in efterkommere:
                rest = klasse.sti[klasse.sti.index(obj.id) + 1 :]
                klasse.sti = [*ny_sti, *rest]
                klasse.niveau = len(klasse.sti)
            Klasse.objects.bulk_update(efterkommere, ["sti", "niveau"])


@admin.register(Betegnelse)
class BetegnelseAdmin(admin.ModelAdmin):
    list_display = [
        "tekst",
        "klasse",
        "klassifikation_navn",
        "faglighed",
        "sprog",
        "brug",
        "importeret",
    ]
    list_select_related = ["klasse__klassifikation", "faglighed"]
    list_filter = [
        ("faglighed", admin.RelatedOnlyFieldListFilter),
        "sprog",
        "klasse__klassifikation",
        ImporteretFilter,
    ]
    search_fields = ["tekst", "klasse__titel", "klasse__kode"]
    autocomplete_fields = ["klasse", "faglighed"]
    fields = ["klasse", "tekst", "faglighed", "sprog", "brug", "kilde"]
    # The importer owns the terms it brought in; `kilde` says which those are.
    readonly_fields = ["kilde"]

    @admin.display(description=_("importeret"), boolean=True, ordering="kilde")
    def importeret(self, obj: Betegnelse) -> bool:
        return bool(obj.kilde)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "faglighed":
            kwargs["queryset"] = faglighed_klasser()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("klassifikation"), ordering="klasse__klassifikation__navn")
    def klassifikation_navn(self, obj: Betegnelse) -> str:
        return obj.klasse.klassifikation.navn


@admin.register(Mapping)
class MappingAdmin(admin.ModelAdmin):
    list_display = [
        "fra_klasse",
        "fra_system",
        "relation",
        "til_klasse",
        "til_system",
        "mappingsaet",
    ]
    list_select_related = [
        "fra_klasse__klassifikation",
        "til_klasse__klassifikation",
        "mappingsaet",
    ]
    list_filter = [
        "relation",
        "mappingsaet",
        "fra_klasse__klassifikation",
        "til_klasse__klassifikation",
    ]
    search_fields = [
        "fra_klasse__kode",
        "fra_klasse__titel",
        "til_klasse__kode",
        "til_klasse__titel",
    ]
    autocomplete_fields = ["fra_klasse", "til_klasse", "mappingsaet"]

    @admin.display(description=_("fra kodesystem"), ordering="fra_klasse__klassifikation__navn")
    def fra_system(self, obj: Mapping) -> str:
        return obj.fra_klasse.klassifikation.navn

    @admin.display(description=_("til kodesystem"), ordering="til_klasse__klassifikation__navn")
    def til_system(self, obj: Mapping) -> str:
        return obj.til_klasse.klassifikation.navn


@admin.register(Supplement)
class SupplementAdmin(admin.ModelAdmin):
    list_display = ["titel", "navn", "version", "klassifikation", "status", "importeret"]
    list_select_related = ["klassifikation"]
    list_filter = ["status", "klassifikation"]
    search_fields = ["titel", "navn", "uri"]
    autocomplete_fields = ["klassifikation"]
    readonly_fields = ["importeret"]


@admin.register(Mappingsaet)
class MappingsaetAdmin(admin.ModelAdmin):
    list_display = ["titel", "navn", "version", "uri", "status", "antal_mappings", "importeret"]
    list_filter = ["status"]
    search_fields = ["titel", "navn", "uri"]
    readonly_fields = ["importeret"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_antal_mappings=Count("mappings"))

    @admin.display(description=_("mappings"), ordering="_antal_mappings")
    def antal_mappings(self, obj: Mappingsaet) -> int:
        return obj._antal_mappings
