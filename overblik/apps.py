from django.apps import AppConfig


class OverblikConfig(AppConfig):
    name = "overblik"
    verbose_name = "Overblik"
