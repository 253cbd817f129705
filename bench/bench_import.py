#!/usr/bin/env python
"""CSV import of contacts on PostgreSQL: 50,000 rows within 30 seconds, and a re-import.

Creates its own database (dropped at the end), generates a contacts CSV the way Excel on a
Nordic Windows machine saves one (UTF-8 with BOM, semicolons, CRLF, day-first dates), and runs
the import service directly (no HTTP, no worker): upload check, then the run. It then imports
the same file again, which must create nothing and change nothing (idempotency), and prints
both timings. Exits 1 when the counts are wrong or the first run misses the budget.

    python bench/bench_import.py                  # 50,000 rows
    python bench/bench_import.py --small          # 2,000 rows, a quick check
    python bench/bench_import.py --database-url postgres://postgres@127.0.0.1:5432/bench_x
"""

from __future__ import annotations

import argparse
import codecs
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.support import recreate_database, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/touchpoint_bench_import"
BUDGET_SECONDS = 30.0
STAGES = ("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "customer")


def generate_csv(rows: int, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    first = ["Ada", "Søren", "Åsa", "Jens", "Ingrid", "Pieter", "Maren", "Öjvind", "Liv", "Sanne"]
    last = ["Jensen", "Nilsson", "de Vries", "Hansen", "Bakker", "Larsen", "Berg", "Visser"]
    lines = ["E-mail;Fornavn;Efternavn;Oprettet;Livscyklusfase;Ekstern id"]
    for i in range(rows):
        created = (
            f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.2024 {rng.randint(0, 23):02d}:30"
        )
        lines.append(
            f"person{i}@example.com;{rng.choice(first)};{rng.choice(last)};{created};"
            f"{rng.choice(STAGES)};EXT-{i}"
        )
    return codecs.BOM_UTF8 + ("\r\n".join(lines) + "\r\n").encode("utf-8")


def import_once(workspace: Any, data: bytes) -> tuple[Any, float, float]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from crm.imports.fields import guess_mapping
    from crm.imports.runner import run_import
    from crm.imports.services import create_import_job, start_import

    started = time.perf_counter()
    upload = SimpleUploadedFile("contacts.csv", data, content_type="text/csv")
    job, found = create_import_job(workspace=workspace, user=None, kind="contacts", upload=upload)
    start_import(
        job=job, mapping=guess_mapping("contacts", found.header), delimiter=found.delimiter
    )
    checked = time.perf_counter()
    run_import(job_id=job.pk, workspace_id=workspace.pk)
    done = time.perf_counter()
    job.refresh_from_db()
    return job, checked - started, done - checked


def report(label: str, job: Any, check: float, run: float) -> None:
    rate = job.rows_done / run if run else 0.0
    print(
        f"{label:<10} rows={job.rows_done:>6}  upload+check={check:6.2f}s  run={run:6.2f}s  "
        f"({rate:,.0f} rows/s)  created={job.created_count} updated={job.updated_count} "
        f"unchanged={job.skipped_count} errors={job.error_count}  status={job.status}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--small", action="store_true", help="2,000 rows instead of 50,000")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_IMPORT_DATABASE_URL", DEFAULT_URL)
    )
    args, _unknown = parser.parse_known_args(argv)
    rows = 2_000 if args.small else 50_000
    try:
        recreate_database(args.database_url)
    except Exception as exc:  # no PostgreSQL: say so, and fail (the figure is for PostgreSQL)
        print(f"cannot create the bench database at {args.database_url}: {exc}")
        return 1
    with tempfile.TemporaryDirectory(prefix="bench-import-") as var_dir:
        try:
            setup_django(args.database_url, var_dir)
            return run_bench(rows)
        finally:
            from django.db import connections

            connections.close_all()
            recreate_database(args.database_url, drop_only=True)


def run_bench(rows: int) -> int:
    from crm.models import Contact
    from workspaces.models import Workspace

    data = generate_csv(rows)
    print(f"contacts CSV: {rows:,} rows, {len(data) / 1024 / 1024:.1f} MB (UTF-8 BOM, ';', CRLF)")
    workspace = Workspace.objects.create(name="Bench", slug="bench", time_zone="Europe/Copenhagen")

    first, check1, run1 = import_once(workspace, data)
    report("import", first, check1, run1)
    second, check2, run2 = import_once(workspace, data)
    report("re-import", second, check2, run2)

    stored = Contact.objects.for_workspace(workspace).count()
    problems = []
    if (first.created_count, first.error_count) != (rows, 0):
        problems.append(f"first import created {first.created_count} of {rows} rows")
    if (second.created_count, second.updated_count, second.skipped_count) != (0, 0, rows):
        problems.append("the re-import was not idempotent")
    if stored != rows:
        problems.append(f"{stored} contacts stored, expected {rows}")
    if rows == 50_000 and check1 + run1 > BUDGET_SECONDS:
        problems.append(f"50,000 contacts took {check1 + run1:.1f}s (budget {BUDGET_SECONDS:.0f}s)")
    for problem in problems:
        print(f"FAILED: {problem}")
    if not problems:
        print(f"ok: {rows:,} contacts in {check1 + run1:.1f}s, re-import in {check2 + run2:.1f}s")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
