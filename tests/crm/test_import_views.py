"""The import pages through the Django test client: upload → preview and mapping → run →
result → errors download, and who may see what."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from crm.imports import parsing
from crm.imports.fields import guess_mapping
from crm.imports.services import create_import_job
from crm.models import Contact, ImportJob, ImportStatus
from tests.conftest import CANARY, World

FILE = (
    "\ufeffE-mail;Fornavn;Livscyklusfase;Oprettet\r\n"
    "ada@example.com;Ada;lead;01.03.2024 09:30\r\n"
    "bob@example.com;Bob;prospect;02.03.2024\r\n"
    "eve@example.com;Eve;=1+1;\r\n"
)


@pytest.fixture(autouse=True)
def private_import_storage(settings: Any, tmp_path: Path) -> None:
    settings.IMPORT_STORAGE_DIR = str(tmp_path / "imports")


def url(name: str, workspace: Any, **kwargs: Any) -> str:
    return reverse(f"crm:{name}", kwargs={"workspace_slug": workspace.slug, **kwargs})


def login(client: Client, world: World, role: str) -> Client:
    client.force_login(world.users[role])
    return client


def upload(client: Client, world: World, text: str = FILE, kind: str = "contacts") -> Any:
    data = text.encode("utf-8")
    return client.post(
        url("import_new", world.a.workspace),
        {"kind": kind, "file": SimpleUploadedFile("people.csv", data, content_type="text/csv")},
    )


def make_job(world: World, tenant: str = "a", status: str = ImportStatus.UPLOADED) -> ImportJob:
    workspace = getattr(world, tenant).workspace
    data = SimpleUploadedFile(f"{workspace.name}.csv", b"email\nx@example.com\n")
    job, _found = create_import_job(workspace=workspace, user=None, kind="contacts", upload=data)
    ImportJob.objects.filter(pk=job.pk).update(status=status)
    job.refresh_from_db()
    return job


def test_the_whole_flow_upload_map_run_result_and_errors_download(
    client: Client, world: World, django_capture_on_commit_callbacks: Any
) -> None:
    login(client, world, "marketer")

    response = upload(client, world)
    job = ImportJob.objects.for_workspace(world.a.workspace).get()
    assert response.status_code == 302
    assert response["Location"] == url("import_mapping", world.a.workspace, job_id=job.pk)

    page = client.get(response["Location"]).content.decode()
    assert "Semicolon (;)" in page and "UTF-8" in page
    assert "ada@example.com" in page and "bob@example.com" in page  # the preview rows
    # The Danish headers were recognised: each field's select has its column chosen.
    assert '<option value="0" selected>A: E-mail</option>' in page
    assert '<option value="2" selected>C: Livscyklusfase</option>' in page

    mapping = {name: str(i) for name, i in guess_mapping("contacts", job.header).items()}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("import_mapping", world.a.workspace, job_id=job.pk), {"delimiter": ";", **mapping}
        )
    assert response.status_code == 302
    assert response["Location"] == url("import_detail", world.a.workspace, job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert (job.created_count, job.error_count) == (1, 2)
    assert job.created_by == world.users["marketer"]
    assert Contact.objects.for_workspace(world.a.workspace).filter(email="ada@example.com").exists()

    detail = client.get(response["Location"])
    body = detail.content.decode()
    assert "Rows that were not imported" in body and "“prospect” is not a lifecycle stage" in body
    assert 'hx-trigger="every 1s"' not in body  # finished: the page stops polling
    download = client.get(url("import_errors", world.a.workspace, job_id=job.pk))
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="people-errors.csv"' in download["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0] == ["Row", "Column", "Value", "Message"]
    assert rows[1][:3] == ["3", "Livscyklusfase", "prospect"]
    assert rows[2][:3] == ["4", "Livscyklusfase", "'=1+1"]  # a formula is neutralised


def test_the_job_page_polls_every_second_while_the_import_runs(
    client: Client, world: World
) -> None:
    job = make_job(world, status=ImportStatus.RUNNING)
    ImportJob.objects.filter(pk=job.pk).update(rows_total=2000, rows_done=1000)
    login(client, world, "admin")

    page = client.get(url("import_detail", world.a.workspace, job_id=job.pk)).content.decode()
    fragment = client.get(
        url("import_detail", world.a.workspace, job_id=job.pk), HTTP_HX_REQUEST="true"
    )

    assert 'hx-trigger="every 1s"' in page and "1,000 of 2,000 rows" in page
    text = fragment.content.decode()
    assert text.lstrip().startswith('<div id="import-progress"') and "<html" not in text
    assert 'aria-valuenow="1000"' in text and 'hx-trigger="every 1s"' in text


def test_the_mapping_page_reads_the_file_again_with_another_delimiter(
    client: Client, world: World
) -> None:
    login(client, world, "admin")
    upload(client, world, "email,name\nann@example.com,Ann;Other\n")
    job = ImportJob.objects.for_workspace(world.a.workspace).get()

    page = client.get(url("import_mapping", world.a.workspace, job_id=job.pk), {"delimiter": ";"})

    content = page.content.decode()
    assert '<th scope="col">email,name</th>' in content
    assert '<input type="hidden" name="delimiter" value=";"' in content


def test_a_mapping_without_a_required_field_is_refused_and_the_job_waits(
    client: Client, world: World
) -> None:
    login(client, world, "marketer")
    upload(client, world)
    job = ImportJob.objects.for_workspace(world.a.workspace).get()

    response = client.post(
        url("import_mapping", world.a.workspace, job_id=job.pk),
        {"delimiter": ";", "first_name": "0"},
    )

    assert response.status_code == 200
    assert "Choose the column that holds Email." in response.content.decode()
    job.refresh_from_db()
    assert (
        job.status == ImportStatus.UPLOADED
        and not Contact.objects.filter(first_name="Ada").exists()
    )


def test_a_column_used_for_two_fields_is_refused(client: Client, world: World) -> None:
    login(client, world, "marketer")
    upload(client, world)
    job = ImportJob.objects.for_workspace(world.a.workspace).get()

    response = client.post(
        url("import_mapping", world.a.workspace, job_id=job.pk),
        {"delimiter": ";", "email": "0", "first_name": "1", "last_name": "1"},
    )

    assert "The column “Fornavn” is already used for First name." in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED


def test_a_file_over_the_size_limit_is_refused_at_upload_with_the_message(
    client: Client, world: World
) -> None:
    login(client, world, "marketer")

    response = upload(client, world, "email\n" + "a" * parsing.MAX_FILE_BYTES)

    assert response.status_code == 200
    assert "the limit is 10 MB per file" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_a_file_over_the_row_limit_is_refused_at_upload_with_the_message(
    client: Client, world: World
) -> None:
    login(client, world, "marketer")
    rows = "".join(f"p{i}@x.dk\n" for i in range(parsing.MAX_ROWS + 1))

    response = upload(client, world, "email\n" + rows)

    assert "The file has more than 50,000 rows." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_upload_without_a_kind_or_a_file_names_what_is_missing(
    client: Client, world: World
) -> None:
    login(client, world, "marketer")

    response = client.post(url("import_new", world.a.workspace), {})

    body = response.content.decode()
    assert "Choose what the file holds." in body and "Choose the CSV file to import." in body


def test_the_list_shows_the_workspaces_imports_only(client: Client, world: World) -> None:
    mine = make_job(world, "a", ImportStatus.DONE)
    make_job(world, "b", ImportStatus.DONE)
    login(client, world, "admin")

    body = client.get(url("imports", world.a.workspace)).content.decode()

    assert mine.original_filename in body and CANARY not in body


def test_the_sample_file_has_every_column_of_the_kind(client: Client, world: World) -> None:
    login(client, world, "marketer")

    response = client.get(url("import_template", world.a.workspace), {"kind": "deals"})
    missing = client.get(url("import_template", world.a.workspace), {"kind": "spaceships"})

    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert header.startswith("External id,Deal name,Amount,Currency,Pipeline,Deal stage,Created")
    assert guess_mapping("deals", header.split(",")).keys() >= {"external_id", "name", "amount"}
    assert missing.status_code == 404


def test_the_navigation_links_the_import_for_marketers_not_viewers(
    client: Client, world: World
) -> None:
    link = url("imports", world.a.workspace)

    marketer = login(Client(), world, "marketer").get(
        reverse("campaigns:list", kwargs={"workspace_slug": "acme"})
    )
    viewer = login(client, world, "viewer").get(
        reverse("campaigns:list", kwargs={"workspace_slug": "acme"})
    )

    assert f'href="{link}"' in marketer.content.decode()
    assert f'href="{link}"' not in viewer.content.decode()


@pytest.mark.parametrize("name", ["import_detail", "import_mapping", "import_errors"])
def test_a_viewer_gets_403_on_the_workspaces_own_job(
    client: Client, world: World, name: str
) -> None:
    job = make_job(world)
    login(client, world, "viewer")

    assert client.get(url(name, world.a.workspace, job_id=job.pk)).status_code == 403


@pytest.mark.parametrize("name", ["imports", "import_new", "import_template"])
def test_a_viewer_gets_403_on_the_import_pages(client: Client, world: World, name: str) -> None:
    login(client, world, "viewer")

    assert client.get(url(name, world.a.workspace), {"kind": "contacts"}).status_code == 403
    assert (
        client.post(url("import_new", world.a.workspace), {"kind": "contacts"}).status_code == 403
    )
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("name", ["import_detail", "import_mapping", "import_errors"])
def test_another_workspaces_user_gets_404_for_a_foreign_job(
    client: Client, world: World, name: str
) -> None:
    job = make_job(world, "a", ImportStatus.DONE)
    login(client, world, "outsider")

    from_own_workspace = client.get(url(name, world.b.workspace, job_id=job.pk))
    from_foreign_workspace = client.get(url(name, world.a.workspace, job_id=job.pk))

    assert from_own_workspace.status_code == 404
    assert from_foreign_workspace.status_code == 404


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_a_member_gets_404_for_another_workspaces_job_id_whatever_the_role(
    client: Client, world: World, role: str
) -> None:
    foreign = make_job(world, "b", ImportStatus.DONE)
    login(client, world, role)

    for name in ("import_detail", "import_mapping", "import_errors"):
        response = client.get(url(name, world.a.workspace, job_id=foreign.pk))
        assert response.status_code == 404, name
        assert CANARY not in response.content.decode()


def test_mapping_a_started_import_again_is_not_possible(client: Client, world: World) -> None:
    job = make_job(world, status=ImportStatus.DONE)
    login(client, world, "admin")

    response = client.post(
        url("import_mapping", world.a.workspace, job_id=job.pk), {"email": "0", "delimiter": ","}
    )

    assert response.status_code == 302
    assert response["Location"] == url("import_detail", world.a.workspace, job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
