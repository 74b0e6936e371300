"""End-to-end time of `mrmkit demo` at its default size, with a breakdown.

Runs the console script in a fresh temporary folder, as a user would, and reads the timings the run
records in its manifest: validation of inputs, kernel start-up (papermill execution time minus the time
spent in the notebook's cells), computation (loading data and the analysis), the rest of the notebook
(tables and figures), and rendering to HTML.

    python benchmarks/bench_demo.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def machine() -> str:
    import numpy

    return (
        f"{platform.platform()}; {os.cpu_count()} cores; Python {platform.python_version()}; numpy {numpy.__version__}"
    )


def one_run() -> dict[str, float]:
    exe = Path(sys.executable).with_name("mrmkit")
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        proc = subprocess.run(
            [str(exe), "demo", "--out", f"{tmp}/outputs", "--data", f"{tmp}/demo"],
            capture_output=True,
            text=True,
            check=True,
        )
        wall = time.perf_counter() - t0
        package = Path(proc.stdout.strip().splitlines()[-1])
        t = json.loads((package / "manifest.json").read_text())["timings"]
    # what is not the run itself: interpreter start, imports and building the demo data and models
    out = {
        "wall_s": wall,
        "build_and_startup_s": wall - t["total_s"],
        "validation_s": t["validation_s"],
        "run_total_s": t["total_s"],
    }
    for wb in sorted({k.split(".")[0] for k in t if "." in k}):
        cells = t.get(f"{wb}.cells_s", float("nan"))
        out[f"{wb}.kernel_startup_s"] = t[f"{wb}.execute_s"] - cells
        out[f"{wb}.imports_s"] = t.get(f"{wb}.imports_s", float("nan"))
        out[f"{wb}.computation_s"] = t.get(f"{wb}.load_s", 0) + t.get(f"{wb}.analyse_s", 0)
        out[f"{wb}.tables_and_figures_s"] = cells - t.get(f"{wb}.imports_s", 0) - out[f"{wb}.computation_s"]
        out[f"{wb}.render_s"] = t[f"{wb}.render_s"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    runs = [one_run() for _ in range(args.repeat)]
    for key in runs[0]:
        values = [r[key] for r in runs]
        print(f"{key:32s} {min(values):8.2f} s" + (f"  (min of {len(values)})" if len(values) > 1 else ""))


if __name__ == "__main__":
    main()
