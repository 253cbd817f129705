"""The per-row errors file (row, column, value, message) and the sample file of each kind."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _

from crm.imports.fields import fields_for
from crm.imports.rows import RowError

# A spreadsheet program runs a cell that starts with one of these as a formula.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Text a spreadsheet shows as text: a leading formula character gets a `'` before it."""
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


def _csv_bytes(rows: Iterable[Sequence[object]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    # UTF-8 with a byte-order mark: Excel then reads æ, ø, å and ö correctly.
    return buffer.getvalue().encode("utf-8-sig")


def errors_csv(errors: Iterable[RowError]) -> bytes:
    header = (_("Row"), _("Column"), _("Value"), _("Message"))
    return _csv_bytes(
        [
            header,
            *(
                (e.row, neutralise(e.column), neutralise(e.value), neutralise(e.message))
                for e in errors
            ),
        ]
    )


SAMPLE_ROWS: dict[str, list[dict[str, str]]] = {
    "contacts": [
        {
            "email": "ada@example.com",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "created_at": "2024-03-01 09:30",
            "lifecycle_stage": "lead",
            "external_id": "C-1001",
        }
    ],
    "deals": [
        {
            "external_id": "D-2001",
            "name": "Analytical engine",
            "amount": "12500.00",
            "currency": "EUR",
            "pipeline": "default",
            "stage": "closed won",
            "created_at": "2024-03-05",
            "closed_at": "2024-04-02",
            "contact_emails": "ada@example.com; charles@example.com",
            "associated_at": "",
        }
    ],
    "interactions": [
        {
            "external_id": "I-3001",
            "contact_email": "ada@example.com",
            "type": "form submission",
            "occurred_at": "2024-03-01 09:30",
            "asset_external_id": "",
            "asset_name": "Newsletter sign-up",
            "asset_type": "form",
            "call_connected": "",
        },
        {
            "external_id": "I-3002",
            "contact_email": "ada@example.com",
            "type": "call",
            "occurred_at": "2024-03-04 14:00",
            "asset_external_id": "",
            "asset_name": "",
            "asset_type": "",
            "call_connected": "yes",
        },
    ],
    "assets": [
        {
            "type": "landing page",
            "name": "Spring webinar sign-up",
            "url": "https://www.example.com/spring-webinar",
            "published_at": "2024-02-20",
            "external_id": "LP-17",
            "campaign": "Spring webinar",
            "associated_at": "2024-02-20",
        }
    ],
}


def sample_csv(kind: str) -> bytes:
    """A file with every column the kind reads (English headers) and an example row."""
    fields = fields_for(kind)
    rows = [[str(f.label) for f in fields]]
    rows += [[sample.get(f.name, "") for f in fields] for sample in SAMPLE_ROWS[kind]]
    return _csv_bytes(rows)
