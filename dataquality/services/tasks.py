"""Review tasks: an RM marks one done once they have checked the contact."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance import audit
from dataquality.models import ReviewTask


@transaction.atomic
def review_task_complete(*, actor, task: ReviewTask) -> ReviewTask:
    """Mark the task done. The issue itself resolves when the next run finds it fixed; if
    it is still there, it stays open without a new task."""
    task = ReviewTask.objects.select_for_update().get(pk=task.pk)
    if task.completed_at is not None:
        raise ValidationError(_("This task is already done."))
    task.completed_at = timezone.now()
    task.completed_by = actor
    task.save(update_fields=["completed_at", "completed_by"])
    audit.record_updated(
        actor=actor,
        obj=task,
        contact_id=task.contact_id,
        changes={"completed_at": (None, task.completed_at)},
    )
    return task
