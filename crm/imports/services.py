"""Writes for import jobs: upload a file, map its columns and queue the run."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from crm.imports.fields import fields_for
from crm.imports.parsing import (
    MAX_FILE_BYTES,
    ImportFileError,
    Inspection,
    file_too_large_message,
    inspect,
)
from crm.imports.storage import import_storage
from crm.models import ImportJob, ImportKind, ImportStatus
from crm.tasks import run_import_job
from workspaces.models import Workspace


def read_upload(upload: UploadedFile) -> bytes:
    """The uploaded bytes; refused past the size limit before reading them all."""
    if upload.size is not None and upload.size > MAX_FILE_BYTES:
        raise ImportFileError(file_too_large_message(upload.size))
    data = b"".join(upload.chunks())
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(file_too_large_message(len(data)))
    return data


def _clean_filename(name: str) -> str:
    return (PurePath(name.replace("\\", "/")).name or "import.csv")[:255]


def create_import_job(
    *, workspace: Workspace, user: Any, kind: str, upload: UploadedFile, language: str = ""
) -> tuple[ImportJob, Inspection]:
    """Check the file (limits, encoding, delimiter, header, rows) and keep it for the mapping
    step. Raises ImportFileError naming the problem; nothing is stored then."""
    if kind not in ImportKind.values:
        raise ImportFileError(_("Choose what the file holds."))
    data = read_upload(upload)
    inspection = inspect(data)
    storage = import_storage()
    name = storage.save(f"{workspace.pk}/{uuid.uuid4().hex}.csv", ContentFile(data))
    try:
        job = ImportJob.objects.create(
            workspace=workspace,
            kind=kind,
            file_path=name,
            original_filename=_clean_filename(upload.name or ""),
            file_size=len(data),
            encoding=inspection.encoding,
            delimiter=inspection.delimiter,
            header=inspection.header,
            rows_total=inspection.rows_total,
            language=language[:10],
            created_by=user if getattr(user, "pk", None) else None,
        )
    except Exception:
        storage.delete(name)
        raise
    return job, inspection


def inspect_job_file(*, job: ImportJob, delimiter: str | None = None) -> Inspection:
    """The job's file read again, with `delimiter` (the detected one when None)."""
    try:
        with import_storage().open(job.file_path, "rb") as handle:
            data = bytes(handle.read())
    except OSError as exc:
        raise ImportFileError(
            _("The uploaded file can no longer be read; upload it again.")
        ) from exc
    return inspect(data, delimiter=delimiter or job.delimiter)


def validate_mapping(*, kind: str, mapping: Mapping[str, int], header: list[str]) -> None:
    """Every required field has a column, every column exists and feeds one field at most."""
    fields = {f.name: f for f in fields_for(kind)}
    errors: dict[str, list[str]] = {}
    for name in mapping:
        if name not in fields:
            errors.setdefault("__all__", []).append(
                _("%(field)s is not a field of this import.") % {"field": name}
            )
    for field in fields.values():
        index = mapping.get(field.name)
        if index is None:
            if field.required:
                errors[field.name] = [
                    _("Choose the column that holds %(field)s.") % {"field": field.label}
                ]
        elif not 0 <= index < len(header):
            errors[field.name] = [_("The file has no such column.")]
    used: dict[int, str] = {}
    for name, index in mapping.items():
        if index in used and name in fields:
            errors.setdefault(name, []).append(
                _("The column “%(column)s” is already used for %(field)s.")
                % {"column": header[index], "field": fields[used[index]].label}
            )
        used.setdefault(index, name)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def start_import(*, job: ImportJob, mapping: Mapping[str, int], delimiter: str) -> ImportJob:
    """Save the mapping (for the file read with `delimiter`) and queue the run."""
    locked = ImportJob.objects.select_for_update().get(pk=job.pk, workspace_id=job.workspace_id)
    if locked.status != ImportStatus.UPLOADED:
        raise ValidationError(_("This import has already been started."))
    inspection = inspect_job_file(job=locked, delimiter=delimiter)
    validate_mapping(kind=locked.kind, mapping=mapping, header=inspection.header)
    locked.mapping = dict(mapping)
    locked.delimiter = inspection.delimiter
    locked.header = inspection.header
    locked.rows_total = inspection.rows_total
    locked.status = ImportStatus.QUEUED
    locked.save(update_fields=["mapping", "delimiter", "header", "rows_total", "status"])
    job_id, workspace_id = locked.pk, locked.workspace_id
    transaction.on_commit(lambda: run_import_job.delay(job_id, workspace_id))
    return locked
