"""PostgreSQL: move the tsvector out of the wide document table into a narrow table of its own.

A search counts and picks candidates with a GIN bitmap scan that visits every matching row: on
`search_searchdocument` (title, body, link and tsvector in one heap) a common word touched most of a
large heap. `search_tsv` holds only what matching needs (id, kind, object, visibility and the tsvector;
about 550 bytes a row: tsvectors this small stay inline whatever the storage settings say), and an
index on (kind, id) to walk a kind's newest documents. A statement trigger removes its rows with their
documents, as SQLite's trigger does for `search_fts`. Nothing changes on SQLite.
"""

from django.db import migrations

POSTGRESQL_FORWARD = [
    "CREATE TABLE search_tsv ("
    " id bigint PRIMARY KEY,"
    " kind varchar(20) NOT NULL,"
    " object_id bigint NOT NULL,"
    " audience varchar(10) NOT NULL,"
    " owner_id bigint NULL,"
    " group_id bigint NULL,"
    " published boolean NOT NULL,"
    " tsv tsvector NOT NULL"
    ") WITH (toast_tuple_target = 128)",
    "ALTER TABLE search_tsv ALTER COLUMN tsv SET STORAGE EXTERNAL",
    "INSERT INTO search_tsv (id, kind, object_id, audience, owner_id, group_id, published, tsv)"
    " SELECT id, kind, object_id, audience, owner_id, group_id, published, tsv FROM search_searchdocument",
    "CREATE INDEX search_tsv_gin ON search_tsv USING gin (tsv)",
    "CREATE INDEX search_tsv_kind ON search_tsv (kind, id)",  # a kind's newest documents first
    "CREATE FUNCTION search_tsv_forget() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
    " DELETE FROM search_tsv t USING gone WHERE t.id = gone.id; RETURN NULL; END $$",
    "CREATE TRIGGER search_tsv_delete AFTER DELETE ON search_searchdocument"
    " REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION search_tsv_forget()",
    "DROP INDEX IF EXISTS search_doc_tsv",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS tsv",
]
POSTGRESQL_BACKWARD = [
    "ALTER TABLE search_searchdocument ADD COLUMN tsv tsvector NOT NULL DEFAULT ''::tsvector",
    "UPDATE search_searchdocument d SET tsv = t.tsv FROM search_tsv t WHERE t.id = d.id",
    "CREATE INDEX search_doc_tsv ON search_searchdocument USING gin (tsv)",
    "DROP TRIGGER IF EXISTS search_tsv_delete ON search_searchdocument",
    "DROP FUNCTION IF EXISTS search_tsv_forget()",
    "DROP TABLE IF EXISTS search_tsv",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(_run(POSTGRESQL_FORWARD), _run(POSTGRESQL_BACKWARD))]
