"""The search backends' own structures, each only on its database:

- PostgreSQL: the `unaccent` extension and the GIN index on `Entry.vector`;
- SQLite: the FTS5 table `search_entry_fts` (rowid = the entry's id; the indexer
  keeps it in step with Entry), accents folded by its tokenizer.
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS search_entry_vector ON search_entry USING gin (vector)")
    elif vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS search_entry_fts USING fts5("
            "title, body, tokenize = 'unicode61 remove_diacritics 2')")


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_entry_vector")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS search_entry_fts")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_entry")]

    operations = [
        # Runs only on PostgreSQL (Django's CreateExtension checks the vendor).
        UnaccentExtension(),
        migrations.RunPython(create, drop),
    ]
