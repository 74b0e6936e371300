"""Write the workbook notebooks from the cell sources below (outputs empty, stable cell ids).

Run ``python tools/make_notebooks.py`` after editing; the test suite checks the committed notebooks
have no outputs. Notebooks only call mrmkit, record results and plot.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1] / "notebooks"

# The cell papermill fills in, and the closing lines recording how long the workbook took (kept out of the
# metrics, which must not depend on timing): the same in every workbook.
PARAMETERS = ("params", """# Parameters: injected by mrmkit's runner (the resolved parameter file, and the folder of the
# reference profiles shared by every run writing to the same output folder).
params = {}
profile_store = None""")
TIMINGS = """scrap.record("timings", {
    "imports_s": _clock["imported"] - _clock["start"],
    "load_s": _clock["loaded"] - _clock["imported"],
    "analyse_s": _clock["analysed"] - _clock["loaded"],
    "cells_s": time.perf_counter() - _clock["start"],
})
scrap.record("profiles", ctx.profiles.record())"""


def setup(imports: str, module: str, preamble: str) -> tuple[str, str]:
    """Every workbook's first code cell: timed imports, the run's context, the analysis, the metrics.

    ``imports`` are the workbook's own import lines, ``module`` the name its analysis module is imported
    as, ``preamble`` the lines run after the imports (warning filters, display options).
    """
    return (
        "code",
        f"""%matplotlib inline
import time

_clock = {{"start": time.perf_counter()}}
import warnings

{imports}

{preamble}_clock["imported"] = time.perf_counter()
ctx = load_context(params, profile_store)
_clock["loaded"] = time.perf_counter()
evidence = {module}.analyse(ctx)
_clock["analysed"] = time.perf_counter()
scrap.record("metrics", evidence.metrics())""",
    )


DRIFT = [
    (
        "md",
        """# Data quality and drift

This workbook compares the current (monitoring) sample with the reference (development) sample: the
quality of each feature, the stability of each feature and of the model's score, and how drift evolves
across monitoring windows. Every number is computed by `mrmkit.stats`; the thresholds come from the
parameter file's `policy` section. Conventions are listed at the end.""",
    ),
    PARAMETERS,
    setup(
        """import pandas as pd
from IPython.display import display

from mrmkit import plots, scrap
from mrmkit.workbooks import drift, load_context
from mrmkit.workbooks.display import text""",
        "drift",
        """warnings.filterwarnings("ignore", category=DeprecationWarning)
pd.set_option("display.max_rows", 200, "display.max_columns", 50, "display.precision", 4)

""",
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
    display(text("No time column (`data.time`) was given, so the current sample is not split into windows."))
else:
    display(drift.windows_frame_for_display(evidence))
    windows, judged = drift.heatmap_frame(evidence)
    display(plots.psi_heatmap(windows, thr.amber, thr.red, judged=judged))""",
    ),
    ("md", "## PSI bin tables of the amber and red features"),
    (
        "code",
        """for name in drift.most_drifted(evidence, None, statuses=("amber", "red")):
    display(text("**{}**", name))
    display(drift.psi_table_frame(evidence.feature_results.columns[name].psi))""",
    ),
    ("md", "## Settings and conventions"),
    (
        "code",
        """display(drift.settings_frame(evidence))
"""
        + TIMINGS,
    ),
]


BACKTEST = [
    ("md", """# Backtest and stress test

Outcome analysis of the PD model (discrimination, calibration by grade, concentration, migration, and
their evolution over the monitoring windows), VaR backtesting when a daily P&L and VaR series is given,
stress scenarios and one-at-a-time sensitivity when the model is given as an artifact. Every number is
computed by `mrmkit.stats` and `mrmkit.stress`; thresholds come from the parameter file's `policy`."""),
    PARAMETERS,
    setup(
        """import pandas as pd
from IPython.display import display

from mrmkit import plots, scrap
from mrmkit.workbooks import backtest, load_context
from mrmkit.workbooks.display import text""",
        "backtest",
        """warnings.filterwarnings("ignore", category=DeprecationWarning)
""",
    ),
    ("md", "## Findings"),
    ("code", """display(backtest.findings_frame(evidence))"""),
    ("md", """## PD model: discrimination

AUC with its DeLong variance and 95% interval, Gini and KS on the development (reference) sample and on
the mature part of the current sample, and the ECB test of the current against the initial AUC."""),
    ("code", """if not evidence.pd["applicable"]:
    display(text("PD outcome analysis not applicable: {}.", evidence.pd["reason"]))
else:
    display(backtest.discrimination_frame(evidence))
    display(backtest.maturity_text(evidence))
    display(plots.roc_and_cap(backtest.curves(evidence, ctx)))"""),
    ("md", """## Classifier: performance at the operating point

For an alerting model (`model.kind: classifier`): AUC on both samples and the current-against-initial
test, then at the policy's operating point the alerts, the events caught (catch rate, recall), precision,
false-positive rate, F1, lift and the expected cost of `policy.costs`; the catch and false-positive rates
of the current sample are tested against the reference sample's. PD calibration does not apply."""),
    ("code", """if evidence.classifier is None:
    display(text("Not an alerting model (model.kind is {}): this section does not apply.", ctx.params.model.kind))
elif not evidence.classifier["applicable"]:
    display(text("Outcome analysis not applicable: {}.", evidence.classifier["reason"]))
else:
    display(backtest.discrimination_frame(evidence))
    display(backtest.maturity_text(evidence))
    if evidence.classifier["operating_point"]["applicable"]:
        display(backtest.operating_point_frame(evidence))
        display(backtest.alert_tests_frame(evidence))
        display(plots.precision_recall(backtest.precision_recall_curves(evidence, ctx)))
        display(plots.roc_and_cap(backtest.curves(evidence, ctx), **plots.units("classifier")))
    else:
        display(text("Performance at the operating point not measured: {}.", evidence.classifier["operating_point"]["reason"]))
    display(text("Calibration not applicable: {}.", evidence.classifier["calibration"]["reason"]))
    if not evidence.window_table.empty:
        display(backtest.window_frame_for_display(evidence))"""),
    ("md", """## PD model: calibration by grade

Observed default rate against mean PD per grade, with the one-sided binomial and Jeffreys tests
(H0: the PD is not underestimated), Hosmer-Lemeshow over grades (df = number of grades), Spiegelhalter
and Brier for the whole sample."""),
    ("code", """if evidence.pd["applicable"]:
    display(backtest.grade_frame_for_display(evidence))
    display(plots.calibration_chart(evidence.grade_table))
    display(backtest.calibration_summary_frame(evidence))
else:
    display(text("Not applicable: {}.", evidence.pd["reason"]))"""),
    ("md", "## Concentration and migration"),
    ("code", """if evidence.pd["applicable"]:
    display(backtest.concentration_frame(evidence))
    display(backtest.migration_text(evidence))
    if evidence.pd["migration"]["applicable"]:
        display(backtest.migration_frame(evidence))
else:
    display(text("Not applicable: {}.", evidence.pd["reason"]))"""),
    ("md", """## Over time

Per monitoring window (application month: the vintage view): volume, defaults, observed default rate,
mean PD and AUC. Immature windows are shown and left out of the outcome tests."""),
    ("code", """if evidence.pd["applicable"] and not evidence.window_table.empty:
    display(backtest.window_frame_for_display(evidence))
    display(plots.over_time(evidence.window_table))
elif evidence.classifier is not None and not evidence.window_table.empty:
    display(text("For an alerting model the windows, with their catch and false-positive rates, are shown with its "
                 "performance at the operating point above."))"""),
    ("md", """## VaR backtesting

Exceptions (a loss larger than VaR), Kupiec's proportion of failures, Christoffersen's independence,
conditional coverage, the binomial z test, the time until first failure, and the Basel traffic light on
the latest 250 days, for each VaR level; and for each expected-shortfall series, Acerbi and Szekely's Z2
backtest."""),
    ("code", """if evidence.var is None:
    display(text("No VaR series was given (`backtest.var`): this section does not apply."))
else:
    display(backtest.var_frame(evidence))
    if evidence.var["es"]:
        display(backtest.es_frame(evidence))
    for column in evidence.var["levels"]:
        display(plots.var_timeline(evidence.var_series, column))"""),
    ("md", """## Stress scenarios

Each scenario shocks features of the current sample and rescores it with the model: mean PD and its
change, the PD distribution, the approval rate at the policy cut-off, the grade distribution and the
expected loss when exposure and LGD are given."""),
    ("code", """if evidence.stress is None:
    display(text("No stress scenario was given (`backtest.stress`)."))
elif not evidence.stress["applicable"]:
    display(text("Stress testing not applicable: {}.", evidence.stress["reason"]))
else:
    display(backtest.stress_frame_for_display(evidence))
    display(plots.stress_chart(evidence.stress_table))"""),
    ("md", """## Sensitivity

One feature at a time, up and down by the configured steps: the change in mean PD, the share of decisions
that flip at the cut-off, and whether the direction matches the declared expectation."""),
    ("code", """if not evidence.sensitivity["applicable"]:
    display(text("Sensitivity analysis not applicable: {}.", evidence.sensitivity["reason"]))
else:
    display(backtest.sensitivity_frame_for_display(evidence))
    display(backtest.tornado_figure(evidence))"""),
    ("md", "## Settings and conventions"),
    ("code", """display(backtest.settings_frame(evidence))
""" + TIMINGS),
]


CHAMPION_CHALLENGER = [
    ("md", """# Champion and challenger

Is the challenger better, safe to switch to, and fair? The recommendation comes first, from the
pre-registered rules of the parameter file; then the offline comparison on labelled data, shadow scoring,
the A/B test and the fairness guardrails. Every number is computed by `mrmkit.stats`."""),
    PARAMETERS,
    setup(
        """from IPython.display import display

from mrmkit import plots, scrap
from mrmkit.workbooks import champion_challenger as cc
from mrmkit.workbooks import load_context
from mrmkit.workbooks.display import text""",
        "cc",
        """warnings.filterwarnings("ignore", category=DeprecationWarning)
""",
    ),
    ("md", "## Recommendation"),
    ("code", """display(cc.recommendation_markdown(evidence))
display(cc.rules_frame(evidence))"""),
    ("md", "## Findings"),
    ("code", """display(cc.findings_frame(evidence))"""),
    ("md", """## Offline comparison on labelled data

Discrimination of both models on the same mature applications: AUC with DeLong intervals, the paired
DeLong test (two-sided, and one-sided for a better challenger), and a stratified, seeded bootstrap
interval of the AUC difference."""),
    ("code", """display(cc.discrimination_frame(evidence))
if evidence.offline.get("labelled", {}).get("applicable"):
    display(plots.roc_and_cap(cc.curves(evidence, ctx), **plots.units(ctx.params.model.kind)))"""),
    ("md", """### Alerts at the same alert rate

For an alerting model (`model.kind: classifier`): both models alert the same share of the cases; the
catch rate is compared on the events and the false-positive rate on the genuine cases, each by the exact
McNemar test with the Agresti-Min interval of the paired difference."""),
    ("code", """if "alerts" in evidence.offline:
    display(cc.alerts_frame(evidence))
else:
    display(text("Not an alerting model, or no labelled data: this section does not apply."))"""),
    ("md", """### Decisions at the cut-off

Business metrics at the policy cut-off and at the challenger cut-off matched to the champion's approval
rate, with bootstrap intervals of the differences; McNemar's test of the paired decisions; swap sets."""),
    ("code", """if "alerts" in evidence.offline:
    display(text("Not applicable to an alerting model: its decisions are compared at the same alert rate (above)."))
elif evidence.offline.get("labelled", {}).get("applicable"):
    display(cc.business_frame(evidence))
    display(cc.swap_frame(evidence))
    display(cc.confusion_frame(evidence))"""),
    ("md", """### Calibration on the same grades

Both models on the champion's rating scale, with the backtest's one-sided Jeffreys test per grade."""),
    ("code", """if "alerts" in evidence.offline:
    display(text("Not applicable to an alerting model: it is judged on its ranking at the operating point."))
elif evidence.offline.get("labelled", {}).get("applicable"):
    display(cc.calibration_frame(evidence))"""),
    ("md", "### Agreement"),
    ("code", """display(cc.agreement_frame(evidence))
display(cc.disagreements_frame(evidence))"""),
    ("md", "## Shadow scoring"),
    ("code", """if evidence.shadow is None:
    display(text("No shadow-scoring log was given (`champion_challenger.shadow`)."))
else:
    display(cc.shadow_frame(evidence))
    display(plots.shadow_weekly(evidence.frames["shadow_weekly"], ctx.params.policy))"""),
    ("md", "## A/B test"),
    ("code", """if evidence.ab is None:
    display(text("No A/B log was given (`champion_challenger.ab`)."))
else:
    display(cc.ab_frame(evidence))
    if evidence.ab["guardrails"]:
        display(cc.guardrails_frame(evidence))
    if evidence.ab["sequential"].get("applicable", True):
        display(cc.sequential_frame(evidence))
    else:
        display(text("Sequential looks not applicable: {}.", evidence.ab["sequential"]["reason"]))"""),
    ("md", """## Fairness guardrails

Approval rates by protected group at the policy cut-off for both models: adverse impact ratio against the
reference group with the four-fifths flag and a significance test, demographic-parity and
equal-opportunity differences. Groups too small to judge are shown and marked. For an alerting model
the favourable outcome is not being alerted, so the rates are shares not alerted."""),
    ("code", """if not evidence.fairness.get("applicable"):
    display(text("Fairness not assessed: {}.", evidence.fairness["reason"]))
else:
    for attribute in ctx.params.data.protected:
        display(text("**{}** (reference group: {})", attribute, evidence.fairness[attribute]["reference_group"]))
        display(cc.fairness_frame(evidence, attribute))"""),
    ("md", "## Settings and conventions"),
    ("code", """display(cc.settings_frame(evidence))
""" + TIMINGS),
]


EXPLAINABILITY = [
    ("md", """# Explainability

Why do the models decide what they decide? Global drivers (SHAP), local explanations of named and
notable applications (SHAP waterfalls and LIME), the checks that make them trustworthy (additivity,
stability), adverse-action reason codes for declined applications (ECOA / Regulation B), and the
smallest changes that would reverse a decline. The explainer chosen for each model is recorded."""),
    PARAMETERS,
    setup(
        """from IPython.display import display

from mrmkit import plots, scrap
from mrmkit.workbooks import explainability as xb
from mrmkit.workbooks import load_context
from mrmkit.workbooks.display import text""",
        "xb",
        """warnings.filterwarnings("ignore")
""",
    ),
    ("md", "## Findings"),
    ("code", """display(xb.findings_frame(evidence))"""),
    ("code", """if not evidence.applicable:
    display(text("**This workbook cannot run:** {}.", evidence.reason))"""),
    ("md", """## Global explanations

Mean absolute SHAP value per feature (in the model's log-odds), against the model's own importance, and
SHAP importance on the reference against the current sample (explanation drift)."""),
    ("code", """for model in evidence.models:
    display(text("### {}: {}", model, evidence.models[model]["explainer_note"]))
    display(xb.importance_frame(evidence, model))
    display(plots.shap_bar(evidence.frames[f"{model}_importance"], model))
    display(plots.shap_beeswarm(evidence.shap[model], evidence.frames[f"{model}_sample"], model))
    display(plots.shap_dependence(evidence.shap[model], evidence.frames[f"{model}_sample"], model))"""),
    ("md", """## Local explanations

For the applications named in the parameters, the highest-risk ones and those closest to the cut-off:
each feature's SHAP value, the LIME explanation with its local fit, and how well their top features
agree."""),
    ("code", """for model in evidence.models:
    display(text("### {}", model))
    display(xb.local_frame(evidence, model))
    for row_id in evidence.local[model]["ids"][:3]:
        display(plots.shap_waterfall(evidence.local[model]["shap"][row_id], row_id, model))"""),
    ("md", """## Checks: additivity and stability

Base value plus the sum of SHAP values must equal the model's output (log-odds); LIME is rerun over
several seeds and the rank correlation of its top features reported."""),
    ("code", """display(xb.checks_frame(evidence))"""),
    ("md", """## Adverse-action reason codes

For declined applications (PD above the cut-off) in the explained sample: the top features pushing
towards decline, mapped through the reason-code table; a frequency table of reasons over all declines.
For an alerting model (`model.kind: classifier`) the same for the alerted cases: the reasons shown to
the analyst who reviews the alert."""),
    ("code", """for model in evidence.models:
    display(text("### {}", model))
    display(xb.reasons_summary(evidence, model))"""),
    ("md", """## Counterfactuals: what would change the decision

For declined applications, the smallest change in the actionable features (within their allowed ranges)
that brings the PD to the cut-off, found by a seeded search."""),
    ("code", """for model in evidence.models:
    display(text("### {}", model))
    display(xb.counterfactual_frame(evidence, model))"""),
    ("md", "## Settings and conventions"),
    ("code", """display(xb.settings_frame(evidence))
""" + TIMINGS),
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
    build(BACKTEST, "backtest")
    build(CHAMPION_CHALLENGER, "champion_challenger")
    build(EXPLAINABILITY, "explainability")
