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
# # Champion and challenger

# %% tags=["parameters"]
# Parameters. To run this workbook yourself, set `params_file` to a parameter file (a path relative to
# the folder you start Jupyter or papermill in), e.g. `papermill champion_challenger.ipynb out.ipynb -p params_file my.yaml`.
# `mrmkit run` instead injects `params` (the parameter file as resolved for the run) and `profile_store`
# (the folder of reference profiles shared by the runs writing to one output folder).
params_file = None
params = {}
profile_store = None

# %%
# %matplotlib inline
from mrmkit.workbooks.session import start

session = start("champion_challenger")  # the clock, and the warnings every workbook hides

from IPython.display import display

from mrmkit.present import plots
from mrmkit.present.captions import captioned
from mrmkit.workbooks import champion_challenger as cc
from mrmkit.workbooks.display import text

ctx = session.load(params, profile_store, params_file)
evidence = session.analyse(cc.analyse)
display(session.scope_note())

# %% [markdown]
# ## Recommendation

# %%
display(cc.recommendation_markdown(evidence))
display(cc.rules_frame(evidence))
display(text("**Concerns about the change** (evidence of the decision, not findings on the champion)"))
display(cc.concerns_frame(evidence))

# %% [markdown]
# ## Findings

# %%
display(cc.findings_frame(evidence))

# %% [markdown]
# ## Offline comparison on labelled data

# %%
display(session.describe("offline"))
display(cc.discrimination_frame(evidence))
if evidence.offline.get("labelled", {}).get("applicable"):
    display(
        captioned(
            plots.roc_and_cap(cc.curves(evidence, ctx), **plots.units(ctx.params.model_kind.vocabulary)),
            f"ROC and cumulative accuracy profile (CAP) of both models on the same mature "
            f"{ctx.params.model_kind.vocabulary.units}.",
        )
    )

# %% [markdown]
# ### Alerts at the same alert rate

# %%
display(session.describe("alerts"))
if "alerts" in evidence.offline:
    display(cc.alerts_frame(evidence))
else:
    display(text("Not an alerting model, or no labelled data: this section does not apply."))

# %% [markdown]
# ### Decisions at the cut-off

# %%
display(session.describe("decisions"))
if "alerts" in evidence.offline:
    display(text("Not applicable to an alerting model: its decisions are compared at the same alert rate (above)."))
elif evidence.offline.get("labelled", {}).get("applicable"):
    display(cc.business_frame(evidence))
    display(cc.swap_frame(evidence))
    display(cc.confusion_frame(evidence))

# %% [markdown]
# ### Calibration on the same grades

# %%
display(session.describe("calibration"))
if "alerts" in evidence.offline:
    display(text("Not applicable to an alerting model: it is judged on its ranking at the operating point."))
elif evidence.offline.get("labelled", {}).get("applicable"):
    display(cc.calibration_frame(evidence))

# %% [markdown]
# ### Agreement

# %%
display(cc.agreement_frame(evidence))
display(cc.disagreements_frame(evidence))

# %% [markdown]
# ## Shadow scoring

# %%
if evidence.shadow is None:
    display(text("No shadow-scoring log was given."))
else:
    display(cc.shadow_frame(evidence))
    display(
        captioned(
            plots.shadow_weekly(evidence.frames["shadow_weekly"], ctx.params.policy),
            "Shadow scoring per week: coverage and decision agreement (share of requests) against the policy's "
            "minimums, and each model's 99th-percentile latency (milliseconds) against the policy's limit.",
        )
    )

# %% [markdown]
# ## A/B test

# %%
if evidence.ab is None:
    display(text("No A/B log was given."))
else:
    display(cc.ab_frame(evidence))
    if evidence.ab["guardrails"]:
        display(cc.guardrails_frame(evidence))
    if evidence.ab["sequential"].get("applicable", True):
        display(cc.sequential_frame(evidence))
    else:
        display(text("Sequential looks do not apply: {}.", cc.plain(evidence.ab["sequential"]["reason"])))

# %% [markdown]
# ## Fairness guardrails

# %%
display(session.describe("fairness"))
if not evidence.fairness.get("applicable"):
    display(text("Fairness not assessed: {}.", cc.plain(evidence.fairness["reason"])))
else:
    for attribute in ctx.params.data.protected:
        display(cc.fairness_heading(evidence, attribute))
        display(cc.fairness_frame(evidence, attribute))

# %% [markdown]
# ## Settings and conventions

# %%
display(cc.settings_frame(evidence))
session.finish()  # records the timings and the reference profiles used
