"""XLSX with XlsxWriter in constant-memory mode (each row goes to disk once written, so memory
stays flat on large exports): an About sheet, then a sheet per section with a bold frozen
header, an autofilter, typed cells with number formats, and widths from the content.

Every cell is written with its typed method (`write_string`, `write_number`, ...), never with
the guessing `write()`, and the workbook is opened with `strings_to_formulas=False` and
`strings_to_urls=False`: no text can become a formula or a link."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from exports.document import Cell, ExportDocument, Section
from exports.formats import RenderedFile
from exports.formats.cells import document_zone, is_number, spreadsheet_value
from exports.formats.sheets import (
    about_rows,
    about_title,
    column_widths,
    currency_code,
    number_format,
    percent_fraction,
    sheet_names,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def render_xlsx(document: ExportDocument) -> RenderedFile:
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory(prefix="xlsx-") as scratch:
        options = {**WORKBOOK_OPTIONS, "tmpdir": scratch}
        with xlsxwriter.Workbook(buffer, options) as workbook:
            workbook.set_properties({"title": document.title, "author": "Touchpoint"})
            _write_sheets(workbook, document)
    return RenderedFile(buffer.getvalue(), "xlsx", XLSX_TYPE)


def _write_sheets(workbook: xlsxwriter.Workbook, document: ExportDocument) -> None:
    formats = _Formats(workbook, currency_code(document))
    names = sheet_names([about_title(), *(s.title for s in document.sections)])
    _write_about(workbook.add_worksheet(names[0]), document, names[1:], formats)
    zone = document_zone(document)
    for name, section in zip(names[1:], document.sections, strict=True):
        _write_section(workbook.add_worksheet(name), section, zone, formats)


class _Formats:
    """XlsxWriter formats are workbook objects: create each once."""

    def __init__(self, workbook: xlsxwriter.Workbook, currency: str) -> None:
        self.workbook = workbook
        self.currency = currency
        self.header = workbook.add_format({"bold": True})
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.datetime = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        self._by_number_format: dict[str, Format] = {}

    def for_number_format(self, fmt: str | None) -> Format | None:
        if fmt is None:
            return None
        if fmt not in self._by_number_format:
            self._by_number_format[fmt] = self.workbook.add_format({"num_format": fmt})
        return self._by_number_format[fmt]


def _write_about(
    sheet: Worksheet, document: ExportDocument, names: list[str], formats: _Formats
) -> None:
    zone = document_zone(document)
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 2, 30)
    for row_index, row in enumerate(about_rows(document, names)):
        for col, raw in enumerate(row):
            value = spreadsheet_value(raw, zone)
            cell_format = formats.title if row_index == 0 else None
            if isinstance(value, date):
                cell_format = formats.datetime
            write_cell(sheet, row_index, col, value, cell_format)


def _write_section(
    sheet: Worksheet, section: Section, zone: tzinfo | None, formats: _Formats
) -> None:
    for col, width in enumerate(column_widths(section)):
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    if section.columns:
        sheet.autofilter(0, 0, len(section.rows), len(section.columns) - 1)
    for col, column in enumerate(section.columns):
        sheet.write_string(0, col, str(spreadsheet_value(str(column.label), None)), formats.header)
    column_formats = [
        formats.for_number_format(number_format(column.kind, formats.currency))
        for column in section.columns
    ]
    percent = [column.kind == "percent" for column in section.columns]
    for row_index, row in enumerate(section.rows, start=1):
        _write_row(sheet, row_index, row, column_formats, percent, zone)


def _write_row(
    sheet: Worksheet,
    row_index: int,
    row: Sequence[Cell],
    column_formats: list[Format | None],
    percent: list[bool],
    zone: tzinfo | None,
) -> None:
    for col, raw in enumerate(row):
        value = spreadsheet_value(raw, zone)
        known = col < len(column_formats)
        if known and percent[col] and is_number(value):
            value = percent_fraction(value)
        write_cell(sheet, row_index, col, value, column_formats[col] if known else None)


def write_cell(sheet: Worksheet, row: int, col: int, value: Cell, cell_format: Any) -> None:
    """The typed write for a value: text stays text (never a formula), numbers numbers."""
    if value is None:
        return
    if isinstance(value, str):
        sheet.write_string(row, col, value, cell_format)
    elif isinstance(value, datetime | date):
        sheet.write_datetime(row, col, value, cell_format)
    elif isinstance(value, Decimal):
        sheet.write_number(row, col, float(value), cell_format)
    else:
        sheet.write_number(row, col, value, cell_format)
