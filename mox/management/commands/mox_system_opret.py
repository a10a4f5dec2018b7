"""Create a sending system for a unit and print its credentials as one line of JSON."""

from __future__ import annotations

import json
import uuid

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from mox import services
from organisation.models import Enhed


def find_enhed(noegle: str) -> Enhed:
    """Return the unit named by its UUID or its brugervendtnøgle (the name it has in
    Datadeling: a unit delivered by MOX without enhedsnavn is named by it)."""
    noegle = noegle.strip()
    try:
        fundne = list(Enhed.objects.filter(pk=uuid.UUID(noegle)))
    except ValueError:
        fundne = list(Enhed.objects.filter(navn=noegle).order_by("pk")[:2])
    if not fundne:
        raise CommandError(f"Ingen enhed med UUID eller brugervendt nøgle {noegle!r}.")
    if len(fundne) > 1:
        raise CommandError(f"Flere enheder hedder {noegle!r}; angiv enhedens UUID.")
    return fundne[0]


class Command(BaseCommand):
    help = (
        "Opretter et afsendende fagsystem til MOX for en enhed og skriver én linje JSON: "
        '{"system": <uuid>, "token": …, "secret": …}. Token og hemmelighed vises kun her. '
        "Systemet må kun skrive borgerdata for sin enhed (og de enheder, der angives med "
        "flere --enhed eller tilføjes i administrationen)."
    )

    def add_arguments(self, parser):
        parser.add_argument("navn", help="Systemets navn, fx 'Omsorgssystem Testrup'.")
        parser.add_argument(
            "--enhed",
            action="append",
            default=[],
            metavar="ENHED",
            help=(
                "Enhedens UUID eller brugervendte nøgle. Den første er systemets enhed; "
                "gentag for flere enheder, systemet også må skrive for. Uden --enhed må "
                "systemet ikke skrive borgerdata."
            ),
        )

    def handle(self, *args, **options):
        enheder = [find_enhed(n) for n in options["enhed"]]
        try:
            system, token, secret = services.system_create(
                navn=options["navn"].strip(),
                enhed=enheder[0] if enheder else None,
                enheder=enheder[1:],
            )
        except ValidationError as fejl:
            beskeder = [b for liste in fejl.message_dict.values() for b in liste]
            raise CommandError(" ".join(beskeder)) from None
        linje = {"system": str(system.uuid), "token": token, "secret": secret}
        self.stdout.write(json.dumps(linje, ensure_ascii=False))
        if not enheder:
            self.stderr.write(
                "Systemet har ingen enhed og må ikke skrive borgerdata; giv det en enhed i "
                "administrationen eller opret det med --enhed."
            )
