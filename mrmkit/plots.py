"""matplotlib figures from results: no statistics here, only drawing what :mod:`mrmkit.stats` computed."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure

__all__ = ["psi_by_feature", "distribution", "psi_heatmap", "STATUS_COLOURS"]

STATUS_COLOURS = {"green": "#3a9a4d", "amber": "#e0a030", "red": "#c8423b", "n/a": "#9aa3ab"}


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
    ax.legend(loc="lower right", fontsize=8)
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
    """Reference against current (and the latest window): category shares, or densities on common bins."""
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
            ax.hist(np.clip(ref, lo, hi), bins=edges, density=True, histtype="step", linewidth=1.6, label="reference")
            ax.hist(np.clip(cur, lo, hi), bins=edges, density=True, histtype="step", linewidth=1.6, label="current")
            if latest is not None:
                last = pd.to_numeric(latest[1], errors="coerce").dropna().to_numpy(dtype=float)
                ax.hist(
                    np.clip(last, lo, hi),
                    bins=edges,
                    density=True,
                    histtype="step",
                    linewidth=1.2,
                    linestyle="--",
                    color="#c8423b",
                    label=f"latest window {latest[0]}",
                )
        ax.set_ylabel("density (tails clipped at 0.5%)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def psi_heatmap(table: pd.DataFrame, amber: float, red: float, columns: Sequence[str] | None = None) -> Figure:
    """Windows (columns) by features (rows), cells coloured by PSI status and annotated with the value."""
    data = table if columns is None else table[list(columns)]
    data = data.T  # features as rows
    fig = Figure(figsize=(1.2 + 0.75 * data.shape[1], max(3.0, 0.26 * data.shape[0] + 1.2)))
    ax = fig.subplots()
    cmap = ListedColormap([STATUS_COLOURS["green"], STATUS_COLOURS["amber"], STATUS_COLOURS["red"]])
    norm = BoundaryNorm(
        [0, amber, red, max(red * 10, float(np.nanmax(data.to_numpy(dtype=float), initial=red)) + 1)], cmap.N
    )
    ax.imshow(data.to_numpy(dtype=float), aspect="auto", cmap=cmap, norm=norm)
    ax.set_xticks(range(data.shape[1]), [str(c) for c in data.columns], rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(data.shape[0]), [str(i) for i in data.index], fontsize=8)
    for (i, j), value in np.ndenumerate(data.to_numpy(dtype=float)):
        if np.isfinite(value):
            ax.text(
                j, i, f"{value:.2f}", ha="center", va="center", fontsize=6.5, color="white" if value >= red else "black"
            )
    ax.set_title(f"PSI per monitoring window (amber from {amber:g}, red from {red:g})", fontsize=10)
    fig.tight_layout()
    return fig
