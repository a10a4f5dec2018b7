"""Print the demo logins, so whoever starts the demo knows how to log in."""

from __future__ import annotations

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from demo.byg import DEMO_ADGANGSKODE, DEMO_LOGINS
from organisation.models import Funktion


class Command(BaseCommand):
    help = "Viser demo-logins (brugernavn, adgangskode, hvem)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port",
            default=os.environ.get("PORT", "8000"),
            help="Den port, demoen kører på (standard: miljøvariablen PORT, ellers 8000).",
        )

    def handle(self, *args, port: str, **options):
        findes = set(
            get_user_model()
            .objects.filter(username__in=[d.brugernavn for d in DEMO_LOGINS], is_active=True)
            .values_list("username", flat=True)
        )
        raekker = [("Brugernavn", "Adgangskode", "Hvem")] + [
            (d.brugernavn, DEMO_ADGANGSKODE, f"{d.navn} – {d.beskrivelse}") for d in DEMO_LOGINS
        ]
        bredde = [max(len(r[i]) for r in raekker) for i in range(2)]
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(f"Demo-logins (http://127.0.0.1:{port}/)"))
        for nr, (brugernavn, kode, hvem) in enumerate(raekker):
            linje = f"  {brugernavn:<{bredde[0]}}  {kode:<{bredde[1]}}  {hvem}"
            if nr == 0:
                linje = self.style.MIGRATE_LABEL(linje)
            elif brugernavn not in findes:
                linje += "  (findes ikke endnu: kør manage.py demo_data)"
            self.stdout.write(linje)
        administratorer = sorted(
            set(
                Funktion.objects.administratorer()
                .filter(medarbejder__user__username__in=findes)
                .values_list("medarbejder__user__username", flat=True)
            )
        )
        if administratorer:
            self.stdout.write("")
            self.stdout.write(
                "  Administrator-login: "
                + ", ".join(administratorer)
                + " (/admin/). Giver roller i myndighedens enheder; en administrators egne "
                "roller træder først i kraft, når en anden administrator har godkendt dem."
            )
        self.stdout.write("")
