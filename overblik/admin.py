"""The case index's admin (sagsindeks.admin) with the logging all citizen data has.

sagsindeks sits below samtykke and cannot write the access log itself, so its SagAdmin is
registered again here on top of samtykke.admin's BorgerdataAdmin: read-only, CPR numbers
kept out of URLs and searches, and every page that shows a citizen's cases writes
access-log entries (grundlag administration) in the transaction that reads them.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _lazy

from sagsindeks.admin import SagAdmin
from sagsindeks.models import Sag
from samtykke.admin import BorgerdataAdmin, LivscyklusFilter


class LoggetSagAdmin(BorgerdataAdmin, SagAdmin):
    log_hvad = _lazy("Sagsindeks i administrationen")
    list_filter = ["aktiv", "fremdrift", LivscyklusFilter, "kildesystem"]


admin.site.unregister(Sag)
admin.site.register(Sag, LoggetSagAdmin)
