from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from organisation.oidc import views as oidc_views
from overblik.views import forside as overblik_forside

# The admin's own name, in Danish like the rest (not "Django administration").
admin.site.site_header = _("Datadeling – administration")
admin.site.site_title = _("Datadeling – administration")
admin.site.index_title = _("Administration af Datadeling")

urlpatterns = [
    path("", overblik_forside.forside, name="forside"),
    path(
        "log-ind/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("log-ud/", oidc_views.LogUd.as_view(), name="logout"),
    path("oidc/", include("organisation.oidc.urls")),
    path("begreber/", include("klassifikation.urls")),
    path("mox/", include("mox.urls")),
    path("", include("overblik.urls")),
    path("admin/", admin.site.urls),
]
