"""Admin for the access log, with the check of every citizen's hash chain."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from samtykke.adgangslog import verificer
from samtykke.admin.faelles import BorgerdataAdmin
from samtykke.models import Adgangslog


@admin.register(Adgangslog)
class AdgangslogAdmin(BorgerdataAdmin):
    log_hvad = _lazy("Adgangslog i administrationen")
    list_display = [
        "tidspunkt", "borger", "navn", "enhed_navn", "rolle", "handling", "hvad", "grundlag",
    ]  # fmt: skip
    list_select_related = ["borger"]
    list_filter = ["handling", "grundlag"]  # no DISTINCT over the whole log
    search_fields = ["borger__fornavn", "borger__efternavn", "navn", "enhed_navn", "hvad"]
    date_hierarchy = "tidspunkt"
    ordering = ["-tidspunkt", "-id"]
    show_full_result_count = False  # the log is large; one count per page is enough
    fieldsets = [
        (None, {"fields": ["borger", ("tidspunkt", "nummer"), ("handling", "hvad")]}),
        (_lazy("Hvem"), {"fields": [("navn", "bruger"), ("enhed_navn", "myndighed_navn"),
                                     ("rolle", "faglighed"), "handler_for"]}),
        (_lazy("Grundlag"), {"fields": [("grundlag", "grundlag_id"), "formaal", "kategorier",
                                         "objekter"]}),
        (_lazy("Hash-kæde"), {"fields": ["forrige_hash", "hash"]}),
    ]  # fmt: skip

    def get_urls(self):
        verificer_url = path(
            "verificer/",
            self.admin_site.admin_view(self.verificer_view),
            name="samtykke_adgangslog_verificer",
        )
        return [verificer_url, *super().get_urls()]

    @method_decorator(require_POST)
    def verificer_view(self, request: HttpRequest) -> HttpResponse:
        """Walk every citizen's hash chain and report the result as a message."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        brud = list(verificer())
        antal = Adgangslog.objects.count()
        if not brud:
            self.message_user(
                request,
                _("Adgangsloggen er intakt: alle hash-kæder hænger sammen (%(antal)d poster).")
                % {"antal": antal},
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                ngettext(
                    "%(n)d brudt hash-kæde i adgangsloggen (%(antal)d poster).",
                    "%(n)d brudte hash-kæder i adgangsloggen (%(antal)d poster).",
                    len(brud),
                )
                % {"n": len(brud), "antal": antal},
                messages.ERROR,
            )
            for b in brud[:20]:
                # The citizen is named by uuid, never by CPR.
                hvor = _("nr. %(nr)d i borger %(borger)s's log") % {
                    "nr": b.nummer,
                    "borger": b.borger_id,
                }
                if b.entry_id is None:
                    self.message_user(request, f"{_('Brud')} ({hvor}): {b.grund}", messages.ERROR)
                    continue
                url = reverse(
                    "admin:samtykke_adgangslog_change",
                    args=[b.entry_id],
                    current_app=self.admin_site.name,
                )
                self.message_user(
                    request,
                    format_html(
                        '{} <a href="{}">{}</a> ({}): {}',
                        _("Brud ved post"),
                        url,
                        b.entry_id,
                        hvor,
                        b.grund,
                    ),
                    messages.ERROR,
                )
        return HttpResponseRedirect(
            reverse("admin:samtykke_adgangslog_changelist", current_app=self.admin_site.name)
        )
