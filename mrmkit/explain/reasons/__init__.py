"""Adverse-action reason codes: ranked, mapped, de-duplicated principal reasons for declined applications.

Under ECOA / Regulation B (12 CFR 1002.9(b)(2)) a declined applicant is told the *principal* reasons
for the decline. A model gives a per-feature contribution towards a higher PD (SHAP values in log-odds,
or a scorecard's points below the maximum); this module turns those into reason statements with rules
a validator can check line by line:

* **Only adverse contributions are reasons.** A feature is a candidate reason for a row only when its
  contribution is strictly greater than ``min_contribution`` (which is at least 0). A zero or negative
  contribution never gives a reason, so a row may get fewer than ``top_k`` reasons; the result counts
  those rows.
* **Ranking.** Candidates are ordered by decreasing contribution. Exact ties are broken by the order
  of the features in the reason-code table (the dict's insertion order; features absent from the table
  come after it in the order of the contribution columns), never by chance.
* **One statement per code.** Several features may share a code (e.g. two delinquency counts mapped to
  "delinquent past or present credit obligations"). A code counts once; its rank is its best feature's
  rank and the row reports that feature and its contribution, so a notice lists ``top_k`` *distinct*
  statements.
* **Every reason is mapped.** A feature that would be among a row's top ``top_k`` reasons but has no
  entry in the table is an error naming it (a notice must never show an unmapped reason). Every table
  feature must be a feature the model uses; table features never used as a reason are reported.

``reason_codes`` takes contributions; ``points_below_maximum`` takes a scorecard's points per row and
the maximum points of each feature and ranks the shortfalls ``max_points - points`` with the same rules.
``linear_points`` derives such points for a linear (logistic) model without a scorecard.

The package's modules, whose names this module re-exports: :mod:`~mrmkit.explain.reasons.assignment`
(the result class, the checks, the ranking and ``reason_codes``) and :mod:`~mrmkit.explain.reasons.scorecard`
(``points_below_maximum`` and ``linear_points``).
"""

from mrmkit.explain.reasons.assignment import ReasonCodes, reason_codes
from mrmkit.explain.reasons.scorecard import linear_points, points_below_maximum

# The former module's other names, still importable from here ("x as x" marks a re-export).
from mrmkit.explain.reasons.assignment import (  # isort: skip
    FREQUENCY_COLUMNS as FREQUENCY_COLUMNS,
    REASON_COLUMNS as REASON_COLUMNS,
    RULES as RULES,
)

__all__ = ["ReasonCodes", "reason_codes", "points_below_maximum", "linear_points"]
