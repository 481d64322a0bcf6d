from django.db import migrations

from crm.roles import apply_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("core", "0001_initial"),
        ("contacts", "0002_search_index"),
        ("compliance", "0001_initial"),
    ]

    operations = [migrations.RunPython(apply_role_permissions, migrations.RunPython.noop)]
