"""Write export folders of simulated fagsystem traffic for the MOX agent to send."""

from __future__ import annotations

import datetime
import shlex
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from demo.simulator import STANDARD_SLUTDATO, simuler
from demo.simulator.katalog import KatalogMangler
from demo.simulator.systemer import SYSTEMER


class Command(BaseCommand):
    help = (
        "Simulerer fagsystemer (omsorg, social, jobcenter, regional psykiatri) og skriver en "
        "eksportmappe pr. system med realistiske MOX-beskeder (JSON og CSV), som MOX-agenten "
        "sender: python -m mox.agent send --mappe DIR/omsorg …, og hvordan hvert system "
        "registreres for sine enheder (mox_system_opret --enhed). Bruger de importerede "
        "FSIII/FFB-klasser og eksisterende enheder og borgere; mangler de, oprettes de i "
        "databasen. Samme --seed giver samme filer."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mappe", required=True, type=Path, help="hvor mapperne skrives")
        parser.add_argument("--borgere", type=int, default=100, help="antal borgere (standard 100)")
        parser.add_argument(
            "--beskeder", type=int, default=5000, help="antal beskeder i alt (standard 5000)"
        )
        parser.add_argument("--seed", type=int, default=1, help="frø (standard 1)")
        parser.add_argument(
            "--system",
            choices=[*SYSTEMER, "alle"],
            default="alle",
            help="hvilket fagsystem (standard alle)",
        )
        parser.add_argument(
            "--slutdato",
            type=datetime.date.fromisoformat,
            default=STANDARD_SLUTDATO,
            help=f"sidste dag i den simulerede periode på to år (standard {STANDARD_SLUTDATO})",
        )

    def handle(self, *args, mappe, borgere, beskeder, seed, system, slutdato, **options):
        if borgere < 1 or beskeder < 0:
            raise CommandError("--borgere skal være mindst 1 og --beskeder mindst 0.")
        if slutdato > timezone.localdate():
            raise CommandError(
                "--slutdato må ikke ligge i fremtiden (virkning i fremtiden afvises)."
            )
        systemer = list(SYSTEMER) if system == "alle" else [system]
        try:
            r = simuler(
                mappe=mappe,
                borgere=borgere,
                beskeder=beskeder,
                seed=seed,
                systemer=systemer,
                slutdato=slutdato,
                log=self.stderr.write,
            )
        except KatalogMangler as e:
            raise CommandError(str(e)) from None
        for s in r.systemer:
            typer = ", ".join(f"{n} {t}" for t, n in sorted(s.pr_type.items()))
            self.stdout.write(
                f"{s.system}: {s.beskeder} beskeder i {len(s.filer)} filer i {s.mappe} "
                f"(enheder: {', '.join(s.enheder)}; {typer})"
            )
            # a system writes only for its units: register it for the ones it names
            self.stdout.write(
                "  registrér systemet: python manage.py mox_system_opret "
                + shlex.join(s.registrering(f"Simuleret {s.system}"))
                + f" > {s.system}-noegler.json"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{r.beskeder} beskeder om {r.borgere} borgere (seed {seed}); "
                f"{r.borgere_oprettet} borgere og {r.enheder_oprettet} enheder oprettet "
                "i databasen."
            )
        )
