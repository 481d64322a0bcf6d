"""The test suite: SQLite by default, PostgreSQL when DATABASE_URL says so (CI)."""

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES

# Fast hashing in tests only; production uses Argon2.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["NAME"] = str(BASE_DIR / "var" / "test.sqlite3")
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test.sqlite3")}
# Job tests start their own worker; everything else runs inline.
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 5
