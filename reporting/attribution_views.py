"""The campaign Attribution tab, its results partial (also the dashboards' cards), the credited
interactions behind a cell, and the Performance tab's deals lists."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from assets.models import AssetType
from campaigns import selectors as campaign_selectors
from campaigns.models import Campaign
from crm.models import Contact, Deal, TrafficSource
from reporting import attribution, selectors, services
from reporting.definitions import (
    ALL_MODEL_LABELS,
    CONVERSION_CHOICES,
    DIMENSION_CHOICES,
    ENTERPRISE_CONVERSIONS,
    AttributionDefinition,
    AttributionDefinitionForm,
)
from reporting.forms import DrillPageForm, PerformanceFilterForm
from reporting.models import ReportKind
from tracking.models import Interaction, InteractionType
from workspaces.decorators import member_required
from workspaces.http import WorkspaceRequest, render_page

PAGE_SIZE = 50
TEMPLATE = "reporting/attribution.html"


def _campaign(request: WorkspaceRequest, campaign_id: int) -> Campaign:
    return get_object_or_404(
        campaign_selectors.campaign_for_detail(workspace=request.workspace, campaign_id=campaign_id)
    )


def _today(request: WorkspaceRequest) -> date:
    return timezone.localdate(timezone=request.workspace.tz)


def _definition(request: WorkspaceRequest) -> tuple[AttributionDefinitionForm, Any]:
    form = AttributionDefinitionForm(
        request.GET or None, enterprise=request.workspace.is_enterprise
    )
    return form, form.definition()


def row_label(dimension: str, row: dict[str, Any]) -> str:
    key = row["key"]
    if key == "elsewhere":
        return _("Outside this campaign")
    if dimension == "asset":
        return str(row.get("name") or _("Asset #%(id)s") % {"id": key})
    labels: dict[str, Any] = {
        "asset_type": dict(AssetType.choices),
        "interaction_type": dict(InteractionType.choices),
        "source": dict(TrafficSource.choices),
    }[dimension]
    return str(labels.get(key) or (key or _("No source")))


def _table(payload: dict[str, Any], definition: AttributionDefinition) -> dict[str, Any]:
    """The payload with labels in the reader's language and cells in model order."""
    models = payload["models"]
    rows = [
        {
            "key": row["key"],
            "label": row_label(payload["dimension"], row),
            "cells": [(m, row["credit"][m], row["amount"][m]) for m in models],
        }
        for row in payload["rows"]
    ]
    chart = {
        "type": definition.chart,
        "labels": [row["label"] for row in rows],
        "series": [
            {
                "name": str(ALL_MODEL_LABELS.get(m, m)),
                "values": [
                    float(row["amount"][m]) if payload["revenue"] else row["credit"][m]
                    for row in payload["rows"]
                ],
            }
            for m in models
        ],
        "axis": _("Attributed revenue") if payload["revenue"] else _("Credited conversions"),
    }
    totals = [(m, payload["totals"]["credit"][m], payload["totals"]["amount"][m]) for m in models]
    elsewhere = [
        (m, payload["elsewhere"]["credit"][m], payload["elsewhere"]["amount"][m]) for m in models
    ]
    return {"rows": rows, "chart": chart, "totals": totals, "elsewhere": elsewhere}


def _comparison(request: WorkspaceRequest, payload: dict[str, Any]) -> dict[str, Any] | None:
    models = payload["models"]
    if len(models) < 2:
        return None
    a = str(request.GET.get("compare_a", ""))
    b = str(request.GET.get("compare_b", ""))
    a = a if a in models else models[0]
    b = b if b in models else models[1]
    rows = attribution.comparison(payload, a, b)
    for row in rows:
        row["label"] = row_label(payload["dimension"], row)
    return {"a": a, "b": b, "rows": rows, "total": round(sum(r["shift"] for r in rows), 6)}


def _named_paths(paths: list[dict[str, Any]], by: str) -> list[dict[str, Any]]:
    """Each path's steps as the page shows them: sources by their label, a touch of no campaign
    or no source named as such."""
    labels = dict(TrafficSource.choices) if by == "source" else {}
    missing = _("No source") if by == "source" else _("No campaign")
    return [
        {**p, "steps": [str(labels.get(step, step)) if step else missing for step in p["steps"]]}
        for p in paths
    ]


def _context(request: WorkspaceRequest, campaign: Campaign) -> dict[str, Any]:
    form, definition = _definition(request)
    result = attribution.attribution_section(
        campaign=campaign, definition=definition, today=_today(request)
    )
    context: dict[str, Any] = {
        "campaign": campaign,
        "form": form,
        "definition": definition,
        "query": definition.query(),
        "period": definition.period(today=_today(request)),
        "result": result,
        "model_labels": ALL_MODEL_LABELS,
        "conversion_choices": CONVERSION_CHOICES,
        "enterprise_conversions": ENTERPRISE_CONVERSIONS,
        "card": request.GET.get("card") == "1",
    }
    if result.ready and result.snapshot is not None:
        payload = result.snapshot.payload
        context.update(payload=payload, table=_table(payload, definition))
        context["compare"] = _comparison(request, payload)
        context["top_paths"] = [
            (by, _named_paths(payload["paths"][by], by)) for by in ("campaign", "source")
        ]
    context["dimension_label"] = dict(DIMENSION_CHOICES)[definition.dimension]
    return context


@member_required
def attribution_tab(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    return render_page(request, TEMPLATE, "results", _context(request, campaign))


@member_required
def attribution_results(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """Only the results (table + chart) for a definition query string: what the progress
    placeholder polls and what a dashboard card embeds (`card=1`: compact)."""
    campaign = _campaign(request, campaign_id)
    return render(request, f"{TEMPLATE}#results", _context(request, campaign))


@member_required
def attribution_interactions(request: WorkspaceRequest, campaign_id: int) -> HttpResponse:
    """The campaign's interactions in one row of the table with the credit each received under
    one model, paginated."""
    campaign = _campaign(request, campaign_id)
    _form, definition = _definition(request)
    model, row = request.GET.get("model", ""), request.GET.get("row", "")
    if model not in definition.models:
        raise Http404
    context: dict[str, Any] = {
        "campaign": campaign,
        "definition": definition,
        "query": definition.query(),
        "model": model,
        "model_label": ALL_MODEL_LABELS.get(model, model),
        "row": row,
        "row_label": row_label(definition.dimension, {"key": row, "name": ""}),
        "gated": attribution.is_gated(campaign, definition),
    }
    # The list's own query string (the definition and the cell), for its pages and its export.
    context["page_query"] = f"{definition.query()}&{urlencode({'model': model, 'row': row})}"
    context["export_url"] = (
        reverse(
            "exports:credited",
            kwargs={"workspace_slug": request.workspace.slug, "campaign_id": campaign.pk},
        )
        + f"?{context['page_query']}"
    )
    if not context["gated"]:
        credited = attribution.credited_interactions(
            campaign=campaign, definition=definition, model=model, row=row, today=_today(request)
        )
        page_form = DrillPageForm(request.GET)
        number = page_form.cleaned_data.get("page") if page_form.is_valid() else 1
        page = Paginator(credited.to_dict("records"), PAGE_SIZE).get_page(number)
        items = [{str(k): v for k, v in item.items()} for item in page]
        context.update(page=page, rows=_credited_rows(campaign, definition, items))
    return render(request, "reporting/attribution_interactions.html", context)


def _credited_rows(
    campaign: Campaign, definition: AttributionDefinition, items: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    ws = campaign.workspace_id
    found = (
        Interaction.objects.for_workspace(ws)
        .select_related("contact", "asset")
        .in_bulk([int(i["touch_id"]) for i in items])
    )
    if definition.conversion == "contact_create":
        label = "email"
        owners = Contact.objects.for_workspace(ws).in_bulk([int(i["conversion_id"]) for i in items])
    else:
        label = "name"
        owners = Deal.objects.for_workspace(ws).in_bulk([int(i["conversion_id"]) for i in items])
    rows = []
    for item in items:
        interaction = found.get(int(item["touch_id"]))
        if interaction is None:
            continue
        owner = owners.get(int(item["conversion_id"]))
        rows.append(
            {
                "interaction": interaction,
                "conversion": getattr(owner, label, "") if owner else "",
                "credit": item["credit"],
                "amount": Decimal(repr(float(item["amount"]))).quantize(Decimal("0.01")),
            }
        )
    return rows


# --- Performance tab: the deals behind Deals / Associated deal value ---------------------------
@member_required
def revenue_deals(request: WorkspaceRequest, campaign_id: int, report: str) -> HttpResponse:
    """The deals of the Revenue or Revenue attribution report with their amounts and the
    amount credited to the campaign, paginated."""
    campaign = _campaign(request, campaign_id)
    if report not in (ReportKind.REVENUE, ReportKind.REVENUE_ATTRIBUTION):
        raise Http404
    filters = PerformanceFilterForm(request.GET or None, today=_today(request))
    context: dict[str, Any] = {
        "campaign": campaign,
        "report": report,
        "query": filters.query(),
        "current": {name: filters.value(name) for name in filters.fields},
        "period": filters.period(),
        "gated": not services.tier_reports(request.workspace)[report],
        "section": services.Section(report=report, gated=True),
        "page": None,
    }
    if not context["gated"]:
        wanted = filters.report_filters()
        key = services.filters_key(wanted.for_report(report))
        snapshot = selectors.ready_snapshot(campaign=campaign, report=report, filters_key=key)
        if snapshot is None:
            services.request_report(campaign=campaign, report=report, filters=wanted)
            snapshot = selectors.ready_snapshot(campaign=campaign, report=report, filters_key=key)
        if snapshot is not None:
            page_form = DrillPageForm(request.GET)
            number = page_form.cleaned_data.get("page") if page_form.is_valid() else 1
            page = Paginator(snapshot.drill.get("deal_rows", []), PAGE_SIZE).get_page(number)
            rows = selectors.revenue_deal_rows(workspace_id=campaign.workspace_id, items=list(page))
            context.update(page=page, rows=rows)
    return render_page(request, "reporting/attribution_deals.html", "rows", context)
