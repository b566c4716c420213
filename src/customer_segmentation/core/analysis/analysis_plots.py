"""Segment figures drawn from aggregates or a seeded sample, never from millions of points."""

import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure
from sklearn.decomposition import PCA

PALETTE = colormaps["tab10"].colors


def segment_color(segment: int) -> tuple:
    """The one colour of a segment in every figure."""
    return PALETTE[(int(segment) - 1) % len(PALETTE)]


def _short(label: str) -> str:
    """An axis label without its unit, for titles."""
    return label.split(" (", maxsplit=1)[0]


def segment_label(segment: int, names: Mapping[int, str]) -> str:
    return f"{segment}: {names.get(segment, f'segment {segment}')}"


def _centre_marker(ax, x: float, y: float, segment: int) -> None:
    """A segment's centre: a large cross in its colour (no text, so centres never clash)."""
    ax.scatter(
        x,
        y,
        s=220,
        marker="X",
        color=segment_color(segment),
        edgecolor="black",
        linewidth=1.2,
        zorder=3,
    )


def sizes_plot(profiles: pd.DataFrame, names: Mapping[int, str]) -> Figure:
    """Share of customers and of revenue per segment (horizontal bars, labelled); customers only
    for a table without spend."""
    table = profiles.loc[profiles["segment"] > 0].sort_values("segment", ascending=False)
    labels = [segment_label(s, names) for s in table["segment"]]
    revenue = "revenue_share" in table
    y = np.arange(len(table))
    figure = Figure(figsize=(9, 1.2 + 0.7 * len(table)))
    ax = figure.add_subplot()
    height = 0.38 if revenue else 0.6
    shares = ["customer_share", *(["revenue_share"] if revenue else [])]
    bars = [
        ax.barh(
            y + height / 2 if revenue else y,
            100 * table["customer_share"],
            height,
            color="#4c72b0",
            label="Customers",
        )
    ]
    if revenue:
        bars.append(
            ax.barh(
                y - height / 2,
                100 * table["revenue_share"],
                height,
                color="#dd8452",
                label="Revenue",
            )
        )
    for drawn in bars:
        ax.bar_label(drawn, fmt="%.0f%%", padding=3, fontsize=9)
    ax.set_yticks(y, labels)
    ax.set_xlabel(
        "Share of all customers / of all revenue (%)" if revenue else "Share of all customers (%)"
    )
    ax.set_ylabel("Segment")
    ax.set_xlim(0, min(100, 1.15 * 100 * table[shares].to_numpy().max()) + 5)
    ax.set_title("Segment sizes: customers and revenue" if revenue else "Segment sizes")
    # outside the axes: a bar can reach any length, and the legend must never hide its label
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    figure.tight_layout()
    return figure


def pca_plot(
    sample: np.ndarray,
    sample_segments: np.ndarray,
    segment_means: pd.DataFrame,
    names: Mapping[int, str],
    random_state: int,
) -> Figure:
    """Sampled customers on the first two principal components (PCA fitted on the sample).

    ``sample``: the sampled customers' model input (n, d) and ``sample_segments`` their
    segments; ``segment_means``: every segment's mean model input (one row per segment, d
    columns, of all customers). Segment centres are those means projected (PCA is linear),
    marked by number. A model input with a single column (or a single sampled customer) has one
    component: the customers are then drawn along it, spread vertically by a seeded jitter that
    carries no information.
    """
    components = min(2, sample.shape[1], len(sample))
    pca = PCA(n_components=components, random_state=random_state).fit(sample)
    points = _two_columns(pca.transform(sample), random_state)
    centres = _two_columns(pca.transform(segment_means.to_numpy()), None)
    figure = Figure(figsize=(8, 6))
    ax = figure.add_subplot()
    for segment in segment_means.index:  # the segments, sorted
        mask = sample_segments == segment
        ax.scatter(
            *points[mask].T,
            s=8,
            alpha=0.5,
            color=segment_color(segment),
            label=segment_label(segment, names),
        )
    for segment, (x, y) in zip(segment_means.index, centres, strict=True):
        _centre_marker(ax, x, y, segment)
    ratio = 100 * pca.explained_variance_ratio_
    ax.set_xlabel(f"Principal component 1 ({ratio[0]:.0f}% of variance, standardised units)")
    ax.set_ylabel(
        f"Principal component 2 ({ratio[1]:.0f}% of variance, standardised units)"
        if components == 2  # noqa: PLR2004 - the plot's two axes
        else "No second component (vertical spread: jitter only)"
    )
    ax.set_title(
        "Segments on the first two principal components\n"
        f"({len(sample):,} customers; crosses: segment centres)"
    )
    ax.legend(loc="best", fontsize=8, markerscale=2, frameon=True)
    figure.tight_layout()
    return figure


def _two_columns(points: np.ndarray, random_state: int | None) -> np.ndarray:
    """(n, 2) plot coordinates from (n, 1) or (n, 2) projections; a missing second axis is a
    seeded jitter (or 0 for centres, ``random_state=None``)."""
    if points.shape[1] == 2:  # noqa: PLR2004 - x and y
        return points
    rng = np.random.default_rng(random_state)
    second = np.zeros(len(points)) if random_state is None else rng.uniform(-0.5, 0.5, len(points))
    return np.column_stack([points[:, 0], second])


def scatter_plot(
    sample: pd.DataFrame,
    medians: pd.DataFrame,
    x: str,
    y: str,
    *,
    labels: Mapping[str, str],
    names: Mapping[int, str],
) -> Figure:
    """``y`` against ``x`` for sampled customers (``sample``: segment, x, y), with each
    segment's median (``medians``: one row per segment, of all customers) marked."""
    figure = Figure(figsize=(8, 6))
    ax = figure.add_subplot()
    for segment, part in sample.groupby("segment"):
        ax.scatter(
            part[x],
            part[y],
            s=8,
            alpha=0.5,
            color=segment_color(segment),
            label=segment_label(segment, names),
        )
    for segment, (mx, my) in medians.iterrows():
        _centre_marker(ax, mx, my, segment)
    ax.set_xlabel(labels.get(x, x))
    ax.set_ylabel(labels.get(y, y))
    ax.set_title(
        f"{_short(labels.get(y, y))} against {_short(labels.get(x, x)).lower()} "
        "(crosses: segment medians)"
    )
    ax.legend(loc="upper left", fontsize=8, markerscale=2)
    figure.tight_layout()
    return figure


def profile_heatmap(
    effects: pd.DataFrame, labels: Mapping[str, str], names: Mapping[int, str], color_limit: float
) -> Figure:
    """Segments x attributes coloured by Cohen's d against the rest (saturating at the limit)."""
    table = effects.pivot(index="segment", columns="attribute", values="effect_size")
    attributes = [a for a in labels if a in table.columns]
    table = table[attributes]
    limit = color_limit
    segment_labels = [segment_label(s, names) for s in table.index]
    # the segment names sit left of the cells: widen the figure by their length, not the cells
    label_width = 0.075 * max(len(label) for label in segment_labels)
    width = max(8.5, label_width + 0.75 * len(attributes) + 2.0)
    figure = Figure(figsize=(width, 2.4 + 0.55 * len(table)))
    ax = figure.add_subplot()
    image = ax.imshow(table.to_numpy(), cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
    for (i, j), value in np.ndenumerate(table.to_numpy()):
        ax.text(
            j,
            i,
            f"{value:+.1f}",
            ha="center",
            va="center",
            fontsize=8,
            color="white" if abs(value) > 0.6 * limit else "black",
        )
    ax.set_xticks(
        range(len(attributes)), [labels[a] for a in attributes], rotation=40, ha="right", fontsize=8
    )
    ax.set_yticks(range(len(table)), segment_labels, fontsize=9)
    ax.set_xlabel("Attribute")
    ax.set_ylabel("Segment")
    ax.set_title("Segment profiles: difference from the other customers (Cohen's d)")
    colorbar = figure.colorbar(image, ax=ax, fraction=0.03, pad=0.02)
    colorbar.set_label("Cohen's d (pooled SDs)")
    figure.tight_layout()
    return figure


def box_quantiles(percentiles: Sequence[float]) -> list[float]:
    """The quantiles a box needs (0..1): the lower whisker, the quartiles, the upper whisker;
    ``percentiles``: the whiskers' percentiles (0..100)."""
    low, high = (p / 100 for p in percentiles)
    return [low, 0.25, 0.5, 0.75, high]


def box_stats(quantiles: pd.DataFrame, means: pd.Series) -> list[dict]:
    """Matplotlib's box statistics per segment, from quantiles of all customers (no raw points).

    ``quantiles``: one row per segment (index), the ``box_quantiles`` as columns, in order;
    ``means``: each segment's mean."""
    return [
        {
            "label": str(segment),
            "whislo": row[0],
            "q1": row[1],
            "med": row[2],
            "q3": row[3],
            "whishi": row[4],
            "mean": means[segment],
            "fliers": [],
        }
        for segment, row in zip(quantiles.index, quantiles.to_numpy(), strict=True)
    ]


def attribute_boxplots(
    stats: Mapping[str, list[dict]], labels: Mapping[str, str], percentiles: Sequence[float]
) -> Figure:
    """One panel per attribute (``stats``: attribute -> ``box_stats``, in panel order): boxes
    per segment (quartiles, whiskers at the given percentiles)."""
    attributes = list(stats)
    columns = 3
    rows = int(np.ceil(len(attributes) / columns))
    figure = Figure(figsize=(12, 3.4 * rows))
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    for ax, attribute in zip(axes, attributes, strict=False):
        boxes = ax.bxp(
            stats[attribute],
            showmeans=True,
            showfliers=False,
            patch_artist=True,
            medianprops={"color": "black", "linewidth": 1.5},
            meanprops={"marker": "^", "markerfacecolor": "white", "markeredgecolor": "black"},
        )
        for patch, item in zip(boxes["boxes"], stats[attribute], strict=True):
            patch.set_facecolor(segment_color(int(item["label"])))
            patch.set_alpha(0.7)
        ax.set_title(labels.get(attribute, attribute).split(" (")[0], fontsize=10)
        ax.set_xlabel("Segment")
        ax.set_ylabel(labels.get(attribute, attribute), fontsize=8)
    for ax in axes[len(attributes) :]:
        ax.set_visible(False)
    low, high = percentiles
    figure.suptitle(
        f"Main attributes by segment (boxes: quartiles; whiskers: {low:g}th-{high:g}th "
        "percentile; lines: medians; triangles: means)"
    )
    figure.tight_layout()
    return figure


def response_plot(profiles: pd.DataFrame, names: Mapping[int, str]) -> Figure:
    """Last-campaign response rate and earlier-campaign acceptance per segment, vs overall."""
    table = profiles.loc[profiles["segment"] > 0]
    overall = profiles.loc[profiles["segment"] == 0].iloc[0]
    x = np.arange(len(table))
    width = 0.38
    figure = Figure(figsize=(9, 5))
    ax = figure.add_subplot()
    measures = [
        ("response_rate", "Responded to last campaign", "#55a868"),
        ("campaign_acceptance_rate", "Accepted any earlier campaign", "#8172b3"),
    ]
    for offset, (column, label, color) in zip((-width / 2, width / 2), measures, strict=True):
        bars = ax.bar(x + offset, 100 * table[column], width, color=color, label=label)
        ax.bar_label(bars, fmt="%.0f%%", padding=2, fontsize=9)
        ax.axhline(
            100 * overall[column],
            color=color,
            linestyle="--",
            linewidth=1,
            label=f"{label}, all customers",
        )
    ax.set_xticks(
        x, [textwrap.fill(segment_label(s, names), 22) for s in table["segment"]], fontsize=8
    )
    ax.set_xlabel("Segment")
    ax.set_ylabel("Customers (%)")
    ax.set_ylim(0, 1.25 * 100 * table[[m[0] for m in measures]].to_numpy().max() + 1)
    ax.set_title("Campaign response by segment")
    ax.legend(fontsize=8, loc="upper left", ncol=2)
    figure.tight_layout()
    return figure
