"""Benchmark of the attribution engine beside ChannelAttribution (GPL, used here only).

Run ``python bench/bench_engine.py`` (1M conversions, ~5M touches; 2-3 minutes on 2 cores)
or ``--small`` for a quick run (50k conversions). Prints the dataset size, the median of
several runs for each measurement (wall time, and this process's CPU time, which other load on
the machine distorts less), the speed ratios against ChannelAttribution and the peak extra
memory (tracemalloc, which sees numpy's buffers) of each engine call.

Fairness notes: ChannelAttribution gets its own input format, path strings ("a > b > c"),
built beforehand from the same eligible touches (building them is not timed). Its heuristic
models are timed both on one row per conversion and on distinct paths with counts; its Markov
model on distinct paths with counts (its usual input). The engine always starts from the raw
touch rows (DataFrames, one row per touch), sorted as a database query would return them, and
``allocate`` also produces per-conversion, per-touch output.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from attribution.engine import (
    RULE_BASED_MODELS,
    allocate,
    markov_channel_credit,
)

DAY_NS = 86_400 * 10**9
CHANNELS = [
    "google_ads",
    "facebook",
    "linkedin",
    "newsletter",
    "webinar",
    "seo",
    "direct",
    "referral",
    "events",
    "partners",
    "display",
    "retargeting",
]
KIND = "revenue"


@dataclass
class Data:
    touches: pd.DataFrame
    conversions: pd.DataFrame
    paths: pd.DataFrame
    """One row per attributed conversion: path string, conversions = 1."""
    distinct_paths: pd.DataFrame
    """Distinct paths with their conversion counts."""


def generate(n_conversions: int, seed: int) -> Data:
    """Touches in database order (conversion, at, touch_id); ~2% fall after the conversion."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, 10, n_conversions)  # 1..9 touches, ~5 on average
    n = int(lengths.sum())
    conversion_of = np.repeat(np.arange(n_conversions, dtype=np.int64), lengths)
    closed = pd.Timestamp("2024-01-01", tz="UTC").value + rng.integers(
        0, 365 * DAY_NS, n_conversions
    )
    lead = closed - rng.integers(0, 60 * DAY_NS, n_conversions)
    deal = lead + ((closed - lead) * rng.random(n_conversions)).astype(np.int64)
    at = closed[conversion_of] - rng.integers(-2 * DAY_NS, 90 * DAY_NS, n)
    order = np.lexsort((at, conversion_of))
    at = at[order]
    probabilities = np.linspace(2.0, 0.5, len(CHANNELS))
    channel = rng.choice(len(CHANNELS), n, p=probabilities / probabilities.sum())
    touches = pd.DataFrame(
        {
            "conversion_id": conversion_of,
            "touch_id": np.arange(n, dtype=np.int64),
            "at": pd.to_datetime(at, utc=True),
            "channel": pd.Categorical.from_codes(cast(Any, channel), pd.Index(CHANNELS)),
        }
    )
    conversions = pd.DataFrame(
        {
            "conversion_id": np.arange(n_conversions, dtype=np.int64),
            "lead_created_at": pd.to_datetime(lead, utc=True),
            "deal_created_at": pd.to_datetime(deal, utc=True),
            "closed_at": pd.to_datetime(closed, utc=True),
            "value": rng.integers(100, 10_000, n_conversions).astype(np.float64),
        }
    )
    paths = _path_strings(conversion_of, at, channel, closed)
    distinct = paths.groupby("path", sort=False)["conversions"].sum().reset_index()
    return Data(touches, conversions, paths, distinct)


def _path_strings(
    conversion_of: np.ndarray, at: np.ndarray, channel: np.ndarray, closed: np.ndarray
) -> pd.DataFrame:
    """Eligible touches (at <= closed_at) of each conversion as "a > b > c" strings."""
    eligible = at <= closed[conversion_of]
    conversion_of, channel = conversion_of[eligible], channel[eligible]
    starts = np.flatnonzero(np.r_[True, conversion_of[1:] != conversion_of[:-1]])
    lengths = np.diff(np.r_[starts, len(conversion_of)])
    names = np.array(CHANNELS, dtype=object)
    texts = np.empty(len(starts), dtype=object)
    for length in np.unique(lengths):
        chosen = np.flatnonzero(lengths == length)
        matrix = names[channel[starts[chosen][:, None] + np.arange(length)]]
        texts[chosen] = [" > ".join(row) for row in matrix.tolist()]
    return pd.DataFrame({"path": texts, "conversions": 1.0})


@dataclass(frozen=True)
class Timing:
    """Medians of wall time and of this process's CPU time (less sensitive to other load)."""

    wall: float
    cpu: float

    def __add__(self, other: Timing) -> Timing:
        return Timing(self.wall + other.wall, self.cpu + other.cpu)

    def __truediv__(self, other: Timing) -> Timing:
        return Timing(self.wall / other.wall, self.cpu / other.cpu)


def median_timing(function: Callable[[], Any], repeats: int) -> Timing:
    """Median wall and CPU time of ``repeats`` calls (results dropped between calls)."""
    walls, cpus = [], []
    for _ in range(repeats):
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        del result
    return Timing(statistics.median(walls), statistics.median(cpus))


def peak_extra_bytes(function: Callable[[], Any]) -> int:
    """Peak memory allocated during one call above what was allocated before it."""
    gc.collect()
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    result = function()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return peak - before


def quiet(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """ChannelAttribution prints a banner and progress; keep the report readable."""
    with contextlib.redirect_stdout(io.StringIO()):
        return function(*args, **kwargs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="50k conversions instead of 1M")
    parser.add_argument("--conversions", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=5, help="runs per engine measurement")
    parser.add_argument("--ca-repeats", type=int, default=3, help="runs per ChannelAttribution")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    n_conversions = args.conversions or (50_000 if args.small else 1_000_000)

    with contextlib.redirect_stdout(io.StringIO()):  # it prints a banner on import
        import ChannelAttribution as ca  # GPL: benchmark and tests only

    started = time.perf_counter()
    data = generate(n_conversions, args.seed)
    touches, conversions = data.touches, data.conversions
    print(
        f"dataset: {len(conversions):,} conversions, {len(touches):,} touches, "
        f"{len(CHANNELS)} channels, kind={KIND}; "
        f"{len(data.paths):,} attributed paths, {len(data.distinct_paths):,} distinct "
        f"(generated in {time.perf_counter() - started:.1f} s)"
    )
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
    print(
        f"runs: engine median of {args.repeats}, ChannelAttribution median of {args.ca_repeats}\n"
    )

    def run(model: str, frame: pd.DataFrame = touches) -> Callable[[], pd.DataFrame]:
        return lambda: allocate(frame, conversions, model=model, kind=KIND)

    # Warm-up: compiles the numba kernels (cached on disk afterwards) and touches the memory.
    warm = time.perf_counter()
    for model in (*RULE_BASED_MODELS, "markov"):
        run(model)()
    print(f"warm-up (JIT compile or cache load + first runs): {time.perf_counter() - warm:.1f} s")

    medians: dict[str, Timing] = {}
    for model in RULE_BASED_MODELS:
        medians[model] = median_timing(run(model), args.repeats)
    medians["markov channel-level"] = median_timing(
        lambda: markov_channel_credit(touches, conversions, kind=KIND), args.repeats
    )
    medians["markov allocate"] = median_timing(run("markov"), args.repeats)
    medians["shapley allocate"] = median_timing(run("shapley"), args.repeats)
    shuffled = touches.sample(frac=1.0, random_state=1)
    medians["linear, shuffled touches"] = median_timing(run("linear", shuffled), args.repeats)
    del shuffled

    theirs = {
        "heuristic_models, 1 row/conversion": median_timing(
            lambda: quiet(ca.heuristic_models, data.paths, "path", "conversions", flg_pro=False),
            args.ca_repeats,
        ),
        "heuristic_models, distinct paths": median_timing(
            lambda: quiet(
                ca.heuristic_models, data.distinct_paths, "path", "conversions", flg_pro=False
            ),
            args.ca_repeats,
        ),
        "markov_model order 1, distinct": median_timing(
            lambda: quiet(
                ca.markov_model,
                data.distinct_paths,
                "path",
                "conversions",
                flg_pro=False,
                verbose=False,
            ),
            args.ca_repeats,
        ),
    }

    heuristic = medians["first_interaction"] + medians["last_interaction"] + medians["linear"]
    nine = medians["first_interaction"]
    for model in RULE_BASED_MODELS[1:]:
        nine = nine + medians[model]
    print("\nengine medians (allocate from raw touch rows, per-touch output):")
    print(f"  {'':34s} {'wall':>9s} {'cpu':>9s}")
    for name, timing in [
        *medians.items(),
        ("first + last + linear", heuristic),
        ("nine rule-based, one by one", nine),
    ]:
        print(f"  {name:34s} {timing.wall * 1000:6.1f} ms {timing.cpu * 1000:6.1f} ms")
    print("\nChannelAttribution medians:")
    for name, timing in theirs.items():
        print(f"  {name:34s} {timing.wall * 1000:6.1f} ms {timing.cpu * 1000:6.1f} ms")

    print("\nratios (ChannelAttribution time / engine time; higher is faster):")
    print(f"  {'':58s} {'wall':>6s} {'cpu':>6s}")
    ratios = {
        "first+last+linear vs heuristic_models (1 row/conversion)": theirs[
            "heuristic_models, 1 row/conversion"
        ]
        / heuristic,
        "first+last+linear vs heuristic_models (distinct paths)": theirs[
            "heuristic_models, distinct paths"
        ]
        / heuristic,
        "markov channel-level vs markov_model": theirs["markov_model order 1, distinct"]
        / medians["markov channel-level"],
        "markov allocate (per touch) vs markov_model": theirs["markov_model order 1, distinct"]
        / medians["markov allocate"],
    }
    for name, ratio in ratios.items():
        print(f"  {name:58s} {ratio.wall:5.1f}x {ratio.cpu:5.1f}x")

    print("\npeak extra memory of one call (tracemalloc):")
    peaks = {
        "allocate linear": peak_extra_bytes(run("linear")),
        "allocate full_path": peak_extra_bytes(run("full_path")),
        "allocate time_decay": peak_extra_bytes(run("time_decay")),
        "allocate markov": peak_extra_bytes(run("markov")),
        "allocate shapley": peak_extra_bytes(run("shapley")),
        "markov channel-level": peak_extra_bytes(
            lambda: markov_channel_credit(touches, conversions, kind=KIND)
        ),
    }
    for name, size in peaks.items():
        print(f"  {name:28s} {size / 2**20:9.1f} MiB")

    _check_against_channelattribution(ca, data)

    print("\ntargets (wall time / CPU time of this process):")
    heuristic_ratio = ratios["first+last+linear vs heuristic_models (1 row/conversion)"]
    markov_ratio = ratios["markov channel-level vs markov_model"]
    checks = [
        (
            "first+last+linear >= 3x heuristic_models (1 row/conversion)",
            heuristic_ratio.wall >= 3,
            heuristic_ratio.cpu >= 3,
        ),
        ("nine rule-based models together <= 1 s", nine.wall <= 1.0, nine.cpu <= 1.0),
        (
            "markov order 1 >= 5x markov_model (channel level)",
            markov_ratio.wall >= 5,
            markov_ratio.cpu >= 5,
        ),
    ]
    memory_ok = max(peaks.values()) <= 2**30
    for name, wall_ok, cpu_ok in checks:
        verdict = f"{'PASS' if wall_ok else 'FAIL'} / {'PASS' if cpu_ok else 'FAIL'}"
        print(f"  [{verdict}] {name}")
    print(f"  [{'PASS' if memory_ok else 'FAIL'}] peak extra memory <= 1 GiB")
    print(
        f"\ntotal bench time {time.perf_counter() - started:.0f} s, "
        f"load average {os.getloadavg()[0]:.1f} at the end"
    )


def _check_against_channelattribution(ca: Any, data: Data) -> None:
    """The engine's first/last/linear channel totals equal heuristic_models' on this data."""
    theirs = quiet(ca.heuristic_models, data.paths, "path", "conversions", flg_pro=False)
    theirs = theirs.set_index("channel_name")
    channel = data.touches.set_index(["conversion_id", "touch_id"])["channel"]
    worst = 0.0
    for model, column in [
        ("first_interaction", "first_touch"),
        ("last_interaction", "last_touch"),
        ("linear", "linear_touch"),
    ]:
        credits = allocate(data.touches, data.conversions, model=model, kind=KIND)
        credits = credits[credits["touch_id"] >= 0]
        keys = pd.MultiIndex.from_arrays([credits["conversion_id"], credits["touch_id"]])
        ours = credits["credit"].groupby(channel.reindex(keys).to_numpy(), observed=True).sum()
        worst = max(worst, float((ours - theirs[column].reindex(ours.index)).abs().max()))
    print(
        f"\ncross-check: first/last/linear channel totals vs heuristic_models, "
        f"max abs difference {worst:.2e} conversions"
    )


if __name__ == "__main__":
    main()
