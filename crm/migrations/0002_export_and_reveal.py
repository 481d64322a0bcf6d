from django.db import migrations

from crm.roles import apply_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0001_roles"),
        ("contacts", "0004_export_permission"),
    ]

    operations = [migrations.RunPython(apply_role_permissions, migrations.RunPython.noop)]
