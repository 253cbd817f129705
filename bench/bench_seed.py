#!/usr/bin/env python
"""The demo generator at benchmark size on PostgreSQL: `seed_demo --scale large` in ≤ 10 minutes.

Drops and creates the database (default `touchpoint_bench`), migrates it, seeds the large demo
workspace ("Benchmark", enterprise tier) and prints the duration, the phases, the row counts,
rows per second and the peak memory. The database is kept afterwards: it is the benchmark
tenant other benchmarks and manual checks can point DATABASE_URL at (`--drop` removes it).
Exits 1 when the budget is missed or the tenant is smaller than the large scale promises.

    python bench/bench_seed.py                 # large: 100k contacts, 1M sessions, 3M+ interactions
    python bench/bench_seed.py --small         # small: a quick check that it runs
    python bench/bench_seed.py --scale medium --database-url postgres://postgres@127.0.0.1/x
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.support import recreate_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/touchpoint_bench"
BUDGET_SECONDS = {"large": 600.0, "medium": 180.0, "small": 60.0}
# What the large benchmark tenant must hold (the brief's sizes).
LARGE_MINIMUMS = {
    "contacts": 95_000,
    "sessions": 900_000,
    "interactions": 3_000_000,
    "deals": 8_000,
    "campaigns": 200,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--scale", choices=("small", "medium", "large"), default="large")
    parser.add_argument("--small", action="store_true", help="same as --scale small")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args, _unknown = parser.parse_known_args(argv)
    scale = "small" if args.small else args.scale

    recreate_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from reporting.demo.runner import COUNTED

    began = time.perf_counter()
    call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)
    migrated = time.perf_counter() - began
    print(f"database {urlsplit(args.database_url).path.lstrip('/')}: migrated in {migrated:.1f} s")

    began = time.perf_counter()
    call_command(
        "seed_demo",
        workspace="Benchmark",
        scale=scale,
        tier="enterprise",
        seed=args.seed,
        stdout=sys.stdout,
    )
    seconds = time.perf_counter() - began

    from reporting.demo.models import DemoSeed

    counts: dict[str, int] = DemoSeed.objects.get(workspace__slug="benchmark").counts
    total = sum(counts.get(label, 0) for label, _ in COUNTED)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    budget = BUDGET_SECONDS[scale]
    print(f"seed_demo --scale {scale}: {seconds:.1f} s (budget {budget:.0f} s)")
    print(f"rows written: {total:,} ({total / seconds:,.0f} rows/s); peak memory {peak_mb:,.0f} MB")

    failures = []
    if seconds > budget:
        failures.append(f"took {seconds:.1f} s, over the {budget:.0f} s budget")
    if scale == "large":
        for label, minimum in LARGE_MINIMUMS.items():
            if counts.get(label, 0) < minimum:
                failures.append(f"{label}: {counts.get(label, 0):,} < {minimum:,}")
    if args.drop:
        from django.db import connections

        connections.close_all()
        recreate_database(args.database_url, drop_only=True)
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
