"""A synthetic trading book's daily P&L and a deliberately imperfect VaR model, for the VaR backtest demo.

``generate_var_series`` simulates the P&L of a trading book with fat tails and volatility clustering
(GARCH(1, 1) with Student-t innovations) and a stress episode in the last year, and computes 95% and
99% VaR by historical simulation over the previous 250 days. Historical simulation reacts slowly to the
stress episode, and its 99% quantile rests on the third and fourth worst days of a year, so the 99% VaR has
more exceptions than it should in the last 250 days, bunched after the stress: something true for the
backtests to find. For the default seed (``DEFAULT_SEED``) the last 250 days have 7 exceptions of
the 99% VaR (Basel yellow zone; 2.5 expected), all within the last 100 days, and 18 of the 95% VaR
(12.5 expected), with three pairs of exceptions on consecutive days.

Everything is deterministic for the generator passed in; ``write_var_series`` writes the series as
parquet, byte-identical for a seed (no time stamps in the file).
"""

from __future__ import annotations

import math
import os
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from mrmkit.errors import InvalidParameters
from mrmkit.stats._base import check_int

__all__ = ["generate_var_series", "write_var_series", "DEFAULT_SEED", "VAR_SETTINGS", "COLUMNS"]

DEFAULT_SEED = 20261123
COLUMNS = ("date", "pnl", "var_95", "var_99", "var_975", "es_975")

#: The data-generating process, recorded so that a report can state it.
VAR_SETTINGS = MappingProxyType(
    {
        "window": 250,  # historical-simulation window (days before the forecast day)
        "pnl_daily_vol": 1_000_000.0,  # unconditional daily P&L volatility outside the stress episode (EUR)
        "pnl_daily_mean": 30_000.0,  # small positive carry (EUR per day)
        "garch_alpha": 0.07,
        "garch_beta": 0.91,
        "t_degrees_of_freedom": 4,  # innovations: Student t, scaled to unit variance
        "stress_variance_factor": 5.0,  # GARCH long-run variance multiplied by this during the stress episode
        "stress_start_days_before_end": 120,  # the stress episode covers the 120th-last to the 81st-last day
        "stress_end_days_before_end": 80,
    }
)


def _check_rng(rng: object) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise InvalidParameters(
            f"The 'rng' parameter of generate_var_series must be a numpy.random.Generator "
            f"(numpy.random.default_rng(seed)); got {type(rng).__name__}."
        )
    return rng


def generate_var_series(rng: np.random.Generator, n_days: int = 500, start: str = "2024-01-02") -> pd.DataFrame:
    """Daily P&L of a synthetic trading book with its 95% and 99% historical-simulation VaR.

    Parameters
    ----------
    rng : numpy.random.Generator
        The only source of randomness (``numpy.random.default_rng(seed)``).
    n_days : int, default 500
        Number of business days returned; at least 250 (one Basel backtesting window).
    start : str, default '2024-01-02'
        First business day returned (a date pandas can parse; moved to the next business day if needed).

    Returns
    -------
    pandas.DataFrame
        Columns ``date`` (business days), ``pnl`` (EUR, a loss is negative), ``var_95``, ``var_99`` and
        ``var_975`` (VaR as positive loss amounts in EUR, the forecast for that day made from the 250 previous
        days' P&L) and ``es_975`` (the mean of the worst 7 of those 250 outcomes, as a positive amount). An exception is ``pnl < -var`` (see ``mrmkit.stats.var_exceptions``).

    Notes
    -----
    ``n_days + 250`` days are simulated; the first 250 only feed the first VaR window. P&L:
    ``pnl_t = mean + sigma_t z_t`` with ``z_t`` Student t (4 degrees of freedom) scaled to unit variance
    and ``sigma_t^2 = omega s_t + alpha e_{t-1}^2 + beta sigma_{t-1}^2`` (GARCH(1, 1), persistence 0.98),
    where ``s_t`` is 5 during a stress episode (the 120th-last to the 81st-last simulated day) and 1
    otherwise.
    VaR at level c is minus the (1 - c) quantile (numpy's default linear interpolation) of the 250
    previous P&L values. P&L and VaR are rounded to cents; exceptions are counted on the rounded values.
    """
    rng = _check_rng(rng)
    n_days = check_int(n_days, "n_days", "generate_var_series", int(VAR_SETTINGS["window"]))
    try:
        dates = pd.bdate_range(pd.Timestamp(start), periods=n_days)
    except (TypeError, ValueError) as exc:
        raise InvalidParameters(f"The 'start' parameter of generate_var_series must be a date; got {start!r}.") from exc
    s = VAR_SETTINGS
    window, dof = int(s["window"]), int(s["t_degrees_of_freedom"])
    alpha, beta = float(s["garch_alpha"]), float(s["garch_beta"])
    total = n_days + window

    z = rng.standard_t(dof, size=total) / math.sqrt(dof / (dof - 2.0))
    stress = np.ones(total)
    stress[total - int(s["stress_start_days_before_end"]) : total - int(s["stress_end_days_before_end"])] = float(
        s["stress_variance_factor"]
    )
    omega = 1.0 - alpha - beta  # long-run variance 1 (in units of pnl_daily_vol squared) outside the stress
    shock = np.empty(total)
    variance = 1.0
    for t in range(total):  # the GARCH recursion is sequential by nature
        if t:
            variance = omega * stress[t] + alpha * shock[t - 1] ** 2 + beta * variance
        shock[t] = math.sqrt(variance) * z[t]
    pnl = np.round(float(s["pnl_daily_mean"]) + float(s["pnl_daily_vol"]) * shock, 2)

    windows = sliding_window_view(pnl, window)[:-1]  # windows[i] = pnl[i : i + window], forecast for day i + window
    var_95 = np.round(-np.quantile(windows, 0.05, axis=1), 2)
    var_99 = np.round(-np.quantile(windows, 0.01, axis=1), 2)
    var_975 = np.round(-np.quantile(windows, 0.025, axis=1), 2)
    # historical-simulation ES at 97.5%: the mean of the worst ceil(0.025 * window) outcomes of the window
    worst = math.ceil(0.025 * window)
    es_975 = np.round(-np.sort(windows, axis=1)[:, :worst].mean(axis=1), 2)
    return pd.DataFrame(
        {"date": dates, "pnl": pnl[window:], "var_95": var_95, "var_99": var_99, "var_975": var_975, "es_975": es_975}
    )


def write_var_series(path: str | os.PathLike[str], seed: int = DEFAULT_SEED, n_days: int = 500) -> Path:
    """Write ``generate_var_series(numpy.random.default_rng(seed), n_days)`` as parquet; returns the path.

    The same seed and size give a byte-identical file (no time stamps; written to a temporary name in
    the same folder, then renamed).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    seed = check_int(seed, "seed", "write_var_series", 0)
    frame = generate_var_series(np.random.default_rng(seed), n_days)
    path = Path(path)
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink, compression="zstd")
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(sink.getvalue().to_pybytes())
    os.replace(tmp, path)
    return path
