"""The export writers as a whole: the sample document every format test reads back, the
format dispatch, and formula neutralisation (one function, used by all four formats)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from exports.document import Chart, Column, ExportDocument, Section, Series
from exports.formats import FORMATS, render
from exports.formats.cells import neutralise

OSLO = ZoneInfo("Europe/Oslo")
GENERATED_AT = datetime(2025, 3, 14, 15, 9, tzinfo=OSLO)
# Text a spreadsheet would run as a formula, and what every format must write instead.
TRIGGERS = {
    '=HYPERLINK("http://evil")': '\'=HYPERLINK("http://evil")',
    "+1+1": "'+1+1",
    "-2+3": "'-2+3",
    "@SUM(A1)": "'@SUM(A1)",
    "\tTab": "'\tTab",
    "\rReturn": "'\rReturn",
    "\x00=Nul": "'=Nul",
}


def overview_section() -> Section:
    return Section(
        key="overview",
        title="Overview",
        columns=[
            Column("metric", "Metric"),
            Column("value", "Value", "integer"),
            Column("revenue", "Revenue (EUR)", "money"),
            Column("rate", "Open rate", "percent"),
        ],
        rows=[
            ["Besøk på Ærøskøbing", 1234567, Decimal("98765.43"), 12.5],
            ["Öppningar i Malmö", -42, Decimal("-10.50"), Decimal("7.25")],
            ["ÆØÅ æøå äö", 0, None, None],
        ],
        note="Numbers for the whole campaign.",
    )


def daily_section() -> Section:
    days = [date(2025, 3, d) for d in (1, 2, 3)]
    return Section(
        key="contacts-sessions",
        title="Contacts & sessions",
        columns=[
            Column("date", "Date", "date"),
            Column("contacts", "New contacts", "integer"),
            Column("sessions", "Sessions", "integer"),
            Column("ratio", "Sessions per contact", "number"),
            Column("seen", "Last seen", "datetime"),
        ],
        rows=[
            [days[0], 3, 10, 3.3333, datetime(2025, 3, 1, 8, 30, tzinfo=ZoneInfo("UTC"))],
            [days[1], 5, 12, 2.4, datetime(2025, 3, 2, 23, 30, tzinfo=ZoneInfo("UTC"))],
            [days[2], 7, 0, 0.0, None],
        ],
        chart=Chart(
            title="Contacts and sessions per day",
            kind="line",
            categories=["2025-03-01", "2025-03-02", "2025-03-03"],
            series=[Series("New contacts", [3, 5, 7]), Series("Sessions", [10, 12, 0])],
        ),
    )


def traffic_section() -> Section:
    return Section(
        key="traffic",
        title="Traffic: by source / medium",
        columns=[Column("source", "Source"), Column("views", "Views", "integer")],
        rows=[[text, index] for index, text in enumerate(TRIGGERS)],
        chart=Chart(
            title="Views by source",
            kind="bar",
            categories=["Organic search", "Paid social"],
            series=[Series("Views", [120, 80]), Series("Sessions", [60, 30.5])],
        ),
    )


def sample_document(sections: list[Section] | None = None) -> ExportDocument:
    return ExportDocument(
        title="Spring launch — performance",
        subtitle="Vårkampanje 2025",
        filters=[("Date range", "1 Mar 2025 to 14 Mar 2025"), ("Asset type", "=all")],
        generated_at=GENERATED_AT,
        currency="EUR",
        language="en",
        sections=(
            [overview_section(), daily_section(), traffic_section()]
            if sections is None
            else sections
        ),
    )


@pytest.mark.parametrize(("text", "expected"), list(TRIGGERS.items()))
def test_neutralise_prefixes_formula_triggers_and_drops_nul(text: str, expected: str) -> None:
    assert neutralise(text) == expected


def test_neutralise_leaves_ordinary_text_and_inner_signs_alone() -> None:
    assert neutralise("Ærø 1+1=2 - ok") == "Ærø 1+1=2 - ok"
    assert neutralise("") == ""


def test_neutralise_catches_a_trigger_hidden_behind_a_control_character() -> None:
    assert neutralise("\x01=cmd") == "'=cmd"


@pytest.mark.parametrize(
    ("fmt", "extension", "content_type"),
    [
        ("csv", "zip", "application/zip"),
        ("xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("xls", "xls", "application/vnd.ms-excel"),
        ("pdf", "pdf", "application/pdf"),
    ],
)
def test_render_names_each_format_by_extension_and_content_type(
    fmt: str, extension: str, content_type: str
) -> None:
    rendered = render(sample_document(), fmt)
    assert (rendered.extension, rendered.content_type) == (extension, content_type)
    assert rendered.content


def test_render_rejects_an_unknown_format_by_name() -> None:
    with pytest.raises(ValueError, match="'docx'"):
        render(sample_document(), "docx")
    assert FORMATS == ("csv", "xls", "xlsx", "pdf")
