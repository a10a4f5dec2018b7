"""`manage.py adgangslog_partitioner`: create the access log's coming monthly partitions and
delete the months older than the retention setting (docs/adgang.md)."""

from django.core.management.base import BaseCommand

from samtykke.adgangslog import adgangslog_vedligehold, partitioner


class Command(BaseCommand):
    help = (
        "Opretter adgangsloggens månedspartitioner forud og sletter hele måneder ældre end "
        "ADGANGSLOG_OPBEVARING_MAANEDER (0: intet slettes)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--forud", type=int, default=None, help="måneder forud")
        parser.add_argument(
            "--opbevaring", type=int, default=None, help="måneder der opbevares (0: alle)"
        )

    def handle(self, *args, forud, opbevaring, **options):
        v = adgangslog_vedligehold(forud=forud, opbevaring=opbevaring)
        for navn in v.oprettet:
            self.stdout.write(f"Oprettede {navn}")
        for navn in v.slettet:
            self.stdout.write(f"Slettede {navn}")
        if v.slettet:
            self.stdout.write(f"{v.ankre} ankre gemt, så kæderne stadig kan verificeres.")
        navne = [n for n, _ in partitioner()]
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(navne)} partitioner: {navne[0] if navne else '-'} … "
                f"{navne[-1] if navne else '-'}"
            )
        )
