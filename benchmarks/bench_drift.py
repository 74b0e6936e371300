"""Benchmark: mrmkit.stats.drift_table against a plain vectorised numpy/scipy baseline.

    python benchmarks/bench_drift.py [--rows 1000000] [--seed 20261123] [--n-jobs N]

Builds two seeded frames (40 numeric columns: normal and heavy-tailed lognormal, some with missing
values, several shifted; 10 categorical columns, some with missing values and unseen categories),
times ``drift_table`` and a baseline that computes the same statistics in the simplest
straightforward vectorised way (PSI and JS on reference deciles, KS with p-value, Wasserstein for
numeric columns; PSI, JS and chi-square for categorical ones; one pass per column), checks that both
give the same numbers, and reports the time ratio and the peak resident memory of each call relative
to the two frames' in-memory size. Peak memory is read from the kernel (VmHWM after resetting it
through /proc/self/clear_refs), so it includes numpy and pyarrow allocations alike.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import scipy
from scipy import stats
from scipy.spatial.distance import jensenshannon

from mrmkit.stats import drift_table

MB = 1024 * 1024


# ------------------------------------------------------------------------------------ the data
def make_frames(rows: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    rng = np.random.default_rng(seed)
    labels = np.array([f"cat_{i:02d}" for i in range(40)], dtype=object)

    def frame(shifted: bool) -> dict[str, np.ndarray]:
        cols: dict[str, np.ndarray] = {}
        for j in range(40):
            shift = 0.05 * (j % 5) if shifted else 0.0
            if j % 2 == 0:
                x = rng.normal(shift, 1.0 + shift, rows)
            else:  # heavy-tailed
                x = rng.lognormal(shift, 1.5, rows)
            if j % 4 == 1:
                x[rng.random(rows) < 0.05 + (0.02 if shifted else 0.0)] = np.nan
            cols[f"num_{j:02d}"] = x
        for j in range(10):
            k = 5 + 3 * j
            p = rng.dirichlet(np.ones(k + 1))
            if not shifted:
                p[-1] = 0.0  # the last category is unseen in the reference
            p /= p.sum()
            codes = rng.choice(k + 1, size=rows, p=p)
            values = labels[codes].copy()
            if j % 3 == 0:
                values[rng.random(rows) < 0.03] = None
            cols[f"cat_{j:02d}"] = values
        return cols

    ref, cur = pd.DataFrame(frame(False)), pd.DataFrame(frame(True))
    return ref, cur, [f"cat_{j:02d}" for j in range(10)]


# -------------------------------------------------------------------------------- the baseline
def baseline_numeric(ref: np.ndarray, cur: np.ndarray, bins: int = 10) -> dict[str, float]:
    rmiss, cmiss = np.isnan(ref), np.isnan(cur)
    a, b = np.sort(ref[~rmiss]), np.sort(cur[~cmiss])
    edges = np.unique(np.quantile(a, np.linspace(0, 1, bins + 1)[1:-1]))
    rc = np.diff(np.r_[0, np.searchsorted(a, edges, "right"), a.size])
    cc = np.diff(np.r_[0, np.searchsorted(b, edges, "right"), b.size])
    if rmiss.any() or cmiss.any():
        rc, cc = np.r_[rc, rmiss.sum()], np.r_[cc, cmiss.sum()]
    p, q = rc / ref.size, cc / cur.size
    pe, qe = np.where(p == 0, 1e-4, p), np.where(q == 0, 1e-4, q)
    merged = np.concatenate([a, b])
    merged.sort(kind="stable")  # two sorted runs: a linear merge
    fa = np.searchsorted(a, merged, "right") / a.size
    fb = np.searchsorted(b, merged, "right") / b.size
    d = float(np.max(np.abs(fa - fb)))
    en = a.size * b.size / (a.size + b.size)
    return {
        "psi": float(np.sum((qe - pe) * np.log(qe / pe))),
        "js": float(jensenshannon(p, q)),
        "ks": d,
        "ks_p": float(stats.kstwo.sf(d, np.round(en))),
        "w": float(np.sum(np.abs(fa[:-1] - fb[:-1]) * np.diff(merged))),
    }


def baseline_categorical(ref: pd.Series, cur: pd.Series) -> dict[str, float]:
    codes, uniques = pd.factorize(pd.concat([ref, cur], ignore_index=True))
    codes = np.where(codes < 0, len(uniques), codes)  # missing as its own category
    k = len(uniques) + 1
    rc = np.bincount(codes[: len(ref)], minlength=k)
    cc = np.bincount(codes[len(ref) :], minlength=k)
    keep = (rc + cc) > 0
    rc, cc = rc[keep], cc[keep]
    p, q = rc / len(ref), cc / len(cur)
    pe, qe = np.where(p == 0, 1e-4, p), np.where(q == 0, 1e-4, q)
    chi2 = stats.chi2_contingency(np.vstack([rc, cc]), correction=False)
    return {
        "psi": float(np.sum((qe - pe) * np.log(qe / pe))),
        "js": float(jensenshannon(p, q)),
        "chi2": float(chi2.statistic),
        "chi2_p": float(chi2.pvalue),
    }


def baseline(ref: pd.DataFrame, cur: pd.DataFrame, categorical: list[str], n_jobs: int) -> dict[str, dict]:
    def one(col: str) -> dict[str, float]:
        if col in categorical:
            return baseline_categorical(ref[col], cur[col])
        return baseline_numeric(ref[col].to_numpy(), cur[col].to_numpy())

    cols = list(ref.columns)
    if n_jobs == 1:
        return dict(zip(cols, map(one, cols), strict=True))
    with ThreadPoolExecutor(n_jobs) as pool:
        return dict(zip(cols, pool.map(one, cols), strict=True))


# ------------------------------------------------------------------------------------- measuring
def _status_kb(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class PeakRSS:
    """Peak resident memory during a block: the kernel's VmHWM after a reset, else 2 ms polling."""

    def __enter__(self) -> PeakRSS:
        self.before = (_status_kb("VmRSS") or 0) * 1024
        try:
            Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
            self.kernel = True
        except OSError:
            self.kernel = False
            self._stop, self._peak = threading.Event(), self.before
            self._thread = threading.Thread(target=self._poll, daemon=True)
            self._thread.start()
        return self

    def _poll(self) -> None:
        while not self._stop.wait(0.002):
            self._peak = max(self._peak, (_status_kb("VmRSS") or 0) * 1024)

    def __exit__(self, *exc: object) -> None:
        if self.kernel:
            self.peak = (_status_kb("VmHWM") or 0) * 1024
        else:
            self._stop.set()
            self._thread.join()
            self.peak = self._peak


def timed(func, *args, **kwargs):
    with PeakRSS() as mem:
        start = time.perf_counter()
        out = func(*args, **kwargs)
        seconds = time.perf_counter() - start
    return out, seconds, mem


def compare(table, base: dict[str, dict], categorical: list[str]) -> float:
    """Largest relative difference between drift_table and the baseline over all statistics."""
    worst = 0.0
    for col, b in base.items():
        c = table.columns[col]
        ours = {"psi": c.psi.value, "js": c.js_distance.value}
        if col in categorical:
            ours |= {"chi2": c.chi2.statistic, "chi2_p": c.chi2.p_value}
        else:
            ours |= {"ks": c.ks.statistic, "ks_p": c.ks.p_value, "w": c.wasserstein.value}
        for key, value in ours.items():
            ref = b[key]
            worst = max(worst, abs(value - ref) / max(abs(ref), 1e-300) if ref else abs(value))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in each sample")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--n-jobs", type=int, default=None, help="threads (default min(4, cpu count))")
    args = parser.parse_args()
    n_jobs = args.n_jobs or min(4, os.cpu_count() or 1)

    print("machine")
    print(f"  cpus {os.cpu_count()}; {platform.platform()}; {platform.processor() or platform.machine()}")
    print(
        f"  python {platform.python_version()}; numpy {np.__version__}; pandas {pd.__version__}; "
        f"scipy {scipy.__version__}"
    )
    try:
        import evidently  # noqa: F401

        print("  evidently is importable but not compared here (no like-for-like configuration yet)")
    except ImportError:
        print(
            "  Evidently: not compared - it does not install with pandas 3 (see TOOLCHAIN.md); "
            "no figure is given rather than an unlike one"
        )

    t0 = time.perf_counter()
    ref, cur, categorical = make_frames(args.rows, args.seed)
    frames_bytes = int(ref.memory_usage(deep=True).sum() + cur.memory_usage(deep=True).sum())
    print(
        f"data: {args.rows:,} rows per sample, 40 numeric + 10 categorical columns, seed {args.seed}, "
        f"built in {time.perf_counter() - t0:.1f} s; two frames {frames_bytes / MB:,.0f} MB in memory"
    )

    runs = [("baseline", 1), ("drift_table", 1)]
    if n_jobs > 1:
        runs += [("baseline", n_jobs), ("drift_table", n_jobs)]
    results: dict[tuple[str, int], tuple[float, PeakRSS]] = {}
    outputs = {}
    for name, jobs in runs:
        if name == "baseline":
            out, sec, mem = timed(baseline, ref, cur, categorical, jobs)
        else:
            out, sec, mem = timed(drift_table, ref, cur, categorical=(), n_jobs=jobs)
        results[(name, jobs)] = (sec, mem)
        outputs[name] = out
        print(
            f"  {name:<11} n_jobs={jobs}: {sec:7.2f} s; peak RSS {mem.peak / MB:,.0f} MB "
            f"({mem.peak / frames_bytes:.2f}x the frames; +{(mem.peak - mem.before) / MB:,.0f} MB above "
            f"the RSS before the call = {(mem.peak - mem.before) / frames_bytes:.2f}x)"
            + ("" if mem.kernel else " [polled]")
        )
    print(
        f"largest relative difference drift_table vs baseline: "
        f"{compare(outputs['drift_table'], outputs['baseline'], categorical):.1e}"
    )
    for jobs in sorted({j for _, j in runs}):
        ratio = results[("drift_table", jobs)][0] / results[("baseline", jobs)][0]
        verdict = "within" if ratio <= 1.5 else "OUTSIDE"
        print(f"ratio drift_table / baseline at n_jobs={jobs}: {ratio:.2f} ({verdict} the 1.5x target)")
    table = outputs["drift_table"]
    start = time.perf_counter()
    for c in table.columns.values():
        if c.ks is not None:
            m, n = sorted([float(c.ks.n_reference), float(c.ks.n_current)], reverse=True)
            stats.kstwo.sf(c.ks.statistic, np.round(m * n / (m + n)))
    print(
        f"of each run, scipy.stats.kstwo.sf alone (the KS p-value ks_2samp uses; pure Python, holds "
        f"the GIL) takes {time.perf_counter() - start:.2f} s over the 40 numeric columns"
    )
    peak = results[("drift_table", n_jobs)][1].peak
    print(
        f"drift_table peak RSS / frames: {peak / frames_bytes:.2f}x "
        f"({'within' if peak / frames_bytes < 3 else 'OUTSIDE'} the 3x target)"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
