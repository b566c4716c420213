"""Figures of the exploratory analysis, drawn from the aggregate tables of `core.eda.eda`.

Kedro-free. Every builder takes small aggregates (histogram bins, group rows, a correlation matrix),
never customer rows, so drawing costs the same at any data size. Figures are created with the object
API (`matplotlib.figure.Figure`), outside pyplot's figure registry, in one seaborn style.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import (
    FuncFormatter,
    LogLocator,
    MaxNLocator,
    NullFormatter,
    PercentFormatter,
    SymmetricalLogLocator,
)

MONEY = "monetary units"
CUSTOMERS = "Customers"
BAR_COLOUR = "#4C72B0"
ACCENT_COLOUR = "#C44E52"
SECOND_COLOUR = "#DD8452"
ACTION_PAST_TENSE = {"impute": "imputed", "cap": "capped", "reject": "rejected", "map": "mapped"}


@contextmanager
def _style():
    """The one look of every EDA figure (scoped: global rcParams are left alone)."""
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=0.9):
        yield


LOG_TICK_MULTIPLES = (1.0, 3.0)
SHORT_LABELS_FROM = 10_000


def _thousands(value: float, _position: int | None = None) -> str:
    """Tick label with a thousands separator: 12500 -> '12,500'."""
    return f"{value:,.0f}" if abs(value) >= 1 or value == 0 else f"{value:,.2g}"


def _short(value: float, _position: int | None = None) -> str:
    """Compact tick label for large amounts: 30000 -> '30k', 1500000 -> '1.5M'."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:g}{suffix}"
    return f"{value:g}"


def _plain(value: float, _position: int | None = None) -> str:
    """Tick label without separator (years, small amounts): 1950 -> '1950'."""
    return f"{value:.0f}" if abs(value) >= 1 or value == 0 else f"{value:.2g}"


def _format_counts(ax: Axes, axis: str = "y") -> None:
    """Integer counts with thousands separators on `axis`."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(FuncFormatter(_thousands))
    target.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10], integer=True))


def draw_histogram(ax: Axes, bins: pd.DataFrame, xlabel: str, title: str) -> None:
    """Draw one variable's rows of the histogram table on `ax` (continuous or count kind)."""
    counts = bins["count"].to_numpy()
    if (bins["kind"] == "count").all():
        positions = bins["bin_left"].to_numpy()
        ax.bar(positions, counts, width=0.85, color=BAR_COLOUR)
        step = max(1, math.ceil(len(positions) / 12))
        ax.set_xticks(positions[::step], bins["label"].to_numpy()[::step])
    else:
        edges = np.append(bins["bin_left"].to_numpy(), bins["bin_right"].to_numpy()[-1])
        ax.stairs(counts, edges, fill=True, color=BAR_COLOUR, alpha=0.85)
        if (bins["scale"] == "log").all():
            if edges[0] <= 0:
                # Zeros sit in a linear [0, 1) bin; above 1 the axis is logarithmic.
                ax.set_xscale("symlog", linthresh=1.0, linscale=0.5)
                ax.xaxis.set_major_locator(
                    SymmetricalLogLocator(linthresh=1.0, base=10, subs=LOG_TICK_MULTIPLES)
                )
            else:
                ax.set_xscale("log")
                ax.xaxis.set_major_locator(LogLocator(base=10, subs=LOG_TICK_MULTIPLES))
            ax.xaxis.set_minor_formatter(NullFormatter())
            xlabel = f"{xlabel}, log scale"
        ax.set_xlim(edges[0], edges[-1])
        # Large amounts read 30k/100k (short labels never collide); years read 1950, not 1,950.
        large = abs(edges[-1]) >= SHORT_LABELS_FROM
        ax.xaxis.set_major_formatter(FuncFormatter(_short if large else _plain))
    _format_counts(ax)
    # wrap: a label wider than its panel (grids of three) breaks at the figure's edge.
    ax.set_xlabel(xlabel, wrap=True)
    ax.set_ylabel(CUSTOMERS)
    ax.set_title(title)


def not_available_figure(title: str, missing: str) -> Figure:
    """A figure saying why it is empty: the table has no column of the role it needs (the file
    is still written, so every run has the same outputs; the report leaves it out)."""
    with _style():
        figure = Figure(figsize=(6, 2), layout="constrained")
        ax = figure.add_subplot()
        ax.set_axis_off()
        ax.set_title(title)
        ax.text(0.5, 0.4, f"Not available: the table has no {missing}.", ha="center", va="center")
    return figure


def histogram_figure(
    bins: pd.DataFrame,
    title: str,
    xlabel: str,
    marker: tuple[float, str] | None = None,
) -> Figure:
    """One distribution, optionally with a vertical marker line (e.g. the median) and its label."""
    with _style():
        fig = Figure(figsize=(8, 4.5), layout="constrained")
        ax = fig.subplots()
        draw_histogram(ax, bins, xlabel, title)
        if marker is not None:
            value, label = marker
            ax.axvline(value, color=ACCENT_COLOUR, linestyle="--", linewidth=1.5, label=label)
            ax.legend(loc="upper right")
    return fig


def histogram_grid(
    panels: Mapping[str, pd.DataFrame], title: str, xlabel: str, ncols: int = 3
) -> Figure:
    """Several distributions side by side, one panel per entry of `panels` (panel title -> bins)."""
    nrows = math.ceil(len(panels) / ncols)
    with _style():
        fig = Figure(figsize=(4.2 * ncols, 3.4 * nrows), layout="constrained")
        axes = np.atleast_1d(fig.subplots(nrows, ncols)).ravel()
        for ax, (panel_title, bins) in zip(axes, panels.items(), strict=False):
            draw_histogram(ax, bins, xlabel, panel_title)
        for ax in axes[len(panels) :]:
            ax.set_visible(False)
        fig.suptitle(title, fontsize="large", fontweight="bold")
    return fig


def channel_mix_figure(
    shares: pd.Series, panels: Mapping[str, pd.DataFrame], title: str, xlabel: str
) -> Figure:
    """Share of purchases per channel (bars) next to purchases-per-customer histograms."""
    names = list(panels)[:4]
    # Two panels a row beside the share bars; "." leaves a cell empty when there are fewer.
    padded = [*names, *["."] * (4 - len(names))]
    layout = [["share", *padded[:2]], ["share", *padded[2:]]]
    with _style():
        fig = Figure(figsize=(13, 6.5), layout="constrained")
        axes = fig.subplot_mosaic(layout)
        share_ax = axes["share"]
        share_ax.barh(shares.index[::-1], shares.to_numpy()[::-1], color=BAR_COLOUR)
        for y, value in enumerate(shares.to_numpy()[::-1]):
            share_ax.text(value, y, f" {value:.0%}", va="center")
        share_ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        share_ax.set_xlim(0, min(1.0, shares.max() * 1.3))
        share_ax.set_xlabel("Share of all purchases (%)")
        share_ax.set_ylabel("Channel")
        share_ax.set_title("Purchases by channel")
        for name in names:
            draw_histogram(axes[name], panels[name], xlabel, name)
        fig.suptitle(title, fontsize="large", fontweight="bold")
    return fig


def correlation_figure(matrix: pd.DataFrame, labels: Mapping[str, str], title: str) -> Figure:
    """Heatmap of a correlation matrix (first column `attribute`), annotated with 2 decimals."""
    values = matrix.set_index("attribute")
    names = [labels.get(column, column) for column in values.columns]
    size = max(6.0, 0.55 * len(names) + 2.5)
    with _style():
        fig = Figure(figsize=(size + 1.5, size), layout="constrained")
        ax = fig.subplots()
        sns.heatmap(
            values.to_numpy(),
            ax=ax,
            vmin=-1,
            vmax=1,
            center=0,
            cmap="vlag",
            annot=True,
            fmt=".2f",
            annot_kws={"fontsize": 7},
            square=True,
            linewidths=0.4,
            xticklabels=names,
            yticklabels=names,
            cbar_kws={"label": "Pearson correlation", "shrink": 0.7},
        )
        ax.tick_params(axis="x", labelrotation=60)
        for tick in ax.get_xticklabels():
            tick.set_horizontalalignment("right")
            tick.set_rotation_mode("anchor")
        ax.set_xlabel("Attribute")
        ax.set_ylabel("Attribute")
        ax.set_title(title)
    return fig


def _sparse_ticks(ax: Axes, labels: Sequence[str], max_ticks: int = 12) -> None:
    """Label at most `max_ticks` of the categorical positions 0..n-1 so labels never overlap."""
    step = max(1, math.ceil(len(labels) / max_ticks))
    positions = np.arange(len(labels))[::step]
    ax.set_xticks(positions, [labels[i] for i in positions], rotation=45, ha="right")


def enrolment_figure(
    months: pd.DataFrame, cohorts: pd.DataFrame, month_name: str, cohort_name: str
) -> Figure:
    """Enrolments per period (top) and mean/median spend of each enrolment cohort (bottom)."""
    with _style():
        fig = Figure(figsize=(11, 7.5), layout="constrained")
        top, bottom = fig.subplots(2, 1)
        x = np.arange(len(months))
        top.bar(x, months["customers"], color=BAR_COLOUR, width=0.85)
        _sparse_ticks(top, list(months["group"]))
        _format_counts(top)
        top.set_xlabel(f"Enrolment {month_name}")
        top.set_ylabel("Customers enrolled")
        top.set_title(f"Enrolments per {month_name}")

        x = np.arange(len(cohorts))
        bottom.bar(x, cohorts["spend_mean"], color=BAR_COLOUR, width=0.7, label="Mean")
        bottom.plot(x, cohorts["spend_median"], "o", color=ACCENT_COLOUR, label="Median")
        _sparse_ticks(bottom, list(cohorts["group"]))
        bottom.yaxis.set_major_formatter(FuncFormatter(_thousands))
        bottom.set_xlabel(f"Enrolment cohort ({cohort_name})")
        bottom.set_ylabel(f"Total spend per customer\n({MONEY})")
        bottom.set_title(f"Spend by enrolment {cohort_name} (last two years' spend)")
        bottom.legend(loc="upper right")
        fig.suptitle("Enrolments over time", fontsize="large", fontweight="bold")
    return fig


def _group_labels(groups: pd.DataFrame) -> list[str]:
    """'PhD\\n(n=486)': the group name with its number of customers."""
    return [f"{g}\n(n={n:,})" for g, n in zip(groups["group"], groups["customers"], strict=True)]


def _grid_by_dimension(
    trends: pd.DataFrame,
    dimensions: Mapping[str, str],
    draw: Callable[[Axes, pd.DataFrame], None],
    title: str,
) -> Figure:
    """A 2-column grid with one panel per trend dimension (dimension -> panel title)."""
    ncols = 2
    nrows = math.ceil(len(dimensions) / ncols)
    with _style():
        fig = Figure(figsize=(13, 4.6 * nrows), layout="constrained")
        axes = np.atleast_1d(fig.subplots(nrows, ncols)).ravel()
        for ax, (dimension, panel_title) in zip(axes, dimensions.items(), strict=False):
            groups = trends[trends["dimension"] == dimension].sort_values("order")
            draw(ax, groups)
            ax.set_xticks(np.arange(len(groups)), _group_labels(groups), fontsize="small")
            ax.set_title(panel_title)
        for ax in axes[len(dimensions) :]:
            ax.set_visible(False)
        # One legend for the figure: every panel draws the same series.
        handles, names = axes[0].get_legend_handles_labels()
        fig.legend(handles, names, loc="outside lower center", ncols=len(names), frameon=False)
        fig.suptitle(title, fontsize="large", fontweight="bold")
    return fig


def spend_by_attribute_figure(trends: pd.DataFrame, dimensions: Mapping[str, str]) -> Figure:
    """Mean (bars) and median (dots) total spend per group of each segmenting attribute."""

    def draw(ax: Axes, groups: pd.DataFrame) -> None:
        x = np.arange(len(groups))
        ax.bar(x, groups["spend_mean"], color=BAR_COLOUR, width=0.7, label="Mean")
        ax.plot(x, groups["spend_median"], "o", color=ACCENT_COLOUR, label="Median")
        ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
        ax.set_ylabel(f"Total spend per customer ({MONEY})")

    return _grid_by_dimension(trends, dimensions, draw, "Spend by customer attribute")


def response_by_attribute_figure(
    trends: pd.DataFrame, dimensions: Mapping[str, str], overall_response: float
) -> Figure:
    """Response rate to the last campaign and acceptance of any earlier one, per group."""

    def draw(ax: Axes, groups: pd.DataFrame) -> None:
        x = np.arange(len(groups))
        width = 0.38
        ax.bar(
            x - width / 2,
            groups["response_rate"],
            width,
            color=BAR_COLOUR,
            label="Responded to last campaign",
        )
        ax.bar(
            x + width / 2,
            groups["any_campaign_rate"],
            width,
            color=SECOND_COLOUR,
            label="Accepted an earlier campaign",
        )
        ax.axhline(
            overall_response,
            color=ACCENT_COLOUR,
            linestyle="--",
            linewidth=1.2,
            label=f"Overall response to last campaign ({overall_response:.0%})",
        )
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_ylabel("Customers (%)")
        top = float(groups[["response_rate", "any_campaign_rate"]].max().max())
        ax.set_ylim(0, max(0.05, top * 1.1))

    return _grid_by_dimension(trends, dimensions, draw, "Campaign response by customer attribute")


def _rule_text(rule: Any) -> str:
    """'24 imputed' or '3 rows rejected': what one rule (a row of the rules table) did."""
    parts = []
    if rule.values_fixed:
        parts.append(f"{rule.values_fixed:,} {ACTION_PAST_TENSE.get(rule.action, rule.action)}")
    if rule.rows_rejected:
        parts.append(f"{rule.rows_rejected:,} rows rejected")
    return "; ".join(parts)


def _change_text(rules: pd.DataFrame) -> str:
    """'24 imputed; 1 capped': what all the given rules did."""
    return "; ".join(_rule_text(rule) for rule in rules.itertuples())


def cleaning_figure(
    rules: pd.DataFrame,
    distributions: Mapping[str, dict[str, Any]],
    totals: Mapping[str, int],
    labels: Mapping[str, str],
) -> Figure:
    """Values changed and rows rejected per cleaning rule, next to each affected column's
    distribution after cleaning (with what the rules did to it in the panel title)."""
    touched = rules[rules["touched"]]
    ncols = 3
    nrows = 1 + math.ceil(len(distributions) / ncols)
    with _style():
        fig = Figure(figsize=(14, 3.2 + 3.4 * (nrows - 1)), layout="constrained")
        grid = fig.add_gridspec(nrows, ncols)
        ax = fig.add_subplot(grid[0, :])
        if len(touched):
            y = np.arange(len(touched))
            names = [f"{r.rule} ({r.column})" if r.column else r.rule for r in touched.itertuples()]
            changed = touched["values_fixed"] + touched["rows_rejected"]
            colours = [
                ACCENT_COLOUR if r.rows_rejected else BAR_COLOUR for r in touched.itertuples()
            ]
            ax.barh(y, changed, 0.6, color=colours)
            for position, count, rule in zip(y, changed, touched.itertuples(), strict=True):
                ax.text(count, position, f" {_rule_text(rule)}", va="center")
            ax.set_yticks(y, names)
            ax.set_xlim(0, changed.max() * 1.25)
            ax.invert_yaxis()
            _format_counts(ax, axis="x")
        else:
            ax.text(
                0.5,
                0.5,
                "No cleaning rule changed any value or rejected any row.",
                ha="center",
                va="center",
                transform=ax.transAxes,
            )
            ax.set_yticks([])
        ax.set_xlabel("Values changed or rows rejected (count)")
        ax.set_ylabel("Rule (column)")
        ax.set_title("What each cleaning rule did")
        for index, (column, dist) in enumerate(distributions.items()):
            panel = fig.add_subplot(grid[1 + index // ncols, index % ncols])
            applies = [column in field.split(", ") for field in touched["column"]]
            change = _change_text(touched[applies])
            _draw_distribution(panel, dist, labels.get(column, column), f"{column}: {change}")
        fig.suptitle(
            f"What cleaning did: {totals['rows_in']:,} rows in, {totals['rows_kept']:,} kept, "
            f"{totals['rows_rejected']:,} rejected",
            fontsize="large",
            fontweight="bold",
        )
    return fig


def _draw_distribution(ax: Axes, dist: Mapping[str, Any], name: str, title: str) -> None:
    """One column's distribution after cleaning, whatever its kind (from `column_distribution`)."""
    if dist["kind"] == "numeric":
        edges, counts = dist["edges"], dist["counts"]
        bins = pd.DataFrame(
            {
                "kind": "continuous",
                "scale": dist["scale"],
                "bin_left": edges[:-1],
                "bin_right": edges[1:],
                "count": counts,
                "label": "",
            }
        )
        unit = f" ({MONEY})" if name.lower().startswith("income") else ""
        draw_histogram(ax, bins, f"{name}{unit}, after cleaning", title)
        return
    x = np.arange(len(dist["counts"]))
    ax.bar(x, dist["counts"], color=BAR_COLOUR)
    if dist["kind"] == "date":
        _sparse_ticks(ax, dist["labels"], max_ticks=8)
        ax.set_xlabel(f"{name} (month), after cleaning")
    else:
        ax.set_xticks(x, dist["labels"], rotation=30, ha="right")
        ax.set_xlabel(f"{name}, after cleaning")
    _format_counts(ax)
    ax.set_ylabel(CUSTOMERS)
    ax.set_title(title)
