"""A synthetic retail-credit application portfolio with a known default mechanism and known drift.

Every applicant is drawn from two latent factors, *affluence* and *financial distress* (correlated
-0.35), plus age, sex, region, employment and housing. The bureau, banking and application features
are noisy functions of these, so they are correlated the way such data are (income with savings and
turnover, distress with utilisation, delinquencies, enquiries and overdraft days, age with tenure and
credit history). Protected attributes (``sex``, ``age_band``) are never features, but age shapes tenure,
history and income, and sex shifts income and self-employment slightly, so a fairness analysis has
something to measure.

The 12-month default flag is drawn from a fixed latent logistic model of the true (pre-missingness)
features: a part a logistic scorecard represents (log income, bureau score, delinquency counts, ...),
a part it can only approximate (hinges in utilisation, debt-to-income and bureau score, interactions
of utilisation with delinquency, thin files and debt-to-income, thresholds on tenure and account
counts), and unobserved applicant-level risk. Gradient boosting therefore ranks a little better.

Drift is injected on purpose in the monitoring windows (``DRIFT_SETTINGS``, ``window_context``) so that
a drift report has something true to find; every other feature keeps its distribution in every window.
All randomness comes from the ``numpy.random.Generator`` passed in.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "dates_in_months",
    "month_windows",
    "NUMERIC_FEATURES",
    "CATEGORICAL_FEATURES",
    "FEATURES",
    "PROTECTED",
    "PRODUCTS",
    "DRIFT_SETTINGS",
    "window_context",
    "draw_applicants",
]

NUMERIC_FEATURES: tuple[str, ...] = (
    "annual_income",
    "debt_to_income",
    "revolving_utilisation",
    "num_delinquencies_12m",
    "num_delinquencies_24m",
    "months_since_last_delinquency",
    "worst_arrears_status_24m",
    "months_at_address",
    "months_in_employment",
    "num_enquiries_6m",
    "num_open_accounts",
    "num_credit_cards",
    "num_revolving_accounts",
    "num_active_loans",
    "num_mortgage_accounts",
    "credit_history_months",
    "bureau_score",
    "savings_balance",
    "loan_amount",
    "loan_term",
    "loan_to_income",
    "total_credit_limit",
    "num_accounts_opened_12m",
    "num_dependants",
    "overdraft_days_3m",
    "current_account_turnover",
    "num_returned_payments_12m",
    "public_records",
    "months_with_bank",
    "housing_cost_monthly",
)
CATEGORICAL_FEATURES: tuple[str, ...] = ("employment_type", "housing", "region")
FEATURES: tuple[str, ...] = NUMERIC_FEATURES + CATEGORICAL_FEATURES
PROTECTED: tuple[str, ...] = ("sex", "age_band")

PRODUCTS: tuple[str, ...] = ("card", "personal_loan", "auto", "mortgage_topup", "point_of_sale")
_PRODUCT_SHARES = np.array([0.38, 0.32, 0.15, 0.10, 0.05])
_PRODUCT_MEDIAN_AMOUNT = np.array([3000.0, 9000.0, 16000.0, 30000.0, 1200.0])
_PRODUCT_P60 = np.array([0.0, 0.35, 0.55, 0.75, 0.0])
_EMPLOYMENT = ("salaried", "self_employed", "retired", "student", "unemployed", "gig")
_HOUSING = ("owner_mortgage", "owner_outright", "renter", "living_with_parents")
_REGIONS = ("capital", "north", "south", "east", "west", "central")
_REGION_SHARES = np.array([0.22, 0.18, 0.16, 0.16, 0.14, 0.14])
_REGION_INCOME = np.array([0.15, -0.05, 0.02, -0.03, -0.04, 0.0])
_AGE_BANDS = ("18-25", "26-35", "36-50", "51-65", "66+")

#: Size of each injected drift at its full extent (the last monitoring window); see ``window_context``.
DRIFT_SETTINGS: dict[str, float] = {
    "utilisation_logit_shift": 1.5,  # added to the latent logit of revolving utilisation
    "enquiry_rate_increase": 0.55,  # relative increase of the 6-month enquiry rate
    "point_of_sale_share": 0.22,  # share of the newest product (0.05 in the reference)
    "income_inflation_per_month": 0.015,  # nominal income growth per monitoring month
    "gig_share_last_window": 0.06,  # share of the new employment type in the last window only
    "savings_missing_late": 0.14,  # missing share of savings_balance in the last two windows (0.05 before)
    "default_logit_shift": 0.2,  # macro-economic deterioration of the default rate
}
_SAVINGS_MISSING = 0.05
_INTERCEPT = -5.2  # latent default model: gives a default rate of about 4 percent in the reference
_LINEAR_WEIGHT = 0.45  # weights of the two parts of the latent model, chosen so that the champion's
_NONLINEAR_WEIGHT = 1.1  # holdout AUC is about 0.8 and the challenger's one to two points higher
_FRAILTY_SD = 1.4  # unobserved applicant-level risk (life events): keeps discrimination realistic


def window_context(window: np.ndarray, n_windows: int) -> dict[str, np.ndarray]:
    """Per-row drift intensities from the window number (0 = reference, 1..n_windows = monitoring).

    ``ramp`` is 0 up to window 2 and rises linearly from window 3 (or the last window, if there are
    fewer than three) to 1 in the last window; ``last`` marks the last window, ``late`` the last two.
    """
    window = np.asarray(window, dtype=np.int64)
    start = min(3, n_windows)
    ramp = np.clip((window - start + 1) / (n_windows - start + 1), 0.0, 1.0) * (window > 0)
    return {
        "window": window,
        "ramp": ramp,
        "last": (window == n_windows) & (window > 0),
        "late": (window >= max(n_windows - 1, 1)) & (window > 0),
        "inflation": 1.0 + DRIFT_SETTINGS["income_inflation_per_month"] * window,
    }


def _choice(rng: np.random.Generator, logits: np.ndarray) -> np.ndarray:
    """One category index per row from a rows x categories matrix of logits (-inf = impossible)."""
    weights = np.exp(logits - logits.max(axis=1, keepdims=True))
    cum = np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)
    return np.minimum((cum < rng.random(len(logits))[:, None]).sum(axis=1), logits.shape[1] - 1)


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _tenure(rng: np.random.Generator, scale: np.ndarray, age: np.ndarray) -> np.ndarray:
    """Months at an address, employer or bank: exponential, never longer than the adult life."""
    return np.minimum(np.floor(rng.exponential(scale)), np.floor((age - 16.0) * 12.0))


def _mask(values: np.ndarray, missing: np.ndarray) -> np.ndarray:
    out = values.astype(float).copy()
    out[missing] = np.nan
    return out


def draw_applicants(rng: np.random.Generator, window: np.ndarray, n_windows: int) -> pd.DataFrame:
    """Draw one applicant per entry of ``window``: product, features, protected attributes and outcome.

    Parameters
    ----------
    rng : numpy.random.Generator
        The only source of randomness.
    window : array of int
        0 for a reference (development) row, 1..n_windows for a row of that monitoring window.
    n_windows : int
        Number of monitoring windows, which sets how drift ramps up (``window_context``).

    Returns
    -------
    pandas.DataFrame
        Columns ``product``, the features (``FEATURES``), ``sex``, ``age_band``, ``default_12m`` and
        ``true_pd`` (the latent model's probability, for checks; not written to the data files).
    """
    ctx = window_context(window, n_windows)
    n = len(ctx["window"])
    ramp = ctx["ramp"]

    # Demography and latent factors.
    age = np.minimum(18.0 + rng.gamma(3.5, 7.0, n), 85.0)
    female = rng.random(n) < 0.49
    young = (age < 30).astype(float)
    affl = rng.standard_normal(n)
    dist = -0.35 * affl + np.sqrt(1 - 0.35**2) * rng.standard_normal(n) + 0.2 * (age < 25)
    region = _choice(rng, np.tile(np.log(_REGION_SHARES), (n, 1)))

    emp_logits = np.column_stack(
        [
            np.zeros(n),
            -1.7 + 0.3 * ~female + 0.2 * affl,
            -14.0 + 0.2 * age,
            1.0 - 0.45 * (age - 18.0),
            -2.6 - 0.4 * affl,
            np.where(ctx["last"], np.log(DRIFT_SETTINGS["gig_share_last_window"] / 0.68), -np.inf),
        ]
    )
    emp = _choice(rng, emp_logits)
    working = np.isin(emp, (0, 1, 5))
    housing = _choice(
        rng,
        np.column_stack(
            [
                0.6 + 0.5 * affl - 0.05 * np.maximum(age - 55.0, 0.0),
                -3.0 + 0.06 * (age - 18.0) + 0.3 * affl,
                0.3 - 0.4 * affl,
                2.0 - 0.25 * (age - 18.0),
            ]
        ),
    )
    p_pos = _PRODUCT_SHARES[4] + (DRIFT_SETTINGS["point_of_sale_share"] - _PRODUCT_SHARES[4]) * ramp
    shares = np.outer((1 - p_pos) / (1 - _PRODUCT_SHARES[4]), _PRODUCT_SHARES)
    shares[:, 4] = p_pos
    product = _choice(rng, np.log(shares))

    # Income and affordability.
    log_income = (
        10.25
        + 0.38 * affl
        + 0.012 * (age - 18.0)
        - 0.00025 * (age - 18.0) ** 2
        + np.array([0.0, 0.05, -0.25, -1.0, -0.9, -0.35])[emp]
        - 0.06 * female
        + _REGION_INCOME[region]
        + rng.normal(0.0, 0.3, n)
    )
    real_income = np.round(np.exp(log_income), -1)
    income = np.round(real_income * ctx["inflation"], -1)
    dti = np.minimum(rng.gamma(2.2, 0.075, n) * np.exp(0.35 * dist - 0.15 * affl) + 0.04 * (housing == 0), 2.0)

    # Revolving credit.
    has_revolving = rng.random(n) < 0.9
    util_logit = (
        -0.6 + 1.0 * dist - 0.25 * affl + rng.normal(0.0, 0.8, n) + DRIFT_SETTINGS["utilisation_logit_shift"] * ramp
    )
    util = np.round(1.08 * _expit(util_logit) * has_revolving, 4)
    cards = rng.binomial(1 + rng.poisson(np.exp(0.3 + 0.2 * affl)), 0.7) * has_revolving
    revolving = cards + rng.binomial(1, 0.6, n) * has_revolving
    limit = np.round(np.exp(8.6 + 0.6 * affl + 0.15 * revolving + rng.normal(0.0, 0.5, n)) * has_revolving, -2)

    # Delinquency history (zero-inflated Poisson).
    lam = np.exp(-2.2 + 1.0 * dist)
    prone = rng.random(n) > 0.35
    del12 = rng.poisson(lam) * prone
    del24 = del12 + rng.poisson(0.7 * lam) * prone
    msld = np.where(
        del12 > 0,
        rng.integers(0, 12, n),
        np.where(del24 > 0, rng.integers(12, 24, n), np.where(rng.random(n) < 0.15, rng.integers(24, 85, n), -1)),
    ).astype(float)
    msld[msld < 0] = np.nan
    worst = np.where(del24 > 0, np.minimum(1 + rng.poisson(0.3 + 0.3 * del24), 6), 0)

    # Tenure, bureau and banking behaviour.
    at_address = _tenure(rng, (10.0 + 2.0 * (age - 18.0)) * (1 + 0.3 * (housing <= 1)), age)
    employment_months = np.where(
        working, _tenure(rng, np.where(emp == 5, 10.0, 12.0 + 2.2 * (age - 18.0)), age), np.nan
    )
    enquiry_rate = np.exp(-0.15 + 0.4 * dist + 0.25 * young) * (1 + DRIFT_SETTINGS["enquiry_rate_increase"] * ramp)
    enquiries = rng.poisson(enquiry_rate)
    active_loans = rng.poisson(np.exp(0.2 + 0.15 * affl + 0.1 * dist + 0.006 * (age - 40.0)))
    mortgages = np.where(housing == 0, 1 + rng.binomial(1, 0.08, n), rng.binomial(1, 0.03, n))
    history = np.floor((age - 18.0) * 12.0 * rng.beta(4.0, 1.6, n)) + rng.integers(0, 12, n)
    bureau = np.clip(
        np.round(
            640
            + 55 * (0.55 * affl - 0.9 * dist)
            + 0.15 * np.minimum(history, 240)
            - 18 * del12
            + rng.normal(0.0, 25.0, n)
        ),
        300,
        900,
    )
    has_savings = rng.random(n) < _expit(0.8 + 0.9 * affl)
    savings = np.round(np.exp(7.3 + 1.0 * affl + 0.015 * (age - 40.0) + rng.normal(0.0, 0.9, n)) * has_savings, 2)
    has_overdraft = rng.random(n) < 0.55
    overdraft_days = rng.binomial(90, _expit(-3.2 + 1.3 * dist - 0.3 * affl)) * has_overdraft
    turnover = np.round(income / 12.0 * np.exp(rng.normal(-0.05, 0.25, n)), 2)
    returned = rng.poisson(np.exp(-2.4 + 1.1 * dist))
    public = rng.poisson(np.exp(-4.2 + 0.9 * dist))
    with_bank = np.where(rng.random(n) < 0.6, _tenure(rng, 30.0 + 1.5 * (age - 18.0), age), 0.0)
    housing_cost = np.round(
        np.select(
            [housing == 2, housing == 0],
            [
                np.exp(6.6 + 0.25 * affl + 0.25 * (region == 0) + rng.normal(0.0, 0.3, n)),
                np.exp(6.9 + 0.3 * affl + rng.normal(0.0, 0.35, n)),
            ],
            0.0,
        ),
        2,
    )
    dependants = rng.poisson(0.3 + 1.0 * np.exp(-(((age - 40.0) / 10.0) ** 2)))
    opened_12m = rng.poisson(np.exp(-0.6 + 0.35 * dist + 0.3 * young))

    # The application.
    amount = np.maximum(
        np.round(_PRODUCT_MEDIAN_AMOUNT[product] * np.exp(0.3 * affl + rng.normal(0.0, 0.5, n)) / 50) * 50, 200.0
    )
    term = np.where(rng.random(n) < _PRODUCT_P60[product], 60, 36)
    lti = np.round(amount / income, 4)

    # Latent default model on the true values (missingness below is an observation artefact): a part a
    # logistic scorecard can represent, a part it can only approximate, and unobserved risk.
    linear = (
        0.35 * np.minimum(del12, 4)
        + 0.15 * np.minimum(del24, 6)
        + 0.5 * (np.nan_to_num(msld, nan=99.0) < 6)
        + 0.2 * np.minimum(enquiries, 8)
        - 0.5 * np.log(real_income / 30000.0)
        - 0.008 * (bureau - 640.0)
        - 0.15 * np.log1p(savings / 500.0)
        + np.array([0.0, 0.2, -0.1, 0.3, 0.6, 0.5])[emp]
        - 0.004 * np.minimum(np.nan_to_num(employment_months), 120.0)
        + 0.015 * overdraft_days
        + 0.3 * np.minimum(returned, 5)
        + 0.4 * np.minimum(public, 2)
        - 0.2 * np.log1p(history / 12.0)
        + 0.15 * (term == 60)
        + 0.2 * (housing == 2)
    )
    nonlinear = (
        2.0 * np.maximum(util - 0.5, 0.0)
        + 4.0 * np.maximum(util - 0.85, 0.0)
        + 0.5 * (util < 0.02) * has_revolving
        + 1.5 * np.maximum(np.minimum(dti, 1.0) - 0.35, 0.0) * (1.0 + (util > 0.8))
        + 0.01 * np.maximum(580.0 - bureau, 0.0)
        + 0.8 * util * (history < 60)
        + 0.6 * (enquiries >= 3) * (opened_12m >= 2)
        + 0.35 * (lti > 0.6)
        + 0.5 * (revolving + active_loans + mortgages <= 1)
        + 0.1 * np.maximum(revolving + active_loans - 5, 0)
        + 0.6 * (del12 > 0) * (util > 0.7)
        + 0.6 * (at_address < 12)
        + 0.3 * (savings == 0)
    )
    eta = (
        _INTERCEPT
        + _LINEAR_WEIGHT * linear
        + _NONLINEAR_WEIGHT * nonlinear
        + rng.normal(0.0, _FRAILTY_SD, n)
        + DRIFT_SETTINGS["default_logit_shift"] * ramp
    )
    true_pd = _expit(eta)
    default = (rng.random(n) < true_pd).astype(np.int8)

    # What the bank observes: missing values at realistic rates.
    savings_missing = np.where(ctx["late"], DRIFT_SETTINGS["savings_missing_late"], _SAVINGS_MISSING)
    columns = {
        "product": np.array(PRODUCTS, dtype=object)[product],
        "annual_income": _mask(income, rng.random(n) < 0.015),
        "debt_to_income": _mask(np.round(dti, 4), rng.random(n) < 0.01),
        "revolving_utilisation": util,
        "num_delinquencies_12m": del12,
        "num_delinquencies_24m": del24,
        "months_since_last_delinquency": msld,
        "worst_arrears_status_24m": worst,
        "months_at_address": at_address.astype(np.int64),
        "months_in_employment": _mask(employment_months, rng.random(n) < 0.02),
        "num_enquiries_6m": enquiries,
        "num_open_accounts": revolving + active_loans + mortgages,
        "num_credit_cards": cards,
        "num_revolving_accounts": revolving,
        "num_active_loans": active_loans,
        "num_mortgage_accounts": mortgages,
        "credit_history_months": history.astype(np.int64),
        "bureau_score": _mask(bureau, (history < 6) | (rng.random(n) < 0.02)),
        "savings_balance": _mask(savings, rng.random(n) < savings_missing),
        "loan_amount": amount,
        "loan_term": term,
        "loan_to_income": lti,
        "total_credit_limit": limit,
        "num_accounts_opened_12m": opened_12m,
        "num_dependants": dependants,
        "overdraft_days_3m": overdraft_days,
        "current_account_turnover": turnover,
        "num_returned_payments_12m": returned,
        "public_records": public,
        "months_with_bank": with_bank.astype(np.int64),
        "housing_cost_monthly": housing_cost,
        "employment_type": np.array(_EMPLOYMENT, dtype=object)[emp],
        "housing": np.array(_HOUSING, dtype=object)[housing],
        "region": np.array(_REGIONS, dtype=object)[region],
        "sex": np.where(female, "female", "male"),
        "age_band": np.array(_AGE_BANDS, dtype=object)[np.searchsorted([26, 36, 51, 66], age, side="right")],
        "default_12m": default,
        "true_pd": true_pd,
    }
    frame = pd.DataFrame(columns)
    for name in ("product", *CATEGORICAL_FEATURES, *PROTECTED):
        frame[name] = frame[name].astype("str")
    for name in NUMERIC_FEATURES:
        if frame[name].dtype.kind in "iub":
            frame[name] = frame[name].astype(np.int64)
    return frame


def month_windows(start: pd.Timestamp, n_windows: int) -> list[pd.Timestamp]:
    """First days of ``n_windows`` consecutive months from ``start`` (itself a first of a month)."""
    return [start + pd.DateOffset(months=k) for k in range(n_windows)]


def dates_in_months(rng: np.random.Generator, months: Sequence[pd.Timestamp], counts: Sequence[int]) -> np.ndarray:
    """Uniform application dates inside each month, ``counts[i]`` of them in ``months[i]``; sorted."""
    out = []
    for first, count in zip(months, counts, strict=True):
        days = (first + pd.DateOffset(months=1) - first).days
        offsets = np.sort(rng.integers(0, days, count))
        out.append(np.datetime64(first.date(), "D") + offsets.astype("timedelta64[D]"))
    return np.concatenate(out).astype("datetime64[ns]")
