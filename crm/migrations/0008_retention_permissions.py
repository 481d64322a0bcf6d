from django.db import migrations

from crm.roles import apply_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0007_erasure_permissions"),
        ("compliance", "0008_seed_retention_policies"),
    ]

    operations = [migrations.RunPython(apply_role_permissions, migrations.RunPython.noop)]
