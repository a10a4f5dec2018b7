from django.apps import AppConfig


class OverblikConfig(AppConfig):
    name = "overblik"
    verbose_name = "Overblik"

    def ready(self) -> None:
        from overblik.notifikation import tasks
        from samtykke.haendelser import haendelser_klar

        # events written by a change are fanned out after its commit
        haendelser_klar.connect(tasks.haendelser_klar, dispatch_uid="overblik_udfold")
        # who hears of a new message in a conversation and of a correction request
        from overblik.notifikation import modtagere

        modtagere.registrer()
