"""``counterfactuals``: single-feature moves, then combinations (the search of the package docstring)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.errors import InvalidInput, InvalidParameters
from mrmkit.explain.counterfactual.evaluation import _greedy, _Model, _round_away
from mrmkit.explain.counterfactual.inputs import DEFAULT_STEP_GRID, FUNC, CounterfactualResult, _check_args, _scales
from mrmkit.stats._base import check_int, register
from mrmkit.text.numbers import share


@register("counterfactuals")
def counterfactuals(
    model: Any,
    rows: pd.DataFrame,
    features: Sequence[str],
    actionable: Mapping[str, tuple[float, float]],
    cutoff: float,
    seed: int,
    *,
    ids: Sequence[Any] | None = None,
    reference: pd.DataFrame | None = None,
    scale: Mapping[str, float] | None = None,
    categorical: Sequence[str] = (),
    max_evaluations: int = 2000,
    step_grid: Sequence[float] = DEFAULT_STEP_GRID,
    n_bisection: int = 30,
    n_random: int = 200,
) -> CounterfactualResult:
    """Smallest change of the actionable features that brings each declined row's PD to the cut-off.

    Purpose
    -------
    Show, for each declined application, what would have had to differ (within allowed, actionable
    ranges) for approval: evidence on whether reasons are actionable and the model behaves sensibly.

    Method
    ------
    Single-feature moves by grid and bisection over each feature's range, then for rows no single move
    fixes, the favourable corner and seeded random combinations shrunk by bisection (module docstring).
    Distance is the sum of absolute changes divided by each feature's scale. Approve when PD <= cutoff.

    Signs of high risk
    ------------------
    Many declines with no counterfactual in realistic ranges; counterfactuals that need implausible
    changes; PD moving against the expected direction of a feature; large, discontinuous jumps.

    Strengths
    ---------
    Model-agnostic (only ``predict_proba``), deterministic for a seed, every reported PD is an actual
    prediction, budget and settings recorded.

    Limitations
    -----------
    A search, not an optimiser: for non-monotone models the result is the best found. Features are
    moved independently of their correlations (a changed income leaves debt-to-income unchanged), so a
    counterfactual may describe an applicant who cannot exist. Categorical features are not moved.

    References
    ----------
    Wachter, S., Mittelstadt, B. and Russell, C. (2018), Counterfactual explanations without opening
    the black box, Harvard Journal of Law and Technology 31(2).
    Ustun, B., Spangher, A. and Liu, Y. (2019), Actionable recourse in linear classification, FAT*.

    Parameters
    ----------
    model : object
        Has ``predict_proba(frame[features])``; column 1 is the PD.
    rows : DataFrame
        Applications; must hold ``features``.
    features : sequence of str
        The model's input columns, in the model's order.
    actionable : mapping
        feature -> (low, high): the features that may change and their allowed ranges.
    cutoff : float
        Approve when PD <= cutoff; strictly between 0 and 1.
    seed : int
        Seed of the random combinations.
    ids : sequence, optional
        Row ids for the output (default: the index of ``rows``).
    reference : DataFrame, optional
        Sample for scales and whole-number detection (default ``rows``).
    scale : mapping, optional
        feature -> positive scale, overriding the data-derived scale.
    categorical : sequence of str
        Features to treat as categorical (non-numeric columns always are); none may be actionable.
    max_evaluations : int
        Model evaluations allowed per row; at least what the single-feature grid needs.
    step_grid : sequence of float
        Increasing fractions in (0, 1] of the way to a bound evaluated before bisection.
    n_bisection : int
        Bisection halvings per bracket.
    n_random : int
        Random combinations per row not fixed by a single move.

    Returns
    -------
    CounterfactualResult
    """
    feats, bounds, cut, seed = _check_args(rows, features, actionable, cutoff, seed, categorical)
    n_bisection = check_int(n_bisection, "n_bisection", FUNC, 1)
    n_random = check_int(n_random, "n_random", FUNC, 0)
    grid = [float(t) for t in step_grid] if isinstance(step_grid, Sequence) else []
    if not grid or any(not (0 < t <= 1) for t in grid) or any(b <= a for a, b in zip(grid, grid[1:], strict=False)):
        raise InvalidParameters(
            f"The 'step_grid' parameter of {FUNC} must be strictly increasing numbers in (0, 1]; got {step_grid!r}."
        )
    if grid[-1] != 1.0:
        grid.append(1.0)
    act = list(bounds)
    m, T = len(act), len(grid) + 1  # grid point 0 is the current value clipped into the range
    need = 1 + 2 * m * T
    max_evaluations = check_int(max_evaluations, "max_evaluations", FUNC, 1)
    if max_evaluations < need:
        raise InvalidParameters(
            f"The 'max_evaluations' parameter of {FUNC} must be an integer of at least {need} "
            f"(1 + 2 directions x {m} features x {T} grid points); got {max_evaluations}."
        )
    if reference is not None:
        if not isinstance(reference, pd.DataFrame) or any(f not in reference.columns for f in act):
            raise InvalidInput(f"The 'reference' of {FUNC} must be a DataFrame holding the actionable features {act}.")
    sample = rows if reference is None else reference
    scales, scale_source = _scales(sample, bounds, scale)
    integer = []
    for f in act:
        x = pd.to_numeric(sample[f], errors="coerce").to_numpy(dtype=np.float64)
        x = x[np.isfinite(x)]
        integer.append(bool(len(x)) and bool(np.all(x == np.round(x))))
    is_int = np.array(integer)
    low = np.array([math.ceil(bounds[f][0]) if i else bounds[f][0] for f, i in zip(act, integer, strict=True)])
    high = np.array([math.floor(bounds[f][1]) if i else bounds[f][1] for f, i in zip(act, integer, strict=True)])
    bad = [f for f, lo_, hi_ in zip(act, low, high, strict=True) if lo_ > hi_]
    if bad:
        raise InvalidParameters(f"The 'actionable' range of whole-number features {bad} of {FUNC} holds no integer.")
    sc = np.array([scales[f] for f in act])
    row_ids = np.asarray(list(rows.index if ids is None else ids), dtype=object)
    if len(row_ids) != len(rows):
        raise InvalidInput(f"The 'ids' argument of {FUNC} must have one id per row ({len(rows)}).")

    n = len(rows)
    x0 = np.column_stack([pd.to_numeric(rows[f], errors="coerce").to_numpy(dtype=np.float64) for f in act])
    evaluate = _Model(model, rows[feats].reset_index(drop=True), act, n, max_evaluations)
    all_rows = np.arange(n)
    p0 = evaluate(all_rows, np.where(np.isnan(x0), np.nan, x0))
    declined = np.flatnonzero(p0 > cut)

    best_dist = np.full(n, np.inf)
    best_vals = x0.copy()
    best_pd = np.full(n, np.nan)
    method = np.full(n, "", dtype=object)
    reason = np.full(n, "", dtype=object)

    # ---- 1. single-feature moves: arrays over (declined row, feature, direction, grid point) ----------
    D = declined
    v = x0[D]  # d x m
    miss = np.isnan(v)
    ends = np.stack([np.broadcast_to(high, v.shape), np.broadcast_to(low, v.shape)], axis=2)  # d x m x 2
    start = np.clip(np.nan_to_num(v), low, high)[:, :, None].repeat(2, axis=2)
    vv = v[:, :, None].repeat(2, axis=2)
    seg_ok = ~miss[:, :, None] & np.stack([vv[..., 0] < ends[..., 0], vv[..., 1] > ends[..., 1]], axis=2)
    t = np.array([0.0, *grid])
    pts = start[..., None] + t * (ends - start)[..., None]  # d x m x 2 x T
    pts = _round_away(pts, vv[..., None], is_int[None, :, None, None])
    pts = np.where(seg_ok[..., None], pts, vv[..., None])
    prev = np.concatenate([vv[..., None], pts[..., :-1]], axis=3)
    todo = seg_ok[..., None] & (pts != prev)
    pdg = np.full(pts.shape, np.nan)
    idx = np.nonzero(todo)
    if len(idx[0]):
        cand = np.repeat(v[idx[0]], 1, axis=0)
        cand[np.arange(len(idx[0])), idx[1]] = pts[idx]
        pdg[idx] = evaluate(D[idx[0]], cand)
    last = np.broadcast_to(p0[D][:, None, None], pts.shape[:3]).copy()
    for k in range(T):  # a point equal to the previous one has its PD
        pdg[..., k] = np.where(np.isnan(pdg[..., k]), last, pdg[..., k])
        last = pdg[..., k]
    cross = (pdg <= cut) & seg_ok[..., None]
    has = cross.any(axis=3)
    first = cross.argmax(axis=3)
    hi = np.take_along_axis(pts, first[..., None], axis=3)[..., 0]
    hi_pd = np.take_along_axis(pdg, first[..., None], axis=3)[..., 0]
    lo = np.where(first > 0, np.take_along_axis(pts, np.maximum(first - 1, 0)[..., None], axis=3)[..., 0], vv)
    dist_hi = np.where(has, np.abs(hi - vv) / sc[None, :, None], np.inf)
    bound_hi = dist_hi.min(axis=(1, 2))
    active = has & (first > 0) & (np.abs(lo - vv) / sc[None, :, None] < bound_hi[:, None, None])
    for _ in range(n_bisection):
        gap = np.abs(hi - lo)
        mid = (lo + hi) / 2
        mid = np.where(is_int[None, :, None], np.where(hi > lo, np.floor(mid), np.ceil(mid)), mid)
        active &= np.where(is_int[None, :, None], gap > 1, (mid != lo) & (mid != hi))
        count = active.sum(axis=(1, 2))
        active &= (evaluate.left(D) >= count)[:, None, None]
        idx = np.nonzero(active)
        if not len(idx[0]):
            break
        cand = v[idx[0]].copy()
        cand[np.arange(len(idx[0])), idx[1]] = mid[idx]
        pm = evaluate(D[idx[0]], cand)
        ok = pm <= cut
        hi[tuple(i[ok] for i in idx)] = mid[idx][ok]
        hi_pd[tuple(i[ok] for i in idx)] = pm[ok]
        lo[tuple(i[~ok] for i in idx)] = mid[idx][~ok]
    dist_hi = np.where(has, np.abs(hi - vv) / sc[None, :, None], np.inf)
    flat = dist_hi.reshape(len(D), -1)
    pick = flat.argmin(axis=1)  # ties: first feature in 'actionable' order, upward move first
    found1 = np.isfinite(flat[np.arange(len(D)), pick])
    for r in np.flatnonzero(found1):
        j, d = divmod(int(pick[r]), 2)
        row = D[r]
        best_vals[row, j] = hi[r, j, d]
        best_dist[row] = flat[r, pick[r]]
        best_pd[row] = hi_pd[r, j, d]
        method[row] = "single"

    # ---- 2. combinations for rows no single move fixes ----------------------------------------------
    R = np.flatnonzero(~found1)
    if len(R):
        end_pd = pdg[R][..., -1]  # PD at each bound
        movable = seg_ok[R]
        best_dir = np.where(movable[..., 0] & (~movable[..., 1] | (end_pd[..., 0] <= end_pd[..., 1])), 0, 1)
        can = movable.any(axis=2)  # r x m
        fav = np.take_along_axis(ends[R], best_dir[..., None], axis=2)[..., 0]
        st = np.take_along_axis(start[R], best_dir[..., None], axis=2)[..., 0]
        vR = v[R]
        rows_R = D[R]
        none = ~can.any(axis=1)
        for r in np.flatnonzero(none):
            reason[rows_R[r]] = "no actionable feature can move: each is missing or already at the bound of its range"
        multi = can.sum(axis=1) >= 2
        for r in np.flatnonzero(~none & ~multi):
            reason[rows_R[r]] = (
                f"no value of the one movable feature within its range brings the PD to {share(cut, 2)} or below "
                f"(PD at its favourable bound {share(end_pd[r].min(), 2)})"
            )
        M = np.flatnonzero(multi & (evaluate.left(rows_R) >= 1))
        rng = np.random.default_rng(seed)
        if len(M):
            corner = np.where(can[M], fav[M], vR[M])
            corner_pd = evaluate(rows_R[M], corner)
            n_cand = np.minimum(n_random, np.maximum(evaluate.left(rows_R[M]) - n_bisection, 0))
            u = rng.random((len(M), n_random, m))
            pick_f = rng.random((len(M), n_random, m)) < 0.5
            cands = [corner[:, None, :]]
            cand_pd = [corner_pd[:, None]]
            if n_random:
                use = pick_f & can[M][:, None, :]
                vals = st[M][:, None, :] + u * (fav[M] - st[M])[:, None, :]
                vals = _round_away(vals, vR[M][:, None, :], is_int[None, None, :])
                vals = np.where(use, vals, vR[M][:, None, :])
                keep = (np.arange(n_random)[None, :] < n_cand[:, None]) & use.any(axis=2)
                ridx, cidx = np.nonzero(keep)
                rpd = np.full((len(M), n_random), np.nan)
                if len(ridx):
                    rpd[ridx, cidx] = evaluate(rows_R[M][ridx], vals[ridx, cidx])
                cands.append(vals)
                cand_pd.append(rpd)
            allc = np.concatenate(cands, axis=1)
            allp = np.concatenate(cand_pd, axis=1)
            moved = np.where(np.isnan(allc), 0.0, np.abs(allc - vR[M][:, None, :])) / sc
            dist = np.where(allp <= cut, np.nansum(moved, axis=2), np.inf)
            b = dist.argmin(axis=1)
            ok = np.isfinite(dist[np.arange(len(M)), b])
            for r in np.flatnonzero(~ok):
                reason[rows_R[M][r]] = (
                    f"no single move and no tried combination brings the PD to {share(cut, 2)} or below; every "
                    f"movable feature at its favourable bound gives PD {share(corner_pd[r], 2)}"
                )
            W = np.flatnonzero(ok)
            target = allc[W, b[W]]
            vW = vR[M][W]
            changed = ~np.isnan(vW) & (target != vW)
            origin = np.where(changed, st[M][W], vW)  # shrink each moved feature towards its clipped start
            t_lo, t_hi = np.zeros(len(W)), np.ones(len(W))
            v_hi, pd_hi = target.copy(), allp[W, b[W]].copy()
            rows_W = rows_R[M][W]
            for _ in range(n_bisection):
                alive = evaluate.left(rows_W) >= 1
                tm = (t_lo + t_hi) / 2
                trial = origin + tm[:, None] * (target - origin)
                trial = _round_away(trial, vW, is_int[None, :])
                trial = np.where(np.isnan(vW), vW, trial)
                same_hi = (trial == v_hi) | (np.isnan(trial) & np.isnan(v_hi))
                same_row = (trial == vW) | (np.isnan(trial) & np.isnan(vW))
                alive &= ~same_hi.all(axis=1) & ~same_row.all(axis=1)
                a = np.flatnonzero(alive)
                if not len(a):
                    break
                pm = evaluate(rows_W[a], trial[a])
                good = pm <= cut
                t_hi[a[good]] = tm[a[good]]
                v_hi[a[good]] = trial[a[good]]
                pd_hi[a[good]] = pm[good]
                t_lo[a[~good]] = tm[a[~good]]
            # Coordinate pass: shrink each changed feature alone towards the row while the PD stays crossed.
            for j in range(m):
                c_lo = np.where(changed[:, j], origin[:, j], v_hi[:, j])
                for _ in range(n_bisection):
                    mid = (c_lo + v_hi[:, j]) / 2
                    if is_int[j]:
                        mid = np.where(v_hi[:, j] > c_lo, np.floor(mid), np.ceil(mid))
                    alive = changed[:, j] & (mid != c_lo) & (mid != v_hi[:, j]) & (evaluate.left(rows_W) >= 1)
                    a = np.flatnonzero(alive)
                    if not len(a):
                        break
                    trial = v_hi[a].copy()
                    trial[:, j] = mid[a]
                    pm = evaluate(rows_W[a], trial)
                    good = pm <= cut
                    v_hi[a[good], j] = mid[a[good]]
                    pd_hi[a[good]] = pm[good]
                    c_lo[a[~good]] = mid[a[~good]]
            # Greedy fill (the optimum for a linear logit): features by logit gain per unit of scaled
            # distance at their favourable bound; the first ones at their bounds, the last bisected.
            g_vals, g_pd = _greedy(
                evaluate,
                rows_W,
                vW,
                fav[M][W],
                st[M][W],
                can[M][W],
                end_pd[M][W],
                p0[rows_W],
                sc,
                is_int,
                cut,
                n_bisection,
            )
            g_dist = np.where(g_pd <= cut, np.nansum(np.abs(g_vals - vW) / sc, axis=1), np.inf)
            h_dist = np.nansum(np.abs(v_hi - vW) / sc, axis=1)
            better = g_dist < h_dist
            v_hi[better], pd_hi[better] = g_vals[better], g_pd[better]
            for k, row in enumerate(rows_W):
                best_vals[row] = v_hi[k]
                best_dist[row] = float(np.nansum(np.abs(v_hi[k] - vW[k]) / sc))
                best_pd[row] = pd_hi[k]
                method[row] = "combination"
        for r in np.flatnonzero(multi & ~np.isin(np.arange(len(R)), M)):
            reason[rows_R[r]] = "the evaluation budget ran out before combinations could be tried"

    # ---- output ------------------------------------------------------------------------------------
    status = np.where(p0 <= cut, "approved", np.where(np.isfinite(best_dist), "found", "not_found"))
    changes = []
    n_changed = np.zeros(n, dtype=np.int64)
    for row in np.flatnonzero(status == "found"):
        for j, f in enumerate(act):
            old, new = x0[row, j], best_vals[row, j]
            if np.isnan(old) or new == old:
                continue
            n_changed[row] += 1
            cast = int if integer[j] else float
            changes.append((row_ids[row], f, cast(old), cast(new), cast(new - old), abs(new - old) / sc[j]))
    change_frame = pd.DataFrame(changes, columns=["id", "feature", "from", "to", "delta", "scaled_delta"])
    missing_features = [tuple(f for j, f in enumerate(act) if np.isnan(x0[row, j])) for row in range(n)]
    out_rows = pd.DataFrame(
        {
            "id": row_ids,
            "pd": p0,
            "status": status,
            "method": np.where(status == "found", method, ""),
            "distance": np.where(status == "found", best_dist, np.nan),
            "new_pd": np.where(status == "found", best_pd, np.nan),
            "n_changed": n_changed,
            "evaluations": evaluate.used,
            "missing_features": missing_features,
            "reason": np.where(status == "not_found", reason, ""),
        }
    )
    n_declined = len(declined)
    n_found = int((status == "found").sum())
    return CounterfactualResult(
        rows=out_rows,
        changes=change_frame,
        cutoff=cut,
        seed=seed,
        max_evaluations=max_evaluations,
        n_bisection=n_bisection,
        n_random=n_random,
        actionable={f: [float(low[j]), float(high[j])] for j, f in enumerate(act)},
        scale=scales,
        scale_source=scale_source,
        scale_sample="rows" if reference is None else "reference",
        integer_features=tuple(f for f, i in zip(act, integer, strict=True) if i),
        step_grid=tuple(grid),
        n_rows=n,
        n_approved=int((status == "approved").sum()),
        n_declined=n_declined,
        n_found=n_found,
        share_found=n_found / n_declined if n_declined else math.nan,
    )
