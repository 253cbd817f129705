"""The notification bell in a real browser: the unread count, the dropdown, mark all as read,
the 30-second poll picking up a new notification, and opening one. No console errors
(tests/browser/conftest.py guards every page)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import log_in, screenshot
from tests.conftest import World
from tests.notifications.helpers import add_notification

pytestmark = pytest.mark.browser

CAMPAIGNS = reverse("campaigns:list", kwargs={"workspace_slug": "acme"})


def _count(page: Any) -> Any:
    return page.locator("#notification-bell [data-unread-count]")


def test_the_bell_counts_lists_and_marks_all_read(page: Any, world: World) -> None:
    admin = world.users["admin"]
    add_notification(world.a.workspace, admin, "Export of Campaign A is ready", url=CAMPAIGNS)
    add_notification(world.a.workspace, admin, "Import of people.csv finished")
    log_in(page, admin.email, world.password)
    page.goto(CAMPAIGNS)

    expect(_count(page)).to_have_text("2")
    expect(_count(page)).to_be_visible()

    page.locator("#notification-bell-toggle").click()
    menu = page.locator("#notification-menu")
    expect(menu.get_by_text("Export of Campaign A is ready")).to_be_visible()
    expect(menu.get_by_text("Import of people.csv finished")).to_be_visible()
    screenshot(page, "notifications-dropdown")

    menu.get_by_role("button", name="Mark all as read").click()
    expect(_count(page)).to_have_text("0")
    expect(_count(page)).to_be_hidden()
    expect(menu.get_by_role("button", name="Mark all as read")).to_have_count(0)


def test_the_poll_shows_a_new_notification_and_opening_it_follows_its_link(
    page: Any, world: World
) -> None:
    admin = world.users["admin"]
    log_in(page, admin.email, world.password)
    page.clock.install()
    page.goto(CAMPAIGNS)
    expect(_count(page)).to_have_text("0")

    add_notification(world.a.workspace, admin, "Export of Campaign A is ready", url=CAMPAIGNS)
    page.clock.run_for("00:31")
    expect(_count(page)).to_have_text("1")

    page.locator("#notification-bell-toggle").click()
    page.locator("#notification-menu").get_by_text("Export of Campaign A is ready").click()
    expect(page).to_have_url(re.compile(re.escape(CAMPAIGNS) + "$"))
    expect(_count(page)).to_have_text("0")
