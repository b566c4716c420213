"""Wiring of the eda pipeline: aggregate the customers once, draw every figure from aggregates."""

from kedro.pipeline import Pipeline, node, pipeline

from customer_segmentation.pipelines.eda import nodes

PARAMS = "eda_settings"  # params:eda resolved for this table's roles (node resolve_eda_settings)


def create_pipeline(**kwargs) -> Pipeline:
    """Tables and figures of the exploratory analysis (tag `eda`)."""
    table_nodes = [
        node(
            nodes.join_customer_attributes,
            ["primary_customers", "customer_features", "params:eda"],
            "eda_customers",
            name="join_customer_attributes",
        ),
        node(
            nodes.resolve_eda_settings,
            ["eda_customers", "params:eda", "params:schema"],
            PARAMS,
            name="resolve_eda_settings",
        ),
        node(
            nodes.summarise_numeric_attributes,
            ["eda_customers", PARAMS],
            "eda_numeric_summary",
            name="summarise_numeric_attributes",
        ),
        node(
            nodes.count_category_frequencies,
            ["eda_customers", PARAMS],
            "eda_category_frequencies",
            name="count_category_frequencies",
        ),
        node(
            nodes.compute_key_metrics,
            ["eda_customers", PARAMS],
            "eda_key_metrics",
            name="compute_key_metrics",
        ),
        node(
            nodes.bin_distributions,
            ["eda_customers", PARAMS],
            "eda_distributions",
            name="bin_distributions",
        ),
        node(
            nodes.compute_group_trends,
            ["eda_customers", PARAMS],
            "eda_trends",
            name="compute_group_trends",
        ),
        node(
            nodes.compute_correlations,
            ["eda_customers", PARAMS],
            "eda_correlations",
            name="compute_correlations",
        ),
        node(
            nodes.tabulate_cleaning_rules,
            "data_quality",
            "eda_cleaning_rules",
            name="tabulate_cleaning_rules",
        ),
        node(
            nodes.summarise_headlines,
            ["eda_key_metrics", "eda_trends", "data_quality", PARAMS],
            "eda_summary",
            name="summarise_headlines",
        ),
    ]
    figure_nodes = [
        node(
            nodes.plot_income_distribution,
            ["eda_distributions", "eda_numeric_summary", PARAMS],
            "eda_income_distribution",
            name="plot_income_distribution",
        ),
        node(
            nodes.plot_age_distribution,
            ["eda_distributions", "eda_numeric_summary", PARAMS],
            "eda_age_distribution",
            name="plot_age_distribution",
        ),
        node(
            nodes.plot_spend_distribution,
            ["eda_distributions", "eda_numeric_summary", PARAMS],
            "eda_spend_distribution",
            name="plot_spend_distribution",
        ),
        node(
            nodes.plot_category_spend,
            ["eda_distributions", PARAMS],
            "eda_category_spend",
            name="plot_category_spend",
        ),
        node(
            nodes.plot_channel_mix,
            ["eda_distributions", "eda_key_metrics", PARAMS],
            "eda_channel_mix",
            name="plot_channel_mix",
        ),
        node(
            nodes.plot_web_visits,
            ["eda_distributions", "eda_numeric_summary", PARAMS],
            "eda_web_visits",
            name="plot_web_visits",
        ),
        node(
            nodes.plot_correlation_heatmap,
            ["eda_correlations", PARAMS],
            "eda_correlation_heatmap",
            name="plot_correlation_heatmap",
        ),
        node(
            nodes.plot_enrolment_trend,
            ["eda_trends", PARAMS],
            "eda_enrolment_trend",
            name="plot_enrolment_trend",
        ),
        node(
            nodes.plot_spend_by_segmenting_attributes,
            ["eda_trends", PARAMS],
            "eda_spend_by_segmenting_attributes",
            name="plot_spend_by_segmenting_attributes",
        ),
        node(
            nodes.plot_response_by_attribute,
            ["eda_trends", "eda_key_metrics", PARAMS],
            "eda_response_by_attribute",
            name="plot_response_by_attribute",
        ),
        node(
            nodes.plot_cleaning_summary,
            ["data_quality", "eda_customers", PARAMS],
            "eda_cleaning_summary",
            name="plot_cleaning_summary",
        ),
    ]
    return pipeline(table_nodes + figure_nodes, tags="eda")
