"""Per-member preferences: in-app off means no notification row; the page saves both switches."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from notifications.models import Notification, NotificationKind
from notifications.services import notify
from tests.conftest import World
from tests.notifications.helpers import notification_url
from workspaces.models import Membership

PREFERENCES = reverse("workspaces:preferences", kwargs={"workspace_slug": "acme"})


def _membership(world: World, role: str) -> Membership:
    return Membership.objects.get(workspace=world.a.workspace, user=world.users[role])


def test_with_in_app_notifications_off_notify_adds_no_row(world: World) -> None:
    Membership.objects.filter(pk=_membership(world, "admin").pk).update(notify_in_app=False)

    result = notify(
        workspace_id=world.a.workspace.pk,
        user=world.users["admin"],
        kind=NotificationKind.EXPORT_READY,
        title="Export ready",
        dedupe_key="export:1",
    )

    assert result is None
    assert not Notification.objects.filter(user=world.users["admin"]).exists()


def test_notify_twice_with_the_same_key_keeps_one_row(world: World) -> None:
    args = {
        "workspace_id": world.a.workspace.pk,
        "user": world.users["admin"],
        "kind": NotificationKind.EXPORT_READY,
        "title": "Export ready",
        "dedupe_key": "export:2",
    }
    first, second = notify(**args), notify(**args)
    assert first is not None and second is not None and first.pk == second.pk
    assert Notification.objects.filter(user=world.users["admin"]).count() == 1


def test_the_preferences_page_saves_both_switches_for_this_workspace_only(
    world: World, client_as: Callable[[str], Client]
) -> None:
    response = client_as("marketer").post(PREFERENCES, {"notify_email": "on"})

    assert response.status_code == 302
    mine = _membership(world, "marketer")
    assert (mine.notify_email, mine.notify_in_app) == (True, False)
    assert (
        _membership(world, "admin").notify_email,
        _membership(world, "admin").notify_in_app,
    ) == (
        True,
        True,
    )


def test_the_preferences_page_explains_both_switches_and_links_to_the_notifications(
    client_as: Callable[[str], Client],
) -> None:
    body = client_as("viewer").get(PREFERENCES).content.decode()
    assert "an email with the download link" in body
    assert "The bell at the top of every page" in body
    assert f'href="{notification_url("list")}"' in body
