"""Figures of the clustering step: elbow, silhouette by k, per-customer silhouettes, dendrogram.

Figures are built with the object API (``matplotlib.figure.Figure``), so no global pyplot state is
touched; the caller saves them.
"""

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from scipy.cluster.hierarchy import dendrogram

from customer_segmentation.core.clustering.hierarchy import Hierarchy

CHOSEN_COLOUR = "tab:red"
KNEE_COLOUR = "tab:orange"


def elbow_figure(table: pd.DataFrame, decision: dict) -> Figure:
    """WCSS of the hierarchy's partition against k, with the knee and the chosen k marked."""
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.subplots()
    ax.plot(table["k"], table["wcss"], marker="o", color="tab:blue", label="WCSS")
    knee = decision["knee_k"]
    if knee is not None:
        knee_wcss = table.loc[table["k"] == knee, "wcss"].iloc[0]
        ax.scatter(
            [knee],
            [knee_wcss],
            s=160,
            facecolors="none",
            edgecolors=KNEE_COLOUR,
            linewidths=2,
            zorder=3,
            label=f"knee (kneed): k={knee}",
        )
    ax.axvline(
        decision["chosen_k"],
        color=CHOSEN_COLOUR,
        linestyle="--",
        label=f"chosen: k={decision['chosen_k']} ({decision['rule']} rule)",
    )
    ax.set_title("Elbow curve of the agglomerative partition")
    ax.set_xlabel("Number of segments k")
    ax.set_ylabel("Within-cluster sum of squares\n(squared standardised units)")
    ax.set_xticks(table["k"])
    ax.legend()
    ax.grid(alpha=0.3)
    return fig


def silhouette_by_k_figure(table: pd.DataFrame, decision: dict, sample_size: int) -> Figure:
    """Mean silhouette against k, with the best and the chosen k marked."""
    fig = Figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.subplots()
    ax.plot(table["k"], table["silhouette"], marker="o", color="tab:green", label="silhouette")
    best = decision["best_silhouette_k"]
    ax.scatter(
        [best],
        [decision["best_silhouette"]],
        s=160,
        facecolors="none",
        edgecolors="tab:purple",
        linewidths=2,
        zorder=3,
        label=f"best: k={best}",
    )
    ax.axvline(
        decision["chosen_k"],
        color=CHOSEN_COLOUR,
        linestyle="--",
        label=f"chosen: k={decision['chosen_k']}",
    )
    ax.set_title(f"Mean silhouette by k (same sample of up to {sample_size:,} customers)")
    ax.set_xlabel("Number of segments k")
    ax.set_ylabel("Mean silhouette coefficient (-1 to 1)")
    ax.set_xticks(table["k"])
    ax.legend()
    ax.grid(alpha=0.3)
    return fig


def silhouette_samples_figure(values: np.ndarray, segments: np.ndarray) -> Figure:
    """Per-customer silhouettes grouped by segment, sorted within each, with the mean marked."""
    fig = Figure(figsize=(7, 6), layout="constrained")
    ax = fig.subplots()
    numbers = np.unique(segments)
    colours = [f"C{index % 10}" for index in range(len(numbers))]
    gap = max(len(values) // 50, 1)
    bottom = 0
    for number, colour in zip(numbers, colours, strict=True):
        segment_values = np.sort(values[segments == number])
        rows = np.arange(bottom, bottom + len(segment_values))
        ax.fill_betweenx(rows, 0, segment_values, color=colour, alpha=0.8, linewidth=0)
        ax.text(
            -0.02,
            bottom + len(segment_values) / 2,
            f"{number}",
            ha="right",
            va="center",
            transform=ax.get_yaxis_transform(),
        )
        bottom += len(segment_values) + gap
    mean = float(values.mean())
    ax.axvline(mean, color=CHOSEN_COLOUR, linestyle="--", label=f"mean: {mean:.3f}")
    ax.set_title(
        f"Silhouette of each sampled customer, k={len(numbers)} ({len(values):,} customers)"
    )
    ax.set_xlabel("Silhouette coefficient (-1 to 1)")
    ax.set_ylabel("Customers, grouped by segment (label at left)", labelpad=18)
    ax.set_yticks([])
    ax.legend(loc="lower right")
    return fig


def _leaf_count_linkage(linkage: np.ndarray) -> np.ndarray:
    """The linkage with column 3 holding leaf counts, as scipy's dendrogram requires."""
    n_leaves = len(linkage) + 1
    leaves = np.ones(2 * n_leaves - 1)
    for step, (left, right) in enumerate(linkage[:, :2].astype(np.intp)):
        leaves[n_leaves + step] = leaves[left] + leaves[right]
    counted = linkage.copy()
    counted[:, 3] = leaves[n_leaves:]
    return counted


def _customers_per_node(hierarchy: Hierarchy) -> np.ndarray:
    """Customers under every tree node (leaves: 1, or the micro-cluster size)."""
    n_leaves = hierarchy.n_leaves
    if hierarchy.leaf_of_row is None:
        leaf_customers = np.ones(n_leaves, dtype=np.int64)
    else:
        leaf_customers = np.bincount(hierarchy.leaf_of_row, minlength=n_leaves)
    return np.concatenate([leaf_customers, hierarchy.linkage[:, 3].astype(np.int64)])


def dendrogram_figure(hierarchy: Hierarchy, chosen_k: int, levels: int) -> Figure:
    """Top of the tree (last merges down to ``levels`` clusters) with the cut at k marked."""
    fig = Figure(figsize=(10, 5.5), layout="constrained")
    ax = fig.subplots()
    heights = hierarchy.linkage[:, 2]
    merges_made = hierarchy.n_leaves - chosen_k
    # Cut halfway between the last merge made and the first one undone at k clusters.
    below = heights[merges_made - 1] if merges_made > 0 else 0.0
    cut = (below + heights[merges_made]) / 2
    customers = _customers_per_node(hierarchy)
    dendrogram(
        _leaf_count_linkage(hierarchy.linkage),
        truncate_mode="lastp",
        p=min(levels, hierarchy.n_leaves),
        ax=ax,
        color_threshold=cut,
        above_threshold_color="grey",
        leaf_label_func=lambda node: f"({customers[node]:,})",
        leaf_rotation=90,
        leaf_font_size=8,
    )
    ax.axhline(cut, color=CHOSEN_COLOUR, linestyle="--", label=f"cut: k={chosen_k}")
    leaves = "micro-clusters" if hierarchy.leaf_of_row is not None else "customers"
    ax.set_title(
        f"Dendrogram, top {levels} clusters ({hierarchy.method} linkage, "
        f"{hierarchy.path.replace('_', '-')} path)"
    )
    ax.set_xlabel(f"Clusters of the truncated tree (number of customers; leaves are {leaves})")
    unit = "sqrt(2 x WCSS increase)" if hierarchy.method == "ward" else "linkage distance"
    ax.set_ylabel(f"Merge height ({unit},\nstandardised units)")
    ax.legend()
    return fig
