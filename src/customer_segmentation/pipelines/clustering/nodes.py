"""Kedro nodes of the clustering pipeline: thin calls into core.clustering (hierarchy, kselection,
assignment).

Each node that reads ``params:clustering`` checks it with ``ClusteringSettings.from_params`` (the
nodes also run alone, e.g. ``kedro run --nodes select_k``) and passes the typed settings on.
"""

import logging

import pandas as pd
from matplotlib.figure import Figure

from customer_segmentation.core.clustering import clustering_plots, kselection, stability
from customer_segmentation.core.clustering.assignment import (
    NearestCentroidSegmenter,
    assignment_agreement,
    number_segments,
    segments_of,
)
from customer_segmentation.core.clustering.hierarchy import (
    Hierarchy,
    build_hierarchy,
    model_input_matrix,
)
from customer_segmentation.core.clustering.parameters import ClusteringSettings
from customer_segmentation.core.clustering.preflight import require_distinct_model_input

LOGGER = logging.getLogger(__name__)


def build_segmentation_hierarchy(model_input: pd.DataFrame, clustering: dict) -> Hierarchy:
    """Build the run's one hierarchy (exact or two-stage, logged) over customers sorted by ID."""
    settings = ClusteringSettings.from_params(clustering)
    require_distinct_model_input(model_input, settings.k_max, "model_input")  # before the tree
    _, matrix = model_input_matrix(model_input)
    return build_hierarchy(matrix, settings)


def score_k_range(
    model_input: pd.DataFrame, hierarchy: Hierarchy, clustering: dict
) -> pd.DataFrame:
    """WCSS, silhouette (one seeded sample), Calinski-Harabasz and Davies-Bouldin for every k."""
    settings = ClusteringSettings.from_params(clustering)
    require_distinct_model_input(model_input, settings.k_max, "model_input")
    _, matrix = model_input_matrix(model_input)
    sample = kselection.seeded_sample(
        len(matrix), settings.silhouette_sample_size, settings.random_state
    )
    index_sample = kselection.seeded_sample(
        len(matrix), kselection.INDEX_SAMPLE_SIZE, settings.random_state
    )
    return kselection.score_k_range(matrix, hierarchy, settings.ks, sample, index_sample)


def select_k(
    model_input: pd.DataFrame, k_selection: pd.DataFrame, hierarchy: Hierarchy, clustering: dict
) -> dict:
    """Choose k by the configured rule, judge the structure against structureless copies of a
    seeded sample, and record the decision, its reasoning, the verdict and the path taken."""
    settings = ClusteringSettings.from_params(clustering)
    _, matrix = model_input_matrix(model_input)
    reference = stability.reference_scores(matrix, settings.reference_max_k, settings)
    decision = kselection.select_k(k_selection, reference, settings)
    decision["linkage_method"] = hierarchy.method
    decision["clustering_path"] = hierarchy.path
    decision["clustering_path_reason"] = hierarchy.reason
    why = decision.get("explanation") or decision["reasoning"].split(". ")[0]
    statement = (decision.get("structure") or {}).get("statement")
    line = f"clustering: k = {decision['chosen_k']}: {why.rstrip('.')}."
    LOGGER.info("%s", f"{line}\n{statement}" if statement else line)
    return decision


def assign_segments(
    model_input: pd.DataFrame, hierarchy: Hierarchy, k_selection_decision: dict
) -> tuple[pd.DataFrame, NearestCentroidSegmenter]:
    """Cut the hierarchy at the chosen k and fit the model that places new customers.

    Segments are numbered 1..k by size (ties: smallest ID). The nearest-centroid model is fitted
    here, with the labels, so that model outputs never feed a model (one-way catalog layers).
    """
    ids, _ = model_input_matrix(model_input)
    labels = hierarchy.labels(k_selection_decision["chosen_k"])
    segments = pd.DataFrame({"ID": ids, "segment": number_segments(ids, labels)})
    rows = segments_of(model_input["ID"].to_numpy(), segments)  # in model_input's row order
    return segments, NearestCentroidSegmenter().fit(model_input, rows)


def measure_assignment_agreement(
    segmentation_model: NearestCentroidSegmenter,
    model_input: pd.DataFrame,
    customer_segments: pd.DataFrame,
) -> dict:
    """Share of training customers the model places in their clustering segment."""
    segments = segments_of(model_input["ID"].to_numpy(), customer_segments)
    return assignment_agreement(segmentation_model.predict(model_input), segments)


def plot_elbow(k_selection: pd.DataFrame, k_selection_decision: dict) -> Figure:
    """Elbow curve with the knee and the chosen k marked."""
    return clustering_plots.elbow_figure(k_selection, k_selection_decision)


def plot_silhouette_by_k(
    k_selection: pd.DataFrame, k_selection_decision: dict, clustering: dict
) -> Figure:
    """Mean silhouette against k with the chosen k marked."""
    sample_size = ClusteringSettings.from_params(clustering).silhouette_sample_size
    return clustering_plots.silhouette_by_k_figure(k_selection, k_selection_decision, sample_size)


def plot_silhouette_samples(
    model_input: pd.DataFrame, customer_segments: pd.DataFrame, clustering: dict
) -> Figure:
    """Per-customer silhouettes at the chosen k, on the same seeded sample as the k scores."""
    settings = ClusteringSettings.from_params(clustering)
    ids, matrix = model_input_matrix(model_input)
    segments = segments_of(ids, customer_segments)
    sample = kselection.seeded_sample(
        len(matrix), settings.silhouette_sample_size, settings.random_state
    )
    distances = kselection.sample_distances(matrix, sample)
    values = kselection.sample_silhouettes(distances, segments[sample])
    return clustering_plots.silhouette_samples_figure(values, segments[sample])


def plot_dendrogram(hierarchy: Hierarchy, k_selection_decision: dict, clustering: dict) -> Figure:
    """Truncated dendrogram with the cut at the chosen k."""
    levels = ClusteringSettings.from_params(clustering).dendrogram_levels
    return clustering_plots.dendrogram_figure(hierarchy, k_selection_decision["chosen_k"], levels)
