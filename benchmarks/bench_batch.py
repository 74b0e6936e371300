"""Batch runs of many demo-size models: --jobs 1 against --jobs 2 against a local two-worker Dask cluster.

Builds the demo once, writes N parameter files (distinct model ids, the drift workbook only, so the whole
benchmark takes minutes rather than an hour), and times mrmkit.batch.run_batch three ways. Memory: the
peak, over the run, of the summed resident sets of every process below this one (model processes, their
kernels, the fork server, Dask workers), sampled from /proc every 0.2 s, printed for the first half of the
models and for all of them: bounded by the jobs running at once, it does not grow with the number of models.

    python benchmarks/bench_batch.py [--models 20]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import threading
import time
from pathlib import Path

import yaml


class TreeMemory:
    """Peak summed resident set of this process's descendants (Linux /proc), sampled in a thread."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(self.interval):
            parents, rss = {}, {}
            for status in Path("/proc").glob("[0-9]*/status"):
                try:
                    fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
                except OSError:
                    continue
                pid = int(status.parent.name)
                parents[pid] = int(fields["PPid"])
                rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) * 1024
            self.peak = max(self.peak, sum(r for pid, r in rss.items() if _descends(pid, me, parents)))


def _descends(pid: int, ancestor: int, parents: dict[int, int]) -> bool:
    while pid > 1:
        pid = parents.get(pid, 0)
        if pid == ancestor:
            return True
    return False


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
            with TreeMemory() as memory:
                t = time.perf_counter()
                result = run_batch(files, root / label.replace(" ", ""), **kwargs)
                timings[label] = time.perf_counter() - t
            print(
                f"{label}: {timings[label]:7.1f} s, all complete: {result.ok}, "
                f"peak memory of all processes {memory.peak / 2**20:,.0f} MB"
            )
        half = files[: len(files) // 2]
        with TreeMemory() as memory:
            run_batch(half, root / "half", jobs=2)
        print(f"jobs 2 with {len(half)} models: peak memory of all processes {memory.peak / 2**20:,.0f} MB")
        from distributed import Client, LocalCluster

        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster, Client(cluster):
            t = time.perf_counter()
            result = run_batch(files, root / "dask", scheduler=cluster.scheduler_address)
            timings["dask"] = time.perf_counter() - t
        print(f"dask (2 workers): {timings['dask']:7.1f} s, all complete: {result.ok}")
    print(f"speed-up jobs 2 over jobs 1: {timings['jobs 1'] / timings['jobs 2']:.2f}x (target at least 1.8x)")
    print(f"dask against jobs 2: {timings['dask'] / timings['jobs 2']:.2f}x (target within 1.15x)")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"largest single process resident set: {peak:,.0f} MB")


if __name__ == "__main__":
    main()
