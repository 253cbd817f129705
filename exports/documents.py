"""The `ExportDocument` of a campaign export, built from the Performance reports' payloads (the
numbers the tab shows, read from the same snapshots), with typed cells and labels in the active
language (the task activates the language of the person who asked)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from exports.document import Cell, Chart, Column, ExportDocument, Section, Series
from reporting.forms import MODEL_LABELS, PRESET_CHOICES, TOUCH_CHOICES
from reporting.models import ReportKind
from reporting.templatetags.reporting_tags import (
    METRIC_LABELS,
    PERCENT_METRICS,
    asset_type_label,
    report_label,
    source_label,
)

Payload = Mapping[str, Any]


def number(value: Any) -> Decimal | None:
    """A stored number (money and goals are strings with two decimals) as a Decimal."""
    return None if value in (None, "") else Decimal(str(value))


def model_label(model: str) -> str:
    return str(MODEL_LABELS.get(model, model))


# --- Sections ------------------------------------------------------------------------------------
def overview_section(payload: Payload, *, touch: str) -> Section:
    new_label = (
        _("New contacts (last touch)") if touch == "last" else _("New contacts (first touch)")
    )
    labels = {
        "sessions": _("Sessions"),
        "new_contacts": new_label,
        "influenced_contacts": _("Influenced contacts"),
    }
    rows: list[list[Cell]] = [
        [label, int(payload[key]["value"]), number(payload[key].get("goal"))]
        for key, label in labels.items()
    ]
    columns = [
        Column("metric", _("Metric")),
        Column("value", _("Value"), "integer"),
        Column("goal", _("Goal"), "number"),
    ]
    return Section(ReportKind.OVERVIEW, str(report_label(ReportKind.OVERVIEW)), columns, rows)


def revenue_section(payload: Payload, *, report: str, currency: str) -> Section:
    """Revenue (even split) or Revenue attribution (with its model): metric, value, goal."""
    attribution = report == ReportKind.REVENUE_ATTRIBUTION
    goals = payload.get("goals") or {}
    money = _("%(metric)s (%(currency)s)")
    amount = _("Deal contribution") if attribution else _("Revenue")
    deals_label = _("Deals") if attribution else _("Deals with revenue")
    contacts_label = _("Contacts") if attribution else _("Contacts with revenue")
    rows: list[list[Cell]] = [
        [
            money % {"metric": amount, "currency": currency},
            number(payload["revenue"]),
            number(goals.get("revenue")),
        ],
        [deals_label, int(payload["deals"]), number(goals.get("deals"))],
        [
            money % {"metric": _("Associated deal value"), "currency": currency},
            number(payload["associated_value"]),
            None,
        ],
        [contacts_label, int(payload["contacts"]), None],
    ]
    columns = [
        Column("metric", _("Metric")),
        Column("value", _("Value"), "number"),
        Column("goal", _("Goal"), "number"),
    ]
    title = str(report_label(report))
    note = ""
    if attribution and payload.get("model"):
        title = f"{title} ({model_label(str(payload['model']))})"
    if payload.get("problems"):
        note = _("Some deals are not included:") + " " + "; ".join(payload["problems"])
    return Section(report, title, columns, rows, note=note)


def contacts_sessions_section(payload: Payload) -> Section:
    """One row per local day with data: new contacts, influenced contacts, sessions."""
    daily = payload.get("daily") or []
    metrics = ("new_contacts", "influenced_contacts", "sessions")
    labels = [_("New contacts"), _("Influenced contacts"), _("Sessions")]
    rows: list[list[Cell]] = [
        [date.fromisoformat(point["bucket"]), *(int(point[m]) for m in metrics)] for point in daily
    ]
    chart = Chart(
        title=str(report_label(ReportKind.CONTACTS_SESSIONS)),
        kind="line",
        categories=[point["bucket"] for point in daily],
        series=[
            Series(label, [float(point[m]) for point in daily])
            for m, label in zip(metrics, labels, strict=True)
        ],
    )
    columns = [Column("date", _("Date"), "date")] + [
        Column(m, label, "integer") for m, label in zip(metrics, labels, strict=True)
    ]
    title = str(report_label(ReportKind.CONTACTS_SESSIONS))
    return Section(ReportKind.CONTACTS_SESSIONS, title, columns, rows, chart=chart)


def _asset_column(metric: str, currency: str) -> Column:
    label = str(METRIC_LABELS.get(metric, metric))
    if metric in PERCENT_METRICS:
        return Column(metric, label, "percent")
    if metric == "spend":
        return Column(metric, f"{label} ({currency})", "money")
    return Column(metric, label, "integer")


def _asset_cell(column: Column, value: Any) -> Cell:
    if value is None:
        return None
    return int(value) if column.kind == "integer" else Decimal(str(value))


def asset_sections(payload: Payload, *, currency: str) -> list[Section]:
    """One section per asset type present, a row per asset with the type's metrics."""
    sections = []
    for block in payload.get("sections") or []:
        metric_columns = [_asset_column(m, currency) for m in block["columns"]]
        rows: list[list[Cell]] = [
            [row["name"], *(_asset_cell(c, row["metrics"].get(c.key)) for c in metric_columns)]
            for row in block["rows"]
        ]
        title = _("Asset reports: %(type)s") % {"type": asset_type_label(block["type"])}
        columns = [Column("asset", _("Asset")), *metric_columns]
        sections.append(Section(f"assets-{block['type']}", title, columns, rows))
    return sections


def _detail_label(source: str, key: Sequence[str]) -> str:
    parts = [part or _("(none)") for part in key]
    if source == "paid_search":
        return _("Search term: %(value)s") % {"value": parts[0]}
    if source == "organic_social":
        return _("Network: %(value)s") % {"value": parts[0]}
    return _("Source / medium: %(value)s") % {"value": " / ".join(parts)}


def traffic_section(payload: Payload) -> Section:
    """By source, each drillable source followed by its rows by search term, network or
    source & medium, and a total row."""
    metrics = ("views", "new_visitor_sessions", "contacts")
    rows: list[list[Cell]] = []
    drills = payload.get("drills") or {}
    for row in payload.get("rows") or []:
        source = row["key"][0]
        label = str(source_label(source))
        rows.append([label, "", *(int(row[m]) for m in metrics)])
        for sub in drills.get(source, []):
            rows.append([label, _detail_label(source, sub["key"]), *(int(sub[m]) for m in metrics)])
    totals = payload.get("totals") or {}
    rows.append([_("Total"), "", *(int(totals.get(m, 0)) for m in metrics)])
    by_source = payload.get("rows") or []
    chart = Chart(
        title=_("Views by source"),
        kind="bar",
        categories=[str(source_label(r["key"][0])) for r in by_source],
        series=[Series(_("Views"), [float(r["views"]) for r in by_source])],
    )
    columns = [
        Column("source", _("Source")),
        Column("detail", _("Breakdown")),
        Column("views", _("Views"), "integer"),
        Column("new_visitor_sessions", _("New visitor sessions"), "integer"),
        Column("contacts", _("Contacts (first touch)"), "integer"),
    ]
    title = str(report_label(ReportKind.TRAFFIC))
    return Section(ReportKind.TRAFFIC, title, columns, rows, chart=chart if by_source else None)


def report_sections(report: str, payload: Payload, *, touch: str, currency: str) -> list[Section]:
    """The document sections of one Performance report."""
    builders: dict[str, Callable[[], list[Section]]] = {
        ReportKind.OVERVIEW: lambda: [overview_section(payload, touch=touch)],
        ReportKind.REVENUE: lambda: [revenue_section(payload, report=report, currency=currency)],
        ReportKind.REVENUE_ATTRIBUTION: lambda: [
            revenue_section(payload, report=report, currency=currency)
        ],
        ReportKind.CONTACTS_SESSIONS: lambda: [contacts_sessions_section(payload)],
        ReportKind.ASSETS: lambda: asset_sections(payload, currency=currency),
        ReportKind.TRAFFIC: lambda: [traffic_section(payload)],
    }
    return builders[report]()


# --- The filters, worded for the reader ----------------------------------------------------------
def filter_lines(
    filters: Mapping[str, Any], *, enterprise: bool, reports: Sequence[str]
) -> list[tuple[str, str]]:
    """("Date range", "Last 30 days (1 Jan 2024 to 30 Jan 2024)"), contact attribution, model."""
    from django.utils.formats import date_format

    presets = dict(PRESET_CHOICES)
    start, end = filters.get("start"), filters.get("end")
    shown = [date_format(date.fromisoformat(d), "DATE_FORMAT") if d else "…" for d in (start, end)]
    span = str(presets.get(filters.get("range", "all"), ""))
    if start or end:
        span = f"{span} ({shown[0]} \u2013 {shown[1]})"  # an en dash between the dates
    lines = [
        (_("Date range"), span),
        (_("Contact attribution"), str(dict(TOUCH_CHOICES).get(filters.get("touch", "first")))),
    ]
    if enterprise and ReportKind.REVENUE_ATTRIBUTION in reports:
        lines.append((_("Attribution model"), model_label(filters.get("model", "linear"))))
    lines.append((_("Reports"), ", ".join(str(report_label(r)) for r in reports)))
    return lines


def campaign_document(
    *,
    campaign_name: str,
    workspace_name: str,
    payloads: Mapping[str, Payload],
    filters: Mapping[str, Any],
    enterprise: bool,
    currency: str,
    language: str,
    generated_at: datetime,
) -> ExportDocument:
    """`payloads`: report → payload, in the order the sections appear."""
    touch = str(filters.get("touch", "first"))
    sections: list[Section] = []
    for report, payload in payloads.items():
        sections += report_sections(report, payload, touch=touch, currency=currency)
    return ExportDocument(
        title=_("Campaign performance: %(name)s") % {"name": campaign_name},
        subtitle=workspace_name,
        filters=filter_lines(filters, enterprise=enterprise, reports=list(payloads)),
        generated_at=generated_at,
        currency=currency,
        language=language,
        sections=sections,
    )


# --- Attribution-tab export ----------------------------------------------------------------------
def _dimension_label(dimension: str, row: Mapping[str, Any]) -> str:
    from tracking.models import InteractionType

    key = str(row.get("key", ""))
    if dimension == "asset":
        return str(row.get("name") or key)
    if dimension == "asset_type":
        return str(asset_type_label(key))
    if dimension == "interaction_type":
        return str(dict(InteractionType.choices).get(key, key))
    return str(source_label(key))


def attribution_section(payload: Payload, *, currency: str) -> Section:
    """A row per dimension value: each model's credit (conversions credited, fractional) and,
    for the revenue report, the amount; then the total row."""
    from reporting.definitions import ALL_MODEL_LABELS, DIMENSION_CHOICES

    models = [str(m) for m in payload.get("models", [])]
    revenue = bool(payload.get("revenue"))
    dimension = str(payload.get("dimension", "asset"))
    columns = [Column("key", str(dict(DIMENSION_CHOICES).get(dimension, dimension)))]
    for m in models:
        label = str(ALL_MODEL_LABELS.get(m, m))
        columns.append(Column(f"credit-{m}", _("%(model)s: credit") % {"model": label}, "number"))
        if revenue:
            amount = _("%(model)s: amount (%(currency)s)") % {"model": label, "currency": currency}
            columns.append(Column(f"amount-{m}", amount, "money"))

    def cells(credit: Mapping[str, Any], amount: Mapping[str, Any]) -> list[Cell]:
        values: list[Cell] = []
        for m in models:
            values.append(Decimal(str(credit.get(m, 0))))
            if revenue:
                values.append(number(amount.get(m)))
        return values

    rows: list[list[Cell]] = [
        [_dimension_label(dimension, row), *cells(row["credit"], row["amount"])]
        for row in payload.get("rows", [])
    ]
    totals = payload.get("totals") or {}
    rows.append([_("Total"), *cells(totals.get("credit", {}), totals.get("amount", {}))])
    chart = Chart(
        title=_("Credit by model"),
        kind="bar",
        categories=[str(r[0]) for r in rows[:-1]],
        series=[
            Series(
                str(ALL_MODEL_LABELS.get(m, m)),
                [float(row["credit"].get(m, 0)) for row in payload.get("rows", [])],
            )
            for m in models
        ],
    )
    title = str(_("Attribution"))
    return Section("attribution", title, columns, rows, chart=chart if len(rows) > 1 else None)
