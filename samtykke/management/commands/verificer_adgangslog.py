"""`manage.py verificer_adgangslog`: walk every citizen's access-log chain and name breaks."""

from django.core.management.base import BaseCommand, CommandError

from samtykke.adgangslog import verificer
from samtykke.models import Adgangslog


class Command(BaseCommand):
    help = "Kontrollerer adgangsloggens hash-kæder og nævner den første brudte post pr. borger."

    def handle(self, *args, **options):
        brud = list(verificer())
        antal = Adgangslog.objects.count()
        if not brud:
            self.stdout.write(self.style.SUCCESS(f"Adgangsloggen er intakt: {antal} poster."))
            return
        for b in brud:
            # The citizen is named by uuid, never by CPR.
            self.stdout.write(
                f"BRUD: post id {b.entry_id} (nr. {b.nummer} i borger {b.borger_id}'s log): "
                f"{b.grund}"
            )
        raise CommandError(f"{len(brud)} brudt(e) kæde(r) i adgangsloggen ({antal} poster).")
