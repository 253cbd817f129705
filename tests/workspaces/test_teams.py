"""Teams: an Enterprise feature; on Professional the page explains the gate instead."""

from __future__ import annotations

from django.test import Client

from tests.conftest import World
from tests.workspaces.conftest import settings_url
from workspaces.models import Membership, Team, Workspace


def _make_professional(world: World) -> None:
    Workspace.objects.filter(pk=world.a.workspace.pk).update(tier="professional")


def test_teams_are_gated_on_professional_with_the_reason(
    world: World, admin_client_a: Client
) -> None:
    _make_professional(world)
    response = admin_client_a.get(settings_url("teams"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Teams are part of Enterprise" in body
    assert "ad accounts can be restricted" in body
    assert 'name="name"' not in body
    team = world.a["team"]
    detail = admin_client_a.get(settings_url("team_detail", team_id=team.pk))
    assert detail.status_code == 200 and "Teams are part of Enterprise" in detail.content.decode()


def test_nothing_changes_when_posting_to_teams_on_professional(
    world: World, admin_client_a: Client
) -> None:
    _make_professional(world)
    team = world.a["team"]
    admin_client_a.post(settings_url("teams"), {"name": "Sneaky"})
    admin_client_a.post(settings_url("team_detail", team_id=team.pk), {"name": "Renamed"})
    admin_client_a.post(settings_url("team_delete", team_id=team.pk))
    assert list(Team.objects.for_workspace(world.a.workspace).values_list("name", flat=True)) == [
        "Team A"
    ]


def test_an_enterprise_admin_creates_renames_and_deletes_a_team(
    world: World, admin_client_a: Client
) -> None:
    response = admin_client_a.post(settings_url("teams"), {"name": "  Paid social  "})
    team = Team.objects.for_workspace(world.a.workspace).get(name="Paid social")
    assert response["Location"] == settings_url("team_detail", team_id=team.pk)
    admin_client_a.post(settings_url("team_detail", team_id=team.pk), {"name": "Paid media"})
    team.refresh_from_db()
    assert team.name == "Paid media"
    admin_client_a.post(settings_url("team_delete", team_id=team.pk))
    assert not Team.objects.filter(pk=team.pk).exists()


def test_team_names_are_unique_in_a_workspace_whatever_the_case(
    world: World, admin_client_a: Client
) -> None:
    response = admin_client_a.post(settings_url("teams"), {"name": "team a"})
    assert "There is already a team called team a." in response.content.decode()
    assert Team.objects.for_workspace(world.a.workspace).count() == 1


def test_members_are_added_to_and_removed_from_a_team(world: World, admin_client_a: Client) -> None:
    team = world.a["team"]
    viewer = Membership.objects.get(workspace=world.a.workspace, user=world.users["viewer"])
    page = admin_client_a.get(settings_url("team_detail", team_id=team.pk)).content.decode()
    assert "viewer@acme.test" in page and "outsider@other.test" not in page
    admin_client_a.post(settings_url("team_member_add", team_id=team.pk), {"membership": viewer.pk})
    assert list(team.memberships.all()) == [viewer]
    admin_client_a.post(settings_url("team_member_remove", team_id=team.pk, member_id=viewer.pk))
    assert list(team.memberships.all()) == []


def test_a_member_of_another_workspace_cannot_be_added_to_a_team(
    world: World, admin_client_a: Client
) -> None:
    team = world.a["team"]
    outsider = Membership.objects.get(workspace=world.b.workspace)
    response = admin_client_a.post(
        settings_url("team_member_add", team_id=team.pk), {"membership": outsider.pk}
    )
    assert response.status_code == 200
    assert "Choose a member of this workspace." in response.content.decode()
    assert not team.memberships.exists()
