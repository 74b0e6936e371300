"""matplotlib figures from results: no statistics here, only drawing what :mod:`mrmkit.stats` computed.

Every text on a figure is plain text: feature names, segments and grades come from the data, and matplotlib
would otherwise read ``$...$`` in them as mathematics (and fail the workbook on ``$\\frac{$`` or a lone
backslash). :func:`plain_text` turns mathtext off for every figure drawn in this process; importing this
module calls it, and so does the workbook session.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter


def plain_text() -> None:
    """Text from data reaches figures as it is: no mathtext (``$...$``), no TeX, for every figure from now on."""
    matplotlib.rcParams["text.parse_math"] = False
    matplotlib.rcParams["text.usetex"] = False


plain_text()

__all__ = ["psi_by_feature", "distribution", "psi_heatmap", "STATUS_COLOURS"]

STATUS_COLOURS = {
    "green": "#3a9a4d",
    "amber": "#e0a030",
    "red": "#c8423b",
    "n/a": "#9aa3ab",
    "not enough data": "#d9d9d9",
}


def psi_by_feature(psi: pd.Series, status: pd.Series, amber: float, red: float) -> Figure:
    """Horizontal bars of PSI per feature, coloured by status, with the threshold lines."""
    order = psi.sort_values()
    fig = Figure(figsize=(8, max(3.0, 0.24 * len(order) + 1)))
    ax = fig.subplots()
    ax.barh(order.index, order.to_numpy(), color=[STATUS_COLOURS.get(status[i], "#9aa3ab") for i in order.index])
    ax.axvline(amber, color=STATUS_COLOURS["amber"], linestyle="--", linewidth=1, label=f"amber {amber:g}")
    ax.axvline(red, color=STATUS_COLOURS["red"], linestyle="--", linewidth=1, label=f"red {red:g}")
    ax.set_xlabel("PSI (current against reference)")
    ax.tick_params(axis="y", labelsize=8)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8, frameon=False)  # outside: never over a bar
    ax.set_title("Population stability index by feature")
    fig.tight_layout()
    return fig


def distribution(
    reference: pd.Series,
    current: pd.Series,
    name: str,
    categorical: bool,
    psi: float | None = None,
    latest: tuple[str, pd.Series] | None = None,
) -> Figure:
    """Reference against current (and the latest window): the share of rows in each category, or in each of 40
    common bins of a numeric feature (tails clipped at 0.5%); ``name`` is the feature's label with its unit."""
    fig = Figure(figsize=(6, 3.2))
    ax = fig.subplots()
    title = name if psi is None else f"{name} (PSI {psi:.3f})"
    if categorical:
        series = [("reference", reference, "#4c72b0"), ("current", current, "#dd8452")]
        if latest is not None:
            series.append((f"latest window {latest[0]}", latest[1], "#c8423b"))
        shares = [s.astype("string").fillna("(missing)").value_counts(normalize=True) for _, s, _ in series]
        cats = sorted(set().union(*(s.index for s in shares)), key=str)
        x = np.arange(len(cats))
        width = 0.8 / len(series)
        for i, ((label, _, colour), share) in enumerate(zip(series, shares, strict=True)):
            offset = (i - (len(series) - 1) / 2) * width
            ax.bar(x + offset, share.reindex(cats, fill_value=0).to_numpy(), width=width, label=label, color=colour)
        ax.set_xticks(x, [str(c) for c in cats], rotation=30, ha="right", fontsize=8)
        ax.set_ylabel("share of rows")
    else:
        ref = pd.to_numeric(reference, errors="coerce").dropna().to_numpy(dtype=float)
        cur = pd.to_numeric(current, errors="coerce").dropna().to_numpy(dtype=float)
        both = np.concatenate([ref, cur])
        if both.size:
            lo, hi = np.quantile(both, [0.005, 0.995])
            if hi <= lo:
                lo, hi = both.min() - 0.5, both.max() + 0.5
            edges = np.linspace(lo, hi, 41)
            steps: list[tuple[np.ndarray, dict[str, Any]]] = [
                (ref, {"label": "reference"}),
                (cur, {"label": "current"}),
            ]
            if latest is not None:
                last = pd.to_numeric(latest[1], errors="coerce").dropna().to_numpy(dtype=float)
                dashed = {
                    "linewidth": 1.2,
                    "linestyle": "--",
                    "color": "#c8423b",
                    "label": f"latest window {latest[0]}",
                }
                steps.append((last, dashed))
            for values, style in steps:
                ax.hist(
                    np.clip(values, lo, hi),
                    bins=edges,
                    weights=_shares(values),
                    histtype="step",
                    **{"linewidth": 1.6, **style},
                )
        ax.set_ylabel("share of rows (tails clipped at 0.5%)")
        ax.set_xlabel(name)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)  # outside: never over the data
    fig.tight_layout()
    return fig


def _shares(values: np.ndarray) -> np.ndarray:
    """Histogram weights that make each bar the share of the sample's rows in its bin."""
    return np.full(values.shape, 1.0 / max(values.size, 1))


def psi_heatmap(
    table: pd.DataFrame,
    amber: float,
    red: float,
    columns: Sequence[str] | None = None,
    judged: Sequence[bool] | None = None,
) -> Figure:
    """Windows (columns) by features (rows), cells coloured by PSI status and annotated with the value.

    ``judged`` (one flag per window) draws the windows too small to be judged in grey: their PSI is shown
    but given no status.
    """
    data = table if columns is None else table[list(columns)]
    data = data.T  # features as rows
    values = data.to_numpy(dtype=float)
    shown = values.copy()
    if judged is not None:
        shown[:, ~np.asarray(judged, dtype=bool)] = np.nan
    fig = Figure(figsize=(1.2 + 0.75 * data.shape[1], max(3.0, 0.26 * data.shape[0] + 1.2)))
    ax = fig.subplots()
    cmap = ListedColormap([STATUS_COLOURS["green"], STATUS_COLOURS["amber"], STATUS_COLOURS["red"]]).with_extremes(
        bad=STATUS_COLOURS["not enough data"]
    )
    norm = BoundaryNorm([0, amber, red, max(red * 10, float(np.nanmax(values, initial=red)) + 1)], cmap.N)
    ax.imshow(np.ma.masked_invalid(shown), aspect="auto", cmap=cmap, norm=norm)
    ax.set_xticks(range(data.shape[1]), [str(c) for c in data.columns], rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(data.shape[0]), [str(i) for i in data.index], fontsize=8)
    for (i, j), value in np.ndenumerate(values):
        if np.isfinite(value):
            dark = np.isfinite(shown[i, j]) and value >= red
            ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=6.5, color="white" if dark else "black")
    title = f"PSI per monitoring window (amber from {amber:g}, red from {red:g})"
    if judged is not None and not all(judged):
        title += "; grey: too few rows to judge"
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


# --- backtest ------------------------------------------------------------------------------------


def _curve_points(y: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shares of all rows, of positives and of negatives at or above each distinct score (for drawing)."""
    order = np.argsort(-np.asarray(score, dtype=float), kind="stable")
    s, yy = np.asarray(score, dtype=float)[order], np.asarray(y)[order]
    last = np.r_[np.flatnonzero(np.diff(s) != 0), s.size - 1]  # last row of each tie group
    tp = np.cumsum(yy)[last]
    fp = (last + 1) - tp
    share = (last + 1) / s.size
    return np.r_[0, share], np.r_[0, tp / max(yy.sum(), 1)], np.r_[0, fp / max((1 - yy).sum(), 1)]


def units(vocabulary: Any) -> dict[str, str]:
    """The words for the cases and the events of a model kind (its :class:`mrmkit.kinds.Vocabulary`), for axis
    labels."""
    return {"cases": vocabulary.units, "events": vocabulary.events}


def roc_and_cap(
    curves: dict[str, tuple[np.ndarray, np.ndarray]], cases: str = "applications", events: str = "defaults"
) -> Figure:
    """ROC and CAP (cumulative accuracy profile) curves of each labelled sample (``cases``, ``events``: axis words)."""
    fig = Figure(figsize=(9, 4))
    roc, cap = fig.subplots(1, 2)
    for label, (y, score) in curves.items():
        share, tpr, fpr = _curve_points(y, score)
        roc.plot(fpr, tpr, label=label, linewidth=1.4)
        cap.plot(share, tpr, label=label, linewidth=1.4)
    roc.plot([0, 1], [0, 1], color="#999", linewidth=0.8, linestyle=":")
    cap.plot([0, 1], [0, 1], color="#999", linewidth=0.8, linestyle=":")
    roc.set(xlabel="false positive rate", ylabel="true positive rate", title="ROC")
    cap.set(xlabel=f"share of {cases} (riskiest first)", ylabel=f"share of {events}", title="CAP")
    roc.legend(fontsize=8)
    fig.tight_layout()
    return fig


def precision_recall(curves: dict[str, tuple[Any, dict[str, Any]]]) -> Figure:
    """Precision against recall (catch rate) of each labelled sample, its operating point marked."""
    fig = Figure(figsize=(6.5, 4))
    ax = fig.subplots()
    for label, (curve, point) in curves.items():
        line = ax.step(
            curve.recall,
            curve.precision,
            where="post",
            linewidth=1.4,
            label=f"{label} (average precision {curve.average_precision:.3f})",
        )[0]
        ax.scatter([point["recall"]], [point["precision"]], color=line.get_color(), zorder=3, s=28)
    ax.set(
        xlabel="recall (share of events caught)",
        ylabel="precision (share of alerts that are events)",
        title="Precision-recall; dots: the operating point",
        xlim=(0, 1),
        ylim=(0, 1.02),
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def calibration_chart(table: pd.DataFrame) -> Figure:
    """Observed default rate with its Jeffreys interval against the mean PD, per grade (log scale)."""
    fig = Figure(figsize=(7, 3.6))
    ax = fig.subplots()
    t = table[table["n"] > 0]
    x = np.arange(len(t))
    rate = t["observed_rate"].to_numpy(dtype=float)
    err = np.vstack(
        [rate - t["jeffreys_ci_lower"].to_numpy(dtype=float), t["jeffreys_ci_upper"].to_numpy(dtype=float) - rate]
    )
    colours = [STATUS_COLOURS.get(s, "#555") for s in t["status"]]
    ax.errorbar(x, rate, yerr=np.clip(err, 0, None), fmt="none", ecolor="#555", capsize=3, linewidth=1)
    ax.scatter(x, rate, c=colours, zorder=3, label="observed default rate (Jeffreys 95% interval)")
    ax.plot(
        x,
        t["mean_pd"].to_numpy(dtype=float),
        marker="_",
        markersize=14,
        linestyle="none",
        color="#1f3b73",
        label="mean PD",
    )
    if (t["observed_rate"] > 0).all() and (t["mean_pd"] > 0).all():
        ax.set_yscale("log")
    ax.set_xticks(x, [str(g) for g in t.index])
    ax.set_xlabel("grade (best first)")
    ax.set_ylabel("default rate")
    for axis_formatter in (ax.yaxis.set_major_formatter, ax.yaxis.set_minor_formatter):  # a log axis labels minors
        axis_formatter(PercentFormatter(1.0))
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, frameon=False)
    ax.set_title("Calibration by grade (colour: Jeffreys test status)", fontsize=10)
    fig.tight_layout()
    return fig


def over_time(table: pd.DataFrame) -> Figure:
    """AUC and observed against predicted default rate per window; immature windows greyed."""
    fig = Figure(figsize=(9, 3.4))
    left, right = fig.subplots(1, 2)
    x = np.arange(len(table))
    mature = table["mature"].to_numpy(dtype=bool)
    left.plot(x, table["auc"].to_numpy(dtype=float), marker="o", color="#1f3b73")
    right.plot(
        x, table["observed_rate"].to_numpy(dtype=float), marker="o", label="observed default rate", color="#c8423b"
    )
    right.plot(x, table["mean_pd"].to_numpy(dtype=float), marker="s", label="mean PD", color="#1f3b73")
    for ax in (left, right):
        for i in np.flatnonzero(~mature):
            ax.axvspan(i - 0.5, i + 0.5, color="#ddd", zorder=0)
        ax.set_xticks(x, [str(i) for i in table.index], rotation=45, ha="right", fontsize=8)
    left.set_title("AUC per window (grey: immature, not tested)", fontsize=10)
    right.set_title("Observed and predicted default rate", fontsize=10)
    left.set_ylabel("AUC")
    right.set_ylabel("default rate")
    right.yaxis.set_major_formatter(PercentFormatter(1.0))
    right.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    fig.tight_layout()
    return fig


def var_timeline(series: pd.DataFrame, column: str, label: str | None = None, currency: str | None = None) -> Figure:
    """Daily P&L against minus VaR, exceptions marked; ``label`` names the VaR column, ``currency`` the P&L's."""
    label = label or column
    fig = Figure(figsize=(9, 3.2))
    ax = fig.subplots()
    dates = pd.to_datetime(series["date"])
    ax.bar(dates, series["pnl"], width=1.0, color="#9aa3ab", label="daily P&L")
    ax.plot(dates, -series[column], color="#1f3b73", linewidth=1.0, label=f"minus {label}")
    hits = series[f"{column}_exception"].to_numpy(dtype=bool)
    ax.scatter(dates[hits], series["pnl"][hits], color="#c8423b", s=14, zorder=3, label="exception")
    ax.set_ylabel(f"P&L ({currency})" if currency else "P&L")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)  # outside: never over the data
    ax.set_title(f"VaR backtest: {label} ({int(hits.sum())} exceptions)", fontsize=10)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def stress_chart(table: pd.DataFrame) -> Figure:
    """Mean PD and approval rate per stress scenario."""
    fig = Figure(figsize=(9, 3.4))
    left, right = fig.subplots(1, 2)
    names = [str(n) for n in table["scenario"]]
    left.barh(names, table["mean_pd"].to_numpy(dtype=float), color="#4c72b0")
    left.set_title("Mean PD", fontsize=10)
    left.xaxis.set_major_formatter(PercentFormatter(1.0))
    if "approval_rate" in table and table["approval_rate"].notna().any():
        right.barh(names, table["approval_rate"].to_numpy(dtype=float), color="#3a9a4d")
        right.set_title("Approval rate at the cut-off", fontsize=10)
        right.xaxis.set_major_formatter(PercentFormatter(1.0))
    else:
        right.set_axis_off()
    left.invert_yaxis()
    right.invert_yaxis()
    fig.tight_layout()
    return fig


def tornado(
    table: pd.DataFrame, up: str, down: str, label: str = "feature", top: int = 15, quantity: str = "mean PD"
) -> Figure:
    """Change in mean score for a + and - perturbation of each feature, largest first."""
    t = table.assign(_size=np.maximum(table[up].abs(), table[down].abs())).nlargest(top, "_size").iloc[::-1]
    fig = Figure(figsize=(7, max(2.5, 0.3 * len(t) + 1)))
    ax = fig.subplots()
    y = np.arange(len(t))
    ax.barh(y, t[up].to_numpy(dtype=float), color="#c8423b", label="feature up")
    ax.barh(y, t[down].to_numpy(dtype=float), color="#4c72b0", label="feature down")
    ax.set_yticks(y, [str(v) for v in t[label]], fontsize=8)
    ax.axvline(0, color="#333", linewidth=0.8)
    ax.set_xlabel(f"change in {quantity}")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    ax.set_title("Sensitivity (one at a time)", fontsize=10)
    fig.tight_layout()
    return fig


# --- champion and challenger -------------------------------------------------------------------


def shadow_weekly(weekly: pd.DataFrame, policy) -> Figure:
    """Weekly shadow coverage and decision agreement (share of requests), and each model's p99 latency, with the
    policy limits; legends below the plots, never over a line."""
    from matplotlib.ticker import PercentFormatter

    fig = Figure(figsize=(9, 4.0))
    left, right = fig.subplots(1, 2)
    x = np.arange(len(weekly))
    labels = [str(w).split("/")[0] for w in weekly.index]
    left.plot(x, weekly["coverage"].to_numpy(dtype=float), marker="o", label="coverage")
    left.plot(x, weekly["agreement"].to_numpy(dtype=float), marker="s", label="decision agreement")
    left.axhline(
        policy.shadow_coverage,
        color=STATUS_COLOURS["amber"],
        linestyle="--",
        linewidth=1,
        label=f"coverage minimum ({policy.shadow_coverage:.0%})",
    )
    left.axhline(
        policy.shadow_agreement,
        color=STATUS_COLOURS["amber"],
        linestyle=":",
        linewidth=1,
        label=f"agreement minimum ({policy.shadow_agreement:.0%})",
    )
    left.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    left.set_title("Coverage and agreement per week", fontsize=10)
    for model in ("champion", "challenger"):
        column = f"{model}_p99_ms"
        if column in weekly:
            right.plot(x, weekly[column].to_numpy(dtype=float), marker="o", label=model)
    right.axhline(
        policy.latency_p99_ms,
        color=STATUS_COLOURS["red"],
        linestyle="--",
        linewidth=1,
        label=f"policy limit ({policy.latency_p99_ms:g} ms)",
    )
    right.set_title("99th-percentile latency per week", fontsize=10)
    step = max(1, -(-len(x) // 8))  # at most 8 dated ticks, so the labels never overlap
    left.set_ylabel("share of requests", fontsize=9)
    right.set_ylabel("latency (milliseconds)", fontsize=9)
    for ax in (left, right):
        ax.set_xticks(x[::step], labels[::step], rotation=45, ha="right", fontsize=8)
        ax.set_xlabel("week starting", fontsize=9)
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.42), ncol=2, frameon=False)
    fig.tight_layout()
    return fig


# --- explainability ------------------------------------------------------------------------------


def _named(names: Any) -> Any:
    """The label of a column: ``names`` is a data dictionary (``.label``), a mapping, or None (the name)."""
    if names is None:
        return str
    if hasattr(names, "label"):
        return names.label
    return lambda c: str(names.get(c, c))


def shap_bar(importance: pd.DataFrame, model: str, top: int = 15, names: Any = None) -> Figure:
    """Mean |SHAP| per feature (log-odds), largest at the top; features by their label (``names``)."""
    label = _named(names)
    t = importance.head(top).iloc[::-1]
    fig = Figure(figsize=(7, max(2.5, 0.3 * len(t) + 1)))
    ax = fig.subplots()
    ax.barh([label(f) for f in t["feature"]], t["mean_abs_shap"].to_numpy(dtype=float), color="#4c72b0")
    ax.set_xlabel("mean absolute SHAP value (log-odds)")
    ax.tick_params(axis="y", labelsize=9)
    ax.set_title(f"{model.capitalize()}: importance of each feature", fontsize=10)
    fig.tight_layout()
    return fig


def shap_beeswarm(explanation, sample: pd.DataFrame, model: str, top: int = 12, names: Any = None) -> Figure:
    """SHAP value of each explained row per feature, coloured by the feature's value (rank within the sample)."""
    label = _named(names)
    values = np.asarray(explanation.values, dtype=float)
    features = list(explanation.features)
    order = np.argsort(-np.abs(values).mean(axis=0), kind="stable")[:top][::-1]
    fig = Figure(figsize=(7.5, max(3.0, 0.38 * len(order) + 1.3)))
    ax = fig.subplots()
    jitter = np.random.default_rng(0).uniform(-0.3, 0.3, values.shape[0])  # drawing only, fixed
    points = None
    for row, j in enumerate(order):
        column = sample[features[j]]
        numeric = pd.to_numeric(column, errors="coerce")
        colour = numeric.rank(pct=True).to_numpy(dtype=float) if numeric.notna().any() else np.full(len(column), 0.5)
        points = ax.scatter(
            values[:, j],
            row + jitter,
            c=np.nan_to_num(colour, nan=0.5),
            cmap="coolwarm",
            s=4,
            alpha=0.6,
            vmin=0,
            vmax=1,
        )
    ax.set_yticks(range(len(order)), [label(features[j]) for j in order], fontsize=9)
    ax.axvline(0, color="#333", linewidth=0.8)
    ax.set_xlabel("SHAP value (log-odds; to the right: higher score)")
    ax.set_title(f"{model.capitalize()}: SHAP value of each case explained", fontsize=10)
    if points is not None:  # the colour scale beside the plot, never over the points
        bar = fig.colorbar(points, ax=ax, fraction=0.04, pad=0.02, ticks=[0, 1])
        bar.ax.set_yticklabels(["low", "high"], fontsize=8)
        bar.set_label("feature value (rank in the sample)", fontsize=8)
    fig.tight_layout()
    return fig


def shap_waterfall(
    contributions: pd.Series, row_id: str, model: str, top: int = 10, unit: str = "application", names: Any = None
) -> Figure:
    """One case's largest contributions as a cumulative waterfall (log-odds); ``unit`` names the case."""
    label = _named(names)
    c = contributions.reindex(contributions.abs().sort_values(ascending=False).index)
    shown, rest = c.iloc[:top], c.iloc[top:].sum()
    items = [(label(n), v) for n, v in shown.items()] + (
        [(f"{len(c) - top} other features", rest)] if len(c) > top else []
    )
    fig = Figure(figsize=(7, 0.34 * len(items) + 1.3))
    ax = fig.subplots()
    start = 0.0
    for i, (_, value) in enumerate(items):
        ax.barh(i, value, left=start, color=STATUS_COLOURS["red"] if value > 0 else "#4c72b0")
        start += value
    ax.set_yticks(range(len(items)), [str(n) for n, _ in items], fontsize=9)
    ax.invert_yaxis()
    ax.axvline(0, color="#333", linewidth=0.8)
    ax.set_xlabel("cumulative SHAP value from the base value (log-odds; red raises the score, blue lowers it)")
    ax.set_title(f"{model.capitalize()}: {unit} {row_id}", fontsize=10)
    fig.tight_layout()
    return fig


def shap_dependence(explanation, sample: pd.DataFrame, model: str, top: int = 3, names: Any = None) -> Figure:
    """SHAP value against the feature's value for the ``top`` most important features; each x axis is the
    feature's label with its unit (``names``: a data dictionary with ``with_unit``)."""
    label = names.with_unit if hasattr(names, "with_unit") else _named(names)
    values = np.asarray(explanation.values, dtype=float)
    features = list(explanation.features)
    order = np.argsort(-np.abs(values).mean(axis=0), kind="stable")[:top]
    fig = Figure(figsize=(3.4 * len(order), 3.2))
    axes = np.atleast_1d(fig.subplots(1, len(order)))
    for ax, j in zip(axes, order, strict=True):
        column = sample[features[j]]
        numeric = pd.to_numeric(column, errors="coerce")
        if numeric.notna().any() and not isinstance(column.dtype, pd.CategoricalDtype) and column.dtype != object:
            ax.scatter(numeric.to_numpy(dtype=float), values[:, j], s=4, alpha=0.5, color="#4c72b0")
        else:
            cats = column.astype("string").fillna("missing")
            labels = sorted(cats.unique())
            ax.scatter([labels.index(c) for c in cats], values[:, j], s=4, alpha=0.5, color="#4c72b0")
            ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right", fontsize=8)
        ax.axhline(0, color="#333", linewidth=0.6)
        ax.set_xlabel(label(features[j]), fontsize=9)
        ax.set_ylabel("SHAP value (log-odds)", fontsize=9)
    fig.suptitle(
        f"{model.capitalize()}: SHAP value against the feature's value, {len(order)} most important features",
        fontsize=10,
    )
    fig.tight_layout()
    return fig
