"""Backtest of expected shortfall (ES): Acerbi and Szekely's (2014) unconditional statistic Z2
(:func:`es_backtest`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters
from mrmkit.stats._base import Result, check_int, check_probability, register
from mrmkit.stats.var_backtest.exceptions import _coverage, _numbers


@dataclass(frozen=True, slots=True)
class EsBacktestResult(Result):
    """The unconditional expected-shortfall backtest of Acerbi and Szekely (2014), statistic Z2."""

    statistic: float
    p_value: float
    critical_value: float
    test_level: float
    exceptions: int
    n: int
    coverage: float
    distribution: str
    degrees_of_freedom: float | None
    n_simulations: int
    seed: int


_ES_DISTRIBUTIONS = ("normal", "t")


def _standard_tail(distribution: str, df: float | None, p: float) -> tuple[float, float]:
    """VaR and ES (positive loss amounts) of a standard normal or a Student t with ``df`` at tail probability p."""
    if distribution == "normal":
        q = float(stats.norm.ppf(p))
        return -q, float(stats.norm.pdf(q) / p)
    q = float(stats.t.ppf(p, df))
    return -q, float((df + q * q) / (df - 1.0) * stats.t.pdf(q, df) / p)


def _z2(pnl: np.ndarray, var: np.ndarray, es: np.ndarray, p: float) -> np.ndarray:
    """Z2 of each row of ``pnl`` (last axis: days): sum(X_t I_t / ES_t) / (T p) + 1, I_t = X_t < -VaR_t."""
    hit = pnl < -var
    return np.sum(np.where(hit, pnl / es, 0.0), axis=-1) / (pnl.shape[-1] * p) + 1.0


@register("es_backtest")
def es_backtest(
    pnl: Any,
    var: Any,
    es: Any,
    coverage: float,
    *,
    distribution: str = "normal",
    degrees_of_freedom: float | None = None,
    test_level: float = 0.95,
    n_simulations: int = 10_000,
    seed: int = 0,
) -> EsBacktestResult:
    """Unconditional backtest of expected shortfall: Acerbi and Szekely's (2014) statistic Z2.

    Parameters
    ----------
    pnl : array-like of float
        Daily profit and loss in time order (a loss is negative).
    var, es : array-like of float
        The model's VaR and ES for each day, as positive loss amounts, at ``coverage``.
    coverage : float
        VaR and ES confidence level (0.975 for the Basel FRTB's 97.5% ES), strictly between 0 and 1.
    distribution : {"normal", "t"}
        Distribution of the standardised P&L under the null hypothesis, used for the critical value and
        the p-value (as MATLAB's ``esbacktest`` ``unconditionalNormal`` and ``unconditionalT``).
    degrees_of_freedom : float, optional
        For ``"t"``: above 1 (default 3, MATLAB's choice).
    test_level : float
        Confidence level of the critical value (0.95: reject below the 5% quantile of Z2 under H0).
    n_simulations, seed : int
        Simulated samples of T days under H0, drawn with ``numpy.random.default_rng(seed)``.

    Returns
    -------
    EsBacktestResult
        ``statistic`` (Z2), ``p_value`` (one-sided, H1: ES understated), ``critical_value``,
        ``exceptions``, ``n`` and the settings.

    Purpose
    -------
    Backtest the ES itself, not only the VaR: Z2 measures whether the losses beyond the VaR are as
    large as the ES promises, and whether they happen as often as the coverage promises.

    Method
    ------
    ``Z2 = sum_t X_t I_t / (T p ES_t) + 1`` with ``p = 1 - coverage`` and ``I_t = 1{X_t < -VaR_t}``
    (Acerbi and Szekely 2014, equation 6). Under H0 (the model's tail is right) ``E[Z2] = 0``; an
    understated ES or too many exceptions make Z2 negative. Z2 is invariant to the scale of each day,
    so its null distribution depends only on the shape of the standardised P&L and on T: it is
    simulated, ``n_simulations`` samples of T days drawn from the standard ``distribution`` with its
    own VaR and ES at ``p``. ``p_value = (1 + #{Z2_sim <= Z2}) / (n_simulations + 1)``; the critical
    value is the ``1 - test_level`` quantile of the simulated Z2 (numpy's linear interpolation).

    Signs of high risk
    ------------------
    Z2 below the critical value (a small p-value): the losses beyond the VaR are larger, or more
    frequent, than the model's ES allows.

    Strengths
    ---------
    Needs only the P&L, VaR and ES the bank already reports (no predictive distribution); thresholds
    are stable across distributions (Acerbi and Szekely report about -0.7 at 5% for a 97.5% ES over
    250 days).

    Limitations
    -----------
    The null distribution assumes a shape (normal or t); fat-tailed P&L judged with ``"normal"`` gives
    a critical value slightly too close to zero. Unconditional: clustering of losses is not tested
    (see :func:`christoffersen_independence`).

    References
    ----------
    Acerbi, C. & Szekely, B. (2014). Backtesting expected shortfall. Risk, December 2014.
    MathWorks, Risk Management Toolbox: esbacktest, unconditionalNormal and unconditionalT.
    Basel Committee on Banking Supervision (2019). Minimum capital requirements for market risk, MAR33.
    """
    func = "es_backtest"
    x = _numbers(pnl, "pnl", func)
    v = _numbers(var, "var", func)
    e = _numbers(es, "es", func)
    if not x.size == v.size == e.size:
        raise InvalidInput(f"pnl, var and es of {func} must have one value per day; got {x.size}, {v.size}, {e.size}.")
    if x.size == 0:
        raise InsufficientData(f"{func} needs at least one day.")
    if (v <= 0).any() or (e <= 0).any():
        raise InvalidInput(f"var and es of {func} must be positive loss amounts; a zero or negative value was given.")
    if (e < v).any():
        day = int(np.flatnonzero(e < v)[0])
        raise InvalidInput(
            f"es of {func} must be at least the VaR of the same day (ES is the mean loss beyond "
            f"the VaR); day {day} has ES {e[day]:g} below VaR {v[day]:g}."
        )
    cov, p = _coverage(coverage, func)
    if distribution not in _ES_DISTRIBUTIONS:
        raise InvalidParameters(
            f"The 'distribution' parameter of {func} must be 'normal' or 't'; got {distribution!r}."
        )
    df = None
    if distribution == "t":
        df = 3.0 if degrees_of_freedom is None else float(degrees_of_freedom)
        if not df > 1:
            raise InvalidParameters(f"The 'degrees_of_freedom' parameter of {func} must be above 1; got {df!r}.")
    level = check_probability(test_level, "test_level", func)
    sims = check_int(n_simulations, "n_simulations", func, 100)
    seed = check_int(seed, "seed", func, 0)
    statistic = float(_z2(x, v, e, p)[()])
    var0, es0 = _standard_tail(distribution, df, p)
    rng = np.random.default_rng(seed)
    simulated = np.empty(sims)
    chunk = max(1, 2_000_000 // x.size)  # rows of T days per draw: bounded memory
    for start in range(0, sims, chunk):
        rows = min(chunk, sims - start)
        draw = rng.standard_normal((rows, x.size)) if df is None else rng.standard_t(df, (rows, x.size))
        simulated[start : start + rows] = _z2(draw, var0, es0, p)
    p_value = float((1 + np.count_nonzero(simulated <= statistic)) / (sims + 1))
    critical = float(np.quantile(simulated, 1.0 - level))
    return EsBacktestResult(
        statistic,
        p_value,
        critical,
        level,
        int(np.count_nonzero(x < -v)),
        int(x.size),
        cov,
        distribution,
        df,
        sims,
        seed,
    )
