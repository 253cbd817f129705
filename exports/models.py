"""Export jobs: one row per file a member asked for, from queued to emailed."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from workspaces.models import WorkspaceOwned

# How long a finished file (and its download link) is kept.
EXPORT_TTL = timedelta(days=7)


def default_expiry() -> datetime:
    return timezone.now() + EXPORT_TTL


class ExportKind(models.TextChoices):
    CAMPAIGN = "campaign", _("Campaign performance")
    ATTRIBUTION = "attribution", _("Attribution report")
    DRILL = "drill", _("Drill-down list")


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLS = "xls", _("Excel 97-2003 (XLS)")
    XLSX = "xlsx", _("Excel (XLSX)")
    PDF = "pdf", "PDF"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ExportJob(WorkspaceOwned):
    """A file being made for `user`. `parameters` holds what was asked for (format, sections,
    model, filters, name, metric); the markers `emailed_at`/`notified_at` make a redelivered
    task harmless: the file is written once, the email and the notification go out once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ExportKind.choices)
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="export_jobs"
    )
    parameters = models.JSONField(default=dict, blank=True)
    # The UI language of the person who asked: titles, labels and the email are in it.
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    # Name of the file in the private export storage (exports.storage); "" until done and
    # again once the file expired and was deleted.
    file_path = models.CharField(max_length=500, blank=True)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(default=default_expiry)
    emailed_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "user", "-created_at"], name="export_job_mine"),
            models.Index(fields=["expires_at"], name="export_job_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} export #{self.pk} ({self.status})"

    @property
    def fmt(self) -> str:
        return str(self.parameters.get("format", ExportFormat.XLSX))

    @property
    def is_active(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_downloadable(self) -> bool:
        return self.status == ExportStatus.DONE and bool(self.file_path) and not self.is_expired
