"""``reports/index.html``: the validation report a model-risk committee and a regulator read.

Cover, executive summary (overall rating and findings), one section per workbook with its key figures and
first charts, the model card, the map from tests to supervisory expectations (and what this package
leaves unevidenced), the conventions and thresholds used, and an appendix of inputs and files. Plain HTML
with inline styles and print styles; every value from parameters or data is escaped; images are inline;
nothing is loaded from another host.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

import mrmkit
from mrmkit import sources
from mrmkit.evidence import schema
from mrmkit.params import Parameters
from mrmkit.policy import SEVERITY_ORDER, overall_rating
from mrmkit.present import style, summary
from mrmkit.present.render import CSP_META
from mrmkit.workbooks import alerts

__all__ = ["write_index", "overall_rating", "SEVERITY_ORDER", "EXPECTATIONS", "KIND_LABELS"]


_PD, _VAR, _CLASSIFIER = frozenset({"pd"}), frozenset({"var"}), frozenset({"classifier"})
_APPLICATIONS = _PD | _CLASSIFIER  # models scored on application or transaction data
#: Supervisory expectation -> (what evidences it, the workbook, the metrics key that must be present, and the
#: model kinds it applies to).
EXPECTATIONS: tuple[tuple[str, str, str, str, frozenset[str]], ...] = (
    (
        "SR 11-7 / SR 26-2: ongoing monitoring",
        "data quality, population stability and drift over time",
        "drift",
        "drift.summary",
        _APPLICATIONS,
    ),
    (
        "SR 11-7 / SR 26-2: outcomes analysis",
        "discrimination and calibration against observed defaults",
        "backtest",
        "backtest.pd.discrimination",
        _PD,
    ),
    (
        "SR 11-7 / SR 26-2: outcomes analysis",
        "AUC, and catch rate, false-positive rate, precision and cost at the operating point",
        "backtest",
        "backtest.classifier.operating_point",
        _CLASSIFIER,
    ),
    (
        "ECB PD backtesting (instructions for validation reporting, 2019)",
        "Jeffreys test per grade, current-against-initial AUC, concentration",
        "backtest",
        "backtest.pd.calibration",
        _PD,
    ),
    (
        "Basel VaR backtesting (1996 supervisory framework)",
        "traffic light, Kupiec, Christoffersen, conditional coverage",
        "backtest",
        "backtest.var.levels",
        _VAR,  # a trading book's P&L: not a PD model's evidence (issue 24)
    ),
    (
        "SR 11-7 / SR 26-2: sensitivity and stress testing",
        "stress scenarios and one-at-a-time sensitivity",
        "backtest",
        "backtest.stress.rows",
        _PD,
    ),
    (
        "SR 11-7 / SR 26-2: sensitivity testing",
        "one-at-a-time sensitivity of the score and the alerts",
        "backtest",
        "backtest.sensitivity.rows",
        _CLASSIFIER,
    ),
    (
        "SR 11-7 / SR 26-2: benchmarking",
        "champion against challenger on the same applications",
        "champion_challenger",
        "champion_challenger.delong",
        _PD,
    ),
    (
        "SR 11-7 / SR 26-2: benchmarking",
        "champion against challenger on the same cases at the same alert rate",
        "champion_challenger",
        "champion_challenger.alerts.catch_rate",
        _CLASSIFIER,
    ),
    (
        "SR 11-7 / SR 26-2: conceptual soundness",
        "drivers of the decisions (SHAP, LIME) and their stability",
        "explainability",
        "explainability.models",
        _APPLICATIONS,
    ),
    (
        "ECOA / Regulation B: adverse-action reasons",
        "reason codes of declined applications",
        "explainability",
        "explainability.models.*.reason_codes.reasons",
        _PD,
    ),
    (
        "Alert reasons for the reviewing analyst",
        "reason codes of alerted cases",
        "explainability",
        "explainability.models.*.reason_codes.reasons",
        _CLASSIFIER,
    ),
    (
        "Fair-lending screens (ECOA disparate impact)",
        "adverse impact ratio, four-fifths rule, parity differences",
        "champion_challenger",
        "champion_challenger.fairness.*.reference_group",
        _PD,
    ),
    (
        "Fairness of alerts (customer friction by protected group)",
        "four-fifths rule on the share not alerted, parity differences",
        "champion_challenger",
        "champion_challenger.fairness.*.reference_group",
        _CLASSIFIER,
    ),
    (
        "Expected-shortfall backtest (Acerbi and Szekely 2014)",
        "Z2 test of each ES series against its VaR",
        "backtest",
        "backtest.var.es.*.statistic",
        _VAR,  # a trading book's P&L: not a PD model's evidence (issue 24)
    ),
)
#: How each model kind is named in the model card.
KIND_LABELS = {
    "pd": "probability of default (application data)",
    "var": "market-risk VaR / ES engine (P&L, VaR and ES series)",
    "classifier": "binary alerting classifier (fraud-style), judged at its operating point",
}


def _rows(pairs: list[tuple[str, Any]]) -> str:
    return "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in pairs if v not in (None, ""))


def _registry_rows(inputs: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    """The cover's "Registry" rows: where each model in an MLflow registry came from (name, version, the alias it
    was asked by, run id, source), as the manifest records it; escaped by :func:`_rows` like every value."""
    rows = []
    for role, label in (("model.artifact", "Registry"), ("challenger.artifact", "Challenger registry")):
        meta = (inputs.get(role) or {}).get("registry")
        if not meta:
            continue
        if meta.get("name"):
            text = f"{meta['name']} version {meta.get('version')}"
            text += f" (alias {meta['alias']})" if meta.get("alias") else ""
        else:
            text = f"run artifact {meta.get('path')}"
        parts = [text, f"run id {meta.get('run_id')}"]
        if meta.get("source"):
            parts.append(f"source {meta['source']}")
        parts.append(f"tracking server {inputs[role].get('tracking_uri')}")
        rows.append((label, "; ".join(parts)))
    return rows


def _get(metrics: dict[str, Any], dotted: str) -> Any:
    """Value at a dotted key; ``*`` matches any key at that level (the first that has the rest)."""
    parts = dotted.split(".")

    def walk(node: Any, i: int) -> Any:
        if i == len(parts):
            return node
        if not isinstance(node, dict):
            return None
        if parts[i] == "*":
            for value in node.values():
                found = walk(value, i + 1)
                if found is not None:
                    return found
            return None
        return walk(node.get(parts[i]), i + 1)

    return walk(metrics, 0)


def _wb(metrics: dict[str, Any], workbook: str, dotted: str) -> Any:
    """:func:`_get` of a key of ``workbook``'s metrics; a key the schema does not declare is a KeyError."""
    schema.key(f"{workbook}.{dotted}", dotted_names=False)
    return _get(metrics, dotted)


def _fmt(value: Any, kind: str = "g") -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dict, list, tuple)):
        from mrmkit.workbooks.display import plain

        return str(plain(value))
    if isinstance(value, float):
        return {"pct": f"{value:.2%}", "p": f"{value:.3g}", "g": f"{value:.4g}"}[kind]
    return str(value)


def _key_figures(name: str, m: dict[str, Any], kind: str = "pd") -> list[tuple[str, str]]:
    """A few figures per workbook for the summary (the full evidence is in the workbook's report)."""
    if kind == "classifier" and name in ("backtest", "champion_challenger"):
        return _classifier_figures(name, m)
    if name == "drift":
        c = _wb(m, name, "summary.status_counts") or {}
        return [
            ("features compared", _fmt(_wb(m, name, "summary.n_features"))),
            ("PSI statuses (green / amber / red)", f"{c.get('green', 0)} / {c.get('amber', 0)} / {c.get('red', 0)}"),
            ("score PSI", _fmt(_wb(m, name, "score.psi"))),
            ("retraining signal", _fmt(_wb(m, name, "retraining.signal"))),
        ]
    if name == "backtest" and not _wb(m, name, "pd.applicable"):  # a VaR engine, or no outcomes: the VaR figures
        es = _wb(m, name, "var.es") or {}
        return [
            ("PD outcome analysis", _fmt(_wb(m, name, "pd.reason"))),
            ("VaR traffic light (primary level)", _fmt(_wb(m, name, "var.traffic_light.zone"))),
            ("Kupiec p, exact (primary level)", _fmt(_wb(m, name, "var.kupiec_pof.p_value_exact"), "p")),
            *(
                (f"ES {k}: Z2 (critical value)", f"{_fmt(v.get('statistic'))} ({_fmt(v.get('critical_value'))})")
                for k, v in es.items()
            ),
        ]
    if name == "backtest":
        return [
            ("AUC, mature current sample", _fmt(_wb(m, name, "pd.discrimination.current.auc"))),
            (
                "ECB AUC test p (H0: not deteriorated)",
                _fmt(_wb(m, name, "pd.discrimination.auc_initial_test.p_value"), "p"),
            ),
            ("Jeffreys p, whole portfolio", _fmt(_wb(m, name, "pd.calibration.portfolio_jeffreys.p_value"), "p")),
            ("Hosmer-Lemeshow p", _fmt(_wb(m, name, "pd.calibration.hosmer_lemeshow.p_value"), "p")),
            *(  # a P&L series given beside a PD model's data: its VaR figures, else none
                (
                    ("VaR traffic light (primary level)", _fmt(_wb(m, name, "var.traffic_light.zone"))),
                    ("Kupiec p, exact (primary level)", _fmt(_wb(m, name, "var.kupiec_pof.p_value_exact"), "p")),
                )
                if _wb(m, name, "var")
                else ()
            ),
        ]
    if name == "champion_challenger":
        return [
            ("recommendation", _fmt(_wb(m, name, "decision.recommendation"))),
            (
                "AUC champion / challenger",
                f"{_fmt(_wb(m, name, 'champion.auc.value'))} / {_fmt(_wb(m, name, 'challenger.auc.value'))}",
            ),
            ("paired DeLong p (two-sided)", _fmt(_wb(m, name, "delong.p_value"), "p")),
            ("shadow coverage", _fmt(_wb(m, name, "shadow.coverage"), "pct")),
        ]
    if name == "explainability":
        models = m.get("models") or {}
        return [
            ("explainers", ", ".join(f"{k}: {v.get('explainer')}" for k, v in models.items()) or "n/a"),
            ("largest SHAP additivity error (log-odds)", _fmt(_wb(m, name, "shap.additivity_max_abs_error"))),
            (
                "alerts given reason codes" if kind == "classifier" else "declines given reason codes",
                ", ".join(
                    f"{k}: {_fmt(_wb(v, 'explainability.models.*', 'reason_codes.n_rows'))}" for k, v in models.items()
                )
                or "n/a",
            ),
        ]
    return []


def _classifier_figures(name: str, m: dict[str, Any]) -> list[tuple[str, str]]:
    if name == "backtest":
        point = "classifier.operating_point"
        return [
            ("operating point", _fmt(_wb(m, name, f"{point}.rule"))),
            ("AUC, mature current sample", _fmt(_wb(m, name, "classifier.discrimination.current.auc"))),
            (
                "catch rate, reference / current",
                f"{_fmt(_wb(m, name, f'{point}.reference.recall'), 'pct')} / "
                f"{_fmt(_wb(m, name, f'{point}.current.recall'), 'pct')}",
            ),
            (
                "false-positive rate, reference / current",
                f"{_fmt(_wb(m, name, f'{point}.reference.false_positive_rate'), 'pct')} / "
                f"{_fmt(_wb(m, name, f'{point}.current.false_positive_rate'), 'pct')}",
            ),
            ("precision, current", _fmt(_wb(m, name, f"{point}.current.precision"), "pct")),
            ("expected cost per 1,000 cases, current", _fmt(_wb(m, name, f"{point}.current.expected_cost.per_1000"))),
        ]
    return [
        ("recommendation", _fmt(_wb(m, name, "decision.recommendation"))),
        (
            "catch rate champion / challenger (same alert rate)",
            f"{_fmt(_wb(m, name, 'alerts.catch_rate.rate_a'), 'pct')} / {_fmt(_wb(m, name, 'alerts.catch_rate.rate_b'), 'pct')}",
        ),
        (
            "false-positive rate champion / challenger",
            f"{_fmt(_wb(m, name, 'alerts.false_positive_rate.rate_a'), 'pct')} / {_fmt(_wb(m, name, 'alerts.false_positive_rate.rate_b'), 'pct')}",
        ),
        (
            "AUC champion / challenger",
            f"{_fmt(_wb(m, name, 'champion.auc.value'))} / {_fmt(_wb(m, name, 'challenger.auc.value'))}",
        ),
    ]


def _charts(notebook: Path, limit: int = 2) -> str:
    """The first PNG outputs of an executed notebook, inline."""
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    images = [
        o["data"]["image/png"]
        for c in nb.get("cells", [])
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
    ]
    alt = escape(f"Chart from the {notebook.stem.replace('_', ' ')} report")
    return "".join(
        f'<img alt="{alt}" src="data:image/png;base64,{escape("".join(i) if isinstance(i, list) else i)}">'
        for i in images[:limit]
    )


def write_index(
    path: Path,
    params: Parameters,
    identity: dict[str, Any],
    workbooks: dict[str, dict[str, Any]],
    findings: list[dict[str, Any]],
    metrics: dict[str, Any] | None = None,
    inputs: dict[str, dict[str, str]] | None = None,
    notebooks: Path | None = None,
) -> None:
    """Write the package's validation report."""
    from mrmkit.run.runner import WORKBOOK_TITLES

    metrics, inputs = metrics or {}, inputs or {}
    m = params.model
    failed = any(r["status"] == "failed" for r in workbooks.values())
    rating = overall_rating(findings, failed)
    counts = {s: sum(1 for f in findings if f.get("severity") == s) for s in ("red", "amber", "green")}
    title = f"Validation report: {m.name or m.id} {m.version}"
    recommendation = _get(metrics, "champion_challenger.decision.recommendation")
    recommendation_line = (
        f"<p><strong>Recommendation (champion and challenger):</strong> {escape(str(recommendation))}</p>"
        if recommendation
        else ""
    )

    sections = []
    for name, result in workbooks.items():
        label = WORKBOOK_TITLES.get(name, name)
        figures = _rows(_key_figures(name, metrics.get(name, {}), m.kind))
        charts = _charts(notebooks / f"{name}.ipynb") if notebooks else ""
        error = f"<p><strong>Error:</strong> {escape(result['error'])}</p>" if result.get("error") else ""
        sections.append(
            f'<h3>{escape(label)} {summary.badge(result["status"])}</h3>{error}<table class="identity">{figures}</table>'
            f'<div class="charts">{charts}</div><p><a href="{escape(name)}.html">Full evidence: {escape(label)} report</a></p>'
        )

    expectation_rows = []
    var_engine = m.kind == "var"
    for expectation, evidence, workbook, key, kinds in EXPECTATIONS:
        if m.kind not in kinds:
            continue
        ran = workbooks.get(workbook, {}).get("status") == "complete"
        present = ran and _get(metrics, key) is not None
        prefix = key.split(".")[0] if workbook == "drift" else ".".join(key.split(".")[:2])
        worst = min(
            (
                SEVERITY_ORDER[f["severity"]]
                for f in findings
                if f.get("severity") in ("red", "amber") and str(f.get("metric", "")).startswith(prefix)
            ),
            default=None,
        )
        if not present:
            status = '<span class="badge none">NOT EVIDENCED</span>'
        elif worst is None:
            status = '<span class="badge complete">EVIDENCED</span>'
        else:  # evidence exists, and it shows a problem: never a plain green badge beside a red finding
            severity = "red" if worst == 0 else "amber"
            status = f'<span class="badge {severity}">EVIDENCED, WITH {severity.upper()} FINDINGS</span>'
        where = (
            f'<a href="{escape(workbook)}.html">{escape(WORKBOOK_TITLES.get(workbook, workbook))}</a>'
            if present
            else ("workbook not run" if not ran else "not applicable in this run (see the workbook report)")
        )
        expectation_rows.append(
            f"<tr><td>{escape(expectation)}</td><td>{escape(evidence)}</td><td>{status}</td><td>{where}</td></tr>"
        )

    card = [
        ("Model kind", KIND_LABELS[m.kind]),
        ("Purpose", m.purpose),
        ("Intended use", m.intended_use),
        ("Data", m.data_description),
        ("Limitations", m.limitations),
        ("Owner", m.owner),
        ("Risk tier", m.risk_tier),
    ]
    if not var_engine:
        card += [
            ("Features", ", ".join(params.data.features or []) or "all non-reserved columns"),
            ("Protected attributes (never features)", ", ".join(params.data.protected)),
        ]
    card += _registry_rows(inputs)
    tags = ((inputs.get("model.artifact") or {}).get("registry") or {}).get("tags")
    card += [("Registry tags", ", ".join(f"{k}={v}" for k, v in sorted(tags.items())))] if tags else []
    model_card = _rows(card)
    if var_engine:
        series = params.backtest.var.data
        scores_from = "P&L, VaR and ES series " + (series.name if isinstance(series, Path) else "from a SQL query")
    else:
        scores_from = (
            f"model artifact {m.artifact if m.remote else m.artifact.name}"
            if m.artifact
            else f"column {params.data.score}"
        )
    p = params.policy
    rows = [
        (
            "PSI",
            f"reference deciles, right-closed, outer edges at ±infinity, empty shares 1e-4, missing values own bin; amber from {p.psi.amber:g}, red from {p.psi.red:g}",
        ),
        (
            "Retraining signal",
            f"PSI above {p.retraining.psi:g} on {p.retraining.min_features} or more features, or on the score (whole sample or latest window)",
        ),
        (
            "Outcome tests",
            f"one-sided where stated (H0: PD not underestimated; AUC not deteriorated); amber below p {p.p_value.amber:g}, red below {p.p_value.red:g}",
        ),
        ("Decision cut-off", "approve when PD <= " + (f"{p.cutoff:g}" if p.cutoff is not None else "(not given)")),
        ("Seed", params.seed),
        ("Full conventions", "README 'Statistical conventions'; each workbook report ends with its settings"),
    ]
    if var_engine:  # the PD conventions do not apply; the VaR and ES ones do
        rows = [
            (
                "VaR and ES tests",
                f"an exception is a day whose loss exceeds VaR (pnl < -VaR); Kupiec by its exact "
                f"p-value, Z2 one-sided (H0: ES not understated); amber below p {p.p_value.amber:g}, red below "
                f"{p.p_value.red:g}; at least {p.min_sample.var_days:,} days",
            ),
            *rows[-2:],
        ]
    if m.kind == "classifier":  # judged at an operating point, not at a PD cut-off
        costs = (
            f"; expected cost from policy.costs: false positive {p.costs.false_positive:g}, false negative "
            f"{p.costs.false_negative:g}, true positive {p.costs.true_positive:g} per case"
            if p.costs
            else ""
        )
        rows[2:4] = [
            ("Operating point", alerts.operating_text(p) + costs),
            (
                "Outcome tests",
                "catch rate and false-positive rate, current against reference, one-sided two-proportion "
                "z tests; champion against challenger at the same alert rate by the exact McNemar test; PD calibration "
                f"tests do not apply; amber below p {p.p_value.amber:g}, red below {p.p_value.red:g}",
            ),
        ]
    conventions = _rows(rows)
    input_rows = "".join(
        f"<tr><td>{escape(role)}</td><td><code>{escape(sources.describe(e))}</code></td><td><code>{escape(e['sha256'])}</code></td></tr>"
        for role, e in sorted(inputs.items())
    )
    cover = _rows(
        [
            ("Model id", m.id),
            ("Name", m.name),
            ("Version", m.version),
            ("Owner", m.owner),
            ("Risk tier", m.risk_tier),
            ("Run id", identity["run_id"]),
            ("Started (UTC)", str(identity["started"]).replace("T", " ").removesuffix("+00:00")),
            ("Run by", identity.get("user")),
            ("Status", identity["status"]),
            ("mrmkit version", mrmkit.__version__),
            ("Scores from" if not var_engine else "Evidence from", scores_from),
            *_registry_rows(inputs),
        ]
    )
    html = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">{CSP_META}<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title><style>{style.CSS}</style></head>
<body>
<h1>{escape(title)}</h1>
<table class="identity">{cover}</table>
<p class="muted">This package's manifest.json lists the sha256 of every file, this report included, and of every input;
<code>mrmkit verify</code> re-checks them and <code>mrmkit reproduce</code> reruns the workbooks from the recorded inputs.</p>
<h2 id="executive-summary">Executive summary</h2>
<p>Overall rating: {summary.badge(rating)} &nbsp; <span class="muted">{counts["red"]} red, {counts["amber"]} amber,
{counts["green"]} green finding{"" if counts["green"] == 1 else "s"}; the rating is the most severe finding.</span></p>
{recommendation_line}
{summary.conclusions(workbooks, findings, WORKBOOK_TITLES)}
<h3>Findings by severity</h3>
<p class="muted">Each workbook link opens the section of its report that holds the evidence.</p>
{summary.findings_by_severity(findings, WORKBOOK_TITLES)}
<h2>Workbooks</h2>
{"".join(sections)}
<h2>Model card</h2>
<table class="identity">{model_card}</table>
<h2>Supervisory expectations</h2>
<table><thead><tr><th>Expectation</th><th>Evidence</th><th>Status</th><th>Where</th></tr></thead>
<tbody>{"".join(expectation_rows)}</tbody></table>
<h2>Conventions and thresholds</h2>
<table class="identity">{conventions}</table>
{summary.sign_off(params.validation, str(identity["started"])[:10])}
<h2>Appendix: inputs</h2>
<table><thead><tr><th>Input</th><th>Path</th><th>sha256</th></tr></thead><tbody>{input_rows}</tbody></table>
</body></html>
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
