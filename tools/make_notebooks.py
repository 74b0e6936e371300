"""Write the workbook notebooks from the cell sources below (outputs empty, stable cell ids).

Run ``python tools/make_notebooks.py`` after editing; the test suite checks the committed notebooks
have no outputs. Notebooks only call mrmkit, record results and plot.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1] / "notebooks"

DRIFT = [
    (
        "md",
        """# Data quality and drift

This workbook compares the current (monitoring) sample with the reference (development) sample: the
quality of each feature, the stability of each feature and of the model's score, and how drift evolves
across monitoring windows. Every number is computed by `mrmkit.stats`; the thresholds come from the
parameter file's `policy` section. Conventions are listed at the end.""",
    ),
    (
        "params",
        """# Parameters: injected by mrmkit's runner (the resolved parameter file).
params = {}""",
    ),
    (
        "code",
        """%matplotlib inline
import time

_clock = {"start": time.perf_counter()}
import warnings

import pandas as pd
from IPython.display import HTML, Markdown, display

from mrmkit import plots, scrap
from mrmkit.workbooks import load_context
from mrmkit.workbooks import drift

warnings.filterwarnings("ignore", category=DeprecationWarning)
pd.set_option("display.max_rows", 200, "display.max_columns", 50, "display.precision", 4)

_clock["imported"] = time.perf_counter()
ctx = load_context(params)
_clock["loaded"] = time.perf_counter()
evidence = drift.analyse(ctx)
_clock["analysed"] = time.perf_counter()
metrics = evidence.metrics()
scrap.record("metrics", metrics)""",
    ),
    ("md", "## Findings"),
    (
        "code",
        """display(drift.summary_markdown(evidence))
display(drift.findings_frame(evidence))""",
    ),
    (
        "md",
        """## Data quality

Missing shares in both samples and their change, the share of current values outside the reference
range, categories never seen in the reference, type changes and constant columns.""",
    ),
    ("code", """display(drift.quality_frame_for_display(evidence))"""),
    (
        "md",
        """## Feature drift

PSI, KS, Wasserstein (raw and divided by the reference standard deviation) and Jensen-Shannon distance
for numeric features; PSI and chi-square for categorical ones. p-values are adjusted for multiple testing
across all features (method in the settings below).""",
    ),
    (
        "code",
        """display(drift.features_frame_for_display(evidence))
thr = ctx.params.policy.psi
display(plots.psi_by_feature(evidence.features["psi"], evidence.features["status"], thr.amber, thr.red))""",
    ),
    ("md", "### Distributions of the most drifted features (pooled or in the latest window)"),
    (
        "code",
        """window, in_window = drift.latest_window(evidence, ctx)
for name in drift.most_drifted(evidence, ctx.params.drift.top_features):
    latest = None if window is None else (window, ctx.inputs.current.loc[in_window, name])
    display(plots.distribution(ctx.inputs.reference[name], ctx.inputs.current[name], name,
                               name in ctx.inputs.categorical, evidence.features.at[name, "psi"], latest))""",
    ),
    (
        "md",
        """## Prediction drift

PSI of the model's score (reference deciles) and, when the model assigns rating grades, of the grades.""",
    ),
    (
        "code",
        """display(drift.score_frame_for_display(evidence))
display(plots.distribution(pd.Series(ctx.inputs.reference_score), pd.Series(ctx.inputs.current_score),
                           "model score", False, evidence.score["psi"]))
if evidence.grade_psi is not None:
    display(drift.psi_table_frame(evidence.grade_psi))""",
    ),
    (
        "md",
        """## Drift over time

PSI of each feature and of the score in each monitoring window against the whole reference sample.""",
    ),
    (
        "code",
        """if evidence.windows.empty:
    display(Markdown("No time column (`data.time`) was given, so the current sample is not split into windows."))
else:
    display(drift.windows_frame_for_display(evidence))
    display(plots.psi_heatmap(evidence.windows, thr.amber, thr.red))""",
    ),
    ("md", "## PSI bin tables of the amber and red features"),
    (
        "code",
        """for name in drift.most_drifted(evidence, None, statuses=("amber", "red")):
    display(Markdown(f"**{name}**"))
    display(drift.psi_table_frame(evidence.feature_results.columns[name].psi))""",
    ),
    ("md", "## Settings and conventions"),
    (
        "code",
        """display(drift.settings_frame(evidence))
scrap.record("timings", {
    "imports_s": _clock["imported"] - _clock["start"],
    "load_s": _clock["loaded"] - _clock["imported"],
    "analyse_s": _clock["analysed"] - _clock["loaded"],
    "cells_s": time.perf_counter() - _clock["start"],
})""",
    ),
]


def build(cells: list[tuple[str, str]], name: str) -> None:
    nb = new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for i, (kind, source) in enumerate(cells):
        if kind == "md":
            cell = new_markdown_cell(source)
        else:
            cell = new_code_cell(source)
            if kind == "params":
                cell.metadata["tags"] = ["parameters"]
        cell["id"] = f"{name}-{i:02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    ROOT.mkdir(exist_ok=True)
    nbformat.write(nb, str(ROOT / f"{name}.ipynb"))


if __name__ == "__main__":
    build(DRIFT, "drift")
