from django.apps import AppConfig


class SamtykkeConfig(AppConfig):
    name = "samtykke"
    verbose_name = "Samtykke og adgang"

    def ready(self) -> None:
        from samtykke import services  # noqa: F401  (connects the grant receivers)
