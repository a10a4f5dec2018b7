from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "datadeling.core"
    label = "core"
    verbose_name = "Fælles"
