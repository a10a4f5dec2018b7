from django.apps import AppConfig


class MoxConfig(AppConfig):
    name = "mox"
    verbose_name = "MOX-integration"

    def ready(self) -> None:
        from mox import receivers  # noqa: F401  (connects besked_modtaget to the workers)
