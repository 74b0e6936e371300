"""The Basel (1996) traffic light of the number of exceptions (:func:`basel_traffic_light`)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import stats

from mrmkit.errors import InsufficientData, InvalidParameters
from mrmkit.stats._base import Result, check_int, register
from mrmkit.stats.var_backtest.exceptions import _coverage

#: Basel Committee on Banking Supervision (1996), "Supervisory framework for the use of 'backtesting'
#: in conjunction with the internal models approach to market risk capital requirements", Table 2:
#: increase in the scaling factor (plus factor) by number of exceptions in 250 observations of a 99% VaR;
#: 10 or more exceptions: 1.00.
BASEL_1996_PLUS_FACTORS: tuple[float, ...] = (0.0, 0.0, 0.0, 0.0, 0.0, 0.40, 0.50, 0.65, 0.75, 0.85)
_BASEL_RED_PLUS_FACTOR = 1.0
_BASEL_N, _BASEL_COVERAGE, _BASEL_BASE_MULTIPLIER = 250, 0.99, 3.0
_YELLOW_FROM, _RED_FROM = 0.95, 0.9999  # cumulative binomial probability where the zones begin


@dataclass(frozen=True, slots=True)
class BaselTrafficLightResult(Result):
    zone: str
    cumulative_probability: float
    type1_error: float
    plus_factor: float | None
    multiplier: float | None
    exceptions: int
    n: int
    coverage: float
    yellow_from: int
    red_from: int
    note: str | None


def _zone_start(q: float, n: int, p: float) -> int:
    """Smallest k with P(X <= k) >= q for X ~ Binomial(n, p), by the same cdf that classifies the zone."""
    k = int(stats.binom.ppf(q, n, p))
    while k > 0 and stats.binom.cdf(k - 1, n, p) >= q:
        k -= 1
    while stats.binom.cdf(k, n, p) < q:
        k += 1
    return k


@register("basel_traffic_light")
def basel_traffic_light(exceptions: int, n: int = 250, coverage: float = 0.99) -> BaselTrafficLightResult:
    """The Basel Committee's traffic-light zone for a number of VaR exceptions.

    Parameters
    ----------
    exceptions : int
        Number of exceptions observed, from 0 to ``n``.
    n : int, default 250
        Number of daily observations. With ``coverage = 0.99`` (the Basel setting) at least 250 are
        required: fewer raise :class:`InsufficientData` (the framework is defined on 250 days).
    coverage : float, default 0.99
        VaR confidence level, strictly between 0 and 1.

    Returns
    -------
    BaselTrafficLightResult
        ``zone`` ('green', 'yellow' or 'red'), ``cumulative_probability`` P(X <= exceptions),
        ``type1_error`` P(X >= exceptions) (the probability of a result this bad or worse under a
        correct model), ``plus_factor`` and ``multiplier`` (3 + plus factor; both None outside the
        Basel table), ``yellow_from`` and ``red_from`` (the first exception counts in each zone for this
        n and coverage) and a ``note``.

    Purpose
    -------
    The supervisory classification of a bank's backtesting result, which sets the capital multiplier
    of the internal-models approach to market risk.

    Method
    ------
    X ~ Binomial(n, 1 - coverage). The zone follows the cumulative probability P(X <= exceptions):
    green below 0.95, red from 0.9999, yellow in between (Basel Committee, 1996). For n = 250 and 99%
    this gives green 0-4, yellow 5-9, red 10 or more, and the plus factor of the Committee's Table 2:
    0.00 for 0-4 exceptions, 0.40, 0.50, 0.65, 0.75, 0.85 for 5-9, 1.00 for 10 or more; the multiplier
    is 3 + plus factor. Basel defines plus factors only for 250 observations of a 99% VaR: for any
    other n or coverage the zones follow the same cumulative-probability rule and ``plus_factor`` and
    ``multiplier`` are None, with a note.

    Signs of high risk
    ------------------
    Yellow: the model may be inaccurate and the plus factor is presumed unless the bank shows
    otherwise. Red: the model is almost certainly inaccurate; the supervisor increases the multiplier
    automatically and may require the model to be improved or withdrawn.

    Strengths
    ---------
    The regulatory reference; exact binomial probabilities; a type-1 error is reported beside the zone.

    Limitations
    -----------
    One-sided (too few exceptions are never flagged); ignores clustering and the size of exceptions;
    the plus factors and the multiplier 3 are those of the 1996 framework: the revised market-risk
    framework (Basel Committee, 2019, MAR32) uses a different multiplier scale, and national rules
    may differ.

    References
    ----------
    Basel Committee on Banking Supervision (1996). Supervisory framework for the use of "backtesting"
    in conjunction with the internal models approach to market risk capital requirements. Table 2.
    Basel Committee on Banking Supervision (2019). Minimum capital requirements for market risk
    (MAR32, backtesting and P&L attribution requirements).
    Jorion, P. (2007). Value at Risk: The New Benchmark for Managing Financial Risk, 3rd ed.,
    McGraw-Hill, chapter 6.
    """
    func = "basel_traffic_light"
    x = check_int(exceptions, "exceptions", func, 0)
    n = check_int(n, "n", func, 1)
    cov, p = _coverage(coverage, func)
    if x > n:
        raise InvalidParameters(f"The 'exceptions' parameter of basel_traffic_light must be at most n ({n}); got {x}.")
    basel_level = math.isclose(cov, _BASEL_COVERAGE, rel_tol=0.0, abs_tol=1e-12)
    if basel_level and n < _BASEL_N:
        raise InsufficientData(
            f"basel_traffic_light needs at least {_BASEL_N} daily observations for a 99% VaR "
            f"(the Basel backtesting window); got n = {n}."
        )
    cum = float(stats.binom.cdf(x, n, p))
    type1 = float(stats.binom.sf(x - 1, n, p))  # P(X >= x)
    zone = "green" if cum < _YELLOW_FROM else ("red" if cum >= _RED_FROM else "yellow")
    yellow_from, red_from = _zone_start(_YELLOW_FROM, n, p), _zone_start(_RED_FROM, n, p)
    if basel_level and n == _BASEL_N:
        plus: float | None = BASEL_1996_PLUS_FACTORS[x] if x < len(BASEL_1996_PLUS_FACTORS) else _BASEL_RED_PLUS_FACTOR
        multiplier: float | None = _BASEL_BASE_MULTIPLIER + plus
        note = None
    else:
        plus = multiplier = None
        note = (
            f"The Basel Committee (1996) defines plus factors only for {_BASEL_N} observations of a 99% VaR; "
            f"for n = {n} and coverage = {cov:g} the zone follows the same cumulative-probability rule "
            "and no plus factor or multiplier is given."
        )
    return BaselTrafficLightResult(zone, cum, type1, plus, multiplier, x, n, cov, yellow_from, red_from, note)
