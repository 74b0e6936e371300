"""Fair-lending statistics of credit decisions: adverse impact, demographic parity, equal opportunity.

Every function takes one decision per applicant, ``approved`` (1 or ``True`` = approved, the favourable
outcome; 0 or ``False`` = declined), and one group label per applicant, ``group`` (e.g. sex or age
band), and compares each group with a ``reference_group`` chosen by the caller (the control group of a
fair-lending review, typically the group expected to be favoured). :func:`equal_opportunity` also
takes ``y_good``, 1 for an applicant who turned out creditworthy (did *not* default).

Conventions shared by the three statistics:

* Missing group values (``None``, ``NaN``, ``pandas.NA``, ``NaT``) are never dropped: they form a group
  of their own labelled ``"<missing>"``, listed last. Data that already use the label ``"<missing>"``
  and also have missing values are rejected, since the two could not be told apart.
* Groups are the labels present in the data, in sorted order (by their text when labels of different
  types cannot be compared), so the result never depends on the order of the rows.
* An unknown ``reference_group`` is an :class:`~mrmkit.errors.InvalidParameters` error that lists the
  groups present.
* Undefined rates and differences are NaN (``None`` in ``to_dict()``), reported as "n/a".
* Arguments are matched by position (pandas indexes are ignored): row i of ``approved``, ``group`` and
  ``y_good`` is one applicant.

Nothing here modifies its inputs or draws random numbers.

The package has one module per family, and this module re-exports all their names:
:mod:`~mrmkit.stats.fairness.impact` (:func:`adverse_impact` and the four-fifths rule),
:mod:`~mrmkit.stats.fairness.parity` (:func:`demographic_parity`, :func:`equal_opportunity`) and the shared
checks of the decisions and groups, counts and rate differences in ``_common``.
"""

# isort: off
# Each family registers its statistics in mrmkit.stats.REGISTRY when it is first imported: they are imported in the
# order of the former single module, which is the registry's order (isort would sort them by name).
from mrmkit.stats.fairness._common import MISSING_GROUP
from mrmkit.stats.fairness.impact import FOUR_FIFTHS, AdverseImpactResult, adverse_impact
from mrmkit.stats.fairness.parity import (
    DemographicParityResult,
    EqualOpportunityResult,
    demographic_parity,
    equal_opportunity,
)

# The former module's other names, still importable from here ("x as x" marks a re-export).
from mrmkit.stats.fairness._common import (
    _counts as _counts,
    _differences as _differences,
    _extremes as _extremes,
    _flags as _flags,
    _groups as _groups,
    _missing_note as _missing_note,
    _rates as _rates,
    _reference as _reference,
    _same as _same,
    _sentence as _sentence,
    _sort_key as _sort_key,
)
from mrmkit.stats.fairness.impact import _TESTS as _TESTS
# isort: on

__all__ = [
    "adverse_impact",
    "demographic_parity",
    "equal_opportunity",
    "AdverseImpactResult",
    "DemographicParityResult",
    "EqualOpportunityResult",
    "MISSING_GROUP",
    "FOUR_FIFTHS",
]
