"""Plain words for what the explainability report shows (issue 27): methods, settings, outcomes and reasons.

The evidence (``metrics.json``) keeps the technical names (``TreeExplainer``, ``LGBMClassifier``, ``top_k``,
``not_found``); the report writes them as a reader says them, and the glossary lists the technical names.
"""

from __future__ import annotations

from typing import Any

from mrmkit.registry.builtin import NO_ACTIONABLE, NOTHING_ALERTED, NOTHING_DECLINED
from mrmkit.text import labels, numbers

__all__ = [
    "method",
    "estimator",
    "SETTING_WORDS",
    "setting_value",
    "small",
    "within",
    "reason",
    "OUTCOME_WORDS",
    "lime_fit_note",
]

#: The SHAP algorithm the explainer class runs, in words.
_METHODS = {
    "TreeExplainer": "exact tree SHAP",
    "LinearExplainer": "exact linear SHAP",
    "ExactExplainer": "exact model-agnostic SHAP (every coalition of features)",
    "PermutationExplainer": "sampled model-agnostic SHAP (feature permutations)",
    "KernelExplainer": "sampled model-agnostic SHAP (kernel weighting)",
}

#: The model family of an estimator class, in words.
_ESTIMATORS = {
    "LGBMClassifier": "gradient-boosted trees model",
    "XGBClassifier": "gradient-boosted trees model",
    "GradientBoostingClassifier": "gradient-boosted trees model",
    "HistGradientBoostingClassifier": "gradient-boosted trees model",
    "RandomForestClassifier": "random forest",
    "ExtraTreesClassifier": "extremely randomised trees model",
    "DecisionTreeClassifier": "decision tree",
    "LogisticRegression": "logistic regression",
    "LogisticRegressionCV": "logistic regression",
    "MLPClassifier": "neural network",
    "SVC": "support vector machine",
}


def method(explainer: str) -> str:
    """``TreeExplainer`` is "exact tree SHAP"; an unknown explainer is "SHAP"."""
    return _METHODS.get(str(explainer), "SHAP")


def estimator(name: str) -> str:
    """``LGBMClassifier`` is "gradient-boosted trees model"; an unknown class is "model"."""
    return _ESTIMATORS.get(str(name), "model")


#: A setting of ``explainability.settings`` as the settings table names it.
SETTING_WORDS = {
    "seed": "random seed",
    "background_size": "background rows (reference sample SHAP compares against)",
    "sample_size": "rows explained (current sample)",
    "additivity_tolerance": "largest additivity error allowed (log-odds)",
    "top_k": "reasons per case",
    "lime_samples": "LIME perturbed samples per case",
    "lime_seeds": "LIME reruns with other seeds (stability check)",
    "operating_point": "operating point",
    "cutoff": "approval cut-off (PD)",
    "output_space": "scale of the explanations",
    "reason_rule": "how reasons are chosen",
}

#: A parameter key in parentheses after the words that name it: " (policy.alert_rate)".

_VALUE_WORDS = {
    "log-odds (SHAP); probability (LIME)": "SHAP in log-odds of the model's output; LIME in probability",
}


def setting_value(key: str, value: Any, top_k: Any = None) -> str:
    """A setting's value as the settings table shows it (the cut-off as a share, tolerances without exponent;
    ``top_k``, the number of reasons per case, in the rule that chooses them)."""
    if value is None:
        return "none"
    if key == "cutoff":
        return numbers.share(value)
    if key == "additivity_tolerance":
        return _small(value)
    if key in ("seed",):
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return numbers.count(value)
    text = _VALUE_WORDS.get(str(value), str(value))
    text = labels.without_cited_keys(text)  # "alert the riskiest 2.00% of cases (policy.alert_rate)"
    reasons = "the features" if top_k is None else f"the {top_k} features"
    return text.replace("top_k features", reasons).replace("PD > cutoff", "PD above the cut-off")


def _small(value: Any) -> str:
    """A small positive number (a tolerance, an error) in plain decimals: ``1e-06`` is ``0.000001``."""
    x = float(value)
    if x == 0:
        return "0"
    text = f"{x:.12f}".rstrip("0").rstrip(".")
    return text if float(text) != 0 else "less than 0.000000000001"


def small(value: Any, floor: float = 1e-6) -> str:
    """An error that should be zero: ``< 0.000001`` below ``floor``, else 2 significant digits in decimals."""
    if value is None:
        return numbers.MISSING
    x = abs(float(value))
    if x == 0:
        return "0"
    if x < floor:
        return f"< {_small(floor)}"
    return _small(float(f"{x:.2g}"))


def within(value: Any) -> str:
    """An error that should be zero, as the end of "differs by ...": "less than 0.000001" or "up to 0.0012"."""
    text = small(value)
    return f"less than {text[2:]}" if text.startswith("< ") else f"up to {text}"


#: A counterfactual's outcome (``status`` in the evidence) in words.
OUTCOME_WORDS = {
    "found": "change found",
    "not_found": "no change found",
    "approved": "already approved",
}

_REASONS = {
    NO_ACTIONABLE: "no feature is named as one the applicant can change",
    NOTHING_DECLINED: NOTHING_DECLINED,
    NOTHING_ALERTED: NOTHING_ALERTED,
    "policy.cutoff is not given, so there is no decline to explain": "the policy gives no approval cut-off, "
    "so there is no decline to explain",
    "no reason-code table (explainability.reason_codes)": "the parameter file gives no reason-code table",
    "model.kind classifier: counterfactuals answer a declined credit applicant's question (what would change the "
    "decision); an alert is not such a decision": "counterfactuals answer a declined credit applicant's question "
    "(what would change the decision); an alert of a classifier is not such a decision",
    "scores-only mode: explanations need the model as an artifact (model.artifact, challenger.artifact)": "only "
    "the models' scores were given; explanations need the models themselves (their files)",
}


def reason(text: Any) -> str:
    """Why a part does not apply, in words (a parameter key or a machine name never reaches the report)."""
    known = _REASONS.get(str(text))
    return known if known is not None else str(text).replace("_", " ")


def lime_fit_note(scores: list[float]) -> str:
    """What the LIME local fits (R²) mean for how far its explanations can be relied on."""
    finite = [float(s) for s in scores if s is not None]
    if not finite:
        return ""
    low, high = min(finite), max(finite)
    span = (
        numbers.fixed(low, 2)
        if numbers.fixed(low, 2) == numbers.fixed(high, 2)
        else (f"{numbers.fixed(low, 2)} to {numbers.fixed(high, 2)}")
    )
    if high < 0.5:
        verdict = (
            "the straight-line model LIME fits near each case explains less than half of how the model's output "
            "varies there, so LIME's weights are a rough guide only; the SHAP values, which add up exactly to the "
            "output, are the explanation to rely on"
        )
    elif low < 0.5:
        verdict = (
            "where the fit is below 0.5 the straight-line model LIME fits near the case explains less than half of "
            "how the output varies there, and its weights are a rough guide only; above 0.5 they are a fair summary"
        )
    else:
        verdict = (
            "the straight-line model LIME fits near each case explains most of how the output varies there, so its "
            "weights are a fair local summary"
        )
    return f"LIME local fit (R²) {span}: {verdict}."
