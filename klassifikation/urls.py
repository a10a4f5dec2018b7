from django.urls import path

from klassifikation import views

app_name = "klassifikation"

urlpatterns = [
    path("", views.soeg, name="soeg"),
    path("<uuid:pk>/", views.klasse, name="klasse"),
]
