"""Wiring of the cluster_analysis pipeline (all nodes tagged ``analysis``)."""

from kedro.pipeline import Node, Pipeline

from customer_segmentation.pipelines.cluster_analysis import nodes

PARAMS = "params:cluster_analysis"
# What feeds clustering: its features are profiled whether or not the profile list names them.
PREPROCESSING = "params:feature_engineering.preprocessing"
ENGINE = "params:engine"  # where the row-level queries run (core/engine.py)
# Figures the report may embed: the eda and clustering pipelines' plots, then this pipeline's own.
EDA_FIGURES = [
    "eda_income_distribution",
    "eda_spend_distribution",
    "eda_correlation_heatmap",
    "eda_enrolment_trend",
    "eda_cleaning_summary",
]
K_FIGURES = ["elbow_plot", "silhouette_plot", "silhouette_samples_plot", "dendrogram_plot"]
SEGMENT_FIGURES = [
    "segment_sizes_plot",
    "segment_pca_plot",
    "segment_income_spend_plot",
    "segment_effect_sizes_plot",
    "segment_attributes_plot",
    "segment_response_plot",
]
# What the summary gives of the input: the customer table's row accounting; the runs on a
# transaction log pass their own (reporting_pipeline): its line accounting, the join counts.
TABLE_INPUTS = ["data_quality"]
SUMMARY_INPUTS = [
    "k_selection",
    "k_selection_decision",
    "segment_profiles",
    "segment_effect_sizes",
    "segment_names",
    "segment_actions",
    "segment_stability",
    "segment_assignment_agreement",
    "segment_rules",
    "run_manifest",
    "feature_report",
    "segment_identities",
    "segment_migration",
    "segment_value",
]


def _describe(value_inputs: list[str]) -> list[Node]:
    """Profiles, value, names and actions of the segments, in the terms of the table's roles;
    ``value_inputs``: the value forecast's datasets where the run has one."""
    return [
        Node(
            nodes.profile_segments,
            {
                "customer_segments": "customer_segments",
                "customer_features": "customer_features",
                "primary_customers": "primary_customers",
                "profile": f"{PARAMS}.profile",
                "schema": "params:schema",
                "preprocessing": PREPROCESSING,
                "engine": ENGINE,
            },
            ["segment_profiles", "segment_effect_sizes"],
            name="profile_segments",
        ),
        Node(
            nodes.assess_segment_value,
            {
                "segment_profiles": "segment_profiles",
                "customer_segments": "customer_segments",
                "primary_customers": "primary_customers",
                "schema": "params:schema",
                "engine": ENGINE,
                **{name: name for name in value_inputs},
            },
            "segment_value",
            name="assess_segment_value",
        ),
        Node(
            nodes.name_segments,
            ["segment_effect_sizes", "segment_profiles", PARAMS, "params:schema"],
            "segment_names",
            name="name_segments",
        ),
        Node(
            nodes.recommend_actions,
            {
                "segment_profiles": "segment_profiles",
                "segment_names": "segment_names",
                "segment_stability": "segment_stability",
                "parameters": PARAMS,
                "schema": "params:schema",
                "segment_value": "segment_value",
            },
            "segment_actions",
            name="recommend_segment_actions",
        ),
    ]


def _plots() -> list[Node]:
    """The segment figures (a table without the roles a figure draws gets a figure saying so)."""
    profile, plots = f"{PARAMS}.profile", f"{PARAMS}.plots"
    return [
        Node(
            nodes.plot_segment_sizes,
            ["segment_profiles", "segment_names"],
            "segment_sizes_plot",
            name="plot_segment_sizes",
        ),
        Node(
            nodes.plot_segment_pca,
            {
                "model_input": "model_input",
                "customer_segments": "customer_segments",
                "segment_names": "segment_names",
                "plots": plots,
                "engine": ENGINE,
            },
            "segment_pca_plot",
            name="plot_segment_pca",
        ),
        Node(
            nodes.plot_income_spend,
            {
                "customer_features": "customer_features",
                "customer_segments": "customer_segments",
                "segment_names": "segment_names",
                "profile": profile,
                "plots": plots,
                "engine": ENGINE,
            },
            "segment_income_spend_plot",
            name="plot_segment_income_spend",
        ),
        Node(
            nodes.plot_profile_heatmap,
            {
                "segment_effect_sizes": "segment_effect_sizes",
                "segment_names": "segment_names",
                "profile": profile,
                "plots": plots,
                "schema": "params:schema",
            },
            "segment_effect_sizes_plot",
            name="plot_segment_effect_sizes",
        ),
        Node(
            nodes.plot_attribute_boxplots,
            {
                "customer_features": "customer_features",
                "customer_segments": "customer_segments",
                "profile": profile,
                "plots": plots,
                "engine": ENGINE,
            },
            "segment_attributes_plot",
            name="plot_segment_attributes",
        ),
        Node(
            nodes.plot_campaign_response,
            ["segment_profiles", "segment_names"],
            "segment_response_plot",
            name="plot_segment_campaign_response",
        ),
    ]


def _activation(cleaned: bool) -> list[Node]:
    """Rule cards on the profiled attributes, their SQL on the customer file, and CRM-ready
    segment membership. ``cleaned``: the customer table went through data_processing, whose
    fitted values (cleaning_statistics) the SQL repeats."""
    cleaning = {
        "cleaning_statistics": "cleaning_statistics",
        "missing_values": "params:data_processing.missing_values",
    }
    return [
        Node(
            nodes.build_rule_cards,
            {
                "customer_segments": "customer_segments",
                "customer_features": "customer_features",
                "segment_names": "segment_names",
                "profile": f"{PARAMS}.profile",
                "settings": f"{PARAMS}.rule_cards",
                "schema": "params:schema",
                "preprocessing": PREPROCESSING,
                "engine": ENGINE,
            },
            "segment_rules",
            name="build_rule_cards",
        ),
        Node(
            nodes.export_rules_sql,
            {
                "segment_rules": "segment_rules",
                "feature_report": "feature_report",
                "schema": "params:schema",
                "activation": f"{PARAMS}.activation",
                **(cleaning if cleaned else {}),
            },
            "segment_rules_sql",
            name="export_rules_sql",
        ),
        Node(
            nodes.export_segment_membership,
            [
                "customer_segments",
                "segment_names",
                "segment_actions",
                "run_manifest",
                "params:schema",
            ],
            "segment_membership",
            name="export_segment_membership",
        ),
    ]


def _history(cleaned: bool) -> Node:
    """Segment history: this run against the latest earlier run's snapshot (none the first
    time; conf/base/catalog.yml) of the same source: the input file the customer table's
    accounting names, or the log's (``cleaned`` False)."""
    inputs = [
        "reference_segment_snapshot",
        "reference_segment_snapshot_members",
        "customer_segments",
        "customer_features",
        "segment_names",
        "run_manifest",
    ]
    return Node(
        nodes.track_segments,
        {
            **{name: name for name in inputs},
            "input_quality": "data_quality" if cleaned else "transaction_line_quality",
            "schema": "params:schema",
            "clustering_features": "params:feature_engineering.preprocessing.features",
            "settings": "params:segment_history",
            "engine": ENGINE,
        },
        [
            "segment_identities",
            "segment_migration",
            "segment_snapshot",
            "segment_snapshot_members",
        ],
        name="track_segments",
    )


def reporting_pipeline(input_datasets: list[str], eda_figures: list[str]) -> Pipeline:
    """The run's summary, the figures it names and the HTML report made of the two (tagged
    ``analysis`` like the rest of the pipeline).

    ``input_datasets``: what the summary gives of the input (``TABLE_INPUTS`` for the customer
    table; the log's line accounting in the runs that read one); ``eda_figures``: the
    exploration's figures (none without a customer table). Which figures the report embeds
    follows from the parameters and the schema's roles (``nodes.FIGURE_ROLES``).
    """
    summary = Node(
        nodes.summarise_segmentation,
        {
            **{name: name for name in input_datasets + SUMMARY_INPUTS},
            "parameters": PARAMS,
            "schema": "params:schema",
        },
        "segmentation_summary",
        name="summarise_segmentation",
    )
    figures = Node(
        nodes.gather_report_figures,
        {name: name for name in eda_figures + K_FIGURES + SEGMENT_FIGURES},
        "report_figures",
        name="gather_report_figures",
    )
    report = Node(
        nodes.render_segmentation_report,
        ["segmentation_summary", "report_figures", PARAMS],
        "segmentation_report",
        name="render_segmentation_report",
    )
    return Pipeline([summary, figures, report], tags="analysis")


def analysis_pipeline(cleaned: bool = True, value_inputs: list[str] | None = None) -> Pipeline:
    """Every node but the report: profiles -> value -> names -> actions, stability, rule cards
    and exports, segment history, plots. ``cleaned``: the customer table went through
    data_processing (False for a log's RFM table alone); ``value_inputs``: the value forecast's
    datasets (``value_forecast.VALUE_INPUTS``) in the runs that read a log, none by default."""
    stability = Node(
        nodes.assess_stability,
        {
            "model_input": "model_input",
            "customer_segments": "customer_segments",
            "clustering": "params:clustering",
            "settings": f"{PARAMS}.stability",
            "engine": ENGINE,
        },
        "segment_stability",
        name="assess_segment_stability",
    )
    return Pipeline(
        [
            *_describe(list(value_inputs or [])),
            stability,
            *_activation(cleaned),
            _history(cleaned),
            *_plots(),
        ],
        tags="analysis",
    )


def create_pipeline(**kwargs) -> Pipeline:
    """The analysis of the customer table's segments and its report. The runs on a transaction
    log take ``analysis_pipeline()`` with their own ``reporting_pipeline`` (rfm_segmentation,
    joined_segmentation)."""
    return analysis_pipeline() + reporting_pipeline(TABLE_INPUTS, EDA_FIGURES)
