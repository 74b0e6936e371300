"""The contents of the demo's parameter files: ``demo.yaml`` (the PD model) and ``demo_var.yaml`` (the VaR engine).

The PD model's file names the data and models written by :func:`mrmkit.demo.writing.write_demo` and
sets up every workbook: the credit cut-off, the exposure and LGD of the losses, the stress scenarios, the
expected directions of the sensitivity check, the adverse-action reasons and the actionable features of the
explanations. The trading book's P&L series belongs to the VaR engine's file alone.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from mrmkit.demo import models as _models
from mrmkit.demo import portfolio as _portfolio
from mrmkit.demo.samples import CHALLENGER_SCORE, GRADE, ID, SCORE, SEGMENT, TARGET, TIME

__all__ = ["CUTOFF", "CURRENCY", "dictionary"]

#: PD cut-off of the demo's credit decision: approve when PD <= 8 percent.
CUTOFF = 0.08

#: The demo's currency: every amount of the PD model (income, balances, the loan) is in euros.
CURRENCY = "EUR"

# The data dictionary of the demo PD model: each column's label, unit and description, as the reports name them.
_DICTIONARY = {
    "annual_income": ("Annual income", CURRENCY, "Gross annual income stated on the application"),
    "debt_to_income": ("Debt-to-income ratio", "ratio", "Monthly debt service divided by monthly income"),
    "revolving_utilisation": (
        "Revolving utilisation",
        "ratio",
        "Balances on revolving accounts divided by their credit limits (1 = fully drawn)",
    ),
    "num_delinquencies_12m": ("Delinquencies, last 12 months", "count", "Payments 30 or more days late"),
    "num_delinquencies_24m": ("Delinquencies, last 24 months", "count", "Payments 30 or more days late"),
    "months_since_last_delinquency": (
        "Months since last delinquency",
        "months",
        "Missing when the applicant was never delinquent",
    ),
    "worst_arrears_status_24m": (
        "Worst arrears status, last 24 months",
        "payments missed",
        "Largest number of consecutive payments missed on any account",
    ),
    "months_at_address": ("Time at address", "months", "Time at the current address"),
    "months_in_employment": ("Time in employment", "months", "Time with the current employer"),
    "num_enquiries_6m": ("Credit enquiries, last 6 months", "count", "Hard enquiries on the credit bureau file"),
    "num_open_accounts": ("Open accounts", "count", "Revolving accounts, loans and mortgages open"),
    "num_credit_cards": ("Credit cards", "count", "Credit cards held"),
    "num_revolving_accounts": ("Revolving accounts", "count", "Cards and overdraft facilities open"),
    "num_active_loans": ("Active loans", "count", "Instalment loans being repaid"),
    "num_mortgage_accounts": ("Mortgages", "count", "Mortgage accounts open"),
    "credit_history_months": ("Length of credit history", "months", "Time since the first account was opened"),
    "bureau_score": ("Credit bureau score", "points", "Generic score of the credit bureau (higher is better)"),
    "savings_balance": ("Savings balance", CURRENCY, "Balance of the applicant's savings accounts with the bank"),
    "loan_amount": ("Loan amount", CURRENCY, "Amount of credit requested"),
    "loan_term": ("Loan term", "months", "Term of the credit requested"),
    "loan_to_income": ("Loan-to-income ratio", "ratio", "Loan amount divided by annual income"),
    "total_credit_limit": ("Total credit limit", CURRENCY, "Sum of the limits of all revolving accounts"),
    "num_accounts_opened_12m": ("Accounts opened, last 12 months", "count", "New credit accounts opened"),
    "num_dependants": ("Dependants", "count", "People financially dependent on the applicant"),
    "overdraft_days_3m": ("Days in overdraft, last 3 months", "days", "Days the current account was overdrawn"),
    "current_account_turnover": (
        "Current account turnover",
        CURRENCY,
        "Average monthly credits to the current account",
    ),
    "num_returned_payments_12m": ("Returned payments, last 12 months", "count", "Direct debits or cheques returned"),
    "public_records": ("Public records", "count", "Bankruptcies, judgments and other public records"),
    "months_with_bank": ("Time with the bank", "months", "Time since the customer's first account with the bank"),
    "housing_cost_monthly": ("Monthly housing cost", CURRENCY, "Rent or mortgage payment per month"),
    "employment_type": ("Employment type", "", "Salaried, self-employed, retired, student, unemployed or gig work"),
    "housing": ("Housing status", "", "Owner with a mortgage, outright owner, renter or living with parents"),
    "region": ("Region", "", "Region of the applicant's address"),
    "sex": ("Sex", "", "Protected attribute: used only for the fairness screens, never as a feature"),
    "age_band": ("Age band", "years", "Protected attribute: used only for the fairness screens, never as a feature"),
    "product": ("Product", "", "Credit product applied for (the segment of the portfolio)"),
    "default_12m": ("Default within 12 months", "", "1 when the loan defaulted within 12 months of origination"),
    "champion_pd": ("Champion PD", "probability", "Probability of default from the champion model"),
    "challenger_pd": ("Challenger PD", "probability", "Probability of default from the challenger model"),
    "champion_grade": ("Champion grade", "", "Rating grade of the champion's PD on the master scale"),
    "application_id": ("Application id", "", "Identifier of the application"),
    "application_date": ("Application date", "", "Date of the application"),
}


def dictionary(entries: dict[str, tuple[str, str, str]]) -> dict[str, dict[str, str]]:
    """A parameter file's ``data.dictionary`` from (label, unit, description) per column (no empty unit)."""
    return {
        column: {"label": label, **({"unit": unit} if unit else {}), "description": description}
        for column, (label, unit, description) in entries.items()
    }


# Stress scenarios of the demo: an income fall, a delinquency rise, a debt-service shock, and a card-only
# utilisation stress (segment-limited). Domains keep shocked values meaningful.
_STRESS = {
    "domains": {
        "annual_income": [0, None],
        "debt_to_income": [0, None],
        "loan_to_income": [0, None],
        "revolving_utilisation": [0, 1.5],
        "num_delinquencies_12m": [0, None],
        "num_delinquencies_24m": [0, None],
    },
    "scenarios": [
        {
            "name": "income_fall",
            "description": "Incomes fall by 20 percent; ratios with income below rise by 25",
            "shocks": [
                {"feature": "annual_income", "multiply": 0.8},
                {"feature": "debt_to_income", "multiply": 1.25},
                {"feature": "loan_to_income", "multiply": 1.25},
            ],
        },
        {
            "name": "delinquency_rise",
            "description": "One more delinquency in the last 12 and 24 months",
            "shocks": [{"feature": "num_delinquencies_12m", "add": 1}, {"feature": "num_delinquencies_24m", "add": 1}],
        },
        {
            "name": "debt_service_shock",
            "description": "Debt-to-income up 25 percent; utilisation up a decile",
            "shocks": [
                {"feature": "debt_to_income", "multiply": 1.25},
                {"feature": "revolving_utilisation", "quantile": 0.1},
            ],
        },
        {
            "name": "card_utilisation_stress",
            "description": "Card customers draw 15 points more of their limits",
            "segment": {"values": ["card"]},
            "shocks": [{"feature": "revolving_utilisation", "add": 0.15}],
        },
    ],
}

# The direction in which the demo's PD should move when each feature rises (checked by sensitivity).
_EXPECTED_DIRECTION = {
    "annual_income": -1,
    "debt_to_income": 1,
    "revolving_utilisation": 1,
    "num_delinquencies_12m": 1,
    "num_enquiries_6m": 1,
    "bureau_score": -1,
    "months_in_employment": -1,
    "savings_balance": -1,
}


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
_ACTIONABLE = {
    "loan_amount": [1000, None],
    "revolving_utilisation": [0, 1.0],
    "debt_to_income": [0, None],
    "savings_balance": [0, None],
}


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
            "currency": CURRENCY,
        },
        "validation": {
            "validator": "Model Validation, second line (demo)",
            "scope": "Annual validation of the champion on the monitoring sample: data quality and drift, "
            "outcomes and stress, the challenger and the explanations; the downturn calibration is out of scope",
            "reference": "MRM-DEMO-2026-01",
            "out_of_scope": {
                "ECB-TRIM.PD-DEFAULT-MOC": "the downturn calibration and the margin of conservatism are reviewed "
                "in the separate IRB calibration validation (demo)"
            },
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
            "exposure": "loan_amount",
            "lgd": 0.45,
            "dictionary": dictionary(_DICTIONARY),
        },
        "policy": {"cutoff": CUTOFF},
        "drift": {},
        "backtest": {
            "grades": {"upper_bounds": list(_models.GRADE_UPPER_BOUNDS), "labels": list(_models.GRADES)},
            "maturity_months": 12,
            "as_of": _as_of(windows),
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
            "id": "demo-trading-var",
            "version": "1.0.0",
            "kind": "var",
            "name": "Trading book historical-simulation VaR and ES (demo)",
            "owner": "Market Risk Methodology",
            "purpose": "Daily 99% and 97.5% VaR and 97.5% expected shortfall of the trading book",
            "risk_tier": "high",
            "limitations": "Synthetic demo P&L; 250-day unweighted historical simulation reacts slowly to volatility",
        },
        "backtest": {
            "var": {
                "data": "data/var.parquet",
                "date": "date",
                "pnl": "pnl",
                "levels": {"var_99": 0.99, "var_975": 0.975},
                "es": {"es_975": "var_975"},
            }
        },
    }
