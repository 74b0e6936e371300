"""Calibration and stability of PD models: the back-tests of a PD validation.

Grade-level tests take, per rating grade, the number of obligors ``n``, the number of them that
defaulted ``defaults`` and the grade's PD ``pd``, each a scalar or a 1-D array (one value per grade;
scalars broadcast): :func:`binomial_test`, :func:`jeffreys_test`, :func:`hosmer_lemeshow`.
Loan-level statistics take the 0/1 default flag ``y`` and each loan's ``pd``:
:func:`spiegelhalter_test`, :func:`brier_score`. Stability: :func:`herfindahl` (concentration in
grades), :func:`auc_initial_test` (discrimination against the initial validation) and
:func:`migration_matrix` (grade migrations). :func:`equal_population_grades`,
:func:`equal_population_bounds`, :func:`grades_from_bands` and :func:`grade_summary` are plain helpers
(not registered statistics) that assign grades and count obligors and defaults per grade.

Conventions: a default is ``y == 1``; grades are ordered from the best (lowest PD) to the worst; a
move to a later grade in that order is a downgrade. Nothing here modifies its inputs.

The package has one module per family, and this module re-exports all their names:
:mod:`~mrmkit.stats.calibration.grade_level` (binomial, Jeffreys, Hosmer-Lemeshow),
:mod:`~mrmkit.stats.calibration.loan_level` (Spiegelhalter, Brier),
:mod:`~mrmkit.stats.calibration.stability` (Herfindahl, AUC against the initial validation),
:mod:`~mrmkit.stats.calibration.migration` (migration matrix), :mod:`~mrmkit.stats.calibration.grading`
(grade assignment and per-grade counts) and the shared input checks in ``_common``.
"""

# isort: off
# Each family registers its statistics in mrmkit.stats.REGISTRY when it is first imported: they are imported in the
# order of the former single module, which is the registry's order (isort would sort them by name).
from mrmkit.stats.calibration.grade_level import (
    BinomialTestResult,
    HosmerLemeshowResult,
    JeffreysTestResult,
    binomial_test,
    hosmer_lemeshow,
    jeffreys_test,
)
from mrmkit.stats.calibration.loan_level import BrierResult, SpiegelhalterResult, brier_score, spiegelhalter_test
from mrmkit.stats.calibration.stability import AucInitialTestResult, HerfindahlResult, auc_initial_test, herfindahl
from mrmkit.stats.calibration.migration import MigrationMatrixResult, migration_matrix
from mrmkit.stats.calibration.grading import (
    GradeAssignment,
    GradeSummary,
    equal_population_bounds,
    equal_population_grades,
    grade_summary,
    grades_from_bands,
)

# The former module's other names, still importable from here ("x as x" marks a re-export).
from mrmkit.stats.calibration._common import (
    _codes as _codes,
    _factorize as _factorize,
    _grade_inputs as _grade_inputs,
    _labels as _labels,
    _loan_inputs as _loan_inputs,
    _numbers as _numbers,
    _order as _order,
    _out as _out,
)
from mrmkit.stats.calibration.grade_level import _FEW_EXPECTED as _FEW_EXPECTED, Int as Int, Num as Num
from mrmkit.stats.calibration.loan_level import _first as _first
from mrmkit.stats.calibration.stability import _concentration as _concentration, _counts as _counts
from mrmkit.stats.calibration.migration import _sentence as _sentence
from mrmkit.stats.calibration.grading import _assignment as _assignment, _pd_array as _pd_array
# isort: on

__all__ = [
    "binomial_test",
    "jeffreys_test",
    "hosmer_lemeshow",
    "spiegelhalter_test",
    "brier_score",
    "herfindahl",
    "auc_initial_test",
    "migration_matrix",
    "equal_population_grades",
    "equal_population_bounds",
    "grades_from_bands",
    "grade_summary",
    "BinomialTestResult",
    "JeffreysTestResult",
    "HosmerLemeshowResult",
    "SpiegelhalterResult",
    "BrierResult",
    "HerfindahlResult",
    "AucInitialTestResult",
    "MigrationMatrixResult",
    "GradeAssignment",
    "GradeSummary",
]
