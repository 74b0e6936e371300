"""The validation report's glossary appendix: the data's columns and the methods the report names.

The report's prose and tables name columns by their labels (:mod:`mrmkit.text.labels`) and methods by plain
words; the glossary is the one place where a column's name in the data (``revolving_utilisation``) stands
beside its label, unit and description, and where each technical term is said in one line. Only the terms of
the sections that ran are listed, so a VaR engine's report explains no SHAP and a PD model's no Kupiec test.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mrmkit.text.labels import Dictionary

__all__ = ["TERMS", "columns", "terms"]

#: (term, one line, sections whose evidence uses it: ``workbook.section`` or a workbook's name for all its sections).
TERMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "PSI (population stability index)",
        "How far a distribution moved: the sum over bins of (current share - reference share) x ln(current share / "
        "reference share); below 0.1 is usually read as stable, above 0.25 as a large shift.",
        ("drift.features", "drift.prediction", "drift.over_time"),
    ),
    (
        "KS (Kolmogorov-Smirnov)",
        "The largest gap between two cumulative distributions (of a feature, or of the scores of defaulters and "
        "non-defaulters); its test asks whether the gap could be chance.",
        ("drift.features", "backtest.pd_discrimination"),
    ),
    (
        "Wasserstein distance",
        "The average distance values must move to turn one distribution into the other, in the feature's unit.",
        ("drift.features",),
    ),
    (
        "Jensen-Shannon distance",
        "A symmetric distance between two distributions, from 0 (identical) to 1 (no overlap).",
        ("drift.features",),
    ),
    (
        "Chi-square test",
        "Whether the counts of categories (or grades) differ between two samples more than chance allows.",
        ("drift.features", "backtest.concentration"),
    ),
    (
        "Multiple-testing adjustment (Holm, Bonferroni, Benjamini-Hochberg)",
        "A correction of p-values for testing many features or grades at once: Holm's and Bonferroni's keep the "
        "chance of any false alarm at the stated level, Benjamini-Hochberg's the expected share of false alarms; "
        "each workbook report's settings say which was used.",
        ("drift.features", "backtest.pd_calibration"),
    ),
    (
        "AUC and Gini",
        "The probability that the model ranks a random bad case above a random good case (0.5 is chance, 1 "
        "perfect); Gini = 2 x AUC - 1.",
        ("backtest.pd_discrimination", "backtest.classifier_operating_point", "champion_challenger.offline"),
    ),
    (
        "Jeffreys test",
        "A test of whether a grade's observed default rate is higher than its PD, using the Jeffreys (Bayesian) "
        "interval of a binomial rate, as the ECB's instructions for validation reporting prescribe.",
        ("backtest.pd_calibration",),
    ),
    (
        "Binomial test",
        "Whether the number of defaults in a grade is higher than its PD predicts, with the exact binomial "
        "distribution.",
        ("backtest.pd_calibration",),
    ),
    (
        "Hosmer-Lemeshow test",
        "Whether observed and predicted default counts agree across all grades at once.",
        ("backtest.pd_calibration",),
    ),
    (
        "Brier score",
        "The mean squared difference between the predicted probability and the outcome (0 or 1); lower is "
        "better, and it is judged against the Brier score of predicting the base rate for every case.",
        ("backtest.pd_calibration", "champion_challenger.offline"),
    ),
    (
        "Herfindahl index",
        "The concentration of cases over the grades: the sum of the squared shares (1 when all are in one grade).",
        ("backtest.concentration",),
    ),
    (
        "Percentage point (pp)",
        "The unit of a change of a share: from 2.0% to 2.5% is +0.5 pp (a 25% relative change).",
        ("drift", "backtest", "champion_challenger"),
    ),
    (
        "p-value",
        "The probability of a result at least as extreme if the null hypothesis held; printed as < 0.0001 below "
        "that floor. On large samples a tiny p-value can come with a small effect, so the effect is shown beside it.",
        ("drift", "backtest", "champion_challenger"),
    ),
    (
        "Two-proportion z test",
        "Whether a rate (catch rate, false-positive rate) differs between two samples more than chance allows.",
        ("backtest.classifier_operating_point",),
    ),
    (
        "Operating point",
        "The rule that turns scores into alerts (alert the riskiest share of cases, or every case above a score).",
        ("backtest.classifier_operating_point", "champion_challenger.alerts"),
    ),
    (
        "DeLong test",
        "A test of the difference between two AUCs measured on the same cases (paired).",
        ("champion_challenger.offline",),
    ),
    (
        "McNemar test",
        "A test of whether two models on the same cases disagree more often in one direction than the other.",
        ("champion_challenger.offline", "champion_challenger.alerts"),
    ),
    (
        "Bootstrap interval",
        "A range for a statistic from recomputing it on many resamples of the cases, drawn with replacement.",
        ("champion_challenger",),
    ),
    (
        "Shadow scoring",
        "Running the challenger on live cases beside the champion without using its decisions.",
        ("champion_challenger.shadow",),
    ),
    (
        "A/B test",
        "Live cases split at random between the champion and the challenger, whose outcomes are compared.",
        ("champion_challenger.ab",),
    ),
    (
        "Adverse impact ratio and four-fifths rule",
        "A group's favourable-decision rate divided by the reference group's; below 0.8 (four fifths) is a "
        "screen for disparate impact.",
        ("champion_challenger.fairness",),
    ),
    (
        "SHAP",
        "Shapley additive explanations: each feature's contribution to one score, adding up to the score minus "
        "the average score; exact for tree ensembles (tree SHAP) and linear models (linear SHAP).",
        ("explainability",),
    ),
    (
        "LIME",
        "A simple linear model fitted around one case to explain its score; its local R-squared says how well "
        "that simple model matches the real one near the case (a low value means an unreliable explanation).",
        ("explainability.local", "explainability.checks"),
    ),
    (
        "Additivity error",
        "How far the SHAP contributions and the average score fall short of the model's score; near zero "
        "(in log-odds) when the explanation is exact.",
        ("explainability.checks",),
    ),
    (
        "Reason code",
        "A fixed statement sent to a declined applicant (or shown with an alert) for a feature that pushed "
        "towards the decision.",
        ("explainability.reason_codes",),
    ),
    (
        "Counterfactual",
        "The smallest change of the features an applicant can act on that would change the decision.",
        ("explainability.counterfactuals",),
    ),
    (
        "VaR (value at risk)",
        "The loss a portfolio should exceed on only the stated share of days (1% of days for a 99% VaR).",
        ("backtest.var",),
    ),
    (
        "Exception",
        "A day whose loss exceeds that day's VaR.",
        ("backtest.var",),
    ),
    (
        "Basel traffic light",
        "Green, yellow or red zone of the number of exceptions in 250 days at 99% VaR (Basel Committee, 1996).",
        ("backtest.var",),
    ),
    (
        "Kupiec test",
        "Whether the number of exceptions matches the VaR's coverage (proportion of failures).",
        ("backtest.var",),
    ),
    (
        "Christoffersen test",
        "Whether exceptions cluster in time (independence); with Kupiec's it makes the conditional coverage test.",
        ("backtest.var",),
    ),
    (
        "Expected shortfall (ES) and Acerbi-Szekely Z2",
        "ES is the average loss beyond the VaR; the Z2 statistic tests whether losses beyond the VaR are larger "
        "or more frequent than the ES says.",
        ("backtest.var",),
    ),
)


def _uses(sections: set[str], where: tuple[str, ...]) -> bool:
    return any(w in sections or any(s.startswith(w + ".") for s in sections) for w in where)


def terms(sections: Iterable[str]) -> list[tuple[str, str]]:
    """(term, meaning) for every term the sections that ran use, in the glossary's order."""
    ran = set(sections)
    return [(term, meaning) for term, meaning, where in TERMS if _uses(ran, where)]


def columns(params: Any) -> list[tuple[str, str, str, str]]:
    """(label, column name, unit, description) of the features, the protected attributes and every other
    column the data dictionary describes; empty for a model with no data section (a VaR engine)."""
    data = getattr(params, "data", None)
    if data is None:
        return []
    named = [*(data.features or []), *(data.protected or []), *(getattr(data, "dictionary", None) or {})]
    return Dictionary.from_params(params).glossary(list(dict.fromkeys(named)))
