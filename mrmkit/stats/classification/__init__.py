"""Binary classifiers judged at an operating point: fraud and other alerting models (``model.kind: classifier``).

Conventions:

* ``y`` is 0/1 (1 = the event: fraud), ``score`` a number where a higher value means more suspicious; a
  case is *alerted* when ``score >= threshold``.
* The operating point is a score ``threshold`` or an ``alert_rate``: the share of cases to alert. For an
  alert rate the threshold is the score of the ``ceil(alert_rate * n)``-th case in descending order, and
  every case tied with it is alerted too, so the achieved rate (``alert_rate_achieved``) may exceed the
  target when scores tie; both are reported.
* Precision, recall (catch rate), false-positive rate, F1 and lift are computed from the four counts of
  the confusion table; a ratio whose denominator is zero is ``NaN`` (never 0 or 1 by convention).
* Nothing here draws random numbers or modifies its inputs.

The package has one module per family, and this module re-exports all their names:
:mod:`~mrmkit.stats.classification.operating` (operating point, confusion metrics),
:mod:`~mrmkit.stats.classification.tradeoffs` (precision-recall curve, expected cost) and
:mod:`~mrmkit.stats.classification.paired` (paired proportions).
"""

# isort: off
# Each family registers its statistics in mrmkit.stats.REGISTRY when it is first imported: they are imported in the
# order of the former single module, which is the registry's order (isort would sort them by name).
from mrmkit.stats.classification.operating import (
    ClassificationMetrics,
    OperatingPoint,
    classification_metrics,
    operating_point,
)
from mrmkit.stats.classification.tradeoffs import (
    ExpectedCost,
    PrecisionRecallCurve,
    average_precision,
    expected_cost,
    precision_recall_curve,
)
from mrmkit.stats.classification.paired import PairedProportions, paired_proportions

# The former module's other names, still importable from here ("x as x" marks a re-export).
from mrmkit.stats.classification.operating import (
    _alert_threshold as _alert_threshold,
    _finite as _finite,
    _groups as _groups,
    _ratio as _ratio,
)
# isort: on

__all__ = [
    "operating_point",
    "classification_metrics",
    "precision_recall_curve",
    "average_precision",
    "expected_cost",
    "paired_proportions",
    "OperatingPoint",
    "ClassificationMetrics",
    "PrecisionRecallCurve",
    "ExpectedCost",
    "PairedProportions",
]
