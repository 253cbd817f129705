"""The export writers: an `ExportDocument` in, the bytes of a file out.

`render(document, "csv" | "xls" | "xlsx" | "pdf")`. Each writer imports its library lazily, so a
CSV export does not load WeasyPrint. Every writer passes text cells through
`cells.neutralise` (no formula injection) and writes numbers as numbers."""

from __future__ import annotations

from dataclasses import dataclass

from exports.document import ExportDocument

FORMATS = ("csv", "xls", "xlsx", "pdf")


@dataclass(frozen=True)
class RenderedFile:
    content: bytes
    extension: str  # "zip" | "csv" | "xls" | "xlsx" | "pdf"
    content_type: str


def render(document: ExportDocument, fmt: str) -> RenderedFile:
    if fmt == "csv":
        from exports.formats.csv_files import render_csv

        return render_csv(document)
    if fmt == "xlsx":
        from exports.formats.xlsx import render_xlsx

        return render_xlsx(document)
    if fmt == "xls":
        from exports.formats.xls import render_xls

        return render_xls(document)
    if fmt == "pdf":
        from exports.formats.pdf import render_pdf

        return render_pdf(document)
    raise ValueError(f"Unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}.")
