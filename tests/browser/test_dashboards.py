"""Report library and dashboards in a real browser: from the Attribution tab to the builder,
pick two models (the preview and the URL follow), save to a new dashboard, open it and see the
report as a live card. Nothing loads from outside and no JavaScript error happens."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from reporting.models import Dashboard, SavedReport
from tests.browser.conftest import log_in, screenshot
from tests.conftest import World

pytestmark = pytest.mark.browser
COMPUTE_MS = 60_000


def test_pick_two_models_save_to_a_new_dashboard_and_see_the_card(page: Any, world: World) -> None:
    # Each new definition is computed on first view (in-process in tests): allow for a busy
    # machine, where one computation has been seen to take over 10 seconds.
    page.set_default_timeout(COMPUTE_MS)
    page.set_default_navigation_timeout(COMPUTE_MS)
    log_in(page, world.users["admin"].email, world.password)
    campaign = world.a["campaign"]
    page.goto(f"/w/acme/campaigns/{campaign.pk}/attribution/")
    page.get_by_role("link", name="Edit in builder").click()
    page.wait_for_url(re.compile(r"/reports/builder/\?campaign="))
    expect(page.locator("#builder-model-linear")).to_be_checked()

    page.get_by_label("U-shaped").check()
    # The URL follows (models in the order of the checkboxes).
    expect(page).to_have_url(re.compile(r"models=u_shaped"))
    expect(page).to_have_url(re.compile(r"models=linear"))
    preview = page.locator("#builder-preview .builder-results")
    expect(preview).to_contain_text("U-shaped", timeout=COMPUTE_MS)

    page.locator("#id_name").fill("Linear vs U-shaped")
    page.get_by_label("Add to a new dashboard").check()
    page.locator("#id_board-name").fill("Launch board")
    page.get_by_label("Everyone in the workspace").first.check()
    page.get_by_role("button", name="Save report").click()

    board = Dashboard.objects.get(name="Launch board")
    page.wait_for_url(re.compile(rf"/dashboards/{board.pk}/$"))
    report = SavedReport.objects.get(name="Linear vs U-shaped")
    assert sorted(report.definition["models"]) == ["linear", "u_shaped"]
    card = page.locator(".dashboard-card").filter(has_text="Linear vs U-shaped")
    expect(card).to_have_count(1)
    body = card.locator(".dashboard-card-body")
    expect(body).to_contain_text("U-shaped", timeout=COMPUTE_MS)
    expect(body).to_contain_text("Linear")
    screenshot(page, "dashboard-with-card")

    page.get_by_role("link", name="Dashboards", exact=True).first.click()
    expect(page.get_by_role("link", name="Launch board")).to_be_visible()
