# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Data quality and drift

# %% tags=["parameters"]
# Parameters. To run this workbook yourself, set `params_file` to a parameter file (a path relative to
# the folder you start Jupyter or papermill in), e.g. `papermill drift.ipynb out.ipynb -p params_file my.yaml`.
# `mrmkit run` instead injects `params` (the parameter file as resolved for the run) and `profile_store`
# (the folder of reference profiles shared by the runs writing to one output folder).
params_file = None
params = {}
profile_store = None

# %%
# %matplotlib inline
from mrmkit.workbooks.session import start

session = start("drift")  # the clock, and the warnings every workbook hides

import pandas as pd
from IPython.display import display

from mrmkit.present import plots
from mrmkit.present.captions import captioned
from mrmkit.workbooks import drift
from mrmkit.workbooks.display import text

pd.set_option("display.max_rows", 200, "display.max_columns", 50, "display.precision", 4)

ctx = session.load(params, profile_store, params_file)
evidence = session.analyse(drift.analyse)
display(session.scope_note())

# %% [markdown]
# ## Findings

# %%
display(drift.summary_markdown(evidence))
display(drift.findings_frame(evidence))

# %% [markdown]
# ## Data quality

# %%
display(session.describe("quality"))
display(drift.quality_frame_for_display(evidence))

# %% [markdown]
# ## Feature drift

# %%
display(session.describe("features"))
display(drift.features_frame_for_display(evidence))
display(drift.feature_tests_for_display(evidence))
thr = ctx.params.policy.psi
display(captioned(plots.psi_by_feature(*drift.psi_bars(evidence), thr.amber, thr.red),
                  "PSI of each feature, current against reference, coloured by its status; dashed lines: the amber "
                  "and red thresholds."))
display(drift.rule_text(evidence))

# %% [markdown]
# ### Distributions of the most drifted features (pooled or in the latest window)

# %%
window, in_window = drift.latest_window(evidence, ctx)
drifted = drift.most_drifted(evidence, ctx.params.drift.top_features, moved=True)
if not drifted:
    display(text("No feature moved (PSI below the amber threshold over the whole sample and in the latest window)."))
for name in drifted:
    latest = None if window is None else (window, ctx.inputs.current.loc[in_window, name])
    figure = plots.distribution(ctx.inputs.reference[name], ctx.inputs.current[name], evidence.names.with_unit(name),
                                name in ctx.inputs.categorical, evidence.features.at[name, "psi"], latest)
    display(captioned(figure, drift.distribution_caption(evidence, name)))

# %% [markdown]
# ## Prediction drift

# %%
display(session.describe("prediction"))
display(drift.score_frame_for_display(evidence))
display(captioned(plots.distribution(pd.Series(ctx.inputs.reference_score), pd.Series(ctx.inputs.current_score),
                                     "Model score", False, evidence.score["psi"]),
                  "Distribution of the model's score: share of rows in each score bin, reference against current."))
if evidence.grade_psi is not None:
    display(drift.psi_table_frame(evidence.grade_psi, "PSI bin table of the rating grades: counts and shares of "
                                  "each grade, reference against current, and each grade's contribution to the PSI."))

# %% [markdown]
# ## Drift over time

# %%
display(session.describe("over_time"))
if evidence.windows.empty:
    display(text("No time column (`data.time`) was given, so the current sample is not split into windows."))
else:
    display(drift.windows_frame_for_display(evidence))
    windows, judged = drift.heatmap_frame(evidence)
    display(captioned(plots.psi_heatmap(windows, thr.amber, thr.red, judged=judged),
                      "PSI of each feature and of the score in each monitoring window, coloured by status."))

# %% [markdown]
# ## PSI bin tables of the amber and red features

# %%
for name in drift.most_drifted(evidence, None, statuses=("amber", "red")):
    display(text("**{}**", evidence.names.label(name)))
    display(drift.psi_table_frame(evidence.feature_results.columns[name].psi, drift.psi_table_caption(evidence, name)))

# %% [markdown]
# ## Settings and conventions

# %%
display(drift.settings_frame(evidence))
session.finish()  # records the timings and the reference profiles used
