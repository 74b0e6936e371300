"""``build_demo``: the demo portfolio, its two models and its parameter file, written to one folder.

The build runs in four stages, each a public function so that the benchmark can time them:
``generate_portfolio`` (data), ``train_models`` (fit on the development part of the reference sample),
``score_portfolio`` (scores and grades of both samples) and ``write_demo`` (parquet, skops, YAML, with a
check that the saved models reproduce the written scores exactly).

The same seed and sizes give byte-identical parquet and skops files: every random draw comes from
``numpy.random.SeedSequence(seed)`` children, parquet files carry no time stamps, and the skops files
are canonicalised (``models.dumps_canonical``).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.demo import models as _models
from mrmkit.demo import portfolio as _portfolio
from mrmkit.demo.drift import STABLE_FEATURES, DriftSpec, drift_specs, yaml_comment
from mrmkit.demo.logs import write_logs
from mrmkit.demo.var import write_var_series
from mrmkit.errors import InsufficientData, InvalidParameters

__all__ = [
    "DemoBuild",
    "Portfolio",
    "build_demo",
    "generate_portfolio",
    "train_models",
    "score_portfolio",
    "write_demo",
]

ID = "application_id"
TIME = "application_date"
TARGET = "default_12m"
SEGMENT = "product"
SAMPLE = "sample"
SCORE, CHALLENGER_SCORE, GRADE = "champion_pd", "challenger_pd", "champion_grade"
HOLDOUT_SHARE = 0.3
REFERENCE_MONTHS = 12


@dataclass(frozen=True, slots=True)
class Portfolio:
    """The generated samples before scoring; ``sample`` in the reference is ``train`` or ``holdout``."""

    reference: pd.DataFrame
    current: pd.DataFrame
    seed: int
    n_per_window: int
    n_windows: int
    windows: tuple[str, ...]
    reference_period: tuple[str, str]


@dataclass(frozen=True, slots=True)
class DemoBuild:
    """What ``build_demo`` wrote, and the facts a reader of the demo report may want to check.

    Paths are absolute. Default rates are observed shares of ``default_12m`` (``default_rate_by_window``
    per monitoring month); AUCs are measured on the holdout part of the reference sample (rows with
    ``sample == 'holdout'``), which no model saw. ``grade_upper_bounds`` are the PD band upper bounds of
    ``grades`` (a PD equal to a bound belongs to that grade).

    ``champion_trusted_types`` and ``challenger_trusted_types`` are what ``skops.io.get_untrusted_types``
    reports for each file; ``demo.yaml`` lists them under ``trusted_types``. With skops 0.16 the champion
    needs ``numpy.dtype`` (scikit-learn's ``SimpleImputer`` stores the dtypes it was fitted on, and skops
    trusts no dtype object by default); the challenger needs LightGBM's booster and classifier and
    ``collections.OrderedDict``.

    ``drift`` describes the injected drift; ``stable_features`` are the features left untouched.
    """

    out_dir: Path
    parameters: Path
    var_parameters: Path  # demo_var.yaml: the VaR and ES engine (model.kind var)
    fraud_parameters: Path  # demo_fraud.yaml: the card-fraud classifier (model.kind classifier)
    reference: Path
    current: Path
    champion: Path
    challenger: Path
    var: Path
    shadow_log: Path
    ab_log: Path
    seed: int
    n_reference: int
    n_current: int
    n_per_window: int
    n_windows: int
    reference_period: tuple[str, str]
    windows: tuple[str, ...]
    features: tuple[str, ...]
    categorical: tuple[str, ...]
    protected: tuple[str, ...]
    segment: str
    default_rate_reference: float
    default_rate_current: float
    default_rate_by_window: tuple[float, ...]
    n_train: int
    n_holdout: int
    champion_auc_holdout: float
    challenger_auc_holdout: float
    grades: tuple[str, ...]
    grade_upper_bounds: tuple[float, ...]
    champion_trusted_types: tuple[str, ...]
    challenger_trusted_types: tuple[str, ...]
    drift: tuple[DriftSpec, ...]
    stable_features: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: paths as strings, tuples as lists, drift entries as mappings."""
        return _plain({f.name: getattr(self, f.name) for f in dataclasses.fields(self)})


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def _check_int(name: str, value: Any, low: int, high: int | None = None) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, np.integer))
        or value < low
        or (high is not None and value > high)
    ):
        allowed = f"an integer of at least {low}" + (f" and at most {high}" if high is not None else "")
        raise InvalidParameters(f"The '{name}' parameter of build_demo must be {allowed}; got {value!r}.")
    return int(value)


def _check_start(start: Any) -> pd.Timestamp:
    try:
        stamp = pd.Timestamp(start)
    except (TypeError, ValueError):
        stamp = None
    if stamp is None or pd.isna(stamp) or stamp.tz is not None or stamp != stamp.normalize() or stamp.day != 1:
        raise InvalidParameters(
            f"The 'start' parameter of build_demo must be the first day of a month as an ISO date "
            f"(e.g. '2025-01-01'); got {start!r}."
        )
    return stamp


def _ids(first: int, count: int) -> np.ndarray:
    return np.array([f"A{k:07d}" for k in range(first, first + count)], dtype=object)


def generate_portfolio(
    seed: int, n_reference: int, n_per_window: int, n_windows: int, start: pd.Timestamp
) -> Portfolio:
    """Draw the reference (12 months before ``start``) and the monitoring windows (months from ``start``)."""
    data_seq, split_seq, _ = np.random.SeedSequence(seed).spawn(3)
    rng = np.random.default_rng(data_seq)
    ref_months = _portfolio.month_windows(start - pd.DateOffset(months=REFERENCE_MONTHS), REFERENCE_MONTHS)
    base, extra = divmod(n_reference, REFERENCE_MONTHS)
    ref_counts = [base + (k < extra) for k in range(REFERENCE_MONTHS)]
    cur_months = _portfolio.month_windows(start, n_windows)
    window = np.concatenate([np.zeros(n_reference, np.int64), np.repeat(np.arange(1, n_windows + 1), n_per_window)])

    drawn = _portfolio.draw_applicants(rng, window, n_windows).drop(columns="true_pd")
    dates = _portfolio.dates_in_months(rng, [*ref_months, *cur_months], [*ref_counts, *[n_per_window] * n_windows])
    frame = pd.concat([pd.DataFrame({ID: _ids(1, len(window)), TIME: dates}), drawn.reset_index(drop=True)], axis=1)
    frame[ID] = frame[ID].astype("str")

    holdout = np.zeros(n_reference, dtype=bool)
    holdout[np.random.default_rng(split_seq).permutation(n_reference)[: round(HOLDOUT_SHARE * n_reference)]] = True
    frame.insert(3, SAMPLE, pd.array(np.where(window == 0, "train", "monitoring"), dtype="str"))
    frame.loc[np.flatnonzero(holdout), SAMPLE] = "holdout"
    reference = frame.iloc[:n_reference].reset_index(drop=True)
    current = frame.iloc[n_reference:].reset_index(drop=True)
    end = (start - pd.Timedelta(days=1)).date().isoformat()
    return Portfolio(
        reference=reference,
        current=current,
        seed=seed,
        n_per_window=n_per_window,
        n_windows=n_windows,
        windows=tuple(m.date().isoformat() for m in cur_months),
        reference_period=(ref_months[0].date().isoformat(), end),
    )


def train_models(portfolio: Portfolio) -> tuple[Any, Any]:
    """Fit the champion and the challenger on the reference rows marked ``train``."""
    train = portfolio.reference[portfolio.reference[SAMPLE] == "train"]
    holdout = portfolio.reference[portfolio.reference[SAMPLE] == "holdout"]
    for name, part in (("training", train), ("holdout", holdout)):
        positives = int(part[TARGET].sum())
        if positives < 5 or positives > len(part) - 5:
            raise InsufficientData(
                f"The {name} part of the reference sample has {positives} defaults in {len(part)} rows; "
                "at least 5 of each outcome are needed: raise n_reference."
            )
    model_seed = int(np.random.SeedSequence(portfolio.seed).spawn(3)[2].generate_state(1)[0] % (2**31 - 1))
    return _models.fit_models(
        train,
        train[TARGET].to_numpy(),
        _portfolio.NUMERIC_FEATURES,
        _portfolio.CATEGORICAL_FEATURES,
        random_state=model_seed,
    )


def score_portfolio(portfolio: Portfolio, champion: Any, challenger: Any) -> Portfolio:
    """A copy of the portfolio with both models' PDs and the champion's grade in both samples."""
    scored = []
    for frame in (portfolio.reference, portfolio.current):
        frame = frame.copy()
        frame[SCORE] = _models.predict_pd(champion, frame, _portfolio.FEATURES)
        frame[CHALLENGER_SCORE] = _models.predict_pd(challenger, frame, _portfolio.FEATURES)
        frame[GRADE] = pd.array(_models.assign_grades(frame[SCORE].to_numpy()), dtype="str")
        scored.append(frame)
    return dataclasses.replace(portfolio, reference=scored[0], current=scored[1])


def _write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    _write_bytes(path, sink.getvalue().to_pybytes())


#: PD cut-off of the demo's credit decision: approve when PD <= 8 percent.
CUTOFF = 0.08

# Stress scenarios of the demo: an income fall, a delinquency rise, a debt-service shock, and a card-only
# utilisation stress (segment-limited). Domains keep shocked values meaningful.
_STRESS = {
    "exposure": "loan_amount",
    "lgd": 0.45,
    "domains": {
        "annual_income": [0, None],
        "debt_to_income": [0, None],
        "loan_to_income": [0, None],
        "revolving_utilisation": [0, 1.5],
        "num_delinquencies_12m": [0, None],
        "num_delinquencies_24m": [0, None],
    },
    "scenarios": [
        {"name": "income_fall", "description": "Incomes fall by 20 percent; ratios with income below rise by 25",
         "shocks": [{"feature": "annual_income", "multiply": 0.8}, {"feature": "debt_to_income", "multiply": 1.25},
                    {"feature": "loan_to_income", "multiply": 1.25}]},
        {"name": "delinquency_rise", "description": "One more delinquency in the last 12 and 24 months",
         "shocks": [{"feature": "num_delinquencies_12m", "add": 1}, {"feature": "num_delinquencies_24m", "add": 1}]},
        {"name": "debt_service_shock", "description": "Debt-to-income up 25 percent; utilisation up a decile",
         "shocks": [{"feature": "debt_to_income", "multiply": 1.25}, {"feature": "revolving_utilisation", "quantile": 0.1}]},
        {"name": "card_utilisation_stress", "description": "Card customers draw 15 points more of their limits",
         "segment": {"values": ["card"]}, "shocks": [{"feature": "revolving_utilisation", "add": 0.15}]},
    ],
}  # fmt: skip

# The direction in which the demo's PD should move when each feature rises (checked by sensitivity).
_EXPECTED_DIRECTION = {
    "annual_income": -1, "debt_to_income": 1, "revolving_utilisation": 1, "num_delinquencies_12m": 1,
    "num_enquiries_6m": 1, "bureau_score": -1, "months_in_employment": -1, "savings_balance": -1,
}  # fmt: skip


# Adverse-action reasons of the demo (wording after Regulation B's sample notice, 12 CFR 1002, App. C).
_REASONS = {
    "annual_income": ("R01", "Income insufficient for amount of credit requested"),
    "debt_to_income": ("R02", "Excessive obligations in relation to income"),
    "loan_to_income": ("R03", "Amount of credit requested is high in relation to income"),
    "revolving_utilisation": ("R04", "Proportion of balances to credit limits on revolving accounts is too high"),
    "num_delinquencies_12m": ("R05", "Delinquent past or present credit obligations with others"),
    "num_delinquencies_24m": ("R05", "Delinquent past or present credit obligations with others"),
    "months_since_last_delinquency": ("R05", "Delinquent past or present credit obligations with others"),
    "worst_arrears_status_24m": ("R05", "Delinquent past or present credit obligations with others"),
    "num_returned_payments_12m": ("R06", "Returned payments on accounts with us"),
    "overdraft_days_3m": ("R07", "Frequent use of overdraft"),
    "num_enquiries_6m": ("R08", "Number of recent inquiries on credit bureau report"),
    "num_accounts_opened_12m": ("R09", "Number of recently opened accounts"),
    "credit_history_months": ("R10", "Length of credit history"),
    "bureau_score": ("R11", "Credit bureau score"),
    "public_records": ("R12", "Bankruptcy or other public record"),
    "months_at_address": ("R13", "Length of residence"),
    "months_in_employment": ("R14", "Length of employment"),
    "employment_type": ("R15", "Type of employment"),
    "savings_balance": ("R16", "Insufficient savings"),
    "current_account_turnover": ("R17", "Insufficient account activity with us"),
    "months_with_bank": ("R18", "Length of relationship with us"),
    "num_open_accounts": ("R19", "Number of open accounts"),
    "num_credit_cards": ("R19", "Number of open accounts"),
    "num_revolving_accounts": ("R19", "Number of open accounts"),
    "num_active_loans": ("R19", "Number of open accounts"),
    "num_mortgage_accounts": ("R19", "Number of open accounts"),
    "total_credit_limit": ("R20", "Total credit limits"),
    "loan_amount": ("R21", "Amount of credit requested"),
    "loan_term": ("R22", "Term of credit requested"),
    "num_dependants": ("R23", "Number of dependants in relation to income"),
    "housing_cost_monthly": ("R24", "Housing costs in relation to income"),
    "housing": ("R25", "Housing status"),
    "region": ("R26", "Insufficient data for the applicant's area"),
}

# What an applicant could change, within what range (counterfactual search).
_ACTIONABLE = {"loan_amount": [1000, None], "revolving_utilisation": [0, 1.0], "debt_to_income": [0, None],
               "savings_balance": [0, None]}  # fmt: skip


def _as_of(windows: tuple[str, ...]) -> str:
    """Outcomes observed half a month before the last window matures: the last window stays immature."""
    last = pd.Period(windows[-1], freq="M")
    return (last.start_time + pd.DateOffset(months=12, days=14)).date().isoformat()


def _parameters(
    champion_types: list[str], challenger_types: list[str], seed: int, windows: tuple[str, ...]
) -> dict[str, Any]:
    return {
        "seed": seed,
        "model": {
            "id": "demo-retail-pd",
            "version": "1.0.0",
            "name": "Retail unsecured PD scorecard (demo)",
            "owner": "Retail Credit Risk Modelling",
            "purpose": "12-month probability of default for retail unsecured lending decisions",
            "risk_tier": "high",
            "intended_use": "Approve or decline applications for unsecured personal loans, cards and point-of-sale "
            "credit from retail customers; PD cut-off 8 percent",
            "limitations": "Synthetic demo data; not calibrated to a downturn; point-of-sale lending was rare in the "
            "development sample",
            "data_description": "20,000 applications over the 12 months before monitoring, 12-month default flag",
            "artifact": "models/champion.skops",
            "trusted_types": champion_types,
        },
        "challenger": {
            "artifact": "models/challenger.skops",
            "trusted_types": challenger_types,
            "score": CHALLENGER_SCORE,
        },
        "data": {
            "reference": "data/reference.parquet",
            "current": "data/current.parquet",
            "id": ID,
            "target": TARGET,
            "score": SCORE,
            "grade": GRADE,
            "features": list(_portfolio.FEATURES),
            "categorical": list(_portfolio.CATEGORICAL_FEATURES),
            "time": TIME,
            "segment": SEGMENT,
            "protected": list(_portfolio.PROTECTED),
        },
        "policy": {"cutoff": CUTOFF},
        "drift": {},
        "backtest": {
            "grades": {"upper_bounds": list(_models.GRADE_UPPER_BOUNDS), "labels": list(_models.GRADES)},
            "maturity_months": 12,
            "as_of": _as_of(windows),
            "var": {
                "data": "data/var.parquet",
                "date": "date",
                "pnl": "pnl",
                "levels": {"var_99": 0.99, "var_95": 0.95, "var_975": 0.975},
                "es": {"es_975": "var_975"},
            },
            "stress": _STRESS,
            "sensitivity": {"expected_direction": _EXPECTED_DIRECTION},
        },
        "champion_challenger": {
            "n_bootstrap": 1000,
            "shadow": {"data": "data/shadow_log.parquet"},
            "ab": {
                "data": "data/ab_log.parquet",
                "challenger_share": 0.10,
                "design": {"baseline_rate": 0.030, "target_rate": 0.026, "daily_volume": 1000},
            },
            "fairness": {"reference_groups": {"sex": "male", "age_band": "36-50"}},
        },
        "explainability": {
            "sample_size": 2000,
            "n_highest_risk": 3,
            "n_near_cutoff": 3,
            "reason_codes": {f: {"code": c, "statement": t} for f, (c, t) in _REASONS.items()},
            "actionable": _ACTIONABLE,
        },
    }


def _var_parameters(seed: int) -> dict[str, Any]:
    """The demo VaR engine's parameter file: no application data, only its P&L, VaR and ES series."""
    return {
        "seed": seed,
        "model": {
            "id": "demo-trading-var", "version": "1.0.0", "kind": "var",
            "name": "Trading book historical-simulation VaR and ES (demo)", "owner": "Market Risk Methodology",
            "purpose": "Daily 99% and 97.5% VaR and 97.5% expected shortfall of the trading book",
            "risk_tier": "high",
            "limitations": "Synthetic demo P&L; 250-day unweighted historical simulation reacts slowly to volatility",
        },
        "backtest": {"var": {"data": "data/var.parquet", "date": "date", "pnl": "pnl",
                             "levels": {"var_99": 0.99, "var_975": 0.975}, "es": {"es_975": "var_975"}}},
    }  # fmt: skip


def _auc(y: np.ndarray, score: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, score))


def write_demo(out_dir: Path, portfolio: Portfolio, champion: Any, challenger: Any) -> DemoBuild:
    """Write data, models and the parameter files under ``out_dir``; check the models reproduce the scores.

    Beside the PD portfolio and the VaR engine it writes the card-fraud classifier demo
    (:func:`mrmkit.demo.fraud.build_fraud_demo`, same seed).
    """
    import skops.io as sio
    import yaml

    from mrmkit.demo.fraud import build_fraud_demo

    out_dir = Path(out_dir).resolve()
    (out_dir / "data").mkdir(parents=True, exist_ok=True)
    (out_dir / "models").mkdir(parents=True, exist_ok=True)
    paths = {
        "reference": out_dir / "data" / "reference.parquet",
        "current": out_dir / "data" / "current.parquet",
        "champion": out_dir / "models" / "champion.skops",
        "challenger": out_dir / "models" / "challenger.skops",
        "var": out_dir / "data" / "var.parquet",
        "parameters": out_dir / "demo.yaml",
        "var_parameters": out_dir / "demo_var.yaml",
    }
    ref, cur = portfolio.reference, portfolio.current
    _write_parquet(ref, paths["reference"])
    _write_parquet(cur, paths["current"])
    write_var_series(paths["var"], seed=portfolio.seed)
    logs = write_logs(out_dir, portfolio.seed, paths["current"], CUTOFF)
    paths["shadow_log"], paths["ab_log"] = logs.shadow, logs.ab

    trusted: dict[str, list[str]] = {}
    for role, model, column in (("champion", champion, SCORE), ("challenger", challenger, CHALLENGER_SCORE)):
        blob = _models.dumps_canonical(model)
        trusted[role] = sorted(sio.get_untrusted_types(data=blob))
        loaded = sio.loads(blob, trusted=trusted[role])
        for frame in (ref, cur):
            if not np.array_equal(_models.predict_pd(loaded, frame, _portfolio.FEATURES), frame[column].to_numpy()):
                raise RuntimeError(f"the saved {role} model does not reproduce the {column} column")
        _write_bytes(paths[role], blob)

    header = (
        f"# Generated by `mrmkit demo` with seed {portfolio.seed}: a synthetic retail PD portfolio.\n"
        "# Paths are relative to this file. Drift injected on purpose (window 1 = first monitoring month):\n"
        + yaml_comment(portfolio.n_windows)
    )
    body = yaml.safe_dump(
        _parameters(trusted["champion"], trusted["challenger"], portfolio.seed, portfolio.windows), sort_keys=False
    )
    _write_bytes(paths["parameters"], (header + body).encode("utf-8"))
    var_header = (f"# Generated by `mrmkit demo` with seed {portfolio.seed}: a historical-simulation VaR and ES engine\n"
                  "# (model.kind var): 500 days of P&L with a stress episode; VaR at 99% and 97.5%, ES at 97.5%.\n")  # fmt: skip
    _write_bytes(paths["var_parameters"], (var_header + yaml.safe_dump(_var_parameters(portfolio.seed),
                                                                       sort_keys=False)).encode("utf-8"))  # fmt: skip

    holdout = ref[ref[SAMPLE] == "holdout"]
    window_of = cur[TIME].dt.to_period("M")
    return DemoBuild(
        out_dir=out_dir,
        **paths,
        fraud_parameters=build_fraud_demo(out_dir, seed=portfolio.seed).parameters,
        seed=portfolio.seed,
        n_reference=len(ref),
        n_current=len(cur),
        n_per_window=portfolio.n_per_window,
        n_windows=portfolio.n_windows,
        reference_period=portfolio.reference_period,
        windows=portfolio.windows,
        features=_portfolio.FEATURES,
        categorical=_portfolio.CATEGORICAL_FEATURES,
        protected=_portfolio.PROTECTED,
        segment=SEGMENT,
        default_rate_reference=float(ref[TARGET].mean()),
        default_rate_current=float(cur[TARGET].mean()),
        default_rate_by_window=tuple(float(v) for v in cur.groupby(window_of, sort=True)[TARGET].mean()),
        n_train=int((ref[SAMPLE] == "train").sum()),
        n_holdout=len(holdout),
        champion_auc_holdout=_auc(holdout[TARGET].to_numpy(), holdout[SCORE].to_numpy()),
        challenger_auc_holdout=_auc(holdout[TARGET].to_numpy(), holdout[CHALLENGER_SCORE].to_numpy()),
        grades=_models.GRADES,
        grade_upper_bounds=_models.GRADE_UPPER_BOUNDS,
        champion_trusted_types=tuple(trusted["champion"]),
        challenger_trusted_types=tuple(trusted["challenger"]),
        drift=drift_specs(portfolio.n_windows),
        stable_features=STABLE_FEATURES,
    )


def build_demo(
    out_dir: Path,
    *,
    seed: int = 20261123,
    n_reference: int = 20000,
    n_per_window: int = 5000,
    n_windows: int = 6,
    start: str = "2025-01-01",
) -> DemoBuild:
    """Build the demo portfolio, train both models and write everything under ``out_dir``.

    Parameters
    ----------
    out_dir : pathlib.Path
        Folder to write ``data/reference.parquet``, ``data/current.parquet``,
        ``models/champion.skops``, ``models/challenger.skops`` and ``demo.yaml`` to (created if
        needed; existing files of these names are replaced).
    seed : int
        Seed of every random draw. The same seed and sizes give byte-identical files.
    n_reference : int
        Rows of the reference (development) sample, spread over the 12 months before ``start``;
        30 percent of them are held out from training (column ``sample``).
    n_per_window : int
        Rows of each monthly monitoring window.
    n_windows : int
        Number of monitoring months from ``start``; drift ramps up from window 3 to the last window.
    start : str
        First day of the first monitoring month, ISO format.

    Returns
    -------
    DemoBuild
        The paths written and the facts of the build (default rates, AUCs, drift, trust lists).
    """
    seed = _check_int("seed", seed, 0)
    n_reference = _check_int("n_reference", n_reference, 1000)
    n_per_window = _check_int("n_per_window", n_per_window, 50)
    n_windows = _check_int("n_windows", n_windows, 1, 36)
    stamp = _check_start(start)
    portfolio = generate_portfolio(seed, n_reference, n_per_window, n_windows, stamp)
    champion, challenger = train_models(portfolio)
    portfolio = score_portfolio(portfolio, champion, challenger)
    return write_demo(Path(out_dir), portfolio, champion, challenger)
