from django.db import migrations

from crm.roles import apply_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0002_export_and_reveal"),
        ("compliance", "0004_training_and_access_review"),
    ]

    operations = [migrations.RunPython(apply_role_permissions, migrations.RunPython.noop)]
