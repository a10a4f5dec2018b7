"""Take over the case index's tables from overblik, rows and all.

Sag and SagRegistrering were created by overblik 0001_sagsindeks. This migration adds them
to sagsindeks's state on the tables overblik made, then renames the tables (and the
append-only trigger of the registrations) to sagsindeks_*, and moves the content types,
so permissions, admin log entries and object permissions keep pointing at the same models.
overblik 0002 then drops the models from overblik's state without touching the database.
The same chain builds a new database: overblik 0001 creates, this migration renames.

The primary key, foreign key and index names Django generated keep their overblik_ prefix;
Django finds those by column, never by name.
"""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models

MODELLER = ("sag", "sagregistrering")


def flyt_indholdstyper(fra: str, til: str):
    def flyt(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        for model in MODELLER:
            # A row for the new label exists only if something made it by hand; then the
            # old one is left alone rather than merged.
            if not ContentType.objects.using(db).filter(app_label=til, model=model).exists():
                ContentType.objects.using(db).filter(app_label=fra, model=model).update(
                    app_label=til
                )

    return flyt


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('organisation', '0003_kildesystem'),
        ('overblik', '0001_sagsindeks'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
            migrations.CreateModel(
                name='Sag',
                fields=[
                    ('id', models.UUIDField(default=uuid.uuid4, editable=False, help_text='Afsenderens objektID.', primary_key=True, serialize=False)),
                    ('kildesystem', models.CharField(help_text='Det system, der har sagen.', max_length=128, verbose_name='kildesystem')),
                    ('kildesystem_id', models.CharField(help_text='Sagens brugervendte nøgle.', max_length=255, verbose_name='id i kildesystemet')),
                    ('sagsnummer', models.CharField(blank=True, max_length=255, verbose_name='sagsnummer')),
                    ('titel', models.CharField(max_length=500, verbose_name='titel')),
                    ('kle_nummer', models.CharField(blank=True, help_text='Fx 27.24.00.', max_length=8, verbose_name='KLE-nummer')),
                    ('kle_klasse_uuid', models.UUIDField(blank=True, help_text='Sagens primærklasse, som afsenderen angav den.', null=True, verbose_name='KLE-klasse (uuid)')),
                    ('ansvarlig_enhed_uuid', models.UUIDField(blank=True, null=True, verbose_name='ansvarlig enhed (uuid)')),
                    ('ansvarlig_enhed_navn', models.CharField(blank=True, max_length=255, verbose_name='ansvarlig enhed (navn)')),
                    ('myndighed_uuid', models.UUIDField(blank=True, null=True, verbose_name='myndighed (uuid)')),
                    ('myndighed_navn', models.CharField(blank=True, max_length=255, verbose_name='myndighed (navn)')),
                    ('fremdrift', models.CharField(choices=[('Opstaaet', 'Opstået'), ('Oplyst', 'Oplyst'), ('Afgjort', 'Afgjort'), ('Bestilt', 'Bestilt'), ('Udfoert', 'Udført'), ('Afsluttet', 'Afsluttet')], max_length=16, verbose_name='fremdrift')),
                    ('primaerbehandler_uuid', models.UUIDField(blank=True, null=True, verbose_name='sagsbehandler (uuid)')),
                    ('primaerbehandler_navn', models.CharField(blank=True, max_length=255, verbose_name='sagsbehandler (navn)')),
                    ('startdato', models.DateField(verbose_name='startdato')),
                    ('slutdato', models.DateField(blank=True, null=True, verbose_name='slutdato')),
                    ('aktiv', models.BooleanField(default=True, verbose_name='aktiv')),
                    ('livscykluskode', models.CharField(choices=[('Opstaaet', 'Opstået'), ('Importeret', 'Importeret'), ('Rettet', 'Rettet'), ('Passiveret', 'Passiveret'), ('Slettet', 'Slettet')], max_length=16, verbose_name='livscykluskode')),
                    ('oprettet', models.DateTimeField(verbose_name='oprettet')),
                    ('opdateret', models.DateTimeField(verbose_name='opdateret')),
                    ('ansvarlig_enhed', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='sager', to='organisation.enhed', verbose_name='ansvarlig enhed')),
                    ('borger', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='sager', to='organisation.borger', verbose_name='borger')),
                    ('myndighed', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='sager', to='organisation.myndighed', verbose_name='myndighed')),
                    ('primaerbehandler', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='sager', to='organisation.medarbejder', verbose_name='sagsbehandler')),
                ],
                options={
                    'verbose_name': 'sag i sagsindekset',
                    'db_table': 'overblik_sag',
                    'verbose_name_plural': 'sagsindeks',
                    'ordering': ['-startdato', 'pk'],
                },
            ),
            migrations.CreateModel(
                name='SagRegistrering',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('nummer', models.PositiveIntegerField(verbose_name='nummer')),
                    ('tidspunkt', models.DateTimeField(db_index=True, verbose_name='registreret')),
                    ('livscykluskode', models.CharField(max_length=16, verbose_name='livscykluskode')),
                    ('aktoer_tekst', models.CharField(blank=True, help_text='Fx det fagsystem, der sendte oplysningen.', max_length=255, verbose_name='registreret af (system)')),
                    ('begrundelse', models.TextField(blank=True, verbose_name='begrundelse')),
                    ('data', models.JSONField(default=dict, verbose_name='metadata efter ændringen')),
                    ('aktoer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='registreret af')),
                    ('sag', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='registreringer', to='sagsindeks.sag', verbose_name='sag')),
                ],
                options={
                    'verbose_name': 'registrering af sag',
                    'db_table': 'overblik_sagregistrering',
                    'verbose_name_plural': 'registreringer af sager',
                    'ordering': ['nummer'],
                    'abstract': False,
                },
            ),
            migrations.AddIndex(
                model_name='sag',
                index=models.Index(fields=['borger', 'aktiv'], name='sag_borger_aktiv'),
            ),
            migrations.AddIndex(
                model_name='sag',
                index=models.Index(fields=['ansvarlig_enhed'], name='sag_ansvarlig_enhed'),
            ),
            migrations.AddConstraint(
                model_name='sag',
                constraint=models.CheckConstraint(condition=models.Q(('titel', ''), _negated=True), name='sag_titel_udfyldt', violation_error_message='En sag skal have en titel.'),
            ),
            migrations.AddConstraint(
                model_name='sag',
                constraint=models.CheckConstraint(condition=models.Q(models.Q(('kildesystem', ''), _negated=True), models.Q(('kildesystem_id', ''), _negated=True)), name='sag_kildesystem_udfyldt', violation_error_message='En sag skal have sit kildesystem og sit id dér.'),
            ),
            migrations.AddConstraint(
                model_name='sag',
                constraint=models.CheckConstraint(condition=models.Q(('kle_nummer', ''), ('kle_nummer__regex', '^[0-9]{2}(\\.[0-9]{2}){0,2}$'), _connector='OR'), name='sag_kle_format', violation_error_message='Et KLE-nummer har formen 27, 27.24 eller 27.24.00.'),
            ),
            migrations.AddConstraint(
                model_name='sag',
                constraint=models.CheckConstraint(condition=models.Q(('fremdrift__in', ['Opstaaet', 'Oplyst', 'Afgjort', 'Bestilt', 'Udfoert', 'Afsluttet'])), name='sag_fremdrift_gyldig'),
            ),
            migrations.AddConstraint(
                model_name='sag',
                constraint=models.CheckConstraint(condition=models.Q(('livscykluskode__in', ['Opstaaet', 'Importeret', 'Rettet', 'Passiveret', 'Slettet'])), name='sag_livscykluskode_gyldig'),
            ),
            migrations.AddConstraint(
                model_name='sag',
                constraint=models.CheckConstraint(condition=models.Q(models.Q(('aktiv', True), ('livscykluskode__in', ['Opstaaet', 'Importeret', 'Rettet'])), models.Q(('aktiv', False), ('livscykluskode__in', ['Passiveret', 'Slettet'])), _connector='OR'), name='sag_aktiv_passend_livscyklus'),
            ),
            migrations.AddConstraint(
                model_name='sag',
                constraint=models.CheckConstraint(condition=models.Q(('slutdato__isnull', True), ('slutdato__gte', models.F('startdato')), _connector='OR'), name='sag_periode_orden', violation_error_message='Slutdatoen kan ikke ligge før startdatoen.'),
            ),
            migrations.AddConstraint(
                model_name='sag',
                constraint=models.CheckConstraint(condition=models.Q(('ansvarlig_enhed__isnull', True), ('ansvarlig_enhed_uuid', models.F('ansvarlig_enhed_id')), _connector='OR'), name='sag_ansvarlig_enhed_uuid'),
            ),
            migrations.AddConstraint(
                model_name='sag',
                constraint=models.CheckConstraint(condition=models.Q(('myndighed__isnull', True), ('myndighed_uuid', models.F('myndighed_id')), _connector='OR'), name='sag_myndighed_uuid'),
            ),
            migrations.AddConstraint(
                model_name='sag',
                constraint=models.CheckConstraint(condition=models.Q(('primaerbehandler__isnull', True), ('primaerbehandler_uuid', models.F('primaerbehandler_id')), _connector='OR'), name='sag_primaerbehandler_uuid'),
            ),
            migrations.AddConstraint(
                model_name='sagregistrering',
                constraint=models.UniqueConstraint(fields=('sag', 'nummer'), name='sagreg_unik_nummer'),
            ),
            migrations.AddConstraint(
                model_name='sagregistrering',
                constraint=models.CheckConstraint(condition=models.Q(('livscykluskode__in', ['Opstaaet', 'Importeret', 'Rettet', 'Passiveret', 'Slettet'])), name='sagreg_livscykluskode_gyldig'),
            ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='sag', table=None),
        migrations.AlterModelTable(name='sagregistrering', table=None),
        migrations.RunSQL(
            sql=(
                "ALTER TRIGGER overblik_sagregistrering_append_only "
                "ON sagsindeks_sagregistrering RENAME TO sagsindeks_sagregistrering_append_only;"
            ),
            reverse_sql=(
                "ALTER TRIGGER sagsindeks_sagregistrering_append_only "
                "ON sagsindeks_sagregistrering RENAME TO overblik_sagregistrering_append_only;"
            ),
        ),
        migrations.RunPython(
            flyt_indholdstyper("overblik", "sagsindeks"),
            flyt_indholdstyper("sagsindeks", "overblik"),
        ),
    ]
