import datetime

from django.utils import timezone

from compliance.models import TrainingCourse, TrainingRecord


def privacy_course() -> TrainingCourse:
    course, _ = TrainingCourse.objects.get_or_create(
        name_en="Personal data protection",
        defaults={"name_zh_hant": "個人資料保護", "is_privacy_course": True},
    )
    return course


def give_training(user, *, valid_for_days: int = 300) -> TrainingRecord:
    """Current privacy training for ``user`` (needed to export, bulk-edit or reveal)."""
    today = timezone.localdate()
    return TrainingRecord.objects.create(
        user=user,
        course=privacy_course(),
        completed_on=today - datetime.timedelta(days=10),
        valid_until=today + datetime.timedelta(days=valid_for_days),
    )


def make_request(*, contact, actor=None, request_type="access", channel="branch", **kwargs):
    """A data-subject request recorded through ``request_create``."""
    from compliance.requests.services import request_create

    return request_create(
        actor=actor or contact.owner,
        contact=contact,
        request_type=request_type,
        channel=channel,
        **kwargs,
    )


def verified_request(*, contact, actor, **kwargs):
    """A request whose requester's identity is verified and whose work has started."""
    from compliance.requests.services import request_start, request_verify_identity

    request = make_request(contact=contact, actor=actor, **kwargs)
    request = request_verify_identity(
        actor=actor, request=request, method="id_document", evidence="National ID card seen"
    )
    return request_start(actor=actor, request=request)
