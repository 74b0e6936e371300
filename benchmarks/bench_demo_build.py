"""Benchmark: time of ``mrmkit.demo.build_demo`` at its default size, stage by stage.

    python benchmarks/bench_demo_build.py [--repeat 3] [--seed 20261123]

Runs the four stages of the build in this process into a temporary folder and reports each one: data
generation (``generate_portfolio``), training of both models (``train_models``), scoring of both samples
(``score_portfolio``) and writing (``write_demo``: parquet, canonical skops files with a reload check that
the saved models reproduce the written scores, the YAML). The first repetition includes the lazy imports
of scikit-learn, LightGBM, pyarrow and skops; the target is a whole build under 15 s on 2 cores.
Also checks that every repetition wrote byte-identical files.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from mrmkit.demo import generate_portfolio, score_portfolio, train_models, write_demo

N_REFERENCE, N_PER_WINDOW, N_WINDOWS, START = 20000, 5000, 6, "2025-01-01"


def machine() -> list[str]:
    import lightgbm
    import pyarrow
    import sklearn
    import skops

    return [
        f"cpus {os.cpu_count()}; {platform.platform()}; {platform.machine()}",
        f"python {platform.python_version()}; numpy {np.__version__}; pandas {pd.__version__}; "
        f"scikit-learn {sklearn.__version__}; lightgbm {lightgbm.__version__}; pyarrow {pyarrow.__version__}; "
        f"skops {skops.__version__}",
        f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}; "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '(unset)')}; LightGBM n_jobs=1",
    ]


def one_build(out_dir: Path, seed: int) -> tuple[dict[str, float], dict[str, str], object]:
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    portfolio = generate_portfolio(seed, N_REFERENCE, N_PER_WINDOW, N_WINDOWS, pd.Timestamp(START))
    t1 = time.perf_counter()
    champion, challenger = train_models(portfolio)
    t2 = time.perf_counter()
    scored = score_portfolio(portfolio, champion, challenger)
    t3 = time.perf_counter()
    build = write_demo(out_dir, scored, champion, challenger)
    t4 = time.perf_counter()
    times = {
        "data generation": t1 - t0,
        "training": t2 - t1,
        "scoring": t3 - t2,
        "writing (incl. reload check)": t4 - t3,
        "total": t4 - t0,
    }
    digests = {
        p.relative_to(out_dir).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()[:16]
        for p in sorted(out_dir.rglob("*"))
        if p.is_file()
    }
    return times, digests, build


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()

    print("machine")
    for line in machine():
        print(f"  {line}")
    print(f"build_demo: {N_REFERENCE:,} reference rows, {N_WINDOWS} windows of {N_PER_WINDOW:,}, seed {args.seed}")
    runs, digests = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.repeat):
            times, files, build = one_build(Path(tmp) / f"run{k}", args.seed)
            runs.append(times)
            digests.append(files)
            label = "run 1 (cold: lazy imports)" if k == 0 else f"run {k + 1}"
            print(f"  {label}: " + "; ".join(f"{name} {sec:.2f} s" for name, sec in times.items()))
    if len(runs) > 1:
        warm = {name: float(np.median([r[name] for r in runs[1:]])) for name in runs[0]}
        print("  median of warm runs: " + "; ".join(f"{name} {sec:.2f} s" for name, sec in warm.items()))
    sizes = {name: digest for name, digest in digests[0].items()}
    print(f"files written: {', '.join(sizes)}")
    print(f"byte-identical across runs: {all(d == digests[0] for d in digests)}")
    print(
        f"facts: default rate reference {build.default_rate_reference:.4f}, current {build.default_rate_current:.4f}; "
        f"holdout AUC champion {build.champion_auc_holdout:.4f}, challenger {build.challenger_auc_holdout:.4f}"
    )
    verdict = "within" if runs[0]["total"] < 15 else "ABOVE"
    print(f"cold build {runs[0]['total']:.2f} s ({verdict} the 15 s target)")


if __name__ == "__main__":
    main()
