"""mrmkit's statistics: plain functions, numbers in, frozen dataclasses out (CONTRACT.md section 6).

Every public statistic is registered in :data:`REGISTRY` under its function name; results inherit
``to_dict()`` from :class:`Result`.
"""

from mrmkit.stats import calibration, classification, comparison, fairness, var_backtest  # families (__all__)
from mrmkit.stats._base import REGISTRY, Result, register
from mrmkit.stats.calibration import *  # noqa: F403
from mrmkit.stats.classification import *  # noqa: F403
from mrmkit.stats.comparison import *  # noqa: F403
from mrmkit.stats.discrimination import (
    AucResult,
    DelongTestResult,
    GiniResult,
    HanleyMcNeilResult,
    KsStatisticResult,
    auc,
    delong_test,
    gini,
    hanley_mcneil_test,
    ks_statistic,
)
from mrmkit.stats.drift import (
    AdjustedPValues,
    Chi2Result,
    ColumnDrift,
    DiscreteTestResult,
    DriftTable,
    JsResult,
    KsResult,
    PsiBin,
    PsiResult,
    ShiftEffectResult,
    WassersteinResult,
    adjust_pvalues,
    chi2_test,
    cohens_h,
    cramers_v,
    discrete_test,
    drift_table,
    js_distance,
    ks_test,
    psi,
    shift_effect,
    wasserstein,
)
from mrmkit.stats.fairness import *  # noqa: F403
from mrmkit.stats.profile import ColumnProfile, ReferenceProfile, profile_of_columns, reference_profile
from mrmkit.stats.quality import DataQuality, QualityRow, data_quality
from mrmkit.stats.var_backtest import *  # noqa: F403

__all__ = [
    "REGISTRY",
    "Result",
    "register",
    # drift
    "psi",
    "ks_test",
    "wasserstein",
    "js_distance",
    "chi2_test",
    "discrete_test",
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
    "DiscreteTestResult",
    "reference_profile",
    "profile_of_columns",
    "ReferenceProfile",
    "ColumnProfile",
    # discrimination
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
    # data quality
    "data_quality",
    "DataQuality",
    "QualityRow",
    *calibration.__all__,
    *classification.__all__,
    *comparison.__all__,
    *fairness.__all__,
    *var_backtest.__all__,
]
