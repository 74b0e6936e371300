"""Drift between a reference and a current sample: PSI, KS, Wasserstein, Jensen-Shannon, chi-square.

Every public function and :func:`drift_table` go through the same private kernels, so a column's
numbers in the table are bit-for-bit the numbers of the individual functions:

* ``_pair``: classifies the two samples (numeric or categorical), counts missing values and, for
  numeric data, sorts the non-missing values of each sample once; for categorical data it encodes
  both samples on the sorted union of their categories and counts them.
* ``_bin_counts``: reference-decile bins (numpy's default "linear" quantiles), counted on the two
  sorted arrays with ``searchsorted``; missing values get their own bin.
* ``_merge``: merges the two sorted arrays with one ``searchsorted`` per sample and reads both
  empirical distribution functions off the merge, which gives the Kolmogorov-Smirnov statistic and
  the first Wasserstein distance in one pass.

Nothing here modifies its inputs: arrays are read, never sorted in place.

The package has one module per family, and this module re-exports all their names:
:mod:`~mrmkit.stats.drift.binning` (PSI, Jensen-Shannon and ``_bin_counts``),
:mod:`~mrmkit.stats.drift.distance` (KS, Wasserstein and ``_merge``), :mod:`~mrmkit.stats.drift.chi_square`
(chi-square), :mod:`~mrmkit.stats.drift.table` (:func:`drift_table`),
:mod:`~mrmkit.stats.drift.multiple_testing` (:func:`adjust_pvalues`) and :mod:`~mrmkit.stats.drift.discrete`
(:func:`discrete_test`), :mod:`~mrmkit.stats.drift.effect_size` (:func:`shift_effect`); ``_pair`` is in :mod:`mrmkit.stats._samples`.
"""

# isort: off
# Each family registers its statistics in mrmkit.stats.REGISTRY when it is first imported: they are imported in the
# order of the former single module, which is the registry's order (isort would sort them by name).
from mrmkit.stats.drift.binning import EPSILON, JsResult, PsiBin, PsiResult, js_distance, psi
from mrmkit.stats.drift.distance import KsResult, WassersteinResult, ks_test, wasserstein
from mrmkit.stats.drift.chi_square import Chi2Result, chi2_test
from mrmkit.stats.drift.table import ColumnDrift, DriftTable, drift_table
from mrmkit.stats.drift.multiple_testing import AdjustedPValues, adjust_pvalues
from mrmkit.stats.drift.discrete import DiscreteTestResult as DiscreteTestResult, discrete_test as discrete_test
from mrmkit.stats.drift.effect_size import ShiftEffectResult, cohens_h, cramers_v, shift_effect

# The former module's other names, still importable from here ("x as x" marks a re-export).
from mrmkit.stats._samples import ColumnProfile as ColumnProfile
from mrmkit.stats.profile import ReferenceProfile as ReferenceProfile
from mrmkit.stats.drift.binning import (
    MISSING_LABEL as MISSING_LABEL,
    _JS_MAX as _JS_MAX,
    _bin_counts as _bin_counts,
    _Bins as _Bins,
    _check_flag as _check_flag,
    _js_from_bins as _js_from_bins,
    _kind as _kind,
    _psi_from_bins as _psi_from_bins,
)
from mrmkit.stats.drift.distance import (
    _KS_MAX_EXACT_N as _KS_MAX_EXACT_N,
    _ks_from_pair as _ks_from_pair,
    _ks_pvalue as _ks_pvalue,
    _merge as _merge,
    _numeric_only as _numeric_only,
    _wasserstein_from_pair as _wasserstein_from_pair,
)
from mrmkit.stats.drift.chi_square import (
    MIN_EXPECTED as MIN_EXPECTED,
    _chi2_from_pair as _chi2_from_pair,
    _rare_cells as _rare_cells,
)
from mrmkit.stats.drift.table import (
    _FRAME_COLUMNS as _FRAME_COLUMNS,
    _column_drift as _column_drift,
    _guarded as _guarded,
)
from mrmkit.stats.drift.multiple_testing import (
    _ADJUSTMENTS as _ADJUSTMENTS,
    _bonferroni as _bonferroni,
    _fdr_bh as _fdr_bh,
    _holm as _holm,
)
from mrmkit.stats.drift.discrete import _cell_label as _cell_label
# isort: on

__all__ = [
    "psi",
    "ks_test",
    "wasserstein",
    "js_distance",
    "chi2_test",
    "drift_table",
    "adjust_pvalues",
    "shift_effect",
    "cohens_h",
    "cramers_v",
    "ShiftEffectResult",
    "PsiBin",
    "PsiResult",
    "KsResult",
    "WassersteinResult",
    "JsResult",
    "Chi2Result",
    "ColumnDrift",
    "DriftTable",
    "AdjustedPValues",
    "EPSILON",
]
