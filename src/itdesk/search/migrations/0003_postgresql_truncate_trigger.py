"""PostgreSQL: emptying search_searchdocument with TRUNCATE empties search_tsv too.

TRUNCATE fires no DELETE trigger, so without this a TRUNCATE (Django's flush, an administrator's clean-up)
would leave full-text rows whose documents are gone. Nothing changes on SQLite.
"""

from django.db import migrations

POSTGRESQL_FORWARD = [
    "CREATE FUNCTION search_tsv_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " TRUNCATE search_tsv; RETURN NULL; END $$",
    "CREATE TRIGGER search_tsv_truncate AFTER TRUNCATE ON search_searchdocument"
    " FOR EACH STATEMENT EXECUTE FUNCTION search_tsv_truncate()",
]
POSTGRESQL_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_tsv_truncate ON search_searchdocument",
    "DROP FUNCTION IF EXISTS search_tsv_truncate()",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0002_postgresql_narrow_index")]

    operations = [migrations.RunPython(_run(POSTGRESQL_FORWARD), _run(POSTGRESQL_BACKWARD))]
