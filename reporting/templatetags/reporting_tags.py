"""Labels for the Performance tab's metric, source and asset-type keys."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from assets.models import AssetType
from crm.models import TrafficSource
from reporting.models import ReportKind

register = template.Library()

METRIC_LABELS = {
    "views": _("Views"),
    "sessions": _("Sessions"),
    "contacts": _("Contacts"),
    "submissions": _("Submissions"),
    "sent": _("Sent"),
    "delivered": _("Delivered"),
    "opens": _("Opens"),
    "clicks": _("Clicks"),
    "open_rate": _("Open rate"),
    "click_rate": _("Click rate"),
    "ctr": _("Click-through rate"),
    "submission_rate": _("Submission rate"),
    "interactions": _("Interactions"),
    "impressions": _("Impressions"),
    "spend": _("Spend"),
    "visits": _("Visits"),
    "new_contacts": _("New contacts"),
    "influenced_contacts": _("Influenced contacts"),
    "new_visitor_sessions": _("New visitor sessions"),
}
PERCENT_METRICS = frozenset({"open_rate", "click_rate", "ctr", "submission_rate"})


@register.filter
def metric_label(key: str) -> Any:
    return METRIC_LABELS.get(key, key)


@register.filter
def is_percent(key: str) -> bool:
    return key in PERCENT_METRICS


@register.filter
def source_label(key: str) -> Any:
    if not key or key == "unknown":
        return _("Unknown")
    return dict(TrafficSource.choices).get(key, key)


@register.filter
def asset_type_label(key: str) -> Any:
    return dict(AssetType.choices).get(key, key)


@register.filter
def report_label(key: str) -> Any:
    return dict(ReportKind.choices).get(key, key)


@register.filter
def get(mapping: Any, key: Any) -> Any:
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.simple_tag
def series_rows(points: list[dict[str, Any]]) -> str:
    """The <tr> rows of the Contacts & sessions data table (built in Python: a year of days is
    hundreds of rows, too slow through the template engine on every page view)."""
    return format_html_join(
        "",
        '<tr><th scope="row" class="fw-normal">{}</th><td class="num">{}</td>'
        '<td class="num">{}</td><td class="num">{}</td></tr>',
        ((p["bucket"], p["new_contacts"], p["influenced_contacts"], p["sessions"]) for p in points),
    )


@register.filter
def drill_scope(key: list[str], source: str) -> str:
    """The query string limiting a Traffic drill-down list to `source` and a drill row's
    details (`key`: its detail values, in order)."""
    values = {"source": source}
    values.update({f"detail_{i}": part for i, part in enumerate(key, start=1)})
    return urlencode(values)


# Asset-report columns whose number opens a list (rates and network metrics do not).
DRILLABLE_ASSET_METRICS = frozenset(
    {"views", "sessions", "contacts", "submissions", "sent", "delivered", "opens", "clicks"}
    | {"interactions", "visits"}
)


@register.filter
def asset_drillable(column: str) -> bool:
    return column in DRILLABLE_ASSET_METRICS
