"""CSV export read back with the csv module: BOM, header, plain numbers, ISO dates, Nordic
letters, one file per section zipped, and neutralised formula triggers."""

from __future__ import annotations

import csv
import io
import zipfile
from zoneinfo import ZoneInfo

from exports.formats import render
from exports.formats.csv_files import csv_text
from tests.exports.test_formats import (
    TRIGGERS,
    daily_section,
    overview_section,
    sample_document,
    traffic_section,
)

BOM = b"\xef\xbb\xbf"


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(BOM)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_a_single_section_is_a_plain_csv_with_bom_header_and_nordic_letters() -> None:
    rendered = render(sample_document([overview_section()]), "csv")

    assert (rendered.extension, rendered.content_type) == ("csv", "text/csv; charset=utf-8")
    assert read_csv(rendered.content) == [
        ["Metric", "Value", "Revenue (EUR)", "Open rate"],
        ["Besøk på Ærøskøbing", "1234567", "98765.43", "12.5"],
        ["Öppningar i Malmö", "-42", "-10.50", "7.25"],
        ["ÆØÅ æøå äö", "0", "", ""],
    ]


def test_several_sections_are_zipped_one_csv_each_in_document_order() -> None:
    rendered = render(sample_document(), "csv")

    assert rendered.extension == "zip"
    with zipfile.ZipFile(io.BytesIO(rendered.content)) as archive:
        assert archive.namelist() == [
            "01-overview.csv",
            "02-contacts-sessions.csv",
            "03-traffic.csv",
        ]
        overview = read_csv(archive.read("01-overview.csv"))
        daily = read_csv(archive.read("02-contacts-sessions.csv"))
    assert overview[1] == ["Besøk på Ærøskøbing", "1234567", "98765.43", "12.5"]
    assert daily[0] == ["Date", "New contacts", "Sessions", "Sessions per contact", "Last seen"]


def test_dates_are_iso_and_datetimes_are_shown_in_the_documents_zone() -> None:
    rendered = render(sample_document([daily_section()]), "csv")

    rows = read_csv(rendered.content)
    # 08:30 UTC is 09:30 in Oslo (CET); 23:30 UTC on the 2nd is already the 3rd there.
    assert rows[1] == ["2025-03-01", "3", "10", "3.3333", "2025-03-01T09:30:00+01:00"]
    assert rows[2] == ["2025-03-02", "5", "12", "2.4", "2025-03-03T00:30:00+01:00"]
    assert rows[3] == ["2025-03-03", "7", "0", "0.0", ""]


def test_numbers_are_written_plainly_without_exponent_or_grouping() -> None:
    utc = ZoneInfo("UTC")
    assert csv_text(1e-07, utc) == "0.0000001"
    assert csv_text(1234567.5, utc) == "1234567.5"
    assert csv_text(float("nan"), utc) == ""


def test_formula_triggers_are_neutralised_in_csv() -> None:
    rendered = render(sample_document([traffic_section()]), "csv")

    rows = read_csv(rendered.content)
    assert [row[0] for row in rows[1:]] == list(TRIGGERS.values())
    assert [row[1] for row in rows[1:]] == [str(i) for i in range(len(TRIGGERS))]
