"""The drift injected into the demo's monitoring windows, described for the build record and the YAML.

The sizes live in ``portfolio.DRIFT_SETTINGS``; this module only describes them. Windows are numbered
1..n_windows from the first monitoring month. Ramped drift starts in window 3 (or the last window, when
there are fewer than three) and reaches its full size in the last window.
"""

from __future__ import annotations

from dataclasses import dataclass

from mrmkit.demo.portfolio import DRIFT_SETTINGS, FEATURES

__all__ = ["DriftSpec", "drift_specs", "STABLE_FEATURES", "yaml_comment"]


@dataclass(frozen=True, slots=True)
class DriftSpec:
    """One injected change.

    ``kind`` is ``shift`` (distribution moves), ``rate`` (count rate rises), ``mix`` (category shares
    change), ``inflation``, ``new_category``, ``missing_rate``, ``default_rate`` (the outcome given the
    features) or ``consequential`` (follows from another column's drift, named in ``description``).
    """

    column: str
    kind: str
    first_window: int
    full_window: int
    description: str


_CONSEQUENTIAL = ("loan_amount", "loan_term", "loan_to_income", "current_account_turnover")
_DIRECT = ("revolving_utilisation", "num_enquiries_6m", "annual_income", "employment_type", "savings_balance")

#: Model features with no injected drift, direct or consequential: their PSI should stay small.
STABLE_FEATURES: tuple[str, ...] = tuple(f for f in FEATURES if f not in _DIRECT + _CONSEQUENTIAL)


def drift_specs(n_windows: int) -> tuple[DriftSpec, ...]:
    """The injected drift for a build with ``n_windows`` monitoring windows."""
    s = DRIFT_SETTINGS
    ramp, late, last = min(3, n_windows), max(n_windows - 1, 1), n_windows
    rows = [
        (
            "revolving_utilisation",
            "shift",
            ramp,
            f"latent logit of utilisation raised by up to {s['utilisation_logit_shift']}: strong upward shift",
        ),
        (
            "num_enquiries_6m",
            "rate",
            ramp,
            f"6-month enquiry rate raised by up to {s['enquiry_rate_increase']:.0%}: moderate upward shift",
        ),
        (
            "product",
            "mix",
            ramp,
            f"point_of_sale share grows from 5% to {s['point_of_sale_share']:.0%} (segment, not a feature)",
        ),
        (
            "annual_income",
            "inflation",
            1,
            f"nominal incomes grow {s['income_inflation_per_month']:.1%} per monitoring month; real income unchanged",
        ),
        (
            "employment_type",
            "new_category",
            last,
            f"new category 'gig' for about {s['gig_share_last_window']:.0%} of applications, unseen in the reference",
        ),
        ("savings_balance", "missing_rate", late, f"missing share rises from 5% to {s['savings_missing_late']:.0%}"),
        (
            "default_12m",
            "default_rate",
            ramp,
            f"default log-odds raised by up to {s['default_logit_shift']} for the same features (macro)",
        ),
        ("loan_amount", "consequential", ramp, "follows the product mix (smaller point-of-sale loans)"),
        ("loan_term", "consequential", ramp, "follows the product mix (point-of-sale loans are 36 months)"),
        ("loan_to_income", "consequential", ramp, "follows the product mix and income inflation"),
        ("current_account_turnover", "consequential", 1, "follows income inflation"),
    ]
    return tuple(DriftSpec(column, kind, first, last, text) for column, kind, first, text in rows)


def yaml_comment(n_windows: int) -> str:
    """The injected drift as YAML comment lines."""
    lines = []
    for spec in drift_specs(n_windows):
        when = (
            f"window {spec.first_window}"
            if spec.first_window == spec.full_window
            else f"windows {spec.first_window}-{spec.full_window}"
        )
        lines.append(f"#   {spec.column} ({spec.kind}, {when}): {spec.description}\n")
    return "".join(lines)
