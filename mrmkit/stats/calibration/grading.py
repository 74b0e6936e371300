"""Grade assignment and per-grade counts: plain helpers, not registered statistics.

:func:`equal_population_grades`, :func:`equal_population_bounds` and :func:`grades_from_bands` assign
grades to loans by their PD; :func:`grade_summary` counts obligors and defaults per grade, the inputs
of the grade-level tests.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters
from mrmkit.stats._base import Result, check_int, jsonable
from mrmkit.stats.calibration._common import _codes, _factorize, _labels, _loan_inputs, _numbers, _order

__all__ = [
    "equal_population_grades",
    "equal_population_bounds",
    "grades_from_bands",
    "grade_summary",
    "GradeAssignment",
    "GradeSummary",
]


# ----------------------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True, eq=False)
class GradeAssignment(Result):
    """Per-loan grades and the summary of the assignment.

    ``grades`` holds one label per loan (a read-only array); ``to_dict()`` leaves it out, since it is
    data rather than a result. Labels are listed in ``labels`` from the best grade (lowest PD) to the
    worst, which is the ``order`` to pass to :func:`migration_matrix` and :func:`grade_summary`.
    """

    grades: np.ndarray
    labels: tuple[Any, ...]
    counts: tuple[int, ...]
    pd_min: tuple[float, ...]
    pd_max: tuple[float, ...]
    upper_bounds: tuple[float, ...] | None
    method: str
    n_grades_requested: int
    n_grades_used: int
    n: int
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        return {f.name: jsonable(getattr(self, f.name)) for f in fields(self) if f.name != "grades"}


@dataclass(frozen=True, slots=True)
class GradeSummary(Result):
    labels: tuple[Any, ...]
    n: tuple[int, ...]
    defaults: tuple[int, ...]
    pd: tuple[float, ...]
    default_rate: tuple[float, ...]
    n_total: int
    defaults_total: int
    pd_method: str


# ------------------------------------------------------------------------------ grade assignment
def _pd_array(pd_: Any, func: str) -> np.ndarray:
    arr = _numbers(pd_, "pd", func)
    if arr.ndim != 1:
        raise InvalidInput(f"pd of {func} must be one PD per loan (a one-dimensional array); got a scalar.")
    if arr.size == 0:
        raise InsufficientData(f"{func} needs at least one PD; got none.")
    bad = (arr < 0.0) | (arr > 1.0)
    if bad.any():
        raise InvalidInput(f"pd of {func} must be probabilities between 0 and 1; {int(bad.sum())} value(s) are not.")
    return arr


def _assignment(
    p: np.ndarray,
    codes: np.ndarray,
    labels: tuple[Any, ...],
    upper: tuple[float, ...] | None,
    method: str,
    requested: int,
    note: str | None,
) -> GradeAssignment:
    k = len(labels)
    counts = np.bincount(codes, minlength=k)
    lo = np.full(k, np.inf)
    hi = np.full(k, -np.inf)
    np.minimum.at(lo, codes, p)
    np.maximum.at(hi, codes, p)
    lo[counts == 0] = np.nan
    hi[counts == 0] = np.nan
    grades = np.asarray(labels, dtype=object if any(isinstance(v, str) for v in labels) else None)[codes]
    grades.flags.writeable = False
    return GradeAssignment(
        grades,
        labels,
        tuple(counts.tolist()),
        tuple(lo.tolist()),
        tuple(hi.tolist()),
        upper,
        method,
        requested,
        int((counts > 0).sum()),
        p.size,
        note,
    )


def equal_population_grades(pd: Any, n_grades: int) -> GradeAssignment:
    """Grades 1..K of (nearly) equal size by rank of PD, ties kept in one grade.

    Parameters
    ----------
    pd : array-like of float
        Each loan's PD, between 0 and 1, no missing values.
    n_grades : int
        Number of grades requested, at least 1.

    Returns
    -------
    GradeAssignment
        ``grades`` (1 = lowest PDs = best, up to ``n_grades_used``), ``counts``, ``pd_min``, ``pd_max``.

    Notes
    -----
    Deterministic: the PDs are sorted (stably), the loan at sorted position ``r`` (0-based) of ``N``
    is given the target grade ``floor(r K / N) + 1``, and every loan gets the target grade of the
    first loan with the same PD, so equal PDs never straddle two grades. A large block of equal PDs
    therefore makes its grade larger and can leave a later target grade empty; grades are then
    renumbered consecutively, ``n_grades_used`` is below ``n_grades`` and a note says so. Grade
    boundaries are the ``pd_max`` of each grade (right-closed, as :func:`grades_from_bands`).
    """
    k = check_int(n_grades, "n_grades", "equal_population_grades", 1)
    p = _pd_array(pd, "equal_population_grades")
    n = p.size
    order = np.argsort(p, kind="stable")
    s = p[order]
    target = (np.arange(n, dtype=np.int64) * k) // n
    run_start = np.empty(n, dtype=bool)
    run_start[0] = True
    np.not_equal(s[1:], s[:-1], out=run_start[1:])
    first = np.maximum.accumulate(np.where(run_start, np.arange(n), 0))
    g = target[first]
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(g[1:], g[:-1], out=new[1:])
    dense = np.cumsum(new) - 1  # consecutive 0-based grades in PD order
    codes = np.empty(n, dtype=np.int64)
    codes[order] = dense
    used = int(dense[-1]) + 1
    note = None
    if used < k:
        note = (
            f"Ties in the PDs left {k - used} of the {k} requested grades empty; the {used} grades used are "
            f"numbered 1 to {used}."
        )
    return _assignment(
        p,
        codes,
        tuple(range(1, used + 1)),
        None,
        "equal population by PD rank (stable sort), ties kept in the grade of their first member",
        k,
        note,
    )


def equal_population_bounds(pd: Any, n_grades: int) -> tuple[float, ...]:
    """Upper PD bounds of :func:`equal_population_grades`, to cut other samples the same way.

    Parameters
    ----------
    pd : array-like of float
        The PDs the grades are cut on (e.g. the development or reference sample).
    n_grades : int
        Number of grades requested, at least 1.

    Returns
    -------
    tuple of float
        One upper bound per grade used: the largest PD of each equal-population grade, except the
        last, which is 1.0 so that any PD falls into a band. ``grades_from_bands(pd, bounds)`` on the
        same PDs gives exactly the grades of ``equal_population_grades(pd, n_grades)``, because equal
        PDs never straddle two grades and bands are right-closed.
    """
    g = equal_population_grades(pd, n_grades)
    return (*g.pd_max[:-1], 1.0)


def grades_from_bands(pd: Any, upper_bounds: Any, labels: Any = None) -> GradeAssignment:
    """Grades from a master scale of PD bands, right-closed: ``upper[k-1] < pd <= upper[k]``.

    Parameters
    ----------
    pd : array-like of float
        Each loan's PD, between 0 and 1, no missing values.
    upper_bounds : sequence of float
        Strictly increasing upper bounds of the bands, best band first; the last must be at least the
        largest PD (use 1.0 to be safe).
    labels : sequence, optional
        One distinct label per band; default 1..K.

    Returns
    -------
    GradeAssignment
        ``grades`` (labels), ``counts`` per band (empty bands kept), ``pd_min``, ``pd_max`` and the
        ``upper_bounds``.

    Notes
    -----
    Band k holds ``upper_bounds[k-1] < pd <= upper_bounds[k]``, the first band everything up to its
    bound, via ``numpy.searchsorted(upper_bounds, pd, side="left")``. A PD above the last bound is an
    error, never silently put into the last band.
    """
    func = "grades_from_bands"
    try:
        ub = np.asarray(upper_bounds, dtype=np.float64)
    except (TypeError, ValueError):
        ub = np.array([np.nan])
    if ub.ndim != 1 or ub.size < 1 or not np.isfinite(ub).all() or (np.diff(ub) <= 0).any():
        raise InvalidParameters(
            f"The 'upper_bounds' parameter of {func} must be a non-empty sequence of strictly "
            f"increasing finite numbers; got {upper_bounds!r}."
        )
    k = ub.size
    if labels is None:
        names: tuple[Any, ...] = tuple(range(1, k + 1))
    else:
        names = tuple(v.item() if isinstance(v, np.generic) else v for v in labels)
        if len(names) != k or len(set(names)) != k:
            raise InvalidParameters(
                f"The 'labels' parameter of {func} must give {k} distinct labels, one per band; got {list(names)!r}."
            )
    p = _pd_array(pd, func)
    codes = np.searchsorted(ub, p, side="left")
    above = codes >= k
    if above.any():
        raise InvalidInput(
            f"pd of {func} has {int(above.sum())} value(s) above the last upper bound {ub[-1]:g} "
            f"(largest {float(p.max()):g}); add a band up to 1.0."
        )
    empty = int((np.bincount(codes, minlength=k) == 0).sum())
    note = f"{empty} band(s) hold no loan." if empty else None
    return _assignment(
        p, codes.astype(np.int64), names, tuple(ub.tolist()), "PD bands, right-closed (upper[k-1], upper[k]]", k, note
    )


def grade_summary(y: Any, pd: Any, grades: Any, order: Any = None) -> GradeSummary:
    """Obligors, defaults and mean PD per grade: the inputs of the grade-level tests.

    Parameters
    ----------
    y : array-like of 0/1 or bool
        Default flag per loan.
    pd : array-like of float
        Each loan's PD, between 0 and 1.
    grades : array-like
        Each loan's grade.
    order : sequence, optional
        Grade labels from best to worst; grades absent from the data are kept with ``n = 0`` (drop
        them before :func:`binomial_test`). Default: the labels present, sorted.

    Returns
    -------
    GradeSummary
        Per grade ``n``, ``defaults``, ``pd`` (the mean PD of the grade's loans) and ``default_rate``
        (NaN for an empty grade).
    """
    func = "grade_summary"
    is_default, p = _loan_inputs(y, pd, func)
    if order is None:
        codes, labels = _factorize(grades, p.size, func)
    else:
        labels = _order(order, func, minimum=1)
        arr = _labels(grades, "grades", func)
        if arr.size != p.size:
            raise InvalidInput(f"grades of {func} must have one value per element of y ({p.size}); got {arr.size}.")
        codes = _codes(arr, labels, "grades", func)
    k = len(labels)
    n = np.bincount(codes, minlength=k)
    d = np.bincount(codes, weights=is_default.astype(np.float64), minlength=k).astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        pk = np.bincount(codes, weights=p, minlength=k) / n
        rate = d / n
    return GradeSummary(
        labels,
        tuple(n.tolist()),
        tuple(d.tolist()),
        tuple(pk.tolist()),
        tuple(rate.tolist()),
        int(n.sum()),
        int(d.sum()),
        "mean PD of the grade's loans",
    )
