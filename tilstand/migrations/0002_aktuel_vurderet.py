"""The visibility index: current conditions newest assessment first (docs/ydelse.md).

Built CONCURRENTLY, so a large table keeps taking writes while it is built.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("klassifikation", "0002_import_kilder"),
        ("organisation", "0004_funktion_godkendelse_og_spor"),
        ("tilstand", "0001_initial"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="tilstand",
            index=models.Index(
                models.OrderBy(models.F("vurderet"), descending=True),
                models.F("id"),
                condition=models.Q(("aktiv", True)),
                name="tilstand_aktuel_vurderet",
            ),
        ),
    ]
