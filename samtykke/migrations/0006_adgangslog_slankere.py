import django.db.models.deletion
from django.db import migrations, models

from samtykke.migrations._sql_0006 import SKRIV, SKRIV_0005, SLANKERE, SLANKERE_TILBAGE


class Migration(migrations.Migration):
    """A leaner write of the access log (_sql_0006 says why). Existing entries are kept as
    they are: no entry, hash or head changes, only a constraint, an index and the writing
    function. Building the partial index reads every month of the log once and holds up
    writers meanwhile (CREATE INDEX on a partitioned table cannot be CONCURRENTLY)."""

    dependencies = [
        ('organisation', '0004_funktion_godkendelse_og_spor'),
        ('samtykke', '0005_adgangslog_partitioner'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='adgangslog',
                    name='borger',
                    field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisation.borger', verbose_name='borger'),
                ),
                migrations.AlterField(
                    model_name='adgangslog',
                    name='handler_for',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisation.relation', verbose_name='handler for borgeren via'),
                ),
                migrations.AddIndex(
                    model_name='adgangslog',
                    index=models.Index(condition=models.Q(('handler_for__isnull', False)), fields=['handler_for'], name='adgangslog_handler_for'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(SLANKERE, reverse_sql=SLANKERE_TILBAGE),
                migrations.RunSQL(SKRIV, reverse_sql=SKRIV_0005),
            ],
        ),
    ]
