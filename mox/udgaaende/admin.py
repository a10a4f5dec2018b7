"""Admin for outbound MOX: subscriptions, and the outbox with a replay action.

Imported by mox/admin.py, whose SystemAdmin shows the subscriptions inline. Notifications
are read-only; their envelope is shown with CPR numbers masked.
"""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html

from datadeling.core.logging import mask_cpr
from mox.models import Abonnement, Notifikation, NotifikationStatus
from mox.udgaaende import services
from samtykke.admin.faelles import LogAdgangMixin


class AbonnementInline(admin.TabularInline):
    """The system's subscriptions, read-only here; create them under Abonnementer."""

    model = Abonnement
    fields = ["objekttype", "aktiv", "udelad_egne", "oprettet"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class AbonnementForm(forms.ModelForm):
    class Meta:
        model = Abonnement
        fields = ["system", "objekttype", "udelad_egne", "aktiv", "borgere"]

    def clean(self):
        data = super().clean()
        system = data.get("system")
        if system is not None and data.get("aktiv", True) and not system.webhook_url:
            raise forms.ValidationError(
                "Systemet har ingen webhook-URL; angiv den på systemet først."
            )
        return data


@admin.register(Abonnement)
class AbonnementAdmin(admin.ModelAdmin):
    form = AbonnementForm
    list_display = ["system", "objekttype", "aktiv", "udelad_egne", "oprettet"]
    list_filter = ["aktiv", "objekttype", "system"]
    list_select_related = ["system"]
    raw_id_fields = ["borgere"]
    readonly_fields = ["uuid", "oprettet", "oprettet_af"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new subscription goes through the service (the same rules as everywhere);
        # the admin then saves the chosen citizens on it (save_related).
        ny = services.abonnement_create(
            system=obj.system,
            objekttype=obj.objekttype,
            udelad_egne=obj.udelad_egne,
            actor=request.user,
        )
        if not obj.aktiv:
            services.abonnement_stop(abonnement=ny, actor=request.user)
        obj.pk, obj.uuid, obj.oprettet, obj.oprettet_af = ny.pk, ny.uuid, ny.oprettet, request.user


@admin.register(Notifikation)
class NotifikationAdmin(LogAdgangMixin, admin.ModelAdmin):
    # a notification's page shows its envelope (what changed about which citizen, the unit,
    # the dates): one log entry for its citizen; the list shows metadata only
    log_hvad = "Udgående MOX-notifikation (konvolut)"
    log_changelist = False

    list_display = [
        "besked_id",
        "system",
        "objekttype",
        "operation",
        "status",
        "forsoeg",
        "naeste_forsoeg",
        "oprettet",
        "leveret",
    ]
    list_filter = ["status", "objekttype", "operation", "system"]
    list_select_related = ["system"]
    search_fields = ["=besked_id", "=objekt_id"]
    date_hierarchy = "oprettet"
    fields = [
        "besked_id",
        "system",
        "abonnement",
        "objekttype",
        "operation",
        "objekt_id",
        "registrering_nummer",
        "status",
        "forsoeg",
        "naeste_forsoeg",
        "sidste_fejl",
        "oprettet",
        "leveret",
        "konvolut_visning",
    ]
    readonly_fields = fields
    actions = ["lever_igen"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_lever_igen_permission(self, request):
        return request.user.has_perm("mox.change_notifikation")

    def get_search_results(self, request, queryset, search_term):
        import uuid

        term = search_term.strip()
        if not term:
            return queryset, False
        try:
            noegle = uuid.UUID(term)
        except ValueError:
            return queryset.none(), False
        return queryset.filter(besked_id=noegle) | queryset.filter(objekt_id=noegle), False

    @admin.action(
        description="Lever igen (opgivne og tilbageholdte notifikationer)",
        permissions=["lever_igen"],
    )
    def lever_igen(self, request, queryset):
        antal = services.notifikation_redeliver(
            notifikation_ids=queryset.filter(
                status__in=[NotifikationStatus.FEJLET, NotifikationStatus.TILBAGEHOLDT]
            ).values_list("pk", flat=True),
            actor=request.user,
        )
        self.message_user(
            request, f"{antal} notifikationer er sat til levering igen.", messages.SUCCESS
        )

    @admin.display(description="konvolut (CPR-numre maskeret)")
    def konvolut_visning(self, obj: Notifikation):
        tekst = json.dumps(obj.konvolut, indent=2, ensure_ascii=False)
        return format_html("<pre>{}</pre>", mask_cpr(tekst))
