"""Drill-down lists behind the Traffic rows and the asset-report metrics of the Performance tab:
the sessions, contacts or interactions behind one number, paginated, in the tab's period."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.utils import timezone

from campaigns import selectors as campaign_selectors
from reporting import selectors
from reporting.forms import DrillScopeForm, PerformanceFilterForm
from reporting.models import ReportKind
from workspaces.decorators import member_required
from workspaces.http import WorkspaceRequest, render_page

ROWS_PAGE_SIZE = 50


@member_required
def performance_rows(request: WorkspaceRequest, campaign_id: int, metric: str) -> HttpResponse:
    """`?source=&detail_1=&detail_2=` (Traffic) or `?asset=` (asset reports) with the tab's
    filters; a foreign or unknown campaign or asset is a 404."""
    campaign = campaign_selectors.campaign_for_detail(
        workspace=request.workspace, campaign_id=campaign_id
    ).first()
    if campaign is None or metric not in selectors.DRILL_KINDS:
        raise Http404
    scope_form = DrillScopeForm(request.GET)
    if not scope_form.is_valid():
        raise Http404
    scope = scope_form.scope(campaign=campaign)
    if metric in selectors.ASSET_DRILLS and scope.asset is None:
        raise Http404
    today = timezone.localdate(timezone=request.workspace.tz)
    filters = PerformanceFilterForm(request.GET or None, today=today)
    lower, upper = filters.period().bounds(request.workspace.tz)
    rows = selectors.drill_rows(
        campaign=campaign, metric=metric, lower=lower, upper=upper, scope=scope
    )
    page = Paginator(rows, ROWS_PAGE_SIZE).get_page(scope_form.cleaned_data.get("page"))
    context = {
        "campaign": campaign,
        "metric": metric,
        "kind": selectors.DRILL_KINDS[metric],
        "report": ReportKind.TRAFFIC if metric in selectors.TRAFFIC_DRILLS else ReportKind.ASSETS,
        "scope": scope,
        "page": page,
        "filters": filters,
        "query": filters.query(),
        "scope_query": scope_form.query(),
        "period": filters.period(),
        "current": {name: filters.value(name) for name in filters.fields},
    }
    return render_page(request, "reporting/rows.html", "rows", context)
