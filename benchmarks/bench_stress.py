"""Benchmark: mrmkit.stress on 100,000 loans with the demo's models.

    python benchmarks/bench_stress.py [--skip-sensitivity] [--seed 20261123]

Builds the demo portfolio with five monitoring windows of 20,000 applications (``build_demo(tmp,
n_reference=20000, n_per_window=20000, n_windows=5)``), so the current sample has 100,000 rows, loads both
skops models and times:

* ``run_scenarios`` with five stress scenarios (income fall with its ratios, utilisation up, bureau score
  down 10 points of quantile position, one more delinquency for cards only, a combined downturn) plus the
  baseline, for the challenger (LightGBM, the target: under 15 s) and the champion (logistic regression);
* ``sensitivity`` (every numeric feature, +/- 1 SD and +/- 10 %: 120 scored frames) for both models.

It also checks that the changed-rows shortcut gives the same PDs as scoring the whole shocked frame, and
that two runs give identical results. OMP_WAIT_POLICY is set to PASSIVE unless already set (see
/work/shared/TOOLCHAIN.md: LightGBM spin-waiting on a busy 2-core machine slows it 10 to 80 times).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import platform  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from mrmkit.demo import build_demo  # noqa: E402
from mrmkit.stress import apply_shocks, run_scenarios, sensitivity  # noqa: E402

SCENARIOS = [
    {
        "name": "income fall 20%",
        "shocks": [
            {"feature": "annual_income", "multiply": 0.8},
            {"feature": "debt_to_income", "multiply": 1.25},
            {"feature": "loan_to_income", "multiply": 1.25},
        ],
    },
    {"name": "utilisation +0.15", "shocks": [{"feature": "revolving_utilisation", "add": 0.15}]},
    {"name": "bureau score -10 pp", "shocks": [{"feature": "bureau_score", "quantile": -0.10}]},
    {
        "name": "cards: +1 delinquency",
        "shocks": [{"feature": "num_delinquencies_12m", "add": 1}, {"feature": "num_delinquencies_24m", "add": 1}],
        "segment": {"column": "product", "values": ["card"]},
    },
    {
        "name": "downturn",
        "shocks": [
            {"feature": "annual_income", "multiply": 0.9},
            {"feature": "savings_balance", "multiply": 0.7},
            {"feature": "num_enquiries_6m", "add": 1},
            {"feature": "overdraft_days_3m", "quantile": 0.10},
        ],
    },
]
DOMAINS = {"revolving_utilisation": (0.0, 1.5), "debt_to_income": (0.0, None), "loan_to_income": (0.0, None)}
DIRECTIONS = {
    "annual_income": -1,
    "bureau_score": -1,
    "revolving_utilisation": +1,
    "num_delinquencies_12m": +1,
    "num_enquiries_6m": +1,
    "debt_to_income": +1,
    "savings_balance": -1,
}
CUTOFF = 0.08


def machine() -> list[str]:
    import lightgbm
    import sklearn

    return [
        f"cpus {os.cpu_count()}; {platform.platform()}; {platform.machine()}; load average "
        + ", ".join(f"{v:.2f}" for v in os.getloadavg()),
        f"python {platform.python_version()}; numpy {np.__version__}; pandas {pd.__version__}; "
        f"scikit-learn {sklearn.__version__}; lightgbm {lightgbm.__version__}",
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY')}; OMP_NUM_THREADS="
        f"{os.environ.get('OMP_NUM_THREADS', '(unset)')}; the demo's LightGBM predicts on 1 thread (n_jobs=1)",
    ]


def timed(func, *args, **kwargs):
    t0 = time.perf_counter()
    out = func(*args, **kwargs)
    return out, time.perf_counter() - t0


def main() -> None:
    import skops.io as sio

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--skip-sensitivity", action="store_true")
    args = parser.parse_args()

    print("machine")
    for line in machine():
        print(f"  {line}")
    with tempfile.TemporaryDirectory() as tmp:
        (build, t_build) = timed(build_demo, tmp, seed=args.seed, n_reference=20000, n_per_window=20000, n_windows=5)
        current = pd.read_parquet(build.current)
        reference = pd.read_parquet(build.reference)
        models = {
            "challenger (LightGBM)": sio.load(build.challenger, trusted=list(build.challenger_trusted_types)),
            "champion (logistic)": sio.load(build.champion, trusted=list(build.champion_trusted_types)),
        }
    features, categorical = list(build.features), list(build.categorical)
    print(
        f"data: {len(current):,} loans scored ({len(features)} features, {len(categorical)} categorical); "
        f"reference {len(reference):,} rows; build_demo {t_build:.1f} s"
    )

    for label, model in models.items():
        kwargs = dict(
            reference=reference,
            categorical=categorical,
            grade_bounds=build.grade_upper_bounds,
            grade_labels=build.grades,
            exposure=current["loan_amount"].to_numpy(),
            lgd=0.45,
            domains=DOMAINS,
            clip=True,
        )
        res, t_run = timed(run_scenarios, model, current, features, SCENARIOS, CUTOFF, **kwargs)
        again = run_scenarios(model, current, features, SCENARIOS, CUTOFF, **kwargs)
        x = apply_shocks(current, SCENARIOS[0]["shocks"], reference=reference, domains=DOMAINS, clip=True)
        full = model.predict_proba(x[features])[:, 1]
        verdict = "" if "logistic" in label else f" ({'within' if t_run < 15 else 'ABOVE'} the 15 s target)"
        print(f"\nrun_scenarios, {label}: 5 scenarios + baseline on {len(current):,} rows in {t_run:.2f} s{verdict}")
        print(
            f"  identical on a second run: {res.to_dict() == again.to_dict()}; changed-rows shortcut vs full "
            f"re-scoring, '{SCENARIOS[0]['name']}': mean PD {res.rows[1].mean_pd:.10f}, difference "
            f"{res.rows[1].mean_pd - float(np.mean(full)):.1e}"
        )
        table = res.to_frame()[
            [
                "scenario",
                "rows_changed",
                "mean_pd",
                "mean_pd_change_relative",
                "approval_rate",
                "approval_rate_change",
                "expected_loss_change_relative",
            ]
        ]
        print("  " + table.to_string(index=False, float_format=lambda v: f"{v:.4f}").replace("\n", "\n  "))

    if args.skip_sensitivity:
        return
    for label, model in models.items():
        res, t_sens = timed(sensitivity, model, current, features, categorical, CUTOFF, expected_direction=DIRECTIONS)
        calls = 2 * len(res.rows)
        print(
            f"\nsensitivity, {label}: {len(features) - len(categorical)} numeric features x 2 steps x 2 signs "
            f"({calls} scored frames of up to {len(current):,} rows) in {t_sens:.1f} s ({t_sens / calls:.2f} s each)"
        )
        top = res.to_frame("sd").head(6)[
            ["feature", "change_up", "change_down", "flip_share_up", "monotonicity", "share_against"]
        ]
        print("  top of the 1-SD tornado:")
        print("  " + top.to_string(index=False, float_format=lambda v: f"{v:.4f}").replace("\n", "\n  "))
        violated = [f"{r.feature} ({r.step})" for r in res.rows if r.monotonicity == "violated"]
        print(f"  monotonicity violated: {', '.join(violated) or 'none'}")


if __name__ == "__main__":
    main()
