"""The foundation, as a person uses it in a real browser: log in, switch workspace, create a
campaign, add an asset to it, switch the language. Screenshots go to var/screenshots/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.conftest import World

pytestmark = pytest.mark.browser


def test_the_login_page_shows_a_form_and_loads_nothing_from_outside(page: Any) -> None:
    page.goto("/accounts/login/")
    expect(page.get_by_label(re.compile(r"^e-?mail", re.IGNORECASE)).first).to_be_visible()
    expect(page.get_by_label(re.compile(r"^password", re.IGNORECASE)).first).to_be_visible()
    screenshot(page, "login")


def test_a_wrong_password_keeps_the_visitor_on_the_login_page(page: Any, world: World) -> None:
    page.goto("/accounts/login/")
    page.get_by_label(re.compile(r"^e-?mail", re.IGNORECASE)).first.fill("admin@acme.test")
    page.get_by_label(re.compile(r"^password", re.IGNORECASE)).first.fill("not-the-password")
    page.get_by_role("button", name=re.compile(r"sign in|log in", re.IGNORECASE)).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_text(re.compile(r"not correct", re.IGNORECASE))).to_be_visible()


def switch_workspace(page: Any, current: str, target: str) -> None:
    page.get_by_role("button", name=re.compile(re.escape(current))).click()
    page.get_by_role("link", name=re.compile(rf"^{re.escape(target)}\b")).click()


def test_a_member_switches_workspace_through_the_switcher(
    logged_in_page: Any, world: World
) -> None:
    from workspaces.models import Membership, Workspace

    page = logged_in_page
    beta = Workspace.objects.create(name="Beta", slug="beta")
    Membership.objects.create(workspace=beta, user=world.users["admin"], role="viewer")
    page.reload()
    expect(page).to_have_url(re.compile(r"/w/acme/"))

    switch_workspace(page, "Acme", "Beta")
    page.wait_for_url(re.compile(r"/w/beta/"))
    expect(page.get_by_role("button", name=re.compile("Beta"))).to_be_visible()
    screenshot(page, "workspace-switched")

    switch_workspace(page, "Beta", "Acme")
    page.wait_for_url(re.compile(r"/w/acme/"))
    # The home page remembers the workspace used last.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/w/acme/"))


def test_switching_to_swedish_and_back_changes_the_page_language(logged_in_page: Any) -> None:
    from django.utils import translation

    with translation.override("sv"):
        campaigns_sv, language_sv = (
            translation.gettext("Campaigns"),
            translation.gettext("Language"),
        )
    page = logged_in_page
    here = page.url
    page.get_by_label("Language", exact=True).select_option("sv")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    assert page.url == here, "switching language must keep the user on the same page"
    expect(page.get_by_role("link", name=campaigns_sv, exact=True).first).to_be_visible()
    screenshot(page, "swedish")

    page.get_by_label(language_sv, exact=True).select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="Campaigns", exact=True).first).to_be_visible()
    expect(page.get_by_label("Language", exact=True)).to_be_visible()


def test_a_marketer_creates_a_campaign_opens_it_and_adds_an_asset(
    logged_in_page: Any, world: World
) -> None:
    page = logged_in_page
    expect(page.get_by_role("heading", level=1, name="Campaigns")).to_be_visible()
    screenshot(page, "campaign-list")

    page.get_by_role("link", name="Create campaign").first.click()
    details = page.get_by_role("region", name="Details")
    details.get_by_label("Name", exact=True).fill("Spring launch 2026")
    details.get_by_label("utm_campaign values").fill("spring-launch-2026")
    details.get_by_label("Start date").fill("2026-03-01")
    details.get_by_label("End date").fill("2026-05-31")
    screenshot(page, "campaign-create")
    page.get_by_role("button", name="Create campaign").click()
    expect(
        page.get_by_role("heading", level=1, name=re.compile("Spring launch 2026"))
    ).to_be_visible()

    # Open it from the list, as a person coming back to it would.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="Spring launch 2026").click()
    expect(
        page.get_by_role("heading", level=1, name=re.compile("Spring launch 2026"))
    ).to_be_visible()

    free_asset = world.a["free_asset"]
    page.get_by_role("link", name="Add assets").first.click()
    expect(page.get_by_role("heading", level=1, name=re.compile("Add assets"))).to_be_visible()
    page.get_by_label(free_asset.name, exact=True).check()
    screenshot(page, "campaign-add-assets")
    page.get_by_role("button", name="Add selected assets").click()

    expect(
        page.get_by_role("heading", level=1, name=re.compile("Spring launch 2026"))
    ).to_be_visible()
    expect(page.get_by_role("link", name=free_asset.name, exact=True)).to_be_visible()
    screenshot(page, "campaign-detail")

    from assets.models import AssetAssociation
    from campaigns.models import Campaign

    campaign = Campaign.objects.for_workspace(world.a.workspace).get(name="Spring launch 2026")
    assert [u.value for u in campaign.utms.all()] == ["spring-launch-2026"]
    held = AssetAssociation.objects.for_workspace(world.a.workspace).get(
        asset=free_asset, dissociated_at__isnull=True
    )
    assert held.campaign_id == campaign.pk
    assert held.associated_by_id == world.users["admin"].pk
