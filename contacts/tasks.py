"""Background work of the contacts app. Thin: ids in, one service call."""

from celery import shared_task


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def apply_review_batch(batch_id: int) -> int:
    """Create the contacts of a large approved import batch, a chunk at a time (started
    after the approval commits). Redelivered after a worker dies, it resumes: rows already
    created are skipped. Returns how many contacts the batch has created so far."""
    from contacts.services.review import review_batch_apply

    return review_batch_apply(batch_id=batch_id).created_count
