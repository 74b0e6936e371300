"""The demo: a synthetic retail-credit PD portfolio with two trained models, for ``mrmkit demo``.

``build_demo(out_dir)`` writes a reference (development) sample and monthly monitoring windows as
parquet, a scorecard-style logistic regression (champion) and a LightGBM challenger as skops files, and
the parameter file ``demo.yaml`` that runs every workbook on them. Drift, a new category and a rising
missing rate are injected on purpose (``drift_specs``), so the report has something true to find.
Everything is deterministic for a seed.
"""

from mrmkit.demo.build import (
    DemoBuild,
    Portfolio,
    build_demo,
    generate_portfolio,
    score_portfolio,
    train_models,
    write_demo,
)
from mrmkit.demo.drift import STABLE_FEATURES, DriftSpec, drift_specs
from mrmkit.demo.models import GRADE_UPPER_BOUNDS, GRADES
from mrmkit.demo.portfolio import CATEGORICAL_FEATURES, FEATURES, NUMERIC_FEATURES, PROTECTED

__all__ = [
    "build_demo",
    "DemoBuild",
    "DriftSpec",
    "drift_specs",
    "Portfolio",
    "generate_portfolio",
    "train_models",
    "score_portfolio",
    "write_demo",
    "FEATURES",
    "NUMERIC_FEATURES",
    "CATEGORICAL_FEATURES",
    "PROTECTED",
    "STABLE_FEATURES",
    "GRADES",
    "GRADE_UPPER_BOUNDS",
]
