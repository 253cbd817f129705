"""Where finished export files are kept.

A private directory (never under MEDIA_ROOT, which development serves publicly): the files
hold customer data and are only handed out by the download view, to members of the workspace.
Set EXPORT_STORAGE_DIR to move it; the default is `<TOUCHPOINT_VAR_DIR>/exports`, one folder per
workspace. With a separate Celery worker, web and worker must share it.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage


def export_storage() -> Storage:
    location = getattr(settings, "EXPORT_STORAGE_DIR", None) or Path(settings.VAR_DIR) / "exports"
    return FileSystemStorage(location=str(location))
