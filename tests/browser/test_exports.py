"""Exporting in a real browser: Actions → Export on the campaign, the job page, the bell's count
rising, the notification opening the download (tests/browser/conftest.py guards the page)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.conftest import World

pytestmark = pytest.mark.browser


@pytest.fixture
def export_dir(settings: Any, tmp_path: Path) -> Path:
    settings.EXPORT_STORAGE_DIR = str(tmp_path / "exports")
    return tmp_path / "exports"


def _unread(page: Any) -> Any:
    return page.locator("#notification-bell [data-unread-count]")


def test_export_from_the_campaign_then_open_the_notification_and_download(
    logged_in_page: Any, world: World, export_dir: Path
) -> None:
    page = logged_in_page
    campaign = world.a["campaign"]
    page.goto(f"/w/acme/campaigns/{campaign.pk}/")
    expect(_unread(page)).to_have_attribute("data-unread-count", "0")

    page.locator("summary", has_text="Actions").click()
    page.get_by_role("link", name="Export", exact=True).click()
    page.wait_for_url(re.compile(r"/campaigns/\d+/export/"))
    page.get_by_label("CSV").check()
    page.get_by_label("Only selected data").check()
    page.get_by_label("Overview").check()
    for other in ("Contacts & sessions", "Asset reports", "Traffic", "Revenue attribution"):
        page.get_by_label(other, exact=True).uncheck()
    screenshot(page, "export-dialog")
    page.get_by_role("button", name="Export").click()

    page.wait_for_url(re.compile(r"/w/acme/exports/\d+/"))
    expect(page.locator("#export-status")).to_contain_text("Done")
    expect(_unread(page)).to_have_attribute("data-unread-count", "1")
    screenshot(page, "export-done")

    page.locator("#notification-bell-toggle").click()
    item = page.locator("#notification-menu a.dropdown-item", has_text="Export ready")
    expect(item).to_be_visible()
    with page.expect_download() as info:
        item.click()
    download = info.value
    assert re.fullmatch(
        r"Campaign A performance \d{4}-\d{2}-\d{2}\.csv", download.suggested_filename
    )
    content = Path(download.path()).read_text(encoding="utf-8-sig")
    assert content.splitlines()[0] == "Metric,Value,Goal"
    assert "Influenced contacts,1," in content
