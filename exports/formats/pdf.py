"""PDF with WeasyPrint: `templates/exports/pdf.html` and the print CSS in
`static/exports/pdf.css` (A4, black on white, page numbers). Every value is formatted here, in
the document's language, so the template only lays out strings; charts are inline SVG."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import formats
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import override

from exports.document import Cell, Column, ExportDocument, Section
from exports.formats import RenderedFile
from exports.formats.cells import document_zone, in_zone, is_number, neutralise, zone_name
from exports.formats.charts import chart_svg

NUMERIC_KINDS = frozenset({"integer", "number", "money", "percent"})
DECIMALS = {"integer": 0, "number": 2, "money": 2, "percent": 1}


@dataclass(frozen=True)
class _Table:
    title: str
    note: str
    headers: list[tuple[str, bool]]  # label, right-aligned
    rows: list[list[tuple[str, bool]]]  # text, right-aligned
    chart_title: str
    chart: SafeString | None


def render_pdf(document: ExportDocument) -> RenderedFile:
    from weasyprint import CSS, HTML

    with override(document.language):
        html = render_to_string("exports/pdf.html", _context(document))
    stylesheet = CSS(filename=_stylesheet_path())
    content = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(stylesheets=[stylesheet])
    return RenderedFile(bytes(content or b""), "pdf", "application/pdf")


def _stylesheet_path() -> str:
    found = finders.find("exports/pdf.css")
    if not found:
        raise RuntimeError("static/exports/pdf.css is missing from the static files.")
    return str(found[0] if isinstance(found, list) else found)


def _context(document: ExportDocument) -> dict[str, Any]:
    zone = document_zone(document)
    return {
        "language": document.language,
        "title": neutralise(document.title),
        "subtitle": neutralise(document.subtitle),
        "filters": [(neutralise(str(k)), neutralise(str(v))) for k, v in document.filters],
        "generated_at": formats.date_format(document.generated_at, "DATETIME_FORMAT"),
        "zone": zone_name(document),
        "currency": document.currency,
        "page_counter": page_counter_css(_("Page %(page)s of %(pages)s")),
        "tables": [
            _table(section, document.currency, zone, f"chart{index}")
            for index, section in enumerate(document.sections)
        ],
    }


def _table(section: Section, currency: str, zone: tzinfo | None, chart_id: str) -> _Table:
    shown = [_formatter(column, currency, zone) for column in section.columns]
    right = [column.kind in NUMERIC_KINDS for column in section.columns]
    rows = [
        [(show(value), align) for value, show, align in zip(row, shown, right, strict=False)]
        for row in section.rows
    ]
    chart = section.chart
    return _Table(
        title=neutralise(section.title),
        note=neutralise(section.note),
        headers=[
            (neutralise(str(c.label)), a) for c, a in zip(section.columns, right, strict=True)
        ],
        rows=rows,
        chart_title=neutralise(chart.title) if chart else "",
        # chart_svg escapes every text it draws.
        chart=mark_safe(chart_svg(chart, _axis_number, chart_id)) if chart else None,
    )


def _formatter(column: Column, currency: str, zone: tzinfo | None) -> Callable[[Cell], str]:
    kind = column.kind
    suffix = {"money": f"\N{NO-BREAK SPACE}{currency}", "percent": "\N{NO-BREAK SPACE}%"}

    def show(value: Cell) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return neutralise(value)
        if isinstance(value, datetime):
            return formats.date_format(in_zone(value, zone), "SHORT_DATETIME_FORMAT")
        if isinstance(value, date):
            return formats.date_format(value, "SHORT_DATE_FORMAT")
        if is_number(value) and kind in NUMERIC_KINDS:
            return _number(value, DECIMALS[kind]) + suffix.get(kind, "")
        return _number(value, None)

    return show


def _number(value: int | float | Decimal, decimals: int | None) -> str:
    if decimals is not None and not isinstance(value, int):
        # Half up, as spreadsheet programs round (Decimal's default would show 7.25 as 7.2).
        exact = value if isinstance(value, Decimal) else Decimal(repr(value))
        value = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return formats.number_format(value, decimals, use_l10n=True, force_grouping=True)


def _axis_number(value: float) -> str:
    decimals = 0 if float(value).is_integer() else None
    return _number(int(value) if decimals == 0 else value, decimals)


def page_counter_css(template: str) -> str:
    """A translated "Page %(page)s of %(pages)s" as a CSS `content` value with counters."""
    marked = template % {"page": "\x00page\x00", "pages": "\x00pages\x00"}
    parts = []
    for index, piece in enumerate(marked.split("\x00")):
        if index % 2:
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(_css_string(piece))
    return " ".join(parts) or '""'


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
    return '"' + escaped.replace("<", "\\3C ") + '"'
