"""The campaign Performance tab: filters, the reports (HTMX swaps and polling), drill-down lists."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from campaigns import selectors as campaign_selectors
from campaigns.models import Campaign
from crm.models import Contact
from reporting import selectors, services
from reporting.forms import MODEL_LABELS, DrillPageForm, PerformanceFilterForm, TrackingUrlForm
from reporting.models import ReportKind
from tracking.models import Interaction, Session
from workspaces.decorators import member_required
from workspaces.http import WorkspaceRequest, render_page, require_editor

LIST_PAGE_SIZE = 50
# Drill-down lists: metric → (report holding the ids, key in its `drill`).
DRILLS: dict[str, tuple[str, str]] = {
    "sessions": (ReportKind.OVERVIEW, "sessions"),
    "new_contacts": (ReportKind.OVERVIEW, "new_contacts"),
    "influenced_contacts": (ReportKind.OVERVIEW, "influenced_contacts"),
    "revenue": (ReportKind.REVENUE, "credits"),
    "revenue_contacts": (ReportKind.REVENUE, "contacts"),
    "attributed_revenue": (ReportKind.REVENUE_ATTRIBUTION, "credits"),
    "attributed_contacts": (ReportKind.REVENUE_ATTRIBUTION, "contacts"),
}


def _campaign(request: WorkspaceRequest, campaign_id: int) -> Campaign:
    return get_object_or_404(
        campaign_selectors.campaign_for_detail(workspace=request.workspace, campaign_id=campaign_id)
    )


def _filters(request: WorkspaceRequest) -> PerformanceFilterForm:
    today = timezone.localdate(timezone=request.workspace.tz)
    return PerformanceFilterForm(request.GET or None, today=today)


def _context(campaign: Campaign, filters: PerformanceFilterForm) -> dict[str, Any]:
    return {
        "campaign": campaign,
        "filters": filters,
        "query": filters.query(),
        "current": {name: filters.value(name) for name in filters.fields},
        "period": filters.period(),
        "model_label": MODEL_LABELS.get(filters.value("model"), filters.value("model")),
    }


@member_required
def performance(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    filters = _filters(request)
    context = _context(campaign, filters)
    context["sections"] = services.performance_sections(
        campaign=campaign, filters=filters.report_filters()
    )
    return render_page(request, "reporting/performance.html", "reports", context)


@member_required
def performance_report(request: WorkspaceRequest, campaign_id: int, report: str) -> HttpResponse:
    """One report's section (what a progress placeholder polls until the worker is done)."""
    campaign = _campaign(request, campaign_id)
    if report not in services.REPORT_FILTERS:
        raise Http404
    filters = _filters(request)
    context = _context(campaign, filters)
    context["section"] = services.report_section(
        campaign=campaign, report=report, filters=filters.report_filters()
    )
    return render_page(request, "reporting/performance.html", "report", context)


@member_required
def performance_list(request: WorkspaceRequest, campaign_id: int, metric: str) -> HttpResponse:
    """The contacts, sessions or credited interactions behind one number, paginated."""
    campaign = _campaign(request, campaign_id)
    if metric not in DRILLS:
        raise Http404
    report, key = DRILLS[metric]
    filters = _filters(request)
    context = _context(campaign, filters)
    context.update(metric=metric, report=report, gated=False, snapshot=None, page=None)
    if not services.tier_reports(request.workspace)[report]:
        context.update(gated=True, section=services.Section(report=report, gated=True))
        return render_page(request, "reporting/list.html", "rows", context)
    wanted = filters.report_filters().for_report(report)
    snapshot = selectors.ready_snapshot(
        campaign=campaign, report=report, filters_key=services.filters_key(wanted)
    )
    if snapshot is None:
        services.request_report(campaign=campaign, report=report, filters=filters.report_filters())
        snapshot = selectors.ready_snapshot(
            campaign=campaign, report=report, filters_key=services.filters_key(wanted)
        )
    if snapshot is not None:
        page_form = DrillPageForm(request.GET)
        number = page_form.cleaned_data.get("page") if page_form.is_valid() else 1
        page = Paginator(snapshot.drill.get(key, []), LIST_PAGE_SIZE).get_page(number)
        context.update(
            snapshot=snapshot, page=page, rows=_rows(campaign, metric, list(page.object_list))
        )
    return render_page(request, "reporting/list.html", "rows", context)


def _rows(campaign: Campaign, metric: str, items: list[Any]) -> list[Any]:
    """The objects of one page of ids, in the stored order."""
    ws = campaign.workspace_id
    if metric == "sessions":
        by_id = Session.objects.for_workspace(ws).select_related("contact").in_bulk(items)
        return [by_id[i] for i in items if i in by_id]
    if metric in ("revenue", "attributed_revenue"):
        ids = [item["interaction"] for item in items]
        found = (
            Interaction.objects.for_workspace(ws)
            .select_related("contact", "asset", "campaign")
            .in_bulk(ids)
        )
        return [
            {
                "interaction": found[item["interaction"]],
                "deal": item["deal"],
                "amount": item["amount"],
            }
            for item in items
            if item["interaction"] in found
        ]
    by_id = Contact.objects.for_workspace(ws).in_bulk(items)
    return [by_id[i] for i in items if i in by_id]


# --- Tracking URLs -------------------------------------------------------------------------------
@member_required
def tracking_urls(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    links = selectors.tracking_urls_with_visits(campaign=campaign)
    page = Paginator(links, 25).get_page(request.GET.get("page"))
    created = request.GET.get("created", "")
    context = {"campaign": campaign, "page": page, "created": created}
    return render(request, "reporting/tracking_urls.html", context)


@member_required
@require_http_methods(["GET", "POST"])
def tracking_url_create(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    require_editor(request)
    utm_values = [u.value for u in campaign.utms.all()]
    form = TrackingUrlForm(request.POST or None, utm_values=utm_values)
    if request.method == "POST" and form.is_valid():
        try:
            link = services.create_tracking_url(
                campaign=campaign, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Tracking URL “%(name)s” created.") % {"name": link.name})
            target = reverse(
                "reporting:tracking_urls",
                kwargs={"workspace_slug": request.workspace.slug, "campaign_id": campaign.pk},
            )
            return redirect(f"{target}?created={link.pk}")
    context = {"campaign": campaign, "form": form, "utm_values": utm_values}
    return render(request, "reporting/tracking_url_form.html", context)


def _add_errors(form: TrackingUrlForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- Asset detail --------------------------------------------------------------------------------
@member_required
def asset_performance(request: WorkspaceRequest, campaign_id: int, asset_id: int) -> HttpResponse:
    """One asset of the campaign: its metrics, daily interactions and the interactions
    themselves in the period (all its data, whenever it was earned)."""
    campaign = _campaign(request, campaign_id)
    asset = selectors.campaign_held_asset(campaign=campaign, asset_id=asset_id)
    if asset is None:
        raise Http404
    filters = _filters(request)
    context = _context(campaign, filters)
    report = services.asset_detail(campaign=campaign, asset=asset, period=filters.period())
    page = Paginator(report.interactions, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    context.update(asset=asset, report=report, page=page)
    return render_page(request, "reporting/asset.html", "results", context)
