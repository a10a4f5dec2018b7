"""Borger and Relation with every page about a citizen logged.

organisation registers its plain admins (organisation is on floor 1 and may not import
samtykke, where the access log lives); this is the one place that replaces them with the
logged ones, which extend them and change nothing else.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db import router, transaction
from django.db.models import Q
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _lazy

from organisation.admin import BorgerAdmin, RelationAdmin
from organisation.models import Borger, Relation
from samtykke.admin.faelles import LogAdgangMixin, Post


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
