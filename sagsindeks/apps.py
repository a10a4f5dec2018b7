from django.apps import AppConfig


class SagsindeksConfig(AppConfig):
    name = "sagsindeks"
    verbose_name = "Sagsindeks"
