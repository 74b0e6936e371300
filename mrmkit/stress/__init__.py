"""Stress testing and sensitivity of a PD model given as an artifact (anything with ``predict_proba``).

Plain functions, pandas in, frozen dataclasses out; no plotting, no file I/O, nothing random.

* :func:`apply_shocks` / :func:`shock_frame` (module :mod:`mrmkit.stress.shocks`): shocked copies of a
  frame (multiply, add, set, quantile shift; optional segment, domains, whole-number rounding).
* :func:`run_scenarios` (:mod:`mrmkit.stress.scenarios`): PD level and distribution, approval rate, grade
  mix and expected loss per named scenario against the unshocked baseline.
* :func:`sensitivity` (:mod:`mrmkit.stress.sensitivity`): one-at-a-time perturbation of each numeric
  feature, decision flips and a monotonicity check, in tornado order.

Importing this package registers :func:`shock_frame`, :func:`run_scenarios` and :func:`sensitivity` in
:data:`mrmkit.stats.REGISTRY` (after the statistics; ``mrmkit.stats`` itself does not import them).
:func:`apply_shocks` is not registered: it returns the shocked DataFrame itself, not a result.
"""

from mrmkit.stress.scenarios import (
    BASELINE,
    DEFAULT_BIN_EDGES,
    QUANTILE_LEVELS,
    ScenarioResult,
    ScenarioRow,
    run_scenarios,
)
from mrmkit.stress.sensitivity import (
    DEFAULT_STEPS,
    STEP_KINDS,
    SensitivityResult,
    SensitivityRow,
    SensitivitySkip,
    sensitivity,
)
from mrmkit.stress.shocks import OPERATIONS, ShockedFrame, ShockRecord, apply_shocks, shock_frame

__all__ = [
    "apply_shocks",
    "shock_frame",
    "run_scenarios",
    "sensitivity",
    "ShockRecord",
    "ShockedFrame",
    "ScenarioRow",
    "ScenarioResult",
    "SensitivityRow",
    "SensitivitySkip",
    "SensitivityResult",
    "OPERATIONS",
    "BASELINE",
    "QUANTILE_LEVELS",
    "DEFAULT_BIN_EDGES",
    "STEP_KINDS",
    "DEFAULT_STEPS",
]
