"""XLSX export read back with openpyxl: an About sheet, a sheet per section, typed cells with
number formats, a bold frozen header, widths, no formula cells, neutralised triggers."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from exports.formats import render
from exports.formats.sheets import sheet_names
from tests.exports.test_formats import TRIGGERS, sample_document


@pytest.fixture(scope="module")
def workbook() -> Workbook:
    return load_workbook(io.BytesIO(render(sample_document(), "xlsx").content))


def test_an_about_sheet_comes_first_then_a_sheet_per_section(workbook: Workbook) -> None:
    assert workbook.sheetnames == [
        "About",
        "Overview",
        "Contacts & sessions",
        "Traffic by source medium",
    ]


def test_the_about_sheet_names_title_campaign_time_zone_and_filters(workbook: Workbook) -> None:
    about = [
        [c for c in row if c is not None] for row in workbook["About"].iter_rows(values_only=True)
    ]
    assert about[0] == ["Spring launch — performance"]
    assert about[1] == ["Vårkampanje 2025"]
    assert ["Generated at", datetime(2025, 3, 14, 15, 9), "Europe/Oslo"] in about
    assert ["Currency", "EUR"] in about
    assert ["Asset type", "'=all"] in about
    assert ["Overview", "Overview", "Numbers for the whole campaign."] in about


def test_cells_are_typed_with_number_formats(workbook: Workbook) -> None:
    sheet = workbook["Overview"]
    value, money, rate = sheet["B2"], sheet["C2"], sheet["D2"]

    assert (value.value, value.data_type, value.number_format) == (1234567, "n", "#,##0")
    assert (money.value, money.number_format) == (98765.43, '#,##0.00 "EUR"')
    assert (rate.value, rate.number_format) == (0.125, "0.0%")
    assert (sheet["B3"].value, sheet["C3"].value, sheet["D3"].value) == (-42, -10.5, 0.0725)
    assert sheet["A4"].value == "ÆØÅ æøå äö"
    assert sheet["C4"].value is None


def test_dates_are_dates_and_datetimes_are_in_the_documents_zone(workbook: Workbook) -> None:
    sheet = workbook["Contacts & sessions"]

    assert (sheet["A2"].value, sheet["A2"].number_format) == (datetime(2025, 3, 1), "yyyy-mm-dd")
    assert sheet["A2"].is_date
    # 23:30 UTC on the 2nd is 00:30 on the 3rd in Oslo.
    assert sheet["E3"].value == datetime(2025, 3, 3, 0, 30)
    assert sheet["E3"].number_format == "yyyy-mm-dd hh:mm"
    assert (sheet["D2"].value, sheet["D2"].number_format) == (3.3333, "#,##0.00")


def test_the_header_is_bold_frozen_and_filterable(workbook: Workbook) -> None:
    sheet = workbook["Overview"]

    assert [cell.value for cell in sheet[1]] == ["Metric", "Value", "Revenue (EUR)", "Open rate"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:D4"


def test_column_widths_follow_the_content(workbook: Workbook) -> None:
    widths = workbook["Overview"].column_dimensions
    # "Besøk på Ærøskøbing" is 19 characters, plus 2 of padding; "1234567" is 7 + 4 + 2
    # (the file stores a width a fraction of a character wider, for the cell padding).
    assert (int(widths["A"].width), int(widths["B"].width)) == (21, 13)


def test_no_cell_in_any_sheet_is_a_formula(workbook: Workbook) -> None:
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert len(cells) > 40
    assert sum(cell.data_type == "f" for cell in cells) == 0


def test_formula_triggers_are_neutralised_in_xlsx(workbook: Workbook) -> None:
    sheet = workbook["Traffic by source medium"]
    texts = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    # A CR is stored escaped as _x000D_ (Excel shows a CR; openpyxl leaves the escape).
    assert texts == [text.replace("\r", "_x000D_") for text in TRIGGERS.values()]
    assert sheet["B2"].data_type == "n"


def test_sheet_names_are_safe_unique_and_at_most_31_characters() -> None:
    names = sheet_names(["About", "about", "Sales: Q1/Q2 [draft]?", "x" * 40, "x" * 40, "'"])
    assert names == [
        "About",
        "about (2)",
        "Sales Q1 Q2 draft",
        "x" * 31,
        "x" * 27 + " (2)",
        "Sheet",
    ]
