"""The last stage of the demo build: :func:`write_demo` writes the data, the models and the parameter files.

Parquet files carry no time stamps and the skops files are canonicalised, so the same seed and sizes give
byte-identical files; before a model is written, its saved form is checked to reproduce the scores
exactly. :class:`DemoBuild` is what was written, with the facts a reader of the demo report may check.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mrmkit.demo import models as _models
from mrmkit.demo import portfolio as _portfolio
from mrmkit.demo.database import sql_parameters, write_database
from mrmkit.demo.drift import STABLE_FEATURES, DriftSpec, drift_specs, yaml_comment
from mrmkit.demo.files import write_bytes, write_parquet
from mrmkit.demo.logs import write_logs
from mrmkit.demo.parameters import CUTOFF, _parameters, _var_parameters
from mrmkit.demo.samples import CHALLENGER_SCORE, SAMPLE, SCORE, SEGMENT, TARGET, TIME, Portfolio
from mrmkit.demo.var import write_var_series

__all__ = ["DemoBuild", "write_demo"]


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
    sql_parameters: Path  # demo_sql.yaml: demo.yaml with every data input a query on database
    database: Path  # data/demo.db: the samples, the logs and the VaR series as SQLite tables
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
    write_parquet(ref, paths["reference"])
    write_parquet(cur, paths["current"])
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
        write_bytes(paths[role], blob)

    header = (
        f"# Generated by `mrmkit demo` with seed {portfolio.seed}: a synthetic retail PD portfolio.\n"
        "# Paths are relative to this file. Drift injected on purpose (window 1 = first monitoring month):\n"
        + yaml_comment(portfolio.n_windows)
    )
    raw = _parameters(trusted["champion"], trusted["challenger"], portfolio.seed, portfolio.windows)
    write_bytes(paths["parameters"], (header + yaml.safe_dump(raw, sort_keys=False)).encode("utf-8"))
    paths["database"] = write_database(out_dir / "data")
    paths["sql_parameters"] = out_dir / "demo_sql.yaml"
    sql_header = header.replace(
        "synthetic retail PD portfolio.",
        "synthetic retail PD portfolio, every data input "
        "read from data/demo.db by a query (the same rows as demo.yaml's files).",
    )
    write_bytes(paths["sql_parameters"], (sql_header + yaml.safe_dump(sql_parameters(raw), sort_keys=False)).encode())
    var_header = (
        f"# Generated by `mrmkit demo` with seed {portfolio.seed}: a historical-simulation VaR and ES engine\n"
        "# (model.kind var): 500 days of P&L with a stress episode; VaR at 99% and 97.5%, ES at 97.5%.\n"
    )
    write_bytes(
        paths["var_parameters"],
        (var_header + yaml.safe_dump(_var_parameters(portfolio.seed), sort_keys=False)).encode("utf-8"),
    )

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
