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
# # Backtest and stress test

# %% tags=["parameters"]
# Parameters. To run this workbook yourself, set `params_file` to a parameter file (a path relative to
# the folder you start Jupyter or papermill in), e.g. `papermill backtest.ipynb out.ipynb -p params_file my.yaml`.
# `mrmkit run` instead injects `params` (the parameter file as resolved for the run) and `profile_store`
# (the folder of reference profiles shared by the runs writing to one output folder).
params_file = None
params = {}
profile_store = None

# %%
# %matplotlib inline
from mrmkit.workbooks.session import start

session = start("backtest")  # the clock, and the warnings every workbook hides

import pandas as pd
from IPython.display import display

from mrmkit.present import plots
from mrmkit.present.captions import captioned
from mrmkit.workbooks import backtest
from mrmkit.workbooks.display import text

ctx = session.load(params, profile_store, params_file)
evidence = session.analyse(backtest.analyse)
display(session.scope_note())

# %% [markdown]
# ## Findings

# %%
display(backtest.findings_frame(evidence))

# %% [markdown]
# ## PD model: discrimination

# %%
display(session.describe("pd_discrimination"))
if not evidence.pd["applicable"]:
    display(text("PD outcome analysis not applicable: {}.", backtest.words(evidence.pd["reason"])))
else:
    display(backtest.discrimination_frame(evidence))
    display(backtest.maturity_text(evidence, ctx))
    display(captioned(plots.roc_and_cap(backtest.curves(evidence, ctx), **plots.units(ctx.params.model_kind.vocabulary)),
                      backtest.ROC_CAPTION))

# %% [markdown]
# ## Classifier: performance at the operating point

# %%
display(session.describe("classifier_operating_point"))
if evidence.classifier is None:
    display(text("Not an alerting model: this section does not apply."))
elif not evidence.classifier["applicable"]:
    display(text("Outcome analysis not applicable: {}.", backtest.words(evidence.classifier["reason"])))
else:
    display(backtest.discrimination_frame(evidence))
    display(backtest.maturity_text(evidence, ctx))
    if evidence.classifier["operating_point"]["applicable"]:
        display(backtest.operating_point_frame(evidence))
        display(backtest.alert_tests_frame(evidence))
        display(captioned(plots.precision_recall(backtest.precision_recall_curves(evidence, ctx)),
                          "Precision (share of alerts that are events) against recall (share of events caught), "
                          "each sample's operating point marked."))
        display(captioned(plots.roc_and_cap(backtest.curves(evidence, ctx), **plots.units(ctx.params.model_kind.vocabulary)),
                          backtest.ROC_CAPTION))
    else:
        display(text("Performance at the operating point not measured: {}.",
                     backtest.words(evidence.classifier["operating_point"]["reason"])))
    display(text("Calibration not applicable: {}.", backtest.words(evidence.classifier["calibration"]["reason"])))
    if not evidence.window_table.empty:
        display(backtest.window_frame_for_display(evidence))

# %% [markdown]
# ## PD model: calibration by grade

# %%
display(session.describe("pd_calibration"))
if evidence.pd["applicable"]:
    display(backtest.grade_frame_for_display(evidence))
    display(captioned(plots.calibration_chart(evidence.grade_table),
                      "Observed default rate of each grade with its Jeffreys 95% interval (dots coloured by the "
                      "grade's status) against the grade's mean PD."))
    display(backtest.calibration_summary_frame(evidence))
else:
    display(text("Not applicable: {}.", backtest.words(evidence.pd["reason"])))

# %% [markdown]
# ## Concentration and migration

# %%
if evidence.pd["applicable"]:
    display(backtest.concentration_frame(evidence))
    display(backtest.migration_text(evidence))
    if evidence.pd["migration"]["applicable"]:
        display(backtest.migration_frame(evidence))
else:
    display(text("Not applicable: {}.", backtest.words(evidence.pd["reason"])))

# %% [markdown]
# ## Over time

# %%
display(session.describe("over_time"))
if evidence.pd["applicable"] and not evidence.window_table.empty:
    display(backtest.window_frame_for_display(evidence))
    display(captioned(plots.over_time(evidence.window_table),
                      "AUC, and observed default rate against mean PD, in each window; grey: windows not yet mature."))
elif evidence.classifier is not None and not evidence.window_table.empty:
    display(text("For an alerting model the windows, with their catch and false-positive rates, are shown with its "
                 "performance at the operating point above."))

# %% [markdown]
# ## VaR backtesting

# %%
display(session.describe("var"))
if evidence.var is None:
    display(text("No VaR series was given: this section does not apply."))
else:
    display(backtest.var_frame(evidence))
    for column in evidence.var["levels"]:
        label = backtest.var_label(evidence, column)
        display(captioned(plots.var_timeline(evidence.var_series, column, label, evidence.currency),
                          f"Daily P&L against minus the {label}; red dots: exceptions (losses beyond the VaR)."))

# %% [markdown]
# ### Expected shortfall

# %%
display(session.describe("es"))
if evidence.var is None or not evidence.var["es"]:
    display(text("No expected-shortfall series was given: this section does not apply."))
else:
    display(backtest.es_frame(evidence))

# %% [markdown]
# ## Stress scenarios

# %%
display(session.describe("stress"))
if evidence.stress is None:
    display(text("No stress scenario was given."))
elif not evidence.stress["applicable"]:
    display(text("Stress testing not applicable: {}.", backtest.words(evidence.stress["reason"])))
else:
    display(backtest.stress_frame_for_display(evidence))
    display(captioned(plots.stress_chart(backtest.stress_chart_table(evidence)),
                      "Mean PD and approval rate at the cut-off under each stress scenario."))

# %% [markdown]
# ## Sensitivity

# %%
display(session.describe("sensitivity"))
if not evidence.sensitivity["applicable"]:
    display(text("Sensitivity analysis not applicable: {}.", backtest.words(evidence.sensitivity["reason"])))
else:
    display(backtest.sensitivity_frame_for_display(evidence))
    display(captioned(plots.tornado(**backtest.tornado_data(evidence)), backtest.tornado_caption(evidence)))

# %% [markdown]
# ## Settings and conventions

# %%
display(backtest.settings_frame(evidence))
session.finish()  # records the timings and the reference profiles used
