"""XLS export read back with xlrd: typed cells with number formats, a frozen header, the split
of a section past 65,535 rows, neutralised triggers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
import xlrd

from exports.document import Cell, Column, Section
from exports.formats import render
from tests.exports.test_formats import TRIGGERS, sample_document


def open_book(document: Any) -> xlrd.book.Book:
    return xlrd.open_workbook(file_contents=render(document, "xls").content, formatting_info=True)


def number_format(book: xlrd.book.Book, sheet: xlrd.sheet.Sheet, row: int, col: int) -> str:
    xf = book.xf_list[sheet.cell_xf_index(row, col)]
    return str(book.format_map[xf.format_key].format_str)


@pytest.fixture(scope="module")
def book() -> xlrd.book.Book:
    return open_book(sample_document())


def test_an_about_sheet_comes_first_then_a_sheet_per_section(book: xlrd.book.Book) -> None:
    assert book.sheet_names() == [
        "About",
        "Overview",
        "Contacts & sessions",
        "Traffic by source medium",
    ]
    about = book.sheet_by_name("About")
    assert about.cell_value(0, 0) == "Spring launch — performance"
    assert about.cell_value(1, 0) == "Vårkampanje 2025"


def test_cells_are_typed_with_number_formats(book: xlrd.book.Book) -> None:
    sheet = book.sheet_by_name("Overview")

    assert sheet.row_values(0) == ["Metric", "Value", "Revenue (EUR)", "Open rate"]
    assert sheet.row_values(1) == ["Besøk på Ærøskøbing", 1234567, 98765.43, 0.125]
    assert sheet.row_values(2) == ["Öppningar i Malmö", -42, -10.5, 0.0725]
    assert sheet.cell_type(1, 1) == xlrd.XL_CELL_NUMBER
    assert number_format(book, sheet, 1, 1) == "#,##0"
    assert number_format(book, sheet, 1, 2) == '#,##0.00 "EUR"'
    assert number_format(book, sheet, 1, 3) == "0.0%"
    assert sheet.cell_type(3, 2) == xlrd.XL_CELL_EMPTY


def test_dates_are_dates_in_the_documents_zone(book: xlrd.book.Book) -> None:
    sheet = book.sheet_by_name("Contacts & sessions")

    assert sheet.cell_type(1, 0) == xlrd.XL_CELL_DATE
    assert xlrd.xldate_as_datetime(sheet.cell_value(1, 0), book.datemode) == datetime(2025, 3, 1)
    assert number_format(book, sheet, 1, 0) == "yyyy-mm-dd"
    # 23:30 UTC on the 2nd is 00:30 on the 3rd in Oslo.
    seen = xlrd.xldate_as_datetime(sheet.cell_value(2, 4), book.datemode)
    assert seen == datetime(2025, 3, 3, 0, 30)


def test_the_header_is_bold_and_frozen(book: xlrd.book.Book) -> None:
    sheet = book.sheet_by_name("Overview")
    header_font = book.font_list[book.xf_list[sheet.cell_xf_index(0, 0)].font_index]

    assert header_font.bold
    assert (sheet.panes_are_frozen, sheet.horz_split_pos) == (1, 1)


def test_formula_triggers_are_neutralised_in_xls(book: xlrd.book.Book) -> None:
    sheet = book.sheet_by_name("Traffic by source medium")

    assert sheet.col_values(0, start_rowx=1) == list(TRIGGERS.values())
    assert sheet.col_values(1, start_rowx=1) == list(range(len(TRIGGERS)))


def test_a_section_past_65535_rows_is_split_over_sheets_repeating_the_header() -> None:
    start = date(2000, 1, 1)
    rows: list[list[Cell]] = [[f"row {i}", i, start] for i in range(70_000)]
    columns = [Column("name", "Name"), Column("n", "N", "integer"), Column("d", "Day", "date")]
    book = open_book(sample_document([Section("big", "Big list", columns, rows)]))

    assert book.sheet_names() == ["About", "Big list", "Big list (2)"]
    first, second = book.sheet_by_index(1), book.sheet_by_index(2)
    assert (first.nrows, second.nrows) == (65_536, 70_000 - 65_535 + 1)
    assert first.row_values(0) == second.row_values(0) == ["Name", "N", "Day"]
    assert first.row_values(65_535)[:2] == ["row 65534", 65_534]
    assert second.row_values(1)[:2] == ["row 65535", 65_535]
    assert second.row_values(4_465)[:2] == ["row 69999", 69_999]
    assert book.sheet_by_name("About").col_values(0)[-1] == "Big list, Big list (2)"
