#!/usr/bin/env python
"""Campaign Attribution tab on PostgreSQL with the large demo tenant (SPEC §5, §8, issue 6).

Figures, each with a budget:

* cold: revenue attribution under three models for the busiest campaign, as a worker computes
  the tab's snapshot after the data version changed (the workspace's revenue inputs read, the
  three models' credits computed and stored, the campaign's tables) — budget 3 s;
* warm: the Attribution tab served from its snapshot by gunicorn on loopback under a load client
  (4 concurrent connections) — p95 budget 300 ms;
* Markov: the Markov model over every contact-create path of the workspace (inputs read from
  the database, credits computed and stored) — budget 5 s.

By default it creates its own database, seeds `seed_demo --scale large --tier enterprise` and
drops it at the end. To measure an already seeded database (kept, except for stored runs and
snapshots):

    python bench/bench_attribution.py --no-seed --workspace "Perf Large" \\
        --database-url postgres://postgres@127.0.0.1:5432/touchpoint_perf
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_performance import (  # noqa: E402
    CLIENTS,
    busiest_campaign,
    percentile,
    seed,
    warm_page,
)
from bench.support import run_on_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/touchpoint_bench_attribution"
COLD_BUDGET_S = 3.0
WARM_P95_BUDGET_MS = 300.0
MARKOV_BUDGET_S = 5.0
MODELS = ("linear", "u_shaped", "time_decay")


def _definition() -> Any:
    from reporting.definitions import AttributionDefinition

    return AttributionDefinition(conversion="revenue", models=MODELS, dimension="asset")


def cold_revenue(campaign: Any) -> tuple[float, int]:
    """A new data version, then the snapshot computed as the worker's task does."""
    from django.utils import timezone

    from attribution.models import AttributionSnapshot
    from reporting import attribution
    from workspaces.services import bump_data_version

    bump_data_version(campaign.workspace_id)
    today = timezone.localdate(timezone=campaign.workspace.tz)
    snapshot = attribution.request_snapshot(
        campaign=campaign, definition=_definition(), today=today
    )
    started = time.perf_counter()
    snapshot = attribution.compute_snapshot(
        snapshot=AttributionSnapshot.objects.get(pk=snapshot.pk)
    )
    elapsed = time.perf_counter() - started
    if not snapshot.is_ready:
        raise SystemExit(f"revenue attribution failed: {snapshot.error}")
    return elapsed, snapshot.payload["conversions"]["count"]


def markov(workspace: Any) -> tuple[float, float, int, int]:
    """Markov credits over every contact-create path after a data change: (seconds reading and
    storing the inputs, seconds computing and storing the credits, conversions, touches)."""
    from attribution import services
    from workspaces.services import bump_data_version

    bump_data_version(workspace.pk)
    started = time.perf_counter()
    inputs = services.conversion_inputs(workspace=workspace, kind="contact_create")
    read = time.perf_counter() - started
    services.credits(workspace=workspace, kind="contact_create", models=["markov"])
    computed = time.perf_counter() - started - read
    return read, computed, len(inputs.conversions), len(inputs.touches)


def warm_engine() -> float:
    """Load the engine's compiled kernels (numba's cache), as a worker does on its first task."""
    import pandas as pd

    from attribution.engine import allocate_many, markov_channel_credit

    started = time.perf_counter()
    at = pd.to_datetime(["2024-01-01", "2024-01-02"], utc=True)
    touches = pd.DataFrame(
        {"conversion_id": [1, 1], "touch_id": [1, 2], "at": at, "channel": [1, 2]}
    )
    conversions = pd.DataFrame(
        {
            "conversion_id": [1],
            "lead_created_at": at[1:],
            "deal_created_at": at[1:],
            "closed_at": at[1:],
            "value": [1.0],
        }
    )
    allocate_many(touches, conversions, models=(*MODELS, "markov"), kind="revenue")
    markov_channel_credit(touches, conversions, kind="revenue")
    return time.perf_counter() - started


def warm_tab(campaign: Any, requests: int) -> list[float]:
    return warm_page(
        campaign,
        requests,
        url_name="reporting:attribution",
        query=_definition().query(),
        marker=b"data-model",
    )


def run_bench(args: argparse.Namespace) -> int:
    from workspaces.models import Workspace

    if not args.no_seed:
        seed(args.workspace, "small" if args.small else "large")
    workspace = Workspace.objects.get(name=args.workspace)
    campaign = busiest_campaign(workspace)

    print(f"engine kernels loaded (once per worker process): {warm_engine():.2f} s")
    cold, deals = cold_revenue(campaign)
    print(
        f"cold revenue attribution, {len(MODELS)} models ({', '.join(MODELS)}), {deals:,} "
        f"closed-won deals: {cold:.2f} s (budget {COLD_BUDGET_S:.0f} s)"
    )
    read, computed, conversions, touches = markov(workspace)
    seconds = read + computed
    print(
        f"Markov over the workspace's contact-create paths ({conversions:,} conversions, "
        f"{touches:,} touches): {seconds:.2f} s = inputs read and stored {read:.2f} s + "
        f"credits computed and stored {computed:.2f} s (budget {MARKOV_BUDGET_S:.0f} s)"
    )
    failed = cold > COLD_BUDGET_S or seconds > MARKOV_BUDGET_S
    if not args.skip_warm:
        cold_revenue(campaign)  # the tab's snapshot for the current version
        timings = warm_tab(campaign, args.requests)
        p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
        print(
            f"warm tab, {len(timings)} requests over {CLIENTS} connections: p50 {p50:.0f} ms, "
            f"p95 {p95:.0f} ms, max {max(timings):.0f} ms "
            f"(budget p95 {WARM_P95_BUDGET_MS:.0f} ms)"
        )
        failed = failed or p95 > WARM_P95_BUDGET_MS
    skipped = " (warm tab skipped)" if args.skip_warm else ""
    print(f"RESULT: {'over budget' if failed else 'within budget'}{skipped}")
    return 1 if failed else 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--skip-warm", action="store_true", help="only the cold and Markov figures (no gunicorn)"
    )


def main(argv: list[str] | None = None) -> int:
    return run_on_database(
        argv,
        description=__doc__,
        name="attribution",
        default_url=DEFAULT_URL,
        run_bench=run_bench,
        add_arguments=add_arguments,
    )


if __name__ == "__main__":
    sys.exit(main())
