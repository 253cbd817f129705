"""Members: change role, remove, and never leave a workspace without an admin."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.conftest import World
from tests.workspaces.conftest import settings_url
from workspaces import services
from workspaces.models import Membership


def _membership(world: World, role: str) -> Membership:
    return Membership.objects.get(workspace=world.a.workspace, user=world.users[role])


def test_the_member_list_shows_everyone_with_their_role(admin_client_a: Client) -> None:
    body = admin_client_a.get(settings_url("members")).content.decode()
    for email in ("admin@acme.test", "marketer@acme.test", "viewer@acme.test"):
        assert email in body
    assert "outsider@other.test" not in body


def test_an_admin_changes_a_members_role(world: World, admin_client_a: Client) -> None:
    viewer = _membership(world, "viewer")
    url = settings_url("member_role", member_id=viewer.pk)
    response = admin_client_a.post(url, {"role": "marketer"})
    assert response.status_code == 302
    viewer.refresh_from_db()
    assert viewer.role == "marketer"


def test_an_unknown_role_is_refused(world: World, admin_client_a: Client) -> None:
    viewer = _membership(world, "viewer")
    response = admin_client_a.post(
        settings_url("member_role", member_id=viewer.pk), {"role": "owner"}, follow=True
    )
    assert "Choose admin, marketer or viewer." in response.content.decode()
    viewer.refresh_from_db()
    assert viewer.role == "viewer"


def test_the_last_admin_cannot_be_demoted(world: World, admin_client_a: Client) -> None:
    admin = _membership(world, "admin")
    response = admin_client_a.post(
        settings_url("member_role", member_id=admin.pk), {"role": "viewer"}, follow=True
    )
    assert "is the workspace&#x27;s only admin; make someone else an admin first." in (
        response.content.decode()
    )
    admin.refresh_from_db()
    assert admin.role == "admin"


def test_the_last_admin_cannot_be_removed(world: World, admin_client_a: Client) -> None:
    admin = _membership(world, "admin")
    response = admin_client_a.post(settings_url("member_remove", member_id=admin.pk), follow=True)
    assert "only admin and cannot be removed" in response.content.decode()
    assert Membership.objects.filter(pk=admin.pk).exists()


def test_the_services_protect_the_last_admin_too(world: World) -> None:
    admin = _membership(world, "admin")
    with pytest.raises(services.WorkspaceError):
        services.change_member_role(membership=admin, role="marketer")
    with pytest.raises(services.WorkspaceError):
        services.remove_member(membership=admin)


def test_with_two_admins_one_may_step_down_and_is_sent_away_from_settings(
    world: World, admin_client_a: Client
) -> None:
    Membership.objects.filter(workspace=world.a.workspace, user=world.users["marketer"]).update(
        role="admin"
    )
    me = _membership(world, "admin")
    response = admin_client_a.post(
        settings_url("member_role", member_id=me.pk), {"role": "marketer"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    me.refresh_from_db()
    assert me.role == "marketer"
    assert admin_client_a.get(settings_url("members")).status_code == 403


def test_an_admin_removes_a_member_who_then_loses_access(
    world: World, admin_client_a: Client, client_as: Callable[[str], Client]
) -> None:
    viewer = _membership(world, "viewer")
    response = admin_client_a.post(settings_url("member_remove", member_id=viewer.pk))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=viewer.pk).exists()
    assert client_as("viewer").get(settings_url("preferences")).status_code == 404


def test_role_changes_through_htmx_return_the_member_list_partial(
    world: World, admin_client_a: Client
) -> None:
    viewer = _membership(world, "viewer")
    response = admin_client_a.post(
        settings_url("member_role", member_id=viewer.pk),
        {"role": "marketer"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="members">')
    assert "<html" not in body
    assert "viewer@acme.test is now Marketer." in body


def test_a_refused_htmx_change_shows_the_reason_in_the_partial(
    world: World, admin_client_a: Client
) -> None:
    admin = _membership(world, "admin")
    response = admin_client_a.post(
        settings_url("member_remove", member_id=admin.pk), headers={"HX-Request": "true"}
    )
    assert "cannot be removed" in response.content.decode()


def test_removing_yourself_through_htmx_redirects_the_browser_home(
    world: World, admin_client_a: Client
) -> None:
    Membership.objects.filter(workspace=world.a.workspace, user=world.users["viewer"]).update(
        role="admin"
    )
    me = _membership(world, "admin")
    response = admin_client_a.post(
        settings_url("member_remove", member_id=me.pk), headers={"HX-Request": "true"}
    )
    assert response["HX-Redirect"] == "/"
    assert not Membership.objects.filter(pk=me.pk).exists()


def test_every_member_may_set_their_own_notification_preferences(
    world: World, client_as: Callable[[str], Client]
) -> None:
    viewer = client_as("viewer")
    assert viewer.get(settings_url("preferences")).status_code == 200
    response = viewer.post(settings_url("preferences"), {"notify_in_app": "on"})
    assert response.status_code == 302
    mine = _membership(world, "viewer")
    assert (mine.notify_email, mine.notify_in_app) == (False, True)
    others = _membership(world, "marketer")
    assert (others.notify_email, others.notify_in_app) == (True, True)


def test_preferences_can_be_switched_both_off(
    world: World, client_as: Callable[[str], Client]
) -> None:
    client_as("marketer").post(settings_url("preferences"), {})
    mine = _membership(world, "marketer")
    assert (mine.notify_email, mine.notify_in_app) == (False, False)


def test_the_user_menu_links_to_the_notification_preferences(
    client_as: Callable[[str], Client],
) -> None:
    body = client_as("viewer").get(settings_url("preferences")).content.decode()
    assert f'href="{settings_url("preferences")}"' in body
