"""CSV: one file per section (a single section is a plain .csv, several are zipped), UTF-8 with
a BOM so spreadsheet programs read Nordic letters, a header row, plain numbers, ISO dates."""

from __future__ import annotations

import csv
import io
import math
import zipfile
from datetime import date, datetime, tzinfo
from decimal import Decimal

from django.utils.text import slugify

from exports.document import Cell, ExportDocument, Section
from exports.formats import RenderedFile
from exports.formats.cells import document_zone, in_zone, neutralise


def render_csv(document: ExportDocument) -> RenderedFile:
    zone = document_zone(document)
    if len(document.sections) == 1:
        content = section_csv(document.sections[0], zone)
        return RenderedFile(content, "csv", "text/csv; charset=utf-8")
    return RenderedFile(_zip(document, zone), "zip", "application/zip")


def section_csv(section: Section, zone: tzinfo | None) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([neutralise(str(column.label)) for column in section.columns])
    writer.writerows([csv_text(value, zone) for value in row] for row in section.rows)
    return buffer.getvalue().encode("utf-8-sig")


def csv_text(value: Cell, zone: tzinfo | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, datetime):
        return in_zone(value, zone).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # repr() is the shortest exact form; going through Decimal avoids "1e-07".
        return format(Decimal(repr(value)), "f") if math.isfinite(value) else ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def section_filename(index: int, section: Section) -> str:
    return f"{index:02d}-{slugify(section.key) or 'section'}.csv"


def _zip(document: ExportDocument, zone: tzinfo | None) -> bytes:
    buffer = io.BytesIO()
    stamp = document.generated_at.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index, section in enumerate(document.sections, start=1):
            info = zipfile.ZipInfo(section_filename(index, section), date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, section_csv(section, zone))
    return buffer.getvalue()
