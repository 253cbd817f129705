#!/usr/bin/env python
"""Campaign exports on PostgreSQL with the large demo tenant (SPEC exports, issue 7).

Budgets, for a full campaign export (every section the tier includes, Enterprise revenue
attribution with the linear model, all data) of the tenant's busiest campaign:

* XLSX end to end ≤ 10 s and PDF end to end ≤ 20 s: the export task's service
  (`exports.services.run_export`: claim the job, read the Performance snapshots, build the
  document, render, store the file, notify and email) in a fresh worker process, including the
  format library's first import; the median of 3 runs. CSV and XLS are printed for information;
* the worker's peak RSS ≤ 1 GiB: `ru_maxrss` of each worker process (from `wait4`).

The campaign's Performance snapshots are brought up to date first and that time is printed on
its own: it is the Performance tab's cold figure (`bench_performance.py`), not the export's.

Every process that touches Django is a child of a slim orchestrator: a child's `ru_maxrss`
starts at its parent's peak RSS (Linux carries it over `exec`), so the parent stays small.

By default it creates its own database, seeds `seed_demo --scale large --tier enterprise`
(several minutes) and drops it at the end. To measure an already seeded database (kept, except
that missing snapshots are computed; the bench's export jobs are deleted again):

    python bench/bench_exports.py                          # seed large, measure, drop
    python bench/bench_exports.py --small                  # seed small: a quick check
    python bench/bench_exports.py --no-seed --workspace "Perf Large" \\
        --database-url postgres://postgres@127.0.0.1:5432/touchpoint_perf
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.support import recreate_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/touchpoint_bench_exports"
RUNS = 3
MODEL = "linear"
RSS_BUDGET_MB = 1024.0
# Seconds per format; None: printed for information only.
BUDGETS: dict[str, float | None] = {"xlsx": 10.0, "pdf": 20.0, "csv": None, "xls": None}
BENCH_USER = "bench-exports@touchpoint.local"


@dataclass(frozen=True)
class Run:
    seconds: float  # run_export, the writer's libraries' first import included
    size: int
    status: str
    error: str
    rss_mb: float


# --- Children (Django) ---------------------------------------------------------------------------
def child_django(args: argparse.Namespace, *, migrate: bool) -> None:
    """Django on the bench database with queued (not in-process) tasks, as a worker has it."""
    if migrate:
        from bench.support import setup_django

        setup_django(args.database_url, args.var_dir)
        return
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["TOUCHPOINT_VAR_DIR"] = args.var_dir
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from config.celery import app

    app.conf.task_always_eager = False
    # The bench's in-memory broker has no host name; kombu warns about it on every queued task.
    logging.getLogger("kombu.connection").setLevel(logging.ERROR)


def export_filters() -> Any:
    from reporting.compute.periods import Period
    from reporting.services import ReportFilters

    return ReportFilters(period=Period(None, None), touch="first", model=MODEL)


def ensure_snapshots(campaign: Any) -> tuple[float, int, int]:
    """The campaign's Performance snapshots for the export's filters and the current data
    version, computed as the Performance tab's worker does (one batch, shared inputs) where
    missing: (seconds, computed, already current)."""
    from exports.services import exportable_reports
    from reporting import services
    from reporting.models import ReportSnapshot, SnapshotStatus

    filters = export_filters()
    reports = exportable_reports(campaign)
    started = time.perf_counter()
    batch: list[int] = []
    for report in reports:
        services.request_report(campaign=campaign, report=report, filters=filters, batch=batch)
    pending = ReportSnapshot.objects.for_workspace(campaign.workspace_id).filter(pk__in=batch)
    shared: dict[Any, Any] = {}
    computed = 0
    for snapshot in pending.exclude(status=SnapshotStatus.READY).order_by("pk"):
        services.compute_snapshot(snapshot=snapshot, shared=shared)
        if snapshot.status != SnapshotStatus.READY:
            raise SystemExit(f"{snapshot.report} failed: {snapshot.error}")
        computed += 1
    return time.perf_counter() - started, computed, len(reports) - computed


def bench_user(workspace: Any) -> Any:
    from django.contrib.auth import get_user_model

    from workspaces.models import Membership

    user, _ = get_user_model().objects.get_or_create(
        username=BENCH_USER, defaults={"email": BENCH_USER}
    )
    Membership.objects.get_or_create(workspace=workspace, user=user, defaults={"role": "marketer"})
    return user


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    """Seed (unless --no-seed), pick the busiest campaign, bring its snapshots up to date."""
    from bench.bench_performance import busiest_campaign, seed
    from workspaces.models import Workspace

    if not args.no_seed:
        seed(args.workspace, "small" if args.small else "large")
    workspace = Workspace.objects.get(name=args.workspace)
    if not workspace.is_enterprise:
        raise SystemExit(f"workspace {workspace.name!r} is not on the Enterprise tier")
    campaign = busiest_campaign(workspace)
    seconds, computed, current = ensure_snapshots(campaign)
    if computed:
        print(
            f"Performance snapshots (the tab's cold computation, not part of the export): "
            f"{computed} computed in {seconds:.2f} s, {current} already current"
        )
    else:
        print(f"Performance snapshots: all {current} already current ({seconds:.2f} s to check)")
    user = bench_user(workspace)
    return {"campaign_id": campaign.pk, "user_id": user.pk}


def export_once(args: argparse.Namespace) -> dict[str, Any]:
    """One full campaign export in this (worker) process: queued as the export dialog does,
    then the task's service, timed (the writer's libraries are imported during it, as in a
    worker's first export of the format)."""
    from django.contrib.auth import get_user_model

    from campaigns.models import Campaign
    from exports import services
    from exports.models import ExportJob
    from notifications.models import Notification

    campaign = Campaign.objects.select_related("workspace").get(pk=args.campaign_id)
    user = get_user_model().objects.get(pk=args.user_id)
    job = services.request_campaign_export(
        campaign=campaign, user=user, fmt=args.fmt, filters=export_filters(), model=MODEL
    )
    started = time.perf_counter()
    done = services.run_export(job_id=job.pk, workspace_id=job.workspace_id)
    seconds = time.perf_counter() - started
    if done is None:
        raise SystemExit(f"export job {job.pk} was not runnable")
    result = {
        "seconds": seconds,
        "size": done.size,
        "status": done.status,
        "error": done.error,
    }
    Notification.objects.for_workspace(job.workspace_id).filter(
        user=user, dedupe_key=f"export:{job.pk}"
    ).delete()
    ExportJob.objects.for_workspace(job.workspace_id).filter(pk=job.pk).delete()
    return result


def child_main(args: argparse.Namespace) -> int:
    child_django(args, migrate=args.role == "prepare")
    result = prepare(args) if args.role == "prepare" else export_once(args)
    Path(args.result_file).write_text(json.dumps(result))
    return 0


# --- The orchestrator (no Django: its peak RSS would become its children's) -----------------------
def run_child(
    args: argparse.Namespace, role: str, extra: list[str]
) -> tuple[dict[str, Any], float]:
    """Run this script as a child in `role`; (its result, its peak RSS in MiB)."""
    with tempfile.NamedTemporaryFile(suffix=".json", dir=args.var_dir) as result_file:
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--role",
            role,
            "--result-file",
            result_file.name,
            "--database-url",
            args.database_url,
            "--workspace",
            args.workspace,
            "--var-dir",
            args.var_dir,
            *(["--small"] if args.small else []),
            *(["--no-seed"] if args.no_seed or role != "prepare" else []),
            *extra,
        ]
        child = subprocess.Popen(command, cwd=ROOT)
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise SystemExit(f"the {role} process failed (exit {child.returncode})")
        return json.loads(Path(result_file.name).read_text()), usage.ru_maxrss / 1024


def measure(args: argparse.Namespace, prepared: dict[str, Any], fmt: str) -> list[Run]:
    ids = ["--campaign-id", str(prepared["campaign_id"]), "--user-id", str(prepared["user_id"])]
    runs = []
    for _ in range(RUNS):
        result, rss_mb = run_child(args, "export", [*ids, "--fmt", fmt])
        runs.append(Run(**result, rss_mb=rss_mb))
    return runs


def report(fmt: str, runs: list[Run]) -> bool:
    """Print the format's figures; whether it is within its budgets (and every file made)."""
    budget = BUDGETS[fmt]
    median = statistics.median(r.seconds for r in runs)
    rss = max(r.rss_mb for r in runs)
    failed = [r for r in runs if r.status != "done"]
    for r in failed:
        print(f"  {fmt}: export job {r.status}: {r.error}")
    times = ", ".join(f"{r.seconds:.2f}" for r in runs)
    limit = f"budget {budget:.0f} s" if budget is not None else "for information"
    print(
        f"{fmt.upper():<4} median {median:6.2f} s of {RUNS} ({times}) ({limit}), "
        f"file {statistics.median(r.size for r in runs) / 1024:,.0f} KiB, "
        f"worker peak RSS {rss:,.0f} MiB (budget {RSS_BUDGET_MB:,.0f} MiB)"
    )
    slow = budget is not None and median > budget
    return not failed and not slow and rss <= RSS_BUDGET_MB


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def run_bench(args: argparse.Namespace) -> int:
    print(f"load average (1/5/15 min) before: {load_average()} on {os.cpu_count()} CPUs")
    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"orchestrator peak RSS (the floor of each child's ru_maxrss): {floor:.0f} MiB")
    prepared, _rss = run_child(args, "prepare", [])
    print(
        f"full campaign export (all sections, model {MODEL}, all data), {RUNS} runs per format, "
        f"each in a fresh worker process:"
    )
    ok = [report(fmt, measure(args, prepared, fmt)) for fmt in BUDGETS]
    print(f"load average (1/5/15 min) after: {load_average()}")
    print("RESULT:", "within budget" if all(ok) else "over budget")
    return 0 if all(ok) else 1


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--small", action="store_true", help="seed the small demo instead")
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_EXPORTS_DATABASE_URL", DEFAULT_URL)
    )
    parser.add_argument("--workspace", default="Bench Exports")
    parser.add_argument("--no-seed", action="store_true", help="measure an existing workspace")
    # Between the orchestrator and its children.
    for name in ("--role", "--result-file", "--var-dir", "--fmt"):
        parser.add_argument(name, help=argparse.SUPPRESS)
    for name in ("--campaign-id", "--user-id"):
        parser.add_argument(name, type=int, help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args(argv)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.role:
        return child_main(args)
    own_database = not args.no_seed
    if own_database:
        try:
            recreate_database(args.database_url)
        except Exception as exc:  # no PostgreSQL: say so, and fail (the figures are for it)
            print(f"cannot create the bench database at {args.database_url}: {exc}")
            return 1
    with tempfile.TemporaryDirectory(prefix="bench-exports-") as var_dir:
        args.var_dir = var_dir
        try:
            return run_bench(args)
        finally:
            if own_database:
                recreate_database(args.database_url, drop_only=True)


if __name__ == "__main__":
    sys.exit(main())
