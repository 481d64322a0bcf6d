from django.db import migrations
from django.db.models import F


def mark_applied(apps, schema_editor) -> None:
    """Batches approved before background application were applied in the approving
    request: they are complete."""
    ReviewBatch = apps.get_model("contacts", "ReviewBatch")
    ReviewBatch.objects.filter(status="approved", applied_at__isnull=True).update(
        applied_at=F("reviewed_at")
    )


class Migration(migrations.Migration):
    dependencies = [("contacts", "0012_review_batch_applied_at")]

    operations = [migrations.RunPython(mark_applied, migrations.RunPython.noop)]
