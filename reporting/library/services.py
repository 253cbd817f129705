"""Writes for the report library and dashboards. Each is one transaction; the forms have
already checked names, visibility and what the member may change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max

from campaigns.models import Campaign
from reporting.definitions import AttributionDefinition
from reporting.models import Dashboard, DashboardReport, SavedReport, Visibility
from workspaces.models import Team, Workspace


@dataclass(frozen=True)
class Sharing:
    visibility: str = Visibility.PRIVATE
    team: Team | None = None

    def fields(self) -> dict[str, Any]:
        team = self.team if self.visibility == Visibility.TEAM else None
        return {"visibility": self.visibility, "team": team}


@dataclass(frozen=True)
class NewDashboard:
    name: str
    sharing: Sharing


@transaction.atomic
def save_report(
    *,
    workspace: Workspace,
    owner: Any,
    campaign: Campaign,
    name: str,
    definition: AttributionDefinition,
    sharing: Sharing,
    dashboard: Dashboard | NewDashboard | None = None,
) -> tuple[SavedReport, Dashboard | None]:
    """A new saved report, optionally put on an existing or a new dashboard."""
    report = SavedReport.objects.create(
        workspace=workspace,
        owner=owner,
        campaign=campaign,
        name=name,
        definition=definition.as_data(),
        **sharing.fields(),
    )
    board = _dashboard(workspace=workspace, owner=owner, choice=dashboard)
    if board is not None:
        add_card(dashboard=board, report=report)
    return report, board


def _dashboard(
    *, workspace: Workspace, owner: Any, choice: Dashboard | NewDashboard | None
) -> Dashboard | None:
    if isinstance(choice, NewDashboard):
        return create_dashboard(
            workspace=workspace, owner=owner, name=choice.name, sharing=choice.sharing
        )
    return choice


@transaction.atomic
def update_report(
    *,
    report: SavedReport,
    name: str,
    sharing: Sharing,
    campaign: Campaign | None = None,
    definition: AttributionDefinition | None = None,
    dashboard: Dashboard | NewDashboard | None = None,
    by: Any = None,
) -> tuple[SavedReport, Dashboard | None]:
    """Rename and re-share; with a campaign and definition, overwrite what it shows too; with
    a dashboard, put it there (a new dashboard belongs to `by`, who is saving)."""
    report.name = name
    for field, value in sharing.fields().items():
        setattr(report, field, value)
    if campaign is not None:
        report.campaign = campaign
    if definition is not None:
        report.definition = definition.as_data()
    report.save()
    board = _dashboard(workspace=report.workspace, owner=by, choice=dashboard)
    if board is not None:
        add_card(dashboard=board, report=report)
    return report, board


def delete_report(*, report: SavedReport) -> None:
    report.delete()  # its dashboard cards go with it (CASCADE)


@transaction.atomic
def create_dashboard(*, workspace: Workspace, owner: Any, name: str, sharing: Sharing) -> Dashboard:
    dashboard: Dashboard = Dashboard.objects.create(
        workspace=workspace, owner=owner, name=name, **sharing.fields()
    )
    return dashboard


@transaction.atomic
def update_dashboard(*, dashboard: Dashboard, name: str, sharing: Sharing) -> Dashboard:
    dashboard.name = name
    for field, value in sharing.fields().items():
        setattr(dashboard, field, value)
    dashboard.save()
    return dashboard


def delete_dashboard(*, dashboard: Dashboard) -> None:
    dashboard.delete()  # the cards only: the saved reports stay in the library


@transaction.atomic
def add_card(*, dashboard: Dashboard, report: SavedReport) -> tuple[DashboardReport, bool]:
    """The report's card at the end of the dashboard (created=False if it was already there)."""
    cards = DashboardReport.objects.for_workspace(dashboard.workspace_id).filter(
        dashboard=dashboard
    )
    existing = cards.filter(report=report).first()
    if existing is not None:
        return existing, False
    last = cards.aggregate(last=Max("position"))["last"]
    card = DashboardReport.objects.create(
        workspace_id=dashboard.workspace_id,
        dashboard=dashboard,
        report=report,
        position=0 if last is None else last + 1,
    )
    return card, True


def remove_card(*, card: DashboardReport) -> None:
    card.delete()  # the saved report stays in the library


@transaction.atomic
def move_card(*, card: DashboardReport, up: bool) -> bool:
    """Swap the card with its neighbour above (or below); False when it is already at the end.
    Positions are renumbered 0..n-1 so that gaps and ties left by deletions disappear."""
    cards = list(
        DashboardReport.objects.for_workspace(card.workspace_id)
        .filter(dashboard_id=card.dashboard_id)
        .select_for_update()
        .order_by("position", "id")
    )
    index = next(i for i, c in enumerate(cards) if c.pk == card.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(cards):
        return False
    cards[index], cards[other] = cards[other], cards[index]
    for position, each in enumerate(cards):
        each.position = position
    DashboardReport.objects.bulk_update(cards, ["position"])
    return True
