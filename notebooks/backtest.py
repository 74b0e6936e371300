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
#
# Outcome analysis of the PD model (discrimination, calibration by grade, concentration, migration, and
# their evolution over the monitoring windows), VaR backtesting when a daily P&L and VaR series is given,
# stress scenarios and one-at-a-time sensitivity when the model is given as an artifact. Every number is
# computed by `mrmkit.stats` and `mrmkit.stress`; thresholds come from the parameter file's `policy`.

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
from mrmkit.workbooks import backtest
from mrmkit.workbooks.display import text

ctx = session.load(params, profile_store, params_file)
evidence = session.analyse(backtest.analyse)

# %% [markdown]
# ## Findings

# %%
display(backtest.findings_frame(evidence))

# %% [markdown]
# ## PD model: discrimination
#
# AUC with its DeLong variance and 95% interval, Gini and KS on the development (reference) sample and on
# the mature part of the current sample, and the ECB test of the current against the initial AUC.

# %%
if not evidence.pd["applicable"]:
    display(text("PD outcome analysis not applicable: {}.", evidence.pd["reason"]))
else:
    display(backtest.discrimination_frame(evidence))
    display(backtest.maturity_text(evidence))
    display(plots.roc_and_cap(backtest.curves(evidence, ctx)))

# %% [markdown]
# ## Classifier: performance at the operating point
#
# For an alerting model (`model.kind: classifier`): AUC on both samples and the current-against-initial
# test, then at the policy's operating point the alerts, the events caught (catch rate, recall), precision,
# false-positive rate, F1, lift and the expected cost of `policy.costs`; the catch and false-positive rates
# of the current sample are tested against the reference sample's. PD calibration does not apply.

# %%
if evidence.classifier is None:
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
        display(backtest.window_frame_for_display(evidence))

# %% [markdown]
# ## PD model: calibration by grade
#
# Observed default rate against mean PD per grade, with the one-sided binomial and Jeffreys tests
# (H0: the PD is not underestimated), Hosmer-Lemeshow over grades (df = number of grades), Spiegelhalter
# and Brier for the whole sample.

# %%
if evidence.pd["applicable"]:
    display(backtest.grade_frame_for_display(evidence))
    display(plots.calibration_chart(evidence.grade_table))
    display(backtest.calibration_summary_frame(evidence))
else:
    display(text("Not applicable: {}.", evidence.pd["reason"]))

# %% [markdown]
# ## Concentration and migration

# %%
if evidence.pd["applicable"]:
    display(backtest.concentration_frame(evidence))
    display(backtest.migration_text(evidence))
    if evidence.pd["migration"]["applicable"]:
        display(backtest.migration_frame(evidence))
else:
    display(text("Not applicable: {}.", evidence.pd["reason"]))

# %% [markdown]
# ## Over time
#
# Per monitoring window (application month: the vintage view): volume, defaults, observed default rate,
# mean PD and AUC. Immature windows are shown and left out of the outcome tests.

# %%
if evidence.pd["applicable"] and not evidence.window_table.empty:
    display(backtest.window_frame_for_display(evidence))
    display(plots.over_time(evidence.window_table))
elif evidence.classifier is not None and not evidence.window_table.empty:
    display(text("For an alerting model the windows, with their catch and false-positive rates, are shown with its "
                 "performance at the operating point above."))

# %% [markdown]
# ## VaR backtesting
#
# Exceptions (a loss larger than VaR), Kupiec's proportion of failures, Christoffersen's independence,
# conditional coverage, the binomial z test, the time until first failure, and the Basel traffic light on
# the latest 250 days, for each VaR level; and for each expected-shortfall series, Acerbi and Szekely's Z2
# backtest.

# %%
if evidence.var is None:
    display(text("No VaR series was given (`backtest.var`): this section does not apply."))
else:
    display(backtest.var_frame(evidence))
    if evidence.var["es"]:
        display(backtest.es_frame(evidence))
    for column in evidence.var["levels"]:
        display(plots.var_timeline(evidence.var_series, column))

# %% [markdown]
# ## Stress scenarios
#
# Each scenario shocks features of the current sample and rescores it with the model: mean PD and its
# change, the PD distribution, the approval rate at the policy cut-off, the grade distribution and the
# expected loss when exposure and LGD are given.

# %%
if evidence.stress is None:
    display(text("No stress scenario was given (`backtest.stress`)."))
elif not evidence.stress["applicable"]:
    display(text("Stress testing not applicable: {}.", evidence.stress["reason"]))
else:
    display(backtest.stress_frame_for_display(evidence))
    display(plots.stress_chart(evidence.stress_table))

# %% [markdown]
# ## Sensitivity
#
# One feature at a time, up and down by the configured steps: the change in mean PD, the share of decisions
# that flip at the cut-off, and whether the direction matches the declared expectation.

# %%
if not evidence.sensitivity["applicable"]:
    display(text("Sensitivity analysis not applicable: {}.", evidence.sensitivity["reason"]))
else:
    display(backtest.sensitivity_frame_for_display(evidence))
    display(plots.tornado(**backtest.tornado_data(evidence)))

# %% [markdown]
# ## Settings and conventions

# %%
display(backtest.settings_frame(evidence))
session.finish()  # records the timings and the reference profiles used
