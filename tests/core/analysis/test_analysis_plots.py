"""Figures: titled, labelled, drawn from a bounded sample or from aggregates."""

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.core.analysis import analysis_plots


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


LABELS = {"income": "Income (currency units / year)", "total_spend": "Total spend (currency units)"}


def test_scatter_draws_only_the_sample(frame):
    figure = analysis_plots.scatter_plot(
        frame,
        "income",
        "total_spend",
        labels=LABELS,
        names={1: "A", 2: "B"},
        sample_size=120,
        random_state=0,
    )
    ax = figure.axes[0]
    sample_points = sum(len(c.get_offsets()) for c in ax.collections if len(c.get_offsets()) > 1)
    assert sample_points == 120
    assert (
        ax.get_title()
        and ax.get_xlabel() == LABELS["income"]
        and ax.get_ylabel() == LABELS["total_spend"]
    )


def test_sample_rows_is_seeded_and_bounded():
    first = analysis_plots.sample_rows(1_000_000, 500, 3)
    assert len(first) == 500 and np.array_equal(
        first, analysis_plots.sample_rows(1_000_000, 500, 3)
    )
    assert np.array_equal(analysis_plots.sample_rows(10, 500, 3), np.arange(10))


def test_box_stats_are_quantiles_of_all_customers(frame):
    stats = analysis_plots.box_stats(frame, "income", [5, 95])
    part = frame.loc[frame["segment"] == 2, "income"]
    assert stats[1]["med"] == pytest.approx(part.median())
    assert stats[1]["whislo"] == pytest.approx(part.quantile(0.05))
    assert stats[1]["q3"] == pytest.approx(part.quantile(0.75))


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
        matrix, segments, {1: "low", 2: "high"}, sample_size=100, random_state=0
    )

    ax = figure.axes[0]
    assert "No second component" in ax.get_ylabel()
    assert len(ax.get_legend().get_texts()) == 2  # one scatter per segment


def test_pca_plot_draws_a_segment_of_one_customer():
    rng = np.random.default_rng(0)
    matrix = np.vstack([rng.normal(0, 1, (50, 3)), [[9.0, 9.0, 9.0]]])
    segments = np.array([1] * 50 + [2])

    figure = analysis_plots.pca_plot(
        matrix, segments, {1: "most", 2: "one"}, sample_size=100, random_state=0
    )

    assert len(figure.axes[0].get_legend().get_texts()) == 2
