"""PDF export read back with poppler (pdftotext, pdfimages): title, campaign, filters,
generated-at in the document's language and zone, the numbers, page numbers, a header repeated
on every page, charts as vector graphics and neutralised triggers."""

from __future__ import annotations

import re
import subprocess
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from exports.document import Cell, Column, Section
from exports.formats import render
from tests.exports.test_formats import (
    TRIGGERS,
    daily_section,
    overview_section,
    sample_document,
    traffic_section,
)


def pdf_text(path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    result = subprocess.run(
        ["pdftotext", *pages, "-layout", str(path), "-"], capture_output=True, check=True
    )
    return result.stdout.decode()


def line_segments(content: bytes) -> int:
    """How many straight line-to (`l`) operators the page content streams draw."""
    count = 0
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", content, re.S):
        try:
            count += len(re.findall(rb"\sl\s", zlib.decompress(stream)))
        except zlib.error:
            continue
    return count


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "sample.pdf"
    path.write_bytes(render(sample_document(), "pdf").content)
    return path


def test_the_pdf_has_title_campaign_filters_and_generated_at(sample_pdf: Path) -> None:
    text = pdf_text(sample_pdf)

    assert "Spring launch — performance" in text
    assert "Vårkampanje 2025" in text
    assert "1 Mar 2025 to 14 Mar 2025" in text
    assert "March 14, 2025, 3:09 p.m. (Europe/Oslo)" in text


def test_the_tables_show_the_documents_numbers_formatted(sample_pdf: Path) -> None:
    text = pdf_text(sample_pdf)
    rows = {" ".join(line.split()) for line in text.splitlines()}

    assert "Besøk på Ærøskøbing 1,234,567 98,765.43 EUR 12.5 %" in rows
    # 7.25 rounds half up, as a spreadsheet would.
    assert "Öppningar i Malmö -42 -10.50 EUR 7.3 %" in rows
    assert "03/01/2025 3 10 3.33 03/01/2025 9:30 a.m." in rows


def test_dates_and_numbers_follow_the_documents_language(tmp_path: Path) -> None:
    danish = replace(sample_document([overview_section()]), language="da")
    path = tmp_path / "da.pdf"
    path.write_bytes(render(danish, "pdf").content)
    text = pdf_text(path)
    rows = {" ".join(line.split()) for line in text.splitlines()}

    assert "14. marts 2025 15:09 (Europe/Oslo)" in text
    assert "Besøk på Ærøskøbing 1.234.567 98.765,43 EUR 12,5 %" in rows


def test_pages_are_numbered_and_long_tables_repeat_their_header(tmp_path: Path) -> None:
    rows: list[list[Cell]] = [[f"Row {i}", i] for i in range(150)]
    columns = [Column("name", "Name"), Column("n", "Count", "integer")]
    long = Section("long", "Long list", columns, rows)
    path = tmp_path / "long.pdf"
    path.write_bytes(render(sample_document([long]), "pdf").content)

    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout
    total = int(re.search(rb"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    pages = [pdf_text(path, page) for page in range(1, total + 1)]
    assert total >= 3
    assert all(f"Page {n} of {total}" in page for n, page in enumerate(pages, start=1))
    assert all(re.search(r"^\s*Name\s+Count\s*$", page, re.M) for page in pages)
    assert "Row 149" in pages[-1]


def test_charts_are_vector_graphics_with_their_labels_as_text(sample_pdf: Path) -> None:
    listing = subprocess.run(
        ["pdfimages", "-list", str(sample_pdf)], capture_output=True, check=True
    ).stdout.decode()
    text = pdf_text(sample_pdf)

    assert len(listing.strip().splitlines()) == 2  # the column titles and rule: no images
    for label in ("Contacts and sessions per day", "New contacts", "Views by source"):
        assert label in text
    assert "Organic search" in text and "2025-03-02" in text


def test_charts_add_drawing_operators_to_the_page(tmp_path: Path) -> None:
    without = [replace(s, chart=None) for s in (daily_section(), traffic_section())]
    plain = render(sample_document(without), "pdf").content
    charted = render(sample_document([daily_section(), traffic_section()]), "pdf").content

    # Two lines of three points are four segments, plus the legend strokes and grid lines.
    assert line_segments(charted) - line_segments(plain) >= 4


def test_formula_triggers_are_neutralised_in_the_pdf(sample_pdf: Path) -> None:
    text = pdf_text(sample_pdf)

    for shown in ('\'=HYPERLINK("http://evil")', "'+1+1", "'-2+3", "'@SUM(A1)", "'=Nul"):
        assert shown in text
    assert "'=all" in text
    assert len(TRIGGERS) == 7
