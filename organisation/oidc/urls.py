"""/oidc/<provider>/authenticate/ and /oidc/<provider>/callback/ for each provider."""

from django.urls import path

from organisation.oidc import UDBYDERE, views

app_name = "oidc"

urlpatterns = [
    route
    for udbyder in UDBYDERE
    for route in (
        path(
            f"{udbyder}/authenticate/",
            views.OidcStart.as_view(udbyder=udbyder),
            name=f"{udbyder}_authenticate",
        ),
        path(
            f"{udbyder}/callback/",
            views.OidcCallback.as_view(udbyder=udbyder),
            name=f"{udbyder}_callback",
        ),
    )
]
