"""Stress scenarios for a PD model given as an artifact: PD level, distribution, approvals, grades, EL."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from mrmkit.errors import InvalidParameters
from mrmkit.stats._base import Result, register
from mrmkit.stress._common import (
    APPROVAL_RULE,
    SCORING_NOTE,
    as_list,
    changed_rows,
    check_cutoff,
    check_features,
    check_frame,
    check_real,
    quantiles,
    relative,
    score,
)
from mrmkit.stress.shocks import ROUNDING, ShockRecord, _Context, shock_scenario

__all__ = ["run_scenarios", "ScenarioRow", "ScenarioResult", "QUANTILE_LEVELS", "DEFAULT_BIN_EDGES", "BASELINE"]

BASELINE = "baseline"
QUANTILE_LEVELS: tuple[float, ...] = (0.05, 0.25, 0.5, 0.75, 0.95)
#: PD histogram edges shared by all scenarios unless ``bin_edges`` is given: doubling bands from 0.125 %.
DEFAULT_BIN_EDGES: tuple[float, ...] = (0.0, 0.00125, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.0)
BIN_RULE = "right-closed bands (e[i-1], e[i]], the first one [e[0], e[1]]"
GRADE_RULE = "grade = first grade whose upper PD bound is >= PD (right-closed bands)"
QUANTILE_METHOD = "numpy.quantile, method 'linear' (Hyndman & Fan type 7)"


@dataclass(frozen=True, slots=True)
class ScenarioRow(Result):
    """One scenario. Changes are scenario minus baseline; relative changes divide by the baseline (NaN if 0).

    ``rows_in_scope``: rows of the scenario's segment (all rows without one; 0 for the baseline);
    ``rows_changed``: rows where a shock changed at least one feature value (only those are re-scored).
    """

    name: str
    segment: tuple[str, tuple[Any, ...]] | None
    rows_in_scope: int
    rows_changed: int
    mean_pd: float
    mean_pd_change: float
    mean_pd_change_relative: float
    pd_quantiles: tuple[float, ...]
    histogram_counts: tuple[int, ...]
    histogram_shares: tuple[float, ...]
    approval_rate: float
    approval_rate_change: float
    grade_shares: tuple[float, ...] | None
    expected_loss: float | None
    expected_loss_change: float | None
    expected_loss_change_relative: float | None
    shocks: tuple[ShockRecord, ...]


@dataclass(frozen=True, slots=True)
class ScenarioResult(Result):
    """The baseline (first row) and every scenario, with every convention used."""

    rows: tuple[ScenarioRow, ...]
    n_rows: int
    features: tuple[str, ...]
    cutoff: float
    approval_rule: str
    quantile_levels: tuple[float, ...]
    quantile_method: str
    bin_edges: tuple[float, ...]
    bin_rule: str
    grade_labels: tuple[str, ...] | None
    grade_bounds: tuple[float, ...] | None
    grade_rule: str | None
    expected_loss_note: str
    categorical: tuple[str, ...]
    categorical_rule: str
    integer_rule: str
    rounding: str
    domains: tuple[tuple[str, float, float], ...]
    clip: bool
    reference_source: str
    reference_rows: int
    scoring: str

    def row(self, name: str) -> ScenarioRow:
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(f"no scenario named {name!r}; scenarios: {', '.join(r.name for r in self.rows)}")

    def to_frame(self) -> pd.DataFrame:
        """One row per scenario (baseline first); quantiles, grade and histogram shares as columns."""
        bins = [
            f"pd_share {'[' if i == 0 else '('}{lo:g}, {hi:g}]"
            for i, (lo, hi) in enumerate(zip(self.bin_edges[:-1], self.bin_edges[1:], strict=True))
        ]
        records = []
        for r in self.rows:
            rec: dict[str, Any] = {
                "scenario": r.name,
                "segment": None if r.segment is None else f"{r.segment[0]} in {', '.join(map(str, r.segment[1]))}",
                "rows_in_scope": r.rows_in_scope,
                "rows_changed": r.rows_changed,
                "mean_pd": r.mean_pd,
                "mean_pd_change": r.mean_pd_change,
                "mean_pd_change_relative": r.mean_pd_change_relative,
            }
            rec.update(
                {f"pd_q{round(100 * q):02d}": v for q, v in zip(self.quantile_levels, r.pd_quantiles, strict=True)}
            )
            rec.update(
                approval_rate=r.approval_rate,
                approval_rate_change=r.approval_rate_change,
                expected_loss=r.expected_loss,
                expected_loss_change=r.expected_loss_change,
                expected_loss_change_relative=r.expected_loss_change_relative,
            )
            if self.grade_labels is not None and r.grade_shares is not None:
                rec.update({f"grade_share {g}": s for g, s in zip(self.grade_labels, r.grade_shares, strict=True)})
            rec.update(dict(zip(bins, r.histogram_shares, strict=True)))
            records.append(rec)
        return pd.DataFrame.from_records(records)


def _edges(values: Any, name: str, *, first_zero: bool) -> tuple[float, ...]:
    """Bin edges (from 0 to 1) or grade upper bounds (above 0, up to 1): strictly increasing, last 1."""
    arr, items = None, as_list(values)
    if items is not None and len(items) >= 1 + first_zero:
        reals = [check_real(v) for v in items]
        arr = None if None in reals else np.asarray(reals, dtype=np.float64)
    if arr is None or np.any(np.diff(arr) <= 0) or arr[-1] != 1.0 or (arr[0] != 0.0 if first_zero else arr[0] <= 0.0):
        start = "start at 0" if first_zero else "are above 0"
        raise InvalidParameters(
            f"The {name!r} parameter of run_scenarios must be strictly increasing PDs that {start} "
            f"and end at 1; got {values!r}."
        )
    return tuple(float(v) for v in arr)


def _loss_inputs(exposure: Any, lgd: Any, n: int) -> tuple[np.ndarray | None, str]:
    if exposure is None and lgd is None:
        return None, "expected loss not computed: 'exposure' and 'lgd' were not given"
    if exposure is None or lgd is None:
        raise InvalidParameters(
            "The 'exposure' and 'lgd' parameters of run_scenarios go together; give both or neither."
        )
    arrays = []
    for name, value, high in (("exposure", exposure, np.inf), ("lgd", lgd, 1.0)):
        try:
            arr = np.broadcast_to(np.asarray(value, dtype=np.float64), (n,))
        except (TypeError, ValueError) as exc:
            raise InvalidParameters(
                f"The {name!r} parameter of run_scenarios must be a number or one number per row "
                f"({n}); got {np.shape(value)}: {exc}."
            ) from exc
        bad = ~np.isfinite(arr) | (arr < 0) | (arr > high)
        if bad.any():
            allowed = "finite and >= 0" if name == "exposure" else "between 0 and 1"
            raise InvalidParameters(
                f"The {name!r} parameter of run_scenarios must be {allowed}; {int(bad.sum())} value(s) are not."
            )
        arrays.append(arr)
    return arrays[0] * arrays[1], "expected loss = sum(PD x LGD x EAD) with the same EAD and LGD in every scenario"


def _check_scenarios(scenarios: Any) -> list[tuple[str, Any, Any]]:
    items = as_list(scenarios)
    if items is None:
        raise InvalidParameters(
            f"The 'scenarios' parameter of run_scenarios must be a list of mappings; got {scenarios!r}."
        )
    out, seen = [], set()
    for i, s in enumerate(items, start=1):
        if not isinstance(s, Mapping) or not {"name", "shocks"} <= set(s) or set(s) - {"name", "shocks", "segment"}:
            raise InvalidParameters(
                f"Scenario {i} of run_scenarios must be a mapping with the keys 'name', 'shocks' and "
                f"optionally 'segment'; got {s!r}."
            )
        name = s["name"]
        if not isinstance(name, str) or not name.strip():
            raise InvalidParameters(f"Scenario {i} of run_scenarios needs a non-empty string 'name'; got {name!r}.")
        if name == BASELINE:
            raise InvalidParameters(
                f"Scenario {i} of run_scenarios is named {BASELINE!r}, which is reserved for the "
                "unshocked row that is always included; rename it."
            )
        if name in seen:
            raise InvalidParameters(
                f"Scenario name {name!r} appears more than once in run_scenarios; names must be unique."
            )
        if as_list(s["shocks"]) == []:
            raise InvalidParameters(f"Scenario {name!r} of run_scenarios has no shocks; it would repeat the baseline.")
        seen.add(name)
        out.append((name, s["shocks"], s.get("segment")))
    return out


@register("run_scenarios")
def run_scenarios(
    model: Any,
    frame: pd.DataFrame,
    features: Sequence[str],
    scenarios: Sequence[Mapping[str, Any]],
    cutoff: float,
    grade_bounds: Sequence[float] | None = None,
    exposure: Any = None,
    lgd: Any = None,
    domains: Mapping[str, tuple[float | None, float | None]] | None = None,
    clip: bool = False,
    *,
    reference: pd.DataFrame | None = None,
    categorical: Sequence[str] | None = None,
    integer_features: Sequence[str] | None = None,
    grade_labels: Sequence[str] | None = None,
    bin_edges: Sequence[float] | None = None,
) -> ScenarioResult:
    """Score a portfolio under named input shocks and compare every scenario with the unshocked baseline.

    Parameters
    ----------
    model : object with ``predict_proba(frame)``
        E.g. a scikit-learn pipeline taking the feature columns by name; PD is column 1.
    frame : pandas.DataFrame
        The portfolio; never modified. ``frame[features]`` is what the model sees.
    features : list of str
        Model features, in the order the model expects; only these can be shocked.
    scenarios : list of mappings
        ``{"name": str, "shocks": [...], "segment": {...} (optional)}``; shocks and segments as in
        :func:`mrmkit.stress.shock_frame`. Names are unique; ``"baseline"`` is reserved.
    cutoff : float
        PD cut-off of the credit decision: approve when PD <= cutoff.
    grade_bounds : list of float, optional
        Upper PD bound of each grade, increasing, the last 1; a PD equal to a bound belongs to that grade.
    exposure, lgd : number or array, optional
        EAD and LGD per row (positional, in the order of ``frame``), or one number for all rows.
    domains, clip
        Feature domains ``{feature: (low, high)}`` and whether to clip shocked values into them.
    reference : pandas.DataFrame, optional
        Distribution for quantile shocks, categories and integer detection; default ``frame``.
    categorical, integer_features
        Override the dtype-based categorical and the whole-number detection (both recorded).
    grade_labels : list of str, optional
        Names of the grades (default: their PD bands).
    bin_edges : list of float, optional
        PD histogram edges from 0 to 1 shared by all scenarios; default ``DEFAULT_BIN_EDGES``.

    Returns
    -------
    ScenarioResult
        ``rows`` (baseline first, then the scenarios in the order given) and the conventions used;
        ``to_frame()`` gives one row per scenario.

    Purpose
    -------
    Shows how the model's PD level, PD distribution, approval rate, rating-grade mix and expected loss
    respond to adverse but plausible changes in its inputs (income falls, utilisation rises), as
    sensitivity and stress-testing evidence for an independent validation.

    Method
    ------
    The baseline scores ``frame[features]`` once. Each scenario applies its shocks to a copy of the frame
    (:mod:`mrmkit.stress.shocks`) and re-scores only the rows whose features changed; other rows keep
    their baseline PD, which is exact for any model that scores rows independently. Per scenario: mean
    PD and its change; PD quantiles 5/25/50/75/95 %; shares on fixed right-closed PD bands; approval rate
    (share with PD <= cutoff); grade shares; ``EL = sum(PD x LGD x EAD)`` with unchanged EAD and LGD.
    BLAS runs on one thread while scoring, so results do not depend on the core count. Nothing is random.

    Signs of high risk
    ------------------
    Large PD or approval-rate moves under mild shocks (an unstable model); PD falling under an adverse
    shock (a counter-intuitive sign); a scenario that barely moves a model reliant on the shocked feature
    (the rounding, domain clipping or segment may have neutralised it: read ``shocks``).

    Strengths
    ---------
    Works on the model artifact alone, for any model type; every transformation of the data is explicit
    and recorded; results are exactly reproducible.

    Limitations
    -----------
    Shocks move features one by one and ignore their joint behaviour (an income fall would also move
    debt-to-income); PD response only: EAD and LGD are not stressed and no macroeconomic model links the
    scenario to a probability of occurring. Tree models are flat outside their training range.

    References
    ----------
    Basel Committee on Banking Supervision (2018). Stress testing principles. Bank for International
    Settlements.
    Board of Governors of the Federal Reserve System (2011). Supervisory Guidance on Model Risk Management,
    SR 11-7 (sensitivity analysis and stress testing as part of outcomes analysis).
    European Banking Authority (2018). Guidelines on institutions' stress testing, EBA/GL/2018/04.
    """
    func = "run_scenarios"
    frame = check_frame(frame, func)
    features = check_features(features, frame, func)
    cut = check_cutoff(cutoff, func)
    specs = _check_scenarios(scenarios)
    edges = _edges(DEFAULT_BIN_EDGES if bin_edges is None else bin_edges, "bin_edges", first_zero=True)
    bounds = labels = None
    if grade_bounds is not None:
        bounds = _edges(grade_bounds, "grade_bounds", first_zero=False)
        labels = tuple(("[0, " if i == 0 else f"({bounds[i - 1]:g}, ") + f"{b:g}]" for i, b in enumerate(bounds))
        if grade_labels is not None:
            names = as_list(grade_labels)
            if names is None or len(names) != len(bounds) or len(set(names)) != len(bounds):
                raise InvalidParameters(
                    f"The 'grade_labels' parameter of run_scenarios must be {len(bounds)} distinct "
                    f"names, one per grade bound; got {grade_labels!r}."
                )
            labels = tuple(map(str, names))
    elif grade_labels is not None:
        raise InvalidParameters("The 'grade_labels' parameter of run_scenarios needs 'grade_bounds'.")
    n = len(frame)
    loss_weight, el_note = _loss_inputs(exposure, lgd, n)
    ctx = _Context(frame, reference, features, categorical, integer_features, domains, clip, func)
    inner = np.asarray(edges[1:-1])

    def summary(name: str, pd_: np.ndarray, meta: tuple | None = None, base: ScenarioRow | None = None) -> ScenarioRow:
        segment, in_scope, changed, records = (None, 0, 0, ()) if meta is None else meta
        mean = float(np.mean(pd_)) if n else math.nan
        approve = float(np.mean(pd_ <= cut)) if n else math.nan
        counts = np.bincount(np.searchsorted(inner, pd_, side="left"), minlength=len(edges) - 1)
        grades = None
        if bounds is not None:
            idx = np.minimum(np.searchsorted(np.asarray(bounds), pd_, side="left"), len(bounds) - 1)
            grades = tuple(float(v) for v in np.bincount(idx, minlength=len(bounds)) / max(n, 1))
        el = None if loss_weight is None else float(np.sum(pd_ * loss_weight))
        b_mean, b_appr, b_el = (
            (mean, approve, el) if base is None else (base.mean_pd, base.approval_rate, base.expected_loss)
        )
        return ScenarioRow(
            name=name,
            segment=segment,
            rows_in_scope=in_scope,
            rows_changed=changed,
            mean_pd=mean,
            mean_pd_change=mean - b_mean,
            mean_pd_change_relative=relative(mean - b_mean, b_mean),
            pd_quantiles=quantiles(pd_, QUANTILE_LEVELS),
            histogram_counts=tuple(int(c) for c in counts),
            histogram_shares=tuple(float(c) / max(n, 1) for c in counts),
            approval_rate=approve,
            approval_rate_change=approve - b_appr,
            grade_shares=grades,
            expected_loss=el,
            expected_loss_change=None if el is None else el - b_el,
            expected_loss_change_relative=None if el is None else relative(el - b_el, b_el),
            shocks=records,
        )

    # Shock every scenario before scoring anything, so that a bad scenario fails fast; keep only the
    # changed rows of each shocked frame.
    prepared = []
    for name, shocks, segment in specs:
        shocked = shock_scenario(ctx, shocks, segment, name)
        idx = np.flatnonzero(changed_rows(frame, shocked.frame, features))
        meta = (shocked.segment, shocked.rows_in_scope, shocked.rows_changed, shocked.shocks)
        prepared.append((name, meta, idx, shocked.frame[list(features)].iloc[idx]))
        del shocked
    with threadpool_limits(limits=1, user_api="blas"):
        base_pd = score(model, frame[list(features)], "on the baseline (unshocked) frame")
        rows = [summary(BASELINE, base_pd)]
        for name, meta, idx, changed in prepared:
            pd_ = base_pd.copy()
            pd_[idx] = score(model, changed, f"in scenario {name!r}")
            rows.append(summary(name, pd_, meta, rows[0]))
    return ScenarioResult(
        rows=tuple(rows),
        n_rows=n,
        features=features,
        cutoff=cut,
        approval_rule=APPROVAL_RULE,
        quantile_levels=QUANTILE_LEVELS,
        quantile_method=QUANTILE_METHOD,
        bin_edges=edges,
        bin_rule=BIN_RULE,
        grade_labels=labels,
        grade_bounds=bounds,
        grade_rule=None if bounds is None else GRADE_RULE,
        expected_loss_note=el_note,
        categorical=ctx.categorical,
        categorical_rule=ctx.categorical_rule,
        integer_rule=ctx.integer_rule,
        rounding=ROUNDING,
        domains=tuple((f, lo, hi) for f, (lo, hi) in ctx.domains.items()),
        clip=ctx.clip,
        reference_source=ctx.reference_source,
        reference_rows=len(ctx.reference),
        scoring=SCORING_NOTE,
    )
