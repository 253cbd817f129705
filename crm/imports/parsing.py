"""Reading an uploaded CSV file: encoding, delimiter, header, preview and records.

The whole file is at most MAX_FILE_BYTES, so it is decoded in memory. Encodings tried, in order:
a byte-order mark (UTF-8 or UTF-16, as Excel's "CSV UTF-8" and "Unicode text" write them),
then strict UTF-8, then Windows-1252 (what Excel writes for "CSV" on Nordic and Dutch Windows),
then Latin-1 (which decodes anything). Delimiters: comma, semicolon, tab and pipe, detected with
csv.Sniffer and checked (or replaced) by a consistency count. CRLF line ends and newlines inside
quoted values are handled by the csv module.

Row numbers are spreadsheet row numbers: the header is row 1 and the first record is row 2
(a value with a newline inside quotes still is one row, as in a spreadsheet program).
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000
PREVIEW_ROWS = 20
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_LABELS = {
    ",": gettext_lazy("Comma (,)"),
    ";": gettext_lazy("Semicolon (;)"),
    "\t": gettext_lazy("Tab"),
    "|": gettext_lazy("Pipe (|)"),
}
_SNIFF_BYTES = 64 * 1024
_CONSISTENCY_LINES = 50


class ImportFileError(Exception):
    """The file cannot be imported; the message says why, for the person who uploaded it."""


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # a Python codec name, stored on the job and used to read the file again
    label: str  # what the preview tells the user


@dataclass(frozen=True)
class Inspection:
    """What the upload and preview pages show about a file."""

    encoding: str
    encoding_label: str
    delimiter: str
    header: list[str]
    preview: list[list[str]]
    rows_total: int

    @property
    def delimiter_label(self) -> str:
        return str(DELIMITER_LABELS[self.delimiter])


def decode(data: bytes) -> Decoded:
    """The file's text and encoding; refuses what is clearly not a CSV text file."""
    if data.startswith(codecs.BOM_UTF8):
        return Decoded(data[len(codecs.BOM_UTF8) :].decode("utf-8", "strict"), "utf-8-sig", "UTF-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return Decoded(data.decode("utf-16"), "utf-16", "UTF-16")
        except UnicodeDecodeError as exc:
            raise ImportFileError(_("The file is not valid UTF-16 text.")) from exc
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _(
                "This looks like an Excel workbook, not a CSV file. In Excel choose File → Save "
                "As → “CSV UTF-8 (comma delimited)” and upload that file."
            )
        )
    if b"\x00" in data[:_SNIFF_BYTES]:
        raise ImportFileError(_("The file is not a text (CSV) file."))
    try:
        return Decoded(data.decode("utf-8"), "utf-8", "UTF-8")
    except UnicodeDecodeError:
        pass
    try:
        return Decoded(data.decode("cp1252"), "cp1252", "Windows-1252")
    except UnicodeDecodeError:
        return Decoded(data.decode("latin-1"), "latin-1", "ISO-8859-1")


def detect_delimiter(text: str) -> str:
    """csv.Sniffer's guess when it splits the header into more than one column and the rows
    agree with it; otherwise the candidate whose column count is the most consistent."""
    sample = text[:_SNIFF_BYTES]
    if len(text) > _SNIFF_BYTES and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    scores = {d: _consistency(sample, d) for d in DELIMITERS}
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = ""
    best = max(DELIMITERS, key=lambda d: scores[d])
    if sniffed in scores and scores[sniffed] >= scores[best]:
        return sniffed
    return best if scores[best] > (0, 0) else ","


def _consistency(sample: str, delimiter: str) -> tuple[int, int]:
    """(rows with as many columns as the header, header columns) — 0 for a one-column split."""
    try:
        rows = [r for r in csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter) if r]
    except csv.Error:
        return (0, 0)
    rows = rows[:_CONSISTENCY_LINES]
    if not rows or len(rows[0]) < 2:
        return (0, 0)
    width = len(rows[0])
    return (sum(1 for r in rows[1:] if len(r) == width), width)


def _reader(text: str, delimiter: str) -> Iterator[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _blank(row: list[str]) -> bool:
    return not any(cell.strip() for cell in row)


def iter_rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(spreadsheet row number, cells) of every non-blank row, the header included."""
    reader = _reader(text, delimiter)
    number = 0
    try:
        for row in reader:
            number += 1
            if not _blank(row):
                yield number, row
    except csv.Error as exc:
        raise ImportFileError(
            _("Row %(row)s cannot be read (%(problem)s). Check the quotes on that row.")
            % {"row": number + 1, "problem": exc}
        ) from exc


def clean_header(cells: list[str]) -> list[str]:
    """Header names stripped; an empty one becomes "Column N" so it can still be mapped."""
    return [
        cell.strip() or _("Column %(number)s") % {"number": index + 1}
        for index, cell in enumerate(cells)
    ]


def inspect(data: bytes, *, delimiter: str | None = None) -> Inspection:
    """Check an upload against the limits and read its header, first rows and row count.

    Raises ImportFileError with a message naming the problem.
    """
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(file_too_large_message(len(data)))
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    decoded = decode(data)
    chosen = delimiter if delimiter in DELIMITERS else detect_delimiter(decoded.text)
    rows = iter_rows(decoded.text, chosen)
    first = next(rows, None)
    if first is None:
        raise ImportFileError(_("The file is empty."))
    header = clean_header(first[1])
    preview: list[list[str]] = []
    total = 0
    for _number, cells in rows:
        total += 1
        if total > MAX_ROWS:
            raise ImportFileError(
                _(
                    "The file has more than %(max)s rows. Split it into files of at most "
                    "%(max)s rows (plus the header row) and import them one after the other."
                )
                % {"max": f"{MAX_ROWS:,}"}
            )
        if len(preview) < PREVIEW_ROWS:
            preview.append(cells)
    if total == 0:
        raise ImportFileError(_("The file has a header row but no data rows below it."))
    return Inspection(decoded.encoding, decoded.label, chosen, header, preview, total)


def file_too_large_message(size: int) -> str:
    return _(
        "The file is %(size)s MB; the limit is %(max)s MB per file. Split it into smaller files "
        "(at most %(rows)s rows each) and import them one after the other."
    ) % {
        "size": f"{size / 1024 / 1024:.1f}",
        "max": MAX_FILE_BYTES // 1024 // 1024,
        "rows": f"{MAX_ROWS:,}",
    }


def iter_records(data: bytes, *, encoding: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """The data rows (header skipped) of a file inspected before: (row number, cells)."""
    rows = iter_rows(data.decode(encoding), delimiter)
    next(rows, None)
    yield from rows
