"""Reason-code assignment: the result class, the checks and the ranking rules, and :func:`reason_codes`.

The ranking (:func:`_rank`) turns per-feature values towards a higher PD into a row's principal reasons
by the rules of :mod:`mrmkit.explain.reasons`; :func:`reason_codes` applies it to contributions (e.g.
SHAP values in log-odds), and :mod:`mrmkit.explain.reasons.scorecard` to a scorecard's points below the
maximum.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.errors import InvalidInput, InvalidParameters
from mrmkit.stats._base import Result, check_int, register

__all__ = ["ReasonCodes", "reason_codes", "REASON_COLUMNS", "FREQUENCY_COLUMNS", "RULES"]

REASON_COLUMNS = ("id", "rank", "feature", "code", "statement", "contribution")
FREQUENCY_COLUMNS = ("code", "statement", "count", "share_of_declines", "share_first", "share_of_reasons")


@dataclass(frozen=True, slots=True)
class ReasonCodes(Result):
    """Reason codes of a set of declined applications.

    Attributes
    ----------
    reasons : DataFrame
        One line per (row, reason): ``id``, ``rank`` (1 = principal reason), ``feature`` (the code's best
        feature), ``code``, ``statement``, ``contribution`` (that feature's contribution, or shortfall in
        points). Rows in input order, ranks increasing.
    frequency : DataFrame
        One line per code of the table: ``count`` (declines citing it), ``share_of_declines``
        (count / n_rows), ``share_first`` (share of declines where it is the first reason),
        ``share_of_reasons`` (count / all reasons given; sums to 1 when any reason was given).
        Sorted by decreasing count, then table order.
    n_rows : int
        Declines explained.
    top_k, min_contribution : int, float
        Settings used.
    source : str
        ``"contributions"`` or ``"points_below_maximum"``.
    reasons_per_row : dict
        Number of reasons given -> number of rows (0 .. top_k).
    n_fewer_than_k : int
        Rows with fewer than ``top_k`` reasons (fewer positive contributions or distinct codes).
    ids_fewer_than_k : tuple
        Their ids, in input order.
    n_without_reason : int
        Rows with no reason at all (``sum(share_first) + n_without_reason / n_rows == 1``).
    unused_table_features : tuple of str
        Table features never given as a reason in any row (including features whose code was cited
        through another feature).
    table_order : tuple of str
        The tie-break order (table features, then unmapped contribution columns).
    rules : str
        The ranking rules, for the report.
    """

    reasons: pd.DataFrame
    frequency: pd.DataFrame
    n_rows: int
    top_k: int
    min_contribution: float
    source: str
    reasons_per_row: dict[int, int]
    n_fewer_than_k: int
    ids_fewer_than_k: tuple[Any, ...]
    n_without_reason: int
    unused_table_features: tuple[str, ...]
    table_order: tuple[str, ...]
    rules: str


RULES = (
    "Reasons are the features with contribution > min_contribution (>= 0), by decreasing contribution; "
    "exact ties follow the reason-code table's order of features; features sharing a code count once, "
    "ranked by their best feature; at most top_k distinct codes per row; a row may get fewer."
)


def _check_table(table: Any, func: str) -> dict[str, tuple[str, str]]:
    if not isinstance(table, Mapping) or not table:
        raise InvalidParameters(
            f"The 'table' parameter of {func} must be a non-empty mapping feature -> "
            f"{{'code': str, 'statement': str}}; got {type(table).__name__}."
        )
    out: dict[str, tuple[str, str]] = {}
    statement_of: dict[str, str] = {}
    for feature, entry in table.items():
        if not isinstance(entry, Mapping) or set(entry) != {"code", "statement"}:
            raise InvalidParameters(
                f"The 'table' parameter of {func} must map each feature to exactly the keys 'code' and "
                f"'statement'; got {entry!r} for {feature!r}."
            )
        code, statement = entry["code"], entry["statement"]
        if not (isinstance(code, str) and code.strip() and isinstance(statement, str) and statement.strip()):
            raise InvalidParameters(
                f"The 'table' parameter of {func} needs a non-empty string code and statement for every "
                f"feature; got {entry!r} for {feature!r}."
            )
        if statement_of.setdefault(code, statement) != statement:
            raise InvalidParameters(
                f"The 'table' parameter of {func} gives code {code!r} two statements: "
                f"{statement_of[code]!r} and {statement!r}; a code must have one statement."
            )
        out[str(feature)] = (code, statement)
    return out


def _check_frame(frame: Any, name: str, func: str) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame) or frame.shape[1] == 0:
        raise InvalidInput(f"The '{name}' argument of {func} must be a DataFrame with one column per feature.")
    bad = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c]) or frame[c].dtype == bool]
    if bad:
        raise InvalidInput(f"The '{name}' argument of {func} has non-numeric columns {bad}.")
    values = frame.to_numpy(dtype=np.float64)
    if not np.isfinite(values).all():
        cols = [c for c, ok in zip(frame.columns, np.isfinite(values).all(axis=0), strict=True) if not ok]
        raise InvalidInput(
            f"The '{name}' argument of {func} has missing or infinite values in columns {cols}; "
            "a missing contribution cannot be ranked (fix the explainer or the points)."
        )
    return frame


def _check_ids(ids: Any, n: int, func: str) -> np.ndarray:
    arr = np.asarray(list(ids), dtype=object)
    if arr.ndim != 1 or len(arr) != n:
        raise InvalidInput(f"The 'ids' argument of {func} must have one id per row ({n}); got {len(arr)}.")
    dup = pd.Series(arr).duplicated()
    if dup.any():
        raise InvalidInput(f"The 'ids' argument of {func} repeats ids, e.g. {arr[dup.to_numpy()][:3].tolist()}.")
    return arr


def _rank(
    values: pd.DataFrame,
    ids: Any,
    table: Any,
    top_k: Any,
    used_features: Sequence[str] | None,
    min_contribution: Any,
    func: str,
    source: str,
) -> ReasonCodes:
    top_k = check_int(top_k, "top_k", func, 1)
    try:
        min_c = float(min_contribution)
    except (TypeError, ValueError):
        min_c = math.nan
    if not (math.isfinite(min_c) and min_c >= 0):
        raise InvalidParameters(
            f"The 'min_contribution' parameter of {func} must be a finite number of at least 0; "
            f"got {min_contribution!r}."
        )
    mapping = _check_table(table, func)
    columns = [str(c) for c in values.columns]
    if len(set(columns)) != len(columns):
        raise InvalidInput(f"The contributions of {func} repeat column names: {columns}.")
    used = list(columns) if used_features is None else [str(f) for f in used_features]
    not_used = [f for f in mapping if f not in used]
    if not_used:
        raise InvalidParameters(
            f"The reason-code table of {func} names features the model does not use: {not_used}; "
            f"the model's features are {used}."
        )
    outside = [c for c in columns if c not in used]
    if outside:
        raise InvalidInput(f"{func} got contributions for features the model does not use: {outside}.")
    ids_arr = _check_ids(ids, len(values), func)

    # Tie-break order: table features first (in table order), then unmapped columns (column order).
    order = [f for f in mapping if f in columns] + [c for c in columns if c not in mapping]
    x = values.rename(columns=str)[order].to_numpy(dtype=np.float64)
    n, p = x.shape
    # Position of each feature in its row's ranking (decreasing value, then tie order), all at once.
    sort = np.lexsort((np.broadcast_to(np.arange(p), (n, p)), -x), axis=1)
    pos = np.empty_like(sort)
    np.put_along_axis(pos, sort, np.arange(p)[None, :].repeat(n, axis=0), axis=1)
    pos = np.where(x > min_c, pos, p)  # p = "not a reason"

    # Codes (unmapped features get a pseudo-code each, so that they are caught if they would be cited).
    codes = list(dict.fromkeys(mapping[f][0] for f in order if f in mapping))
    groups = [[j for j, f in enumerate(order) if f in mapping and mapping[f][0] == c] for c in codes]
    unmapped = [j for j, f in enumerate(order) if f not in mapping]
    groups += [[j] for j in unmapped]
    best_pos = np.stack([pos[:, g].min(axis=1) for g in groups], axis=1)  # n x n_groups
    best_feat = np.stack([np.asarray(g)[pos[:, g].argmin(axis=1)] for g in groups], axis=1)
    group_order = np.argsort(best_pos, axis=1, kind="stable")[:, :top_k]
    chosen_pos = np.take_along_axis(best_pos, group_order, axis=1)
    valid = chosen_pos < p

    first_unmapped = len(codes)  # group numbers of the unmapped pseudo-codes start here
    cited_groups = np.unique(group_order[valid])
    cited_unmapped = [order[unmapped[g - first_unmapped]] for g in cited_groups if g >= first_unmapped]
    if cited_unmapped:
        raise InvalidParameters(
            f"The reason-code table of {func} lacks {cited_unmapped}: they are among some declines' top "
            f"{top_k} reasons; add a code and statement for each (a notice must not give an unmapped reason)."
        )

    rows_idx, ranks = np.nonzero(valid)
    g_idx = group_order[rows_idx, ranks]
    f_idx = best_feat[rows_idx, g_idx]
    feats = [order[j] for j in f_idx]
    reasons = pd.DataFrame(
        {
            "id": ids_arr[rows_idx],
            "rank": (ranks + 1).astype(np.int64),
            "feature": pd.array(feats, dtype=object),
            "code": pd.array([mapping[f][0] for f in feats], dtype=object),
            "statement": pd.array([mapping[f][1] for f in feats], dtype=object),
            "contribution": x[rows_idx, f_idx],
        },
        columns=list(REASON_COLUMNS),
    )

    n_reasons = valid.sum(axis=1)
    total = int(n_reasons.sum())
    count = reasons["code"].value_counts()
    first = reasons.loc[reasons["rank"] == 1, "code"].value_counts()
    freq = pd.DataFrame(
        {
            "code": codes,
            "statement": [next(s for c2, s in mapping.values() if c2 == c) for c in codes],
            "count": [int(count.get(c, 0)) for c in codes],
        }
    )
    freq["share_of_declines"] = freq["count"] / n if n else np.nan
    freq["share_first"] = [int(first.get(c, 0)) / n if n else np.nan for c in codes]
    freq["share_of_reasons"] = freq["count"] / total if total else np.nan
    freq["_table"] = np.arange(len(codes))
    freq = freq.sort_values(["count", "_table"], ascending=[False, True]).drop(columns="_table")
    freq = freq.reset_index(drop=True)

    cited = set(feats)
    fewer = n_reasons < top_k
    return ReasonCodes(
        reasons=reasons,
        frequency=freq,
        n_rows=int(n),
        top_k=top_k,
        min_contribution=min_c,
        source=source,
        reasons_per_row={k: int((n_reasons == k).sum()) for k in range(top_k + 1)},
        n_fewer_than_k=int(fewer.sum()),
        ids_fewer_than_k=tuple(ids_arr[fewer].tolist()),
        n_without_reason=int((n_reasons == 0).sum()),
        unused_table_features=tuple(f for f in mapping if f not in cited),
        table_order=tuple(order),
        rules=RULES,
    )


@register("reason_codes")
def reason_codes(
    contributions: pd.DataFrame,
    ids: Sequence[Any],
    table: Mapping[str, Mapping[str, str]],
    top_k: int = 4,
    used_features: Sequence[str] | None = None,
    min_contribution: float = 0.0,
) -> ReasonCodes:
    """Principal reasons for each declined application, from per-feature contributions.

    Purpose
    -------
    Give each decline the ``top_k`` distinct adverse-action reasons (code and statement) that pushed
    its PD up most, and summarise how often each reason is given across declines.

    Method
    ------
    ``contributions`` holds, per row and feature, the feature's contribution towards a *higher* PD
    (e.g. SHAP values in log-odds). Features with contribution > ``min_contribution`` are ranked by
    decreasing contribution; exact ties follow the table's order of features. Features sharing a code
    count once, at their best feature's rank. The first ``top_k`` codes are the row's reasons.

    Signs of high risk
    ------------------
    A reason cited for most declines that the business cannot explain; many rows with fewer than
    ``top_k`` reasons (weak or negative contributions); table features never cited (stale table); an
    error about an unmapped feature (the table does not cover the model).

    Strengths
    ---------
    Deterministic, documented tie-break and de-duplication; refuses to produce an unmapped reason;
    checks the table against the model's features.

    Limitations
    -----------
    The reasons are only as faithful as the contributions: SHAP values of correlated features split
    credit arbitrarily, and contributions are relative to a baseline (reference population) that must
    be documented. Contributions must be complete (no missing values).

    References
    ----------
    12 CFR 1002.9(b)(2) and Official Interpretation, Regulation B (Equal Credit Opportunity Act).
    CFPB Circular 2022-03, Adverse action notification requirements and complex algorithms (2022).
    Lundberg, S. and Lee, S.-I. (2017), A unified approach to interpreting model predictions, NeurIPS.

    Parameters
    ----------
    contributions : DataFrame
        Rows = declined applications, columns = features, values = contribution towards a higher PD.
    ids : sequence
        One unique id per row, reported in the reasons.
    table : mapping
        feature -> ``{"code": str, "statement": str}``; its order is the tie-break order.
    top_k : int
        Maximum number of distinct reasons per row (at least 1).
    used_features : sequence of str, optional
        The model's features; every table feature and contribution column must be one. Defaults to the
        contribution columns.
    min_contribution : float
        Contributions at or below this (>= 0) are never reasons.

    Returns
    -------
    ReasonCodes
    """
    frame = _check_frame(contributions, "contributions", "reason_codes")
    return _rank(frame, ids, table, top_k, used_features, min_contribution, "reason_codes", "contributions")
