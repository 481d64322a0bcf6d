from django.db import migrations

from crm.roles import apply_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0004_consent_permissions"),
        ("contacts", "0006_accounts"),
    ]

    operations = [migrations.RunPython(apply_role_permissions, migrations.RunPython.noop)]
