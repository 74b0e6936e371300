"""The champion-challenger workbook's entry points: :func:`preflight` (the input checks) and :func:`analyse`.

:func:`analyse` runs the analysis families on the context (:mod:`.analysis_offline`: the paired comparison
on the current sample and fairness; :mod:`.analysis_online`: the shadow-scoring and A/B logs), judges
their evidence with the rules of :mod:`.findings` and returns one frozen :class:`ChallengerEvidence`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from mrmkit import kinds
from mrmkit.errors import InvalidInput, InvalidParameters
from mrmkit.text.labels import Dictionary
from mrmkit.workbooks import alerts
from mrmkit.workbooks.champion_challenger import decision as rules
from mrmkit.workbooks.champion_challenger import findings as judge
from mrmkit.workbooks.champion_challenger import tables
from mrmkit.workbooks.champion_challenger.analysis_offline import _fairness, _offline
from mrmkit.workbooks.champion_challenger.analysis_online import _ab, _read_log, _shadow, ab_decisions
from mrmkit.workbooks.common import loss_settings
from mrmkit.workbooks.context import Context

__all__ = ["ChallengerEvidence", "analyse", "preflight"]


@dataclass(frozen=True)
class ChallengerEvidence:
    """Everything the champion-challenger workbook reports.

    ``findings`` are about the champion, the model under validation, and set its rating; the decision
    (``recommendation``, ``reason``, ``rules``) and its ``concerns`` are about the proposed change and never do.
    """

    decision: dict[str, Any]
    offline: dict[str, Any]
    shadow: dict[str, Any] | None
    ab: dict[str, Any] | None
    fairness: dict[str, Any]
    findings: list[dict[str, Any]] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    # how the report names the data's columns and writes amounts (not recorded in metrics.json)
    names: Dictionary = field(default_factory=Dictionary)
    currency: str | None = None

    def metrics(self) -> dict[str, Any]:
        """The workbook's entry in ``metrics.json`` (made in :mod:`.tables`)."""
        return tables.metrics(self)


def preflight(params: Any, inputs: Any) -> None:
    """Check the challenger and the logs before any notebook runs (bad input is exit code 2)."""
    cc = params.champion_challenger
    scores = inputs.challenger_score
    if np.isnan(scores).all():
        raise InvalidInput(f"challenger.score: no application of {params.data.current} has a challenger score.")
    if params.policy.cutoff is None and not params.model_kind.alerting:
        raise InvalidInput("policy.cutoff: the champion-challenger comparison needs the PD cut-off of the decision.")
    for attribute, reference in cc.fairness.reference_groups.items():
        if attribute not in params.data.protected:
            raise InvalidParameters(
                f"champion_challenger.fairness.reference_groups: {attribute!r} is not a protected attribute "
                f"(data.protected: {', '.join(params.data.protected) or 'none'})."
            )
        groups = set(inputs.current[attribute].astype("string").dropna())
        if reference not in groups:
            raise InvalidParameters(
                f"champion_challenger.fairness.reference_groups.{attribute}: group {reference!r} does not occur in "
                f"{params.data.current}; its groups are {', '.join(sorted(groups))}."
            )
    if cc.shadow is not None:
        s = cc.shadow
        _read_log(
            s,
            [s.id, s.timestamp, s.champion_score, s.challenger_score, s.champion_latency, s.challenger_latency],
            "champion_challenger.shadow",
        )
    if cc.ab is not None:
        a = cc.ab
        frame = _read_log(a, [a.id, a.arm, a.decision, a.outcome, a.date, *a.guardrails], "champion_challenger.ab")
        arms = set(frame[a.arm].dropna().astype(str))
        if not arms <= {"champion", "challenger"} or len(arms) < 2:
            raise InvalidInput(
                f"champion_challenger.ab.arm: column {a.arm!r} in {a.data} must hold 'champion' and 'challenger'; found {sorted(arms)}."
            )
        decisions = set(frame[a.decision].dropna().astype(str))
        allowed = ab_decisions(params)
        if not decisions <= set(allowed):
            raise InvalidInput(
                f"champion_challenger.ab.decision: column {a.decision!r} in {a.data} must hold '{allowed[0]}' or "
                f"'{allowed[1]}'; found {sorted(decisions)[:5]}."
            )
        for arm in ("champion", "challenger"):
            observed = frame[a.arm] == arm  # a classifier's outcome is known for every case; a loan's once approved
            observed &= frame[a.decision] == allowed[0] if not params.model_kind.alerting else True
            if frame.loc[observed, a.outcome].notna().sum() == 0:
                raise InvalidInput(
                    f"champion_challenger.ab.outcome: the {arm} arm of {a.data} has no observed outcome."
                )
        for column in a.guardrails:
            values = pd.to_numeric(frame[column], errors="coerce")
            bad = int((values.isna() & frame[column].notna()).sum() + (~np.isfinite(values.dropna())).sum())
            if bad:
                raise InvalidInput(
                    f"champion_challenger.ab.guardrails: column {column!r} in {a.data} has {bad} "
                    "values that are not finite numbers."
                )


def analyse(ctx: Context) -> ChallengerEvidence:
    """Run every part of the champion-challenger workbook on the context, then judge it by the policy's rules."""
    params, inp = ctx.params, ctx.inputs
    champion = np.asarray(inp.current_score, dtype=float)
    challenger = inp.challenger_score
    offline, frames = _offline(ctx, champion, challenger)
    shadow, weekly = _shadow(ctx)
    ab = _ab(ctx)
    fairness = _fairness(ctx, champion, challenger)
    if weekly is not None:
        frames["shadow_weekly"] = weekly
    # findings are about the champion (the model under validation) and set its rating; concerns are about the
    # change, evidence of the decision that never sets the model's rating
    f_shadow = judge.shadow_findings(shadow, weekly, params.policy)
    c_shadow = judge.shadow_concerns(shadow, weekly, params.policy)
    if shadow is not None:
        shadow["flags"] = [f["title"] for f in [*f_shadow, *c_shadow]]  # the shadow section's flags, in its metrics
    concerns = [
        *judge.offline_concerns(offline),
        *c_shadow,
        *judge.ab_concerns(ab, params.champion_challenger.ab, params.policy, Dictionary.from_params(params)),
        *judge.fairness_concerns(fairness, params),
    ]
    decision = rules.decide(params, offline, fairness, concerns)
    settings = {
        **(
            {
                "operating_point": alerts.operating_text(params.policy),
                "comparison": "both models at the champion's "
                "alert rate; catch and false-positive rates by the exact McNemar test with Agresti-Min intervals",
            }
            if params.model_kind.alerting
            else {"cutoff": params.policy.cutoff}
        ),
        "n_bootstrap": params.champion_challenger.n_bootstrap,
        "seed": params.seed,
        "ci_level": params.champion_challenger.ci_level,
        **({} if params.model_kind.alerting else loss_settings(ctx)),
        "challenger_source": "artifact"
        if params.challenger.artifact is not None
        else f"column {params.challenger.score}",
        "rules": params.champion_challenger.rules.model_dump(exclude=_refused_rules(params.model.kind)),
        "decision_rule": rules.DECISION_RULE,
    }
    return ChallengerEvidence(
        decision=decision,
        offline=offline,
        shadow=shadow,
        ab=ab,
        fairness=fairness,
        findings=[*f_shadow, *judge.fairness_findings(fairness, params)],
        settings=settings,
        frames=frames,
        names=Dictionary.from_params(params),
        currency=params.model.currency,
    )


def _refused_rules(kind: str) -> set[str]:
    """The decision rules the model's kind refuses (a PD model has no alert-rate rules, and the reverse)."""
    prefix = "champion_challenger.rules."
    return {field.removeprefix(prefix) for field, _ in kinds.get(kind).refused if field.startswith(prefix)}
