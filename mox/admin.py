"""Admin for MOX: sending systems (keys shown once) and the inbox (read-only)."""

from __future__ import annotations

import json
import re
import uuid

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.utils.html import format_html

from mox import services
from mox.models import Besked, System

CPR_URN = re.compile(r"(urn:dk:cpr:person:\d{6})\d{4}")


def noegle_side(request, system: System, token: str, secret: str) -> TemplateResponse:
    """Render the one page that shows a system's token and secret; nothing stores them."""
    svar = TemplateResponse(
        request,
        "admin/mox/system/noegler.html",
        {
            **admin.site.each_context(request),
            "title": f"Nøgler til {system.navn}",
            "system": system,
            "linje": json.dumps(
                {"system": str(system.uuid), "token": token, "secret": secret}, ensure_ascii=False
            ),
            "opts": System._meta,
        },
    )
    svar["Cache-Control"] = "no-store"
    return svar


@admin.register(System)
class SystemAdmin(admin.ModelAdmin):
    list_display = ["navn", "uuid", "aktiv", "oprettet", "antal_beskeder"]
    list_filter = ["aktiv"]
    search_fields = ["navn"]
    fields = ["navn", "aktiv", "uuid", "oprettet", "oprettet_af"]
    readonly_fields = ["uuid", "oprettet", "oprettet_af"]
    actions = ["forny_noegler"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(antal=Count("beskeder"))

    @admin.display(description="beskeder", ordering="antal")
    def antal_beskeder(self, obj: System) -> int:
        return obj.antal

    def save_model(self, request, obj, form, change):
        if not change:
            # A new system gets its keys here; response_add shows them once.
            request._mox_noegler = obj.nye_noegler()
            obj.oprettet_af = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        token, secret = request._mox_noegler
        return noegle_side(request, obj, token, secret)

    @admin.action(
        description="Giv nye nøgler (token og hemmelighed); de gamle holder op med at virke"
    )
    def forny_noegler(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Vælg præcis ét system.", messages.WARNING)
            return None
        system = queryset.get()
        token, secret = services.system_forny_noegler(system=system, actor=request.user)
        return noegle_side(request, system, token, secret)


@admin.register(Besked)
class BeskedAdmin(admin.ModelAdmin):
    list_display = [
        "besked_id",
        "system",
        "objekttype",
        "operation",
        "status",
        "modtaget",
        "forsoeg",
    ]
    list_filter = ["status", "objekttype", "operation", "system"]
    list_select_related = ["system"]
    search_fields = ["=besked_id", "=objekt_id"]
    date_hierarchy = "modtaget"
    fields = [
        "system",
        "besked_id",
        "beskedversion",
        "beskedtype",
        "objekttype",
        "operation",
        "objekt_id",
        "status",
        "fejl_visning",
        "forsoeg",
        "modtaget",
        "behandlet",
        "indhold_sha256",
        "data_visning",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        # The fields are UUIDs: a term that is not one finds nothing (instead of an error).
        term = search_term.strip()
        if not term:
            return queryset, False
        try:
            noegle = uuid.UUID(term)
        except ValueError:
            return queryset.none(), False
        return queryset.filter(Q(besked_id=noegle) | Q(objekt_id=noegle)), False

    @admin.display(description="fejl")
    def fejl_visning(self, obj: Besked):
        return format_html("<pre>{}</pre>", json.dumps(obj.fejl, indent=2, ensure_ascii=False))

    @admin.display(description="data (CPR-numre maskeret)")
    def data_visning(self, obj: Besked):
        # Message data may name citizens; the admin shows only the birth-date part.
        tekst = json.dumps(obj.data, indent=2, ensure_ascii=False)
        return format_html("<pre>{}</pre>", CPR_URN.sub(r"\1-****", tekst))
