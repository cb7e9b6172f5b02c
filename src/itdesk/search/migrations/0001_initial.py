from django.db import migrations, models

# The full-text part of the index differs per engine; the model only holds what both share.
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(head, body, tags, tokenize='ascii')",
    "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_searchdocument "
    "BEGIN DELETE FROM search_fts WHERE rowid = old.id; END",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS search_fts_delete", "DROP TABLE IF EXISTS search_fts"]
POSTGRESQL_FORWARD = [
    "ALTER TABLE search_searchdocument ADD COLUMN tsv tsvector NOT NULL DEFAULT ''::tsvector",
    "CREATE INDEX search_doc_tsv ON search_searchdocument USING gin (tsv)",
]
POSTGRESQL_BACKWARD = [
    "DROP INDEX IF EXISTS search_doc_tsv",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS tsv",
]


def _run(statements):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=20, verbose_name="kind")),
                ("object_id", models.BigIntegerField(verbose_name="object id")),
                ("reference", models.CharField(blank=True, max_length=60, verbose_name="reference")),
                (
                    "audience",
                    models.CharField(
                        choices=[("public", "public"), ("desk", "desk"), ("group", "group")],
                        max_length=10,
                        verbose_name="audience",
                    ),
                ),
                ("owner_id", models.BigIntegerField(blank=True, null=True, verbose_name="owner")),
                ("group_id", models.BigIntegerField(blank=True, null=True, verbose_name="group")),
                ("published", models.BooleanField(default=True, verbose_name="published")),
                ("language", models.CharField(blank=True, max_length=10, verbose_name="language")),
                ("title", models.CharField(max_length=300, verbose_name="title")),
                ("body", models.TextField(blank=True, verbose_name="text")),
                ("url", models.CharField(blank=True, max_length=300, verbose_name="link")),
                ("updated_at", models.DateTimeField(blank=True, null=True, verbose_name="updated")),
            ],
            options={
                "verbose_name": "search document",
                "verbose_name_plural": "search documents",
                "indexes": [
                    models.Index(fields=["kind", "object_id"], name="search_doc_object"),
                    models.Index(fields=["owner_id"], name="search_doc_owner"),
                ],
            },
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        ),
    ]
