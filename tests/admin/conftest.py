"""Fixtures and helpers for the admin tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def su_client(client, django_user_model):
    """A client logged in as a superuser (the administrator the admin is built for)."""
    user = django_user_model.objects.create_superuser("su", "su@example.org", None)
    client.force_login(user)
    return client


def formdata(response) -> dict:
    """Return the POST data a browser would send back for an admin form as it was rendered."""
    data: dict = {}

    def tilfoej(form) -> None:
        for felt in form:
            vaerdi = felt.value()
            if vaerdi is None or vaerdi is False:
                continue
            if vaerdi is True:
                data[felt.html_name] = "on"
            elif isinstance(vaerdi, list | tuple):
                data[felt.html_name] = [str(v) for v in vaerdi]
            else:
                data[felt.html_name] = str(vaerdi)

    tilfoej(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        tilfoej(inline.formset.management_form)
        for form in inline.formset.forms:
            tilfoej(form)
    return data
