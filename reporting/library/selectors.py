"""Reads for the report library and dashboards, always narrowed to what a member may see.

A saved report or dashboard is seen by its owner, by members of its team when shared with a
team, and by every member when shared with everyone. Anything else is a 404, admins included:
a private report stays private.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower

from reporting.models import Dashboard, DashboardReport, SavedReport, Shared, Visibility
from workspaces.models import Membership, Team, Workspace

LIBRARY_SCOPES = ("all", "mine", "shared")


def member_teams(*, membership: Membership) -> QuerySet[Team]:
    return Team.objects.for_workspace(membership.workspace_id).filter(memberships=membership)


def _visible(queryset: QuerySet, *, membership: Membership) -> QuerySet:
    teams = member_teams(membership=membership).values("pk")
    return queryset.filter(
        Q(owner_id=membership.user_id)
        | Q(visibility=Visibility.EVERYONE)
        | Q(visibility=Visibility.TEAM, team__in=teams)
    )


def visible_reports(*, workspace: Workspace, membership: Membership) -> QuerySet[SavedReport]:
    reports = SavedReport.objects.for_workspace(workspace)
    return _visible(reports, membership=membership).select_related("campaign", "owner", "team")


def library_reports(
    *, workspace: Workspace, membership: Membership, search: str = "", scope: str = "all"
) -> QuerySet[SavedReport]:
    """The library page: visible reports by name, optionally only mine or only others'."""
    reports = visible_reports(workspace=workspace, membership=membership)
    if search:
        reports = reports.filter(Q(name__icontains=search) | Q(campaign__name__icontains=search))
    if scope == "mine":
        reports = reports.filter(owner_id=membership.user_id)
    elif scope == "shared":
        reports = reports.exclude(owner_id=membership.user_id)
    return reports.annotate(card_count=Count("cards")).order_by(Lower("name"), "id")


def visible_dashboards(*, workspace: Workspace, membership: Membership) -> QuerySet[Dashboard]:
    dashboards = Dashboard.objects.for_workspace(workspace)
    return _visible(dashboards, membership=membership).select_related("owner", "team")


def dashboards_for_list(*, workspace: Workspace, membership: Membership) -> QuerySet[Dashboard]:
    dashboards = visible_dashboards(workspace=workspace, membership=membership)
    return dashboards.annotate(card_count=Count("cards")).order_by(Lower("name"), "id")


def dashboards_for_cards(*, workspace: Workspace, membership: Membership) -> QuerySet[Dashboard]:
    """Dashboards the member may add a card to: every visible one, for an editor."""
    if not membership.can_edit:
        return Dashboard.objects.none()
    return dashboards_for_list(workspace=workspace, membership=membership)


@dataclass(frozen=True)
class DashboardCards:
    cards: list[DashboardReport]
    # Cards holding a report the member may not see (shared dashboard, private report).
    hidden: int


def dashboard_cards(*, dashboard: Dashboard, membership: Membership) -> DashboardCards:
    cards = DashboardReport.objects.for_workspace(dashboard.workspace_id).filter(
        dashboard=dashboard
    )
    reports = visible_reports(workspace=dashboard.workspace, membership=membership)
    shown = list(cards.filter(report__in=reports.values("pk")).select_related("report__campaign"))
    return DashboardCards(cards=shown, hidden=cards.count() - len(shown))


def name_taken(
    *,
    model: type[Shared],
    workspace: Workspace,
    owner_id: int | None,
    name: str,
    exclude: int | None,
) -> bool:
    """Whether the owner already has a report (or dashboard) of this name, case aside."""
    same = model.objects.for_workspace(workspace).filter(owner_id=owner_id, name__iexact=name)
    return same.exclude(pk=exclude).exists() if exclude else same.exists()


def may_manage(item: Shared, *, membership: Membership) -> bool:
    """Rename, change visibility, overwrite, delete: the owner (an editor) or an admin."""
    if membership.is_admin:
        return True
    return membership.can_edit and item.owner_id == membership.user_id


def may_arrange(*, membership: Membership) -> bool:
    """Add, remove and reorder the cards of a dashboard the member sees: any editor."""
    return membership.can_edit
