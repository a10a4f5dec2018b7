"""`manage.py verificer_adgangslog`: check every citizen's access-log chain and name breaks."""

import resource
import time

from django.core.management.base import BaseCommand, CommandError

from samtykke.adgangslog import verificer
from samtykke.models import Adgangslog


class Command(BaseCommand):
    help = "Kontrollerer adgangsloggens hash-kæder og nævner den første brudte post pr. borger."

    def handle(self, *args, **options):
        start = time.perf_counter()
        brud = list(verificer())
        antal = Adgangslog.objects.count()
        sekunder = time.perf_counter() - start
        # peak resident memory of this process (KiB on Linux): flat, the entries stay in SQL
        top = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        maalt = f"{sekunder:.1f} s, top RSS {top:.0f} MiB"
        if not brud:
            self.stdout.write(
                self.style.SUCCESS(f"Adgangsloggen er intakt: {antal} poster ({maalt}).")
            )
            return
        for b in brud:
            # The citizen is named by uuid, never by CPR.
            post = f"post id {b.entry_id} " if b.entry_id is not None else ""
            self.stdout.write(
                f"BRUD: {post}(nr. {b.nummer} i borger {b.borger_id}'s log): {b.grund}"
            )
        raise CommandError(
            f"{len(brud)} brudt(e) kæde(r) i adgangsloggen ({antal} poster, {maalt})."
        )
