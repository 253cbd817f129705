"""Signed, expiring download links: the token names the job and when it was signed; the view
checks it against the job's workspace and expiry (a link never outlives its file)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from exports.models import EXPORT_TTL, ExportJob

SALT = "exports.download"


def download_token(job: ExportJob) -> str:
    return signing.dumps({"job": job.pk, "ws": job.workspace_id}, salt=SALT, compress=True)


def download_path(job: ExportJob, *, workspace_slug: str) -> str:
    return reverse(
        "exports:download",
        kwargs={"workspace_slug": workspace_slug, "token": download_token(job)},
    )


def download_url(job: ExportJob, *, workspace_slug: str) -> str:
    return settings.SITE_URL + download_path(job, workspace_slug=workspace_slug)


def read_token(token: str) -> tuple[int, bool]:
    """(job id, whether the link is older than the export lifetime); `signing.BadSignature`
    when the token was tampered with or is not an export link."""
    expired = False
    try:
        payload = signing.loads(token, salt=SALT, max_age=EXPORT_TTL)
    except signing.SignatureExpired:
        # Genuine but old: still read, so the view can check the job's workspace first.
        payload, expired = signing.loads(token, salt=SALT), True
    if not isinstance(payload, dict) or not isinstance(payload.get("job"), int):
        raise signing.BadSignature("not an export link")
    return int(payload["job"]), expired
