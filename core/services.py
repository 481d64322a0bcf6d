from django.conf import settings
from django.db import transaction

from core.models import User


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    """Remember the user's interface language; it follows them to every browser."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    user.preferred_language = language
    user.full_clean(validate_unique=False, exclude=["password"])
    user.save(update_fields=["preferred_language"])
    return user
