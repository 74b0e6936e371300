"""Shared reference profiles: the drift workbook's comparisons with and without them.

One reference sample (default 1,000,000 rows, 30 numeric and 3 categorical columns) against a current
sample cut into 12 monthly windows, as the drift workbook compares them: the drift table over the pooled
current sample, then the PSI of every column in every window. Timed three ways:

- raw: against the reference frame itself (each comparison prepares the reference again);
- profile, cold store: profiles built once (sorted and counted) and written to the store, then reused;
- profile, warm store: a later model on the same reference data, profiles loaded from the store.

The three must give identical numbers (checked).

    python benchmarks/bench_profiles.py [--rows 1000000] [--windows 12]
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from mrmkit.evidence.profiles import ProfileStore
from mrmkit.stats import drift_table, psi


def frames(rows: int, windows: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)

    def sample(n: int, shift: float) -> pd.DataFrame:
        data = {f"x{i:02d}": rng.normal(shift * (i % 3), 1 + i / 10, n) for i in range(30)}
        data["x00"][rng.random(n) < 0.05] = np.nan
        for j, k in enumerate((4, 8, 16)):
            data[f"c{j}"] = rng.integers(0, k, n).astype(str)
        return pd.DataFrame(data)

    current = sample(rows // 2, 0.05)
    current["month"] = np.repeat(np.arange(windows), -(-len(current) // windows))[: len(current)]
    return sample(rows, 0.0), current


def workbook_comparisons(reference, current: pd.DataFrame, columns: list[str], cats: list[str]) -> list:
    """The drift table on the pooled sample and the PSI of each column in each window."""
    out = [drift_table(reference, current[columns], categorical=cats).to_dict()]
    for _, window in current.groupby("month", sort=True):
        out.append([psi(reference[c], window[c], categorical=c in cats).value for c in columns])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--windows", type=int, default=12)
    args = parser.parse_args()
    print(f"machine: {platform.platform()}; {os.cpu_count()} cores; Python {platform.python_version()}")
    reference, current = frames(args.rows, args.windows)
    columns = [c for c in reference.columns]
    cats = ["c0", "c1", "c2"]
    print(
        f"reference {len(reference):,} rows x {len(columns)} columns; current {len(current):,} rows in "
        f"{args.windows} windows"
    )

    t = time.perf_counter()
    raw = workbook_comparisons(reference, current, columns, cats)
    t_raw = time.perf_counter() - t
    print(f"raw reference:          {t_raw:6.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        timings = {}
        for label in ("cold", "warm"):
            t = time.perf_counter()
            store = ProfileStore(Path(tmp))
            profile = store.frame(reference, columns, cats)
            t_profile = time.perf_counter() - t
            result = workbook_comparisons(profile, current, columns, cats)
            timings[label] = time.perf_counter() - t
            assert result == raw, "profiles changed a number"
            print(
                f"profile, {label} store:   {timings[label]:6.2f} s  (of which profiles {t_profile:.2f} s; "
                f"{store.counts})"
            )
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file())
    print(f"identical numbers: yes; store size {size / 2**20:,.0f} MB")
    print(f"speed-up: cold {t_raw / timings['cold']:.2f}x, warm {t_raw / timings['warm']:.2f}x")


if __name__ == "__main__":
    main()
