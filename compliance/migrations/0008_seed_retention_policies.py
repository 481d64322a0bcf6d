"""The two retention policies the firm starts from, inactive: the DPO reviews the preview
of the next run in the console, then switches each on."""

from django.db import migrations

POLICIES = [("prospect_inactive", 3), ("former_client", 5)]


def seed(apps, schema_editor):
    RetentionPolicy = apps.get_model("compliance", "RetentionPolicy")
    for category, years in POLICIES:
        RetentionPolicy.objects.get_or_create(
            category=category, defaults={"years": years, "is_active": False}
        )


class Migration(migrations.Migration):
    dependencies = [("compliance", "0007_retention_policies")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
