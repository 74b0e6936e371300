"""Design of an A/B comparison: is a split as designed (:func:`sample_ratio_mismatch`) and how many units
a test of two proportions needs (:func:`sample_size_two_proportions`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters
from mrmkit.stats._base import Result, check_probability, register
from mrmkit.stats.comparison._common import _finite_number, _vector

_FEW_EXPECTED = 5.0


# ------------------------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class SampleSizeResult(Result):
    """``n_per_group`` is the unrounded size of each group for ``ratio == 1`` and ``None`` otherwise."""

    n_per_group: float | None
    n1_exact: float
    n2_exact: float
    n1: int
    n2: int
    total: int
    n1_continuity_corrected: float
    n2_continuity_corrected: float
    p1: float
    p2: float
    alpha: float
    power: float
    ratio: float
    alternative: str
    method: str


@dataclass(frozen=True, slots=True)
class SampleRatioResult(Result):
    statistic: float
    p_value: float
    df: int
    n: int
    counts: tuple[int, ...]
    expected_counts: tuple[float, ...]
    observed_shares: tuple[float, ...]
    expected_shares: tuple[float, ...]
    note: str | None


@register("sample_ratio_mismatch")
def sample_ratio_mismatch(counts: Any, expected_shares: Any) -> SampleRatioResult:
    """Chi-square goodness-of-fit test of an A/B (or A/B/n) split against its designed shares.

    Parameters
    ----------
    counts : array-like of int
        Units (applicants, accounts) observed in each arm, at least two arms.
    expected_shares : array-like of float
        The designed share of each arm, positive and summing to 1 (within 1e-6), e.g. ``[0.9, 0.1]``.

    Returns
    -------
    SampleRatioResult
        ``statistic``, ``p_value``, ``df`` (arms - 1), observed and expected counts and shares.

    Purpose
    -------
    Checks that traffic reached the champion and challenger arms in the designed proportions. A
    mismatch (SRM) means the assignment or the data pipeline is broken, and any comparison of the
    arms is suspect until it is explained.

    Method
    ------
    Pearson's ``sum (O - E)^2 / E`` with ``E = n x share``, chi-square with ``k - 1`` df
    (``scipy.stats.chisquare``; R's ``chisq.test(counts, p = shares)``). A note flags expected counts
    below 5, where the approximation is poor.

    Signs of high risk
    ------------------
    A p-value below 0.001 (the threshold customary for SRM checks, since they are run on every
    experiment); a persistent drift of the observed shares.

    Strengths
    ---------
    Needs only counts; catches a wide range of assignment and logging defects that no outcome metric
    would reveal.

    Limitations
    -----------
    With very large samples it flags immaterial deviations; a pass does not prove the assignment was
    random (it can be balanced yet biased); the arms must be units, not events (sessions per user
    are not independent).

    References
    ----------
    Pearson, K. (1900). On the criterion that a given system of deviations from the probable in the
    case of a correlated system of variables is such that it can be reasonably supposed to have arisen
    from random sampling. Philosophical Magazine 50(302), 157-175.
    Fabijan, A. et al. (2019). Diagnosing sample ratio mismatch in online controlled experiments: a
    taxonomy and rules of thumb for practitioners. Proceedings of KDD 2019, 2156-2164.
    Kohavi, R., Tang, D. & Xu, Y. (2020). Trustworthy Online Controlled Experiments. Cambridge
    University Press, chapter 21.
    """
    func = "sample_ratio_mismatch"
    try:
        shares = np.asarray(expected_shares, dtype=np.float64)
    except (TypeError, ValueError):
        shares = np.array([math.nan])
    if (
        shares.ndim != 1
        or shares.size < 2
        or not np.isfinite(shares).all()
        or (shares <= 0).any()
        or abs(float(shares.sum()) - 1.0) > 1e-6
    ):
        raise InvalidParameters(
            f"The 'expected_shares' parameter of {func} must list at least two positive shares "
            f"summing to 1; got {expected_shares!r}."
        )
    obs = _vector(counts, "counts", func)
    if obs.size != shares.size:
        raise InvalidInput(
            f"counts of {func} must have one count per arm of expected_shares ({shares.size}); got {obs.size}."
        )
    if (obs < 0).any() or (obs != np.round(obs)).any():
        raise InvalidInput(f"counts of {func} must be whole numbers of at least 0; got {obs.tolist()}.")
    n = int(obs.sum())
    if n == 0:
        raise InsufficientData(f"{func} needs at least one unit; every count is 0.")
    shares = shares / shares.sum()
    expected = n * shares
    statistic = float(np.sum((obs - expected) ** 2 / expected))
    df = obs.size - 1
    few = np.flatnonzero(expected < _FEW_EXPECTED)
    note = None
    if few.size:
        note = (
            f"Arm(s) {few.tolist()} expect fewer than {_FEW_EXPECTED:g} units: the chi-square approximation "
            "is poor; an exact multinomial test would be safer."
        )
    return SampleRatioResult(
        statistic=statistic,
        p_value=float(stats.chi2.sf(statistic, df)),
        df=df,
        n=n,
        counts=tuple(int(v) for v in obs),
        expected_counts=tuple(expected.tolist()),
        observed_shares=tuple((obs / n).tolist()),
        expected_shares=tuple(shares.tolist()),
        note=note,
    )


@register("sample_size_two_proportions")
def sample_size_two_proportions(
    p1: float, p2: float, alpha: float = 0.05, power: float = 0.8, ratio: float = 1.0
) -> SampleSizeResult:
    """Sample size to detect a difference between two proportions with a two-sided z test.

    Parameters
    ----------
    p1, p2 : float
        Proportions (e.g. default rates) in group 1 and group 2 under the alternative, between 0 and 1
        and different.
    alpha : float, default 0.05
        Two-sided significance level.
    power : float, default 0.8
        Power wanted at (p1, p2).
    ratio : float, default 1.0
        ``n2 / n1``: for a 90/10 champion/challenger split with the champion as group 1, ``ratio = 1/9``;
        with the challenger as group 1, 9.

    Returns
    -------
    SampleSizeResult
        ``n_per_group`` (unrounded, for ``ratio == 1``), ``n1_exact`` and ``n2_exact`` (unrounded),
        ``n1`` and ``n2`` (rounded up), ``total``, and the continuity-corrected sizes.

    Purpose
    -------
    Plans a champion-challenger trial: how many applicants each arm needs so that a given difference
    in default (or approval) rates would be detected.

    Method
    ------
    For the z test of :func:`two_proportion_test` (pooled variance under H0, unpooled under H1):
    ``n1 = [z_{1-alpha/2} sqrt(pbar qbar (1 + 1/r)) + z_{power} sqrt(p1 q1 + p2 q2 / r)]^2 /
    (p1 - p2)^2`` with ``r = ratio``, ``pbar = (p1 + r p2) / (1 + r)`` and ``n2 = r n1`` (Fleiss et al.
    2003, section 4.2). For ``r = 1`` it is the root of R's ``power.prop.test`` (which ignores the
    probability of rejecting in the wrong direction, as here). ``n1`` and ``n2`` are rounded up
    (after subtracting 1e-9, so that an exact integer is not pushed up by rounding error) and
    ``total = n1 + n2``. The ``*_continuity_corrected`` sizes apply Fleiss, Tytun & Ury (1980):
    ``n1' = n1 / 4 (1 + sqrt(1 + 2 (r + 1) / (n1 r |p1 - p2|)))^2``, for a test with Yates' correction.
    statsmodels' ``NormalIndPower`` with ``proportion_effectsize`` is a different approximation (the
    arcsine difference, Cohen's h, with one variance): it gives 76.65 instead of 76.71 per group for
    (0.5, 0.75, power 0.9).

    Signs of high risk
    ------------------
    A trial sized for an effect larger than the business cares about; a planned size that the
    challenger arm cannot reach in the trial period; rates so low that the normal approximation is poor.

    Strengths
    ---------
    Closed form, the textbook and R convention; handles unequal splits.

    Limitations
    -----------
    Normal approximation (optimistic for rare events: prefer the continuity-corrected size or a
    simulation); a single look (see :func:`group_sequential_bounds` for interim analyses); p1 and p2
    are guesses and the size is very sensitive to their difference.

    References
    ----------
    Fleiss, J. L., Tytun, A. & Ury, H. K. (1980). A simple approximation for calculating sample sizes
    for comparing independent proportions. Biometrics 36(2), 343-346.
    Fleiss, J. L., Levin, B. & Paik, M. C. (2003). Statistical Methods for Rates and Proportions, 3rd
    ed. Wiley, section 4.2.
    R Core Team (2024). power.prop.test, R: A language and environment for statistical computing.
    """
    func = "sample_size_two_proportions"
    pp1 = check_probability(p1, "p1", func, open_interval=False)
    pp2 = check_probability(p2, "p2", func, open_interval=False)
    if pp1 == pp2:
        raise InvalidParameters(f"The 'p2' parameter of {func} must differ from p1 ({pp1}); got {p2!r}.")
    a = check_probability(alpha, "alpha", func)
    pw = check_probability(power, "power", func)
    r = _finite_number(ratio, "ratio", func)
    if r <= 0.0:
        raise InvalidParameters(f"The 'ratio' parameter of {func} must be a positive number (n2 / n1); got {ratio!r}.")
    pbar = (pp1 + r * pp2) / (1.0 + r)
    root = float(stats.norm.isf(a / 2.0)) * math.sqrt(pbar * (1.0 - pbar) * (1.0 + 1.0 / r)) + float(
        stats.norm.ppf(pw)
    ) * math.sqrt(pp1 * (1.0 - pp1) + pp2 * (1.0 - pp2) / r)
    if root <= 0.0:
        raise InvalidParameters(
            f"The 'power' parameter of {func} must exceed about alpha / 2 for these proportions; got {power!r}."
        )
    delta = abs(pp1 - pp2)
    n1 = root * root / (delta * delta)
    n1_cc = n1 / 4.0 * (1.0 + math.sqrt(1.0 + 2.0 * (r + 1.0) / (n1 * r * delta))) ** 2
    n1_int, n2_int = math.ceil(n1 - 1e-9), math.ceil(r * n1 - 1e-9)
    return SampleSizeResult(
        n_per_group=n1 if r == 1.0 else None,
        n1_exact=n1,
        n2_exact=r * n1,
        n1=n1_int,
        n2=n2_int,
        total=n1_int + n2_int,
        n1_continuity_corrected=n1_cc,
        n2_continuity_corrected=r * n1_cc,
        p1=pp1,
        p2=pp2,
        alpha=a,
        power=pw,
        ratio=r,
        alternative="two-sided",
        method="normal approximation: pooled variance under H0, unpooled under H1 (Fleiss et al. 2003)",
    )
