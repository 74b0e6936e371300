"""``reports/index.html``: the validation report a model-risk committee and a regulator read.

A DRAFT mark on every page until the validator's opinion and both sign-off dates are given, cover, document
control (:mod:`mrmkit.present.document`), executive summary (mrmkit's proposed rating beside the validator's
opinion, the limitations, one conclusion per workbook, findings by severity), one summary per workbook with
the key figures of the sections that ran and its first charts, the model card, the supervisory map of every
expectation of the kind (:mod:`mrmkit.present.supervisory`), the conventions of the sections that ran, the
sign-off, an appendix of the sections that did not run and why, and an appendix of inputs. Everything the report says of scope comes from :mod:`mrmkit.registry.scope`; the page
is the template ``templates/report/index.html.j2``, which escapes every value.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import mrmkit
from mrmkit import conclude, kinds, sources
from mrmkit.params import Parameters
from mrmkit.policy import finding_order
from mrmkit.present import captions, contents, document, glossary, keyfigures, style, summary, supervisory
from mrmkit.present.pages import render_page
from mrmkit.present.render import CSP_META
from mrmkit.registry import scope as scopes
from mrmkit.registry import workbooks
from mrmkit.registry.workbooks import metric
from mrmkit.text import labels, numbers

__all__ = ["write_index", "input_name", "inputs_appendix"]


def _registry_rows(inputs: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, str]]:
    """The cover's "Registry" rows: where each model in an MLflow registry came from (name, version, the alias it
    was asked by, run id, source), as the manifest records it."""
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
        parts.append(f"tracking server {sources.shown_path(str(inputs[role].get('tracking_uri')))}")
        rows.append((label, "; ".join(parts)))
    return rows


_FIGCAPTION = re.compile(r'<figcaption class="mrmkit-caption">(.*?)</figcaption>', re.S)


def _caption_of(output: Mapping[str, Any]) -> str:
    """The caption a workbook gave its figure (:func:`mrmkit.present.captions.captioned`), else ""."""
    page = output.get("data", {}).get("text/html") or ""
    found = _FIGCAPTION.search("".join(page) if isinstance(page, list) else page)
    return html.unescape(found.group(1)).strip() if found else ""


_HEADING = re.compile(r"^#{2,3}\s+(.+?)\s*$", re.M)


def _charts(notebook: Path, title: str, limit: int = 2) -> list[dict[str, str]]:
    """The first PNG outputs of an executed notebook, each with its caption (the workbook's own, else the
    section it is in), for the report's thumbnails."""
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    charts: list[dict[str, str]] = []
    section = ""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            source = "".join(cell.get("source") or [])
            headings = _HEADING.findall(source)
            section = headings[-1] if headings else section
            continue
        for o in cell.get("outputs", []):
            if "image/png" not in o.get("data", {}) or len(charts) == limit:
                continue
            image = o["data"]["image/png"]
            caption = _caption_of(o) or (
                f"{section}: a chart" if section else f"A chart of the {title.lower()} workbook"
            )
            charts.append(
                {
                    "alt": "Chart, described in its caption",  # the caption holds names from the data: text only
                    "caption": f"{caption.rstrip('.')} (from the {title.lower()} report).",
                    "data": "".join(image) if isinstance(image, list) else image,
                }
            )
    return charts


def _workbook_sections(
    results: Mapping[str, Mapping[str, Any]],
    metrics: Mapping[str, Any],
    scope: tuple[scopes.SectionScope, ...],
    kind: kinds.ModelKind,
    notebooks: Path | None,
    currency: str | None = None,
) -> list[dict[str, Any]]:
    out = []
    for name in [w for w in workbooks.names() if w in results]:
        ran = [s.id for s in scopes.ran(scope, name)]
        title = workbooks.get(name).title_for(kind)
        out.append(
            {
                "name": name,
                "title": title,
                "status": results[name]["status"],
                "error": results[name].get("error") or "",
                "figures": keyfigures.key_figures(ran, metrics.get(name) or {}, kind.vocabulary, currency),
                "charts": _charts(notebooks / f"{name}.ipynb", title) if notebooks else [],
            }
        )
    return out


#: One row of the supervisory map (kept under its former name for callers of this module).
_expectation = supervisory.expectation_row


def _decision(metrics: Mapping[str, Any], words: labels.Dictionary) -> dict[str, Any] | None:
    """The champion-challenger recommendation and its rules: a decision about a change, not an issue of the model."""
    decision = metric(metrics, "champion_challenger.decision")
    if not isinstance(decision, Mapping) or not decision.get("recommendation"):
        return None
    rules = [
        {k: summary.plain(str(v), words) if isinstance(v, str) else v for k, v in r.items()}
        for r in decision.get("rules") or []
        if isinstance(r, Mapping)
    ]
    concerns = [
        {
            k: summary.plain(v, words) if k in ("title", "detail", "threshold") and isinstance(v, str) else v
            for k, v in c.items()
        }
        for c in decision.get("concerns") or []
        if isinstance(c, Mapping)
    ]
    return {
        "recommendation": decision["recommendation"],
        "reason": summary.plain(str(decision.get("reason") or ""), words),
        "rules": rules,
        "concerns": sorted(concerns, key=finding_order),
    }


def _model_card(params: Parameters, kind: kinds.ModelKind, inputs: Mapping[str, Any]) -> list[tuple[str, Any]]:
    m = params.model
    card: list[tuple[str, Any]] = [
        ("Model kind", kind.label),
        ("Purpose", m.purpose),
        ("Intended use", m.intended_use),
        ("Data", m.data_description),
        ("Limitations", m.limitations),
        ("Owner", m.owner),
        ("Risk tier", m.risk_tier),
    ]
    if kind.scored_on_rows:
        words = labels.Dictionary.from_params(params)
        card += [
            ("Features", ", ".join(map(words.label, params.data.features or [])) or "all non-reserved columns"),
            ("Protected attributes (never features)", ", ".join(map(words.label, params.data.protected))),
        ]
    card += _registry_rows(inputs)
    tags = ((inputs.get("model.artifact") or {}).get("registry") or {}).get("tags")
    card += [("Registry tags", ", ".join(f"{k}={v}" for k, v in sorted(tags.items())))] if tags else []
    return card


def _evidence_from(params: Parameters, kind: kinds.ModelKind) -> tuple[str, str]:
    m = params.model
    if not kind.scored_on_rows:
        series = params.backtest.var.data
        return "Evidence from", "P&L, VaR and ES series " + (
            series.name if isinstance(series, Path) else "from a SQL query"
        )
    if m.artifact:
        return "Scores from", str(m.artifact) if m.remote else "the model's file (appendix: inputs)"
    return "Scores from", f"the column {labels.Dictionary.from_params(params).label(params.data.score)} of the data"


def _cover(params: Parameters, kind: kinds.ModelKind, identity: Mapping[str, Any], inputs: Any) -> list[Any]:
    m = params.model
    return [
        ("Model id", m.id),
        ("Name", m.name),
        ("Version", m.version),
        ("Owner", m.owner),
        ("Risk tier", m.risk_tier),
        ("Run id", identity["run_id"]),
        ("Started (UTC)", str(identity["started"]).replace("T", " ").removesuffix("+00:00")),
        ("Package status", identity["status"]),
        ("mrmkit version", mrmkit.__version__),
        _evidence_from(params, kind),
        *_registry_rows(inputs),
    ]


def write_index(
    path: Path,
    params: Parameters,
    identity: dict[str, Any],
    workbook_results: dict[str, dict[str, Any]],
    findings: list[dict[str, Any]],
    metrics: dict[str, Any] | None = None,
    inputs: dict[str, dict[str, Any]] | None = None,
    notebooks: Path | None = None,
    scope: Iterable[scopes.SectionScope] | None = None,
    issues: Iterable[conclude.Issue] | None = None,
    follow_up: list[dict[str, Any]] | None = None,
    signing_key: str | None = None,
    inventory: Any = None,
) -> None:
    """Write the package's validation report; ``scope`` is what ran (computed from the metrics if not given),
    ``issues`` the validation issues (built from the findings if not given), ``follow_up`` the remediation
    register's earlier issues as this validation found them (:func:`mrmkit.remediation.follow_up`),
    ``signing_key`` the fingerprint of the key that signs the package, ``inventory`` the model's inventory
    entry when the run has one (its last validation and frequency)."""
    metrics, inputs = metrics or {}, inputs or {}
    kind = kinds.get(params.model.kind)
    statuses = {name: r["status"] for name, r in workbook_results.items()}
    scope = tuple(scope) if scope is not None else scopes.package_scope(kind.name, statuses, metrics)
    ran_workbooks = {s.workbook for s in scopes.ran(scope)}
    failed = any(r["status"] == "failed" for r in workbook_results.values())
    issues = list(issues) if issues is not None else conclude.build(findings, metrics, kind)
    m = params.model
    validation = params.validation
    words = _words(params)
    expectations = supervisory.supervisory_map(kind, scope, findings, workbook_results, validation)
    status = document.document_status(validation)
    page = render_page(
        "index.html.j2",
        document_status=status,
        draft_reason=_draft_reason(validation),
        document_control=document.document_control(validation, signing_key, inventory),
        opinion=document.opinion(validation),
        limitations=document.limitations(validation, scope, workbook_results, kind, expectations),
        kind_noun=kind.noun,
        csp_meta=_markup(CSP_META),
        css=_markup(style.CSS),
        title=f"Validation report: {m.name or m.id} {m.version}",
        cover=_cover(params, kind, identity, inputs),
        rating=conclude.proposed_rating(issues, failed),
        counts={s: sum(1 for i in issues if i.severity == s) for s in ("high", "medium")},
        decision=_decision(metrics, words) if "champion_challenger" in ran_workbooks else None,
        conclusions=summary.conclusions(workbook_results, issues, scope, kind, words),
        issues=summary.issue_list(issues, kind, words),
        follow_up=[{**r, "title": summary.plain(str(r.get("title") or ""), words)} for r in follow_up or []],
        workbook_sections=_workbook_sections(workbook_results, metrics, scope, kind, notebooks, m.currency),
        model_card=_model_card(params, kind, inputs),
        expectations=expectations,
        conventions=keyfigures.conventions([s.id for s in scopes.ran(scope)], params),
        sign_off=summary.sign_off(params.validation, str(identity["started"])[:10]),
        not_run=[
            {"workbook": workbooks.get(s.workbook).title_for(kind), "section": s.title, "reason": s.reason}
            for s in scopes.left_out(scope)
        ],
        inputs=inputs_appendix(inputs, kind),
        columns=glossary.columns(params),
        terms=glossary.terms(s.id for s in scopes.ran(scope)),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(contents.add_contents(captions.number(page)), encoding="utf-8")


def _words(params: Parameters) -> labels.Dictionary:
    """How the report names the data's columns: the data dictionary, and a VaR engine's VaR and ES columns by
    their coverage ("var_99" is "99%", so "VaR var_99" reads "VaR 99%")."""
    words = labels.Dictionary.from_params(params)
    var = getattr(getattr(params, "backtest", None), "var", None)
    if var is None:
        return words
    coverage = {name: numbers.share(level).replace(".0%", "%") for name, level in var.levels.items()}
    coverage.update({name: coverage[level] for name, level in var.es.items() if level in coverage})
    return labels.Dictionary({**{k: {"label": v} for k, v in coverage.items()}, **words.entries})


def _draft_reason(validation: Any) -> str:
    """Why the document is a draft, in the words of what would make it final."""
    lacking = [
        words
        for words, given in (
            ("the validator's opinion", validation.opinion),
            ("the validator's sign-off date", validation.validated_on),
            ("the reviewer's sign-off date", validation.reviewed_on),
        )
        if not given
    ]
    return (
        "this validation report is not final: it lacks "
        + ", ".join(lacking)
        + " (the validation section of the parameter file)."
    )


#: What each input of a run is, in a reader's words (the parameter key stays in the manifest).
_INPUT_WORDS = {
    "parameters": "Parameter file",
    "data.reference": "Reference sample",
    "data.current": "Current sample",
    "data.database": "Database",
    "model.artifact": "Model (champion)",
    "challenger.artifact": "Challenger model",
    "champion_challenger.shadow.data": "Shadow-scoring log",
    "champion_challenger.ab.data": "A/B test log",
    "backtest.var.data": "P&L, VaR and ES series",
}


def input_name(role: str, kind: kinds.ModelKind) -> str:
    """An input's role in plain words: "Current sample", "Workbook: Explainability"."""
    if role in _INPUT_WORDS:
        return _INPUT_WORDS[role]
    head, _, workbook = role.partition(".")
    if head == "notebooks" and workbook in workbooks.names():
        return f"Workbook: {workbooks.get(workbook).title_for(kind)}"
    return labels.humanize(role)


def inputs_appendix(inputs: Mapping[str, Mapping[str, Any]], kind: kinds.ModelKind) -> list[tuple[str, str, str]]:
    """(what the input is, where it came from relative to the parameter file's folder, sha256) per input."""
    folder = (inputs.get("parameters") or {}).get("path")
    base = Path(str(folder)).parent if folder else None
    rows = [
        (input_name(role, kind), sources.describe(e, base), str(e.get("sha256") or "")) for role, e in inputs.items()
    ]
    return sorted(rows)


def _markup(text: str) -> Any:
    """mrmkit's own constant markup (the stylesheet, the security policy), which must not be escaped."""
    from markupsafe import Markup

    return Markup(text)
