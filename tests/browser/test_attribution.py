"""The Attribution tab in a real browser: ticking a second model adds its column in place and
puts it in the URL; the chart renders from local plotly. No JavaScript error happens and
nothing is loaded from outside (tests/browser/conftest.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.conftest import World

pytestmark = pytest.mark.browser


def test_picking_two_models_shows_two_columns_and_updates_the_url(
    logged_in_page: Any, world: World
) -> None:
    page = logged_in_page
    campaign = world.a["campaign"]
    page.goto(f"/w/acme/campaigns/{campaign.pk}/")
    page.get_by_role("link", name="Attribution").click()
    page.wait_for_url(re.compile(r"/attribution/"))
    columns = page.locator(".attribution-table thead th[data-model]")
    expect(columns).to_have_count(1)

    page.get_by_label("First interaction").check()

    expect(page).to_have_url(re.compile(r"models=first_interaction"))
    expect(columns).to_have_text(["First interaction", "Linear"])
    expect(page.locator("[data-chart='attribution'] .main-svg").first).to_be_visible()
    expect(page.get_by_role("heading", name="Model comparison")).to_be_visible()
    screenshot(page, "attribution-two-models")
