"""The test suite: SQLite by default, PostgreSQL when DATABASE_URL says so (CI)."""

from .base import *  # noqa: F403

# Fast hashing in tests only; production uses Argon2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Job tests start their own worker; everything else runs inline.
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 5
# Never the network from tests: the deliverability check uses a fake resolver when tested.
DATAQUALITY_DELIVERABILITY_CHECK = False
