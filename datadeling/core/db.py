"""Database-level guarantees shared by the apps' migrations."""

from django.db import migrations

APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION datadeling_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Tabellen % må kun udvides: % er ikke tilladt', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def append_only(table: str) -> migrations.RunSQL:
    """Return a migration operation that makes a table refuse UPDATE and DELETE."""
    return migrations.RunSQL(
        sql=(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION datadeling_append_only();"
        ),
        reverse_sql=f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
    )
