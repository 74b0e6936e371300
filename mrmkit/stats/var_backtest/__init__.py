"""Backtests of a value-at-risk (VaR) model: exceptions, coverage, independence and the Basel traffic light.

Conventions (CONTRACT.md section 6):

* ``hits`` is a one-dimensional sequence of 0/1 (or bool), one element per day in time order, where 1
  marks an *exception*: the day's loss exceeded the VaR. :func:`var_exceptions` builds it from P&L and
  VaR series and states the inequality; its result can be passed as ``hits`` directly.
* ``coverage`` is the VaR confidence level (0.99 for a 99% VaR); under the null hypothesis of a correct
  model an exception happens with probability ``p = 1 - coverage``, independently from day to day.
* Log-likelihoods use ``0 ln 0 = 0`` (``scipy.special.xlogy`` / ``rel_entr``), so zero exceptions, or
  every day an exception, give finite statistics.
* ``p = 1 - coverage`` is computed in decimal arithmetic from the coverage as written (0.99 gives exactly
  the double nearest 0.01), so ``n p`` and ``1 / p`` print as expected (2.5, 100.0).
* Likelihood-ratio p-values are asymptotic chi-square; the traffic light uses exact binomial
  probabilities. Nothing here draws random numbers or modifies its inputs.

The backtests live in submodules by family and are all importable from here: :mod:`.exceptions`
(:func:`var_exceptions`), :mod:`.coverage` (likelihood-ratio coverage and independence tests),
:mod:`.traffic_light`, :mod:`.frequency` (binomial z test, time until first failure) and :mod:`.es`
(expected shortfall); :mod:`.exceptions` also holds the argument checks they share.
"""

# The submodules are imported in the order of their @register calls (the order of REGISTRY).
from mrmkit.stats.var_backtest import exceptions, coverage, traffic_light, frequency, es  # noqa: F401  # isort: skip
from mrmkit.stats.var_backtest.coverage import (
    ChristoffersenIndependenceResult,
    ConditionalCoverageResult,
    KupiecPofResult,
    christoffersen_independence,
    conditional_coverage,
    kupiec_pof,
)
from mrmkit.stats.var_backtest.es import EsBacktestResult, es_backtest
from mrmkit.stats.var_backtest.exceptions import VarExceptionsResult, var_exceptions
from mrmkit.stats.var_backtest.frequency import (
    BinomialZTestResult,
    TimeUntilFirstFailureResult,
    binomial_z_test,
    time_until_first_failure,
)
from mrmkit.stats.var_backtest.traffic_light import (
    BASEL_1996_PLUS_FACTORS,
    BaselTrafficLightResult,
    basel_traffic_light,
)

__all__ = [
    "var_exceptions",
    "kupiec_pof",
    "christoffersen_independence",
    "conditional_coverage",
    "basel_traffic_light",
    "binomial_z_test",
    "time_until_first_failure",
    "es_backtest",
    "EsBacktestResult",
    "KupiecPofResult",
    "ChristoffersenIndependenceResult",
    "ConditionalCoverageResult",
    "BaselTrafficLightResult",
    "BinomialZTestResult",
    "TimeUntilFirstFailureResult",
    "VarExceptionsResult",
    "BASEL_1996_PLUS_FACTORS",
]
