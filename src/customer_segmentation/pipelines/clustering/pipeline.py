"""Clustering pipeline: model_input -> hierarchy -> k selection -> segments -> assignment model."""

from kedro.pipeline import Pipeline, node, pipeline

from customer_segmentation.pipelines.clustering import nodes


def create_pipeline(**kwargs) -> Pipeline:
    """Wire the clustering nodes; every node is tagged `segmentation`."""
    return pipeline(
        [
            node(
                nodes.build_segmentation_hierarchy,
                ["model_input", "params:clustering"],
                "segmentation_hierarchy",
                name="build_segmentation_hierarchy",
            ),
            node(
                nodes.score_k_range,
                ["model_input", "segmentation_hierarchy", "params:clustering"],
                "k_selection",
                name="score_k_range",
            ),
            node(
                nodes.select_k,
                ["model_input", "k_selection", "segmentation_hierarchy", "params:clustering"],
                "k_selection_decision",
                name="select_k",
            ),
            node(
                nodes.assign_segments,
                ["model_input", "segmentation_hierarchy", "k_selection_decision"],
                ["customer_segments", "segmentation_model"],
                name="assign_segments",
            ),
            node(
                nodes.measure_assignment_agreement,
                ["segmentation_model", "model_input", "customer_segments"],
                "segment_assignment_agreement",
                name="measure_assignment_agreement",
            ),
            node(
                nodes.plot_elbow,
                ["k_selection", "k_selection_decision"],
                "elbow_plot",
                name="plot_elbow",
            ),
            node(
                nodes.plot_silhouette_by_k,
                ["k_selection", "k_selection_decision", "params:clustering"],
                "silhouette_plot",
                name="plot_silhouette_by_k",
            ),
            node(
                nodes.plot_silhouette_samples,
                ["model_input", "customer_segments", "params:clustering"],
                "silhouette_samples_plot",
                name="plot_silhouette_samples",
            ),
            node(
                nodes.plot_dendrogram,
                ["segmentation_hierarchy", "k_selection_decision", "params:clustering"],
                "dendrogram_plot",
                name="plot_dendrogram",
            ),
        ],
        tags="segmentation",
    )
