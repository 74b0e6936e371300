"""Decision logs of the demo's champion and challenger: a shadow deployment and an A/B test.

Two logs over the monitoring windows of the demo portfolio (``data/current.parquet``), for the
validation of a challenger before it replaces the champion:

* ``generate_shadow_log``: the champion decides every application in production; the challenger is
  scored alongside (in the shadow) on the same applications, without effect. Shadow coverage is below
  100 %: about 2 % of shadow calls are lost at random, and on one *outage day* every shadow call from
  10:00 to 14:00 is lost, a visible dip in that day's coverage. The challenger is slower than the
  champion with a heavier tail (log-normal latencies), and in one *degraded week* (Monday to Sunday, the
  week holding the middle day of the log) it slows down further, so that its weekly 99th percentile
  latency breaches 250 ms in that week only.
* ``generate_ab_log``: each application is assigned at random to an arm, the challenger with
  probability ``challenger_share`` (10 %) and the champion otherwise, and the arm's model decides. The
  assignment is a plain Bernoulli draw per application: **no sample-ratio mismatch is injected**, so a
  sample-ratio test should not reject (except by chance). Approved loans carry their observed outcome,
  the portfolio's ``default_12m`` (drawn by the demo from its latent default model); declined
  applications have none.

The decision rule is that of the demo policy and of ``mrmkit.stress``: approve when PD <= cutoff,
decline when PD > cutoff. PDs are copied unrounded from the portfolio, so the logs join to
``current.parquet`` on ``application_id``. Outcomes are copied for every approved loan; loans too young
to have a 12-month outcome by the report's ``as_of`` date must be set aside by the reader, as for the
portfolio (``decision_date`` is the application date).

``write_logs`` draws from ``numpy.random.SeedSequence(seed, spawn_key=(LOG_STREAM,))``, whose two
children drive the shadow and the A/B log: streams independent of the portfolio's (spawn keys 0 to 2 of
the same seed) and of the VaR series (the root stream of the seed). The same seed and portfolio give
byte-identical parquet files (no time stamps in the files).

Facts of the default demo (``build_demo`` defaults: seed 20261123, 6 windows of 5,000 applications
from 2025-01-01; ``write_logs(out_dir, 20261123, current, 0.08)``; all in ``DEFAULT_FACTS``): shadow
coverage 97.96 % (29,387 of 30,000), 70.6 % on the outage day 2025-03-07 (115 of 163); champion and
challenger decisions agree on 94.6 % of the scored applications; latency p50 / p99 25.0 / 50.6 ms for the
champion and 55.8 / 177.8 ms for the challenger, whose p99 is 371.3 ms in the degraded week 2025-03-31
to 2025-04-06 and at most 172.4 ms in every other week; A/B arms of 27,015 (champion) and 2,985
(challenger, 9.95 %), approving 85.4 % and 86.8 %, with 12-month bad rates of 2.52 % and 2.74 % among
the approved loans.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from mrmkit.demo.files import write_parquet
from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters
from mrmkit.stats._base import check_int, check_probability

__all__ = [
    "generate_shadow_log",
    "generate_ab_log",
    "write_logs",
    "degraded_week",
    "LogPaths",
    "LOG_SETTINGS",
    "LOG_STREAM",
    "SHADOW_COLUMNS",
    "AB_COLUMNS",
    "DEFAULT_FACTS",
]

LOG_STREAM = 1000  # spawn key of the logs' random streams under the demo seed
SHADOW_COLUMNS = (
    "application_id",
    "timestamp",
    "champion_pd",
    "challenger_pd",
    "champion_decision",
    "challenger_decision",
    "champion_latency_ms",
    "challenger_latency_ms",
)
AB_COLUMNS = ("application_id", "decision_date", "arm", "pd_used", "decision", "default_12m")
APPROVE, DECLINE = "approve", "decline"

#: The data-generating process of the logs, recorded so that a report can state it.
LOG_SETTINGS = MappingProxyType(
    {
        # Relative weights of the hour of day (0 to 23) of an application; minutes and seconds are uniform.
        "hour_weights": (1, 1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 9, 9, 8, 8, 8, 8, 9, 9, 8, 6, 4, 2),
        "shadow_loss_share": 0.02,  # shadow calls lost at random (time-outs, dropped messages)
        "outage_start_hour": 10,  # on the outage day every shadow call in [10:00, 14:00) is lost
        "outage_end_hour": 14,
        "champion_latency_median_ms": 25.0,  # log-normal latencies: median and sigma of the log
        "champion_latency_sigma": 0.30,
        "challenger_latency_median_ms": 55.0,
        "challenger_latency_sigma": 0.45,
        "degraded_latency_median_ms": 90.0,  # the challenger in the degraded week
        "degraded_latency_sigma": 0.60,
        "latency_limit_ms": 250.0,  # the p99 limit the degraded week breaches
        "challenger_share": 0.10,  # default share of the challenger arm in the A/B test
    }
)

#: Facts of the default demo (``build_demo`` defaults, seed 20261123; ``write_logs`` with that seed and the
#: cut-off 0.08), checked by tests/test_demo_logs.py. Counts, days and latencies depend on the logs' random
#: streams only; agreement, approvals and defaults also on the trained models (checked with a tolerance).
DEFAULT_FACTS = MappingProxyType(
    {
        "n_applications": 30000,
        "shadow_scored": 29387,  # coverage 97.96 %
        "outage_day": "2025-03-07",
        "outage_day_applications": 163,
        "outage_day_scored": 115,  # coverage 70.6 % on that day; every other day at least 95 %
        "degraded_week": ("2025-03-31", "2025-04-06"),
        "challenger_p99_degraded_week_ms": 371.3,  # numpy's default (linear) quantile, NaN ignored
        "challenger_p99_max_other_weeks_ms": 172.4,
        "champion_latency_p50_p95_p99_ms": (25.0, 40.9, 50.6),  # all applications, rounded to 0.1 ms
        "challenger_latency_p50_p95_p99_ms": (55.8, 121.2, 177.8),  # all scored applications
        "decision_agreement": 0.9459,  # equal decisions where both models scored (29,387 applications)
        "arm_sizes": {"champion": 27015, "challenger": 2985},  # 9.95 % challenger; binomial p = 0.78 against 10 %
        "approved": {"champion": 23073, "challenger": 2590},  # approval rates 85.41 % and 86.77 %
        "defaults_approved": {"champion": 582, "challenger": 71},  # bad rates 2.52 % and 2.74 % of approved loans
    }
)


class LogPaths(NamedTuple):
    """The two files written by :func:`write_logs` (absolute paths)."""

    shadow: Path
    ab: Path


# ------------------------------------------------------------------------------------- validation
def _check_rng(rng: object, func: str) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise InvalidParameters(
            f"The 'rng' parameter of {func} must be a numpy.random.Generator "
            f"(numpy.random.default_rng(seed)); got {type(rng).__name__}."
        )
    return rng


def _check_frame(current: Any, columns: tuple[str, ...], func: str) -> pd.DataFrame:
    if not isinstance(current, pd.DataFrame):
        raise InvalidInput(f"current of {func} must be a pandas DataFrame; got {type(current).__name__}.")
    missing = [c for c in columns if c not in current.columns]
    if missing:
        raise InvalidInput(f"current of {func} lacks the column(s) {missing}; it has {list(current.columns)}.")
    if len(current) == 0:
        raise InsufficientData(f"{func} needs at least one application; current is empty.")
    ids = current["application_id"]
    if ids.isna().any() or ids.duplicated().any():
        raise InvalidInput(
            f"application_id of {func} must identify each application: {int(ids.isna().sum())} missing and "
            f"{int(ids.duplicated().sum())} repeated value(s)."
        )
    if current["application_date"].isna().any() or not pd.api.types.is_datetime64_any_dtype(
        current["application_date"]
    ):
        raise InvalidInput(
            f"application_date of {func} must be dates without missing values; got dtype "
            f"{current['application_date'].dtype}."
        )
    return current


def _check_pd(values: Any, n: int, name: str, func: str) -> np.ndarray:
    try:
        arr = np.array(values, dtype=np.float64)  # a copy: the caller's array is never touched
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{name} of {func} must be numbers: {exc}.") from exc
    if arr.ndim != 1 or arr.size != n:
        raise InvalidInput(f"{name} of {func} must have one PD per row of current ({n}); got shape {arr.shape}.")
    bad = ~np.isfinite(arr) | (arr < 0.0) | (arr > 1.0)
    if bad.any():
        raise InvalidInput(
            f"{name} of {func} must be PDs between 0 and 1 without missing values; {int(bad.sum())} value(s) are not."
        )
    return arr


def _decisions(pd_: np.ndarray, cutoff: float) -> np.ndarray:
    return np.where(pd_ <= cutoff, APPROVE, DECLINE).astype(object)


def _str(values: np.ndarray) -> Any:
    """Text column of pandas' ``str`` dtype (as the portfolio's); ``None`` becomes missing."""
    return pd.array(values, dtype="str")


# ------------------------------------------------------------------------------------------- logs
def degraded_week(dates: Any) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Monday and Sunday of the week holding the middle day of ``dates``: the challenger's slow week."""
    days = pd.Series(pd.to_datetime(dates)).dt.normalize()
    first, last = days.min(), days.max()
    middle = first + pd.Timedelta(days=(last - first).days // 2)
    monday = middle - pd.Timedelta(days=middle.day_of_week)
    return monday, monday + pd.Timedelta(days=6)


def generate_shadow_log(
    rng: np.random.Generator, current: pd.DataFrame, champion_pd: Any, challenger_pd: Any, cutoff: float
) -> pd.DataFrame:
    """The shadow-deployment log: the champion decides, the challenger is scored alongside.

    Parameters
    ----------
    rng : numpy.random.Generator
        The only source of randomness.
    current : pandas.DataFrame
        The applications, with ``application_id`` and ``application_date`` (a date per application).
    champion_pd, challenger_pd : array-like of float
        Each model's PD for each row of ``current``, between 0 and 1.
    cutoff : float
        PD cut-off of the decision: approve when PD <= cutoff.

    Returns
    -------
    pandas.DataFrame
        One row per application, in time order (ties by ``application_id``), with the columns of
        ``SHADOW_COLUMNS``: ``application_id`` (str); ``timestamp`` (datetime64[ns], whole seconds within
        the application date, hour of day drawn from ``hour_weights``); ``champion_pd``,
        ``challenger_pd`` (float64; the challenger's NaN where the shadow call was lost);
        ``champion_decision``, ``challenger_decision`` (str, ``approve`` or ``decline``; the
        challenger's missing where not scored); ``champion_latency_ms``, ``challenger_latency_ms``
        (float64, 0.1 ms resolution; the challenger's NaN where not scored).

    Notes
    -----
    Lost shadow calls: each with probability ``shadow_loss_share``, plus every call from
    ``outage_start_hour`` to ``outage_end_hour`` on the outage day, one day drawn uniformly from the days
    of the log outside the degraded week. Latencies are log-normal with the medians and sigmas of
    ``LOG_SETTINGS``; the challenger's use the ``degraded_*`` settings in the degraded week (Monday to
    Sunday of the week holding the middle day of the log, :func:`degraded_week`).
    """
    func = "generate_shadow_log"
    rng = _check_rng(rng, func)
    frame = _check_frame(current, ("application_id", "application_date"), func)
    n = len(frame)
    champ = _check_pd(champion_pd, n, "champion_pd", func)
    chall = _check_pd(challenger_pd, n, "challenger_pd", func)
    cut = check_probability(cutoff, "cutoff", func)
    s = LOG_SETTINGS

    day = frame["application_date"].dt.normalize().reset_index(drop=True).astype("datetime64[ns]")
    weights = np.asarray(s["hour_weights"], dtype=np.float64)
    hour = rng.choice(24, size=n, p=weights / weights.sum())
    seconds = hour * 3600 + rng.integers(0, 3600, size=n)
    timestamp = day + pd.to_timedelta(seconds, unit="s")

    week_from, week_to = degraded_week(day)
    slow = ((day >= week_from) & (day <= week_to)).to_numpy()
    days = np.unique(day[~slow].to_numpy()) if (~slow).any() else np.unique(day.to_numpy())
    outage_day = days[rng.integers(0, days.size)]
    outage = (day == outage_day).to_numpy() & (hour >= s["outage_start_hour"]) & (hour < s["outage_end_hour"])
    scored = (rng.random(n) >= s["shadow_loss_share"]) & ~outage

    champ_ms = rng.lognormal(np.log(s["champion_latency_median_ms"]), s["champion_latency_sigma"], n)
    normal_ms = rng.lognormal(np.log(s["challenger_latency_median_ms"]), s["challenger_latency_sigma"], n)
    slow_ms = rng.lognormal(np.log(s["degraded_latency_median_ms"]), s["degraded_latency_sigma"], n)
    chall_ms = np.where(slow, slow_ms, normal_ms)

    chall_pd = np.where(scored, chall, np.nan)
    chall_decision = np.where(scored, _decisions(chall, cut), None)
    log = pd.DataFrame(
        {
            "application_id": _str(frame["application_id"].astype(str).to_numpy()),
            "timestamp": timestamp.to_numpy(),
            "champion_pd": champ,
            "challenger_pd": chall_pd,
            "champion_decision": _str(_decisions(champ, cut)),
            "challenger_decision": _str(chall_decision),
            "champion_latency_ms": np.round(champ_ms, 1),
            "challenger_latency_ms": np.where(scored, np.round(chall_ms, 1), np.nan),
        }
    )
    return log.sort_values(["timestamp", "application_id"], kind="stable", ignore_index=True)


def generate_ab_log(
    rng: np.random.Generator,
    current: pd.DataFrame,
    champion_pd: Any,
    challenger_pd: Any,
    cutoff: float,
    challenger_share: float = 0.10,
) -> pd.DataFrame:
    """The A/B-test log: each application is decided by the model of its randomly assigned arm.

    Parameters
    ----------
    rng : numpy.random.Generator
        The only source of randomness.
    current : pandas.DataFrame
        The applications, with ``application_id``, ``application_date`` and ``default_12m`` (0/1).
    champion_pd, challenger_pd : array-like of float
        Each model's PD for each row of ``current``, between 0 and 1.
    cutoff : float
        PD cut-off of the decision: approve when PD <= cutoff.
    challenger_share : float, default 0.10
        Probability that an application is assigned to the challenger arm, strictly between 0 and 1.

    Returns
    -------
    pandas.DataFrame
        One row per application in the order of ``current``, with the columns of ``AB_COLUMNS``:
        ``application_id`` (str), ``decision_date`` (datetime64[ns], the application date), ``arm``
        (str, ``champion`` or ``challenger``), ``pd_used`` (float64, the PD of the arm's model),
        ``decision`` (str, ``approve`` or ``decline``) and ``default_12m`` (nullable Int8: the
        observed outcome of an approved loan, missing for a declined application).

    Notes
    -----
    Arms are independent Bernoulli draws, ``challenger`` with probability ``challenger_share``: the
    split is near 10/90 with binomial noise only, and no sample-ratio mismatch is injected.
    """
    func = "generate_ab_log"
    rng = _check_rng(rng, func)
    frame = _check_frame(current, ("application_id", "application_date", "default_12m"), func)
    n = len(frame)
    champ = _check_pd(champion_pd, n, "champion_pd", func)
    chall = _check_pd(challenger_pd, n, "challenger_pd", func)
    cut = check_probability(cutoff, "cutoff", func)
    share = check_probability(challenger_share, "challenger_share", func)
    outcome = frame["default_12m"].to_numpy()
    if pd.isna(outcome).any() or not np.isin(outcome, (0, 1)).all():
        raise InvalidInput(f"default_12m of {func} must be 0/1 without missing values.")

    challenger = rng.random(n) < share
    used = np.where(challenger, chall, champ)
    approved = used <= cut
    return pd.DataFrame(
        {
            "application_id": _str(frame["application_id"].astype(str).to_numpy()),
            "decision_date": frame["application_date"].dt.normalize().astype("datetime64[ns]").to_numpy(),
            "arm": _str(np.where(challenger, "challenger", "champion").astype(object)),
            "pd_used": used,
            "decision": _str(_decisions(used, cut)),
            "default_12m": _observed(outcome, approved),
        }
    )


def _observed(outcome: np.ndarray, approved: np.ndarray) -> Any:
    """The outcome as nullable Int8, missing where the application was declined."""
    values = pd.array(outcome.astype(np.int8), dtype="Int8")
    values[~approved] = pd.NA
    return values


def write_logs(
    out_dir: str | os.PathLike[str], seed: int, current_path: str | os.PathLike[str], cutoff: float
) -> LogPaths:
    """Write ``data/shadow_log.parquet`` and ``data/ab_log.parquet`` under ``out_dir``; return their paths.

    Parameters
    ----------
    out_dir : path
        Folder of the demo; ``data/`` is created if needed and files of these names are replaced.
    seed : int
        Seed of the logs (the demo's seed); the streams are ``SeedSequence(seed, spawn_key=(LOG_STREAM,))``
        children 0 (shadow) and 1 (A/B).
    current_path : path
        The scored portfolio (``data/current.parquet`` of the demo), with ``application_id``,
        ``application_date``, ``champion_pd``, ``challenger_pd`` and ``default_12m``.
    cutoff : float
        PD cut-off of the decision (the demo's ``policy.cutoff``, 0.08): approve when PD <= cutoff.

    Returns
    -------
    LogPaths
        ``shadow`` and ``ab``, absolute paths. The same seed and portfolio give byte-identical files.
    """
    func = "write_logs"
    seed = check_int(seed, "seed", func, 0)
    cut = check_probability(cutoff, "cutoff", func)
    source = Path(current_path)
    if not source.is_file():
        raise InvalidInput(f"current_path of {func} is not a file: {source}.")
    current = pd.read_parquet(source)
    _check_frame(current, ("application_id", "application_date", "champion_pd", "challenger_pd", "default_12m"), func)
    shadow_seq, ab_seq = np.random.SeedSequence(seed, spawn_key=(LOG_STREAM,)).spawn(2)
    champ, chall = current["champion_pd"].to_numpy(), current["challenger_pd"].to_numpy()
    shadow = generate_shadow_log(np.random.default_rng(shadow_seq), current, champ, chall, cut)
    ab = generate_ab_log(
        np.random.default_rng(ab_seq), current, champ, chall, cut, challenger_share=LOG_SETTINGS["challenger_share"]
    )
    data = Path(out_dir).resolve() / "data"
    data.mkdir(parents=True, exist_ok=True)
    paths = LogPaths(shadow=data / "shadow_log.parquet", ab=data / "ab_log.parquet")
    write_parquet(shadow, paths.shadow)
    write_parquet(ab, paths.ab)
    return paths
