"""Telling the person an export is ready (or failed): one in-app notification and one email,
however often the task runs. Each step locks the job row, checks its marker, does the work
and sets the marker in the same transaction; an SMTP error rolls the marker back, so the
retried task sends the email then."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from exports.links import download_path, download_url
from exports.models import ExportJob, ExportStatus
from notifications.models import NotificationKind
from notifications.services import email_enabled, notify


def job_path(job: ExportJob) -> str:
    return reverse("exports:job", kwargs={"workspace_slug": job.workspace.slug, "job_id": job.pk})


def _locked(job: ExportJob) -> ExportJob:
    return (
        ExportJob.objects.for_workspace(job.workspace_id)
        .select_for_update()
        .select_related("workspace", "campaign", "user")
        .get(pk=job.pk)
    )


def _title(job: ExportJob) -> str:
    if job.status == ExportStatus.DONE:
        return _("Export ready: %(name)s") % {"name": job.campaign.name}
    return _("Export failed: %(name)s") % {"name": job.campaign.name}


def notify_once(job: ExportJob) -> None:
    with transaction.atomic():
        locked = _locked(job)
        if locked.notified_at is not None:
            return
        done = locked.status == ExportStatus.DONE
        with translation.override(locked.language or "en"):
            notify(
                workspace_id=locked.workspace_id,
                user=locked.user,
                kind=NotificationKind.EXPORT_READY if done else NotificationKind.EXPORT_FAILED,
                title=_title(locked),
                body=locked.filename if done else locked.error,
                url=download_path(locked, workspace_slug=locked.workspace.slug)
                if done
                else job_path(locked),
                dedupe_key=f"export:{locked.pk}",
            )
        locked.notified_at = timezone.now()
        locked.save(update_fields=["notified_at"])


def email_context(job: ExportJob) -> dict[str, Any]:
    from django.conf import settings

    slug = job.workspace.slug
    return {
        "job": job,
        "campaign": job.campaign,
        "workspace": job.workspace,
        "download_url": download_url(job, workspace_slug=slug),
        "job_url": settings.SITE_URL + job_path(job),
        "expires_at": job.expires_at,
        "site_url": settings.SITE_URL,
    }


def export_email(job: ExportJob) -> EmailMultiAlternatives:
    """The email in the person's language, dates in the workspace's zone."""
    with translation.override(job.language or "en"), timezone.override(job.workspace.tz):
        context = email_context(job)
        subject = " ".join(_title(job).split())
        text = render_to_string("exports/email/export.txt", context)
        html = render_to_string("exports/email/export.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[job.user.email])
    message.attach_alternative(html, "text/html")
    return message


def email_once(job: ExportJob) -> None:
    with transaction.atomic():
        locked = _locked(job)
        if locked.emailed_at is not None or not locked.user.email:
            return
        if not email_enabled(workspace_id=locked.workspace_id, user=locked.user):
            return
        export_email(locked).send()  # an SMTP error rolls back: the retry sends it
        locked.emailed_at = timezone.now()
        locked.save(update_fields=["emailed_at"])


def deliver(*, job: ExportJob) -> None:
    """The notification, then the email (only for a finished job)."""
    if job.status not in (ExportStatus.DONE, ExportStatus.FAILED):
        return
    notify_once(job)
    email_once(job)
