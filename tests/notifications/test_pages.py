"""The notification page: listing, marking one or all as read (htmx and without JavaScript),
opening a notification's link, and who may touch which notification."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from notifications.models import Notification
from tests.conftest import World
from tests.notifications.helpers import add_notification, notification_url
from workspaces.models import Membership

DOWNLOAD = "/w/acme/exports/17/download/"


def _unread(user: Any) -> set[str]:
    return set(Notification.objects.filter(user=user, read_at=None).values_list("title", flat=True))


def _titles(body: str) -> list[str]:
    return re.findall(r'notification-title">\s*(?:<a [^>]*>)?Export #(\d\d)', body)


def test_the_page_lists_newest_first_marks_unread_and_paginates_by_twenty(
    world: World, client_as: Callable[[str], Client]
) -> None:
    start = datetime(2024, 3, 1, 9, 0, tzinfo=UTC)
    for i in range(1, 26):
        add_notification(
            world.a.workspace,
            world.users["admin"],
            f"Export #{i:02d}",
            read=i % 2 == 0,
            at=start + timedelta(hours=i),
        )
    client = client_as("admin")

    first = client.get(notification_url("list")).content.decode()
    second = client.get(notification_url("list") + "?page=2").content.decode()

    assert _titles(first) == [f"{i:02d}" for i in range(25, 5, -1)]
    assert _titles(second) == ["05", "04", "03", "02", "01"]
    unread_items = re.findall(r'notification-unread" id="notification-(\d+)"', first)
    assert len(unread_items) == 10  # 25, 23, …, 7
    assert first.count(">Mark as read<") == 10


def test_times_are_shown_in_the_workspace_zone_and_the_users_language(
    world: World, client_as: Callable[[str], Client]
) -> None:
    a = world.a.workspace
    a.time_zone = "Europe/Copenhagen"
    a.save(update_fields=["time_zone"])
    add_notification(a, world.users["admin"], "Export", at=datetime(2024, 1, 15, 12, 0, tzinfo=UTC))
    client = client_as("admin")

    english = client.get(notification_url("list")).content.decode()
    client.cookies["django_language"] = "da"
    danish = client.get(notification_url("list")).content.decode()

    assert "01/15/2024 1 p.m." in english  # 12:00 UTC is 13:00 in Copenhagen in winter
    assert "15.01.2024 13:00" in danish


def test_the_page_links_to_the_preferences_and_warns_when_in_app_is_off(
    world: World, client_as: Callable[[str], Client]
) -> None:
    preferences = "/w/acme/settings/preferences/"
    client = client_as("marketer")
    assert f'href="{preferences}"' in client.get(notification_url("list")).content.decode()
    assert (
        "turned in-app notifications off"
        not in client.get(notification_url("list")).content.decode()
    )

    Membership.objects.filter(workspace=world.a.workspace, user=world.users["marketer"]).update(
        notify_in_app=False
    )
    assert (
        "turned in-app notifications off" in client.get(notification_url("list")).content.decode()
    )


def test_marking_one_as_read_without_javascript_goes_back_to_the_page(
    world: World, client_as: Callable[[str], Client]
) -> None:
    admin = world.users["admin"]
    first = add_notification(world.a.workspace, admin, "First")
    add_notification(world.a.workspace, admin, "Second")

    response = client_as("admin").post(
        notification_url("mark_read", notification_id=first.pk),
        {"next": notification_url("list") + "?page=1"},
    )

    assert response.status_code == 302
    assert response["Location"] == notification_url("list") + "?page=1"
    assert _unread(admin) == {"Second"}


def test_marking_one_as_read_with_htmx_swaps_the_entry_and_the_bells_count(
    world: World, client_as: Callable[[str], Client]
) -> None:
    admin = world.users["admin"]
    first = add_notification(world.a.workspace, admin, "First")
    add_notification(world.a.workspace, admin, "Second")

    response = client_as("admin").post(
        notification_url("mark_read", notification_id=first.pk), headers={"HX-Request": "true"}
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<li class="list-group-item')
    assert f'id="notification-{first.pk}"' in body and "notification-unread" not in body
    assert "Mark as read" not in body
    assert 'hx-swap-oob="true"' in body and 'data-unread-count="1"' in body


def test_a_get_to_mark_read_changes_nothing(
    world: World, client_as: Callable[[str], Client]
) -> None:
    first = add_notification(world.a.workspace, world.users["admin"], "First")
    response = client_as("admin").get(notification_url("mark_read", notification_id=first.pk))
    assert response.status_code == 405
    assert _unread(world.users["admin"]) == {"First"}


def test_marking_all_as_read_touches_only_the_users_notifications_in_this_workspace(
    world: World, client_as: Callable[[str], Client]
) -> None:
    admin, marketer = world.users["admin"], world.users["marketer"]
    for title in ("One", "Two", "Three"):
        add_notification(world.a.workspace, admin, title)
    add_notification(world.a.workspace, marketer, "Marketer's")

    response = client_as("admin").post(notification_url("mark_all_read"), follow=True)

    assert _unread(admin) == set()
    assert _unread(marketer) == {"Marketer's"}
    assert response.redirect_chain == [(notification_url("list"), 302)]
    assert "3 notifications marked as read." in response.content.decode()


def test_marking_all_as_read_from_the_dropdown_answers_with_the_dropdown(
    world: World, client_as: Callable[[str], Client]
) -> None:
    add_notification(world.a.workspace, world.users["admin"], "One")
    response = client_as("admin").post(
        notification_url("mark_all_read"),
        headers={"HX-Request": "true", "HX-Target": "notification-menu"},
    )
    body = response.content.decode()
    assert "See all notifications" in body and "<html" not in body
    assert 'data-unread-count="0"' in body and "Mark all as read" not in body


def test_marking_all_as_read_on_the_page_with_htmx_answers_with_the_list(
    world: World, client_as: Callable[[str], Client]
) -> None:
    add_notification(world.a.workspace, world.users["admin"], "One")
    response = client_as("admin").post(
        notification_url("mark_all_read"),
        {"page": "1"},
        headers={"HX-Request": "true", "HX-Target": "notification-results"},
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="notification-results">')
    assert "notification-unread" not in body and 'data-unread-count="0"' in body


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example/", ""]
)
def test_after_a_post_the_user_never_leaves_the_site(
    next_url: str, client_as: Callable[[str], Client]
) -> None:
    response = client_as("admin").post(notification_url("mark_all_read"), {"next": next_url})
    assert response["Location"] == notification_url("list")


def test_opening_a_notification_marks_it_read_and_follows_its_link(
    world: World, client_as: Callable[[str], Client]
) -> None:
    admin = world.users["admin"]
    notification = add_notification(world.a.workspace, admin, "Export ready", url=DOWNLOAD)

    response = client_as("admin").get(notification_url("open", notification_id=notification.pk))

    assert response.status_code == 302 and response["Location"] == DOWNLOAD
    assert _unread(admin) == set()


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/steal",
        "//evil.example/steal",
        "/\\evil.example/steal",
        "javascript:alert(1)",
        "",
    ],
)
def test_a_link_that_is_not_a_local_path_lands_on_the_notification_page(
    link: str, world: World, client_as: Callable[[str], Client]
) -> None:
    notification = add_notification(world.a.workspace, world.users["admin"], "Odd", url=link)
    response = client_as("admin").get(notification_url("open", notification_id=notification.pk))
    assert response["Location"] == notification_url("list")
    assert _unread(world.users["admin"]) == set()


@pytest.mark.parametrize(
    ("name", "method"), [("open", "get"), ("mark_read", "post"), ("mark_read", "get")]
)
def test_another_members_notification_is_a_404_and_stays_unread(
    name: str, method: str, world: World, client_as: Callable[[str], Client]
) -> None:
    marketer = world.users["marketer"]
    theirs = add_notification(world.a.workspace, marketer, "Theirs", url=DOWNLOAD)
    client = client_as("admin")

    response = getattr(client, method)(notification_url(name, notification_id=theirs.pk))

    assert response.status_code == 404
    assert _unread(marketer) == {"Theirs"}


def test_a_notification_is_not_reachable_through_another_workspace_the_user_is_in(
    world: World, client_as: Callable[[str], Client]
) -> None:
    Membership.objects.create(workspace=world.b.workspace, user=world.users["admin"], role="admin")
    in_b = add_notification(world.b.workspace, world.users["admin"], "In B", url=DOWNLOAD)

    response = client_as("admin").get(notification_url("open", notification_id=in_b.pk))

    assert response.status_code == 404
    assert _unread(world.users["admin"]) == {"In B"}
