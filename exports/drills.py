"""The `ExportDocument` of a drill-down list: the contacts, sessions or credited interactions
behind one Performance number, every row (not one page), read in chunks of ids."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, tzinfo
from decimal import Decimal
from itertools import islice
from typing import Any

from django.template.defaultfilters import yesno
from django.utils.translation import gettext as _

from campaigns.models import Campaign
from crm.models import Contact, Deal
from exports.document import Cell, Column, Section
from reporting.selectors import DRILL_KINDS, revenue_deal_rows
from reporting.templatetags.reporting_tags import metric_label, source_label
from tracking.models import Interaction, Session

CHUNK = 2000
REVENUE_METRICS = ("revenue", "attributed_revenue")


def drill_title(metric: str, *, touch: str) -> str:
    """The list's title, as on its page."""
    titles = {
        "sessions": _("Sessions"),
        "new_contacts": _("New contacts (last touch)")
        if touch == "last"
        else _("New contacts (first touch)"),
        "influenced_contacts": _("Influenced contacts"),
        "revenue": _("Interactions behind the revenue"),
        "attributed_revenue": _("Interactions and the revenue credited to them"),
    }
    return str(titles.get(metric, _("Contacts with revenue")))


def _chunks(items: Sequence[Any]) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, CHUNK)):
        yield chunk


def _local(value: datetime | None, tz: tzinfo) -> datetime | None:
    return value.astimezone(tz) if value is not None else None


def _session_rows(ws: int, ids: Sequence[int], tz: tzinfo) -> Iterator[list[Cell]]:
    for chunk in _chunks(ids):
        found = Session.objects.for_workspace(ws).select_related("contact").in_bulk(chunk)
        for pk in chunk:
            if (s := found.get(pk)) is not None:
                email = s.contact.email if s.contact else ""
                source = str(source_label(s.source))
                yield [_local(s.started_at, tz), s.landing_url, source, email, s.page_view_count]


def _contact_rows(ws: int, ids: Sequence[int], tz: tzinfo) -> Iterator[list[Cell]]:
    for chunk in _chunks(ids):
        found = Contact.objects.for_workspace(ws).in_bulk(chunk)
        for pk in chunk:
            if (c := found.get(pk)) is not None:
                yield [
                    c.email,
                    c.full_name,
                    _local(c.created_at, tz),
                    c.get_lifecycle_stage_display(),
                    str(source_label(c.original_source)),
                ]


def _credit_rows(ws: int, items: Sequence[dict[str, Any]], tz: tzinfo) -> Iterator[list[Cell]]:
    for chunk in _chunks(items):
        interactions = (
            Interaction.objects.for_workspace(ws)
            .select_related("contact", "asset")
            .in_bulk([item["interaction"] for item in chunk])
        )
        deals = Deal.objects.for_workspace(ws).in_bulk({item["deal"] for item in chunk})
        for item in chunk:
            if (i := interactions.get(item["interaction"])) is None:
                continue
            deal = deals.get(item["deal"])
            yield [
                i.get_type_display(),
                _local(i.occurred_at, tz),
                i.contact.email if i.contact else "",
                i.asset.name if i.asset else "",
                deal.name if deal else f"#{item['deal']}",
                Decimal(str(item["amount"])),
            ]


def drill_columns(metric: str, currency: str) -> list[Column]:
    if metric == "sessions":
        return [
            Column("started", _("Started"), "datetime"),
            Column("landing_url", _("Landing page")),
            Column("source", _("Source")),
            Column("contact", _("Contact")),
            Column("page_views", _("Page views"), "integer"),
        ]
    if metric in REVENUE_METRICS:
        credit = _("Credit (%(currency)s)") % {"currency": currency}
        return [
            Column("interaction", _("Interaction")),
            Column("date", _("Date"), "datetime"),
            Column("contact", _("Contact")),
            Column("asset", _("Asset")),
            Column("deal", _("Deal")),
            Column("credit", credit, "money"),
        ]
    return [
        Column("email", _("Email")),
        Column("name", _("Name")),
        Column("created", _("Created"), "datetime"),
        Column("lifecycle_stage", _("Lifecycle stage")),
        Column("original_source", _("Original source")),
    ]


def drill_section(*, campaign: Campaign, metric: str, items: Sequence[Any], touch: str) -> Section:
    """Every row of the list behind `metric`, in the stored order (ids of another workspace
    cannot appear: every read is scoped to the campaign's workspace)."""
    ws, tz = campaign.workspace_id, campaign.workspace.tz
    rows: Iterator[list[Cell]]
    if metric == "sessions":
        rows = _session_rows(ws, items, tz)
    elif metric in REVENUE_METRICS:
        rows = _credit_rows(ws, items, tz)
    else:
        rows = _contact_rows(ws, items, tz)
    return Section(
        key=metric,
        title=drill_title(metric, touch=touch),
        columns=drill_columns(metric, campaign.workspace.currency),
        rows=list(rows),
    )


# --- The Traffic and asset drill-down lists (`reporting:rows`) ---------------------------------
def rows_title(metric: str) -> str:
    """The title of a `reporting:rows` list, as on its page."""
    titles = {
        "traffic_views": _("Sessions behind the views"),
        "traffic_new_visitor_sessions": _("New visitor sessions"),
        "traffic_contacts": _("Contacts (first touch)"),
    }
    if metric in titles:
        return str(titles[metric])
    label = str(metric_label(metric.removeprefix("asset_")))
    if DRILL_KINDS.get(metric) == "interactions":
        return f"{label} · {_('Interactions')}"
    return label


def rows_columns(kind: str) -> list[Column]:
    """The columns of a `reporting:rows` list of `kind` (sessions, interactions, contacts)."""
    if kind == "sessions":
        return [
            Column("started", _("Started"), "datetime"),
            Column("landing_url", _("Landing page")),
            Column("source", _("Source")),
            Column("contact", _("Contact")),
            Column("new_visitor", _("New visitor")),
            Column("page_views", _("Page views"), "integer"),
        ]
    if kind == "interactions":
        return [
            Column("interaction", _("Interaction")),
            Column("date", _("Date"), "datetime"),
            Column("contact", _("Contact")),
            Column("asset", _("Asset")),
            Column("counted_for", _("Counted for campaign")),
        ]
    return drill_columns("contacts", "")


def _rows_cells(kind: str, row: Any, tz: tzinfo) -> list[Cell]:
    if kind == "sessions":
        return [
            _local(row.started_at, tz),
            row.landing_url,
            str(source_label(row.source)),
            row.contact.email if row.contact else "",
            yesno(row.is_new_visitor),
            row.page_view_count,
        ]
    if kind == "interactions":
        return [
            row.get_type_display(),
            _local(row.occurred_at, tz),
            row.contact.email if row.contact else "",
            row.asset.name if row.asset else "",
            row.campaign.name if row.campaign else "",
        ]
    return [
        row.email,
        row.full_name,
        _local(row.created_at, tz),
        row.get_lifecycle_stage_display(),
        str(source_label(row.original_source)),
    ]


def rows_section(*, campaign: Campaign, metric: str, rows: Any) -> Section:
    """Every row of a `reporting:rows` list: `rows` is the queryset the page paginates
    (`reporting.selectors.drill_rows`), read in chunks."""
    kind, tz = DRILL_KINDS[metric], campaign.workspace.tz
    return Section(
        key=metric,
        title=rows_title(metric),
        columns=rows_columns(kind),
        rows=[_rows_cells(kind, row, tz) for row in rows.iterator(chunk_size=CHUNK)],
    )


# --- The credited interactions behind an Attribution-tab cell ------------------------------------
def credited_columns(conversion: str, currency: str) -> list[Column]:
    """The columns of `reporting:attribution_interactions`, as on its page."""
    owner = _("Contact created") if conversion == "contact_create" else _("Deal")
    columns = [
        Column("interaction", _("Interaction")),
        Column("date", _("Date"), "datetime"),
        Column("contact", _("Contact")),
        Column("asset", _("Asset")),
        Column("conversion", owner),
        Column("credit", _("Credit"), "number"),
    ]
    if conversion == "revenue":
        label = _("Revenue credited (%(currency)s)") % {"currency": currency}
        columns.append(Column("amount", label, "money"))
    return columns


def credited_cells(conversion: str, row: dict[str, Any], tz: tzinfo) -> list[Cell]:
    interaction = row["interaction"]
    cells: list[Cell] = [
        interaction.get_type_display(),
        _local(interaction.occurred_at, tz),
        interaction.contact.email if interaction.contact else "",
        interaction.asset.name if interaction.asset else "",
        str(row["conversion"] or ""),
        float(row["credit"]),
    ]
    if conversion == "revenue":
        cells.append(row["amount"])
    return cells


# --- The deals behind the Performance tab's Deals / Associated deal value -----------------------
def deals_title(report: str) -> str:
    """The title of `reporting:revenue_deals` for `report`, as on its page."""
    if report == "revenue":
        return str(_("Deals with revenue"))
    return str(_("Deals credited to the campaign"))


def deals_columns(currency: str) -> list[Column]:
    """The page's columns; its Amount cell ("1,000.00 DKK") is a number and its currency."""
    return [
        Column("deal", _("Deal")),
        Column("closed", _("Closed"), "date"),
        Column("amount", _("Amount"), "number"),
        Column("deal_currency", _("Currency")),
        Column("value", _("Deal value (%(currency)s)") % {"currency": currency}, "money"),
        Column(
            "credited",
            _("Credited to the campaign (%(currency)s)") % {"currency": currency},
            "money",
        ),
    ]


def deals_cells(row: dict[str, Any], tz: tzinfo) -> list[Cell]:
    """One row of `reporting.selectors.revenue_deal_rows`, the close day in the zone `tz`."""
    deal = row["deal"]
    closed = deal.closed_at.astimezone(tz).date() if deal.closed_at else None
    amounts = [Decimal(str(row["value"])), Decimal(str(row["amount"]))]
    return [deal.name, closed, deal.amount, deal.currency, *amounts]


def deals_section(*, campaign: Campaign, report: str, items: Sequence[dict[str, Any]]) -> Section:
    """Every deal of a revenue snapshot's `deal_rows`, in the stored order, read in chunks."""
    ws, tz = campaign.workspace_id, campaign.workspace.tz
    return Section(
        key="deals",
        title=deals_title(report),
        columns=deals_columns(campaign.workspace.currency),
        rows=[
            deals_cells(row, tz)
            for chunk in _chunks(items)
            for row in revenue_deal_rows(workspace_id=ws, items=chunk)
        ],
    )
