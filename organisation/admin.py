"""Admin for authorities, units, staff, citizens and relations, built for an administrator.

A CPR number never reaches a URL: the citizen list shows it masked, searching by CPR in
the list is refused, and "Find borger ud fra CPR" takes it in a POST and redirects to the
citizen's page by UUID.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from guardian.admin import ReinforcedGuardedModelAdmin

from datadeling.core.models import gyldig_q
from klassifikation.admin import GyldigNuFilter, er_gyldig, faglighed_klasser
from organisation import services
from organisation.cpr import normalize_cpr, validate_cpr
from organisation.models import (
    Borger,
    Enhed,
    Funktion,
    FunktionHaendelse,
    FunktionStatus,
    Medarbejder,
    Myndighed,
    Omfang,
    Relation,
    RelationsType,
)
from organisation.selectors import administrerede_myndigheder

# Anything in a search box that could be a CPR number (with or without the dash).
CPR_AGTIG = re.compile(r"\d{6}\s*-?\s*\d{4}")


def ligner_cpr(tekst: str) -> bool:
    """Return whether a search term contains something that could be a CPR number."""
    return bool(CPR_AGTIG.search(tekst or ""))


class FaglighedFilter(admin.SimpleListFilter):
    """Filter on a profession from the profession code system (not on every class)."""

    title = _("faglighed")
    parameter_name = "faglighed"
    sti = "faglighed"

    def lookups(self, request, model_admin):
        return [(str(k.pk), k.titel) for k in faglighed_klasser().only("id", "titel")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{f"{self.sti}__pk": self.value()})
        return queryset


class MedarbejderFaglighedFilter(FaglighedFilter):
    sti = "funktioner__faglighed"


# --- myndighed ------------------------------------------------------------------------


@admin.register(Myndighed)
class MyndighedAdmin(admin.ModelAdmin):
    list_display = ["navn", "type", "kommunekode", "cvr", "antal_enheder", "antal_medarbejdere"]
    list_filter = ["type"]
    search_fields = ["navn", "kommunekode", "cvr"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _antal_enheder=Count("enheder", distinct=True),
                _antal_medarbejdere=Count("medarbejdere", distinct=True),
            )
        )

    @admin.display(description=_("enheder"), ordering="_antal_enheder")
    def antal_enheder(self, obj: Myndighed) -> int:
        return obj._antal_enheder

    @admin.display(description=_("medarbejdere"), ordering="_antal_medarbejdere")
    def antal_medarbejdere(self, obj: Myndighed) -> int:
        return obj._antal_medarbejdere


# --- enhed ----------------------------------------------------------------------------


class EnhedForm(forms.ModelForm):
    class Meta:
        model = Enhed
        fields = ["myndighed", "navn", "overordnet", "enhedstype", "gyldig_fra", "gyldig_til"]

    def clean(self):
        cleaned = super().clean()
        overordnet, myndighed = cleaned.get("overordnet"), cleaned.get("myndighed")
        if overordnet and myndighed and overordnet.myndighed_id != myndighed.pk:
            self.add_error("overordnet", _("Den overordnede enhed skal høre til samme myndighed."))
        # A unit cannot sit below itself further up the tree.
        if overordnet and not self.instance._state.adding:
            seen = set()
            node = overordnet
            while node is not None and node.pk not in seen:
                if node.pk == self.instance.pk:
                    self.add_error(
                        "overordnet", _("En enhed kan ikke ligge under sin egen underenhed.")
                    )
                    break
                seen.add(node.pk)
                node = node.overordnet
        return cleaned


class UnderenhedInline(admin.TabularInline):
    model = Enhed
    fk_name = "overordnet"
    fields = ["navn", "enhedstype", "gyldig_fra", "gyldig_til"]
    extra = 0
    show_change_link = True
    verbose_name = _("underenhed")
    verbose_name_plural = _("underenheder")


@admin.register(Enhed)
class EnhedAdmin(ReinforcedGuardedModelAdmin):
    form = EnhedForm
    list_display = [
        "navn",
        "myndighed",
        "overordnet",
        "enhedstype",
        "gyldig_fra",
        "gyldig_til",
        "gyldig_nu",
    ]
    list_select_related = ["myndighed", "overordnet"]
    list_filter = ["myndighed", "enhedstype", GyldigNuFilter]
    search_fields = ["navn", "enhedstype", "myndighed__navn"]
    autocomplete_fields = ["myndighed", "overordnet"]
    fields = [
        "myndighed", "navn", "overordnet", "enhedstype", "gyldig_fra", "gyldig_til", "kildesystem",
    ]  # fmt: skip
    readonly_fields = ["kildesystem"]  # set by MOX: the system that delivered the unit
    inlines = [UnderenhedInline]

    @admin.display(description=_("gyldig nu"), boolean=True)
    def gyldig_nu(self, obj: Enhed) -> bool:
        return er_gyldig(obj)

    def save_formset(self, request, form, formset, change):
        if formset.model is Enhed:
            # A sub-unit belongs to its parent's authority.
            for instance in formset.save(commit=False):
                instance.myndighed = form.instance.myndighed
                instance.save()
            for obj in formset.deleted_objects:
                obj.delete()
            return
        super().save_formset(request, form, formset, change)


# --- medarbejder og funktion ----------------------------------------------------------


class FunktionInline(admin.TabularInline):
    """The staff member's roles, read-only: roles are given and changed on the Funktion
    pages, through organisation.services, so the rules and the trail always apply."""

    model = Funktion
    fk_name = "medarbejder"
    fields = ["enhed", "rolle", "faglighed", "gyldig_fra", "gyldig_til", "status"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("enhed", "faglighed")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MedarbejderForm(forms.ModelForm):
    """The staff profile, and on creation optionally a new login for it."""

    nyt_brugernavn = forms.CharField(
        label=_("Nyt brugernavn"),
        required=False,
        max_length=150,
        help_text=_("Opret et nyt login til medarbejderen i stedet for at vælge en bruger."),
    )
    adgangskode = forms.CharField(
        label=_("Adgangskode"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Tom: brugeren kan ikke logge ind med adgangskode (fx ved single sign-on)."),
    )

    class Meta:
        model = Medarbejder
        fields = ["navn", "titel", "myndighed", "email", "telefon", "user"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "user" in self.fields and self.instance._state.adding:
            self.fields["user"].required = False

    def clean(self):
        cleaned = super().clean()
        if not self.instance._state.adding or "user" not in self.fields:
            return cleaned
        user, brugernavn = cleaned.get("user"), cleaned.get("nyt_brugernavn")
        if user and brugernavn:
            self.add_error(
                "nyt_brugernavn", _("Vælg en eksisterende bruger eller opret en ny, ikke begge.")
            )
        elif not user and not brugernavn:
            self.add_error("user", _("Vælg en bruger, eller skriv et nyt brugernavn."))
        elif brugernavn:
            User = get_user_model()
            if User.objects.filter(username__iexact=brugernavn).exists():
                self.add_error("nyt_brugernavn", _("Brugernavnet er allerede i brug."))
            adgangskode = cleaned.get("adgangskode")
            if adgangskode:
                try:
                    password_validation.validate_password(
                        adgangskode, User(username=brugernavn, email=cleaned.get("email", ""))
                    )
                except ValidationError as error:
                    self.add_error("adgangskode", error)
        return cleaned


@admin.register(Medarbejder)
class MedarbejderAdmin(admin.ModelAdmin):
    form = MedarbejderForm
    list_display = ["navn", "titel", "brugernavn", "myndighed", "funktioner_visning", "email"]
    list_select_related = ["user", "myndighed"]
    list_filter = ["myndighed", "funktioner__rolle", MedarbejderFaglighedFilter]
    search_fields = ["navn", "titel", "email", "user__username", "funktioner__enhed__navn"]
    autocomplete_fields = ["user", "myndighed"]
    inlines = [FunktionInline]

    def get_fieldsets(self, request, obj=None):
        profil = ["navn", "titel", "myndighed", "email", "telefon"]
        login = ["user", "nyt_brugernavn", "adgangskode"] if obj is None else ["user"]
        return [(None, {"fields": profil}), (_("Login"), {"fields": login})]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "funktioner",
                    queryset=Funktion.objects.gaeldende().select_related("enhed"),
                    to_attr="aktive_funktioner",
                )
            )
        )

    @admin.display(description=_("brugernavn"), ordering="user__username")
    def brugernavn(self, obj: Medarbejder) -> str:
        return obj.user.get_username()

    @admin.display(description=_("funktioner nu"))
    def funktioner_visning(self, obj: Medarbejder) -> str:
        funktioner = getattr(obj, "aktive_funktioner", [])
        return "; ".join(f"{f.get_rolle_display()}, {f.enhed}" for f in funktioner) or "–"

    def save_model(self, request, obj: Medarbejder, form, change) -> None:
        brugernavn = form.cleaned_data.get("nyt_brugernavn")
        if not change and brugernavn and not obj.user_id:
            User = get_user_model()
            fornavn, _mellemrum, efternavn = obj.navn.rpartition(" ")
            user = User(
                username=brugernavn,
                email=obj.email,
                first_name=fornavn or obj.navn,
                last_name=efternavn if fornavn else "",
            )
            adgangskode = form.cleaned_data.get("adgangskode")
            if adgangskode:
                user.set_password(adgangskode)
            else:
                user.set_unusable_password()
            user.save()
            obj.user = user
        super().save_model(request, obj, form, change)


class FunktionForm(forms.ModelForm):
    """A role in a unit; who may give or change it is checked here, before anything is saved."""

    actor = None  # the request's user, set by FunktionAdmin.get_form

    class Meta:
        model = Funktion
        fields = ["medarbejder", "enhed", "rolle", "faglighed", "gyldig_fra", "gyldig_til"]

    def clean(self):
        cleaned = super().clean()
        # Before _post_clean: self.instance still holds the stored values.
        original = None if self.instance._state.adding else self.instance
        medarbejder = original.medarbejder if original else cleaned.get("medarbejder")
        enheder = [cleaned.get("enhed")]
        if original is not None:
            if original.status in (FunktionStatus.AFVIST, FunktionStatus.ERSTATTET):
                raise ValidationError(_("En afvist eller erstattet funktion kan ikke ændres."))
            enheder.append(original.enhed)
        try:
            for enhed in {e.pk: e for e in enheder if e is not None}.values():
                if medarbejder is not None and cleaned.get("rolle"):
                    services.funktion_tilladelse(
                        actor=self.actor,
                        medarbejder=medarbejder,
                        enhed=enhed,
                        rolle=cleaned["rolle"],
                    )
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


@admin.register(Funktion)
class FunktionAdmin(admin.ModelAdmin):
    """Roles, given, changed, ended, approved and refused only through organisation.services.

    An administrator of a unit's authority gives roles in it; one's own roles wait for a
    second administrator's approval (actions "Godkend" / "Afvis"). Nothing is deleted here:
    a role is ended ("Afslut"), and every change is in the role trail.
    """

    form = FunktionForm
    list_display = [
        "medarbejder",
        "rolle",
        "enhed",
        "myndighed",
        "faglighed",
        "gyldig_fra",
        "gyldig_til",
        "status",
        "gyldig_nu",
    ]
    list_select_related = ["medarbejder", "enhed__myndighed", "faglighed"]
    list_filter = ["status", "rolle", "enhed__myndighed", FaglighedFilter, GyldigNuFilter]
    search_fields = ["medarbejder__navn", "enhed__navn", "faglighed__titel"]
    autocomplete_fields = ["medarbejder", "enhed", "faglighed"]
    actions = ["godkend", "afvis", "afslut"]

    @admin.display(description=_("myndighed"), ordering="enhed__myndighed__navn")
    def myndighed(self, obj: Funktion) -> Myndighed:
        return obj.enhed.myndighed

    @admin.display(description=_("gyldig nu"), boolean=True)
    def gyldig_nu(self, obj: Funktion) -> bool:
        return er_gyldig(obj) and obj.status == FunktionStatus.GODKENDT

    def get_fields(self, request, obj=None):
        felter = ["medarbejder", "enhed", "rolle", "faglighed", "gyldig_fra", "gyldig_til"]
        return felter + (["status", "erstatter", "anmodet_af"] if obj is not None else [])

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["medarbejder", "status", "erstatter", "anmodet_af"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "faglighed":
            kwargs["queryset"] = faglighed_klasser()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        if obj is None:
            return True
        if obj.status not in (FunktionStatus.GODKENDT, FunktionStatus.AFVENTER):
            return False
        egen = obj.medarbejder.user_id == request.user.pk
        return egen or obj.enhed.myndighed_id in administrerede_myndigheder(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # ended, never deleted: see the "afslut" action

    def save_model(self, request, obj: Funktion, form, change) -> None:
        data = form.cleaned_data
        if change:
            aendringer = {f: data[f] for f in form.changed_data if f in services.FUNKTION_FELTER}
            resultat = services.funktion_change(
                actor=request.user,
                funktion=Funktion.objects.get(pk=obj.pk),
                aendringer=aendringer,
            )
        else:
            resultat = services.funktion_create(
                actor=request.user,
                medarbejder=data["medarbejder"],
                enhed=data["enhed"],
                rolle=data["rolle"],
                faglighed=data.get("faglighed"),
                gyldig_fra=data.get("gyldig_fra"),
                gyldig_til=data.get("gyldig_til"),
                funktion_id=obj.pk,
            )
        if resultat.status == FunktionStatus.AFVENTER:
            messages.warning(
                request,
                _(
                    "Funktionen afventer godkendelse af en anden administrator i %(myndighed)s "
                    "og giver ingen adgang før da."
                )
                % {"myndighed": resultat.enhed.myndighed.navn},
            )
        # The admin's message and log name what is stored (a request left the role as it was).
        obj.refresh_from_db()

    def _for_hver(self, request, queryset, handling, tekst) -> None:
        antal = 0
        for funktion in queryset.select_related("enhed__myndighed", "medarbejder"):
            try:
                handling(actor=request.user, funktion=funktion)
            except ValidationError as error:
                beskeder = "; ".join(m for ms in error.message_dict.values() for m in ms)
                messages.error(request, f"{funktion}: {beskeder}")
            else:
                antal += 1
        if antal:
            messages.success(request, tekst % {"antal": antal})

    @admin.action(description=_("Godkend valgte funktioner"))
    def godkend(self, request, queryset) -> None:
        self._for_hver(
            request, queryset, services.funktion_approve, _("%(antal)d funktion(er) godkendt.")
        )

    @admin.action(description=_("Afvis valgte funktioner"))
    def afvis(self, request, queryset) -> None:
        self._for_hver(
            request, queryset, services.funktion_refuse, _("%(antal)d funktion(er) afvist.")
        )

    @admin.action(description=_("Afslut valgte funktioner i dag"))
    def afslut(self, request, queryset) -> None:
        self._for_hver(
            request, queryset, services.funktion_end, _("%(antal)d funktion(er) afsluttet.")
        )


@admin.register(FunktionHaendelse)
class FunktionHaendelseAdmin(admin.ModelAdmin):
    """The role trail, read-only: it is written by organisation.services and never changed."""

    list_display = [
        "tidspunkt",
        "handling",
        "medarbejder_navn",
        "enhed_navn",
        "myndighed",
        "aktoer_navn",
    ]
    list_select_related = ["myndighed"]
    list_filter = ["handling", "myndighed"]
    search_fields = ["medarbejder_navn", "enhed_navn", "aktoer_navn"]
    date_hierarchy = "tidspunkt"
    fields = [
        "tidspunkt", "handling", "aktoer", "aktoer_navn", "funktion_uuid", "medarbejder_uuid",
        "medarbejder_navn", "myndighed", "enhed_uuid", "enhed_navn", "foer", "efter",
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- borger og relation ---------------------------------------------------------------


class RelationForm(forms.ModelForm):
    omfang = forms.TypedMultipleChoiceField(
        label=_("Omfang"),
        choices=Omfang.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Hvad værgemålet eller fuldmagten omfatter. Tom for pårørende."),
    )

    class Meta:
        model = Relation
        fields = [
            "borger",
            "type",
            "person",
            "beskrivelse",
            "omfang",
            "gyldig_fra",
            "gyldig_til",
        ]


class RelationInline(admin.StackedInline):
    model = Relation
    form = RelationForm
    fk_name = "borger"
    fields = [("type", "person", "beskrivelse"), "omfang", ("gyldig_fra", "gyldig_til")]
    autocomplete_fields = ["person"]
    extra = 0
    verbose_name = _("person omkring borgeren")
    verbose_name_plural = _("personer omkring borgeren (pårørende, værger, fuldmagter)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


class RelationTilInline(admin.TabularInline):
    model = Relation
    fk_name = "person"
    fields = ["borger", "type", "beskrivelse", "gyldig_fra", "gyldig_til"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name = _("borger, personen handler for")
    verbose_name_plural = _("borgere, personen er pårørende, værge eller fuldmægtig for")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("borger")


class HarLoginFilter(admin.SimpleListFilter):
    title = _("login")
    parameter_name = "login"

    def lookups(self, request, model_admin):
        return [("ja", _("Har login")), ("nej", _("Uden login"))]

    def queryset(self, request, queryset):
        if self.value() in ("ja", "nej"):
            return queryset.filter(user__isnull=self.value() == "nej")
        return queryset


class HarRelationFilter(admin.SimpleListFilter):
    """Citizens who have a relation of the type that is valid today."""

    title = _("har gyldig relation")
    parameter_name = "relation"

    def lookups(self, request, model_admin):
        return RelationsType.choices

    def queryset(self, request, queryset):
        if self.value() in RelationsType.values:
            relationer = Relation.objects.filter(
                gyldig_q(), borger=OuterRef("pk"), type=self.value()
            )
            return queryset.filter(Exists(relationer))
        return queryset


class CprOpslagForm(forms.Form):
    cpr = forms.CharField(
        label=_("CPR-nummer"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "autofocus": True}
        ),
        help_text=_("10 cifre, med eller uden bindestreg."),
    )

    def clean_cpr(self) -> str:
        cpr = normalize_cpr(self.cleaned_data["cpr"])
        validate_cpr(cpr)
        return cpr


@admin.register(Borger)
class BorgerAdmin(ReinforcedGuardedModelAdmin):
    list_display = ["navn", "cpr_maskeret", "adresse", "postnummer", "by", "har_login"]
    list_display_links = ["navn"]
    list_select_related = ["user"]
    list_filter = [HarRelationFilter, HarLoginFilter, "by"]
    # Never the CPR number: a search term ends up in the URL. See find_cpr_view.
    search_fields = ["fornavn", "efternavn", "adresse", "postnummer", "by"]
    autocomplete_fields = ["user"]
    ordering = ["efternavn", "fornavn"]
    inlines = [RelationInline, RelationTilInline]

    def get_fieldsets(self, request, obj=None):
        identitet = ["cpr"] if obj is None else ["cpr_maskeret"]
        return [
            (None, {"fields": [*identitet, ("fornavn", "efternavn")]}),
            (_("Adresse"), {"fields": ["adresse", ("postnummer", "by")]}),
            (_("Andet"), {"fields": ["doedsdato", "user"]}),
        ]

    def get_readonly_fields(self, request, obj=None):
        # Once created, the CPR number is shown masked; a wrong number is corrected by
        # creating the citizen again, not by editing it in a form that echoes it.
        return ["cpr_maskeret"] if obj is not None else []

    @admin.display(description=_("CPR-nummer"))
    def cpr_maskeret(self, obj: Borger) -> str:
        return format_html('<span style="white-space: nowrap">{}</span>', obj.cpr_maskeret)

    @admin.display(description=_("login"), boolean=True)
    def har_login(self, obj: Borger) -> bool:
        return obj.user_id is not None

    def lookup_allowed(self, lookup, value, request=None):
        if lookup == "cpr" or lookup.startswith("cpr__"):
            raise DisallowedModelAdminLookup(_("Der kan ikke filtreres på CPR-nummer i URL'en."))
        return super().lookup_allowed(lookup, value, request)

    def get_search_results(self, request, queryset, search_term):
        if ligner_cpr(search_term):
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)

    def changelist_view(self, request, extra_context=None):
        if ligner_cpr(request.GET.get("q", "")):
            messages.warning(
                request,
                _("Søg ikke efter CPR-nummer i listen. Brug “Find borger ud fra CPR”."),
            )
            params = request.GET.copy()
            del params["q"]
            url = request.path + (f"?{params.urlencode()}" if params else "")
            return HttpResponseRedirect(url)
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        egne = [
            path(
                "find-cpr/",
                self.admin_site.admin_view(self.find_cpr_view),
                name="{}_{}_find_cpr".format(*info),
            )
        ]
        return egne + super().get_urls()

    @method_decorator(require_http_methods(["GET", "POST"]))
    def find_cpr_view(self, request: HttpRequest) -> HttpResponse:
        """Find a citizen by a CPR number sent in a POST; redirect to their page by UUID."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        form = CprOpslagForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            borger = self.get_queryset(request).filter(cpr=form.cleaned_data["cpr"]).first()
            if borger is not None:
                url = reverse(
                    "admin:organisation_borger_change",
                    args=[borger.pk],
                    current_app=self.admin_site.name,
                )
                return HttpResponseRedirect(url)
            form.add_error("cpr", _("Der findes ingen borger med det CPR-nummer."))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Find borger ud fra CPR"),
            "opts": self.model._meta,
            "form": form,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/organisation/borger/find_cpr.html", context)


@admin.register(Relation)
class RelationAdmin(admin.ModelAdmin):
    form = RelationForm
    list_display = [
        "borger",
        "type",
        "person",
        "beskrivelse",
        "omfang_visning",
        "gyldig_fra",
        "gyldig_til",
        "gyldig_nu",
    ]
    list_select_related = ["borger", "person"]
    list_filter = ["type", GyldigNuFilter]
    search_fields = [
        "borger__fornavn",
        "borger__efternavn",
        "person__fornavn",
        "person__efternavn",
        "beskrivelse",
    ]
    autocomplete_fields = ["borger", "person"]
    fields = [("borger", "type", "person"), "beskrivelse", "omfang", ("gyldig_fra", "gyldig_til")]

    @admin.display(description=_("omfang"))
    def omfang_visning(self, obj: Relation) -> str:
        tekster = dict(Omfang.choices)
        return ", ".join(str(tekster.get(o, o)) for o in obj.omfang) or "–"

    @admin.display(description=_("gyldig nu"), boolean=True)
    def gyldig_nu(self, obj: Relation) -> bool:
        return er_gyldig(obj, timezone.localdate())

    def get_search_results(self, request, queryset, search_term):
        if ligner_cpr(search_term):
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)
