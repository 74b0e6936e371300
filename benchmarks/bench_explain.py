"""Benchmark: SHAP on the demo's two models and one LIME explanation.

    OMP_WAIT_POLICY=PASSIVE python benchmarks/bench_explain.py [--rows 10000] [--seed 20261123]

Builds the demo (``build_demo`` with 20,000 reference rows), stacks the reference and monitoring
features until there are ``--rows`` rows, and times ``mrmkit.explain.explain_shap`` with
TreeExplainer on the challenger (LightGBM, 200 trees; target under 10 s for 10,000 rows) and with
LinearExplainer on the champion (background: 1,000 reference rows), then one ``explain_lime`` of the
champion with 5,000 samples (plus a repeat with the same seed to check that it is identical).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")

    import lightgbm
    import shap
    import skops.io as sio

    from mrmkit.demo import CATEGORICAL_FEATURES, FEATURES, build_demo
    from mrmkit.explain import explain_lime, explain_shap, global_importance, model_importance

    print("machine")
    print(f"  cpus {os.cpu_count()}; {platform.platform()}; {platform.machine()}")
    print("  load average {:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg()))
    print(
        f"  python {sys.version.split()[0]}; numpy {np.__version__}; shap {shap.__version__}; lightgbm {lightgbm.__version__}"
    )
    print(f"  OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}")

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        b = build_demo(Path(tmp), seed=args.seed)
        print(f"demo built in {time.perf_counter() - t0:.1f} s")
        champion = sio.load(b.champion, trusted=list(b.champion_trusted_types))
        challenger = sio.load(b.challenger, trusted=list(b.challenger_trusted_types))
        reference = pd.read_parquet(b.reference)
        current = pd.read_parquet(b.current)
    features, categorical = list(FEATURES), list(CATEGORICAL_FEATURES)
    pool = pd.concat([reference[features], current[features]], ignore_index=True)
    repeats = -(-args.rows // len(pool))
    rows = pd.concat([pool] * repeats, ignore_index=True).iloc[: args.rows]
    background = reference[features].iloc[:1000]

    for name, model in (("challenger", challenger), ("champion", champion)):
        t0 = time.perf_counter()
        e = explain_shap(model, background, rows, features, categorical, seed=args.seed)
        elapsed = time.perf_counter() - t0
        g = global_importance(e)
        m = model_importance(model, features, data=background, explanation=e)
        target = " (target under 10 s)" if name == "challenger" else ""
        print(
            f"{e.explainer} on the {name} ({e.estimator}): {len(rows):,} rows x {len(features)} features: "
            f"{elapsed:.2f} s{target}, including predict_proba for the log-odds"
        )
        print(
            f"  {e.feature_perturbation}, background {e.background_size}; additivity max |error| "
            f"{e.additivity_max_abs_error:.1e}; top 3 {', '.join(g.features[:3])}; Spearman vs {m.method} "
            f"{m.spearman_vs_shap:.3f}"
        )

    row = reference[features].iloc[123]
    t0 = time.perf_counter()
    lime1 = explain_lime(champion, reference, row, features, categorical, seed=args.seed)
    elapsed = time.perf_counter() - t0
    lime2 = explain_lime(champion, reference, row, features, categorical, seed=args.seed)
    top = sorted(lime1.weights.items(), key=lambda kv: -abs(kv[1]))[:3]
    print(
        f"explain_lime on the champion: 1 row, {lime1.num_samples:,} samples, {len(reference):,} training rows: "
        f"{elapsed:.2f} s (coding the training frame included)"
    )
    print(
        f"  local R^2 {lime1.score:.3f}; local prediction {lime1.local_prediction:.4f} vs model "
        f"{lime1.model_prediction:.4f}; top 3 {', '.join(f'{k} {v:+.4f}' for k, v in top)}; "
        f"identical on a second run with the same seed: {lime1.weights == lime2.weights}"
    )


if __name__ == "__main__":
    main()
