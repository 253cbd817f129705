"""What every kind of import shares: a source row, reading its cells with the problems
collected (not stopped at the first), the batch result, and the context of one run."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.utils.translation import gettext as _

from crm.imports.values import CellError, parse_datetime
from workspaces.models import Workspace

T = TypeVar("T")


@dataclass(frozen=True)
class RowError:
    """One problem: the spreadsheet row, the file's column name, the cell's text and why."""

    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
        }


@dataclass(frozen=True)
class SourceRow:
    """A data row of the file: its number and the raw text of every mapped field ("" when the
    cell is empty). `overflow` counts non-empty cells beyond the header's columns."""

    number: int
    cells: Mapping[str, str]
    overflow: int = 0

    def raw(self, name: str) -> str:
        return self.cells.get(name, "").strip()


@dataclass
class ImportContext:
    """One run of one job: the workspace, the moment it started (the default time of new
    records) and what the file has already shown."""

    workspace: Workspace
    now: datetime
    # Field name → the file's column name (how errors name the column).
    columns: Mapping[str, str]
    # Who started the import (recorded on the campaign associations it makes).
    user: Any = None
    # Keys (email, external id...) already taken by an earlier row of the file → that row.
    seen: dict[Hashable, int] = field(default_factory=dict)


class RowReader:
    """Reads one row's cells. A cell that cannot be read is recorded as a RowError and read as
    None, so every problem of the row is reported at once."""

    def __init__(self, row: SourceRow, context: ImportContext) -> None:
        self.row = row
        self.context = context
        self.errors: list[RowError] = []
        if row.overflow:
            self.errors.append(
                RowError(
                    row.number,
                    "",
                    "",
                    _(
                        "This row has %(count)s more value(s) than the header has columns; "
                        "check the delimiter and the quotes on this row."
                    )
                    % {"count": row.overflow},
                )
            )

    @property
    def ok(self) -> bool:
        return not self.errors

    def column(self, name: str) -> str:
        return self.context.columns.get(name, name)

    def problem(self, name: str, message: str, value: str | None = None) -> None:
        raw = self.row.raw(name) if value is None else value
        self.errors.append(RowError(self.row.number, self.column(name), raw, message))

    def missing(self, name: str) -> None:
        self.problem(name, _("%(column)s is empty.") % {"column": self.column(name)})

    def read(self, name: str, parse: Callable[[str], T], *, required: bool = False) -> T | None:
        raw = self.row.raw(name)
        if not raw:
            if required:
                self.missing(name)
            return None
        try:
            return parse(raw)
        except CellError as exc:
            self.problem(name, str(exc))
            return None

    def text(self, name: str, *, max_length: int, required: bool = False) -> str | None:
        """The cell's text (None when empty), refused when longer than `max_length`."""
        raw = self.row.raw(name)
        if not raw:
            if required:
                self.missing(name)
            return None
        if len(raw) > max_length:
            self.problem(
                name,
                _("%(column)s is longer than %(max)s characters.")
                % {"column": self.column(name), "max": max_length},
            )
            return None
        return raw

    def datetime(self, name: str, *, required: bool = False) -> datetime | None:
        tz = self.context.workspace.tz
        return self.read(name, lambda raw: parse_datetime(raw, tz=tz), required=required)

    def claim(self, key: Hashable, name: str, what: str) -> bool:
        """Take `key` for this row; a key an earlier row of the file took is an error (each
        record once per file, so a re-import gives the same result)."""
        earlier = self.context.seen.get(key)
        if earlier is not None:
            self.problem(
                name,
                _("%(what)s is also on row %(row)s; each appears once per file.")
                % {"what": what, "row": earlier},
            )
            return False
        self.context.seen[key] = self.row.number
        return True


@dataclass
class BatchResult:
    """What one batch did: rows created, updated, unchanged (skipped) and with errors."""

    created: int = 0
    updated: int = 0
    skipped: int = 0
    errored: int = 0
    errors: list[RowError] = field(default_factory=list)

    def reject(self, reader: RowReader) -> None:
        self.errored += 1
        self.errors.extend(reader.errors)
