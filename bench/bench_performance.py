#!/usr/bin/env python
"""Campaign Performance tab on PostgreSQL with the large demo tenant (SPEC §4, issue 5).

Three figures, each with a budget:

* cold: computing every Performance report of the tenant's busiest campaign, as a worker does
  (the report services, no HTTP), after the data version changed, with the stored rollups
  already brought up to date by the workers — budget 3 s. Also printed: the bulk rebuild of the
  workspace's rollups (`rebuild_rollups`), and the cold computation when the campaign's rollups
  are stale too (the worker rebuilds them first);
* warm: the Performance page served from stored snapshots by gunicorn on loopback, under a
  load client (4 concurrent connections) — p95 server time budget 300 ms (goal 100 ms);
* memory: peak RSS of the process that did the cold computation — budget 2 GiB.

By default it creates its own database, migrates it and seeds it with
`seed_demo --scale large --tier enterprise` (several minutes), and drops it at the end. To
measure an already seeded database instead (kept as it is, except for report snapshots):

    python bench/bench_performance.py                      # seed large, measure, drop
    python bench/bench_performance.py --small              # seed small: a quick check
    python bench/bench_performance.py --database-url postgres://postgres@127.0.0.1:5432/db \\
        --workspace "Perf Large" --no-seed
"""

from __future__ import annotations

import argparse
import http.client
import os
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.support import run_on_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/touchpoint_bench_performance"
COLD_BUDGET_S = 3.0
WARM_P95_BUDGET_MS = 300.0
WARM_P95_GOAL_MS = 100.0
RSS_BUDGET_MB = 2048.0
CLIENTS = 4


def seed(workspace: str, scale: str) -> None:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("seed_demo", workspace=workspace, scale=scale, tier="enterprise", verbosity=0)
    print(f"seed_demo --scale {scale}: {time.perf_counter() - started:.0f} s")


def busiest_campaign(workspace: Any) -> Any:
    from django.db.models import Count

    from campaigns.models import Campaign
    from tracking.models import Interaction

    top = (
        Interaction.objects.for_workspace(workspace)
        .filter(campaign__isnull=False)
        .values("campaign_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if top is None:
        raise SystemExit("the workspace has no campaign with interactions")
    campaign = Campaign.objects.select_related("workspace").get(pk=top["campaign_id"])
    print(f"campaign: {campaign.name} (id {campaign.pk}), {top['n']:,} interactions")
    return campaign


def rollup_rebuild(campaign: Any) -> float:
    """The data changed; the workers rebuild every campaign's rollups of the workspace and
    store the revenue credits the tab opens with."""
    from reporting.rollups import rebuild_workspace_rollups
    from workspaces.services import bump_data_version

    bump_data_version(campaign.workspace_id)
    started = time.perf_counter()
    count = rebuild_workspace_rollups(workspace_id=campaign.workspace_id)
    seconds = time.perf_counter() - started
    print(f"bulk rollup rebuild of the workspace: {count} campaigns in {seconds:.1f} s")
    from reporting.services import refresh_revenue_credits

    started = time.perf_counter()
    models = refresh_revenue_credits(workspace_id=campaign.workspace_id)
    credit_seconds = time.perf_counter() - started
    print(f"revenue inputs and credits ({', '.join(models)}) stored: {credit_seconds:.1f} s")
    return seconds + credit_seconds


def cold_computation(
    campaign: Any, *, stale_rollups: bool = False
) -> tuple[float, dict[str, float]]:
    """Every report of the campaign for "all data", as a worker computes them (for a new data
    version: with the rollups current, or `stale_rollups` to include their rebuild)."""
    from reporting import services
    from reporting.compute.periods import Period
    from reporting.models import ReportSnapshot, SnapshotStatus
    from workspaces.services import bump_data_version

    if stale_rollups:
        bump_data_version(campaign.workspace_id)
    else:
        rollup_rebuild(campaign)
    filters = services.ReportFilters(period=Period(None, None))
    tiers = services.tier_reports(campaign.workspace)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    batch: list[int] = []
    for report, included in tiers.items():
        if included:
            services.request_report(campaign=campaign, report=report, filters=filters, batch=batch)
    # What the worker's task does with the page's batch: one pass, shared inputs.
    shared: dict[Any, Any] = {}
    for snapshot in ReportSnapshot.objects.filter(pk__in=batch).order_by("pk"):
        begun = time.perf_counter()
        services.compute_snapshot(snapshot=snapshot, shared=shared)
        if snapshot.status != SnapshotStatus.READY:
            raise SystemExit(f"{snapshot.report} failed: {snapshot.error}")
        timings[snapshot.report] = time.perf_counter() - begun
    return time.perf_counter() - started, timings


def session_cookie(workspace: Any) -> str:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from workspaces.models import Membership

    user, _ = get_user_model().objects.get_or_create(
        username="bench-performance@touchpoint.local",
        defaults={"email": "bench-performance@touchpoint.local"},
    )
    Membership.objects.get_or_create(workspace=workspace, user=user, defaults={"role": "viewer"})
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--threads",
        "2",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def load(
    port: int, path: str, cookie: str, requests: int, *, marker: bytes = b"data-metric"
) -> list[float]:
    """`requests` GETs of `path` over CLIENTS keep-alive connections; milliseconds each (an
    answer without `marker` — a placeholder instead of computed reports — stops the bench)."""
    timings: list[float] = []
    lock = threading.Lock()
    per_client = requests // CLIENTS

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": f"sessionid={cookie}", "Host": "127.0.0.1"}
        for _ in range(per_client):
            begun = time.perf_counter()
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - begun) * 1000
            if response.status != 200 or marker not in body:
                raise SystemExit(f"GET {path}: {response.status}, not the computed page")
            with lock:
                timings.append(elapsed)
        connection.close()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def warm_page(
    campaign: Any,
    requests: int,
    *,
    url_name: str = "reporting:performance",
    query: str = "",
    marker: bytes = b"data-metric",
) -> list[float]:
    """A campaign tab (`url_name` + `query`) served by gunicorn: `requests` GETs after a
    warm-up (imports, connections, template cache); milliseconds each."""
    from django.db import connections
    from django.urls import reverse

    path = reverse(
        url_name, kwargs={"workspace_slug": campaign.workspace.slug, "campaign_id": campaign.pk}
    )
    path += f"?{query}" if query else ""
    cookie = session_cookie(campaign.workspace)
    connections.close_all()
    port = free_port()
    server = start_server(port)
    try:
        load(port, path, cookie, CLIENTS * 5, marker=marker)
        return load(port, path, cookie, requests, marker=marker)
    finally:
        server.terminate()
        server.wait(timeout=30)


def run_bench(args: argparse.Namespace) -> int:
    from workspaces.models import Workspace

    if not args.no_seed:
        seed(args.workspace, "small" if args.small else "large")
    workspace = Workspace.objects.get(name=args.workspace)
    campaign = busiest_campaign(workspace)

    cold, per_report = cold_computation(campaign)
    for report, seconds in per_report.items():
        print(f"  cold {report:<22} {seconds * 1000:8.0f} ms")
    print(f"cold computation, all reports: {cold:.2f} s (budget {COLD_BUDGET_S:.0f} s)")
    stale, _per_report = cold_computation(campaign, stale_rollups=True)
    print(f"cold computation with the campaign's rollups stale (rebuilt first): {stale:.2f} s")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the computing process: {rss_mb:.0f} MiB (budget {RSS_BUDGET_MB:.0f} MiB)")

    timings = warm_page(campaign, requests=args.requests)
    p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
    print(
        f"warm page, {len(timings)} requests over {CLIENTS} connections: p50 {p50:.0f} ms, "
        f"p95 {p95:.0f} ms, max {max(timings):.0f} ms, mean {statistics.mean(timings):.0f} ms "
        f"(budget p95 {WARM_P95_BUDGET_MS:.0f} ms, goal {WARM_P95_GOAL_MS:.0f} ms)"
    )
    failed = cold > COLD_BUDGET_S or p95 > WARM_P95_BUDGET_MS or rss_mb > RSS_BUDGET_MB
    print("RESULT:", "over budget" if failed else "within budget")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    return run_on_database(
        argv, description=__doc__, name="performance", default_url=DEFAULT_URL, run_bench=run_bench
    )


if __name__ == "__main__":
    sys.exit(main())
