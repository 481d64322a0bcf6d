from django.db import migrations

from crm.roles import apply_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0008_retention_permissions"),
        ("compliance", "0010_seed_request_deadline_rules"),
    ]

    operations = [migrations.RunPython(apply_role_permissions, migrations.RunPython.noop)]
