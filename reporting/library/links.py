"""Where a saved report or a definition opens: the Attribution tab, its results partial (the
dashboards' live cards) and the builder. All carry the definition as the tab's query string."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from reporting.definitions import (
    ALL_MODEL_LABELS,
    CHART_CHOICES,
    CONVERSION_CHOICES,
    DIMENSION_CHOICES,
    AttributionDefinition,
)
from reporting.forms import PRESET_CHOICES
from reporting.models import SavedReport


def saved_definition(report: SavedReport) -> AttributionDefinition:
    return AttributionDefinition.from_data(report.definition)


def tab_url(*, slug: str, campaign_id: int, definition: AttributionDefinition) -> str:
    url = reverse(
        "reporting:attribution", kwargs={"workspace_slug": slug, "campaign_id": campaign_id}
    )
    return f"{url}?{definition.query()}"


def results_url(
    *, slug: str, campaign_id: int, definition: AttributionDefinition, card: bool = False
) -> str:
    url = reverse(
        "reporting:attribution_results",
        kwargs={"workspace_slug": slug, "campaign_id": campaign_id},
    )
    return f"{url}?{definition.query(card=1) if card else definition.query()}"


def builder_url(
    *, slug: str, campaign_id: int | None, definition: AttributionDefinition, report_id: int | None
) -> str:
    """The builder prefilled with the definition (and, for a saved report, overwriting it)."""
    if report_id is None:
        url = reverse("reporting:builder", kwargs={"workspace_slug": slug})
    else:
        url = reverse(
            "reporting:builder_edit", kwargs={"workspace_slug": slug, "report_id": report_id}
        )
    campaign = f"campaign={campaign_id}&" if campaign_id else ""
    return f"{url}?{campaign}{definition.query()}"


def report_links(report: SavedReport, *, slug: str) -> dict[str, str]:
    """The tab, the compact card and the builder of one saved report."""
    definition = saved_definition(report)
    return {
        "tab": tab_url(slug=slug, campaign_id=report.campaign_id, definition=definition),
        "card": results_url(
            slug=slug, campaign_id=report.campaign_id, definition=definition, card=True
        ),
        "builder": builder_url(
            slug=slug, campaign_id=report.campaign_id, definition=definition, report_id=report.pk
        ),
    }


@dataclass(frozen=True)
class ReportRow:
    report: SavedReport
    links: dict[str, str]
    summary: str


def report_rows(reports: Iterable[SavedReport], *, slug: str) -> list[ReportRow]:
    return [
        ReportRow(r, report_links(r, slug=slug), summarize(saved_definition(r))) for r in reports
    ]


def summarize(definition: AttributionDefinition) -> str:
    """One line naming what the definition shows, e.g. "Revenue · Linear, U-shaped · by
    Traffic source · Last 30 days · Bar chart"."""
    conversion = dict(CONVERSION_CHOICES).get(definition.conversion, definition.conversion)
    models = ", ".join(str(ALL_MODEL_LABELS.get(m, m)) for m in definition.models)
    dimension = dict(DIMENSION_CHOICES).get(definition.dimension, definition.dimension)
    if definition.range == "custom":
        start = definition.start.isoformat() if definition.start else "…"
        end = definition.end.isoformat() if definition.end else "…"
        period = f"{start} → {end}"
    else:
        period = str(dict(PRESET_CHOICES).get(definition.range, definition.range))
    chart = dict(CHART_CHOICES).get(definition.chart, definition.chart)
    by = _("by %(dimension)s") % {"dimension": str(dimension).lower()}
    return " · ".join([str(conversion), models, by, period, str(chart)])
