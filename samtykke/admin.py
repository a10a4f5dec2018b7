"""Admin for citizen data, built for an administrator: tilstande, indsatser, consents,
requests, legal-basis access with its review, and the access log.

All of it is read-only in the admin. Writes go through the services (the one action here,
passivating a Tilstand or an Indsats registered by mistake, calls tilstand_passivate /
indsats_passivate), and the history, consent and log tables refuse UPDATE and DELETE in
PostgreSQL anyway.

A superuser gets no silent access to citizen content: every admin page that shows a
citizen's data writes one access-log entry per citizen shown (grundlag administration,
handling admin), in the transaction that reads the data, and renders the page inside that
transaction, so if an entry cannot be written the page fails instead of showing the data.
Borger and Relation (organisation, floor 1, which may not import samtykke) are
re-registered here with the same logging.

The guardian grant rows (TilstandGruppeTilladelse, TilstandBrugerTilladelse,
IndsatsGruppeTilladelse, IndsatsBrugerTilladelse) are deliberately not registered. A row
grants nothing by itself: whether it counts is decided at query time by its consent's
status and period (samtykke.policy), so a list of rows would answer "who may see this?"
wrongly, and guardian's own permission screens would let an administrator hand out
access to citizen data without a consent. Support answers that question from the
consent (Samtykke, with recipient, categories, sources and "i kraft nu") and from the
citizen's access log.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import router, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import SimpleTemplateResponse, TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from datadeling.core import clock
from datadeling.core.bitemporal import Livscykluskode
from datadeling.core.proveniens import GAMMEL, freshness_problems
from indsats.models import Indsats, IndsatsRegistrering, IndsatsVersion
from indsats.services import indsats_passivate
from klassifikation.models import Klasse
from organisation.admin import BorgerAdmin, RelationAdmin, ligner_cpr
from organisation.models import Borger, Enhed, Relation
from organisation.selectors import aktoer_for
from samtykke.adgangslog import adgangslog_skriv, adgangslog_skriv_mange, verificer
from samtykke.models import (
    Adgangslog,
    Anmodning,
    Grundlag,
    Handling,
    Hjemmel,
    HjemmelGennemgang,
    Samtykke,
    i_kraft_q,
)
from tilstand.models import Tilstand, TilstandRegistrering, TilstandVersion
from tilstand.services import tilstand_passivate

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

    Change, history and delete pages write one entry per citizen with `adgangslog_skriv`;
    list pages one entry per citizen on the page with `adgangslog_skriv_mange`.
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
            # the advisory locks in the same order as adgangslog_skriv_mange takes them
            adgangslog_skriv(
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
            adgangslog_skriv_mange(
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


def friskhed_tekst(obj) -> str:
    problemer = freshness_problems(obj.vurderet, obj.opfoelgning)
    if not problemer:
        return _("Frisk")
    return "; ".join(
        _("Vurderingen er gammel") if p == GAMMEL else _("Opfølgningen er overskredet")
        for p in problemer
    )


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


def virkning(v) -> str:
    til = f"{timezone.localtime(v.virkning_til):%d.%m.%Y %H:%M}" if v.virkning_til else _("åben")
    return f"{timezone.localtime(v.virkning_fra):%d.%m.%Y %H:%M} – {til}"


# --- passivating what was registered by mistake ------------------------------------------


class PassiverForm(forms.Form):
    begrundelse = forms.CharField(
        label=_lazy("Begrundelse"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        max_length=2000,
        help_text=_lazy("Hvorfor oplysningen var registreret ved en fejl. Gemmes i historikken."),
    )


class PassiverMixin:
    """The admin action that passivates data registered by mistake, through the service."""

    actions = ["passiver"]
    passiver_felt = ""  # the service's keyword for the object: "tilstand" or "indsats"

    def passiver_service(self, **kwargs):
        raise NotImplementedError

    def has_passiver_permission(self, request) -> bool:
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}")

    @admin.action(description=_lazy("Passivér (registreret ved en fejl)"), permissions=["passiver"])
    def passiver(self, request, queryset):
        form = PassiverForm(request.POST if "post" in request.POST else None)
        if form.is_valid():
            antal = 0
            for obj in queryset.order_by("pk"):  # row locks in a fixed order
                try:
                    self.passiver_service(
                        actor=request.user,
                        begrundelse=form.cleaned_data["begrundelse"],
                        **{self.passiver_felt: obj},
                    )
                except ValidationError as fejl:
                    besked = "; ".join(fejl.messages)
                    self.message_user(request, f"{obj}: {besked}", messages.WARNING)
                else:
                    antal += 1
            self.message_user(
                request,
                ngettext(
                    "%(antal)d oplysning er passiveret.",
                    "%(antal)d oplysninger er passiveret.",
                    antal,
                )
                % {"antal": antal},
                messages.SUCCESS,
            )
            return None
        objs = list(queryset.select_related("borger", "type", "ansvarlig_enhed"))
        self.log_objekter(request, objs, hvad=_("Passivering i administrationen"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Passivér oplysninger registreret ved en fejl"),
            "opts": self.model._meta,
            "objekter": objs,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/samtykke/passiver.html", context)


# --- tilstand -----------------------------------------------------------------------------


PROVENIENS = (
    _lazy("Proveniens"),
    {
        "fields": [
            ("kilde", "metode"),
            ("ansvarlig_enhed", "ansvarlig"),
            ("kildesystem", "kildesystem_id"),
            ("vurderet", "friskhed"),
            ("registreret", "oprettet"),
        ]
    },
)
HISTORIK = (
    _lazy("Historik"),
    {"fields": [("livscyklus", "aktiv"), ("virkning_fra", "virkning_til")]},
)


class HistorikAdmin(PassiverMixin, BorgerdataAdmin):
    """Shared columns of Tilstand and Indsats: provenance, freshness and registration."""

    @admin.display(description=_lazy("friskhed"))
    def friskhed(self, obj) -> str:
        return friskhed_tekst(obj)

    @admin.display(description=_lazy("livscykluskode"), ordering="livscykluskode")
    def livscyklus(self, obj) -> str:
        return livscyklus(obj.livscykluskode)

    @admin.display(description=_lazy("registreret"), ordering="registrering__tidspunkt")
    def registreret(self, obj) -> str:
        reg = obj.registrering
        if reg is None:
            return "–"
        hvem = reg.aktoer_tekst or (reg.aktoer.get_username() if reg.aktoer_id else "")
        tekst = f"{timezone.localtime(reg.tidspunkt):%d.%m.%Y %H:%M} (nr. {reg.nummer})"
        return f"{tekst}, {hvem}" if hvem else tekst


REGISTRERING_FELTER = ["nummer", "tidspunkt", "livscyklus", "aktoer", "aktoer_tekst"]


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
        return not freshness_problems(obj.vurderet, obj.opfoelgning)


# --- indsats ------------------------------------------------------------------------------


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


# --- samtykke og anmodning ----------------------------------------------------------------


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


# --- hjemmel og gennemgang ----------------------------------------------------------------


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


# --- adgangslog ---------------------------------------------------------------------------


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
                        _("nr. %(nr)d i borger %(borger)s's log")
                        % {"nr": b.nummer, "borger": b.borger_id},
                        b.grund,
                    ),
                    messages.ERROR,
                )
        return HttpResponseRedirect(
            reverse("admin:samtykke_adgangslog_changelist", current_app=self.admin_site.name)
        )


# --- borger og relation, with the same logging --------------------------------------------


class LoggetBorgerAdmin(LogAdgangMixin, BorgerAdmin):
    """The citizen admin of organisation, with every page about one citizen logged.

    The list of citizens (names and addresses) is a directory, as in the staff portal's
    citizen list, and is not logged; a citizen's own page, with the people around them, is.
    """

    log_hvad = _lazy("Borger i administrationen")
    log_changelist = False

    def log_poster(self, obj: Borger) -> list[Post]:
        poster: list[Post] = [(obj.pk, ("borger", obj.pk))]
        relationer = Relation.objects.filter(Q(borger=obj) | Q(person=obj))
        for pk, borger_id, person_id in relationer.values_list("pk", "borger_id", "person_id"):
            anden = person_id if borger_id == obj.pk else borger_id
            poster.append((anden, ("relation", pk)))
        return poster

    def _tilladelser_logget(self, visning, request, object_pk, *args) -> HttpResponse:
        # guardian's object-permission pages render at once: log inside the same transaction.
        with transaction.atomic(using=router.db_for_write(self.model)):
            response = visning(request, object_pk, *args)
            if response.status_code == 200:
                obj = self.get_object(request, unquote(object_pk))
                if obj is not None:
                    self.log_objekt(request, obj)
        return response

    def obj_perms_manage_view(self, request, object_pk):
        return self._tilladelser_logget(super().obj_perms_manage_view, request, object_pk)

    def obj_perms_manage_user_view(self, request, object_pk, user_id):
        return self._tilladelser_logget(
            super().obj_perms_manage_user_view, request, object_pk, user_id
        )

    def obj_perms_manage_group_view(self, request, object_pk, group_id):
        return self._tilladelser_logget(
            super().obj_perms_manage_group_view, request, object_pk, group_id
        )


class LoggetRelationAdmin(LogAdgangMixin, RelationAdmin):
    """Relations (pårørende, værge, fuldmagt) belong to both people: both get an entry."""

    log_hvad = _lazy("Relation i administrationen")

    def log_poster(self, obj: Relation) -> list[Post]:
        return [(obj.borger_id, ("relation", obj.pk)), (obj.person_id, ("relation", obj.pk))]


admin.site.unregister(Borger)
admin.site.register(Borger, LoggetBorgerAdmin)
admin.site.unregister(Relation)
admin.site.register(Relation, LoggetRelationAdmin)
