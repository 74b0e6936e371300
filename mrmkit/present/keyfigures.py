"""What the validation report shows of each section that ran: a few key figures and its conventions.

Both are keyed by ``workbook.section`` (:mod:`mrmkit.registry.workbooks`), so the report shows the figures
and the conventions of the sections that ran in the package and of no other: a VaR engine's report has no
PD cut-off, a PD model's no traffic light. Every metric key read here is declared in the metrics schema
(:func:`mrmkit.evidence.schema.key`), so a renamed key fails a test instead of showing "n/a".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from mrmkit.conclude.headlines import coverage_words
from mrmkit.evidence import schema
from mrmkit.registry.workbooks import metric
from mrmkit.text import labels, numbers

__all__ = ["FIGURES", "CONVENTIONS", "EXPLAINERS", "fmt", "key_figures", "conventions"]

Rows = list[tuple[str, str]]


def fmt(value: Any, kind: str = "g") -> str:
    """A metric for a table cell (:mod:`mrmkit.text.numbers`): ``pct`` a share as a percentage, ``p`` a p-value
    with its display floor, ``g`` a statistic at three decimals (AUC, PSI), whole numbers with separators."""
    if value is None:
        return numbers.MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dict, list, tuple)):
        from mrmkit.workbooks.display import plain

        return str(plain(value))
    if isinstance(value, int) or (isinstance(value, float) and kind == "g" and float(value).is_integer()):
        return numbers.count(value)
    if isinstance(value, float):
        return {"pct": lambda v: numbers.share(v, 2), "p": numbers.p_value, "g": numbers.fixed}[kind](value)
    return str(value)


#: SHAP's explainers in a reader's words (the class name is in the explainability report's glossary).
EXPLAINERS = {
    "TreeExplainer": "tree SHAP (exact)",
    "LinearExplainer": "linear SHAP (exact)",
    "KernelExplainer": "kernel SHAP (sampled)",
    "PermutationExplainer": "permutation SHAP (sampled)",
    "ExactExplainer": "exact SHAP",
}


def _m(metrics: Mapping[str, Any], workbook: str, dotted: str) -> Any:
    """The value at a declared key of ``workbook``'s metrics (``*`` takes the first entry that has the rest)."""
    schema.key(f"{workbook}.{dotted}", dotted_names=False)
    head, _, rest = dotted.partition(".*.")
    if not rest:
        return metric(metrics, dotted)
    for entry in (metric(metrics, head) or {}).values():
        found = metric(entry, rest) if isinstance(entry, Mapping) else None
        if found is not None:
            return found
    return None


# ---- key figures, per section ------------------------------------------------------------------------------


def _drift_features(m: Mapping[str, Any], words: Any, currency: str | None = None) -> Rows:
    c = _m(m, "drift", "summary.status_counts") or {}
    return [
        ("features compared", fmt(_m(m, "drift", "summary.n_features"))),
        (
            "feature statuses, PSI and top-driver rule (green / amber / red)",
            f"{c.get('green', 0)} / {c.get('amber', 0)} / {c.get('red', 0)}",
        ),
        ("retraining signal", fmt(_m(m, "drift", "retraining.signal"))),
    ]


def _drift_prediction(m: Mapping[str, Any], words: Any, currency: str | None = None) -> Rows:
    return [("score PSI", fmt(_m(m, "drift", "score.psi")))]


def _pd_discrimination(m: Mapping[str, Any], words: Any, currency: str | None = None) -> Rows:
    return [
        ("AUC, mature current sample", fmt(_m(m, "backtest", "pd.discrimination.current.auc"))),
        (
            "ECB AUC test p (H0: not deteriorated)",
            fmt(_m(m, "backtest", "pd.discrimination.auc_initial_test.p_value"), "p"),
        ),
    ]


def _judged_p(m: Mapping[str, Any], test: str) -> str:
    """A calibration test's p-value, or "not enough data" when the policy's minimum left it unjudged."""
    if _m(m, "backtest", f"pd.calibration.{test}.status") == "not enough data":
        return "not enough data"
    return fmt(_m(m, "backtest", f"pd.calibration.{test}.p_value"), "p")


def _pd_calibration(m: Mapping[str, Any], words: Any, currency: str | None = None) -> Rows:
    rates = "pd.calibration.portfolio_rates"

    def rate_pair(sample: str) -> str:
        observed = fmt(_m(m, "backtest", f"{rates}.{sample}.observed_rate"), "pct")
        return f"{observed} / {fmt(_m(m, 'backtest', f'{rates}.{sample}.mean_pd'), 'pct')}"

    untested = _m(m, "backtest", "pd.calibration.untested_grades") or []
    return [
        ("observed default rate / mean PD, reference", rate_pair("reference")),
        ("observed default rate / mean PD, mature current", rate_pair("current")),
        ("Jeffreys p, whole portfolio", _judged_p(m, "portfolio_jeffreys")),
        ("Hosmer-Lemeshow p", _judged_p(m, "hosmer_lemeshow")),
        (
            "grades not tested (not enough data)",
            ", ".join(str(u.get("grade")) for u in untested) if untested else "none",
        ),
    ]


def _operating_point(m: Mapping[str, Any], words: Any, currency: str | None = None) -> Rows:
    point = "classifier.operating_point"

    def pair(field: str) -> str:
        ref = fmt(_m(m, "backtest", f"{point}.reference.{field}"), "pct")
        return f"{ref} / {fmt(_m(m, 'backtest', f'{point}.current.{field}'), 'pct')}"

    return [
        ("operating point", fmt(_m(m, "backtest", f"{point}.rule"))),
        ("AUC, mature current sample", fmt(_m(m, "backtest", "classifier.discrimination.current.auc"))),
        ("catch rate, reference / current", pair("recall")),
        ("false-positive rate, reference / current", pair("false_positive_rate")),
        ("precision, current", fmt(_m(m, "backtest", f"{point}.current.precision"), "pct")),
        (
            "expected cost per 1,000 cases, current",
            numbers.amount(_m(m, "backtest", f"{point}.current.expected_cost.per_1000"), currency),
        ),
    ]


def _var(m: Mapping[str, Any], words: Any, currency: str | None = None) -> Rows:
    return [
        ("VaR traffic light (primary level)", fmt(_m(m, "backtest", "var.traffic_light.zone"))),
        ("Kupiec p, exact (primary level)", fmt(_m(m, "backtest", "var.kupiec_pof.p_value_exact"), "p")),
    ]


def _es(m: Mapping[str, Any], words: Any, currency: str | None = None) -> Rows:
    es = _m(m, "backtest", "var.es") or {}
    return [
        (
            f"{coverage_words(v, 'ES', k)}: Z2 (critical value)",
            f"{fmt(v.get('statistic'))} ({fmt(v.get('critical_value'))})",
        )
        for k, v in es.items()
    ]


def _stress(m: Mapping[str, Any], words: Any, currency: str | None = None) -> Rows:
    rows = _m(m, "backtest", "stress.rows") or []
    return [("stress scenarios run", fmt(len(rows)))]


def _sensitivity(m: Mapping[str, Any], words: Any, currency: str | None = None) -> Rows:
    return [("features perturbed one at a time", fmt(len(_m(m, "backtest", "sensitivity.features") or [])))]


def _recommendation(m: Mapping[str, Any], words: Any, currency: str | None = None) -> Rows:
    return [("recommendation", fmt(_m(m, "champion_challenger", "decision.recommendation")))]


def _offline(m: Mapping[str, Any], words: Any, currency: str | None = None) -> Rows:
    cc = "champion_challenger"
    return [
        (
            "AUC champion / challenger",
            f"{fmt(_m(m, cc, 'champion.auc.value'))} / {fmt(_m(m, cc, 'challenger.auc.value'))}",
        ),
        ("paired DeLong p (two-sided)", fmt(_m(m, cc, "delong.p_value"), "p")),
    ]


def _alerts(m: Mapping[str, Any], words: Any, currency: str | None = None) -> Rows:
    cc = "champion_challenger"

    def pair(field: str) -> str:
        return f"{fmt(_m(m, cc, f'alerts.{field}.rate_a'), 'pct')} / {fmt(_m(m, cc, f'alerts.{field}.rate_b'), 'pct')}"

    return [
        ("catch rate champion / challenger (same alert rate)", pair("catch_rate")),
        ("false-positive rate champion / challenger", pair("false_positive_rate")),
    ]


def _shadow(m: Mapping[str, Any], words: Any, currency: str | None = None) -> Rows:
    return [("shadow coverage", fmt(_m(m, "champion_challenger", "shadow.coverage"), "pct"))]


def _global(m: Mapping[str, Any], words: Any, currency: str | None = None) -> Rows:
    models = _m(m, "explainability", "models") or {}
    shown = (
        f"{k}: {EXPLAINERS.get(str(v.get('explainer')), labels.humanize(v.get('explainer')).lower())}"
        for k, v in models.items()
    )
    return [("explanation method", ", ".join(shown) or numbers.MISSING)]


def _checks(m: Mapping[str, Any], words: Any, currency: str | None = None) -> Rows:
    error = _m(m, "explainability", "shap.additivity_max_abs_error")
    if isinstance(error, (int, float)) and error < 1e-6:
        shown = "below 0.000001 (the explanations add up to the scores)"
    else:
        shown = fmt(error, "p") if isinstance(error, (int, float)) and error < 1e-3 else fmt(error)
    return [("largest SHAP additivity error (log-odds)", shown)]


def _reason_codes(m: Mapping[str, Any], words: Any, currency: str | None = None) -> Rows:
    models = _m(m, "explainability", "models") or {}
    counts = ", ".join(f"{k}: {fmt(metric(v, 'reason_codes.n_rows'))}" for k, v in models.items())
    return [(f"{words.adverse_cases} given reason codes", counts or "n/a")]


#: Key figures of each section, for the report's summary of a workbook (the evidence is in its report).
FIGURES: dict[str, Callable[[Mapping[str, Any], Any, str | None], Rows]] = {
    "drift.features": _drift_features,
    "drift.prediction": _drift_prediction,
    "backtest.pd_discrimination": _pd_discrimination,
    "backtest.pd_calibration": _pd_calibration,
    "backtest.classifier_operating_point": _operating_point,
    "backtest.var": _var,
    "backtest.es": _es,
    "backtest.stress": _stress,
    "backtest.sensitivity": _sensitivity,
    "champion_challenger.recommendation": _recommendation,
    "champion_challenger.offline": _offline,
    "champion_challenger.alerts": _alerts,
    "champion_challenger.shadow": _shadow,
    "explainability.global": _global,
    "explainability.checks": _checks,
    "explainability.reason_codes": _reason_codes,
}


def key_figures(sections: Iterable[str], metrics: Mapping[str, Any], words: Any, currency: str | None = None) -> Rows:
    """The key figures of the sections (``workbook.section`` ids) that ran, in section order; amounts in
    ``currency`` (``model.currency``)."""
    return [row for s in sections if s in FIGURES for row in FIGURES[s](metrics, words, currency)]


# ---- conventions, per section ------------------------------------------------------------------------------


def _psi(params: Any) -> Rows:
    p = params.policy
    return [
        (
            "PSI",
            "bins at the reference sample's deciles (right-closed, outer edges at ±infinity), an empty bin counted "
            f"as a share of {numbers.share(1e-4, 2)}, missing values in a bin of their own; amber from "
            f"{p.psi.amber:g}, red from {p.psi.red:g}",
        ),
        (
            "Retraining signal",
            f"PSI above {p.retraining.psi:g} on {p.retraining.min_features} or more features, or on the score "
            "(whole sample or latest window)",
        ),
    ]


def _pd_tests(params: Any) -> Rows:
    p = params.policy
    return [
        (
            "Outcome tests",
            "one-sided where stated (H0: PD not underestimated; AUC not deteriorated); amber below p "
            f"{p.p_value.amber:g}, red below {p.p_value.red:g}",
        ),
        (
            "Decision cut-off",
            f"approve when the PD is at most {numbers.share(p.cutoff)}" if p.cutoff is not None else "not given",
        ),
    ]


def _classifier_tests(params: Any) -> Rows:
    from mrmkit.workbooks.alerts import operating_text

    p = params.policy

    def amount(x: float) -> str:
        return numbers.amount(x, params.model.currency, digits=0 if float(x).is_integer() else 2)

    costs = (
        f"; expected cost per case: false positive {amount(p.costs.false_positive)}, false negative "
        f"{amount(p.costs.false_negative)}, true positive {amount(p.costs.true_positive)}"
        if p.costs
        else ""
    )
    return [
        ("Operating point", operating_text(p) + costs),
        (
            "Outcome tests",
            "catch rate and false-positive rate, current against reference, one-sided two-proportion z tests; "
            "champion against challenger at the same alert rate by the exact McNemar test; PD calibration tests "
            f"do not apply; amber below p {p.p_value.amber:g}, red below {p.p_value.red:g}",
        ),
    ]


def _var_tests(params: Any) -> Rows:
    p = params.policy
    return [
        (
            "VaR and ES tests",
            "an exception is a day whose loss exceeds that day's VaR (P&L below minus VaR); Kupiec by its exact "
            "p-value, Z2 one-sided "
            f"(H0: ES not understated); amber below p {p.p_value.amber:g}, red below {p.p_value.red:g}; at least "
            f"{p.min_sample.var_days:,} days",
        )
    ]


#: Conventions of each section, for the report's table of conventions and thresholds.
CONVENTIONS: dict[str, Callable[[Any], Rows]] = {
    "drift.features": _psi,
    "backtest.pd_discrimination": _pd_tests,
    "backtest.classifier_operating_point": _classifier_tests,
    "backtest.var": _var_tests,
}


def conventions(sections: Iterable[str], params: Any) -> Rows:
    """The conventions of the sections that ran, then the seed and where the rest is documented."""
    rows = [row for s in sections if s in CONVENTIONS for row in CONVENTIONS[s](params)]
    return rows + [
        ("Seed", str(params.seed)),
        ("Full conventions", "the README's 'Statistical conventions'; each workbook report ends with its settings"),
    ]
