"""Running an import job: the file in batches, each batch in one transaction.

See crm/imports/__init__.py for the semantics (what is written, what is reported).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import islice
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.imports.assets import AssetImporter
from crm.imports.contacts import ContactImporter
from crm.imports.deals import DealImporter
from crm.imports.interactions import InteractionImporter
from crm.imports.notify import notify_import_result
from crm.imports.parsing import ImportFileError, iter_records
from crm.imports.report import errors_csv
from crm.imports.rows import BatchResult, ImportContext, RowError, SourceRow
from crm.imports.storage import import_storage
from crm.models import ImportJob, ImportKind, ImportStatus
from workspaces.services import bump_data_version

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
ERROR_PREVIEW = 50
# A running job whose heartbeat is older than this was interrupted (its worker died) and may
# be claimed again when its task is redelivered.
STALE_AFTER = timedelta(minutes=10)


class Importer(Protocol):
    def import_batch(self, rows: list[SourceRow]) -> BatchResult: ...


IMPORTERS: dict[str, Callable[[ImportContext], Importer]] = {
    ImportKind.CONTACTS: ContactImporter,
    ImportKind.DEALS: DealImporter,
    ImportKind.INTERACTIONS: InteractionImporter,
    ImportKind.ASSETS: AssetImporter,
}


class BatchFailed(Exception):
    """The database refused a batch: it was rolled back and the job stops."""


def source_rows(
    records: Iterable[tuple[int, list[str]]], mapping: Mapping[str, int], width: int
) -> Iterator[SourceRow]:
    for number, cells in records:
        values = {
            name: cells[index] if index < len(cells) else "" for name, index in mapping.items()
        }
        overflow = sum(1 for cell in cells[width:] if cell.strip())
        yield SourceRow(number=number, cells=values, overflow=overflow)


def _batches(rows: Iterator[SourceRow], size: int) -> Iterator[list[SourceRow]]:
    while batch := list(islice(rows, size)):
        yield batch


@dataclass
class Progress:
    """The job's counters, written to its row after every batch (the job page polls them)."""

    job: ImportJob
    errors: list[RowError] = field(default_factory=list)

    def add(self, result: BatchResult, rows: int) -> None:
        job = self.job
        job.rows_done += rows
        job.created_count += result.created
        job.updated_count += result.updated
        job.skipped_count += result.skipped
        job.error_count += result.errored
        self.errors.extend(result.errors)
        job.error_preview = [e.as_dict() for e in self.errors[:ERROR_PREVIEW]]
        job.heartbeat_at = timezone.now()
        self._save(
            "rows_done",
            "created_count",
            "updated_count",
            "skipped_count",
            "error_count",
            "error_preview",
            "heartbeat_at",
        )

    def finish(self, *, status: str, message: str = "") -> None:
        job = self.job
        if self.errors:
            name = f"{job.workspace_id}/errors-{job.pk}.csv"
            storage = import_storage()
            if storage.exists(name):
                storage.delete(name)
            job.errors_path = storage.save(name, ContentFile(errors_csv(self.errors)))
        job.status = status
        job.message = message
        job.finished_at = job.heartbeat_at = timezone.now()
        self._save("status", "message", "finished_at", "heartbeat_at", "errors_path")

    def _save(self, *fields: str) -> None:
        values = {name: getattr(self.job, name) for name in fields}
        ImportJob.objects.for_workspace(self.job.workspace_id).filter(pk=self.job.pk).update(
            **values
        )


def claim(*, job_id: int, workspace_id: int) -> ImportJob | None:
    """Mark a queued (or interrupted) job running and return it; None when it is not there to
    run (already running elsewhere, finished, or not this workspace's)."""
    now = timezone.now()
    runnable = Q(status=ImportStatus.QUEUED) | Q(
        status=ImportStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER
    )
    jobs = ImportJob.objects.for_workspace(workspace_id).filter(runnable, pk=job_id)
    claimed = jobs.update(
        status=ImportStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        rows_done=0,
        created_count=0,
        updated_count=0,
        skipped_count=0,
        error_count=0,
        error_preview=[],
        errors_path="",
        message="",
    )
    if not claimed:
        return None
    return (
        ImportJob.objects.for_workspace(workspace_id)
        .select_related("workspace", "created_by")
        .get(pk=job_id)
    )


def run_import(*, job_id: int, workspace_id: int) -> ImportJob | None:
    """Run the job if it is queued; returns it finished (done or failed), or None."""
    job = claim(job_id=job_id, workspace_id=workspace_id)
    if job is None:
        return None
    with translation.override(job.language or settings.LANGUAGE_CODE):
        progress = Progress(job)
        try:
            _import_file(job, progress)
        except (BatchFailed, ImportFileError) as exc:
            progress.finish(status=ImportStatus.FAILED, message=str(exc))
        except Exception:
            logger.exception("import job %s failed", job.pk)
            progress.finish(
                status=ImportStatus.FAILED,
                message=_(
                    "An unexpected error stopped the import after %(done)s rows. The rows "
                    "before that are stored; run the same file again to import the rest."
                )
                % {"done": job.rows_done},
            )
        else:
            progress.finish(status=ImportStatus.DONE)
    bump_data_version(workspace_id)
    notify_import_result(job)
    return job


def _read_file(job: ImportJob) -> bytes:
    try:
        with import_storage().open(job.file_path, "rb") as handle:
            return bytes(handle.read())
    except OSError as exc:
        raise ImportFileError(
            _("The uploaded file can no longer be read; upload it again.")
        ) from exc


def _import_file(job: ImportJob, progress: Progress) -> None:
    data = _read_file(job)
    mapping = {name: int(index) for name, index in job.mapping.items()}
    context = ImportContext(
        workspace=job.workspace,
        now=job.started_at or timezone.now(),
        columns={name: job.header[index] for name, index in mapping.items()},
        user=job.created_by,
    )
    importer = IMPORTERS[job.kind](context)
    records = iter_records(data, encoding=job.encoding, delimiter=job.delimiter)
    for batch in _batches(source_rows(records, mapping, len(job.header)), BATCH_SIZE):
        progress.add(_import_batch(importer, batch), len(batch))


def _import_batch(importer: Importer, batch: list[SourceRow]) -> BatchResult:
    """One transaction: the batch is stored whole, or (when the database refuses part of it)
    not at all and the job stops."""
    try:
        with transaction.atomic():
            return importer.import_batch(batch)
    except (ValidationError, DatabaseError) as exc:
        problem = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        raise BatchFailed(
            _(
                "Rows %(first)s to %(last)s could not be stored (%(problem)s), so none of them "
                "was. The rows before them are stored; fix the problem and import the file "
                "again (rows already stored are not duplicated)."
            )
            % {"first": batch[0].number, "last": batch[-1].number, "problem": problem}
        ) from exc
