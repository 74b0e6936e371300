"""The explainability workbook's analysis: the context's models and samples in, one frozen :class:`ExplainEvidence` out.

The input checks (:func:`preflight`), the explanations of each model (SHAP global and local, LIME and its
stability, the model's own importance, explanation drift), the reason codes and the counterfactuals of
the declined applications, and the settings they rest on; the findings are made from this evidence, and
everything shown or recorded, by :mod:`mrmkit.workbooks.explainability.tables`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from mrmkit import explain
from mrmkit.errors import InvalidParameters, one_line
from mrmkit.registry.builtin import NO_ACTIONABLE, NOTHING_ALERTED, NOTHING_DECLINED
from mrmkit.stats._base import jsonable
from mrmkit.text.labels import Dictionary
from mrmkit.text.numbers import data_step
from mrmkit.workbooks import alerts
from mrmkit.workbooks.context import Context
from mrmkit.workbooks.explainability import findings, tables

__all__ = ["ExplainEvidence", "analyse", "preflight", "decision_cut", "LOCAL_STABILITY_ROWS"]

_plain = jsonable
LOCAL_STABILITY_ROWS = 2  # LIME stability over seeds is measured on this many local rows per model


@dataclass(frozen=True)
class ExplainEvidence:
    applicable: bool
    reason: str | None
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    shap: dict[str, Any] = field(default_factory=dict)
    local: dict[str, dict[str, Any]] = field(default_factory=dict)
    reasons: dict[str, Any] = field(default_factory=dict)
    counterfactuals: dict[str, Any] = field(default_factory=dict)
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    findings: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    # how the report writes the data's columns and values (not recorded in metrics.json): the data dictionary,
    # and the precision the reference data use for each actionable feature (a counterfactual's values)
    names: Dictionary = field(default_factory=Dictionary)
    steps: dict[str, float] = field(default_factory=dict)

    def metrics(self) -> dict[str, Any]:
        """The workbook's entry in ``metrics.json`` (made in :mod:`.tables`)."""
        return tables.metrics(self)


def _models(ctx: Context) -> dict[str, Any]:
    params, cfg = ctx.params, ctx.params.explainability
    out = {}
    if "champion" in cfg.models and ctx.inputs.model is not None:
        out["champion"] = ctx.inputs.model
    ch = params.challenger
    if "challenger" in cfg.models and ch is not None and ch.artifact is not None:
        out["challenger"] = ctx.inputs.challenger_model
    return out


def _explainable(model: Any, name: str, field_name: str, inputs: Any) -> None:
    """A model mrmkit can explain: ``predict_proba`` giving two finite probabilities per row of the data."""
    if not callable(getattr(model, "predict_proba", None)):
        raise InvalidParameters(
            f"{field_name}: the {name} ({type(model).__name__}) has no predict_proba, so it cannot be explained; "
            "wrap it in a class with predict_proba(frame) returning the probabilities of 0 and 1."
        )
    rows = inputs.reference[list(inputs.features)].head(5)
    try:
        p = np.asarray(model.predict_proba(rows), dtype=np.float64)
    except Exception as exc:  # the model's own error, shown in one line
        raise InvalidParameters(
            f"{field_name}: the {name}'s predict_proba fails on the reference rows "
            f"({type(exc).__name__}: {one_line(str(exc))})."
        ) from None
    if p.ndim != 2 or p.shape != (len(rows), 2) or not np.isfinite(p).all() or (p < 0).any() or (p > 1).any():
        raise InvalidParameters(
            f"{field_name}: the {name}'s predict_proba must give two probabilities between 0 and 1 per row; "
            f"it gave an array of shape {p.shape}."
        )


def preflight(params: Any, inputs: Any) -> None:
    """Models must be explainable; reason-code and actionable features must be model features; ids must exist."""
    cfg = params.explainability
    if "champion" in cfg.models and inputs.model is not None:
        _explainable(inputs.model, "model", "model.artifact", inputs)
    ch = params.challenger
    if "challenger" in cfg.models and ch is not None and ch.artifact is not None:
        _explainable(inputs.challenger_model, "challenger", "challenger.artifact", inputs)
    features = set(inputs.features)
    for key, names in (
        ("explainability.reason_codes", cfg.reason_codes),
        ("explainability.actionable", cfg.actionable),
    ):
        unknown = sorted(set(names) - features)
        if unknown:
            raise InvalidParameters(f"{key}: {', '.join(unknown)} are not model features (data.features).")
    unmapped = [f for f in inputs.features if cfg.reason_codes and f not in cfg.reason_codes]
    if unmapped:
        raise InvalidParameters(
            f"explainability.reason_codes: the table lacks {', '.join(unmapped)}; every model feature can become a "
            "reason for a decline, so each needs a code and a statement."
        )
    categorical_actionable = sorted(set(cfg.actionable) & set(inputs.categorical))
    if categorical_actionable:
        raise InvalidParameters(
            f"explainability.actionable: {', '.join(categorical_actionable)} are categorical; counterfactuals change numeric features only."
        )
    if cfg.ids:
        if not params.data.id:
            raise InvalidParameters("explainability.ids: naming applications needs data.id.")
        present = set(inputs.current[params.data.id].astype(str))
        missing = [i for i in cfg.ids if i not in present]
        if missing:
            raise InvalidParameters(f"explainability.ids: {', '.join(missing[:5])} not found in {params.data.current}.")


def decision_cut(ctx: Context, scores: np.ndarray) -> float | None:
    """The score at which the decision turns adverse: the PD cut-off, or a classifier's alert threshold."""
    if ctx.params.model_kind.alerting:
        return alerts.policy_threshold(ctx.params.policy, np.asarray(scores, dtype=float))
    return ctx.params.policy.cutoff


def _local_rows(ctx: Context, scores: np.ndarray, ids: np.ndarray, cutoff: float | None) -> list[int]:
    """Positions in the current sample: named ids, then the highest-risk, then the closest to the cut-off."""
    cfg = ctx.params.explainability
    chosen: list[int] = []
    lookup = {str(v): i for i, v in enumerate(ids)}
    chosen += [lookup[i] for i in cfg.ids]
    order = np.argsort(-scores, kind="stable")
    chosen += [int(i) for i in order[: cfg.n_highest_risk]]
    if cutoff is not None and cfg.n_near_cutoff:
        near = np.argsort(np.abs(scores - cutoff), kind="stable")
        chosen += [int(i) for i in near[: cfg.n_near_cutoff]]
    return list(dict.fromkeys(chosen))  # unique, in order


def _actionable(ctx: Context) -> dict[str, tuple[float, float]]:
    ref = ctx.inputs.reference
    out = {}
    for feature, (low, high) in ctx.params.explainability.actionable.items():
        values = pd.to_numeric(ref[feature], errors="coerce")
        out[feature] = (
            float(values.min()) if low is None else float(low),
            float(values.max()) if high is None else float(high),
        )
    return out


def _explain_model(
    ctx: Context,
    name: str,
    model: Any,
    background: pd.DataFrame,
    sample: pd.DataFrame,
    ref_sample: pd.DataFrame,
    local_rows: pd.DataFrame,
    local_ids: list[str],
    sample_target: np.ndarray | None = None,
    cutoff: float | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    cfg, inp, seed = ctx.params.explainability, ctx.inputs, ctx.params.seed
    features, categorical = list(inp.features), list(inp.categorical)
    loose = float("inf")  # the workbook checks additivity itself, so a breach is reported, not raised
    expl = explain.explain_shap(model, background, sample, features, categorical, seed, additivity_tolerance=loose)
    expl_ref = explain.explain_shap(
        model, background, ref_sample, features, categorical, seed, additivity_tolerance=loose
    )
    importance = explain.global_importance(expl).to_frame()
    # the model's own importance, or permutation importance (seeded) for a model that has none
    own = explain.model_importance(model, features, data=sample, explanation=expl, target=sample_target, seed=seed)
    drift = pd.DataFrame(
        {"current": np.abs(expl.values).mean(axis=0), "reference": np.abs(expl_ref.values).mean(axis=0)}, index=features
    )
    drift_corr = float(drift.rank().corr(method="spearman").iloc[0, 1])
    # the additivity check is judged by findings.additivity_findings
    error = max(expl.additivity_max_abs_error, expl_ref.additivity_max_abs_error)
    # local explanations
    local_expl = explain.explain_shap(
        model, background, local_rows, features, categorical, seed, additivity_tolerance=loose
    )
    shap_rows = {rid: pd.Series(local_expl.values[i], index=features) for i, rid in enumerate(local_ids)}
    # stability of SHAP itself: rerun with another seed (zero for the deterministic Linear and Tree explainers)
    rerun = explain.explain_shap(
        model, background, local_rows, features, categorical, seed + 1, additivity_tolerance=loose
    )
    seed_difference = float(np.max(np.abs(np.asarray(rerun.values) - np.asarray(local_expl.values)), initial=0.0))
    lime_rows, agreement, stability = {}, {}, {}
    for i, rid in enumerate(local_ids):
        lime = explain.explain_lime(
            model,
            inp.reference[features],
            local_rows.iloc[[i]],
            features,
            categorical,
            seed,
            num_samples=cfg.lime_samples,
        )
        lime_rows[rid] = _plain(lime)
        agreement[rid] = _plain(explain.top_feature_agreement(shap_rows[rid], lime.weights, cfg.top_k))
        if i < LOCAL_STABILITY_ROWS:
            seeds = [seed + k for k in range(cfg.lime_seeds)]
            result = explain.lime_stability(
                model,
                inp.reference[features],
                local_rows.iloc[[i]],
                features,
                categorical,
                seeds,
                num_samples=cfg.lime_samples,
            )
            stability[rid] = {
                k: _plain(getattr(result, k))
                for k in ("seeds", "spearman_mean", "spearman_min", "n_pairs", "mean_top_overlap")
            }
    # reason codes and counterfactuals on the declined applications (a classifier's alerted cases) of the sample
    classifier = ctx.params.model_kind.alerting
    sample_pd = 1.0 / (1.0 + np.exp(-expl.output))
    sample_ids = sample.index.astype(str).to_numpy()
    reasons, cfs = None, None
    if cutoff is None:
        reasons = cfs = {"applicable": False, "reason": "policy.cutoff is not given, so there is no decline to explain"}
    else:
        declined = sample_pd >= cutoff if classifier else sample_pd > cutoff
        if not cfg.reason_codes:
            reasons = {"applicable": False, "reason": "no reason-code table (explainability.reason_codes)"}
        elif declined.any():
            contrib = pd.DataFrame(expl.values[declined], columns=features)
            table = {f: {"code": rc.code, "statement": rc.statement} for f, rc in cfg.reason_codes.items()}
            rc = explain.reason_codes(
                contrib, list(sample_ids[declined]), table, top_k=cfg.top_k, used_features=features
            )
            reasons = {"applicable": True, "result": rc}
        else:
            none = NOTHING_ALERTED if classifier else NOTHING_DECLINED
            reasons = {"applicable": False, "reason": none}
        if classifier:
            cfs = {
                "applicable": False,
                "reason": "model.kind classifier: counterfactuals answer a declined credit "
                "applicant's question (what would change the decision); an alert is not such a decision",
            }
        elif not cfg.actionable or cfg.n_counterfactuals == 0:
            cfs = {"applicable": False, "reason": NO_ACTIONABLE}
        elif declined.any():
            pos = np.flatnonzero(declined)[: cfg.n_counterfactuals]
            res = explain.counterfactuals(
                model,
                sample.iloc[pos],
                features,
                _actionable(ctx),
                cutoff,
                seed,
                ids=list(sample_ids[pos]),
                reference=inp.reference,
                categorical=categorical,
            )
            cfs = {"applicable": True, "result": res}
        else:
            cfs = {"applicable": False, "reason": NOTHING_DECLINED}
    metrics = {
        "explainer": expl.explainer,
        "estimator": expl.estimator,
        "output_space": expl.output_space,
        "feature_perturbation": expl.feature_perturbation,
        "background_size": expl.background_size,
        "max_evals": expl.max_evals,
        # rows given to predict_proba by the model-agnostic explainer for the global sample (None otherwise)
        "model_evaluations": expl.model_evaluations,
        "shap": {
            "additivity_max_abs_error": error,
            "base_value": expl.base_value,
            "mean_abs": {f: float(v) for f, v in zip(features, np.abs(expl.values).mean(axis=0), strict=True)},
            "mean_abs_reference": {f: float(v) for f, v in drift["reference"].items()},
            "explanation_drift_spearman": drift_corr,
        },
        "model_importance": _plain(own),
        "local": {
            rid: {
                "shap": {f: float(v) for f, v in shap_rows[rid].items()},
                "lime": lime_rows[rid],
                "agreement": agreement[rid],
            }
            for rid in local_ids
        },
        "lime_stability": stability,
        "shap_seed_rerun_max_abs_difference": seed_difference,
        "reason_codes": _reason_metrics(reasons),
        "counterfactuals": _cf_metrics(cfs),
    }
    extras = {
        "expl": expl,
        "importance": importance,
        "drift": drift,
        "shap_rows": shap_rows,
        "reasons": reasons,
        "cfs": cfs,
    }
    return metrics, extras


def _reason_metrics(reasons: dict[str, Any]) -> dict[str, Any]:
    if not reasons.get("applicable"):
        return reasons
    rc = reasons["result"]
    return {"applicable": True, **rc.to_dict()}


def _cf_metrics(cfs: dict[str, Any]) -> dict[str, Any]:
    if not cfs.get("applicable"):
        return cfs
    return {"applicable": True, **cfs["result"].to_dict()}


def analyse(ctx: Context) -> ExplainEvidence:
    params, inp, cfg = ctx.params, ctx.inputs, ctx.params.explainability
    settings = {
        "seed": params.seed,
        "background_size": cfg.background_size,
        "sample_size": cfg.sample_size,
        "additivity_tolerance": cfg.additivity_tolerance,
        "top_k": cfg.top_k,
        "lime_samples": cfg.lime_samples,
        "lime_seeds": cfg.lime_seeds,
        **(
            {"operating_point": alerts.operating_text(params.policy)}
            if params.model_kind.alerting
            else {"cutoff": params.policy.cutoff}
        ),
        "output_space": "log-odds (SHAP); probability (LIME)",
        "reason_rule": "top_k features with the largest positive SHAP values among "
        + (
            "alerted cases (score at or above the alert threshold)"
            if params.model_kind.alerting
            else "declined applications (PD > cutoff)"
        ),
    }
    models = _models(ctx)
    if not models:
        reason = "scores-only mode: explanations need the model as an artifact (model.artifact, challenger.artifact)"
        evidence = ExplainEvidence(
            applicable=False, reason=reason, settings=settings, names=Dictionary.from_params(params)
        )
        return replace(evidence, findings=findings.evidence_findings(evidence, cfg))
    rng = np.random.default_rng(params.seed)
    features = list(inp.features)
    ids = (
        inp.current[params.data.id].astype(str).to_numpy()
        if params.data.id
        else np.arange(len(inp.current)).astype(str)
    )
    ref_ids = np.arange(len(inp.reference))
    background = inp.reference.iloc[
        np.sort(rng.choice(len(inp.reference), min(cfg.background_size, len(inp.reference)), replace=False))
    ][features]
    pick = np.sort(rng.choice(len(inp.current), min(cfg.sample_size, len(inp.current)), replace=False))
    sample = inp.current.iloc[pick][features].set_axis(ids[pick])
    sample_target = None
    if inp.current_target is not None:
        y = np.asarray(inp.current_target, dtype=float)[pick]
        sample_target = y if np.isfinite(y).all() and np.unique(y).size == 2 else None
    ref_pick = np.sort(rng.choice(ref_ids, min(cfg.sample_size, len(ref_ids)), replace=False))
    ref_sample = inp.reference.iloc[ref_pick][features]
    evidence_models, shap_by_model, local, reasons, cfs, frames = {}, {}, {}, {}, {}, {}
    for name, model in models.items():
        scores = inp.current_score if name == "champion" else inp.challenger_score
        cut = decision_cut(ctx, scores)
        rows = _local_rows(ctx, np.asarray(scores), ids, cut)
        local_ids = [str(ids[i]) for i in rows]
        local_rows = inp.current.iloc[rows][features]
        metrics, extras = _explain_model(
            ctx, name, model, background, sample, ref_sample, local_rows, local_ids, sample_target, cut
        )
        metrics["explainer_note"] = (
            f"{extras['expl'].explainer} on the {extras['expl'].estimator}, values in {extras['expl'].output_space}"
        )
        evidence_models[name] = metrics
        shap_by_model[name] = extras["expl"]
        local[name] = {"ids": local_ids, "shap": extras["shap_rows"]}
        reasons[name], cfs[name] = extras["reasons"], extras["cfs"]
        frames[f"{name}_importance"] = extras["importance"]
        frames[f"{name}_drift"] = extras["drift"]
        frames[f"{name}_sample"] = sample
    evidence = ExplainEvidence(
        applicable=True,
        reason=None,
        models=evidence_models,
        shap=shap_by_model,
        local=local,
        reasons=reasons,
        counterfactuals=cfs,
        frames=frames,
        settings=settings,
        names=Dictionary.from_params(params),
        steps={f: data_step(pd.to_numeric(inp.reference[f], errors="coerce")) for f in cfg.actionable},
    )
    return replace(evidence, findings=findings.evidence_findings(evidence, cfg))
