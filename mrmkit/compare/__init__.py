"""Compare the metrics of evidence packages: ``mrmkit diff``, ``mrmkit history`` and ``mrmkit reproduce``.

``metrics.json`` is a tree ``{workbook: {...}}``. :func:`flatten` turns it into one dotted key per
recorded value, :func:`compare_metrics` compares two trees key by key, :func:`diff_packages` compares two
packages (identity, parameters, status, findings, metrics) and :func:`history` tabulates the key metrics of
one model across its packages.

Keys
----
Dict keys are joined with dots (``drift.features.income.psi``); a list item is ``key[i]``. A list whose
items are all dicts identified by ``name``, ``metric``, ``rule``, ``feature`` and ``step``, or ``id``
(checked in that order; the values must be unique) is keyed by that value instead of its position
(``backtest.stress.rows[income_fall].mean_pd``, ``backtest.sensitivity.rows[income@sd].change_up``), so a
diff does not change when only the order of the rows changes. A ``findings`` list is keyed by each
finding's ``metric``, with ``" | " + title`` added when a metric has more than one finding. An empty dict
or list is a value of its own (``{}``, ``[]``), so it is not lost.

Tolerance
---------
Integers, booleans, strings and ``None`` are compared exactly. Two floats (or a float and an integer) are
equal when ``math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)`` (the defaults of
:func:`compare_metrics`). JSON stores a double exactly, so the tolerance only absorbs floating-point
non-determinism: a different summation order (BLAS threads, another CPU or platform) moves a result by a
few units in the last place, about 1e-16 to 1e-13 relative, far below 1e-9, and 1e-9 is far below any
decimal a report prints. ``abs_tol`` lets values that should be zero (an additivity error of 1e-17 against
3e-17) compare equal. The strings ``"inf"`` and ``"-inf"`` (how ``metrics.json`` stores infinities) are
read as infinities; ``None`` (how it stores NaN) equals only ``None``.
"""

from mrmkit.compare.diff import CSV_COLUMNS, PackageDiff, diff_packages
from mrmkit.compare.metrics import (
    ABS_TOL,
    REL_TOL,
    STATUS_KEYS,
    MetricChange,
    MetricDiff,
    compare_metrics,
    flatten,
    plain,
    workbook_of,
)
from mrmkit.compare.packages import HISTORY_KEYS, PackageIdentity, history, read_metrics, read_parameters

__all__ = [
    "STATUS_KEYS",
    "REL_TOL",
    "ABS_TOL",
    "HISTORY_KEYS",
    "flatten",
    "compare_metrics",
    "MetricChange",
    "MetricDiff",
    "PackageIdentity",
    "PackageDiff",
    "diff_packages",
    "read_metrics",
    "read_parameters",
    "plain",
    "workbook_of",
    "CSV_COLUMNS",
    "history",
]
