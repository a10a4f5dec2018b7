from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from datadeling.core import views as core_views

urlpatterns = [
    path("", core_views.forside, name="forside"),
    path(
        "log-ind/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("log-ud/", auth_views.LogoutView.as_view(), name="logout"),
    path("begreber/", include("klassifikation.urls")),
    path("admin/", admin.site.urls),
]
