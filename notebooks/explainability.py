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
from mrmkit.present.captions import captioned
from mrmkit.workbooks import explainability as xb
from mrmkit.workbooks.display import text

ctx = session.load(params, profile_store, params_file)
evidence = session.analyse(xb.analyse)
display(session.scope_note())

# %% [markdown]
# ## Findings

# %%
display(xb.findings_frame(evidence))

# %%
if not evidence.applicable:
    display(text("**This workbook cannot run:** {}.", evidence.reason))

# %% [markdown]
# ## Global explanations

# %%
display(session.describe("global"))
names = evidence.names
for model in evidence.models:
    display(xb.model_heading(evidence, model))
    display(xb.importance_frame(evidence, model))
    shown = model.capitalize()
    display(
        captioned(
            plots.shap_bar(evidence.frames[f"{model}_importance"], model, names=names),
            f"{shown}: mean absolute SHAP value of each feature over the current sample, in log-odds.",
        )
    )
    display(
        captioned(
            plots.shap_beeswarm(evidence.shap[model], evidence.frames[f"{model}_sample"], model, names=names),
            f"{shown}: SHAP value (log-odds) of each case for the most important features, coloured by the "
            "feature's value (blue low, red high).",
        )
    )
    display(
        captioned(
            plots.shap_dependence(evidence.shap[model], evidence.frames[f"{model}_sample"], model, names=names),
            f"{shown}: SHAP value (log-odds) against the feature's value for the three most important features.",
        )
    )

# %% [markdown]
# ## Local explanations

# %%
display(session.describe("local"))
unit = ctx.params.model_kind.vocabulary.unit
for model in evidence.models:
    display(text("### {}", model.capitalize()))
    display(xb.local_frame(evidence, model))
    for row_id in evidence.local[model]["ids"][:3]:
        display(
            captioned(
                plots.shap_waterfall(evidence.local[model]["shap"][row_id], row_id, model, unit=unit, names=names),
                f"{model.capitalize()}, {unit} {row_id}: the largest SHAP values (log-odds) added up from the "
                "base value to the model's output.",
            )
        )

# %% [markdown]
# ## Checks: additivity and stability

# %%
display(session.describe("checks"))
display(xb.checks_frame(evidence))

# %% [markdown]
# ## Reason codes

# %%
display(session.describe("reason_codes"))
for model in evidence.models:
    display(text("### {}", model.capitalize()))
    display(xb.reasons_summary(evidence, model))

# %% [markdown]
# ## Counterfactuals: what would change the decision

# %%
display(session.describe("counterfactuals"))
for model in evidence.models:
    display(text("### {}", model.capitalize()))
    display(xb.counterfactual_frame(evidence, model))

# %% [markdown]
# ## Settings and conventions

# %%
display(xb.settings_frame(evidence))
session.finish()  # records the timings and the reference profiles used
