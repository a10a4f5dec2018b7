from django.apps import AppConfig


class MoxConfig(AppConfig):
    name = "mox"
    verbose_name = "MOX-integration"
