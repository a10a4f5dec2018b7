"""The case index moved to the sagsindeks app: drop its models from overblik's state.

sagsindeks 0001_initial has taken over the tables, their rows and their content types;
nothing happens in the database here.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('overblik', '0001_sagsindeks'),
        ('sagsindeks', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='SagRegistrering'),
                migrations.DeleteModel(name='Sag'),
            ],
            database_operations=[],
        ),
    ]
