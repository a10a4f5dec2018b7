"""Load the demo: code systems, organisation, staff, citizens, their conditions,
interventions and consents, and the demo logins."""

from __future__ import annotations

import time

from django.apps import apps
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from demo.byg import byg_demo

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
            help="Gang antallet af borgere og medarbejdere (1: ca. 100 borgere; 0.1 til test, "
            "10 til benchmarks).",
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
        interactive: bool, **options,
    ):  # fmt: skip
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
