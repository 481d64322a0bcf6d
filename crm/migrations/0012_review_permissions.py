from django.db import migrations

from crm.roles import apply_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0011_incident_permissions"),
        ("contacts", "0010_seed_entry_rules"),
    ]

    operations = [migrations.RunPython(apply_role_permissions, migrations.RunPython.noop)]
