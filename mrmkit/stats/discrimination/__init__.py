"""Discriminatory power of a score for a binary outcome: AUC (DeLong), Gini, KS, paired DeLong test, and the
unpaired Hanley-McNeil test of two AUCs from independent samples.

Conventions: ``y`` is 0/1 (or bool) with 1 the event (e.g. default); a higher score means a higher
likelihood of the event; ties between a positive and a negative count one half. Directions are never
flipped automatically (unlike pROC's default ``direction = "auto"``): an AUC below 0.5 is reported
as such.

DeLong's variance uses the structural components ("placements") computed with midranks as in
Sun & Xu (2014): O(n log n) instead of the O(n_pos x n_neg) pairwise definition.

The package has one module per family, and this module re-exports all their names:
:mod:`~mrmkit.stats.discrimination.measures` (AUC, Gini, KS of one score),
:mod:`~mrmkit.stats.discrimination.delong` (paired DeLong test),
:mod:`~mrmkit.stats.discrimination.independent` (Hanley-McNeil test of two independent AUCs) and the shared
input checks and kernels in ``_common``.
"""

# isort: off
# Each family registers its statistics in mrmkit.stats.REGISTRY when it is first imported: they are imported in the
# order of the former single module, which is the registry's order (isort would sort them by name).
from mrmkit.stats.discrimination.measures import (
    AucResult,
    GiniResult,
    KsStatisticResult,
    auc,
    gini,
    ks_statistic,
)
from mrmkit.stats.discrimination.delong import DelongTestResult, delong_test
from mrmkit.stats.discrimination.independent import HanleyMcNeilResult, hanley_mcneil_test

# The former module's other names, still importable from here ("x as x" marks a re-export).
from mrmkit.stats.discrimination._common import (
    _ALTERNATIVES as _ALTERNATIVES,
    _binary as _binary,
    _cov2 as _cov2,
    _groups as _groups,
    _level as _level,
    _placements as _placements,
    _scores as _scores,
)
from mrmkit.stats.discrimination.measures import _auc_parts as _auc_parts
# isort: on

__all__ = [
    "auc",
    "gini",
    "ks_statistic",
    "delong_test",
    "hanley_mcneil_test",
    "AucResult",
    "GiniResult",
    "KsStatisticResult",
    "DelongTestResult",
    "HanleyMcNeilResult",
]
