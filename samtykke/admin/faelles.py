"""The building blocks of every admin for citizen data: read-only, CPR-free, logged.

A superuser gets no silent access to citizen content: `LogAdgangMixin` writes one
access-log entry per citizen shown (grundlag administration, handling admin), in the
transaction that reads the data, and renders the page inside that transaction, so if an
entry cannot be written the page fails instead of showing the data. `BorgerdataAdmin`
joins it with `UdenCprMixin` (no CPR number in a search or a URL) and
`SkrivebeskyttetMixin` (nothing is added, changed or deleted here).

These live in samtykke because the access log does (`samtykke.adgangslog`), and an admin
that shows citizen data must write to it; see `samtykke.admin` for which admins sit here.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.admin.views.main import ChangeList
from django.db import router, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import SimpleTemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from datadeling.core.bitemporal import Livscykluskode
from organisation.admin import ligner_cpr
from organisation.models import Borger
from organisation.selectors import aktoer_for
from samtykke.adgangslog import adgangslog_write, adgangslog_write_many
from samtykke.models import Grundlag, Handling

# (borger id, (object type, object id)): one object a page shows, and whose data it is.
Post = tuple[uuid.UUID, tuple[str, Any]]

# --- the access log for pages that show many citizens ----------------------------------


def grupper(poster: Iterable[Post]) -> dict[uuid.UUID, list[tuple[str, Any]]]:
    """Return the objects shown, grouped by citizen (each object once, in order)."""
    ud: dict[uuid.UUID, list[tuple[str, Any]]] = {}
    for borger_id, objekt in poster:
        if borger_id is not None and objekt not in ud.setdefault(borger_id, []):
            ud[borger_id].append(objekt)
    return ud


class LogAdgangMixin:
    """Log every admin page that shows a citizen's data, in the transaction that reads it.

    Change, history and delete pages write one entry per citizen with `adgangslog_write`;
    list pages one entry per citizen on the page with `adgangslog_write_many`.
    """

    log_hvad = ""
    log_changelist = True

    def log_poster(self, obj) -> list[Post]:
        """Return whose data the object is: (borger id, (type, id)) for each citizen."""
        return [(obj.borger_id, (obj._meta.model_name, obj.pk))]

    def log_objekt(self, request: HttpRequest, obj) -> None:
        poster = grupper(self.log_poster(obj))
        aktoer = aktoer_for(request.user)
        borgere = Borger.objects.in_bulk(list(poster))
        for borger_id, objekter in sorted(poster.items(), key=lambda p: str(p[0])):
            # the advisory locks in the same order as adgangslog_write_many takes them
            adgangslog_write(
                aktoer=aktoer,
                user=request.user,
                borger=borgere[borger_id],
                hvad=str(self.log_hvad),
                grundlag=Grundlag.ADMINISTRATION,
                handling=Handling.ADMIN,
                objekter=objekter,
            )

    def log_objekter(self, request: HttpRequest, objs: Iterable, hvad: str = "") -> None:
        poster = grupper(p for obj in objs for p in self.log_poster(obj))
        if poster:
            adgangslog_write_many(
                aktoer=aktoer_for(request.user),
                user=request.user,
                poster=poster,
                hvad=str(hvad or self.log_hvad),
                grundlag=Grundlag.ADMINISTRATION,
                handling=Handling.ADMIN,
            )

    def _logget(self, visning, request, *args, noegle: str, **kwargs) -> HttpResponse:
        """Run an admin view, log what its page shows and render it, all in one transaction."""
        with transaction.atomic(using=router.db_for_write(self.model)):
            response = visning(request, *args, **kwargs)
            data = getattr(response, "context_data", None) or {}
            if noegle == "cl" and self.log_changelist and "cl" in data:
                self.log_objekter(request, list(data["cl"].result_list))
            elif noegle != "cl" and data.get(noegle) is not None:
                self.log_objekt(request, data[noegle])
            if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
                response.render()
        return response

    def changelist_view(self, request, extra_context=None):
        return self._logget(super().changelist_view, request, extra_context, noegle="cl")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self._logget(
            super().change_view, request, object_id, form_url, extra_context, noegle="original"
        )

    def history_view(self, request, object_id, extra_context=None):
        return self._logget(
            super().history_view, request, object_id, extra_context, noegle="object"
        )

    def delete_view(self, request, object_id, extra_context=None):
        return self._logget(super().delete_view, request, object_id, extra_context, noegle="object")


class UdenCprMixin:
    """Keep CPR numbers out of URLs: no CPR in the search box, no filtering on CPR."""

    def lookup_allowed(self, lookup, value, request=None):
        if "cpr" in lookup.split("__"):
            raise DisallowedModelAdminLookup(_("Der kan ikke filtreres på CPR-nummer i URL'en."))
        return super().lookup_allowed(lookup, value, request)

    def get_search_results(self, request, queryset, search_term):
        if ligner_cpr(search_term):
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def changelist_view(self, request, extra_context=None):
        if ligner_cpr(request.GET.get("q", "")):
            messages.warning(request, _("Søg ikke efter CPR-nummer. Søg på borgerens navn."))
            params = request.GET.copy()
            del params["q"]
            return HttpResponseRedirect(request.path + (f"?{params.urlencode()}" if params else ""))
        return super().changelist_view(request, extra_context)


class SkrivebeskyttetMixin:
    """Nothing is added, changed or deleted in the admin; every field is shown read-only."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return flatten_fieldsets(self.fieldsets) if self.fieldsets else list(self.fields or ())


class ForberedtChangeList(ChangeList):
    """A changelist that lets the admin look up names for all rows of a page in one go."""

    def get_results(self, request):
        super().get_results(request)
        self.model_admin.forbered(list(self.result_list))


class BorgerdataAdmin(LogAdgangMixin, UdenCprMixin, SkrivebeskyttetMixin, admin.ModelAdmin):
    """Read-only, logged, CPR-free admin for one kind of citizen data."""

    list_per_page = 50
    # The portals' pages decide access themselves and give a superuser nothing.
    view_on_site = False

    def get_changelist(self, request, **kwargs):
        return ForberedtChangeList

    def forbered(self, objs: list) -> None:
        """Fetch what the list's columns need for every row on the page (a few queries)."""


class SkrivebeskyttetInline(admin.TabularInline):
    extra = 0
    can_delete = False

    @admin.display(description=_lazy("livscykluskode"))
    def livscyklus(self, obj) -> str:
        return livscyklus(obj.livscykluskode)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return list(self.fields)


def livscyklus(kode: str) -> str:
    try:
        return Livscykluskode(kode).label
    except ValueError:
        return kode


class LivscyklusFilter(admin.SimpleListFilter):
    title = _lazy("livscykluskode")
    parameter_name = "livscykluskode"

    def lookups(self, request, model_admin):
        return Livscykluskode.choices

    def queryset(self, request, queryset):
        if self.value() in Livscykluskode.values:
            return queryset.filter(livscykluskode=self.value())
        return queryset
