"""Counterfactuals for declined applications: the smallest change of actionable features that approves.

For each declined row (PD above the cut-off; a row is approved when ``PD <= cutoff``) the search looks
for the change of the *actionable* features only, each kept within its allowed range, that brings the
PD to the cut-off or below with the smallest distance

    distance = sum over changed features of |new - old| / scale[feature].

``scale`` is given by the caller or, per feature, the inter-quartile range of ``reference`` (``rows``
when no reference is given), else its standard deviation when the IQR is 0, else the width of the
allowed range, else 1; the choice is recorded in ``scale_source``.

Search (seeded, deterministic, batched ``predict_proba`` calls):

1. **Single-feature moves.** For every actionable feature and both directions, the segment from the
   current value (clipped into the range) to the range's bound is evaluated at the fractions
   ``step_grid`` of its length; the first grid point that crosses the cut-off brackets the smallest
   crossing move with the last point that does not, and bisection (``n_bisection`` halvings) narrows the
   bracket. The crossing end of a bracket is always an evaluated point, so a reported counterfactual's
   PD is a real prediction. Brackets that cannot beat the best crossing found are not refined.
2. **Combinations**, only for rows no single move fixes: every movable feature at its more favourable
   bound (the "corner"), then ``n_random`` random candidates from ``numpy.random.default_rng(seed)``
   (a random subset of features, each moved a uniform fraction of the way to its favourable bound);
   the closest crossing candidate is shrunk towards the row by bisection on a common factor, then each
  changed feature alone, in ``actionable`` order (a coordinate pass); a greedy candidate (features
  in order of logit gain per unit of scaled distance at their favourable bound, filled to the bound one
  after another, the last one bisected: the optimum for a linear logit) replaces it when closer.

Exact ties between single-feature moves go to the first feature in ``actionable`` order, an increase
before a decrease.

For a model whose PD is monotone in each feature, step 1 finds the exact minimal single-feature move
(to the bisection's precision), and for a linear logit with this L1-type distance the best
single-feature move is the optimum unless bounds bind. For other models the answer is the best found,
not a proven optimum.

Rules:

* **Whole numbers.** A feature whose non-missing reference values are all integers is a whole-number
  feature; its bounds become ``ceil(low)`` and ``floor(high)`` and every candidate value is rounded
  *away from the current value* (up for increases, down for decreases), i.e. in the direction that keeps
  crossing the cut-off for a monotone model; bisection then works on integers.
* **Missing values.** An actionable feature missing in a row is not changed for that row (the model's
  own treatment of missing values stays); it is listed in ``missing_features`` of that row.
* **Values outside the range.** A value outside its allowed range can only move into the range; the
  move to the nearer bound is then part of the distance.
* **Budget.** ``max_evaluations`` bounds the model evaluations per row (the first prediction included);
  when it runs out the best crossing found so far is kept.

The package's modules, whose names this module re-exports: :mod:`~mrmkit.explain.counterfactual.search`
(``counterfactuals``), :mod:`~mrmkit.explain.counterfactual.inputs` (defaults, the result class, argument
checks and scales) and :mod:`~mrmkit.explain.counterfactual.evaluation` (batched model evaluations,
whole-number rounding and the greedy fill).
"""

from mrmkit.explain.counterfactual.inputs import DEFAULT_STEP_GRID, CounterfactualResult
from mrmkit.explain.counterfactual.search import counterfactuals

# The former module's other names, still importable from here ("x as x" marks a re-export).
from mrmkit.explain.counterfactual.evaluation import (  # isort: skip
    _greedy as _greedy,
    _logit as _logit,
    _Model as _Model,
    _round_away as _round_away,
)
from mrmkit.explain.counterfactual.inputs import (  # isort: skip
    _CHUNK as _CHUNK,
    FUNC as FUNC,
    _check_args as _check_args,
    _scales as _scales,
)

__all__ = ["CounterfactualResult", "counterfactuals", "DEFAULT_STEP_GRID"]
