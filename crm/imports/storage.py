"""Where uploaded import files and their error reports are kept.

A private directory (never under MEDIA_ROOT, which development serves publicly): the files
hold customer data and are only handed out by the import views, to members of the workspace.
Set IMPORT_STORAGE_DIR to move it; the default is `<TOUCHPOINT_VAR_DIR>/imports`. With a
separate Celery worker, web and worker must share it.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage


def import_storage() -> Storage:
    location = getattr(settings, "IMPORT_STORAGE_DIR", None) or Path(settings.VAR_DIR) / "imports"
    return FileSystemStorage(location=str(location))
