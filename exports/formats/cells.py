"""What every writer does to a cell before writing it: neutralise text that a spreadsheet would
run as a formula, and bring datetimes into the document's zone. One place, so no format can
forget it."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, tzinfo
from decimal import Decimal

from exports.document import Cell, ExportDocument

# A spreadsheet reads a cell starting with one of these as a formula (or a DDE payload).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
# Control characters no spreadsheet format can hold (tab, LF and CR are kept).
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Excel's (and XLS's) longest text cell.
MAX_TEXT_LENGTH = 32_767
NUMBER_TYPES = (int, float, Decimal)


def neutralise(text: str) -> str:
    """Text a spreadsheet shows as typed: a leading formula trigger gets a `'` in front (so
    `=1+1` stays the text `'=1+1`), and NUL and other control characters are dropped."""
    cleaned = _CONTROL_CHARACTERS.sub("", text)
    if text.startswith(FORMULA_TRIGGERS) or cleaned.startswith(FORMULA_TRIGGERS):
        return "'" + cleaned
    return cleaned


def document_zone(document: ExportDocument) -> tzinfo | None:
    return document.generated_at.tzinfo


def zone_name(document: ExportDocument) -> str:
    zone = document_zone(document)
    return str(getattr(zone, "key", None) or document.generated_at.tzname() or "")


def in_zone(value: datetime, zone: tzinfo | None) -> datetime:
    """An aware datetime shown in the document's zone; a naive one is taken as already there."""
    if value.tzinfo is None or zone is None:
        return value
    return value.astimezone(zone)


def spreadsheet_value(value: Cell, zone: tzinfo | None) -> Cell:
    """The value a spreadsheet cell gets: neutralised text, finite numbers, naive local
    datetimes (spreadsheet formats have no zones; the About sheet names the zone)."""
    if isinstance(value, str):
        return neutralise(value)[:MAX_TEXT_LENGTH]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime):
        return in_zone(value, zone).replace(tzinfo=None)
    return value


def is_number(value: Cell) -> bool:
    return isinstance(value, NUMBER_TYPES) and not isinstance(value, bool)


def is_date(value: Cell) -> bool:
    return isinstance(value, date)
