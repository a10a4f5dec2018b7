"""Conversations in the Django admin: read-only and logged like every page of citizen data
(samtykke.admin.faelles). The list and the page show what a conversation is and who took
part and when — never a message's text or an attachment."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _lazy

from dialog.models import Deltager, Samtale, SamtaleHaendelse
from samtykke.admin.faelles import BorgerdataAdmin, SkrivebeskyttetInline


class DeltagerInline(SkrivebeskyttetInline):
    model = Deltager
    fields = ["tidspunkt", "handling", "medarbejder", "enhed", "person", "via_relation", "af"]
    readonly_fields = fields
    verbose_name_plural = _lazy("deltagere (hver tilføjelse og afslutning)")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("medarbejder", "enhed", "person", "via_relation", "af")
        )


class HaendelseInline(SkrivebeskyttetInline):
    model = SamtaleHaendelse
    fields = ["tidspunkt", "type", "navn", "enhed_navn"]
    readonly_fields = fields
    verbose_name_plural = _lazy("samtalens historik (uden beskedernes tekst)")


@admin.register(Samtale)
class SamtaleAdmin(BorgerdataAdmin):
    log_hvad = _lazy("Samtale i administrationen")
    list_display = [
        "emne",
        "borger",
        "type",
        "oprettet_i_enhed",
        "oprettet",
        "seneste",
        "seneste_nummer",
    ]
    list_select_related = ["borger", "oprettet_i_enhed"]
    list_filter = ["type", ("oprettet_i_enhed", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["emne", "borger__fornavn", "borger__efternavn"]
    date_hierarchy = "oprettet"
    fieldsets = [
        (None, {"fields": ["emne", "borger", "type"]}),
        (
            _lazy("Handler om"),
            {"fields": ["tilstand", "indsats", "maal_nummer", "sag", "anmodning"]},
        ),
        (
            _lazy("Oprettet"),
            {
                "fields": [
                    ("oprettet", "oprettet_af", "oprettet_i_enhed"),
                    ("seneste", "seneste_nummer"),
                ]
            },
        ),
    ]
    inlines = [DeltagerInline, HaendelseInline]
