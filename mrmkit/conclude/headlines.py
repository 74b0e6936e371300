"""Headlines: an issue stated by its impact, from the numbers, before the tests that show it.

"Defaults are underestimated" is what a committee must read first, with the observed and predicted rates side
by side and their trend, not a list of p-values. Each function takes the package's metrics (all workbooks), the
issue's captures (its VaR level, for example) and the model kind, and returns a sentence or None when the
numbers it needs are missing (the issue then leads with its most severe test).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mrmkit.registry.workbooks import metric
from mrmkit.text.numbers import count, share

__all__ = ["calibration", "var_level", "alert_performance", "level_words", "coverage_words"]


def level_words(metrics: Mapping[str, Any], measure: str, name: str) -> str:
    """A VaR level (``measure`` "VaR") or ES series ("ES") by its coverage: "99% VaR", "97.5% ES"; by its
    name when the evidence has no coverage for it."""
    where = "backtest.var.levels" if measure == "VaR" else "backtest.var.es"
    entry = (metric(metrics, where) or {}).get(name)
    return coverage_words(entry, measure, name)


def coverage_words(entry: Any, measure: str, name: str) -> str:
    """``entry`` (a level's or series' evidence) by its ``coverage``: "99% VaR"; "VaR var 99" without one."""
    coverage = entry.get("coverage") if isinstance(entry, Mapping) else None
    if not isinstance(coverage, (int, float)) or isinstance(coverage, bool):
        return f"{measure} {name.replace('_', ' ')}"
    return f"{share(coverage).replace('.0%', '%')} {measure}"


def _windows(metrics: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    windows = metric(metrics, "backtest.pd.windows") or {}
    return [
        (name, w)
        for name, w in windows.items()
        if isinstance(w, Mapping) and w.get("n") and w.get("observed_rate") is not None and w.get("mean_pd") is not None
    ]


def _against_reference(metrics: Mapping[str, Any]) -> str:
    """On the reference sample, observed against predicted; "" without its outcomes."""
    reference = metric(metrics, "backtest.pd.calibration.portfolio_rates.reference")
    if not isinstance(reference, Mapping) or reference.get("observed_rate") is None:
        return ""
    return (
        f"on the reference sample {share(reference['observed_rate'], 2)} were observed against a mean PD of "
        f"{share(reference['mean_pd'], 2)}"
    )


def _trend(metrics: Mapping[str, Any]) -> str:
    """The cohorts' trend ("the observed default rate rose from 4.2% (2025-01) to 7.7% (2025-06, not yet mature)
    while the mean PD rose from 4.0% to 5.5%"); with fewer than two cohorts the reference sample's rates."""
    windows = _windows(metrics)
    if len(windows) < 2:
        return _against_reference(metrics)
    (first, a), (last, b) = windows[0], windows[-1]
    late = "" if b.get("mature", True) else ", not yet mature"
    moved = "rose" if b["observed_rate"] > a["observed_rate"] else "fell"
    pd_moved = "rose" if b["mean_pd"] > a["mean_pd"] else "fell"
    return (
        f"the observed default rate {moved} from {share(a['observed_rate'])} ({first}) to {share(b['observed_rate'])} "
        f"({last}{late}) while the mean PD {pd_moved} from {share(a['mean_pd'])} to {share(b['mean_pd'])}"
    )


def calibration(metrics: Mapping[str, Any], captures: Mapping[str, str], kind: Any) -> str | None:
    """Under- or overestimation on the mature sample, and the cohorts' trend that shows where it is going."""
    portfolio = metric(metrics, "backtest.pd.calibration.portfolio_jeffreys")
    if not isinstance(portfolio, Mapping) or portfolio.get("observed_rate") is None or portfolio.get("pd") is None:
        return None
    observed, predicted = portfolio["observed_rate"], portfolio["pd"]
    way = "underestimated" if observed > predicted else "overestimated"
    text = (
        f"Defaults are {way}: {share(observed, 2)} observed against a mean PD of {share(predicted, 2)} on "
        f"{count(portfolio['n'])} mature {kind.vocabulary.units}"
    )
    trend = _trend(metrics)
    return f"{text}; {trend}." if trend else f"{text}."


def var_level(metrics: Mapping[str, Any], captures: Mapping[str, str], kind: Any) -> str | None:
    """Exceptions against those expected at the level, with the Basel zone."""
    entry = (metric(metrics, "backtest.var.levels") or {}).get(captures.get("level", ""))
    if not isinstance(entry, Mapping) or entry.get("n") is None or entry.get("coverage") is None:
        return None
    expected = entry["n"] * (1 - entry["coverage"])
    text = (
        f"The {level_words(metrics, 'VaR', captures['level'])} is exceeded too often: {entry['exceptions']} exceptions "
        f"in {count(entry['n'])} days where {expected:.1f} are expected"
    )
    light = entry.get("traffic_light") or {}
    if light.get("applicable"):
        text += f" (Basel {light['zone']} zone)"
    return text + "."


def alert_performance(metrics: Mapping[str, Any], captures: Mapping[str, str], kind: Any) -> str | None:
    """The catch rate and false-positive rate at the operating point, reference against current."""
    tests = metric(metrics, "backtest.classifier.operating_point.tests")
    if not isinstance(tests, Mapping) or not {"recall", "false_positive_rate"} <= set(tests):
        return None
    recall, fpr = tests["recall"], tests["false_positive_rate"]
    if recall.get("reference") is None or recall.get("current") is None:
        return None
    return (
        f"At the operating point the model catches {share(recall['current'])} of {kind.vocabulary.events} against "
        f"{share(recall['reference'])} on the reference sample, with a false-positive rate of "
        f"{share(fpr['current'], 2)} against {share(fpr['reference'], 2)}."
    )
