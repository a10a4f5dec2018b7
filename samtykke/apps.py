from django.apps import AppConfig


class SamtykkeConfig(AppConfig):
    name = "samtykke"
    verbose_name = "Samtykke og adgang"
