"""Create a sending system and print its credentials as one line of JSON."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from mox import services


class Command(BaseCommand):
    help = (
        "Opretter et afsendende fagsystem til MOX og skriver én linje JSON: "
        '{"system": <uuid>, "token": …, "secret": …}. Token og hemmelighed vises kun her.'
    )

    def add_arguments(self, parser):
        parser.add_argument("navn", help="Systemets navn, fx 'Omsorgssystem Testrup'.")

    def handle(self, *args, **options):
        try:
            system, token, secret = services.system_opret(navn=options["navn"].strip())
        except ValidationError as fejl:
            beskeder = [b for liste in fejl.message_dict.values() for b in liste]
            raise CommandError(" ".join(beskeder)) from None
        linje = {"system": str(system.uuid), "token": token, "secret": secret}
        self.stdout.write(json.dumps(linje, ensure_ascii=False))
