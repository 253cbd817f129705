"""XLS (Excel 97) with xlwt: the same sheets as the XLSX, and a section longer than the
format's 65,536 rows is split over several sheets, each repeating the header."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, tzinfo
from decimal import Decimal

import xlwt

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

MAX_DATA_ROWS = 65_535  # 65,536 rows per sheet, one of them the header
_FLUSH_EVERY = 1_000
_CHARACTER_WIDTH = 256  # xlwt widths are in 1/256 of a character


def render_xls(document: ExportDocument) -> RenderedFile:
    workbook = xlwt.Workbook(encoding="utf-8")
    styles = _Styles(currency_code(document))
    parts = [
        (index, section, start)
        for index, section in enumerate(document.sections)
        for start in _chunks(section)
    ]
    names = sheet_names([about_title(), *(section.title for _, section, _ in parts)])
    section_sheets = _sheets_per_section(len(document.sections), parts, names[1:])
    _write_about(workbook.add_sheet(names[0]), document, section_sheets, styles)
    zone = document_zone(document)
    for name, (_index, section, start) in zip(names[1:], parts, strict=True):
        rows = section.rows[start : start + MAX_DATA_ROWS]
        _write_section(workbook.add_sheet(name), section, rows, zone, styles)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return RenderedFile(buffer.getvalue(), "xls", "application/vnd.ms-excel")


class _Styles:
    """xlwt has a limit on distinct styles: build each one once."""

    def __init__(self, currency: str) -> None:
        self.currency = currency
        self.header = xlwt.easyxf("font: bold on")
        self.title = xlwt.easyxf("font: bold on, height 280")
        self.plain = xlwt.XFStyle()
        self._by_format: dict[str, xlwt.XFStyle] = {}

    def for_format(self, fmt: str | None) -> xlwt.XFStyle:
        if fmt is None:
            return self.plain
        if fmt not in self._by_format:
            self._by_format[fmt] = xlwt.easyxf(num_format_str=fmt)
        return self._by_format[fmt]


def _chunks(section: Section) -> range:
    return range(0, max(len(section.rows), 1), MAX_DATA_ROWS)


def _sheets_per_section(
    count: int, parts: list[tuple[int, Section, int]], names: list[str]
) -> list[str]:
    """For the About sheet: each section's sheet, or its sheets when it was split."""
    by_section: list[list[str]] = [[] for _ in range(count)]
    for (index, _section, _start), name in zip(parts, names, strict=True):
        by_section[index].append(name)
    return [", ".join(sheets) for sheets in by_section]


def _write_about(
    sheet: xlwt.Worksheet, document: ExportDocument, names: list[str], styles: _Styles
) -> None:
    zone = document_zone(document)
    for col, width in enumerate((24, 40, 30)):
        sheet.col(col).width = width * _CHARACTER_WIDTH
    datetime_style = styles.for_format("yyyy-mm-dd hh:mm")
    for row_index, row in enumerate(about_rows(document, names)):
        for col, raw in enumerate(row):
            value = spreadsheet_value(raw, zone)
            style = styles.title if row_index == 0 else styles.plain
            if isinstance(value, date):
                style = datetime_style
            sheet.write(row_index, col, _xls_value(value), style)


def _write_section(
    sheet: xlwt.Worksheet,
    section: Section,
    rows: Sequence[Sequence[Cell]],
    zone: tzinfo | None,
    styles: _Styles,
) -> None:
    for col, width in enumerate(column_widths(section)):
        sheet.col(col).width = int(width * _CHARACTER_WIDTH)
    _freeze_header(sheet)
    for col, column in enumerate(section.columns):
        sheet.write(0, col, spreadsheet_value(str(column.label), None), styles.header)
    column_styles = [
        styles.for_format(number_format(column.kind, styles.currency)) for column in section.columns
    ]
    percent = [column.kind == "percent" for column in section.columns]
    for offset, row in enumerate(rows, start=1):
        _write_row(sheet, offset, row, column_styles, percent, zone, styles)
        if offset % _FLUSH_EVERY == 0:
            sheet.flush_row_data()


def _write_row(
    sheet: xlwt.Worksheet,
    row_index: int,
    row: Sequence[Cell],
    column_styles: list[xlwt.XFStyle],
    percent: list[bool],
    zone: tzinfo | None,
    styles: _Styles,
) -> None:
    sheet_row = sheet.row(row_index)
    for col, raw in enumerate(row):
        value = spreadsheet_value(raw, zone)
        if value is None:
            continue
        if isinstance(value, str) or col >= len(column_styles):
            sheet_row.write(col, _xls_value(value), styles.plain)
            continue
        if percent[col] and is_number(value):
            value = percent_fraction(value)
        sheet_row.write(col, _xls_value(value), column_styles[col])


def _xls_value(value: Cell) -> Cell:
    return float(value) if isinstance(value, Decimal) else value


def _freeze_header(sheet: xlwt.Worksheet) -> None:
    sheet.set_panes_frozen(True)
    sheet.set_horz_split_pos(1)
    sheet.set_horz_split_first_visible(1)
    sheet.set_remove_splits(True)
