"""What an export writes, independent of the format: a titled document of sections, each a
typed table and optionally a chart. Built from a report's stored results; the writers in
`exports/formats/` turn it into CSV (zipped per section), XLS, XLSX or PDF."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

# A cell keeps its Python type so every format can write numbers as numbers and dates as dates.
Cell = str | int | float | Decimal | date | datetime | None
ColumnKind = Literal["text", "integer", "number", "money", "percent", "date", "datetime"]


@dataclass(frozen=True)
class Column:
    """`percent` values are percentage points (12.5 means 12.5 %), as the reports store them;
    `money` values are in the document's currency."""

    key: str
    label: str
    kind: ColumnKind = "text"


@dataclass(frozen=True)
class Series:
    """One line or set of bars of a chart: a label and one value per category."""

    label: str
    values: Sequence[float]


@dataclass(frozen=True)
class Chart:
    """A chart drawn as vector graphics in the PDF (and left out of tabular formats)."""

    title: str
    kind: Literal["bar", "line"]
    categories: Sequence[str]
    series: Sequence[Series]


@dataclass(frozen=True)
class Section:
    """One report section: its table (rows in column order) and an optional chart."""

    key: str
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Cell]]
    chart: Chart | None = None
    note: str = ""


@dataclass(frozen=True)
class ExportDocument:
    """`filters` are (label, value) pairs already worded for the reader, e.g. ("Date range",
    "Last 30 days"); `generated_at` is in the workspace's zone; `currency` is the company
    currency of money columns."""

    title: str
    subtitle: str
    filters: Sequence[tuple[str, str]]
    generated_at: datetime
    currency: str
    language: str
    sections: Sequence[Section] = field(default_factory=list)
