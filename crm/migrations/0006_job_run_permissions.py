from django.db import migrations

from crm.roles import apply_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0005_accounts"),
        ("core", "0003_job_runs"),
    ]

    operations = [migrations.RunPython(apply_role_permissions, migrations.RunPython.noop)]
