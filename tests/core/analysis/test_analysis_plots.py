"""Figures: titled, labelled, drawn from a bounded sample or from aggregates."""

import ibis
import numpy as np
import pandas as pd
import pytest

from customer_segmentation.core.analysis import analysis_plots, profiling


def _axes_with_data(figure):
    return [ax for ax in figure.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]


@pytest.fixture
def frame():
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "segment": np.repeat([1, 2], 500),
            "income": rng.normal(5e4, 1e4, 1000),
            "total_spend": rng.gamma(2, 300, 1000),
        }
    )


def _means(matrix: np.ndarray, segments: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(matrix).groupby(segments).mean()


LABELS = {"income": "Income (currency units / year)", "total_spend": "Total spend (currency units)"}


def test_scatter_draws_the_sample_and_marks_each_segments_median(frame):
    sample = frame.iloc[::5]
    medians = frame.groupby("segment")[["income", "total_spend"]].median()
    figure = analysis_plots.scatter_plot(
        sample, medians, "income", "total_spend", labels=LABELS, names={1: "A", 2: "B"}
    )
    ax = figure.axes[0]
    points = [len(c.get_offsets()) for c in ax.collections]
    assert sum(n for n in points if n > 1) == len(sample) and points.count(1) == 2
    assert (
        ax.get_title()
        and ax.get_xlabel() == LABELS["income"]
        and ax.get_ylabel() == LABELS["total_spend"]
    )


def test_sample_positions_are_seeded_and_bounded():
    first = profiling.sample_positions(1_000_000, 500, 3)
    assert len(first) == 500 and np.array_equal(
        first, profiling.sample_positions(1_000_000, 500, 3)
    )
    assert np.array_equal(profiling.sample_positions(10, 500, 3), np.arange(10))


def test_box_stats_are_quantiles_of_all_customers_on_the_engine(frame):
    table = ibis.memtable(frame.assign(ID=[str(i) for i in range(len(frame))]))
    quantiles = profiling.segment_quantiles(table, "income", analysis_plots.box_quantiles([5, 95]))
    means = profiling.segment_statistic(table, ["income"], "mean")["income"]
    stats = analysis_plots.box_stats(quantiles, means)
    part = frame.loc[frame["segment"] == 2, "income"]
    assert stats[1]["label"] == "2"
    assert stats[1]["med"] == pytest.approx(part.median())
    assert stats[1]["whislo"] == pytest.approx(part.quantile(0.05))
    assert stats[1]["q3"] == pytest.approx(part.quantile(0.75))
    assert stats[1]["mean"] == pytest.approx(part.mean())


def test_every_segment_figure_has_title_and_axis_labels(report_arguments):
    names = [
        n
        for n in report_arguments
        if n.startswith("segment_") and n.endswith(("_plot", "_heatmap", "_boxplots"))
    ]
    assert len(names) == 6
    for name in names:
        figure = report_arguments[name]
        axes = _axes_with_data(figure)
        assert axes, name
        for ax in axes:
            assert ax.get_title() or figure.get_suptitle(), name
            assert ax.get_xlabel() and ax.get_ylabel(), name


def test_pca_plot_draws_a_single_component_model_input():
    matrix = np.array([[0.0], [0.1], [5.0], [5.2], [5.1]])
    segments = np.array([1, 1, 2, 2, 2])

    figure = analysis_plots.pca_plot(
        matrix, segments, _means(matrix, segments), {1: "low", 2: "high"}, random_state=0
    )

    ax = figure.axes[0]
    assert "No second component" in ax.get_ylabel()
    assert len(ax.get_legend().get_texts()) == 2  # one scatter per segment


def test_pca_plot_draws_a_segment_of_one_customer():
    rng = np.random.default_rng(0)
    matrix = np.vstack([rng.normal(0, 1, (50, 3)), [[9.0, 9.0, 9.0]]])
    segments = np.array([1] * 50 + [2])

    figure = analysis_plots.pca_plot(
        matrix, segments, _means(matrix, segments), {1: "most", 2: "one"}, random_state=0
    )

    assert len(figure.axes[0].get_legend().get_texts()) == 2
