"""Parsing and applying shocks by the rules of :mod:`mrmkit.stress.shocks`; :func:`shock_frame`, :func:`apply_shocks`.

:func:`shock_scenario` parses every shock of a scenario first, so a bad shock fails before any work, then
applies them in order to a copy of the frame; :mod:`mrmkit.stress.scenarios` calls it for each scenario
with one shared :class:`~mrmkit.stress.shocks.context._Context`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.errors import InvalidParameters
from mrmkit.stats._base import register
from mrmkit.stress._common import (
    as_list,
    changed_rows,
    check_real,
    reference_position,
    reference_quantile,
    round_half_away,
)
from mrmkit.stress.shocks.context import OPERATIONS, ROUNDING, ShockedFrame, ShockRecord, _Context

__all__ = ["parse_segment", "shock_scenario", "shock_frame", "apply_shocks"]


# ------------------------------------------------------------------------------------ parsing
def parse_segment(ctx: _Context, segment: Any, scenario: str) -> tuple[np.ndarray, tuple[str, tuple[Any, ...]] | None]:
    if segment is None:
        return np.ones(len(ctx.frame), dtype=bool), None
    where = f"The segment of scenario {scenario!r}"
    if not isinstance(segment, Mapping) or set(segment) != {"column", "values"}:
        raise InvalidParameters(
            f"{where} must be a mapping with exactly the keys 'column' and 'values'; got {segment!r}."
        )
    column, values = segment["column"], segment["values"]
    if column not in ctx.frame.columns:
        raise InvalidParameters(
            f"{where} names the column {column!r}, which the frame lacks; it has: {', '.join(map(str, ctx.frame.columns))}."
        )
    items = as_list(values)
    if not items:
        raise InvalidParameters(f"{where} must give 'values' as a non-empty list; got {values!r}.")
    values = items
    seen = set(ctx.frame[column].dropna().unique().tolist())
    unseen = [v for v in values if v not in seen]
    if unseen:
        known = sorted(map(str, seen))
        raise InvalidParameters(
            f"{where}: the value(s) {unseen} do not occur in column {column!r}; it has: {', '.join(known[:30])}"
            + (" ..." if len(known) > 30 else "")
            + "."
        )
    return ctx.frame[column].isin(list(values)).to_numpy(dtype=bool), (str(column), tuple(values))


def _parse_shock(ctx: _Context, shock: Any, index: int, scenario: str) -> tuple[str, str, Any]:
    where = f"Scenario {scenario!r}, shock {index}"
    if not isinstance(shock, Mapping) or "feature" not in shock:
        raise InvalidParameters(
            f"{where} must be a mapping with a 'feature' and one operation, e.g. {{'feature': 'income', 'multiply': 0.8}}; got {shock!r}."
        )
    f = shock["feature"]
    where = f"{where} on feature {f!r}"
    if f not in ctx.features:
        raise InvalidParameters(
            f"{where}: unknown feature; the known features are {', '.join(map(str, ctx.features))}."
        )
    unknown = [k for k in shock if k != "feature" and k not in OPERATIONS]
    ops = [k for k in OPERATIONS if k in shock]
    if unknown or len(ops) != 1:
        got = f"unknown key(s) {unknown}" if unknown else (f"{len(ops)} ({', '.join(ops)})" if ops else "none")
        raise InvalidParameters(f"{where}: a shock takes exactly one operation of {', '.join(OPERATIONS)}; got {got}.")
    op, value = ops[0], shock[ops[0]]
    if f in ctx.categorical:
        if op != "set":
            raise InvalidParameters(f"{where}: {op!r} does not apply to a categorical feature; only 'set' does.")
        cats = ctx.categories(f)
        if value not in cats:
            known = sorted(map(str, cats))
            raise InvalidParameters(
                f"{where}: 'set' to {value!r}, a category never seen in the reference; seen: {', '.join(known[:30])}"
                + (" ..." if len(known) > 30 else "")
                + "."
            )
        return f, op, value
    v = check_real(value)
    if v is None:
        raise InvalidParameters(f"{where}: {op!r} needs a finite number; got {value!r}.")
    if op == "quantile" and not -1.0 <= v <= 1.0:
        raise InvalidParameters(
            f"{where}: 'quantile' must be a shift of quantile position between -1 and 1; got {value!r}."
        )
    if op == "set" and ctx.is_integer(f) and v != np.floor(v):
        raise InvalidParameters(f"{where}: 'set' to {value!r}, but the feature is integer-valued; give a whole number.")
    return f, op, v


# ----------------------------------------------------------------------------------- applying
def _apply_numeric(ctx, out, f, op, value, scope, where) -> dict[str, Any]:
    col = out[f]
    x = col.to_numpy(dtype=np.float64, na_value=np.nan)
    sel = scope & ~np.isnan(x)
    v = x[sel]
    integer, outside, rounded, clipped = ctx.is_integer(f), 0, 0, 0
    if op == "multiply":
        r = v * value
    elif op == "add":
        r = v + value
    elif op == "set":
        r = np.full(v.size, value)
    else:
        ref = ctx.sorted_reference(f, where)
        outside = int(np.count_nonzero((v < ref[0]) | (v > ref[-1])))
        r = reference_quantile(ref, np.clip(reference_position(ref, v) + value, 0.0, 1.0))
    if integer and op != "set":
        whole = round_half_away(r)
        rounded = int(np.count_nonzero(whole != r))
        r = whole
    domain = ctx.domains.get(f)
    if domain is not None:
        bad = (r < domain[0]) | (r > domain[1])
        if bad.any() and not ctx.clip:
            raise InvalidParameters(
                f"{where}: {int(bad.sum())} row(s) fall outside the feature's domain [{domain[0]}, {domain[1]}] after "
                f"the shock; pass clip=True to clip them."
            )
        clipped, r = int(bad.sum()), np.clip(r, domain[0], domain[1])
    if op != "quantile" and ctx.has_reference():  # a quantile shock maps into the reference range; others may leave it
        ref = ctx.sorted_reference(f, where) if ctx.reference_count(f) >= 2 else None
        if ref is not None:
            outside = int(np.count_nonzero((r < ref[0]) | (r > ref[-1])))
    new = x.copy()
    new[sel] = r
    dtype = col.dtype
    if dtype.kind == "f" or (dtype.kind in "iu" and np.all(np.isnan(new) | (np.floor(new) == new))):
        out[f] = pd.Series(new, index=out.index).astype(dtype)
    else:
        out[f] = new
    return {
        "integer": integer,
        "domain": domain,
        "rows_missing": int(np.count_nonzero(scope & np.isnan(x))),
        "rows_changed": int(np.count_nonzero(r != v)),
        "rows_rounded": rounded,
        "rows_clipped": clipped,
        "rows_outside_reference": outside,
    }


def _apply_categorical(ctx, out, f, value, scope) -> dict[str, Any]:
    col = out[f]
    missing = col.isna().to_numpy()
    sel = scope & ~missing
    changed = int(np.count_nonzero(col.to_numpy(dtype=object)[sel] != value))
    if isinstance(col.dtype, pd.CategoricalDtype) and value not in col.cat.categories:
        col = col.cat.add_categories([value])
    col = col.copy()
    col[sel] = value
    out[f] = col
    unseen = ctx.has_reference() and value not in ctx.categories(f)  # a category the reference never has
    return {
        "integer": False,
        "domain": None,
        "rows_missing": int(np.count_nonzero(scope & missing)),
        "rows_changed": changed,
        "rows_rounded": 0,
        "rows_clipped": 0,
        "rows_outside_reference": int(np.count_nonzero(sel)) if unseen else 0,
    }


def shock_scenario(ctx: _Context, shocks: Any, segment: Any, scenario: str) -> ShockedFrame:
    """Parse everything first (so a bad shock fails before any work), then apply in order."""
    if as_list(shocks) is None:
        raise InvalidParameters(f"The shocks of scenario {scenario!r} must be a list of mappings; got {shocks!r}.")
    scope, seg = parse_segment(ctx, segment, scenario)
    specs = [_parse_shock(ctx, s, i, scenario) for i, s in enumerate(shocks, start=1)]
    out = ctx.frame.copy()
    records = []
    for i, (f, op, value) in enumerate(specs, start=1):
        where = f"Scenario {scenario!r}, shock {i} on feature {f!r}"
        if f in ctx.categorical:
            facts = _apply_categorical(ctx, out, f, value, scope)
        else:
            facts = _apply_numeric(ctx, out, f, op, value, scope, where)
        records.append(
            ShockRecord(
                scenario=scenario,
                index=i,
                feature=f,
                operation=op,
                value=value,
                categorical=f in ctx.categorical,
                rows_in_scope=int(scope.sum()),
                **facts,
            )
        )
    shocked = list(dict.fromkeys(f for f, _, _ in specs))
    return ShockedFrame(
        frame=out,
        scenario=scenario,
        shocks=tuple(records),
        segment=seg,
        rows_in_scope=int(scope.sum()),
        rows_changed=int(changed_rows(ctx.frame, out, shocked).sum()),
        categorical=ctx.categorical,
        categorical_rule=ctx.categorical_rule,
        integer_rule=ctx.integer_rule,
        rounding=ROUNDING,
        reference_source=ctx.reference_source,
        reference_rows=len(ctx.reference),
        clip=ctx.clip,
    )


@register("shock_frame")
def shock_frame(
    frame: pd.DataFrame,
    shocks: Sequence[Mapping[str, Any]],
    reference: pd.DataFrame | None = None,
    segment: Mapping[str, Any] | None = None,
    *,
    features: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
    integer_features: Sequence[str] | None = None,
    domains: Mapping[str, tuple[float | None, float | None]] | None = None,
    clip: bool = False,
    scenario: str = "unnamed",
) -> ShockedFrame:
    """Apply ``shocks`` to a copy of ``frame`` and record what each did (see the module docstring).

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows to shock; never modified.
    shocks : list of mappings
        ``{"feature": f, op: value}`` with ``op`` one of ``OPERATIONS``; applied in order.
    reference : pandas.DataFrame, optional
        The distribution behind quantile shocks, the categories ``set`` may use and the detection of
        integer-valued features. Default: ``frame`` itself (recorded as ``reference_source``).
    segment : mapping, optional
        ``{"column": c, "values": [...]}``: shock only the rows whose ``c`` is one of the values.
    features : list of str, optional
        The features that may be shocked (default: every column of ``frame``).
    categorical : list of str, optional
        Categorical features; default: the features of a non-numeric dtype (``categorical_rule``).
    integer_features : list of str, optional
        Features kept whole-numbered; default: numeric features whose reference values are all whole.
    domains : mapping, optional
        ``{feature: (low, high)}``, either bound None for none; see ``clip``.
    clip : bool, default False
        Clip values a shock pushes outside the domain (counted) instead of raising.
    scenario : str
        Name used in error messages and records.

    Returns
    -------
    ShockedFrame
        ``frame`` (the shocked copy), one ``ShockRecord`` per shock, and the rules used.

    Raises
    ------
    InvalidParameters
        One sentence naming the scenario and the feature: unknown feature, no or two operations,
        multiply/add/quantile on a categorical feature, an unseen category, a domain violation.

    Purpose
    -------
    Builds the stressed copy of a portfolio that a scenario describes and records what each shock did,
    so that the input side of a stress test (which rows moved, by how much, which were rounded, clipped
    or pushed beyond the observed data) can be checked before any model scores it.

    Method
    ------
    The shocks are applied in list order to a copy of ``frame`` (module docstring): ``multiply``,
    ``add``, ``set``, or a ``quantile`` shift through the reference's empirical distribution function
    and numpy's linear quantile (Hyndman & Fan type 7), optionally only in a segment. Missing values stay
    missing; whole-number features are rounded half away from zero; a value outside its domain is an
    error unless ``clip``. Every count is recorded in a :class:`ShockRecord`. No model is called and
    nothing is random.

    Signs of high risk
    ------------------
    Many rows clipped or rounded back (the shock is partly neutralised); many rows outside the
    reference (the model would be scored beyond its development data); a segment with few rows in
    scope; a ``set`` to a category that is rare in the reference.

    Strengths
    ---------
    Every transformation is explicit, recorded and exactly reproducible; a bad shock fails before any
    work with a message naming the scenario and the feature; quantile shocks stay inside the observed
    range of the reference.

    Limitations
    -----------
    Features are shocked one by one, so their joint distribution is not kept (an income fall does not
    move debt-to-income); the size of a shock is the user's choice, not derived from a macroeconomic
    scenario or its likelihood; a quantile shock cannot reach values the reference never had.

    References
    ----------
    Basel Committee on Banking Supervision (2009). Principles for sound stress testing practices and
    supervision. Bank for International Settlements.
    Basel Committee on Banking Supervision (2018). Stress testing principles. Bank for International
    Settlements.
    Hyndman, R. J. & Fan, Y. (1996). Sample quantiles in statistical packages. The American
    Statistician 50(4), 361-365.
    """
    ctx = _Context(frame, reference, features, categorical, integer_features, domains, clip, "shock_frame")
    return shock_scenario(ctx, shocks, segment, str(scenario))


def apply_shocks(
    frame: pd.DataFrame,
    shocks: Sequence[Mapping[str, Any]],
    reference: pd.DataFrame | None = None,
    segment: Mapping[str, Any] | None = None,
    *,
    features: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
    integer_features: Sequence[str] | None = None,
    domains: Mapping[str, tuple[float | None, float | None]] | None = None,
    clip: bool = False,
    scenario: str = "unnamed",
) -> pd.DataFrame:
    """A shocked copy of ``frame``: :func:`shock_frame` (same parameters and errors) without the record.

    Use :func:`shock_frame` to see how many rows each shock changed, rounded or clipped.
    """
    return shock_frame(
        frame,
        shocks,
        reference,
        segment,
        features=features,
        categorical=categorical,
        integer_features=integer_features,
        domains=domains,
        clip=clip,
        scenario=scenario,
    ).frame
