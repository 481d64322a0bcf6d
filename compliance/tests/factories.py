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
