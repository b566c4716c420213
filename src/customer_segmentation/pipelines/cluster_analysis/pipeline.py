"""Wiring of the cluster_analysis pipeline (all nodes tagged ``analysis``), per customer source."""

from kedro.pipeline import Node, Pipeline

from customer_segmentation.pipelines.cluster_analysis import nodes

SOURCES = ("customers", "transactions", "both")
# Parameter block of each source: the default run's, or the rfm / joined sub-block.
PARAMS = {
    "customers": "params:cluster_analysis",
    "transactions": "params:cluster_analysis.rfm",
    "both": "params:cluster_analysis.joined",
}
# Figures the report embeds: the eda and clustering pipelines' plots, then this pipeline's own.
EDA_FIGURES = [
    "eda_income_distribution",
    "eda_spend_distribution",
    "eda_correlation_heatmap",
    "eda_enrolment_trend",
    "eda_cleaning_summary",
]
K_FIGURES = ["elbow_plot", "silhouette_plot", "silhouette_samples_plot", "dendrogram_plot"]
UPSTREAM_FIGURES = EDA_FIGURES + K_FIGURES
SEGMENT_FIGURES = [
    "segment_sizes_plot",
    "segment_pca_plot",
    "segment_income_spend_plot",
    "segment_effect_sizes_plot",
    "segment_attributes_plot",
    "segment_response_plot",
]
# Without a customer table there is no exploration and no campaign response to plot.
RFM_FIGURES = K_FIGURES + [name for name in SEGMENT_FIGURES if name != "segment_response_plot"]
REPORT_INPUTS = [
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
]


def _describe(source: str, params: str) -> list[Node]:
    """Profiles, names and actions: customer-table terms, or RFM terms for the log alone."""
    profile = f"{params}.profile"
    if source == "transactions":
        return [
            Node(
                nodes.profile_rfm_segments,
                ["customer_segments", "customer_features", profile],
                ["segment_profiles", "segment_effect_sizes"],
                name="profile_segments",
            ),
            Node(
                nodes.name_rfm_segments,
                ["segment_profiles", f"{params}.naming"],
                "segment_names",
                name="name_segments",
            ),
            Node(
                nodes.recommend_rfm_actions,
                ["segment_profiles", "segment_names", "segment_stability", params],
                "segment_actions",
                name="recommend_segment_actions",
            ),
        ]
    # "both" profiles the joined table, which holds every primary column plus the log's.
    table = "primary_customers" if source == "customers" else "customers_with_transactions"
    return [
        Node(
            nodes.profile_segments,
            ["customer_segments", "customer_features", table, profile, "params:schema"],
            ["segment_profiles", "segment_effect_sizes"],
            name="profile_segments",
        ),
        Node(
            nodes.name_segments,
            ["segment_effect_sizes", "segment_profiles", params, "params:schema"],
            "segment_names",
            name="name_segments",
        ),
        Node(
            nodes.recommend_actions,
            ["segment_profiles", "segment_names", "segment_stability", params, "params:schema"],
            "segment_actions",
            name="recommend_segment_actions",
        ),
    ]


def _plots(source: str, params: str) -> list[Node]:
    """The segment figures (no campaign response without a customer table)."""
    profile, plots = f"{params}.profile", f"{params}.plots"
    found = [
        Node(
            nodes.plot_segment_sizes,
            ["segment_profiles", "segment_names"],
            "segment_sizes_plot",
            name="plot_segment_sizes",
        ),
        Node(
            nodes.plot_segment_pca,
            ["model_input", "customer_segments", "segment_names", plots],
            "segment_pca_plot",
            name="plot_segment_pca",
        ),
        Node(
            nodes.plot_income_spend,
            ["customer_features", "customer_segments", "segment_names", profile, plots],
            "segment_income_spend_plot",
            name="plot_segment_income_spend",
        ),
        Node(
            nodes.plot_profile_heatmap,
            ["segment_effect_sizes", "segment_names", profile, plots],
            "segment_effect_sizes_plot",
            name="plot_segment_effect_sizes",
        ),
        Node(
            nodes.plot_attribute_boxplots,
            ["customer_features", "customer_segments", profile, plots],
            "segment_attributes_plot",
            name="plot_segment_attributes",
        ),
    ]
    if source != "transactions":
        found.append(
            Node(
                nodes.plot_campaign_response,
                ["segment_profiles", "segment_names"],
                "segment_response_plot",
                name="plot_segment_campaign_response",
            )
        )
    return found


def _activation(params: str) -> list[Node]:
    """Rule cards on the profiled attributes, their SQL, and CRM-ready segment membership."""
    return [
        Node(
            nodes.build_rule_cards,
            [
                "customer_segments",
                "customer_features",
                "segment_names",
                f"{params}.profile",
                "params:cluster_analysis.rule_cards",
            ],
            "segment_rules",
            name="build_rule_cards",
        ),
        Node(
            nodes.export_rules_sql,
            ["segment_rules", "params:cluster_analysis.activation"],
            "segment_rules_sql",
            name="export_rules_sql",
        ),
        Node(
            nodes.export_segment_membership,
            ["customer_segments", "segment_names", "run_manifest"],
            "segment_membership",
            name="export_segment_membership",
        ),
    ]


def _history() -> Node:
    """Segment history: this run against the latest earlier run's snapshot (none the first
    time; conf/base/catalog.yml)."""
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
            "clustering_features": "params:feature_engineering.preprocessing.features",
            "settings": "params:segment_history",
        },
        [
            "segment_identities",
            "segment_migration",
            "segment_snapshot",
            "segment_snapshot_members",
        ],
        name="track_segments",
    )


def _report(source: str, params: str) -> Node:
    """The HTML report, with the data-quality inputs of the source."""
    quality = {
        "customers": ["data_quality"],
        "transactions": ["transaction_line_quality", "rejected_transaction_summary"],
        "both": [
            "data_quality",
            "transaction_line_quality",
            "rejected_transaction_summary",
            "transaction_join_summary",
        ],
    }[source]
    figures = RFM_FIGURES if source == "transactions" else UPSTREAM_FIGURES + SEGMENT_FIGURES
    # Segment history is tracked on the customer table's features (parameters_segment_history).
    history = ["segment_identities", "segment_migration"] if source == "customers" else []
    inputs = {name: name for name in quality + REPORT_INPUTS + history}
    if source != "transactions":  # the customer table's roles decide which figures apply
        inputs["schema"] = "params:schema"
    return Node(
        nodes.render_segmentation_report,
        {**inputs, "parameters": params, **{name: name for name in figures}},
        "segmentation_report",
        name="render_segmentation_report",
    )


def create_pipeline(source: str = "customers", **kwargs) -> Pipeline:
    """Profiles -> names -> actions, stability, rule cards and exports, segment history (the
    customer table), plots, report.

    ``source``: ``customers`` (the default run), ``transactions`` (customer_rfm alone: RFM
    names and actions) or ``both`` (the customer table joined to its log); the registry builds
    the last two into ``rfm_segmentation`` and ``joined_segmentation``.
    """
    if source not in SOURCES:
        raise ValueError(f"cluster_analysis source {source!r}: use one of {SOURCES}.")
    params = PARAMS[source]
    stability = Node(
        nodes.assess_stability,
        [
            "model_input",
            "customer_segments",
            "params:clustering",
            "params:cluster_analysis.stability",
        ],
        "segment_stability",
        name="assess_segment_stability",
    )
    return Pipeline(
        [
            *_describe(source, params),
            stability,
            *_activation(params),
            *([_history()] if source == "customers" else []),
            *_plots(source, params),
            _report(source, params),
        ],
        tags="analysis",
    )
