"""Reading import files and cells: encodings, delimiters, limits, dates, amounts, choices and
the column-mapping guess. No database needed."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from crm.imports import parsing
from crm.imports.fields import guess_mapping
from crm.imports.parsing import ImportFileError, inspect, iter_records
from crm.imports.report import errors_csv, neutralise
from crm.imports.rows import RowError
from crm.imports.values import (
    CellError,
    parse_amount,
    parse_asset_type,
    parse_datetime,
    parse_deal_stage,
    parse_flag,
    parse_interaction_type,
    parse_lifecycle_stage,
)

OSLO = ZoneInfo("Europe/Oslo")


# --- Files ---------------------------------------------------------------------------------------
def test_a_bom_semicolon_crlf_file_with_a_quoted_newline_parses_right() -> None:
    text = (
        "Email;First name;Notes\r\n"
        'ada@example.com;Ada;"Line one\r\nline two; with a semicolon"\r\n'
        "bob@example.com;Bøb;plain\r\n"
    )
    data = codecs.BOM_UTF8 + text.encode("utf-8")

    found = inspect(data)

    assert found.encoding == "utf-8-sig"
    assert found.delimiter == ";"
    assert found.header == ["Email", "First name", "Notes"]  # no BOM glued to "Email"
    assert found.rows_total == 2
    assert found.preview[0] == ["ada@example.com", "Ada", "Line one\r\nline two; with a semicolon"]
    records = list(iter_records(data, encoding=found.encoding, delimiter=found.delimiter))
    # Row numbers are spreadsheet rows: the quoted newline does not make a row of its own.
    assert records == [
        (2, ["ada@example.com", "Ada", "Line one\r\nline two; with a semicolon"]),
        (3, ["bob@example.com", "Bøb", "plain"]),
    ]


@pytest.mark.parametrize(
    ("delimiter", "name"), [(",", "comma"), (";", "semicolon"), ("\t", "tab"), ("|", "pipe")]
)
def test_the_delimiter_is_detected(delimiter: str, name: str) -> None:
    rows = [
        ["email", "first name", "amount"],
        ["a@example.com", "Ann", "1,5"],
        ["b@x.se", "B", "2"],
    ]
    if delimiter == ",":
        rows[1][2] = '"1,5"'
    text = "\n".join(delimiter.join(r) for r in rows) + "\n"

    assert inspect(text.encode()).delimiter == delimiter, name


def test_a_one_column_file_is_read_with_the_comma_fallback() -> None:
    found = inspect(b"email\na@example.com\nb@example.com\n")

    assert (found.delimiter, found.header, found.rows_total) == (",", ["email"], 2)


def test_a_chosen_delimiter_overrides_the_detected_one() -> None:
    data = b"a;b,c\n1;2,3\n"

    assert inspect(data, delimiter=",").header == ["a;b", "c"]
    assert inspect(data, delimiter=";").header == ["a", "b,c"]


def test_a_windows_1252_file_from_excel_is_read_with_its_accents() -> None:
    data = "Email;Navn\r\nsoren@example.dk;Søren Ærø\r\n".encode("cp1252")

    found = inspect(data)

    assert found.encoding == "cp1252"
    assert found.preview == [["soren@example.dk", "Søren Ærø"]]


def test_a_utf16_unicode_text_file_is_read() -> None:
    data = "Email\tName\r\nann@example.com\tÅsa\r\n".encode("utf-16")

    found = inspect(data)

    assert (found.encoding, found.delimiter, found.preview) == (
        "utf-16",
        "\t",
        [["ann@example.com", "Åsa"]],
    )


def test_blank_lines_are_ignored_and_empty_header_cells_get_a_name() -> None:
    found = inspect(b"Email,,Name\n\n,,\na@example.com,x,Ann\n\n")

    assert found.header == ["Email", "Column 2", "Name"]
    assert found.rows_total == 1


def test_an_excel_workbook_is_refused_with_advice() -> None:
    with pytest.raises(ImportFileError, match="Excel workbook"):
        inspect(b"PK\x03\x04rest-of-a-zip")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"  \r\n", "The file is empty."),
        (b"Email,Name\r\n", "no data rows"),
    ],
)
def test_an_empty_file_or_a_header_alone_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        inspect(data)


def test_a_file_over_10_mb_is_refused_naming_the_limit() -> None:
    data = b"email\n" + b"a" * parsing.MAX_FILE_BYTES

    with pytest.raises(ImportFileError) as caught:
        inspect(data)

    assert "the limit is 10 MB" in str(caught.value)


def test_a_file_over_50000_rows_is_refused_and_50000_rows_are_accepted() -> None:
    rows = b"".join(b"p%d@example.com\n" % i for i in range(parsing.MAX_ROWS))
    assert inspect(b"email\n" + rows).rows_total == 50_000

    with pytest.raises(ImportFileError) as caught:
        inspect(b"email\n" + rows + b"one-more@example.com\n")

    assert "more than 50,000 rows" in str(caught.value)


# --- Cells ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-05-31", datetime(2024, 5, 31, tzinfo=OSLO)),
        ("2024-05-31 14:30", datetime(2024, 5, 31, 14, 30, tzinfo=OSLO)),
        ("2024-05-31T14:30:15", datetime(2024, 5, 31, 14, 30, 15, tzinfo=OSLO)),
        ("31.05.2024", datetime(2024, 5, 31, tzinfo=OSLO)),
        ("31.05.2024 14:30", datetime(2024, 5, 31, 14, 30, tzinfo=OSLO)),
        ("31-05-2024 09:05:07", datetime(2024, 5, 31, 9, 5, 7, tzinfo=OSLO)),
        ("1-5-2024", datetime(2024, 5, 1, tzinfo=OSLO)),
        ("31/05/2024", datetime(2024, 5, 31, tzinfo=OSLO)),
    ],
)
def test_dates_are_read_in_the_workspace_time_zone(raw: str, expected: datetime) -> None:
    assert parse_datetime(raw, tz=OSLO) == expected


def test_a_date_with_an_offset_keeps_it() -> None:
    assert parse_datetime("2024-05-31T12:00:00Z", tz=OSLO) == datetime(2024, 5, 31, 12, tzinfo=UTC)
    assert parse_datetime("2024-05-31T14:00:00+02:00", tz=OSLO) == datetime(
        2024, 5, 31, 12, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "raw", ["31.13.2024", "yesterday", "2024-02-30", "05/31/2024", "1899-01-01"]
)
def test_a_bad_date_names_the_value(raw: str) -> None:
    with pytest.raises(CellError, match=raw.replace(".", r"\.")):
        parse_datetime(raw, tz=OSLO)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234.56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("1\u00a0234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1234,5", "1234.50"),
        ("1.234", "1234.00"),
        ("1.234.567", "1234567.00"),
        ("€ 99", "99.00"),
        ("1 500 kr", "1500.00"),
        ("0", "0.00"),
    ],
)
def test_amounts_accept_the_common_notations(raw: str, expected: str) -> None:
    assert parse_amount(raw) == Decimal(expected)


def test_a_negative_amount_is_refused() -> None:
    with pytest.raises(CellError, match="cannot be negative"):
        parse_amount("-12,50")


@pytest.mark.parametrize("raw", ["twelve", "1.2.3,4,5", "12abc34"])
def test_a_value_that_is_not_an_amount_is_refused(raw: str) -> None:
    with pytest.raises(CellError, match="not an amount"):
        parse_amount(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Marketing qualified lead", "marketingqualifiedlead"),
        ("MQL", "marketingqualifiedlead"),
        ("sales_qualified_lead", "salesqualifiedlead"),
        ("Kunde", "customer"),
        ("customer", "customer"),
    ],
)
def test_lifecycle_stages_by_value_label_or_synonym(raw: str, expected: str) -> None:
    assert parse_lifecycle_stage(raw) == expected


def test_an_unknown_lifecycle_stage_lists_the_allowed_ones() -> None:
    with pytest.raises(CellError) as caught:
        parse_lifecycle_stage("prospect")

    assert "“prospect” is not a lifecycle stage" in str(caught.value)
    assert "Subscriber" in str(caught.value) and "Evangelist" in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Closed Won", "closed_won"),
        ("won", "closed_won"),
        ("tabt", "closed_lost"),
        ("open", "open"),
    ],
)
def test_deal_stages(raw: str, expected: str) -> None:
    assert parse_deal_stage(raw) == expected


@pytest.mark.parametrize(
    ("raw", "connected", "expected"),
    [
        ("Form submission", None, "form_submission"),
        ("email_open", None, "email_open"),
        ("Marketing email click", None, "email_click"),
        ("Meeting", None, "meeting_booked"),
        ("event attended", None, "event_attended"),
        ("Call", True, "call_connected"),
        ("call", False, "call_logged"),
        ("call", None, "call_logged"),
        ("Call (connected via integration)", None, "call_connected"),
    ],
)
def test_interaction_types_by_value_label_or_synonym(
    raw: str, connected: bool | None, expected: str
) -> None:
    assert parse_interaction_type(raw, call_connected=connected) == expected


@pytest.mark.parametrize(
    ("raw", "expected"), [("yes", True), ("Connected", True), ("manual", False)]
)
def test_the_call_connected_flag(raw: str, expected: bool) -> None:
    assert parse_flag(raw) is expected


def test_asset_types_by_label_and_synonym() -> None:
    assert parse_asset_type("Landing page") == "landing_page"
    assert parse_asset_type("newsletter") == "marketing_email"
    with pytest.raises(CellError, match="not an asset type"):
        parse_asset_type("billboard")


# --- Mapping guess -------------------------------------------------------------------------------
def test_english_contact_headers_are_mapped() -> None:
    header = ["E-mail", "First Name", "Last name", "Create Date", "Lifecycle Stage", "Record ID"]

    assert guess_mapping("contacts", header) == {
        "email": 0,
        "first_name": 1,
        "last_name": 2,
        "created_at": 3,
        "lifecycle_stage": 4,
        "external_id": 5,
    }


@pytest.mark.parametrize(
    "header",
    [
        ["E-mail", "Fornavn", "Efternavn", "Oprettet"],  # Danish
        ["E-post", "Fornavn", "Etternavn", "Opprettet"],  # Norwegian
        ["E-postadress", "Förnamn", "Efternamn", "Skapad"],  # Swedish
        ["E-mailadres", "Voornaam", "Achternaam", "Aangemaakt"],  # Dutch
    ],
)
def test_nordic_and_dutch_contact_headers_are_mapped(header: list[str]) -> None:
    assert guess_mapping("contacts", header) == {
        "email": 0,
        "first_name": 1,
        "last_name": 2,
        "created_at": 3,
    }


def test_an_exact_column_name_wins_over_a_synonym_and_a_column_is_used_once() -> None:
    # "Email" is a synonym of the deal's contact emails; "Contact emails" is its own name.
    header = ["Deal ID", "Deal name", "Amount", "Email", "Contact emails", "Create date"]

    mapping = guess_mapping("deals", header)

    assert mapping["contact_emails"] == 4
    assert sorted(mapping.values()) == sorted(set(mapping.values()))
    assert mapping["name"] == 1 and mapping["amount"] == 2 and mapping["created_at"] == 5


def test_unknown_headers_are_left_unmapped() -> None:
    assert guess_mapping("contacts", ["Favourite colour", "Shoe size"]) == {}


# --- The errors file -----------------------------------------------------------------------------
def test_the_errors_file_has_row_column_value_and_message_and_neutralises_formulas() -> None:
    content = errors_csv(
        [
            RowError(4, "Amount", "-5", "An amount cannot be negative."),
            RowError(7, "Email", "=cmd()", "x"),
        ]
    )

    text = content.decode("utf-8-sig")
    assert content.startswith(codecs.BOM_UTF8)
    assert text.splitlines() == [
        "Row,Column,Value,Message",
        "4,Amount,'-5,An amount cannot be negative.",
        "7,Email,'=cmd(),x",
    ]
    assert neutralise("@SUM(A1)") == "'@SUM(A1)" and neutralise("plain") == "plain"
