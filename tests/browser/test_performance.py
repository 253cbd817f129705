"""The Performance tab in a real browser: filters swap the numbers in place and update the URL,
the back button restores them, the chart renders from local plotly and a number opens its list.
Nothing is loaded from outside and no JavaScript error happens (tests/browser/conftest.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assets.services import associate_asset, create_asset
from tests.browser.conftest import screenshot
from tests.conftest import World
from tracking.services import record_interaction

pytestmark = pytest.mark.browser


def _influence_long_ago(world: World) -> None:
    """One more influenced contact, 100 days ago (build_tenant's own one is from today)."""
    ws, now = world.a.workspace, timezone.now()
    form = create_asset(workspace=ws, type="form", name="Old signup form")
    associate_asset(asset=form, campaign=world.a["campaign"], at=now - timedelta(days=200))
    from crm.services import create_contact

    person = create_contact(
        workspace=ws, email="longago@acme.test", created_at=now - timedelta(days=150)
    )
    record_interaction(
        workspace=ws,
        type="form_submission",
        occurred_at=now - timedelta(days=100),
        contact=person,
        asset=form,
    )


def _influenced(page: Any) -> Any:
    return page.locator("[data-metric='influenced_contacts'] .metric-value")


def test_filters_change_the_numbers_in_place_and_the_back_button_restores_them(
    logged_in_page: Any, world: World
) -> None:
    _influence_long_ago(world)
    page = logged_in_page
    campaign = world.a["campaign"]
    page.goto(f"/w/acme/campaigns/{campaign.pk}/")
    page.get_by_role("link", name="Performance").click()
    page.wait_for_url(re.compile(r"/performance/"))
    expect(_influenced(page)).to_have_text("2")
    expect(page.locator("#contacts-sessions-chart .main-svg").first).to_be_visible()
    screenshot(page, "performance-all-data")

    page.get_by_label("Date range").select_option("last_30_days")
    expect(page).to_have_url(re.compile(r"range=last_30_days"))
    expect(_influenced(page)).to_have_text("1")
    expect(page.locator("#contacts-sessions-chart .main-svg").first).to_be_visible()

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"range=last_30_days"))
    expect(_influenced(page)).to_have_text("2")

    _influenced(page).get_by_role("link").click()
    page.wait_for_url(re.compile(r"/performance/list/influenced_contacts/"))
    expect(page.get_by_role("cell", name="longago@acme.test")).to_be_visible()
    screenshot(page, "performance-drill-down")


def test_asset_reports_collapse_and_expand_and_the_builder_copies_a_url(
    logged_in_page: Any, world: World
) -> None:
    page = logged_in_page
    campaign = world.a["campaign"]
    page.goto(f"/w/acme/campaigns/{campaign.pk}/performance/")
    sections = page.locator("details.asset-report")
    expect(sections.first).to_have_attribute("open", "")
    page.get_by_role("button", name="Collapse all").click()
    expect(sections.first).not_to_have_attribute("open", "")
    page.get_by_role("button", name="Expand all").click()
    expect(sections.first).to_have_attribute("open", "")

    page.get_by_role("link", name="Create tracking URL").first.click()
    page.get_by_label("Name").fill("Browser link")
    page.get_by_label("Destination URL").fill("https://acme.example.com/spring")
    page.get_by_label("Source (utm_source)").fill("newsletter")
    page.get_by_label("Medium (utm_medium)").fill("email")
    page.get_by_role("button", name="Create tracking URL").click()
    page.wait_for_url(re.compile(r"/tracking-urls/\?created="))
    row = page.locator("tr.table-success")
    expect(row.locator("input")).to_have_value(re.compile(r"utm_campaign=utm-acme"))
    row.get_by_role("button", name="Copy").click()
    expect(row.get_by_role("status")).to_have_text("Copied to the clipboard")
    screenshot(page, "tracking-urls")
