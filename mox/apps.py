from django.apps import AppConfig


class MoxConfig(AppConfig):
    name = "mox"
    verbose_name = "MOX-integration"

    def ready(self) -> None:
        from datadeling.core import hooks
        from mox import receivers  # noqa: F401  (connects beskeder_klar to the workers)
        from mox.udgaaende import receivers as udgaaende
        from mox.udgaaende import tasks as _t  # noqa: F401  (their tasks, for the workers)

        # the outbound notifications, after the grants (hooks order the stages)
        hooks.registrer(
            hooks.Trin.UDBAKKE, udgaaende.skriv_notifikationer, sendere=udgaaende.SENDERE
        )
        # a message in a conversation: metadata only, to systems subscribed to `dialog`
        from dialog.models import Besked

        hooks.registrer(
            hooks.Trin.UDBAKKE, udgaaende.skriv_dialog_notifikationer, sendere=(Besked,)
        )
