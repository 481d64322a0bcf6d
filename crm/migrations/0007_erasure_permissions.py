from django.db import migrations

from crm.roles import apply_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0006_job_run_permissions"),
        ("compliance", "0006_erasure_holds_disclosures_suppression"),
    ]

    operations = [migrations.RunPython(apply_role_permissions, migrations.RunPython.noop)]
