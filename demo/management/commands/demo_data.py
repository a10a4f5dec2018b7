"""Load the demo: code systems, organisation, staff, citizens, their conditions,
interventions and consents, and the demo logins."""

from __future__ import annotations

import resource
import time

from django.apps import apps
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from demo.byg import byg_demo
from demo.masse import SKABELONER, byg_masse

# Kept by --nulstil: the code systems (imported the same way every time, and slow to import)
# and what migrations themselves wrote.
BEHOLD_APPS = {"klassifikation", "contenttypes", "auth.Permission"}
BEHOLD_TABELLER = {"django_migrations", "django_content_type", "auth_permission"}


def nulstil_demo() -> int:
    """Empty every table but the code systems' and the migrations' own, in one statement
    (TRUNCATE: the access log's append-only trigger guards rows, not the demo's reset)."""
    behold = set(BEHOLD_TABELLER)
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in BEHOLD_APPS:
            behold.add(model._meta.db_table)
    tabeller = [
        t for t in connection.introspection.django_table_names(only_existing=True)
        if t not in behold
    ]  # fmt: skip
    with connection.cursor() as c:
        # deferred foreign-key checks of this transaction's own writes first: TRUNCATE
        # refuses a table with pending trigger events
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        c.execute("TRUNCATE " + ", ".join(connection.ops.quote_name(t) for t in sorted(tabeller)))
        c.execute("SET CONSTRAINTS ALL DEFERRED")  # as Django's foreign keys begin
    return len(tabeller)


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
            help="Gang antallet af borgere og medarbejdere (1: 100 borgere; 0.1 til test). Over 1 "
            "bygges de første 100 som ved 1, og resten kopieres af dem med COPY (1000: 100.000 "
            "borgere på få minutter, til belastningstest).",
        )
        parser.add_argument(
            "--borgere",
            type=int,
            default=None,
            help="Antal genererede borgere (det samme som --scale borgere/100).",
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Frø for de genererede personer (standard 1)."
        )
        parser.add_argument(
            "--nulstil",
            action="store_true",
            help="Slet først alt andet end kodesystemerne (borgere, medarbejdere, data, "
            "samtykker, adgangslog, sessioner) og byg demoen forfra: demoens starttilstand.",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Spørg ikke, før --nulstil sletter.",
        )
        parser.add_argument(
            "--uden-klassifikation",
            action="store_true",
            help="Spring importen af kodesystemer over (de skal allerede være importeret).",
        )

    def handle(
        self, *args, scale: float, seed: int, uden_klassifikation: bool, nulstil: bool,
        interactive: bool, borgere: int | None, **options,
    ):  # fmt: skip
        if borgere is not None:
            scale = borgere / SKABELONER
        if scale <= 0:
            raise CommandError("--scale skal være større end 0.")
        if nulstil:
            if (
                interactive
                and input(
                    "Alt i databasen undtagen kodesystemerne slettes. Skriv 'ja' for at fortsætte: "
                )
                != "ja"
            ):
                raise CommandError("Afbrudt: intet er slettet.")
            antal = nulstil_demo()
            self.stdout.write(f"Databasen er tømt ({antal} tabeller); demoen bygges forfra.")
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
        resultat = byg_demo(scale=min(scale, 1.0), seed=seed, log=self.stderr.write)
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
        if scale > 1:
            masse = byg_masse(antal=round(scale * SKABELONER), seed=seed, log=self.stderr.write)
            kopier = ", ".join(
                f"{n} {label.split('.')[1]}" for label, n in masse.raekker.items() if n
            )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Kopierede borgere: {masse.borgere} nye ({masse.sprunget_over} fandtes), "
                    f"{masse.medarbejdere} nye medarbejdere (masse-<enhed>-<n>, adgangskode "
                    f"som demoen), rækker: {kopier or 'ingen'} "
                    f"({time.monotonic() - slut:.1f} s)."
                )
            )
        # ru_maxrss is in KiB on Linux: the command's own peak resident memory
        top = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(f"Højeste RSS: {top:.0f} MiB")
