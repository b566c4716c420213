"""Kedro nodes of the clustering pipeline: thin calls into core.clustering (hierarchy, kselection,
assignment)."""

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


def build_segmentation_hierarchy(model_input: pd.DataFrame, clustering: dict) -> Hierarchy:
    """Build the run's one hierarchy (exact or two-stage, logged) over customers sorted by ID."""
    _, matrix = model_input_matrix(model_input)
    kselection.k_values(clustering["k_range"], len(matrix))  # fail early on a bad k range
    return build_hierarchy(matrix, clustering)


def score_k_range(
    model_input: pd.DataFrame, hierarchy: Hierarchy, clustering: dict
) -> pd.DataFrame:
    """WCSS, silhouette (one seeded sample), Calinski-Harabasz and Davies-Bouldin for every k."""
    _, matrix = model_input_matrix(model_input)
    ks = kselection.k_values(clustering["k_range"], len(matrix))
    sample = kselection.silhouette_sample(
        len(matrix), clustering["silhouette_sample_size"], clustering["random_state"]
    )
    return kselection.score_k_range(
        matrix, hierarchy, ks, sample, clustering["silhouette_chunk_rows"]
    )


def select_k(
    model_input: pd.DataFrame, k_selection: pd.DataFrame, hierarchy: Hierarchy, clustering: dict
) -> dict:
    """Choose k by the configured rule, judge the structure against structureless copies of a
    seeded sample, and record the decision, its reasoning, the verdict and the path taken."""
    _, matrix = model_input_matrix(model_input)
    structure = clustering["structure"]
    max_k = max(structure["max_k"], clustering["k_range"]["max"])
    reference = stability.reference_scores(matrix, max_k, clustering, structure)
    decision = kselection.select_k(k_selection, clustering["selection"], reference, structure)
    decision["linkage_method"] = hierarchy.method
    decision["clustering_path"] = hierarchy.path
    decision["clustering_path_reason"] = hierarchy.reason
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
    return segments, NearestCentroidSegmenter.fit(model_input, segments)


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
    return clustering_plots.silhouette_by_k_figure(
        k_selection, k_selection_decision, clustering["silhouette_sample_size"]
    )


def plot_silhouette_samples(
    model_input: pd.DataFrame, customer_segments: pd.DataFrame, clustering: dict
) -> Figure:
    """Per-customer silhouettes at the chosen k, on the same seeded sample as the k scores."""
    ids, matrix = model_input_matrix(model_input)
    segments = segments_of(ids, customer_segments)
    sample = kselection.silhouette_sample(
        len(matrix), clustering["silhouette_sample_size"], clustering["random_state"]
    )
    (values,) = kselection.sample_silhouettes(
        matrix[sample], [segments[sample]], clustering["silhouette_chunk_rows"]
    )
    return clustering_plots.silhouette_samples_figure(values, segments[sample])


def plot_dendrogram(hierarchy: Hierarchy, k_selection_decision: dict, clustering: dict) -> Figure:
    """Truncated dendrogram with the cut at the chosen k."""
    return clustering_plots.dendrogram_figure(
        hierarchy, k_selection_decision["chosen_k"], clustering["plots"]["dendrogram_levels"]
    )
