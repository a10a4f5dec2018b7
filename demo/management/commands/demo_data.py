"""Load the demo: code systems, organisation, staff, citizens, their conditions,
interventions and consents, and the demo logins."""

from __future__ import annotations

import time

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.byg import byg_demo


class Command(BaseCommand):
    help = (
        "Indlæser demodata (idempotent): klassifikationer, Aarhus Kommune, Region Midtjylland "
        "og Familieretshuset med enheder og medarbejdere, borgere med pårørende, værger og "
        "fuldmagter, borgernes tilstande og indsatser med historik, samtykker og demo-logins. "
        "Samme --seed giver samme data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Gang antallet af borgere og medarbejdere (1: ca. 100 borgere; 0.1 til test, "
            "10 til benchmarks).",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Frø for de genererede personer (standard 1)."
        )
        parser.add_argument(
            "--uden-klassifikation",
            action="store_true",
            help="Spring importen af kodesystemer over (de skal allerede være importeret).",
        )

    def handle(self, *args, scale: float, seed: int, uden_klassifikation: bool, **options):
        if scale <= 0:
            raise CommandError("--scale skal være større end 0.")
        start = time.monotonic()
        if not uden_klassifikation:
            if "importer_klassifikation" in get_commands():
                call_command(
                    "importer_klassifikation",
                    "--standard",
                    stdout=self.stdout,
                    stderr=self.stderr,
                    verbosity=options["verbosity"],
                )
            else:
                self.stderr.write(
                    "importer_klassifikation findes ikke; fortsætter uden kodesystemer."
                )
        importeret = time.monotonic()
        resultat = byg_demo(scale=scale, seed=seed, log=self.stderr.write)
        slut = time.monotonic()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demodata klar (seed {seed}, scale {scale:g}): "
                f"{resultat.myndigheder} myndigheder, {resultat.enheder} enheder, "
                f"{resultat.medarbejdere} medarbejdere, {resultat.borgere} borgere, "
                f"{resultat.paaroerende} pårørende og værger, {resultat.relationer} relationer, "
                f"{resultat.tilstande} tilstande og {resultat.indsatser} indsatser "
                f"({resultat.registreringer} registreringer), {resultat.samtykker} samtykker, "
                f"{resultat.anmodninger} anmodninger, {resultat.hjemler} adgange på lovhjemmel "
                f"({importeret - start:.1f} s kodesystemer, {slut - importeret:.1f} s demodata)."
            )
        )
