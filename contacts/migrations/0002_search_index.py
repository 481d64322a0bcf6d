from django.db import migrations

# A GIN index over the token array serves contains-all-tokens searches at any size. It is an
# expression index PostgreSQL understands; SQLite (the quick start) scans instead.
CREATE = (
    "CREATE INDEX IF NOT EXISTS contacts_contact_search_tokens_gin "
    "ON contacts_contact USING gin (string_to_array(btrim(search_tokens), ' '))"
)
DROP = "DROP INDEX IF EXISTS contacts_contact_search_tokens_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
