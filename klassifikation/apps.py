from django.apps import AppConfig


class KlassifikationConfig(AppConfig):
    name = "klassifikation"
    verbose_name = "Klassifikation"
