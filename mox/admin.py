"""Admin for MOX: sending systems (keys shown once) and the inbox (read-only, except that an
administrator may correct a failed message's data and replay it).

A message's page shows its data (CPR numbers cut to the birth date, note texts) because
the operator must read and correct a failed message to replay it; so each citizen the
message names is written to the access log (grundlag administration) when the page is
shown, as every admin page with citizen data does (samtykke.admin.faelles). The list
shows metadata only and logs nothing."""

from __future__ import annotations

import contextlib
import json
import re
import uuid

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q
from django.template.response import TemplateResponse
from django.utils.html import format_html

from mox import services, validering
from mox.behandling import koe
from mox.models import Besked, System
from mox.protokol import Status
from mox.udgaaende.admin import AbonnementInline  # also registers the outbound admin
from organisation.models import Borger
from samtykke.admin.faelles import LogAdgangMixin

CPR_URN = re.compile(r"(urn:dk:cpr:person:\d{6})\d{4}")
HEL_CPR_URN = re.compile(r"urn:dk:cpr:person:(\d{10})")
MASKERET_URN = re.compile(r"(urn:dk:cpr:person:\d{6})-\*{4}\Z")


def _strenge(vaerdi, funktion):
    """Return `vaerdi` with `funktion` applied to every string in it (keys stay)."""
    if isinstance(vaerdi, dict):
        return {k: _strenge(v, funktion) for k, v in vaerdi.items()}
    if isinstance(vaerdi, list):
        return [_strenge(v, funktion) for v in vaerdi]
    return funktion(vaerdi) if isinstance(vaerdi, str) else vaerdi


def borgere_i(data) -> list:
    """Return the ids of the known citizens a message's data names (by CPR urn, or by
    uuid in a Person relation), in a stable order."""
    cprs: set[str] = set()
    ids: set[uuid.UUID] = set()

    def gennemgaa(vaerdi) -> None:
        if isinstance(vaerdi, dict):
            if str(vaerdi.get("objekttype", "")).lower() == "person":
                with contextlib.suppress(ValueError):
                    ids.add(uuid.UUID(str(vaerdi.get("uuid"))))
            for v in vaerdi.values():
                gennemgaa(v)
        elif isinstance(vaerdi, list):
            for v in vaerdi:
                gennemgaa(v)
        elif isinstance(vaerdi, str):
            cprs.update(HEL_CPR_URN.findall(vaerdi))

    gennemgaa(data)
    if not cprs and not ids:
        return []
    return sorted(
        Borger.objects.filter(Q(cpr__in=cprs) | Q(pk__in=ids)).values_list("pk", flat=True),
        key=str,
    )


def maskeret(data):
    """Return message data with every CPR number cut to its birth date."""
    return _strenge(data, lambda s: CPR_URN.sub(r"\1-****", s))


class BeskedDataForm(forms.ModelForm):
    """Edit a failed message's data with CPR numbers masked; a masked number that was in
    the message before is put back in full when saved."""

    data = forms.JSONField(
        label="data (CPR-numre maskeret)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 30, "cols": 100, "spellcheck": "false"}),
        help_text=(
            "Ret beskedens OIO-objekt. Et maskeret CPR-nummer (fx "
            "urn:dk:cpr:person:010150-****) beholder det fulde nummer fra beskeden. "
            "Når du gemmer, behandles beskeden igen."
        ),
    )

    class Meta:
        model = Besked
        fields = ["data"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["data"] = maskeret(self.instance.data)

    def clean_data(self):
        fulde: dict[str, set[str]] = {}

        def saml(s: str) -> str:
            for m in CPR_URN.finditer(s):
                fulde.setdefault(m.group(1), set()).add(m.group(0))
            return s

        _strenge(self.instance.data, saml)
        ukendte = []

        def afmasker(s: str) -> str:
            m = MASKERET_URN.match(s)
            if m is None:
                return s
            kandidater = fulde.get(m.group(1), set())
            if len(kandidater) != 1:
                ukendte.append(s)
                return s
            return next(iter(kandidater))

        data = _strenge(self.cleaned_data["data"], afmasker)
        if ukendte:
            raise forms.ValidationError(
                "Et maskeret CPR-nummer findes ikke entydigt i beskeden; skriv hele nummeret."
            )
        b = self.instance
        konvolut = {
            "beskedID": str(b.besked_id),
            "beskedversion": b.beskedversion,
            "beskedtype": b.beskedtype,
            "objekttype": b.objekttype,
            "operation": b.operation,
            "objektID": str(b.objekt_id),
        }
        if data is not None:
            konvolut["data"] = data
        fundne = validering.valider(konvolut)
        if fundne:
            raise forms.ValidationError([f"{f['felt']}: {f['fejl']}" for f in fundne])
        return data


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
    list_display = ["navn", "uuid", "enhed", "aktiv", "oprettet", "antal_beskeder"]
    list_filter = ["aktiv"]
    list_select_related = ["enhed"]
    search_fields = ["navn"]
    fields = [
        "navn",
        "aktiv",
        "enhed",
        "enheder",
        "webhook_url",
        "uuid",
        "oprettet",
        "oprettet_af",
    ]
    readonly_fields = ["uuid", "oprettet", "oprettet_af"]
    # the units it writes for (samtykke.policy.system): its own and those added here
    raw_id_fields = ["enhed", "enheder"]
    actions = ["forny_noegler"]
    # a webhook typed without a scheme is https (Django 6's default; silences its warning)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_inlines(self, request, obj):
        # The subscriptions (read-only) on an existing system; the add page stays as it was.
        return [AbonnementInline] if obj is not None else []

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
        token, secret = services.system_renew_keys(system=system, actor=request.user)
        return noegle_side(request, system, token, secret)


@admin.register(Besked)
class BeskedAdmin(LogAdgangMixin, admin.ModelAdmin):
    # a message's page names its citizens (data, notes): one log entry per citizen shown
    log_hvad = "MOX-besked i indbakken (data og fejl)"
    log_changelist = False  # the list shows metadata only

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
    actions = ["behandl_igen"]

    def log_poster(self, obj: Besked):
        return [(borger_id, ("besked", obj.pk)) for borger_id in borgere_i(obj.data)]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Only a failed message can be corrected (its data) and replayed.
        if obj is not None and obj.status != Status.FEJLET:
            return False
        return super().has_change_permission(request, obj)

    def _kan_rettes(self, request, obj) -> bool:
        return obj is not None and self.has_change_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if self._kan_rettes(request, obj):
            kwargs["form"] = BeskedDataForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if self._kan_rettes(request, obj):
            return [*self.fields[:-1], "data"]
        return self.fields

    def get_readonly_fields(self, request, obj=None):
        if self._kan_rettes(request, obj):
            return self.fields[:-1]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        obj.save(update_fields=["data"])
        koe.besked_behandl_igen(besked_ids=[obj.pk], actor=request.user)

    def response_change(self, request, obj):
        obj.refresh_from_db(fields=["status"])
        self.message_user(request, f"Beskeden er rettet og sat til behandling ({obj.status}).")
        return super().response_change(request, obj)

    @admin.action(description="Behandl igen (kun fejlede beskeder)", permissions=["change"])
    def behandl_igen(self, request, queryset):
        antal = koe.besked_behandl_igen(
            besked_ids=queryset.values_list("pk", flat=True), actor=request.user
        )
        self.message_user(request, f"{antal} fejlede beskeder er sat til behandling igen.")

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
