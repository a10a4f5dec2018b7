from django.apps import AppConfig


class SamtykkeConfig(AppConfig):
    name = "samtykke"
    verbose_name = "Samtykke og adgang"

    def ready(self) -> None:
        from datadeling.core import hooks
        from indsats.models import Indsats
        from samtykke import haendelser, services
        from samtykke.models import Berigtigelse
        from tilstand.models import Tilstand

        # grant rows for data that arrives after a consent, before anything after them
        hooks.registrer(
            hooks.Trin.TILDELING, services.tildel_ved_aendring, sendere=(Tilstand, Indsats)
        )
        # the event rows of the outbox, after the grants and the outbound MOX rows
        hooks.registrer(
            hooks.Trin.NOTIFIKATION, haendelser.skriv_ved_aendring, sendere=haendelser.SENDERE
        )
        # and for each step of a correction request
        hooks.registrer(
            hooks.Trin.NOTIFIKATION, haendelser.skriv_ved_berigtigelse, sendere=(Berigtigelse,)
        )
