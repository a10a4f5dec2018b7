"""Import FHIR CodeSystems, CodeSystem supplements and ConceptMaps into klassifikation."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from klassifikation.importer import STANDARD_MAPPE, klassifikation_import


class Command(BaseCommand):
    help = (
        "Importér FHIR CodeSystem-, supplement- og ConceptMap-filer (JSON) til "
        "klassifikationerne. Mapper bidrager med deres *.json-filer; kodesystemer importeres "
        "før supplementer og ConceptMaps. Alt eller intet: er én fil forkert, importeres "
        "ingen. At importere de samme filer igen ændrer intet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "stier", nargs="*", type=Path, metavar="STI", help="Filer eller mapper."
        )
        parser.add_argument(
            "--standard",
            action="store_true",
            help="Importér de medfølgende kodesystemer (klassifikation/data/).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Importér også en version, der er ældre end den allerede importerede.",
        )
        parser.add_argument("--quiet", action="store_true", help="Vis ingen fremdriftslinje.")

    def handle(self, *args, stier: list[Path], standard: bool, force: bool, quiet: bool, **options):
        if standard:
            stier = [STANDARD_MAPPE, *stier]
        if not stier:
            raise CommandError("Angiv mindst én fil eller mappe, eller brug --standard.")
        # The bar goes to stderr, so only a terminal there gets one.
        vis_bar = not quiet and options["verbosity"] > 0 and sys.stderr.isatty()
        with tqdm(
            total=0, unit=" begreber", disable=not vis_bar, leave=False, file=sys.stderr
        ) as bar:

            def fremskridt(faerdige: int, i_alt: int) -> None:
                bar.total = i_alt
                bar.update(faerdige - bar.n)

            try:
                resultater = klassifikation_import(stier=stier, force=force, fremskridt=fremskridt)
            except ValidationError as e:
                raise CommandError(
                    "Intet er importeret:\n" + "\n".join(f"  {besked}" for besked in e.messages)
                ) from e
        if options["verbosity"] > 0:
            for resultat in resultater:
                self.stdout.write(resultat.opsummering())
