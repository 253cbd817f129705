"""What the two spreadsheet writers (XLSX, XLS) share: sheet names, the About sheet's rows,
number formats per column kind and column widths."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import override

from exports.document import Cell, ColumnKind, ExportDocument, Section
from exports.formats.cells import neutralise, zone_name

MAX_SHEET_NAME = 31
_FORBIDDEN_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_WIDTH_SAMPLE_ROWS = 200


def sheet_names(titles: Iterable[str]) -> list[str]:
    """Names Excel accepts: no []:*?/\\, not starting or ending with an apostrophe, at most
    31 characters, unique ignoring case ("Traffic", "Traffic (2)", ...)."""
    names: list[str] = []
    taken: set[str] = set()
    for title in titles:
        base = " ".join(_FORBIDDEN_IN_SHEET_NAME.sub(" ", str(title)).split()).strip("'").strip()
        base = base or "Sheet"
        name, number = base[:MAX_SHEET_NAME].rstrip("'"), 1
        while name.casefold() in taken or name.casefold() == "history":
            number += 1
            suffix = f" ({number})"
            name = base[: MAX_SHEET_NAME - len(suffix)].rstrip("'") + suffix
        taken.add(name.casefold())
        names.append(name)
    return names


def about_title() -> str:
    return _("About")


def about_rows(document: ExportDocument, section_sheets: Sequence[str]) -> list[list[Cell]]:
    """The About sheet, in the document's language: title, subtitle, when and what."""
    with override(document.language):
        rows: list[list[Cell]] = [
            [document.title],
            [document.subtitle],
            [],
            [_("Generated at"), document.generated_at, zone_name(document)],
            [_("Currency"), document.currency],
        ]
        if document.filters:
            rows += [[], [_("Filters")]]
            rows += [[label, value] for label, value in document.filters]
        rows += [[], [_("Sheet"), _("Section"), _("Note")]]
        rows += [
            [sheet, section.title, section.note]
            for sheet, section in zip(section_sheets, document.sections, strict=True)
        ]
    return rows


def currency_code(document: ExportDocument) -> str:
    """The currency as it may appear inside a number format (letters only)."""
    return re.sub(r"[^A-Za-z]", "", document.currency)[:8]


def number_format(kind: ColumnKind, currency: str) -> str | None:
    formats: dict[str, str] = {
        "integer": "#,##0",
        "number": "#,##0.00",
        "money": f'#,##0.00 "{currency}"' if currency else "#,##0.00",
        "percent": "0.0%",
        "date": "yyyy-mm-dd",
        "datetime": "yyyy-mm-dd hh:mm",
    }
    return formats.get(kind)


def percent_fraction(value: Cell) -> Cell:
    """Percentage points (12.5) as the fraction a spreadsheet's % format expects (0.125)."""
    if isinstance(value, Decimal):
        return value.scaleb(-2)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value / 100
    return value


def column_widths(section: Section) -> list[float]:
    """Characters per column from the header and a sample of rows, within 8..60."""
    widths = [len(str(column.label)) for column in section.columns]
    for row in section.rows[:_WIDTH_SAMPLE_ROWS]:
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], _shown_length(value))
    return [min(max(width + 2, 8), 60) for width in widths]


def _shown_length(value: Cell) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, str):
        return len(neutralise(value))
    # Grouping separators and two decimals add a few characters to a number's digits.
    return len(str(value)) + 4
