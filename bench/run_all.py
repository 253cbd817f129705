#!/usr/bin/env python
"""Run every bench/bench_*.py script, one after the other, each in its own process.

Each script is standalone: it builds its own data, prints its own figures and exits non-zero
when something is wrong. This runner passes `--small` through, times each script and ends with
a summary table; it exits non-zero when any script failed.

    python bench/run_all.py                 # every benchmark, full size
    python bench/run_all.py --small         # every benchmark, small inputs (a quick check)
    python bench/run_all.py --only engine   # bench/bench_engine.py only (repeatable)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


@dataclass(frozen=True)
class Outcome:
    name: str
    seconds: float
    returncode: int


def discover(directory: Path = BENCH_DIR) -> dict[str, Path]:
    """Benchmark name (`engine` for bench_engine.py) → script path, sorted by name."""
    return {p.stem.removeprefix("bench_"): p for p in sorted(directory.glob("bench_*.py"))}


def select(available: dict[str, Path], only: list[str]) -> list[tuple[str, Path]]:
    if not only:
        return list(available.items())
    unknown = [name for name in only if name not in available]
    if unknown:
        known = ", ".join(available) or "none"
        raise SystemExit(f"unknown benchmark(s): {', '.join(unknown)} (available: {known})")
    return [(name, available[name]) for name in only]


def run(name: str, script: Path, small: bool, extra: list[str]) -> Outcome:
    command = [sys.executable, str(script), *(["--small"] if small else []), *extra]
    print(f"\n=== {name}: {' '.join(command[1:])} ===", flush=True)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    started = time.perf_counter()
    returncode = subprocess.run(command, cwd=ROOT, env=env, check=False).returncode
    return Outcome(name, time.perf_counter() - started, returncode)


def summary(outcomes: list[Outcome]) -> str:
    width = max([len(o.name) for o in outcomes] + [9])
    lines = [f"{'benchmark':<{width}}  {'seconds':>8}  result"]
    for o in outcomes:
        result = "ok" if o.returncode == 0 else f"FAILED (exit {o.returncode})"
        lines.append(f"{o.name:<{width}}  {o.seconds:>8.1f}  {result}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="NAME",
        help="run only bench_NAME.py (repeatable)",
    )
    parser.add_argument(
        "--small", action="store_true", help="small inputs: a quick check that every benchmark runs"
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args, extra = parser.parse_known_args(argv)
    available = discover()
    if args.list:
        print("\n".join(available) or "no benchmarks (bench/bench_*.py)")
        return 0
    chosen = select(available, args.only)
    if not chosen:
        print("no benchmarks found (bench/bench_*.py)")
        return 0
    outcomes = [run(name, script, args.small, extra) for name, script in chosen]
    print("\n" + summary(outcomes))
    return 0 if all(o.returncode == 0 for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
