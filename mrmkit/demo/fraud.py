"""The fraud-classifier demo: seeded card transactions with rare fraud, two models, and their parameter file.

``build_fraud_demo`` writes ``data/fraud_reference.parquet`` (development transactions),
``data/fraud_current.parquet`` (three monitoring months in which card-not-present fraud grows),
``models/fraud_champion.skops`` (a logistic regression) and ``models/fraud_challenger.skops`` (gradient-boosted
trees, which catch the interaction of a new device and a far-away merchant), and ``demo_fraud.yaml``
(``model.kind: classifier``, alerting the riskiest 2 percent of transactions). Every draw comes from
``numpy.random.default_rng(seed)``; the same seed gives byte-identical files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.demo.parameters import dictionary

__all__ = ["FraudDemo", "build_fraud_demo", "FEATURES", "CATEGORICAL"]

FEATURES = ("amount", "hour", "distance_km", "new_device", "transactions_24h", "merchant_category", "channel")
CATEGORICAL = ("merchant_category", "channel")
TARGET, SCORE, CHALLENGER_SCORE, ID, TIME = "fraud", "champion_score", "challenger_score", "transaction_id", "date"
ALERT_RATE = 0.02
AB_CHALLENGER_SHARE = 0.5
#: Alert reasons an analyst sees with each alert (the explainability workbook's reason codes).
_REASONS = {
    "amount": ("F01", "Transaction amount unusual for the card"),
    "hour": ("F02", "Transaction at an unusual hour"),
    "distance_km": ("F03", "Merchant far from the cardholder's usual locations"),
    "new_device": ("F04", "Payment from a device not seen before"),
    "transactions_24h": ("F05", "Many transactions in the last 24 hours"),
    "merchant_category": ("F06", "Merchant category with high fraud rates"),
    "channel": ("F07", "Card-not-present payment"),
}
#: The data dictionary of the fraud demo (label, unit, description per column); amounts are in euros.
_DICTIONARY = {
    "amount": ("Transaction amount", "EUR", "Amount of the card transaction"),
    "hour": ("Hour of the transaction", "hour of day", "Local hour at which the transaction was made (0-23)"),
    "distance_km": ("Distance from home", "km", "Distance between the merchant and the cardholder's home"),
    "new_device": ("New device", "", "1 when the payment came from a device not seen before on the card"),
    "transactions_24h": ("Transactions, last 24 hours", "count", "Transactions on the card in the previous 24 hours"),
    "merchant_category": ("Merchant category", "", "Grocery, fuel, travel, electronics, gambling or online services"),
    "channel": ("Channel", "", "Card present at the merchant, or card not present (online, phone)"),
    "age_band": ("Age band", "years", "Protected attribute: used only for the fairness screens, never as a feature"),
    TARGET: ("Fraud", "", "1 when the transaction was confirmed as fraud"),
    SCORE: ("Champion score", "probability", "Fraud probability from the champion model"),
    CHALLENGER_SCORE: ("Challenger score", "probability", "Fraud probability from the challenger model"),
    ID: ("Transaction id", "", "Identifier of the transaction"),
    TIME: ("Transaction date", "", "Date of the transaction"),
}
_AGE_BANDS = ("18-29", "30-44", "45-64", "65+")
_CATEGORIES = ("grocery", "fuel", "travel", "electronics", "gambling", "online_services")


@dataclass(frozen=True, slots=True)
class FraudDemo:
    parameters: Path
    reference: Path
    current: Path
    champion: Path
    challenger: Path
    ab: Path
    fraud_rate_reference: float
    fraud_rate_current: float


def _transactions(rng: np.random.Generator, n: int, start: str, days: int, cnp_growth: float) -> pd.DataFrame:
    category = rng.choice(_CATEGORIES, n, p=[0.30, 0.15, 0.10, 0.15, 0.05, 0.25])
    channel = np.where(rng.random(n) < 0.35 + cnp_growth, "card_not_present", "card_present")
    amount = np.round(rng.lognormal(3.4, 1.0, n), 2)
    hour = rng.integers(0, 24, n)
    distance = np.round(rng.exponential(15.0, n), 1)
    new_device = (rng.random(n) < np.where(channel == "card_not_present", 0.12, 0.02)).astype(int)
    velocity = rng.poisson(1.5, n)
    night = (hour < 6).astype(float)
    cnp = channel == "card_not_present"
    logit = (
        -7.4
        + 0.45 * np.log(amount)
        + 0.4 * night
        + 0.6 * cnp
        + 4.5 * new_device * (distance > 30)
        + 2.2 * night * cnp
        + 0.3 * velocity
        + 1.0 * np.isin(category, ["electronics", "gambling"])
    )
    fraud = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    dates = pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, days, n), unit="D")
    age_band = rng.choice(_AGE_BANDS, n, p=[0.20, 0.35, 0.30, 0.15])  # protected: never a feature
    return pd.DataFrame(
        {
            ID: [f"T{start[:7].replace('-', '')}-{i:06d}" for i in range(n)],
            TIME: dates,
            "amount": amount,
            "hour": hour,
            "distance_km": distance,
            "new_device": new_device,
            "transactions_24h": velocity,
            "merchant_category": category,
            "channel": channel,
            "age_band": age_band,
            TARGET: fraud,
        }
    )


def _ab_log(rng: np.random.Generator, current: pd.DataFrame, thresholds: dict[str, float]) -> pd.DataFrame:
    """An A/B test on the monitoring transactions: half are decided by each model at its development threshold.

    Guardrails: a genuine customer whose payment is stopped complains with probability 8 %, and an alert
    takes an analyst about 6 minutes to review (gamma distributed), whether or not it is fraud.
    """
    challenger = rng.random(len(current)) < AB_CHALLENGER_SHARE
    score = np.where(challenger, current[CHALLENGER_SCORE], current[SCORE])
    alerted = score >= np.where(challenger, thresholds["challenger"], thresholds["champion"])
    genuine = current[TARGET].to_numpy() == 0
    return pd.DataFrame(
        {
            ID: current[ID],
            TIME: current[TIME],
            "arm": np.where(challenger, "challenger", "champion"),
            "decision": np.where(alerted, "alert", "clear"),
            TARGET: current[TARGET],
            "complaint": (alerted & genuine & (rng.random(len(current)) < 0.08)).astype(int),
            "review_minutes": np.round(np.where(alerted, rng.gamma(4.0, 1.5, len(current)), 0.0), 1),
        }
    )


def _models(reference: pd.DataFrame) -> tuple[Any, Any]:
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = [f for f in FEATURES if f not in CATEGORICAL]

    def prep(scale: bool) -> Any:
        return make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore", sparse_output=False), list(CATEGORICAL)),
            (StandardScaler() if scale else "passthrough", numeric),
        )

    x, y = reference[list(FEATURES)], reference[TARGET]
    champion = make_pipeline(prep(True), LogisticRegression(max_iter=1000)).fit(x, y)
    challenger = make_pipeline(
        prep(False),
        HistGradientBoostingClassifier(max_iter=150, learning_rate=0.05, min_samples_leaf=100, random_state=0),
    ).fit(x, y)
    return champion, challenger


def _parameters(trusted: dict[str, list[str]], seed: int) -> dict[str, Any]:
    return {
        "seed": seed,
        "model": {
            "id": "demo-card-fraud",
            "version": "2.1.0",
            "kind": "classifier",
            "name": "Card transaction fraud classifier (demo)",
            "owner": "Fraud Analytics",
            "purpose": "Score card transactions for fraud and alert the riskiest for review",
            "risk_tier": "high",
            "intended_use": f"Alert the riskiest {ALERT_RATE:.0%} of card transactions for analyst review",
            "limitations": "Synthetic demo data; fraud labels are complete (no late-reported fraud)",
            "artifact": "models/fraud_champion.skops",
            "trusted_types": trusted["champion"],
            "currency": "EUR",
        },
        "challenger": {
            "artifact": "models/fraud_challenger.skops",
            "trusted_types": trusted["challenger"],
            "score": CHALLENGER_SCORE,
        },
        "data": {
            "reference": "data/fraud_reference.parquet",
            "current": "data/fraud_current.parquet",
            "id": ID,
            "target": TARGET,
            "score": SCORE,
            "features": list(FEATURES),
            "categorical": list(CATEGORICAL),
            "time": TIME,
            "protected": ["age_band"],
            "dictionary": dictionary(_DICTIONARY),
        },
        "policy": {"alert_rate": ALERT_RATE, "costs": {"false_positive": 4.0, "false_negative": 120.0}},
        "drift": {},
        "backtest": {},
        "champion_challenger": {
            "n_bootstrap": 500,
            "ab": {
                "data": "data/fraud_ab.parquet",
                "id": ID,
                "arm": "arm",
                "decision": "decision",
                "outcome": TARGET,
                "date": TIME,
                "challenger_share": AB_CHALLENGER_SHARE,
                "guardrails": ["complaint", "review_minutes"],
            },
        },
        "explainability": {
            "sample_size": 500,
            "n_highest_risk": 3,
            "n_near_cutoff": 2,
            "background_size": 100,
            "reason_codes": {f: {"code": code, "statement": text} for f, (code, text) in _REASONS.items()},
        },
    }


def build_fraud_demo(
    out_dir: Path, seed: int = 20261123, n_reference: int = 30_000, n_current: int = 20_000
) -> FraudDemo:
    """Generate, train, score and write the fraud demo under ``out_dir``; returns the paths and fraud rates."""
    import skops.io as sio
    import yaml

    from mrmkit.demo.files import write_bytes, write_parquet
    from mrmkit.demo.models import dumps_canonical

    out_dir = Path(out_dir).resolve()
    (out_dir / "data").mkdir(parents=True, exist_ok=True)
    (out_dir / "models").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 7]))
    reference = _transactions(rng, n_reference, "2024-07-01", 181, 0.0)
    current = _transactions(rng, n_current, "2025-01-01", 90, 0.20)  # card-not-present share grows
    champion, challenger = _models(reference)
    trusted = {}
    paths = {
        "reference": out_dir / "data" / "fraud_reference.parquet",
        "current": out_dir / "data" / "fraud_current.parquet",
        "champion": out_dir / "models" / "fraud_champion.skops",
        "challenger": out_dir / "models" / "fraud_challenger.skops",
        "ab": out_dir / "data" / "fraud_ab.parquet",
        "parameters": out_dir / "demo_fraud.yaml",
    }
    for role, model, column in (("champion", champion, SCORE), ("challenger", challenger, CHALLENGER_SCORE)):
        blob = dumps_canonical(model)
        trusted[role] = sorted(sio.get_untrusted_types(data=blob))
        loaded = sio.loads(blob, trusted=trusted[role])
        for frame in (reference, current):
            frame[column] = np.asarray(loaded.predict_proba(frame[list(FEATURES)]), dtype=np.float64)[:, 1]
        write_bytes(paths[role], blob)
    thresholds = {
        m: float(np.sort(reference[c])[::-1][int(np.ceil(ALERT_RATE * len(reference))) - 1])
        for m, c in (("champion", SCORE), ("challenger", CHALLENGER_SCORE))
    }
    write_parquet(_ab_log(rng, current, thresholds), paths["ab"])
    write_parquet(reference, paths["reference"])
    write_parquet(current, paths["current"])
    header = (
        f"# Generated by `mrmkit demo` with seed {seed}: a synthetic card-fraud classifier (model.kind: classifier).\n"
        "# Paths are relative to this file. Card-not-present transactions grow by 20 points in monitoring.\n"
    )
    write_bytes(paths["parameters"], (header + yaml.safe_dump(_parameters(trusted, seed), sort_keys=False)).encode())
    return FraudDemo(
        **paths, fraud_rate_reference=float(reference[TARGET].mean()), fraud_rate_current=float(current[TARGET].mean())
    )
