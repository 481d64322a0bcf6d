from django.db import migrations

from crm.roles import apply_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0009_data_subject_request_permissions"),
        ("compliance", "0013_seed_breach_clocks"),
    ]

    operations = [migrations.RunPython(apply_role_permissions, migrations.RunPython.noop)]
