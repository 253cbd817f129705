"""An import that ends tells the person who started it, once, with a link to the import."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from crm.imports.fields import guess_mapping
from crm.imports.services import create_import_job, start_import
from crm.imports.storage import import_storage
from crm.models import ImportJob, ImportStatus
from crm.tasks import run_import_job
from notifications.models import Notification, NotificationKind
from tests.conftest import World
from workspaces.models import Membership

CONTACTS = "Email,First name\nann@example.com,Ann\nbo@example.com,Bo\nnot-an-email,Cy\n"


@pytest.fixture(autouse=True)
def private_import_storage(settings: Any, tmp_path: Path) -> Path:
    settings.IMPORT_STORAGE_DIR = str(tmp_path / "imports")
    return tmp_path / "imports"


def _queued_job(world: World, user: Any, text: str = CONTACTS) -> ImportJob:
    """Uploaded and mapped as the UI does; the run itself is left to the test (the task is
    queued on commit, which the test transaction never reaches)."""
    upload = SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")
    job, found = create_import_job(
        workspace=world.a.workspace, user=user, kind="contacts", upload=upload
    )
    return start_import(
        job=job, mapping=guess_mapping("contacts", found.header), delimiter=found.delimiter
    )


def _notifications(user: Any) -> list[Notification]:
    return list(Notification.objects.filter(user=user))


def test_a_finished_import_notifies_its_starter_with_the_counts_and_a_link(world: World) -> None:
    marketer = world.users["marketer"]
    job = _queued_job(world, marketer)

    assert run_import_job(job.pk, world.a.workspace.pk) == ImportStatus.DONE

    [notification] = _notifications(marketer)
    assert notification.workspace_id == world.a.workspace.pk
    assert notification.kind == NotificationKind.IMPORT_FINISHED
    assert notification.title == "Import of people.csv finished"
    assert notification.body == "Created: 2 · Updated: 0 · Unchanged: 0 · Rows with errors: 1"
    assert notification.url == f"/w/acme/import/{job.pk}/"
    assert notification.dedupe_key == f"import:{job.pk}"
    assert _notifications(world.users["admin"]) == []


def test_the_import_notifies_once_even_when_the_task_runs_twice(world: World) -> None:
    marketer = world.users["marketer"]
    job = _queued_job(world, marketer)

    run_import_job(job.pk, world.a.workspace.pk)
    assert run_import_job(job.pk, world.a.workspace.pk) == "not runnable"
    # A worker that died mid-run: the redelivered task takes the job up again and finishes it.
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    assert run_import_job(job.pk, world.a.workspace.pk) == ImportStatus.DONE

    assert len(_notifications(marketer)) == 1


def test_a_failed_import_notifies_with_the_reason(world: World) -> None:
    admin = world.users["admin"]
    job = _queued_job(world, admin)
    import_storage().delete(job.file_path)

    assert run_import_job(job.pk, world.a.workspace.pk) == ImportStatus.FAILED

    [notification] = _notifications(admin)
    assert notification.kind == NotificationKind.IMPORT_FAILED
    assert notification.title == "Import of people.csv failed"
    assert notification.body == "The uploaded file can no longer be read; upload it again."
    assert notification.url == f"/w/acme/import/{job.pk}/"


def test_an_import_started_by_someone_with_in_app_off_adds_no_notification(
    world: World,
) -> None:
    marketer = world.users["marketer"]
    Membership.objects.filter(workspace=world.a.workspace, user=marketer).update(
        notify_in_app=False
    )
    job = _queued_job(world, marketer)

    assert run_import_job(job.pk, world.a.workspace.pk) == ImportStatus.DONE
    assert _notifications(marketer) == []
