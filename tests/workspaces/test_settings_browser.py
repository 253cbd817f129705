"""The settings pages in a real browser: login page, role change via htmx, copying a new token."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import screenshot
from tests.conftest import World
from tests.workspaces.conftest import settings_url
from workspaces.models import ApiToken, Membership, hash_secret

pytestmark = pytest.mark.browser


def test_the_login_page_shows_the_product_and_labelled_fields(page: Any, world: World) -> None:
    page.goto("/accounts/login/")
    assert page.get_by_text("Touchpoint", exact=True).first.is_visible()
    assert page.get_by_label("Email").is_visible()
    assert page.get_by_label("Password").is_visible()
    screenshot(page, "settings-login")


def test_an_admin_changes_a_role_in_place_and_the_list_updates(
    logged_in_page: Any, world: World
) -> None:
    page = logged_in_page
    page.goto(settings_url("members"))
    page.get_by_label("Role of viewer@acme.test").select_option("marketer")
    page.locator("#members tr", has_text="viewer@acme.test").get_by_role(
        "button", name="Change"
    ).click()
    page.get_by_text("viewer@acme.test is now Marketer.").wait_for()
    assert page.url.endswith(settings_url("members"))
    viewer = Membership.objects.get(workspace=world.a.workspace, user=world.users["viewer"])
    assert viewer.role == "marketer"
    screenshot(page, "settings-members")


def test_a_new_api_token_is_shown_once_with_a_copy_button(
    logged_in_page: Any, world: World
) -> None:
    page = logged_in_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(settings_url("api_tokens"))
    page.get_by_label("Token name").fill("Browser token")
    page.get_by_role("button", name="Create token").click()
    page.wait_for_url(re.compile(r"/api-tokens/new/$"))
    raw = page.get_by_label("Token").input_value()
    assert raw.startswith("tp_")
    page.get_by_role("button", name="Copy").click()
    page.get_by_text("Copied", exact=True).wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == raw
    screenshot(page, "settings-token-created")
    token = ApiToken.objects.get(workspace=world.a.workspace, name="Browser token")
    assert token.token_hash == hash_secret(raw)
    page.reload()
    assert raw not in page.content()


def test_every_settings_page_renders_without_browser_errors(
    logged_in_page: Any, world: World
) -> None:
    page = logged_in_page
    for name in ("settings", "general", "exchange_rates", "attribution", "roi", "teams"):
        page.goto(settings_url(name))
        assert page.get_by_role("heading", level=1).count() == 1
        screenshot(page, f"settings-{name}")


def test_two_factor_setup_is_reachable_from_the_user_menu(
    logged_in_page: Any, world: World
) -> None:
    page = logged_in_page
    page.get_by_role("button", name="admin@acme.test").click()
    page.get_by_role("link", name="Two-factor authentication").click()
    page.get_by_role("heading", name="Two-Factor Authentication").wait_for()
    page.get_by_role("link", name="Activate").click()
    # allauth asks for the password again before security settings change.
    if page.get_by_role("heading", name="Confirm Access").count():
        page.get_by_label("Password").fill(world.password)
        page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Activate Authenticator App").wait_for()
    assert page.get_by_label("Authenticator secret").is_visible()
    assert page.get_by_role("img").first.is_visible()
    screenshot(page, "settings-mfa-activate")
