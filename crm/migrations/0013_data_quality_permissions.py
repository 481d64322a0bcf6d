from django.db import migrations

from crm.roles import apply_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0012_review_permissions"),
        ("dataquality", "0001_quality_issues_tasks_runs"),
    ]

    operations = [migrations.RunPython(apply_role_permissions, migrations.RunPython.noop)]
