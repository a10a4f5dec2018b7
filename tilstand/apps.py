from django.apps import AppConfig


class TilstandConfig(AppConfig):
    name = "tilstand"
    verbose_name = "Tilstande"
