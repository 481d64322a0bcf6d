from django.db import migrations

from crm.roles import apply_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0005_accounts"),
        ("contacts", "0008_seed_entry_rules"),
    ]

    operations = [migrations.RunPython(apply_role_permissions, migrations.RunPython.noop)]
