"""Reads for import jobs (always scoped to one workspace)."""

from __future__ import annotations

from pathlib import PurePath

from django.db.models import QuerySet

from crm.imports.report import errors_csv, sample_csv
from crm.imports.storage import import_storage
from crm.models import ImportJob
from workspaces.models import Workspace


def import_jobs(*, workspace: Workspace | int) -> QuerySet[ImportJob]:
    """The workspace's imports, newest first, with who started them."""
    return (
        ImportJob.objects.for_workspace(workspace)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def errors_file(*, job: ImportJob) -> bytes:
    """The job's per-row errors as CSV (only the header row when there were none)."""
    if not job.errors_path:
        return errors_csv([])
    with import_storage().open(job.errors_path, "rb") as handle:
        return bytes(handle.read())


def errors_filename(*, job: ImportJob) -> str:
    stem = PurePath(job.original_filename).stem or "import"
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)[:80]
    return f"{safe}-errors.csv"


def sample_file(*, kind: str) -> bytes:
    return sample_csv(kind)
