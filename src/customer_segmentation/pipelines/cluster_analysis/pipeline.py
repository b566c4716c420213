"""Wiring of the cluster_analysis pipeline (all nodes tagged ``analysis``)."""

from kedro.pipeline import Node, Pipeline

from customer_segmentation.pipelines.cluster_analysis import nodes

# Figures the report embeds: the eda and clustering pipelines' plots, then this pipeline's own.
UPSTREAM_FIGURES = [
    "eda_income_distribution",
    "eda_spend_distribution",
    "eda_correlation_heatmap",
    "eda_enrolment_trend",
    "eda_cleaning_summary",
    "elbow_plot",
    "silhouette_plot",
    "silhouette_samples_plot",
    "dendrogram_plot",
]
SEGMENT_FIGURES = [
    "segment_sizes_plot",
    "segment_pca_plot",
    "segment_income_spend_plot",
    "segment_profile_heatmap",
    "segment_attribute_boxplots",
    "segment_response_plot",
]
PROFILE = "params:cluster_analysis.profile"
PLOTS = "params:cluster_analysis.plots"


def create_pipeline(**kwargs) -> Pipeline:
    """Profiles -> names -> actions, stability, plots, report."""
    return Pipeline(
        [
            Node(
                nodes.profile_segments,
                ["customer_segments", "customer_features", "primary_customers", PROFILE],
                ["segment_profiles", "segment_effect_sizes"],
                name="profile_segments",
            ),
            Node(
                nodes.name_segments,
                ["segment_effect_sizes", "params:cluster_analysis.naming"],
                "segment_names",
                name="name_segments",
            ),
            Node(
                nodes.recommend_actions,
                ["segment_profiles", "segment_names", "params:cluster_analysis.actions", PROFILE],
                "segment_actions",
                name="recommend_segment_actions",
            ),
            Node(
                nodes.assess_stability,
                [
                    "model_input",
                    "customer_segments",
                    "params:clustering",
                    "params:cluster_analysis.stability",
                ],
                "segment_stability",
                name="assess_segment_stability",
            ),
            Node(
                nodes.plot_segment_sizes,
                ["segment_profiles", "segment_names"],
                "segment_sizes_plot",
                name="plot_segment_sizes",
            ),
            Node(
                nodes.plot_segment_pca,
                ["model_input", "customer_segments", "segment_names", PLOTS],
                "segment_pca_plot",
                name="plot_segment_pca",
            ),
            Node(
                nodes.plot_income_spend,
                ["customer_features", "customer_segments", "segment_names", PROFILE, PLOTS],
                "segment_income_spend_plot",
                name="plot_segment_income_spend",
            ),
            Node(
                nodes.plot_profile_heatmap,
                ["segment_effect_sizes", "segment_names", PROFILE, PLOTS],
                "segment_profile_heatmap",
                name="plot_segment_profile_heatmap",
            ),
            Node(
                nodes.plot_attribute_boxplots,
                ["customer_features", "customer_segments", PROFILE, PLOTS],
                "segment_attribute_boxplots",
                name="plot_segment_attribute_boxplots",
            ),
            Node(
                nodes.plot_campaign_response,
                ["segment_profiles", "segment_names"],
                "segment_response_plot",
                name="plot_segment_campaign_response",
            ),
            Node(
                nodes.render_segmentation_report,
                {
                    "data_quality": "data_quality",
                    "k_selection": "k_selection",
                    "k_selection_decision": "k_selection_decision",
                    "segment_profiles": "segment_profiles",
                    "segment_effect_sizes": "segment_effect_sizes",
                    "segment_names": "segment_names",
                    "segment_actions": "segment_actions",
                    "segment_stability": "segment_stability",
                    "parameters": "params:cluster_analysis",
                    **{name: name for name in UPSTREAM_FIGURES + SEGMENT_FIGURES},
                },
                "segmentation_report",
                name="render_segmentation_report",
            ),
        ],
        tags="analysis",
    )
