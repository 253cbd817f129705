"""The report library and dashboards: who sees what, saving from the tab, validation, deleting,
arranging cards. (The builder: test_library_builder.py.)"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from reporting.definitions import AttributionDefinition
from reporting.library import services
from reporting.library.services import NewDashboard, Sharing
from reporting.models import Dashboard, DashboardReport, SavedReport
from tests.conftest import World, make_user
from workspaces.models import Membership, Team

pytestmark = pytest.mark.django_db

TWO_MODELS = AttributionDefinition(models=("linear", "u_shaped"), dimension="source")


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"reporting:{name}", kwargs={"workspace_slug": "acme", **kwargs})


def _client(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _report(world: World, owner: str, name: str, sharing: Sharing) -> SavedReport:
    report, _board = services.save_report(
        workspace=world.a.workspace,
        owner=world.users[owner],
        campaign=world.a["campaign"],
        name=name,
        definition=TWO_MODELS,
        sharing=sharing,
    )
    return report


def _join(world: World, role: str, team: Team) -> None:
    Membership.objects.get(workspace=world.a.workspace, user=world.users[role]).teams.add(team)


def _library(world: World, role: str) -> str:
    return _client(world, role).get(_url("library")).content.decode()


# --- Visibility ---------------------------------------------------------------------------------


def test_a_private_report_is_invisible_to_another_member_even_an_admin(world: World) -> None:
    report = _report(world, "marketer", "My secret funnel", Sharing())
    assert "My secret funnel" in _library(world, "marketer")
    assert "My secret funnel" not in _library(world, "admin")
    admin = _client(world, "admin")
    for name in ("report_edit", "report_delete", "builder_edit", "report_add_to_dashboard"):
        assert admin.get(_url(name, report_id=report.pk)).status_code == 404, name


def test_a_team_report_is_seen_by_team_members_and_not_by_others(world: World) -> None:
    team = world.a["team"]
    _join(world, "marketer", team)
    _join(world, "viewer", team)
    _report(world, "marketer", "Team funnel", Sharing("team", team))
    assert "Team funnel" in _library(world, "viewer")
    assert "Team funnel" not in _library(world, "admin")


def test_a_team_dashboard_is_a_404_for_a_member_outside_the_team(world: World) -> None:
    team = world.a["team"]
    _join(world, "marketer", team)
    board = services.create_dashboard(
        workspace=world.a.workspace,
        owner=world.users["marketer"],
        name="Team board",
        sharing=Sharing("team", team),
    )
    url = _url("dashboard", dashboard_id=board.pk)
    assert _client(world, "marketer").get(url).status_code == 200
    assert _client(world, "admin").get(url).status_code == 404
    assert "Team board" not in _client(world, "admin").get(_url("dashboards")).content.decode()


def test_a_report_shared_with_everyone_is_listed_for_a_viewer_without_edit_links(
    world: World,
) -> None:
    report = _report(world, "marketer", "Company funnel", Sharing("everyone"))
    page = _library(world, "viewer")
    assert "Company funnel" in page
    assert _url("report_edit", report_id=report.pk) not in page
    assert _url("builder_edit", report_id=report.pk) not in page


def test_the_library_search_finds_by_name_and_the_scope_keeps_my_reports(world: World) -> None:
    _report(world, "marketer", "Spring leads", Sharing("everyone"))
    _report(world, "admin", "Autumn leads", Sharing("everyone"))
    client = _client(world, "marketer")
    found = client.get(_url("library") + "?q=spring").content.decode()
    assert "Spring leads" in found and "Autumn leads" not in found
    mine = client.get(_url("library") + "?scope=mine").content.decode()
    assert "Spring leads" in mine and "Autumn leads" not in mine and "Report A" not in mine


# --- Save as report -----------------------------------------------------------------------------


def _save(world: World, role: str = "marketer", **fields: Any) -> Any:
    data = {
        "conversion": "contact_create",
        "models": ["linear", "u_shaped"],
        "dimension": "source",
        "range": "all",
        "chart": "bar",
        "name": "Two models",
        "visibility": "private",
        "dashboard_action": "none",
        **fields,
    }
    url = _url("report_save", campaign_id=world.a["campaign"].pk)
    return _client(world, role).post(url, data)


def test_save_to_a_new_dashboard_then_open_it_shows_the_report_as_a_live_card(
    world: World,
) -> None:
    team = world.a["team"]
    _join(world, "marketer", team)
    response = _save(
        world,
        dashboard_action="new",
        **{"board-name": "Weekly", "board-visibility": "team", "board-team": team.pk},
    )
    board = Dashboard.objects.get(name="Weekly")
    assert response.status_code == 302
    assert response["Location"] == _url("dashboard", dashboard_id=board.pk)
    assert (board.visibility, board.team, board.owner) == ("team", team, world.users["marketer"])
    report = SavedReport.objects.get(name="Two models")
    assert report.definition == TWO_MODELS.as_data()
    page = _client(world, "marketer").get(response["Location"]).content.decode()
    results = _url("attribution_results", campaign_id=world.a["campaign"].pk)
    card = f"{results}?{TWO_MODELS.query(card=1)}".replace("&", "&amp;")
    assert f'hx-get="{card}"' in page and 'hx-trigger="load"' in page
    assert "Two models" in page


def test_save_to_an_existing_dashboard_appends_the_card_at_the_end(world: World) -> None:
    board = world.a["dashboard"]
    _save(world, dashboard_action="existing", dashboard=board.pk)
    cards = DashboardReport.objects.filter(dashboard=board).order_by("position")
    assert [c.report.name for c in cards] == ["Report A", "Two models"]
    assert [c.position for c in cards] == [0, 1]


def test_save_without_a_dashboard_goes_back_to_the_tab_with_the_definition(world: World) -> None:
    response = _save(world)
    tab = _url("attribution", campaign_id=world.a["campaign"].pk)
    assert response["Location"] == f"{tab}?{TWO_MODELS.query()}"
    assert not DashboardReport.objects.filter(report__name="Two models").exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "   "}, "Give the report a name."),
        ({"visibility": "team"}, "You are not in any team: keep it private or share it"),
        ({"dashboard_action": "existing"}, "Pick the dashboard to add the report to."),
        ({"dashboard_action": "new", "board-visibility": "private"}, "Give the dashboard a name."),
        ({"models": []}, "Attribution models: This field is required."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_saved(
    world: World, fields: dict[str, Any], message: str
) -> None:
    response = _save(world, **fields)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SavedReport.objects.filter(name__in=["Two models", ""]).exists()
    assert Dashboard.objects.for_workspace(world.a.workspace).count() == 1  # the fixture's


def test_a_second_report_of_mine_with_the_same_name_is_refused(world: World) -> None:
    _report(world, "marketer", "Two models", Sharing())
    response = _save(world, name="two  MODELS")
    assert "You already have a report named “two MODELS”" in response.content.decode()
    assert SavedReport.objects.filter(owner=world.users["marketer"]).count() == 1


def test_another_members_report_may_have_the_same_name(world: World) -> None:
    _report(world, "admin", "Two models", Sharing("everyone"))
    assert _save(world).status_code == 302
    assert SavedReport.objects.filter(name="Two models").count() == 2


def test_a_failed_dashboard_step_leaves_no_half_saved_report(world: World) -> None:
    other = Dashboard.objects.create(workspace=world.b.workspace, name="B's board")
    response = _save(world, dashboard_action="existing", dashboard=other.pk)
    assert "That dashboard does not exist or you cannot add to it." in response.content.decode()
    assert not SavedReport.objects.filter(name="Two models").exists()


def test_professional_workspace_cannot_save_a_revenue_report_and_is_told_why(
    world: World,
) -> None:
    world.a.workspace.tier = "professional"
    world.a.workspace.save(update_fields=["tier"])
    response = _save(world, conversion="revenue")
    assert "part of the Enterprise tier" in response.content.decode()
    assert not SavedReport.objects.filter(name="Two models").exists()


def test_a_viewer_may_not_open_the_save_dialog(world: World) -> None:
    url = _url("report_save", campaign_id=world.a["campaign"].pk)
    assert _client(world, "viewer").get(url).status_code == 403


# --- Edit and delete ----------------------------------------------------------------------------


def test_the_owner_renames_and_reshares_a_report(world: World) -> None:
    report = _report(world, "marketer", "Old name", Sharing())
    url = _url("report_edit", report_id=report.pk)
    response = _client(world, "marketer").post(url, {"name": "New name", "visibility": "everyone"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.name, report.visibility) == ("New name", "everyone")


def test_only_the_owner_or_an_admin_may_delete_a_report(world: World) -> None:
    report = _report(world, "marketer", "Shared", Sharing("everyone"))
    other = make_user("second@acme.test", world.password)
    Membership.objects.create(workspace=world.a.workspace, user=other, role="marketer")
    second = Client()
    second.force_login(other)
    url = _url("report_delete", report_id=report.pk)
    assert second.post(url).status_code == 403
    assert _client(world, "viewer").post(url).status_code == 403
    assert SavedReport.objects.filter(pk=report.pk).exists()
    assert _client(world, "admin").post(url).status_code == 302
    assert not SavedReport.objects.filter(pk=report.pk).exists()


def test_the_owner_deletes_a_report_and_its_cards_go_with_it(world: World) -> None:
    report = _report(world, "marketer", "Mine", Sharing("everyone"))
    services.add_card(dashboard=world.a["dashboard"], report=report)
    _client(world, "marketer").post(_url("report_delete", report_id=report.pk))
    assert not DashboardReport.objects.filter(report_id=report.pk).exists()
    assert Dashboard.objects.filter(pk=world.a["dashboard"].pk).exists()


# --- Dashboards ---------------------------------------------------------------------------------


def _board_with(world: World, names: list[str]) -> Dashboard:
    board = services.create_dashboard(
        workspace=world.a.workspace,
        owner=world.users["marketer"],
        name="Board",
        sharing=Sharing("everyone"),
    )
    for name in names:
        services.add_card(
            dashboard=board, report=_report(world, "marketer", name, Sharing("everyone"))
        )
    return board


def _order(board: Dashboard) -> list[str]:
    cards = DashboardReport.objects.filter(dashboard=board).order_by("position", "id")
    return [c.report.name for c in cards]


def test_cards_move_up_and_down_and_the_ends_stay_put(world: World) -> None:
    board = _board_with(world, ["One", "Two", "Three"])
    client = _client(world, "marketer")
    card = DashboardReport.objects.get(dashboard=board, report__name="Three")
    move = _url("card_move", dashboard_id=board.pk, card_id=card.pk)
    client.post(move, {"direction": "up"})
    assert _order(board) == ["One", "Three", "Two"]
    client.post(move, {"direction": "up"})
    client.post(move, {"direction": "up"})
    assert _order(board) == ["Three", "One", "Two"]
    client.post(move, {"direction": "down"})
    assert _order(board) == ["One", "Three", "Two"]


def test_removing_a_card_keeps_the_report_in_the_library(world: World) -> None:
    board = _board_with(world, ["One", "Two"])
    card = DashboardReport.objects.get(dashboard=board, report__name="One")
    _client(world, "marketer").post(_url("card_remove", dashboard_id=board.pk, card_id=card.pk))
    assert _order(board) == ["Two"]
    assert SavedReport.objects.filter(name="One").exists()


def test_a_viewer_sees_a_shared_dashboard_but_cannot_arrange_it(world: World) -> None:
    board = _board_with(world, ["One"])
    card = DashboardReport.objects.get(dashboard=board)
    viewer = _client(world, "viewer")
    page = viewer.get(_url("dashboard", dashboard_id=board.pk)).content.decode()
    assert "One" in page and "card_move" not in page
    assert _url("card_remove", dashboard_id=board.pk, card_id=card.pk) not in page
    remove = _url("card_remove", dashboard_id=board.pk, card_id=card.pk)
    assert viewer.post(remove).status_code == 403
    assert _order(board) == ["One"]


def test_a_shared_dashboard_hides_a_card_whose_report_is_private(world: World) -> None:
    board = _board_with(world, ["Public"])
    services.add_card(dashboard=board, report=_report(world, "marketer", "Private one", Sharing()))
    page = _client(world, "admin").get(_url("dashboard", dashboard_id=board.pk)).content.decode()
    assert "Public" in page and "Private one" not in page
    assert "1 report on this dashboard is not shared with you." in page


def test_create_rename_and_delete_a_dashboard(world: World) -> None:
    client = _client(world, "marketer")
    response = client.post(_url("dashboard_create"), {"name": "Mine", "visibility": "private"})
    board = Dashboard.objects.get(name="Mine")
    assert response["Location"] == _url("dashboard", dashboard_id=board.pk)
    client.post(
        _url("dashboard_edit", dashboard_id=board.pk), {"name": "Renamed", "visibility": "everyone"}
    )
    board.refresh_from_db()
    assert (board.name, board.visibility) == ("Renamed", "everyone")
    client.post(_url("dashboard_delete", dashboard_id=board.pk))
    assert not Dashboard.objects.filter(pk=board.pk).exists()


def test_a_marketer_may_not_rename_a_dashboard_someone_else_owns(world: World) -> None:
    board = world.a["dashboard"]
    url = _url("dashboard_edit", dashboard_id=board.pk)
    assert (
        _client(world, "marketer").post(url, {"name": "X", "visibility": "private"}).status_code
        == 403
    )
    board.refresh_from_db()
    assert board.name == "Dashboard A"


def test_adding_a_report_twice_to_a_dashboard_keeps_one_card(world: World) -> None:
    report = world.a["saved_report"]
    url = _url("report_add_to_dashboard", report_id=report.pk)
    response = _client(world, "marketer").post(url, {"dashboard": world.a["dashboard"].pk})
    assert response.status_code == 302
    assert DashboardReport.objects.filter(report=report).count() == 1


def test_an_outsider_gets_404_for_the_library_pages_of_another_workspace(world: World) -> None:
    outsider = _client(world, "outsider")
    assert outsider.get(_url("library")).status_code == 404
    assert outsider.get(_url("dashboard", dashboard_id=world.a["dashboard"].pk)).status_code == 404


def test_new_dashboard_service_is_one_transaction_with_the_report(world: World) -> None:
    report, board = services.save_report(
        workspace=world.a.workspace,
        owner=world.users["admin"],
        campaign=world.a["campaign"],
        name="Both",
        definition=TWO_MODELS,
        sharing=Sharing("everyone"),
        dashboard=NewDashboard("Fresh", Sharing()),
    )
    assert board is not None and board.name == "Fresh" and board.visibility == "private"
    assert list(board.cards.values_list("report_id", flat=True)) == [report.pk]
