from django.apps import AppConfig


class MoxConfig(AppConfig):
    name = "mox"
    verbose_name = "MOX-integration"

    def ready(self) -> None:
        from mox import receivers  # noqa: F401  (connects besked_modtaget to the workers)
        from mox.udgaaende import receivers as _r  # noqa: F401  (outbound notifications)
        from mox.udgaaende import tasks as _t  # noqa: F401  (their tasks, for the workers)
