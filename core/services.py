from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction

from core.models import User, UserSession


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    """Remember the user's interface language; it follows them to every browser."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return user


@transaction.atomic
def user_session_record(*, user: User, session_key: str, ip_address: str | None) -> None:
    UserSession.objects.update_or_create(
        session_key=session_key, defaults={"user": user, "ip_address": ip_address}
    )


@transaction.atomic
def user_sessions_end(*, user: User, keep: str | None = None) -> int:
    """End every session of ``user`` (except ``keep``) at once."""
    records = UserSession.objects.filter(user=user)
    if keep:
        records = records.exclude(session_key=keep)
    keys = list(records.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    records.delete()
    return len(keys)


@transaction.atomic
def user_deactivate(*, user: User) -> User:
    """Deactivate a member of staff: they are signed out everywhere immediately."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    user_sessions_end(user=user)
    return user
