"""Settings shared by every environment. Values come from the environment (12-factor)."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# A development-only secret. Production refuses to start with it (crm.settings.production).
DEVELOPMENT_SECRET_KEY = "prudence-development-only-secret-key-never-use-in-production"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    # Ours first, so our templates (admin overrides, registration) win.
    "core",
    "compliance",
    "contacts",
    "dataquality",
    "crm",
    "crm.admin.PrudenceAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "bootstrap",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "core.middleware.SessionLimitsMiddleware",
    "core.middleware.SecondFactorMiddleware",
    "core.middleware.RequestContextMiddleware",
    "core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes must be last: it turns a lock-out into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'prudence.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Pages ask short, indexed questions: starting parallel workers costs more than they
    # save (a tag-filtered page at a million contacts: 51 ms of SQL with two workers, 18 ms
    # without; docs/BENCHMARKS.md). Set it higher for a process that runs big reports.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c max_parallel_workers_per_gather={env.int('PG_PARALLEL_WORKERS_PER_GATHER', default=0)}"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    # Axes first, so a locked-out username + IP never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Length and a common-password list; no composition rules (NIST SP 800-63B).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Brute-force lock-out by username + IP, counted in the database (not Redis).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "crm.accounts.locked_out"

# Sessions live in the database so the web app keeps working when Redis is down.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# However active, a session ends after this many seconds (default 12 hours).
SESSION_ABSOLUTE_MAX_AGE = env.int("SESSION_ABSOLUTE_MAX_AGE", default=12 * 60 * 60)

# Second factor (TOTP) for compliance, administrators and all staff: core.roles.
OTP_TOTP_ISSUER = "Prudence"
# Nobody reads another person's TOTP secret through the admin, whatever permissions they hold.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hant", _("Traditional Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Taipei")

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Free-text searches travel in the query string: keep them inside the site.
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy: no inline scripts or styles anywhere, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Celery. No REDIS_URL: tasks run inline so the quick start needs no broker.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {
    # Link committed audit events into the hash chain (also triggered after each commit).
    "compliance.seal_audit_log": {
        "task": "compliance.tasks.seal_audit_log",
        "schedule": 10.0,
        "options": {"expires": 30},
    },
    # Archive whole segments of the chain once they pass the retention period.
    "compliance.archive_expired_audit_log": {
        "task": "compliance.tasks.archive_expired_audit_log",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),
    },
    # Record consents that have expired (the may-contact decision never waits for this).
    # Jobs of the framework (core.jobs) all run through core.tasks.run_job, named in args.
    "compliance.expire_consents": {
        "task": "core.tasks.run_job",
        "args": ("compliance.expire_consents",),
        "schedule": crontab(hour=1, minute=30),
    },
    # Finish erasures held back by legal holds that have since ended.
    "compliance.complete_held_erasures": {
        "task": "core.tasks.run_job",
        "args": ("compliance.complete_held_erasures",),
        "schedule": crontab(hour=2, minute=15),
    },
    # Erase contacts whose retention period ran out (RetentionPolicy, set by the DPO).
    "compliance.apply_retention": {
        "task": "core.tasks.run_job",
        "args": ("compliance.apply_retention",),
        "schedule": crontab(hour=2, minute=45),
    },
    # Remind assignees of data-subject requests due soon or overdue (each reminder once).
    "compliance.send_request_reminders": {
        "task": "core.tasks.run_job",
        "args": ("compliance.send_request_reminders",),
        "schedule": crontab(hour=7, minute=0),
    },
    # Expire access packages whose download link has lapsed, and delete their files.
    "compliance.expire_access_exports": {
        "task": "core.tasks.run_job",
        "args": ("compliance.expire_access_exports",),
        "schedule": crontab(hour=2, minute=30),
    },
    # Data quality: contacts changed or due since they were scored, every night; the whole
    # book on Sundays; then the RMs' reminder digests; email domains checked weekly.
    "dataquality.score_incremental": {
        "task": "core.tasks.run_job",
        "args": ("dataquality.score_incremental",),
        "schedule": crontab(hour=2, minute=30),
    },
    "dataquality.score_full": {
        "task": "core.tasks.run_job",
        "args": ("dataquality.score_full",),
        "schedule": crontab(hour=3, minute=0, day_of_week=0),
    },
    "dataquality.review_reminders": {
        "task": "core.tasks.run_job",
        "args": ("dataquality.review_reminders",),
        "schedule": crontab(hour=7, minute=0),
    },
    "dataquality.verify_deliverability": {
        "task": "core.tasks.run_job",
        "args": ("dataquality.verify_deliverability",),
        "schedule": crontab(hour=4, minute=0, day_of_week=6),
    },
    # Write the chain head outside the database once a day.
    "compliance.checkpoint_audit_log": {
        "task": "compliance.tasks.checkpoint_audit_log",
        "schedule": crontab(hour=0, minute=30),
    },
}

# Lock files of background jobs when the database has no advisory locks (SQLite quick start).
JOB_LOCK_DIR = env.str("JOB_LOCK_DIR", default=str(VAR_DIR / "locks"))

# The audit log's daily checkpoint (outside the database) and archived segments.
AUDIT_CHECKPOINT_FILE = env.str(
    "AUDIT_CHECKPOINT_FILE", default=str(VAR_DIR / "audit-checkpoints.log")
)
AUDIT_ARCHIVE_DIR = env.str("AUDIT_ARCHIVE_DIR", default=str(VAR_DIR / "audit-archive"))
# The audit log is kept this many years (a legal obligation), then archived in segments.
AUDIT_RETENTION_YEARS = env.int("AUDIT_RETENTION_YEARS", default=7)

# Data-subject requests. The law for residents of countries outside GDPR, CCPA and the
# Taiwan PDPA ("gdpr", "ccpa" or "pdpa"); where access packages are built (private: never
# under MEDIA_ROOT or STATIC_ROOT); how long the DPO's download link lives.
DSR_DEFAULT_JURISDICTION = env.str("DSR_DEFAULT_JURISDICTION", default="pdpa")
DSR_EXPORT_DIR = env.str("DSR_EXPORT_DIR", default=str(VAR_DIR / "private" / "access-exports"))
DSR_EXPORT_TTL_HOURS = env.int("DSR_EXPORT_TTL_HOURS", default=72)

# Reminders go out through Django's email backend (SMTP settings from the environment).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="prudence@localhost")
# The controller and DPO named in the records of processing activities (GDPR Art. 30).
PRIVACY_CONTROLLER = {
    "name": env.str("CONTROLLER_NAME", default=""),
    "address": env.str("CONTROLLER_ADDRESS", default=""),
    "contact": env.str("CONTROLLER_CONTACT", default=""),
    "representative": env.str("CONTROLLER_EU_REPRESENTATIVE", default=""),
    "dpo_name": env.str("DPO_NAME", default=""),
    "dpo_contact": env.str("DPO_CONTACT", default=""),
}
# Who receives the book's personal data, and transfers outside the country, as the records
# of processing state them (free text; one item per comma).
PRIVACY_RECIPIENTS = env.list("PRIVACY_RECIPIENTS", default=[])
PRIVACY_TRANSFERS = env.list("PRIVACY_TRANSFERS", default=[])

# Contacts and data quality.
DEFAULT_PHONE_REGION = env.str("DEFAULT_PHONE_REGION", default="TW")
# The quality score's weights (only their ratios matter; see dataquality/scoring.py).
DATAQUALITY_WEIGHTS = {
    "completeness": env.int("DATAQUALITY_WEIGHT_COMPLETENESS", default=40),
    "validity": env.int("DATAQUALITY_WEIGHT_VALIDITY", default=25),
    "freshness": env.int("DATAQUALITY_WEIGHT_FRESHNESS", default=20),
    "consistency": env.int("DATAQUALITY_WEIGHT_CONSISTENCY", default=15),
}
# Contact details must be verified this often, in months, by segment.
DATAQUALITY_REVIEW_CADENCE_MONTHS = {
    "high_net_worth": env.int("DATAQUALITY_CADENCE_HNW_MONTHS", default=6),
    "default": env.int("DATAQUALITY_CADENCE_MONTHS", default=12),
}
# Tags (with everything under them) that put a contact in the high-net-worth cadence.
DATAQUALITY_HNW_TAG_CODES = ("segment-hnw",)
# A review task is due this many days after its issue is found.
DATAQUALITY_TASK_DUE_DAYS = env.int("DATAQUALITY_TASK_DUE_DAYS", default=14)
# Contacts per chunk (one transaction, a handful of queries) in the nightly runs.
DATAQUALITY_CHUNK_SIZE = env.int("DATAQUALITY_CHUNK_SIZE", default=5000)
# An approved import batch with more valid rows than this is applied by a background task
# (progress on the batch page); smaller ones within the reviewer's request.
REVIEW_BATCH_INLINE_ROWS = env.int("REVIEW_BATCH_INLINE_ROWS", default=500)
# Third-party checks of contact points (DNS deliverability of email domains). Off in tests.
DATAQUALITY_DELIVERABILITY_CHECK = env.bool("DATAQUALITY_DELIVERABILITY_CHECK", default=True)
# Links in reminder emails.
SITE_URL = env.str("SITE_URL", default="")

# Field encryption: a comma-separated list of Fernet keys, newest first (MultiFernet).
# The lookup hash uses a separate key. The defaults below are for development only;
# production refuses to start with them.
DEVELOPMENT_FIELD_ENCRYPTION_KEY = "ZGV2ZWxvcG1lbnQtb25seS1maWVsZC1rZXktMDAwMDA="
DEVELOPMENT_HASH_KEY = "development-only-hash-key"
FIELD_ENCRYPTION_KEYS = env.list(
    "FIELD_ENCRYPTION_KEYS", default=[DEVELOPMENT_FIELD_ENCRYPTION_KEY]
)
HASH_KEY = env.str("HASH_KEY", default=DEVELOPMENT_HASH_KEY)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        # Search terms are personal data: never write a query string to an access log.
        "strip_query_string": {"()": "core.logging.StripQueryString"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["strip_query_string"]},
    },
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
