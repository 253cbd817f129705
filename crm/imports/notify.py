"""Telling the person who started an import that it ended (the notification center's bell)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _

from crm.models import ImportJob, ImportStatus
from notifications.models import Notification, NotificationKind
from notifications.services import notify


def _counts(job: ImportJob) -> str:
    counts = [
        (_("Created"), job.created_count),
        (_("Updated"), job.updated_count),
        (_("Unchanged"), job.skipped_count),
        (_("Rows with errors"), job.error_count),
    ]
    return " · ".join(
        f"{label}: {formats.number_format(value, force_grouping=True)}" for label, value in counts
    )


def notify_import_result(job: ImportJob) -> Notification | None:
    """One notification per job (dedupe key `import:<id>`), in the language the import was
    started in, linking to the job's page; a job nobody started (or still running) gets none."""
    if job.created_by is None or job.status not in (ImportStatus.DONE, ImportStatus.FAILED):
        return None
    with translation.override(job.language or settings.LANGUAGE_CODE):
        failed = job.status == ImportStatus.FAILED
        params = {"file": job.original_filename}
        title = _("Import of %(file)s failed") if failed else _("Import of %(file)s finished")
        return notify(
            workspace_id=job.workspace_id,
            user=job.created_by,
            kind=NotificationKind.IMPORT_FAILED if failed else NotificationKind.IMPORT_FINISHED,
            title=title % params,
            body=job.message if failed else _counts(job),
            url=reverse(
                "crm:import_detail",
                kwargs={"workspace_slug": job.workspace.slug, "job_id": job.pk},
            ),
            dedupe_key=f"import:{job.pk}",
        )
