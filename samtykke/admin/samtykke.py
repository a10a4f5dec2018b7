"""Admin for consents (Samtykke, with its chain of versions) and requests (Anmodning)."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib import admin
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _lazy

from datadeling.core import clock
from klassifikation.models import Klasse
from organisation.models import Enhed
from samtykke.admin.faelles import BorgerdataAdmin
from samtykke.models import Anmodning, Samtykke, i_kraft_q

# --- names for arrays of UUIDs (categories, sources) -------------------------------------


def navne(objs: Sequence, felt: str, model, navnefelt: str) -> None:
    """Set `_<felt>_navne` on each object: the names of the ids in its array field `felt`."""
    ids = {i for o in objs for i in getattr(o, felt)}
    fundet = dict(model.objects.filter(pk__in=ids).values_list("pk", navnefelt)) if ids else {}
    for o in objs:
        setattr(o, f"_{felt}_navne", [fundet.get(i, str(i)) for i in getattr(o, felt)])


def navne_for(obj, felt: str, model, navnefelt: str) -> str:
    if not hasattr(obj, f"_{felt}_navne"):
        navne([obj], felt, model, navnefelt)
    return ", ".join(getattr(obj, f"_{felt}_navne")) or "–"


class IKraftFilter(admin.SimpleListFilter):
    """Consent versions in force now: newest of their chain, active, inside their period."""

    title = _lazy("i kraft nu")
    parameter_name = "i_kraft"

    def lookups(self, request, model_admin):
        return [("ja", _lazy("I kraft nu")), ("nej", _lazy("Ikke i kraft"))]

    def queryset(self, request, queryset):
        match self.value():
            case "ja":
                return queryset.filter(i_kraft_q(clock.now()))
            case "nej":
                return queryset.exclude(i_kraft_q(clock.now()))
        return queryset


class KategorierKilderMixin:
    """Categories (class titles) and sources (unit names) of a consent or a request."""

    def forbered(self, objs: list) -> None:
        navne(objs, "kategorier", Klasse, "titel")
        navne(objs, "kilder", Enhed, "navn")

    @admin.display(description=_lazy("kategorier"))
    def kategorier_visning(self, obj) -> str:
        return navne_for(obj, "kategorier", Klasse, "titel")

    @admin.display(description=_lazy("kilder"))
    def kilder_visning(self, obj) -> str:
        return navne_for(obj, "kilder", Enhed, "navn")


@admin.register(Samtykke)
class SamtykkeAdmin(KategorierKilderMixin, BorgerdataAdmin):
    log_hvad = _lazy("Samtykke i administrationen")
    list_display = [
        "__str__", "borger", "modtager_visning", "kategorier_visning", "kilder_visning",
        "status", "i_kraft_nu", "kaede_visning", "assisteret",
    ]  # fmt: skip
    list_select_related = [
        "borger", "modtager_enhed", "modtager_myndighed", "modtager_medarbejder",
    ]  # fmt: skip
    list_filter = [
        IKraftFilter, "beslutning", "status", "assisteret",
        ("modtager_enhed", admin.RelatedOnlyFieldListFilter),
        ("modtager_myndighed", admin.RelatedOnlyFieldListFilter),
    ]  # fmt: skip
    search_fields = [
        "borger__fornavn", "borger__efternavn", "formaal", "modtager_enhed__navn",
        "modtager_myndighed__navn", "modtager_medarbejder__navn", "vidne",
    ]  # fmt: skip
    date_hierarchy = "oprettet"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("borger", "givet_af", "via_relation"),
                    ("beslutning", "status"),
                    "i_kraft_nu",
                ]
            },
        ),
        (
            _lazy("Modtager"),
            {
                "fields": [
                    ("modtager_enhed", "modtager_myndighed", "modtager_medarbejder"),
                    "faglighed",
                ]
            },
        ),
        (
            _lazy("Omfang"),
            {
                "fields": [
                    "kategorier_visning",
                    "kilder_visning",
                    ("sagsindeks", "dialog"),
                    "formaal",
                ]
            },
        ),
        (_lazy("Periode"), {"fields": [("gyldig_fra", "gyldig_til")]}),
        (
            _lazy("Kæde"),
            {
                "fields": [
                    ("kaede", "version"),
                    ("erstatter", "erstattet_af_visning"),
                    "kaede_versioner",
                ]
            },
        ),
        (_lazy("Teksten borgeren så"), {"fields": ["tekst", "tekst_version"]}),
        (
            _lazy("Registrering"),
            {"fields": [("assisteret", "vidne"), "registreret_af", "anmodning", "oprettet"]},
        ),
    ]

    def get_queryset(self, request):
        i_kraft = Samtykke.objects.filter(i_kraft_q(clock.now()), pk=OuterRef("pk"))
        return super().get_queryset(request).annotate(_i_kraft=Exists(i_kraft))

    @admin.display(description=_lazy("modtager"))
    def modtager_visning(self, obj: Samtykke) -> str:
        return str(obj.modtager)

    @admin.display(description=_lazy("i kraft nu"), boolean=True, ordering="_i_kraft")
    def i_kraft_nu(self, obj: Samtykke) -> bool:
        return obj._i_kraft

    @admin.display(description=_lazy("kæde"), ordering="kaede")
    def kaede_visning(self, obj: Samtykke) -> str:
        url = reverse("admin:samtykke_samtykke_changelist", current_app=self.admin_site.name)
        return format_html(
            '<a href="{}?kaede={}">{} v{}</a>', url, obj.kaede, str(obj.kaede)[:8], obj.version
        )

    @admin.display(description=_lazy("erstattet af"))
    def erstattet_af_visning(self, obj: Samtykke) -> str:
        nyere = Samtykke.objects.filter(erstatter=obj).first()
        return self._link(nyere) if nyere else "–"

    @admin.display(description=_lazy("alle versioner i kæden"))
    def kaede_versioner(self, obj: Samtykke) -> str:
        versioner = Samtykke.objects.filter(kaede=obj.kaede).order_by("version")
        return format_html_join(", ", "{}", ((self._link(v),) for v in versioner))

    def _link(self, s: Samtykke) -> str:
        url = reverse(
            "admin:samtykke_samtykke_change", args=[s.pk], current_app=self.admin_site.name
        )
        return format_html('<a href="{}">{}</a>', url, s)


@admin.register(Anmodning)
class AnmodningAdmin(KategorierKilderMixin, BorgerdataAdmin):
    log_hvad = _lazy("Anmodning om samtykke i administrationen")
    list_display = [
        "formaal_kort", "borger", "modtager_enhed", "anmoder", "kategorier_visning", "status",
        "oprettet", "besvaret", "varighed_dage",
    ]  # fmt: skip
    list_select_related = ["borger", "modtager_enhed", "anmoder"]
    list_filter = ["status", ("modtager_enhed", admin.RelatedOnlyFieldListFilter)]
    search_fields = [
        "borger__fornavn", "borger__efternavn", "formaal", "begrundelse",
        "modtager_enhed__navn", "anmoder__navn",
    ]  # fmt: skip
    date_hierarchy = "oprettet"
    fieldsets = [
        (None, {"fields": ["borger", ("anmoder", "modtager_enhed"), ("status", "besvaret"),
                           "svar_visning"]}),
        (_lazy("Hvad der bedes om"), {"fields": ["kategorier_visning", "kilder_visning",
                                                  ("sagsindeks", "dialog"), "formaal",
                                                  "begrundelse", "varighed_dage"]}),
        (None, {"fields": ["oprettet"]}),
    ]  # fmt: skip

    @admin.display(description=_lazy("formål"), ordering="formaal")
    def formaal_kort(self, obj: Anmodning) -> str:
        return obj.formaal if len(obj.formaal) <= 60 else obj.formaal[:59] + "…"

    @admin.display(description=_lazy("svar (samtykke)"))
    def svar_visning(self, obj: Anmodning) -> str:
        svar = Samtykke.objects.filter(anmodning=obj).order_by("version")
        return (
            format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                (
                    (
                        reverse(
                            "admin:samtykke_samtykke_change",
                            args=[s.pk],
                            current_app=self.admin_site.name,
                        ),
                        s,
                    )
                    for s in svar
                ),
            )
            or "–"
        )
