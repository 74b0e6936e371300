"""Benchmark: champion-challenger comparison of AUCs, DeLong and paired bootstrap.

    python benchmarks/bench_comparison.py [--delong-rows 1000000] [--bootstrap-rows 100000]
                                          [--resamples 1000] [--seed 20261123] [--repeat 3]

Builds two seeded samples (default rate 5 %; champion score normal with a shift of 1 for defaults;
challenger = 0.8 x champion + independent noise with a shift of 0.6, so the two scores are correlated
and the challenger's AUC is about 0.06 higher), then times ``mrmkit.stats.delong_test`` on ``--delong-rows`` rows
(target under 2 s) and ``mrmkit.stats.bootstrap_auc_difference`` with ``--resamples`` stratified
resamples on ``--bootstrap-rows`` rows (target under 30 s). Each is run ``--repeat`` times and the
minimum is printed; the script also checks that two bootstrap runs with one seed give identical results
and that the bootstrap standard error is close to DeLong's on the same data.
"""

from __future__ import annotations

import argparse
import math
import os
import platform

import numpy as np
import scipy

from mrmkit.stats import bootstrap_auc_difference, delong_test

DELONG_TARGET_S = 2.0
BOOTSTRAP_TARGET_S = 30.0

from _timing import timed  # noqa: E402  (sibling module; scripts run from benchmarks/)


def make_sample(rows: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(rows) < 0.05).astype(np.int8)
    a = rng.normal(y * 1.0, 1.0)
    b = 0.8 * a + rng.normal(y * 0.6, 0.7)
    return y, a, b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delong-rows", type=int, default=1_000_000)
    parser.add_argument("--bootstrap-rows", type=int, default=100_000)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    print("machine")
    print(f"  cpus {os.cpu_count()}; {platform.platform()}; {platform.processor() or platform.machine()}")
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    if load:
        print(f"  load average {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}")
    print(f"  python {platform.python_version()}; numpy {np.__version__}; scipy {scipy.__version__}")
    print(f"  OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '(unset)')}; minimum of {args.repeat} runs below")

    y, a, b = make_sample(args.delong_rows, args.seed)
    res, best = timed(lambda: delong_test(y, a, b), args.repeat)
    verdict = "within" if best < DELONG_TARGET_S else "MISSES"
    print(
        f"delong_test: {args.delong_rows:,} rows ({int(y.sum()):,} defaults): {best:.3f} s "
        f"({verdict} the {DELONG_TARGET_S:g} s target)"
    )
    print(
        f"  AUC a {res.auc_a:.4f}, AUC b {res.auc_b:.4f}, difference a - b {res.difference:+.5f}, "
        f"z {res.z:.2f}, p {res.p_value:.3g}"
    )

    y, a, b = make_sample(args.bootstrap_rows, args.seed + 1)
    boot, best = timed(
        lambda: bootstrap_auc_difference(y, a, b, n_resamples=args.resamples, seed=args.seed), args.repeat
    )
    verdict = "within" if best < BOOTSTRAP_TARGET_S else "MISSES"
    print(
        f"bootstrap_auc_difference: {args.resamples:,} stratified resamples of {args.bootstrap_rows:,} rows "
        f"({int(y.sum()):,} defaults): {best:.3f} s ({verdict} the {BOOTSTRAP_TARGET_S:g} s target)"
    )
    again = bootstrap_auc_difference(y, a, b, n_resamples=args.resamples, seed=args.seed)
    dl = delong_test(y, b, a)
    print(
        f"  difference b - a {boot.difference:+.5f}, 95 % percentile CI ({boot.ci[0]:+.5f}, {boot.ci[1]:+.5f}), "
        f"bootstrap SE {boot.standard_error:.5f} vs DeLong SE {math.sqrt(dl.variance_difference):.5f}"
    )
    print(f"  identical on a second run with seed {args.seed}: {again.to_dict() == boot.to_dict()}")


if __name__ == "__main__":
    main()
