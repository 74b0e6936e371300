"""Champion-challenger comparison: paired tests, business impact at a cut-off, sample sizes, sequential looks.

Conventions shared by every function here:

* ``a`` is the champion (the model in use, the reference) and ``b`` the challenger. Every difference is
  **b minus a** (challenger minus champion); for two independent groups it is **group 2 minus group 1**
  (``p2 - p1``, odds of group 2 over odds of group 1). Swapping a and b flips every sign.
* ``y`` is 0/1 (or bool) with 1 the event, a bad or default; a higher score or PD means riskier (as in
  :mod:`mrmkit.stats.discrimination`). Credit decisions approve when ``PD <= cutoff``.
* Every random step draws from ``numpy.random.default_rng(seed)`` with an explicit ``seed`` that the
  result records; the draws do not depend on threads or on how the work is chunked, so one seed gives
  one result.
* Nothing here modifies its inputs. Undefined quantities are NaN (``None`` in ``to_dict()``) with a note.

Tests: :func:`mcnemar_test` (paired decisions), :func:`two_proportion_test` and
:func:`fisher_exact_test` (two independent groups), :func:`welch_t_test` (the means of two independent
groups), :func:`sample_ratio_mismatch` (is an A/B split as designed?). Discrimination: :func:`bootstrap_auc_difference` (the DeLong test is
:func:`mrmkit.stats.delong_test`). Business impact at a cut-off: :func:`matched_cutoff`,
:func:`swap_set`, :func:`bootstrap_metric_difference`. Agreement of the scores: :func:`score_agreement`.
Design: :func:`sample_size_two_proportions`, :func:`group_sequential_bounds`,
:func:`sequential_decision` and :func:`sequential_looks` (the z at each look of a log).

The functions live in submodules by family and are all importable from here: :mod:`.proportions`
(paired and two-group tests), :mod:`.design` (sample-ratio mismatch, sample size), :mod:`.bootstrap`,
:mod:`.cutoffs` (business impact at a cut-off, score agreement), :mod:`.sequential` and :mod:`.means`; :mod:`._common`
holds the argument checks and the resampling core they share.
"""

from __future__ import annotations

# The submodules are imported in the order of their @register calls (the order of REGISTRY).
from mrmkit.stats.comparison import _common, proportions, design, bootstrap, cutoffs, sequential, means  # noqa: F401  # isort: skip
from mrmkit.stats.comparison._common import _resample_weights as _resample_weights
from mrmkit.stats.comparison._common import _WeightedAuc as _WeightedAuc
from mrmkit.stats.comparison.bootstrap import (
    BootstrapAucDifferenceResult,
    BootstrapMetricDifferenceResult,
    MetricComparison,
    bootstrap_auc_difference,
    bootstrap_metric_difference,
)
from mrmkit.stats.comparison.cutoffs import (
    MatchedCutoffResult,
    ScoreAgreementResult,
    SwapSetResult,
    matched_cutoff,
    score_agreement,
    swap_set,
)
from mrmkit.stats.comparison.design import (
    SampleRatioResult,
    SampleSizeResult,
    sample_ratio_mismatch,
    sample_size_two_proportions,
)
from mrmkit.stats.comparison.means import WelchTestResult, welch_t_test
from mrmkit.stats.comparison.proportions import (
    FisherExactResult,
    McNemarResult,
    TwoProportionResult,
    fisher_exact_test,
    mcnemar_test,
    two_proportion_test,
)
from mrmkit.stats.comparison.sequential import (
    GroupSequentialBounds,
    SequentialDecisionResult,
    SequentialLooksResult,
    group_sequential_bounds,
    sequential_decision,
    sequential_looks,
)

__all__ = [
    "mcnemar_test",
    "sample_size_two_proportions",
    "two_proportion_test",
    "fisher_exact_test",
    "sample_ratio_mismatch",
    "bootstrap_auc_difference",
    "bootstrap_metric_difference",
    "matched_cutoff",
    "swap_set",
    "score_agreement",
    "group_sequential_bounds",
    "sequential_decision",
    "sequential_looks",
    "welch_t_test",
    "McNemarResult",
    "SampleSizeResult",
    "TwoProportionResult",
    "FisherExactResult",
    "SampleRatioResult",
    "BootstrapAucDifferenceResult",
    "MetricComparison",
    "BootstrapMetricDifferenceResult",
    "MatchedCutoffResult",
    "SwapSetResult",
    "ScoreAgreementResult",
    "GroupSequentialBounds",
    "SequentialDecisionResult",
    "SequentialLooksResult",
    "WelchTestResult",
]
