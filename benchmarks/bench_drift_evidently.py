"""drift_table against Evidently's data-drift report on the same data, each in its own interpreter.

Evidently 0.7.23 does not import with pandas 3 (it imports ``infer_dtype_from_object``, gone from
pandas 3), so it runs in a separate virtual environment with pandas 2:

    python3 -m venv /tmp/evvenv && /tmp/evvenv/bin/pip install evidently==0.7.23 'pandas<3' pyarrow
    .venv/bin/python benchmarks/bench_drift_evidently.py --rows 1000000 --evidently-python /tmp/evvenv/bin/python

The data are ``bench_drift.make_frames`` (same seed), written once to parquet and read by both sides;
reading is not timed. Each side's peak resident memory is its own process's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EVIDENTLY_SIDE = """
import json, resource, sys, time
import pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset
ref = pd.read_parquet(sys.argv[1]); cur = pd.read_parquet(sys.argv[2])
t = time.perf_counter()
snapshot = Report([DataDriftPreset()]).run(reference_data=ref, current_data=cur)
snapshot.dict()
seconds = time.perf_counter() - t
import evidently
print(json.dumps({"seconds": seconds, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "evidently": evidently.__version__, "pandas": pd.__version__}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--evidently-python", required=True, help="interpreter of a venv with evidently and pandas<3")
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).parent))
    import pandas as pd
    from bench_drift import make_frames

    from mrmkit.stats import drift_table

    print(f"machine: {platform.platform()}; {os.cpu_count()} cores; Python {platform.python_version()}")
    ref, cur, categorical = make_frames(args.rows, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        ref_path, cur_path = Path(tmp) / "ref.parquet", Path(tmp) / "cur.parquet"
        ref.to_parquet(ref_path)
        cur.to_parquet(cur_path)
        del ref, cur
        proc = subprocess.run(
            [args.evidently_python, "-c", EVIDENTLY_SIDE, str(ref_path), str(cur_path)],
            capture_output=True,
            text=True,
            check=True,
        )
        theirs = json.loads(proc.stdout.strip().splitlines()[-1])
        ref, cur = pd.read_parquet(ref_path), pd.read_parquet(cur_path)
        t = time.perf_counter()
        drift_table(ref, cur, categorical=categorical)
        ours = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"data: {args.rows:,} rows per sample, {ref.shape[1]} columns ({len(categorical)} categorical)")
    print(f"mrmkit drift_table: {ours:8.2f} s; peak RSS {peak:,.0f} MB (process, frames included)")
    print(
        f"Evidently {theirs['evidently']} DataDriftPreset (pandas {theirs['pandas']}): {theirs['seconds']:8.2f} s; "
        f"peak RSS {theirs['peak_rss_mb']:,.0f} MB"
    )
    print(f"Evidently / drift_table: {theirs['seconds'] / ours:.1f}x (target: at least 10x)")


if __name__ == "__main__":
    main()
