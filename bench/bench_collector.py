#!/usr/bin/env python
"""The collector under load: gunicorn + PostgreSQL (+ Redis) on loopback, valid page views at a
steady rate, every 202 counted by the client and found as a stored row.

Creates its own database (dropped at the end), migrates it, makes one workspace, starts gunicorn
(config.wsgi, whose collector path skips the middleware it does not need; sync workers, as the
Dockerfile runs them) on 127.0.0.1 and drives it with an asyncio client over HTTP/1.1
connections (reopened when the server closes them, as sync workers do) that sends events on
a fixed schedule (each connection has one request in flight; when the server falls behind,
the client's lag behind the schedule is reported). Prints the throughput (202s answered per
second of the measured window), latency percentiles, the CPU time gunicorn, the client,
PostgreSQL and Redis spent per event, the client's 202 count against the rows in the database
and the machine's load. Exits 1 when the rows and the 202s differ, when anything but
202 came back, or when the budget (1,000 events/s with p99 <= 50 ms) is missed.

Client and server share the machine (2 cores in CI) with PostgreSQL and Redis: the figures are
for all of them together, and for whatever else runs on the machine meanwhile.

    python bench/bench_collector.py                 # 60 s at 1,200 events/s
    python bench/bench_collector.py --seconds 15    # a shorter run
    python bench/bench_collector.py --small         # 10 s, a quick check
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.support import recreate_database  # noqa: E402

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/touchpoint_bench_collector"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
SITE = "bench.example.com"
BUDGET_EVENTS_PER_SECOND = 1000.0
BUDGET_P99_MS = 50.0
WARMUP_SECONDS = 3.0
POSTGRES, REDIS = ("postgres",), ("redis-server",)
PAGES = ["/", "/pricing", "/features", "/blog/attribution", "/contact", "/landing/spring"]
REFERRERS = ["", "https://www.google.com/", "https://www.linkedin.com/", f"https://{SITE}/"]


# --- Setup ----------------------------------------------------------------------------------------


def redis_answers(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except Exception:
        return False


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def server_env(args: argparse.Namespace, var_dir: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "development",
        "DJANGO_DEBUG": "0",
        "DATABASE_URL": args.database_url,
        "TOUCHPOINT_VAR_DIR": var_dir,
        "LOG_LEVEL": "WARNING",
        # One client IP sends everything: lift the per-IP limits for the run.
        "TRACKING_RATE_LIMIT_PER_IP": str(10**9),
        "TRACKING_RATE_LIMIT_PER_KEY_IP": str(10**9),
        "CACHE_KEY_PREFIX": "tp-bench",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
        # Queued processing tasks wait in the broker: no worker runs during the bench.
        env["CELERY_TASK_ALWAYS_EAGER"] = "0"
    return env


def prepare(args: argparse.Namespace, var_dir: str) -> str:
    """Migrate the bench database and make the workspace; returns its public key."""
    os.environ.update(server_env(args, var_dir))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from workspaces.models import Workspace

    call_command("migrate", verbosity=0)
    workspace = Workspace.objects.create(name="Bench", slug="bench", allowed_domains=[SITE])
    connections.close_all()
    return workspace.public_key


def stored_rows() -> int:
    from django.db import connections

    from tracking.models import CollectedEvent

    connections.close_all()
    return int(CollectedEvent.objects.unscoped().filter(workspace__slug="bench").count())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(args: argparse.Namespace, port: int, var_dir: str) -> subprocess.Popen[bytes]:
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        args.app,
        f"--bind=127.0.0.1:{port}",
        f"--workers={args.workers}",
        f"--worker-class={args.worker_class}",
        *(
            [f"--threads={args.threads}", "--keep-alive=30"]
            if args.worker_class == "gthread"
            else []
        ),
        "--backlog=2048",
        "--log-level=warning",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=server_env(args, var_dir))


def wait_until_up(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /t.js HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                if s.recv(12).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer on 127.0.0.1:{port} within {timeout:.0f} s")


def proc_stat(path: Path) -> tuple[str, list[str]] | None:
    """A /proc/<pid>/stat's command name and the fields after it (None once it ended)."""
    try:
        text = path.read_text()
    except OSError:
        return None
    return text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 1 :].split()


def process_cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes used so far (Linux /proc)."""
    stats = [proc_stat(Path(f"/proc/{pid}/stat")) for pid in pids]
    total = sum(int(f[11]) + int(f[12]) for _name, f in filter(None, stats))  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def named_cpu_ticks(names: tuple[str, ...]) -> dict[int, int]:
    """CPU ticks (user + system) of every running process with one of these names, by pid."""
    found: dict[int, int] = {}
    for path in Path("/proc").glob("[0-9]*/stat"):
        stat = proc_stat(path)
        if stat is not None and stat[0] in names:
            # utime + stime, and cutime + cstime: a PostgreSQL backend that ends during the run
            # (Django reconnects after CONN_MAX_AGE) leaves its time to the postmaster.
            found[int(path.parent.name)] = sum(int(v) for v in stat[1][11:15])
    return found


def cpu_seconds_since(names: tuple[str, ...], before: dict[int, int]) -> float:
    """CPU seconds these processes (and their ended children) used since `before`."""
    now = named_cpu_ticks(names)
    ticks = sum(used - before.get(pid, 0) for pid, used in now.items())
    return ticks / os.sysconf("SC_CLK_TCK")


def server_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    found = [int(p) for p in children.read_text().split()] if children.exists() else []
    return [master, *found]


# --- The load client ------------------------------------------------------------------------------
@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # seconds, measured window only
    lags: list[float] = field(default_factory=list)  # seconds a request went out late
    measured: int = 0  # 202s answered in the measured window
    accepted: int = 0  # every 202, warm-up included
    other: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    server_cpu: float = 0.0  # CPU seconds of gunicorn's processes during the run
    client_cpu: float = 0.0
    postgres_cpu: float = 0.0  # every local PostgreSQL process
    redis_cpu: float = 0.0


class Connection:
    """One keep-alive HTTP/1.1 connection to the collector."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def post(self, request: bytes) -> int:
        if self.writer is None:
            await self.open()
        assert self.reader is not None and self.writer is not None
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {
            k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:] if h)
        }
        await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status


def build_request(key: str, port: int, rng: random.Random) -> bytes:
    now = int(time.time() * 1000)
    body = json.dumps(
        {
            "key": key,
            "event_id": str(uuid.uuid4()),
            "type": "page_view",
            "visitor_id": f"bench-visitor-{rng.randrange(20_000):05d}",
            "url": f"https://{SITE}{rng.choice(PAGES)}?utm_campaign=bench",
            "referrer": rng.choice(REFERRERS),
            "title": "Touchpoint bench page",
            "ts": now - rng.randrange(50),
            "sent_at": now,
        }
    ).encode()
    head = (
        f"POST /collect/event HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: text/plain;charset=UTF-8\r\nOrigin: https://{SITE}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def drive(
    connection: Connection,
    *,
    key: str,
    port: int,
    interval: float,
    offset: float,
    measure_from: float,
    stop_at: float,
    tally: Tally,
    seed: int,
) -> None:
    loop = asyncio.get_running_loop()
    rng = random.Random(seed)
    due = loop.time() + offset
    while loop.time() < stop_at:
        if interval == 0:
            due = loop.time()  # closed loop: never behind a plan
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        request = build_request(key, port, rng)
        lag = max(0.0, loop.time() - due)
        started = time.perf_counter()
        try:
            status = await asyncio.wait_for(connection.post(request), timeout=10)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            tally.errors += 1
            await connection.close()
            due += interval
            continue
        elapsed = time.perf_counter() - started
        if status == 202:
            tally.accepted += 1
            if measure_from <= loop.time() < stop_at:
                tally.measured += 1
                tally.latencies.append(elapsed)
                tally.lags.append(lag)
        else:
            tally.other[status] = tally.other.get(status, 0) + 1
        due += interval


async def run_load(args: argparse.Namespace, key: str, port: int, seconds: float) -> Tally:
    loop = asyncio.get_running_loop()
    tally = Tally()
    connections = [Connection(port) for _ in range(args.connections)]
    await asyncio.gather(*(c.open() for c in connections))
    # --rate 0: closed loop, each connection sends its next event as soon as one is answered.
    interval = args.connections / args.rate if args.rate > 0 else 0.0
    start = loop.time()
    measure_from, stop_at = start + WARMUP_SECONDS, start + WARMUP_SECONDS + seconds
    await asyncio.gather(
        *(
            drive(
                c,
                key=key,
                port=port,
                interval=interval,
                offset=i * interval / len(connections),
                measure_from=measure_from,
                stop_at=stop_at,
                tally=tally,
                seed=i,
            )
            for i, c in enumerate(connections)
        )
    )
    await asyncio.gather(*(c.close() for c in connections))
    return tally


# --- Report ---------------------------------------------------------------------------------------
def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def report(args: argparse.Namespace, seconds: float, tally: Tally, rows: int, load: Any) -> bool:
    throughput = tally.measured / seconds
    ms = [v * 1000 for v in tally.latencies]
    p50, p95, p99 = (percentile(ms, p) for p in (50, 95, 99))
    target = f"a target of {args.rate:,.0f} events/s" if args.rate > 0 else "full speed"
    print(f"collector bench: {seconds:.0f} s at {target}")
    print(
        f"  server: gunicorn {args.app}, {args.worker_class}, {args.workers} workers"
        f"{f' x {args.threads} threads' if args.worker_class == 'gthread' else ''}; "
        f"PostgreSQL; {'Redis cache/broker' if args.redis_url else 'locmem cache (no Redis)'}"
    )
    reuse = (
        "keep-alive" if args.worker_class == "gthread" else "closed by the server after each answer"
    )
    print(f"  client: asyncio, {args.connections} connections ({reuse}), 127.0.0.1")
    print(f"  accepted (202) events/s: {throughput:,.0f}  (measured window: {tally.measured:,})")
    if ms:
        print(
            f"  latency ms: p50 {p50:.1f}  p95 {p95:.1f}  p99 {p99:.1f}  max {max(ms):.1f}  "
            f"mean {statistics.fmean(ms):.1f}"
        )
    lag_ms = [v * 1000 for v in tally.lags]
    if lag_ms:
        print(
            f"  client lag (sent after the planned time) ms: p50 {percentile(lag_ms, 50):.1f}  "
            f"p99 {percentile(lag_ms, 99):.1f}"
        )
    if tally.accepted:
        print(
            f"  CPU per accepted event: gunicorn "
            f"{tally.server_cpu / tally.accepted * 1000:.2f} ms, "
            f"client {tally.client_cpu / tally.accepted * 1000:.2f} ms, "
            f"PostgreSQL {tally.postgres_cpu / tally.accepted * 1000:.2f} ms, "
            f"Redis {tally.redis_cpu / tally.accepted * 1000:.2f} ms"
        )
    print(f"  client counted 202s: {tally.accepted:,}   rows in the database: {rows:,}")
    print(f"  other answers: {tally.other or 'none'}   connection errors: {tally.errors}")
    print(
        f"  machine: {os.cpu_count()} CPUs; load average (1/5/15 min) before "
        f"{load[0][0]:.2f}/{load[0][1]:.2f}/{load[0][2]:.2f}, after "
        f"{load[1][0]:.2f}/{load[1][1]:.2f}/{load[1][2]:.2f}"
    )
    problems = []
    if rows != tally.accepted:
        problems.append(f"{tally.accepted - rows} accepted events are missing from the database")
    if tally.other or tally.errors:
        problems.append("some requests were not answered 202")
    if throughput < BUDGET_EVENTS_PER_SECOND:
        problems.append(
            f"throughput {throughput:,.0f}/s is under {BUDGET_EVENTS_PER_SECOND:,.0f}/s"
        )
    if not p99 <= BUDGET_P99_MS:
        problems.append(f"p99 {p99:.1f} ms is over {BUDGET_P99_MS:.0f} ms")
    for problem in problems:
        print(f"  FAIL: {problem}")
    if not problems:
        print("  ok: every 202 is a stored row; budget met")
    return not problems


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="measured seconds (60)")
    parser.add_argument("--small", action="store_true", help="a 10-second run")
    parser.add_argument(
        "--rate", type=float, default=1200.0, help="events per second to send (0: full speed)"
    )
    parser.add_argument("--connections", type=int, default=12)
    parser.add_argument(
        "--app",
        default="config.wsgi:application",
        help="the WSGI app (config.wsgi:django_application: the full stack, to compare)",
    )
    # 4 sync workers on 2 cores: while one waits for PostgreSQL's commit another has the CPU,
    # and no thread in a worker waits for the GIL (gthread 2 x 4 spent 3x the CPU per event on
    # GIL hand-offs; see the README).
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (gthread)")
    parser.add_argument(
        "--worker-class",
        default="sync",
        choices=["sync", "gthread"],
        help="gunicorn worker class (sync, the Dockerfile's, closes the connection after each "
        "answer; gthread keeps it alive)",
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument(
        "--redis-url",
        default=DEFAULT_REDIS_URL,
        help="a Redis database the bench may flush ('' to run without Redis)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        print(f"(ignoring options meant for other benchmarks: {' '.join(unknown)})")
    if args.small:
        args.seconds = min(args.seconds, 10.0)
    if args.redis_url and not redis_answers(args.redis_url):
        print(f"Redis at {args.redis_url} does not answer: running with per-process caches")
        args.redis_url = ""
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    var_dir = tempfile.mkdtemp(prefix="tp-bench-collector-")
    recreate_database(args.database_url)
    if args.redis_url:
        flush_redis(args.redis_url)
    server: subprocess.Popen[bytes] | None = None
    prepared = False
    try:
        key = prepare(args, var_dir)
        prepared = True
        port = free_port()
        server = start_server(args, port, var_dir)
        wait_until_up(port)
        before = os.getloadavg()
        pids = server_pids(server.pid)
        server_cpu, client_cpu = process_cpu_seconds(pids), time.process_time()
        postgres, redis_server = named_cpu_ticks(POSTGRES), named_cpu_ticks(REDIS)
        tally = asyncio.run(run_load(args, key, port, args.seconds))
        tally.server_cpu = process_cpu_seconds(pids) - server_cpu
        tally.client_cpu = time.process_time() - client_cpu
        tally.postgres_cpu = cpu_seconds_since(POSTGRES, postgres)
        tally.redis_cpu = cpu_seconds_since(REDIS, redis_server)
        after = os.getloadavg()
        rows = stored_rows()
        return 0 if report(args, args.seconds, tally, rows, (before, after)) else 1
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
        if prepared:
            from django.db import connections

            connections.close_all()
        if not args.keep:
            recreate_database(args.database_url, drop_only=True)
        if args.redis_url:
            flush_redis(args.redis_url)


if __name__ == "__main__":
    sys.exit(main())
