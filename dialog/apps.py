from django.apps import AppConfig


class DialogConfig(AppConfig):
    name = "dialog"
    verbose_name = "Dialog"

    def ready(self) -> None:
        from datadeling.core import hooks
        from dialog import haendelser
        from dialog.models import Besked

        # a new message is an event of the outbox, after mox's outbound metadata
        hooks.registrer(hooks.Trin.NOTIFIKATION, haendelser.skriv_ved_besked, sendere=(Besked,))
