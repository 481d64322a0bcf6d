"""Production. Refuses to start unless it is given a real secret, a real database and DEBUG off."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    DATABASES,
    DEVELOPMENT_FIELD_ENCRYPTION_KEY,
    DEVELOPMENT_HASH_KEY,
    DEVELOPMENT_SECRET_KEY,
    DSR_EXPORT_DIR,
    FIELD_ENCRYPTION_KEYS,
    HASH_KEY,
    MEDIA_ROOT,
    MIDDLEWARE,
    SECRET_KEY,
    STATIC_ROOT,
    env,
)

DEBUG = env.bool("DEBUG", default=False)


def refuse_unsafe_configuration() -> None:
    problems = []
    if DEBUG:
        problems.append("DEBUG is on")
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY:
        problems.append("SECRET_KEY is the development secret")
    if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        problems.append("the database is SQLite; set DATABASE_URL to PostgreSQL")
    if DEVELOPMENT_FIELD_ENCRYPTION_KEY in FIELD_ENCRYPTION_KEYS:
        problems.append("FIELD_ENCRYPTION_KEYS holds the development key")
    if HASH_KEY == DEVELOPMENT_HASH_KEY:
        problems.append("HASH_KEY is the development key")
    private = Path(DSR_EXPORT_DIR).resolve()
    for public in (MEDIA_ROOT, STATIC_ROOT):
        if private.is_relative_to(Path(public).resolve()):
            problems.append("DSR_EXPORT_DIR is under a served directory (media or static)")
    if problems:
        raise ImproperlyConfigured("Refusing to start in production: " + "; ".join(problems))


refuse_unsafe_configuration()

# Keep database connections between requests (a new one costs ~5 ms); check them first.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
# WhiteNoise serves static files straight after the security middleware.
MIDDLEWARE = [MIDDLEWARE[0], "whitenoise.middleware.WhiteNoiseMiddleware", *MIDDLEWARE[1:]]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
