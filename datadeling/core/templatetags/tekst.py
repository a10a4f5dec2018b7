"""The date filters every template has (a builtin): `{{ d|dato }}`, `{{ t|tidspunkt }}`."""

from django import template

from datadeling.core import tekst

register = template.Library()
register.filter("dato", tekst.dato)
register.filter("tidspunkt", tekst.tidspunkt)
