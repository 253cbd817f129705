"""The bell in the header: the unread count (one indexed COUNT), polling, and the dropdown."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.selectors import unread_count
from tests.conftest import World
from tests.notifications.helpers import add_notification, notification_url

CAMPAIGNS = reverse("campaigns:list", kwargs={"workspace_slug": "acme"})


def _bell(body: str) -> str:
    match = re.search(r'<li class="nav-item dropdown" id="notification-bell">.*?</li>', body, re.S)
    assert match, "the page has no bell"
    return match.group(0)


def _badge(html: str) -> str:
    match = re.search(r"<span [^>]*data-unread-count=[^>]*>[^<]*</span>", html)
    assert match, "no [data-unread-count] element"
    return match.group(0)


def _hidden(badge: str) -> bool:
    """Whether the element carries the `hidden` attribute (not aria-hidden)."""
    return re.search(r"\shidden[\s>]", badge) is not None


def test_the_bell_counts_only_the_users_unread_notifications_in_this_workspace(
    world: World, client_as: Callable[[str], Client]
) -> None:
    a, admin = world.a.workspace, world.users["admin"]
    add_notification(a, admin, "Export 1")
    add_notification(a, admin, "Export 2")
    add_notification(a, admin, "Export 3", read=True)
    add_notification(a, world.users["marketer"], "Someone else's")
    add_notification(world.b.workspace, world.users["outsider"], "Other workspace")

    bell = _bell(client_as("admin").get(CAMPAIGNS).content.decode())

    badge = _badge(bell)
    assert 'data-unread-count="2"' in badge and ">2</span>" in badge and not _hidden(badge)
    assert "2 unread notifications" in bell


def test_one_unread_notification_is_announced_in_the_singular(
    world: World, client_as: Callable[[str], Client]
) -> None:
    add_notification(world.a.workspace, world.users["viewer"], "Export")
    bell = _bell(client_as("viewer").get(CAMPAIGNS).content.decode())
    assert re.search(r">\s*1 unread notification\s*<", bell)


def test_with_nothing_unread_the_badge_shows_zero_and_is_hidden(
    world: World, client_as: Callable[[str], Client]
) -> None:
    add_notification(world.a.workspace, world.users["admin"], "Old export", read=True)
    badge = _badge(_bell(client_as("admin").get(CAMPAIGNS).content.decode()))
    assert 'data-unread-count="0"' in badge and _hidden(badge)


def test_without_javascript_the_bell_is_a_link_to_the_notification_page(
    client_as: Callable[[str], Client],
) -> None:
    bell = _bell(client_as("admin").get(CAMPAIGNS).content.decode())
    assert f'href="{notification_url("list")}"' in bell
    assert f'hx-get="{notification_url("menu")}"' in bell


def test_the_count_polls_every_30_seconds_and_answers_with_the_fresh_count(
    world: World, client_as: Callable[[str], Client]
) -> None:
    client = client_as("admin")
    body = client.get(CAMPAIGNS).content.decode()
    assert f'hx-get="{notification_url("count")}" hx-trigger="every 30s"' in body

    add_notification(world.a.workspace, world.users["admin"], "Export ready")
    polled = client.get(notification_url("count"), headers={"HX-Request": "true"})
    assert polled.status_code == 200
    assert 'data-unread-count="1"' in polled.content.decode()
    assert "<html" not in polled.content.decode()


def test_the_unread_count_is_a_single_count_query(world: World) -> None:
    add_notification(world.a.workspace, world.users["admin"], "Export")
    with CaptureQueriesContext(connection) as queries:
        assert unread_count(workspace=world.a.workspace, user=world.users["admin"]) == 1
    assert len(queries.captured_queries) == 1
    assert "COUNT(" in queries.captured_queries[0]["sql"].upper()


def test_pages_outside_a_workspace_have_no_bell(client_as: Callable[[str], Client]) -> None:
    body = client_as("admin").get(reverse("account_change_password")).content.decode()
    assert 'id="notification-bell"' not in body


def test_the_dropdown_lists_the_latest_ten_newest_first(
    world: World, client_as: Callable[[str], Client]
) -> None:
    start = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    for i in range(1, 13):
        add_notification(
            world.a.workspace, world.users["admin"], f"Export #{i:02d}", at=start + timedelta(i)
        )

    response = client_as("admin").get(notification_url("menu"), headers={"HX-Request": "true"})

    body = response.content.decode()
    titles = re.findall(r"Export #(\d\d)", body)
    assert titles == [f"{i:02d}" for i in range(12, 2, -1)]
    assert f'href="{notification_url("list")}"' in body  # "See all notifications"
    assert 'hx-swap-oob="true"' in body and 'data-unread-count="12"' in body


def test_the_dropdown_without_htmx_sends_the_user_to_the_full_page(
    client_as: Callable[[str], Client],
) -> None:
    response = client_as("admin").get(notification_url("menu"))
    assert response.status_code == 302 and response["Location"] == notification_url("list")
