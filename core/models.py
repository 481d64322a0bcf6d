from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Abstract base: when a row was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Team(TimeStampedModel):
    """A team of relationship managers. Its lead sees the whole team's book."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team lead"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_teams",
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A member of staff. Roles are Django groups (see ``core.roles``)."""

    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class UserSession(models.Model):
    """Which sessions belong to which user, so log-out, a password change or deactivation
    can end every one of them at once (Django's session table cannot be searched by user)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="sessions",
    )
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        verbose_name = _("user session")
        verbose_name_plural = _("user sessions")

    def __str__(self) -> str:
        return f"{self.user_id}:{self.session_key[:6]}…"


class JobRun(models.Model):
    """One run of a background job (``core.jobs``): when, who started it, how it ended, what
    it did, and how far it got. A run that failed or died leaves its cursor (the last key of
    the last committed chunk); the job's next run continues after it. Holds no personal data:
    counts, keys and the error's type and place only."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")
        INTERRUPTED = "interrupted", _("interrupted")

    class Trigger(models.TextChoices):
        BEAT = "beat", _("schedule")
        COMMAND = "command", _("command")
        USER = "user", _("user")

    job_name = models.CharField(_("job"), max_length=100)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    triggered_by = models.CharField(_("triggered by"), max_length=20, choices=Trigger.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # Last sign of life: set by every committed chunk.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0)
    cursor = models.JSONField(_("cursor"), null=True, blank=True)
    resumed_from = models.ForeignKey(
        "self",
        verbose_name=_("resumed from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    error_summary = models.CharField(_("error"), max_length=255, blank=True)
    worker = models.CharField(_("worker"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["job_name", "-started_at"], name="core_jobrun_job_started")]

    def __str__(self) -> str:
        return f"{self.job_name} {self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def duration(self):
        """How long the run took; None until it ends."""
        if self.finished_at is None:
            return None
        return self.finished_at - self.started_at
