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
# # Explainability
#
# Why do the models decide what they decide? Global drivers (SHAP), local explanations of named and
# notable applications (SHAP waterfalls and LIME), the checks that make them trustworthy (additivity,
# stability), adverse-action reason codes for declined applications (ECOA / Regulation B), and the
# smallest changes that would reverse a decline. The explainer chosen for each model is recorded.

# %% tags=["parameters"]
# Parameters. To run this workbook yourself, set `params_file` to a parameter file (a path relative to
# the folder you start Jupyter or papermill in), e.g. `papermill explainability.ipynb out.ipynb -p params_file my.yaml`.
# `mrmkit run` instead injects `params` (the parameter file as resolved for the run) and `profile_store`
# (the folder of reference profiles shared by the runs writing to one output folder).
params_file = None
params = {}
profile_store = None

# %%
# %matplotlib inline
from mrmkit.workbooks.session import start

session = start("explainability", quiet="all")  # the clock, and the warnings every workbook hides

from IPython.display import display

from mrmkit.present import plots
from mrmkit.workbooks import explainability as xb
from mrmkit.workbooks.display import text

ctx = session.load(params, profile_store, params_file)
evidence = session.analyse(xb.analyse)

# %% [markdown]
# ## Findings

# %%
display(xb.findings_frame(evidence))

# %%
if not evidence.applicable:
    display(text("**This workbook cannot run:** {}.", evidence.reason))

# %% [markdown]
# ## Global explanations
#
# Mean absolute SHAP value per feature (in the model's log-odds), against the model's own importance, and
# SHAP importance on the reference against the current sample (explanation drift).

# %%
for model in evidence.models:
    display(text("### {}: {}", model, evidence.models[model]["explainer_note"]))
    display(xb.importance_frame(evidence, model))
    display(plots.shap_bar(evidence.frames[f"{model}_importance"], model))
    display(plots.shap_beeswarm(evidence.shap[model], evidence.frames[f"{model}_sample"], model))
    display(plots.shap_dependence(evidence.shap[model], evidence.frames[f"{model}_sample"], model))

# %% [markdown]
# ## Local explanations
#
# For the applications named in the parameters, the highest-risk ones and those closest to the cut-off:
# each feature's SHAP value, the LIME explanation with its local fit, and how well their top features
# agree.

# %%
for model in evidence.models:
    display(text("### {}", model))
    display(xb.local_frame(evidence, model))
    for row_id in evidence.local[model]["ids"][:3]:
        display(plots.shap_waterfall(evidence.local[model]["shap"][row_id], row_id, model))

# %% [markdown]
# ## Checks: additivity and stability
#
# Base value plus the sum of SHAP values must equal the model's output (log-odds); LIME is rerun over
# several seeds and the rank correlation of its top features reported.

# %%
display(xb.checks_frame(evidence))

# %% [markdown]
# ## Adverse-action reason codes
#
# For declined applications (PD above the cut-off) in the explained sample: the top features pushing
# towards decline, mapped through the reason-code table; a frequency table of reasons over all declines.
# For an alerting model (`model.kind: classifier`) the same for the alerted cases: the reasons shown to
# the analyst who reviews the alert.

# %%
for model in evidence.models:
    display(text("### {}", model))
    display(xb.reasons_summary(evidence, model))

# %% [markdown]
# ## Counterfactuals: what would change the decision
#
# For declined applications, the smallest change in the actionable features (within their allowed ranges)
# that brings the PD to the cut-off, found by a seeded search.

# %%
for model in evidence.models:
    display(text("### {}", model))
    display(xb.counterfactual_frame(evidence, model))

# %% [markdown]
# ## Settings and conventions

# %%
display(xb.settings_frame(evidence))
session.finish()  # records the timings and the reference profiles used
