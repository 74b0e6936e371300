"""Batch runs of many demo-size models: --jobs 1 against --jobs 2 against a local two-worker Dask cluster.

Builds the demo once, writes N parameter files (distinct model ids, the drift workbook only, so the whole
benchmark takes minutes rather than an hour), and times mrmkit.batch.run_batch three ways. Peak memory is
the largest resident set of any finished child process (resource.RUSAGE_CHILDREN), which is bounded by
the jobs running at once, not by the number of models.

    python benchmarks/bench_batch.py [--models 20]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from pathlib import Path

import yaml


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from mrmkit.batch import run_batch
    from mrmkit.demo import build_demo

    print(f"machine: {platform.platform()}; {os.cpu_count()} cores; Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        build = build_demo(root / "demo")
        raw = yaml.safe_load(build.parameters.read_text())
        for key in ("backtest", "champion_challenger", "explainability"):
            raw.pop(key, None)
        files = []
        for i in range(args.models):
            raw["model"]["id"] = f"demo-{i:02d}"
            path = build.out_dir / f"model-{i:02d}.yaml"
            path.write_text(yaml.safe_dump(raw, sort_keys=False))
            files.append(path)
        timings = {}
        for label, kwargs in (("jobs 1", {"jobs": 1}), ("jobs 2", {"jobs": 2})):
            t = time.perf_counter()
            result = run_batch(files, root / label.replace(" ", ""), **kwargs)
            timings[label] = time.perf_counter() - t
            print(f"{label}: {timings[label]:7.1f} s, all complete: {result.ok}")
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster, Client(cluster):
            t = time.perf_counter()
            result = run_batch(files, root / "dask", scheduler=cluster.scheduler_address)
            timings["dask"] = time.perf_counter() - t
        print(f"dask (2 workers): {timings['dask']:7.1f} s, all complete: {result.ok}")
    print(f"speed-up jobs 2 over jobs 1: {timings['jobs 1'] / timings['jobs 2']:.2f}x (target at least 1.8x)")
    print(f"dask against jobs 2: {timings['dask'] / timings['jobs 2']:.2f}x (target within 1.15x)")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"largest child process resident set: {peak:,.0f} MB for {args.models} models")


if __name__ == "__main__":
    main()
