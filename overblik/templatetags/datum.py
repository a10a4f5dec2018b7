"""Template filters for what belongs to a datum (the citizen's statements and voice)."""

from django import template

register = template.Library()


@register.filter
def hent(ordbog, noegle):
    """Return ordbog[noegle], or [] when it has none (`{{ d|hent:t.pk }}`)."""
    return (ordbog or {}).get(noegle, [])


@register.filter
def hent_en(ordbog, noegle):
    """Return ordbog[noegle], or None (`{{ d|hent_en:t.pk }}`)."""
    return (ordbog or {}).get(noegle)
