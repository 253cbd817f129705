"""The import flow in a real browser (Debian's Chromium): upload, map, run, result."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from crm.models import Contact, ImportJob, ImportStatus
from tests.browser import conftest as browser_fixtures
from tests.browser.conftest import screenshot
from tests.conftest import World

# The Chromium fixtures of tests/browser, used here for the import pages.
browser = browser_fixtures.browser
page_guard = browser_fixtures.page_guard
page = browser_fixtures.page
logged_in_page = browser_fixtures.logged_in_page

pytestmark = pytest.mark.browser

FILE = (
    "E-mail;Fornavn;Efternavn;Oprettet;Livscyklusfase\r\n"
    "ada@example.com;Ada;Lovelace;01.03.2024 09:30;lead\r\n"
    'bob@example.com;Bob;"Multi\r\nline";02.03.2024;prospect\r\n'
)


def test_a_marketer_imports_contacts_and_downloads_the_errors(
    logged_in_page: Any, world: World, settings: Any, tmp_path: Path
) -> None:
    settings.IMPORT_STORAGE_DIR = str(tmp_path / "imports")
    tab = logged_in_page
    csv_file = tmp_path / "kontakter.csv"
    csv_file.write_bytes(b"\xef\xbb\xbf" + FILE.encode())

    tab.get_by_role("link", name="Import", exact=True).click()
    tab.get_by_role("link", name="Import a CSV file").first.click()
    tab.get_by_label(re.compile("^Contacts")).check()
    tab.get_by_label("CSV file").set_input_files(str(csv_file))
    screenshot(tab, "import-upload")
    tab.get_by_role("button", name="Upload and preview").click()

    tab.wait_for_url(re.compile(r"/import/\d+/mapping/$"))
    assert tab.get_by_role("definition").filter(has_text="Semicolon (;)").is_visible()
    assert tab.get_by_label(re.compile("^Email")).input_value() == "0"
    assert tab.get_by_label(re.compile("^Lifecycle stage")).input_value() == "4"
    screenshot(tab, "import-mapping")
    tab.get_by_role("button", name="Import 2 rows").click()

    tab.wait_for_url(re.compile(r"/import/\d+/$"))
    tab.get_by_text("Rows that were not imported").wait_for()
    assert tab.get_by_text("“prospect” is not a lifecycle stage", exact=False).is_visible()
    screenshot(tab, "import-result")
    with tab.expect_download() as download:
        tab.get_by_role("link", name="Download all errors (CSV)").click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert content.splitlines()[0] == "Row,Column,Value,Message"

    job = ImportJob.objects.get(workspace=world.a.workspace)
    assert (job.status, job.created_count, job.error_count) == (ImportStatus.DONE, 1, 1)
    assert Contact.objects.for_workspace(world.a.workspace).filter(email="ada@example.com").exists()


def test_the_job_page_follows_a_running_import_until_it_is_done(
    logged_in_page: Any, world: World, live_server: Any
) -> None:
    job = ImportJob.objects.create(
        workspace=world.a.workspace,
        kind="contacts",
        file_path="none.csv",
        original_filename="running.csv",
        header=["Email"],
        status=ImportStatus.RUNNING,
        rows_total=4000,
        rows_done=1000,
    )
    tab = logged_in_page
    tab.goto(f"/w/{world.a.workspace.slug}/import/{job.pk}/")
    tab.get_by_text("1,000 of 4,000 rows").wait_for()

    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.DONE, rows_done=4000, created_count=4000
    )

    tab.get_by_text("Every row was imported without a problem.").wait_for(timeout=5000)
    assert tab.locator("#import-progress[hx-trigger]").count() == 0
