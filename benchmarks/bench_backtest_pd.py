"""Benchmark: a PD back-test on a large portfolio with mrmkit.stats' calibration family.

    python benchmarks/bench_backtest_pd.py [--loans 1000000] [--grades 20] [--seed 20261123] [--repeat 3]

Builds a seeded portfolio (PDs from a Beta(0.6, 25) distribution, defaults drawn with the PDs
scaled by 1.1 so the tests have something to find, and a second rating date where a fifth of the
loans move by up to two grades), then times each part of the back-test a validator runs: grade
assignment (20 equal-population grades), counts per grade, the per-grade binomial and Jeffreys tests,
Hosmer-Lemeshow, Spiegelhalter, the Brier score with Murphy's decomposition, the AUC with DeLong's
variance, the Herfindahl index with its test, and, beyond the target list, the AUC-against-initial
test and the migration matrix. Each part is timed ``--repeat`` times and the minimum is reported;
the target is a total under 5 seconds for 1,000,000 loans and 20 grades.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

import numpy as np
import pandas as pd
import scipy

from mrmkit.stats import (
    auc,
    auc_initial_test,
    binomial_test,
    brier_score,
    equal_population_grades,
    grade_summary,
    herfindahl,
    hosmer_lemeshow,
    jeffreys_test,
    migration_matrix,
    spiegelhalter_test,
)

TARGET_S = 5.0

from _timing import timed  # noqa: E402  (sibling module; scripts run from benchmarks/)


def make_portfolio(loans: int, grades: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    pd_ = np.clip(rng.beta(0.6, 25.0, loans), 0.0003, 0.999)
    y = (rng.random(loans) < np.minimum(pd_ * 1.1, 1.0)).astype(np.int8)
    initial = equal_population_grades(pd_, grades).grades
    move = rng.integers(-2, 3, loans) * (rng.random(loans) < 0.2)
    later = np.clip(initial + move, 1, grades)
    return {"pd": pd_, "y": y, "initial": np.asarray(initial), "later": later}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loans", type=int, default=1_000_000)
    parser.add_argument("--grades", type=int, default=20)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    print("machine")
    print(f"  cpus {os.cpu_count()}; {platform.platform()}; {platform.processor() or platform.machine()}")
    print(
        f"  python {platform.python_version()}; numpy {np.__version__}; pandas {pd.__version__}; "
        f"scipy {scipy.__version__}"
    )
    t0 = time.perf_counter()
    data = make_portfolio(args.loans, args.grades, args.seed)
    y, p = data["y"], data["pd"]
    print(
        f"data: {args.loans:,} loans, {args.grades} grades, seed {args.seed}, default rate {y.mean():.4f}, "
        f"mean PD {p.mean():.4f}; built in {time.perf_counter() - t0:.2f} s; minimum of {args.repeat} runs below"
    )

    state: dict[str, object] = {}
    parts = [
        (
            "grade assignment (equal population)",
            lambda: state.__setitem__("grades", equal_population_grades(p, args.grades)),
        ),
        (
            "counts and mean PD per grade",
            lambda: state.__setitem__(
                "summary", grade_summary(y, p, state["grades"].grades, order=state["grades"].labels)
            ),
        ),
        (
            "binomial test, per grade",
            lambda: binomial_test(state["summary"].n, state["summary"].defaults, state["summary"].pd),
        ),
        (
            "Jeffreys test and interval, per grade",
            lambda: jeffreys_test(state["summary"].n, state["summary"].defaults, state["summary"].pd),
        ),
        (
            "Hosmer-Lemeshow",
            lambda: hosmer_lemeshow(state["summary"].n, state["summary"].defaults, state["summary"].pd),
        ),
        ("Spiegelhalter z", lambda: spiegelhalter_test(y, p)),
        ("Brier score with Murphy decomposition", lambda: brier_score(y, p, grades=state["grades"].grades)),
        ("AUC with DeLong variance", lambda: auc(y, p)),
        ("Herfindahl index and test", lambda: herfindahl(state["summary"].n, np.bincount(data["initial"])[1:])),
    ]
    extra = [
        ("AUC against initial (DeLong)", lambda: auc_initial_test(0.75, y, p)),
        ("migration matrix", lambda: migration_matrix(data["initial"], data["later"], order=range(1, args.grades + 1))),
    ]
    total = 0.0
    results = {}
    for name, func in parts:
        results[name], sec = timed(func, args.repeat)
        total += sec
        print(f"  {name:<42} {sec:8.4f} s")
    print(
        f"  {'total (target list)':<42} {total:8.4f} s ({'within' if total < TARGET_S else 'OUTSIDE'} the "
        f"{TARGET_S:g} s target)"
    )
    for name, func in extra:
        results[name], sec = timed(func, args.repeat)
        print(f"  {name + ' (extra)':<42} {sec:8.4f} s")

    hl, sp, a = results["Hosmer-Lemeshow"], results["Spiegelhalter z"], results["AUC with DeLong variance"]
    jef = results["Jeffreys test and interval, per grade"]
    mig = results["migration matrix"]
    print(
        f"results: HL {hl.statistic:.1f} (df {hl.df}, p {hl.p_value:.3g}); Spiegelhalter z {sp.z:.2f}; "
        f"AUC {a.value:.4f} (se {a.variance**0.5:.4f}); Jeffreys p < 0.05 in "
        f"{sum(v < 0.05 for v in jef.p_value)} of {len(jef.p_value)} grades; migration diagonal share "
        f"{mig.diagonal_share:.3f}, MWB lower/upper {mig.mwb_lower:.3f}/{mig.mwb_upper:.3f}"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
