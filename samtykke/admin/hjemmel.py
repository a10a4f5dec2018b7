"""Admin for access on a legal basis (Hjemmel) and the leader's review of it."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from datadeling.core import clock
from organisation.models import Borger
from samtykke.admin.faelles import BorgerdataAdmin, Post, SkrivebeskyttetInline
from samtykke.models import Hjemmel, HjemmelGennemgang


class ManglerGennemgangFilter(admin.SimpleListFilter):
    title = _lazy("gennemgang")
    parameter_name = "gennemgang"

    def lookups(self, request, model_admin):
        return [("mangler", _lazy("Mangler gennemgang")), ("gennemgaaet", _lazy("Gennemgået"))]

    def queryset(self, request, queryset):
        match self.value():
            case "mangler":
                return queryset.filter(gennemgang__isnull=True)
            case "gennemgaaet":
                return queryset.filter(gennemgang__isnull=False)
        return queryset


class GennemgangInline(SkrivebeskyttetInline):
    model = HjemmelGennemgang
    fields = ["resultat", "leder", "tidspunkt", "kommentar"]
    verbose_name_plural = _lazy("lederens gennemgang")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("leder")


@admin.register(Hjemmel)
class HjemmelAdmin(BorgerdataAdmin):
    log_hvad = _lazy("Adgang på lovhjemmel i administrationen")
    list_display = [
        "lovgrundlag", "borger", "medarbejder", "enhed", "gyldig_fra", "gyldig_til",
        "aktiv_nu", "gennemgang_visning",
    ]  # fmt: skip
    list_select_related = ["borger", "medarbejder", "enhed", "lovgrundlag", "gennemgang"]
    list_filter = [
        ManglerGennemgangFilter, "gennemgang__resultat",
        ("enhed", admin.RelatedOnlyFieldListFilter),
        ("lovgrundlag", admin.RelatedOnlyFieldListFilter),
    ]  # fmt: skip
    search_fields = [
        "borger__fornavn", "borger__efternavn", "medarbejder__navn", "enhed__navn",
        "lovgrundlag__titel", "begrundelse",
    ]  # fmt: skip
    date_hierarchy = "oprettet"
    fieldsets = [
        (None, {"fields": ["borger", ("medarbejder", "enhed"), "lovgrundlag", "begrundelse"]}),
        (_lazy("Periode"), {"fields": [("gyldig_fra", "gyldig_til"), "aktiv_nu", "oprettet"]}),
    ]
    inlines = [GennemgangInline]

    @admin.display(description=_lazy("gælder nu"), boolean=True)
    def aktiv_nu(self, obj: Hjemmel) -> bool:
        now = clock.now()
        return obj.gyldig_fra <= now < obj.gyldig_til

    @admin.display(description=_lazy("gennemgang"), ordering="gennemgang__resultat")
    def gennemgang_visning(self, obj: Hjemmel) -> str:
        gennemgang = getattr(obj, "gennemgang", None)
        return gennemgang.get_resultat_display() if gennemgang else _("Mangler")


@admin.register(HjemmelGennemgang)
class HjemmelGennemgangAdmin(BorgerdataAdmin):
    log_hvad = _lazy("Gennemgang af adgang på lovhjemmel i administrationen")
    list_display = ["hjemmel", "borger", "leder", "resultat", "tidspunkt"]
    list_select_related = [
        "hjemmel__borger",
        "hjemmel__lovgrundlag",
        "hjemmel__medarbejder",
        "leder",
    ]
    list_filter = ["resultat"]
    search_fields = [
        "hjemmel__borger__fornavn", "hjemmel__borger__efternavn", "leder__navn", "kommentar",
    ]  # fmt: skip
    date_hierarchy = "tidspunkt"
    fields = ["hjemmel", "borger", "leder", "resultat", "kommentar", "tidspunkt"]

    def log_poster(self, obj: HjemmelGennemgang) -> list[Post]:
        return [(obj.hjemmel.borger_id, ("hjemmelgennemgang", obj.pk))]

    @admin.display(description=_lazy("borger"), ordering="hjemmel__borger__efternavn")
    def borger(self, obj: HjemmelGennemgang) -> Borger:
        return obj.hjemmel.borger
