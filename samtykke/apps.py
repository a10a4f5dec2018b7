from django.apps import AppConfig


class SamtykkeConfig(AppConfig):
    name = "samtykke"
    verbose_name = "Samtykke og adgang"

    def ready(self) -> None:
        from datadeling.core import hooks
        from indsats.models import Indsats
        from samtykke import services
        from tilstand.models import Tilstand

        # grant rows for data that arrives after a consent, before anything after them
        hooks.registrer(
            hooks.Trin.TILDELING, services.tildel_ved_aendring, sendere=(Tilstand, Indsats)
        )
