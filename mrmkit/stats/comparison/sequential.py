"""Group sequential design: Lan-DeMets boundaries (:func:`group_sequential_bounds`), the decision at
each look (:func:`sequential_decision`) and the z of two event rates at each look of a log
(:func:`sequential_looks`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize, stats

from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters
from mrmkit.stats._base import Result, check_probability, dot, register, single_threaded_blas
from mrmkit.stats.comparison._common import _CHUNK_CELLS, _alternative, _vector
from mrmkit.stats.comparison.proportions import two_proportion_test

_SPENDING = ("obrien-fleming",)


# ------------------------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class GroupSequentialBounds(Result):
    """Reject at look k when |z_k| >= b_k (two-sided), z_k >= b_k ('greater') or z_k <= -b_k ('less')."""

    information_fractions: tuple[float, ...]
    boundaries: tuple[float, ...]
    nominal_p_values: tuple[float, ...]
    cumulative_alpha_spent: tuple[float, ...]
    alpha_spent_increments: tuple[float, ...]
    alpha: float
    alternative: str
    spending: str
    spending_function: str
    method: str
    grid_step: float


@dataclass(frozen=True, slots=True)
class SequentialDecisionResult(Result):
    z_values: tuple[float, ...]
    boundaries: tuple[float, ...]
    crossed: tuple[bool, ...]
    first_crossing: int | None
    stop: bool
    decision: str
    alternative: str
    n_looks_planned: int
    note: str | None


# ---------------------------------------------------------------------------------- group sequential design
_GRID_STEP = 0.01  # z-scale step of the integration grid (refined when looks are close together)
_MAX_GRID = 20001
_LOWER_Z = -9.0  # lower end of the continuation region of one-sided designs (P(Z < -9) ~ 1e-19)


def _simpson(lo: float, hi: float, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and composite Simpson weights on [lo, hi] with an even number of intervals of at most ``step``."""
    intervals = max(2, math.ceil((hi - lo) / step))
    intervals += intervals % 2
    z = np.linspace(lo, hi, intervals + 1)
    h = (hi - lo) / intervals
    w = np.full(intervals + 1, 2.0)
    w[1::2] = 4.0
    w[0] = w[-1] = 1.0
    return z, w * h / 3.0


@register("group_sequential_bounds")
def group_sequential_bounds(
    information_fractions: Any, alpha: float = 0.05, alternative: str = "two-sided", spending: str = "obrien-fleming"
) -> GroupSequentialBounds:
    """Lan-DeMets group sequential boundaries with O'Brien-Fleming-type alpha spending.

    Parameters
    ----------
    information_fractions : array-like of float
        Information time of each look (e.g. the share of the planned sample observed), strictly
        increasing, in (0, 1]; the last is usually 1.
    alpha : float, default 0.05
        Overall significance level (two-sided level for ``alternative='two-sided'``).
    alternative : {'two-sided', 'greater', 'less'}, default 'two-sided'
        Symmetric two-sided boundaries, or a one-sided upper ('greater') or lower ('less') boundary.
    spending : {'obrien-fleming'}, default 'obrien-fleming'
        Alpha-spending function.

    Returns
    -------
    GroupSequentialBounds
        ``boundaries`` (critical |z| per look), ``nominal_p_values``, ``cumulative_alpha_spent`` and
        ``alpha_spent_increments``, with the settings.

    Purpose
    -------
    Lets a champion-challenger trial be looked at before it ends (e.g. monthly) without inflating the
    false-positive rate: each look gets a stricter critical value so that the overall level stays at
    ``alpha``.

    Method
    ------
    Spending function (Lan & DeMets 1983), for a one-sided level a: ``a(t) = 2 - 2 Phi(z_{1-a/2} /
    sqrt(t))``, as gsDesign's ``sfLDOF`` and rpact's ``asOF``. One-sided designs spend ``alpha`` with
    it; a two-sided design spends ``alpha / 2`` on each side with the same function (so the total by
    time t is ``2 a(t)`` with ``a = alpha / 2``), the convention of ldbounds (Reboussin et al. 2000)
    and of gsDesign with ``test.type = 2``: for five equally spaced looks at two-sided 0.05 it gives
    about 4.877, 3.357, 2.680, 2.290, 2.031. (Applying ``2 - 2 Phi(z_{1-alpha/2} / sqrt(t))`` to the
    two-sided total instead would give a first boundary near 4.38; that is not what the software
    above computes.) Under H0 the z statistics at the looks are the canonical joint normal with
    ``corr(Z_i, Z_j) = sqrt(t_i / t_j)`` (independent increments). The boundary at look 1 is
    ``Phi^{-1}(1 - a(t_1))``; at later looks it solves ``P(no crossing before k, crossing at k) =
    a(t_k) - a(t_{k-1})`` by the recursive numerical integration of Armitage, McPherson & Rowe (1969)
    on the z scale: the density of continuing paths is carried from look to look on a composite
    Simpson grid (step ``grid_step``, 0.01 or finer when looks are close) over the continuation region
    (from -9 for one-sided designs) and each boundary is found with Brent's method. Deterministic;
    the boundaries agree with rpact's to 1e-7 (and with ldbounds' printed values to 2e-4, the accuracy
    of its coarser grid). ``nominal_p_values`` are the p-values of a single test at each boundary
    (two-sided for two-sided designs).

    Signs of high risk
    ------------------
    Looks that were not planned or fractions that are not information fractions (calendar time when
    enrolment is uneven); stopping at an early look on a small effect; decisions taken on the
    nominal p-value of a look instead of its boundary.

    Strengths
    ---------
    Controls the overall type I error exactly for any number and timing of looks decided in advance
    or during the trial; O'Brien-Fleming spending keeps early looks very strict, so the final
    boundary stays close to the fixed-sample one.

    Limitations
    -----------
    Assumes a normal test statistic with independent increments (large samples); efficacy boundaries
    only (no futility); the effect estimate after early stopping is biased upwards; the boundaries
    must not be recomputed after seeing the data with a different spending function.

    References
    ----------
    Armitage, P., McPherson, C. K. & Rowe, B. C. (1969). Repeated significance tests on accumulating
    data. Journal of the Royal Statistical Society A 132(2), 235-244.
    O'Brien, P. C. & Fleming, T. R. (1979). A multiple testing procedure for clinical trials.
    Biometrics 35(3), 549-556.
    Lan, K. K. G. & DeMets, D. L. (1983). Discrete sequential boundaries for clinical trials.
    Biometrika 70(3), 659-663.
    Reboussin, D. M., DeMets, D. L., Kim, K. & Lan, K. K. G. (2000). Computations for group sequential
    boundaries using the Lan-DeMets spending function method. Controlled Clinical Trials 21(3), 190-207.
    Jennison, C. & Turnbull, B. W. (2000). Group Sequential Methods with Applications to Clinical
    Trials. Chapman & Hall/CRC, chapters 7 and 19.
    """
    func = "group_sequential_bounds"
    a = check_probability(alpha, "alpha", func)
    alt = _alternative(alternative, func)
    if not isinstance(spending, str) or spending not in _SPENDING:
        raise InvalidParameters(
            f"The 'spending' parameter of {func} must be one of {list(_SPENDING)}; got {spending!r}."
        )
    try:
        t = np.asarray(information_fractions, dtype=np.float64)
    except (TypeError, ValueError):
        t = np.array([math.nan])
    if (
        t.ndim != 1
        or t.size == 0
        or not np.isfinite(t).all()
        or (t <= 0.0).any()
        or (t > 1.0).any()
        or (np.diff(t) <= 0.0).any()
    ):
        raise InvalidParameters(
            f"The 'information_fractions' parameter of {func} must be strictly increasing numbers "
            f"in (0, 1]; got {information_fractions!r}."
        )
    side = a / 2.0 if alt == "two-sided" else a
    z_side = float(stats.norm.isf(side / 2.0))
    spent = 2.0 * stats.norm.sf(z_side / np.sqrt(t))  # per side
    spent[t == 1.0] = side
    incr = np.diff(np.concatenate([[0.0], spent]))
    gaps = np.diff(np.concatenate([[0.0], t]))
    scale = float(np.min(np.sqrt(gaps[1:] / t[1:]))) if t.size > 1 else 1.0
    step = min(_GRID_STEP, scale / 8.0)
    two = alt == "two-sided"
    bounds = [float(stats.norm.isf(incr[0])) if incr[0] > 0.0 else math.inf]
    z, w = None, None
    dens = None
    for k in range(1, t.size):
        # density of continuing paths at look k - 1 on its grid (Simpson nodes z, weights w)
        b_prev = bounds[-1]
        hi = min(b_prev, 12.0)
        lo = -hi if two else _LOWER_Z
        z_new, w_new = _simpson(lo, hi, step)
        if z_new.size > _MAX_GRID:
            raise InvalidParameters(
                f"The 'information_fractions' parameter of {func} has looks too close together "
                f"for the integration grid (smallest relative gap {scale**2:.2e}); "
                f"got {information_fractions!r}."
            )
        if dens is None:
            dens_new = stats.norm.pdf(z_new)
        else:
            dens_new = _propagate(z, w * dens, t[k - 2], t[k - 1], z_new)
        z, w, dens = z_new, w_new, dens_new
        mass = w * dens
        root_prev, root_cur, sd = math.sqrt(t[k - 1]), math.sqrt(t[k]), math.sqrt(t[k] - t[k - 1])

        def upper(
            b: float,
            mass: np.ndarray = mass,
            z: np.ndarray = z,
            root_prev: float = root_prev,
            root_cur: float = root_cur,
            sd: float = sd,
        ) -> float:
            return float(dot(mass, stats.norm.sf((b * root_cur - z * root_prev) / sd)))

        target = incr[k]
        if target <= 0.0:
            bounds.append(math.inf)
            continue
        bounds.append(
            float(optimize.brentq(lambda b, target=target: upper(b) - target, -10.0, 40.0, xtol=1e-12, rtol=1e-12))
        )
    nominal = [float((2.0 if two else 1.0) * stats.norm.sf(b)) for b in bounds]
    factor = 2.0 if two else 1.0
    formula = "a(t) = 2 - 2 Phi(z_{1 - a/2} / sqrt(t))" + (" per side with a = alpha / 2" if two else " with a = alpha")
    return GroupSequentialBounds(
        information_fractions=tuple(t.tolist()),
        boundaries=tuple(bounds),
        nominal_p_values=tuple(nominal),
        cumulative_alpha_spent=tuple((factor * spent).tolist()),
        alpha_spent_increments=tuple((factor * incr).tolist()),
        alpha=a,
        alternative=alt,
        spending=spending,
        spending_function=f"Lan-DeMets O'Brien-Fleming type: {formula}",
        method="recursive numerical integration (Armitage, McPherson & Rowe 1969), composite Simpson rule, Brent root",
        grid_step=float(step),
    )


def _propagate(z: np.ndarray, mass: np.ndarray, t_prev: float, t_cur: float, z_new: np.ndarray) -> np.ndarray:
    """Density at look ``t_cur`` (z scale, nodes ``z_new``) of paths continuing at ``t_prev`` with masses ``mass``.

    With S = Z sqrt(t) and independent normal increments of variance t_cur - t_prev:
    f(z') = sum_j mass_j phi((z' sqrt(t_cur) - z_j sqrt(t_prev)) / sd) sqrt(t_cur) / sd.
    """
    sd = math.sqrt(t_cur - t_prev)
    a, b = math.sqrt(t_cur) / sd, math.sqrt(t_prev) / sd
    out = np.empty(z_new.size)
    rows = max(1, _CHUNK_CELLS // max(z.size, 1))
    with single_threaded_blas():
        for i in range(0, z_new.size, rows):
            x = a * z_new[i : i + rows, None] - b * z[None, :]
            out[i : i + rows] = np.exp(-0.5 * x * x) @ mass
    return out * a / math.sqrt(2.0 * math.pi)


@register("sequential_decision")
def sequential_decision(z_values: Any, bounds: Any, alternative: str | None = None) -> SequentialDecisionResult:
    """Apply group sequential boundaries to the z statistics observed at the looks so far.

    Parameters
    ----------
    z_values : array-like of float
        The test statistic at each look taken so far, in order (at most one per planned look).
    bounds : GroupSequentialBounds or array-like of float
        The result of :func:`group_sequential_bounds`, or the positive critical values per look.
    alternative : {'two-sided', 'greater', 'less'}, optional
        Only with plain critical values (default 'two-sided'); taken from ``bounds`` otherwise.

    Returns
    -------
    SequentialDecisionResult
        ``crossed`` per look, ``first_crossing`` (1-based look, or None), ``stop`` and the ``decision``.

    Purpose
    -------
    Records, look by look, whether the trial should stop and reject H0, so that the decision rule
    written in the trial plan is applied mechanically.

    Method
    ------
    Look k crosses when ``|z_k| >= b_k`` (two-sided), ``z_k >= b_k`` ('greater') or
    ``z_k <= -b_k`` ('less'). The trial stops at the first crossing and rejects H0 there; without a
    crossing it continues until the last planned look, where H0 is not rejected. ``crossed`` is
    reported for every z given; z values after the first crossing are flagged in a note, since the rule
    stops there.

    Signs of high risk
    ------------------
    z values supplied after a crossing (the trial went on after it should have stopped); more looks
    than planned; statistics that are not standard normal under H0.

    Strengths
    ---------
    Mechanical and auditable; separates the design (boundaries) from the data.

    Limitations
    -----------
    Efficacy stopping only; no estimate or interval adjusted for the sequential design.

    References
    ----------
    Jennison, C. & Turnbull, B. W. (2000). Group Sequential Methods with Applications to Clinical
    Trials. Chapman & Hall/CRC, chapter 1.
    DeMets, D. L. & Lan, K. K. G. (1994). Interim analysis: the alpha spending function approach.
    Statistics in Medicine 13(13-14), 1341-1352.
    """
    func = "sequential_decision"
    if isinstance(bounds, GroupSequentialBounds):
        if alternative is not None and alternative != bounds.alternative:
            raise InvalidParameters(
                f"The 'alternative' parameter of {func} must be None or match the boundaries' "
                f"({bounds.alternative!r}); got {alternative!r}."
            )
        b = np.asarray(bounds.boundaries, dtype=np.float64)
        alt = bounds.alternative
    else:
        alt = _alternative("two-sided" if alternative is None else alternative, func)
        try:
            b = np.asarray(bounds, dtype=np.float64)
        except (TypeError, ValueError):
            b = np.array([math.nan])
        if b.ndim != 1 or b.size == 0 or np.isnan(b).any() or (b <= 0.0).any():
            raise InvalidParameters(
                f"The 'bounds' parameter of {func} must be the result of group_sequential_bounds "
                f"or positive critical values; got {bounds!r}."
            )
    z = _vector(z_values, "z_values", func)
    if z.size == 0:
        raise InsufficientData(f"{func} needs the z value of at least one look; z_values is empty.")
    if z.size > b.size:
        raise InvalidInput(f"z_values of {func} has {z.size} looks but the design plans {b.size}.")
    bk = b[: z.size]
    crossed = np.abs(z) >= bk if alt == "two-sided" else (z >= bk if alt == "greater" else z <= -bk)
    hits = np.flatnonzero(crossed)
    first = int(hits[0]) + 1 if hits.size else None
    note = None
    if first is not None:
        decision = f"stop and reject H0 at look {first} of {b.size} (boundary {bk[first - 1]:.4f} crossed)"
        if z.size > first:
            note = f"{z.size - first} z value(s) after look {first} were given; the design stops at the first crossing."
    elif z.size == b.size:
        decision = f"do not reject H0: no boundary crossed by the final look ({b.size})"
    else:
        decision = f"continue: no boundary crossed in the first {z.size} of {b.size} looks"
    return SequentialDecisionResult(
        z_values=tuple(z.tolist()),
        boundaries=tuple(bk.tolist()),
        crossed=tuple(bool(c) for c in crossed),
        first_crossing=first,
        stop=first is not None or z.size == b.size,
        decision=decision,
        alternative=alt,
        n_looks_planned=int(b.size),
        note=note,
    )


# ------------------------------------------------------------------------------------------- the looks
@dataclass(frozen=True, slots=True)
class SequentialLooksResult(Result):
    """Per look k: the first ``n_outcomes[k]`` outcomes in accrual order; ``z`` of p2 - p1 (NaN when a group has
    none yet), and whether it crossed the boundary by the design's ``alternative``."""

    information_fractions: tuple[float, ...]
    n_outcomes: tuple[int, ...]
    x1: tuple[int, ...]
    n1: tuple[int, ...]
    x2: tuple[int, ...]
    n2: tuple[int, ...]
    z_values: tuple[float, ...]
    boundaries: tuple[float, ...]
    crossed: tuple[bool, ...]
    first_crossing: int | None
    alternative: str
    n_total: int
    note: str | None


def _binary_or_missing(y: Any, func: str) -> np.ndarray:
    try:
        arr = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"y of {func} must be 0/1 outcomes or NaN (not yet observed): {exc}.") from exc
    if arr.ndim != 1:
        raise InvalidInput(f"y of {func} must be one-dimensional; got shape {arr.shape}.")
    known = arr[~np.isnan(arr)]
    if not np.isin(known, (0.0, 1.0)).all():
        raise InvalidInput(f"y of {func} must be 0/1 outcomes or NaN (not yet observed); other values found.")
    return arr


def _group(group: Any, n: int, func: str) -> np.ndarray:
    arr = np.asarray(group)
    if arr.shape != (n,) or not np.isin(arr, (0, 1)).all():
        raise InvalidInput(
            f"group of {func} must hold 0 (group 1) or 1 (group 2) for each of the {n} rows of y; "
            f"got shape {arr.shape}."
        )
    return arr.astype(bool)


@register("sequential_looks")
def sequential_looks(y: Any, group: Any, bounds: Any) -> SequentialLooksResult:
    """The z statistic of a difference of two event rates at each look of a group-sequential test.

    Parameters
    ----------
    y : array-like of 0/1 or NaN
        One outcome per row, **in the order the outcomes accrued** (e.g. by decision date); NaN for a row
        whose outcome is not observed (a declined application, an immature loan), which is left out.
    group : array-like of 0/1 or bool
        The group of each row: 0 for group 1 (the champion arm), 1 for group 2 (the challenger arm).
    bounds : GroupSequentialBounds
        The design (:func:`group_sequential_bounds`): its information fractions say when the looks are,
        its boundaries and alternative when a look crosses.

    Returns
    -------
    SequentialLooksResult
        Per look: ``n_outcomes``, the events and sizes of both groups, ``z_values``, ``boundaries`` and
        ``crossed``; ``first_crossing`` (1-based) or None.

    Purpose
    -------
    Replays a group-sequential A/B test on its log: the z statistic the trial would have seen at each
    planned interim look, and whether it would have stopped, so that an early stop (or the lack of one)
    can be checked against the design.

    Method
    ------
    With N observed outcomes and information fractions t_1 < ... < t_K = 1, look k holds the first
    ``ceil(t_k N)`` observed outcomes in accrual order. Its statistic is the pooled two-proportion z of
    :func:`two_proportion_test` (``z = (p2 - p1) / sqrt(p (1 - p) (1/n1 + 1/n2))``), NaN while a group
    has no outcome yet. A look crosses when ``|z| >= b_k`` (two-sided design), ``z >= b_k`` ('greater')
    or ``z <= -b_k`` ('less'), as :func:`sequential_decision` decides. Counts come from cumulative sums
    in one pass over the rows.

    Signs of high risk
    ------------------
    A trial stopped early at a look whose boundary was not crossed (or run on after one was); a final z
    that crosses only because more than the planned information was collected.

    Strengths
    ---------
    Uses the design's own spending boundaries, so repeated looks keep the overall type I error at its
    alpha; the information is counted in observed outcomes, which is what the variance depends on.

    Limitations
    -----------
    Information is measured by the number of outcomes, not by the variance of the difference, so the
    looks fall only approximately at the planned fractions when event rates drift; outcomes observed late
    (long outcome windows) make the replay differ from what was seen at the time; efficacy stopping only.

    References
    ----------
    Lan, K. K. G. & DeMets, D. L. (1983). Discrete sequential boundaries for clinical trials.
    Biometrika 70(3), 659-663.
    Jennison, C. & Turnbull, B. W. (2000). Group Sequential Methods with Applications to Clinical
    Trials. Chapman & Hall/CRC, chapters 2 and 7.
    Fleiss, J. L., Levin, B. & Paik, M. C. (2003). Statistical Methods for Rates and Proportions, 3rd
    ed. Wiley, chapter 2.
    """
    func = "sequential_looks"
    if not isinstance(bounds, GroupSequentialBounds):
        raise InvalidParameters(
            f"The 'bounds' parameter of {func} must be the result of group_sequential_bounds; got {bounds!r}."
        )
    outcome = _binary_or_missing(y, func)
    in_two = _group(group, outcome.size, func)
    seen = ~np.isnan(outcome)
    events, second = outcome[seen] == 1.0, in_two[seen]
    total = int(events.size)
    # cumulative counts after each observed outcome, with a leading 0 (no outcome yet)
    cum = {
        "n2": np.concatenate(([0], np.cumsum(second))),
        "x2": np.concatenate(([0], np.cumsum(events & second))),
        "x1": np.concatenate(([0], np.cumsum(events & ~second))),
    }
    info = np.asarray(bounds.information_fractions, dtype=np.float64)
    m = np.ceil(info * total).astype(np.int64)
    n2, x2, x1 = (cum[k][m] for k in ("n2", "x2", "x1"))
    n1 = m - n2
    z = np.array(
        [
            two_proportion_test(int(a), int(b), int(c), int(d)).z if min(b, d) > 0 else math.nan
            for a, b, c, d in zip(x1, n1, x2, n2, strict=True)
        ],
        dtype=np.float64,
    )
    b = np.asarray(bounds.boundaries, dtype=np.float64)
    alt = bounds.alternative
    with np.errstate(invalid="ignore"):
        crossed = np.abs(z) >= b if alt == "two-sided" else (z >= b if alt == "greater" else z <= -b)
    hits = np.flatnonzero(crossed)
    empty = int((np.minimum(n1, n2) == 0).sum())
    note = f"{empty} look(s) before both groups had an outcome: z is undefined there (NaN)." if empty else None
    return SequentialLooksResult(
        information_fractions=tuple(info.tolist()),
        n_outcomes=tuple(int(v) for v in m),
        x1=tuple(int(v) for v in x1),
        n1=tuple(int(v) for v in n1),
        x2=tuple(int(v) for v in x2),
        n2=tuple(int(v) for v in n2),
        z_values=tuple(z.tolist()),
        boundaries=tuple(b.tolist()),
        crossed=tuple(bool(c) for c in crossed),
        first_crossing=int(hits[0]) + 1 if hits.size else None,
        alternative=alt,
        n_total=total,
        note=note,
    )
