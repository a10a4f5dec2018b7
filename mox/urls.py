from django.urls import path

from mox import views

app_name = "mox"

urlpatterns = [
    path("", views.dokumentation, name="dokumentation"),
    path("schema/besked.schema.json", views.schema, name="schema"),
    path("beskeder/", views.beskeder, name="beskeder"),
    # Without the slash too: a POST must never meet APPEND_SLASH's redirect.
    path("beskeder", views.beskeder),
    path("beskeder/<str:besked_id>/", views.besked, name="besked"),
    path("beskeder/<str:besked_id>", views.besked),
]
