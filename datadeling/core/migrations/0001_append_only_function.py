from django.db import migrations

from datadeling.core.db import APPEND_ONLY_FUNCTION


class Migration(migrations.Migration):
    dependencies: list = []

    operations = [
        migrations.RunSQL(
            sql=APPEND_ONLY_FUNCTION,
            reverse_sql="DROP FUNCTION IF EXISTS datadeling_append_only();",
        )
    ]
