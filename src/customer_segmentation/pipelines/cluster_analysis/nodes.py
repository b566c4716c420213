"""Nodes of the cluster_analysis pipeline: thin wrappers over ``customer_segmentation.core``."""

import logging
from collections import Counter
from collections.abc import Iterable
from typing import Any

import ibis
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from customer_segmentation.core import engine as engines
from customer_segmentation.core.analysis import (
    actions,
    analysis_plots,
    attributes,
    claims,
    clv,
    naming,
    priorities,
    profiling,
    rule_cards,
    segment_history,
    value,
)
from customer_segmentation.core.cleaning.contract import CustomerSchema
from customer_segmentation.core.clustering import stability
from customer_segmentation.core.eda import eda_plots
from customer_segmentation.core.features import feature_sql
from customer_segmentation.core.reporting import report, spreadsheet

LOGGER = logging.getLogger(__name__)


def _names(segment_names: dict) -> dict[int, str]:
    return {int(item["segment"]): item["name"] for item in segment_names["segments"]}


def _with_roles(profile: dict, schema: dict) -> dict:
    """The profile block with the schema's column groups (products, channels, deals, campaigns,
    response): the columns behind revenue, mixes and campaign rates, declared once."""
    return {**profile, **CustomerSchema.from_config(schema).groups()}


# The report's figures that draw the columns of a role: left out of a table without that role
# (the files are still written, saying why they are empty).
FIGURE_ROLES = {
    "eda_income_distribution": "income",
    "eda_spend_distribution": "spend",
    "eda_enrolment_trend": "enrolment_date",
    "segment_response_plot": "response",
}


def _drawable(captions: dict, schema: dict | None, plotted: bool) -> dict:
    """The figures of a report section whose roles the table has (all without a schema);
    ``plotted``: the scatter's two features are among the profiled ones."""
    if schema is None:
        return captions
    declared = CustomerSchema.from_config(schema)
    return {
        name: caption
        for name, caption in captions.items()
        if (name not in FIGURE_ROLES or declared.all_of(FIGURE_ROLES[name]))
        and (name != "segment_income_spend_plot" or plotted)
    }


def _clustering_features(preprocessing: dict) -> list[str]:
    """The customer_features columns clustering reads: ``features`` then ``table_features``."""
    return [*preprocessing["features"], *(preprocessing.get("table_features") or [])]


def _profiled(
    profile: dict, schema: dict, preprocessing: dict, customer_features: pd.DataFrame
) -> dict:
    """The profile block with the attributes this table profiles (``attributes.
    profiled_attributes``): the configured ones it has (the schema's roles decide which features
    exist: no enrolment date, no tenure_days), then its clustering features and declared value
    columns the list lacks."""
    declared = CustomerSchema.from_config(schema)
    found = attributes.profiled_attributes(
        profile["attributes"],
        _clustering_features(preprocessing),
        declared,
        customer_features.columns,
    )
    return attributes.resolve_profile(profile, declared, found)


def _resolved(profile: dict, schema: dict, profiled: Iterable[str]) -> dict:
    """The profile block for the ``profiled`` attributes (labels, percent, the added
    attributes' kinds; ``attributes.resolve_profile``)."""
    return attributes.resolve_profile(profile, CustomerSchema.from_config(schema), profiled)


def profile_segments(
    customer_segments: pd.DataFrame,
    customer_features: pd.DataFrame,
    primary_customers: pd.DataFrame,
    profile: dict,
    schema: dict,
    *,
    preprocessing: dict,
    engine: str = "duckdb",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Segment profile table (segment 0 = all customers) and the long effect-size table.

    The profiled attributes are the configured ones the table has, then its clustering features
    (``preprocessing``: feature_engineering.preprocessing) and declared value columns the list
    lacks (``attributes.profiled_attributes``).

    The join and the group-bys run on ``engine`` (``core.engine``: duckdb or pyspark).

    Revenue is the spend per category summed, or, for a table that declares one `monetary`
    column instead (a log's RFM), that column. Impossible shares (above 1) are withheld and
    named in ``data_warnings``, never clipped.
    """
    declared = CustomerSchema.from_config(schema)
    profile = _with_roles(_profiled(profile, schema, preprocessing, customer_features), schema)
    feature_columns, primary_columns = profiling.profile_columns(profile)
    money = declared.role("monetary")
    revenue = None if declared.products or money is None else declared.by_name[money].feature
    if revenue is not None and revenue not in feature_columns:
        feature_columns.append(revenue)
    con = engines.connect(engine)
    customers = profiling.segment_table(
        engines.table(con, customer_segments, "customer_segments"),
        [
            (
                engines.table(con, customer_features, "features"),
                feature_columns,
                "customer_features",
            ),
            (
                engines.table(con, primary_customers, "primary"),
                primary_columns,
                "primary_customers",
            ),
        ],
    )
    effects = profiling.effect_sizes(customers, list(profile["attributes"]))
    if revenue is None:
        profiles = profiling.segment_profiles(customers, effects, profile)
    else:
        profiles = profiling.value_profiles(customers, effects, {**profile, "revenue": revenue})
    return claims.withhold_impossible_shares(profiles), effects


def name_segments(
    segment_effect_sizes: pd.DataFrame,
    segment_profiles: pd.DataFrame,
    parameters: dict,
    schema: dict,
) -> dict:
    """Unique plain-language names with the descriptors behind them.

    Two rules, chosen by the environment's ``naming`` parameters: with ``archetypes`` (a table
    known by its activity, heavy-tailed: a log's RFM), "Archetype: traits" from median ratios;
    otherwise the income tier and the material differences (Cohen's d, mixes).
    """
    naming_rules = parameters["naming"]
    if naming_rules.get("archetypes"):
        return {
            "rule": (
                "Archetype (the first of the parameters' archetypes whose conditions hold), then "
                f"the traits whose segment median is >= {naming_rules['high_ratio']} or <= "
                f"{naming_rules['low_ratio']} times all customers' median."
            ),
            "segments": naming.name_rfm_segments(segment_profiles, naming_rules),
        }
    materiality = parameters["materiality"]
    profile = _with_roles(
        _resolved(parameters["profile"], schema, attributes.table_attributes(segment_profiles)),
        schema,
    )
    mix = claims.material_mix(segment_profiles, profile, materiality)
    added = {name: profile["attributes"][name] for name in profile["added"]}
    naming_rules = {
        **naming_rules,
        "descriptors": [
            *naming_rules["descriptors"],
            *attributes.generic_descriptors(added, naming_rules["generic"]),
        ],
    }
    return {
        "rule": (
            "Income tier, then the traits with |Cohen's d| >= "
            f"{materiality['effect_size']} in fixed priority order, at most "
            f"{naming_rules['max_descriptors']} descriptors; a channel or deal trait only where "
            "that mix differs materially on its basis figure (share x"
            f"{materiality['share_ratio']} or amount per customer x{materiality['amount_ratio']}) "
            "without the other pointing the other way, or the channel is the segment's main one; "
            "a trait whose mean reads 0.0 says 'no'; generic traits of the attributes the "
            "configured list lacks after the configured ones; clashes add the next trait, then "
            "the segment number."
        ),
        "segments": naming.name_segments(segment_effect_sizes, naming_rules, materiality, mix),
    }


def _with_stability(
    found: dict[int, list[dict]], names: dict[int, str], segment_stability: dict, unstable: float
) -> list[dict]:
    """The actions of each segment with its name and stability; an unstable one's are tentative."""
    jaccard = {int(s["segment"]): s["jaccard_mean"] for s in segment_stability["segments"]}
    marked = actions.mark_tentative(found, jaccard, unstable)
    return [
        {"segment": segment, "name": names[segment], **marked[segment]}
        for segment in sorted(marked)
    ]


def recommend_actions(
    segment_profiles: pd.DataFrame,
    segment_names: dict,
    segment_stability: dict,
    parameters: dict,
    schema: dict,
    *,
    segment_value: pd.DataFrame,
) -> dict:
    """Up to ``max_actions`` marketing actions per segment, each citing its figures; those of an
    unstable segment (Jaccard below ``stability.jaccard_weak``) marked tentative; a segment
    whose contact lost money (``segment_value``) is not told to be contacted first. Each
    segment's ``top_action`` is its first entry in the ranked "Do this first" list
    (``priorities.rank_actions``): what the CRM export and the scoring output carry."""
    rules = {**parameters["actions"], "materiality": parameters["materiality"]}
    profile = _with_roles(
        _resolved(parameters["profile"], schema, attributes.table_attributes(segment_profiles)),
        schema,
    )
    actions.check_texts(rules["texts"], list(profile["channels"]), actions.required_texts(rules))
    mix = claims.material_mix(segment_profiles, profile, parameters["materiality"])
    archetypes = {int(item["segment"]): item.get("archetype") for item in segment_names["segments"]}
    found = actions.recommend_actions(
        segment_profiles, mix, {**rules, "profile": profile}, archetypes, segment_value
    )
    segments = _with_stability(
        found, _names(segment_names), segment_stability, parameters["stability"]["jaccard_weak"]
    )
    top = priorities.top_actions(
        priorities.rank_actions(segments, segment_value, _names(segment_names))
    )
    for item in segments:
        item["top_action"] = top.get(item["segment"], "")
    return {"rules": rules, "segments": segments}


def assess_segment_value(
    segment_profiles: pd.DataFrame,
    customer_segments: pd.DataFrame,
    primary_customers: pd.DataFrame,
    schema: dict,
    *,
    customer_value_forecast: pd.DataFrame | None = None,
    value_forecast_fit: dict | None = None,
    engine: str = "duckdb",
) -> pd.DataFrame:
    """Value per segment and for all customers (``core.analysis.value``): the historical value
    of the profiles; where the schema declares a cost per contact and a revenue per response
    and the table has them, the last campaign's return; where the run has a value forecast
    (a log) and its fit is usable, the forecast per segment (``clv.segment_forecast``)."""
    columns = value.campaign_columns(CustomerSchema.from_config(schema), primary_customers.columns)
    campaign = None
    if columns is not None:
        table = _segment_table(
            customer_segments,
            primary_customers,
            list(columns.values()),
            "primary_customers",
            engine,
        )
        campaign = value.campaign_return(table, columns)
    forecast = None
    if value_forecast_fit is not None and value_forecast_fit["verdict"]["usable"]:
        forecast = clv.segment_forecast(customer_segments, customer_value_forecast)
    elif value_forecast_fit is not None:
        LOGGER.info(
            "value: forecast withheld (%s)", "; ".join(value_forecast_fit["verdict"]["reasons"])
        )
    table = value.segment_value(segment_profiles, campaign, forecast)
    if campaign is None:
        historical = "historical_value_per_customer" in table
        LOGGER.info(
            "value: %s (no cost per contact and revenue per response declared)",
            "historical revenue per customer only"
            if historical
            else "none: the table has no revenue",
        )
    else:
        LOGGER.info(
            "value: a contact pays back in %d of %d segments; %+.2f per contact over all customers",
            len(value.paying_segments(table)),
            len(table) - 1,
            campaign.loc[0, "profit_per_contact"],
        )
    return table


def assess_stability(
    model_input: pd.DataFrame,
    customer_segments: pd.DataFrame,
    clustering: dict,
    settings: dict,
    *,
    engine: str = "duckdb",
) -> dict:
    """Mean/min ARI and per-segment Jaccard over seeded bootstrap re-clusterings; the drawn
    customers' rows come from ``engine``."""
    # Imported here so that the clustering module is looked up at run time (tests may replace it).
    from customer_segmentation.core.clustering.hierarchy import cluster_labels  # noqa: PLC0415

    columns = [column for column in model_input.columns if column != profiling.ID]
    table = _segment_table(customer_segments, model_input, columns, "model_input", engine)
    sizes = table.group_by(profiling.SEGMENT).aggregate(customers=table.count()).execute()

    def read_rows(positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        rows = profiling.rows_at(table, positions)
        matrix = np.ascontiguousarray(rows[columns].to_numpy(dtype="float64"))
        return matrix, rows[profiling.SEGMENT].to_numpy()

    result = stability.resampled_stability(
        read_rows,
        int(sizes["customers"].sum()),
        np.sort(sizes[profiling.SEGMENT].to_numpy()),
        cluster_labels,
        clustering,
        n_resamples=settings["n_resamples"],
        sample_size=settings["sample_size"],
        random_state=settings["random_state"],
    )
    LOGGER.info(
        "stability: mean adjusted Rand index %.2f (sd %.2f, min %.2f) over %d bootstrap resamples",
        result["ari_mean"],
        result["ari_sd"],
        result["ari_min"],
        result["n_resamples"],
    )
    return {"method": stability.__doc__.strip().splitlines()[0], **result}


def plot_segment_sizes(segment_profiles: pd.DataFrame, segment_names: dict) -> Figure:
    """Bar chart of customer and revenue share per segment."""
    return analysis_plots.sizes_plot(segment_profiles, _names(segment_names))


def _segment_table(
    customer_segments: pd.DataFrame,
    table: pd.DataFrame,
    columns: list[str],
    dataset: str,
    engine: str,
):
    """``ID``, ``segment`` and ``columns`` of ``table`` per segmented customer, on ``engine``."""
    con = engines.connect(engine)
    return profiling.segment_table(
        engines.table(con, customer_segments, "customer_segments"),
        [(engines.table(con, table, dataset), columns, dataset)],
    )


def plot_segment_pca(
    model_input: pd.DataFrame,
    customer_segments: pd.DataFrame,
    segment_names: dict,
    plots: dict,
    *,
    engine: str = "duckdb",
) -> Figure:
    """Sampled customers on two principal components, coloured by segment; the sample and the
    segment means come from ``engine``."""
    columns = [column for column in model_input.columns if column != profiling.ID]
    table = _segment_table(customer_segments, model_input, columns, "model_input", engine)
    sample = profiling.segment_sample(table, plots["sample_size"], plots["random_state"])
    return analysis_plots.pca_plot(
        sample[columns].to_numpy(dtype="float64"),
        sample[profiling.SEGMENT].to_numpy(),
        profiling.segment_statistic(table, columns, "mean"),
        _names(segment_names),
        plots["random_state"],
    )


def plot_income_spend(
    customer_features: pd.DataFrame,
    customer_segments: pd.DataFrame,
    segment_names: dict,
    profile: dict,
    plots: dict,
    *,
    engine: str = "duckdb",
) -> Figure:
    """Sampled customers' ``scatter_y`` against ``scatter_x`` (income vs spend), by segment,
    with every segment's medians; the sample and the medians come from ``engine``."""
    x, y = plots["scatter_x"], plots["scatter_y"]
    if x not in customer_features or y not in customer_features:
        return eda_plots.not_available_figure(f"{y} against {x}", f"feature {x} and {y}")
    table = _segment_table(
        customer_segments, customer_features, [x, y], "customer_features", engine
    )
    figure = analysis_plots.scatter_plot(
        profiling.segment_sample(table, plots["sample_size"], plots["random_state"]),
        profiling.segment_statistic(table, [x, y], "median"),
        x,
        y,
        labels=profile["attributes"],
        names=_names(segment_names),
    )
    # Heavy-tailed activity (RFM modes) reads better on log axes; the default sets none.
    log_axes = plots.get("scatter_log_axes", [])
    if "x" in log_axes:
        figure.axes[0].set_xscale("log")
    if "y" in log_axes:
        figure.axes[0].set_yscale("log")
    return figure


def plot_profile_heatmap(
    segment_effect_sizes: pd.DataFrame,
    segment_names: dict,
    profile: dict,
    plots: dict,
    *,
    schema: dict,
) -> Figure:
    """Segments x attributes heatmap of effect sizes (every profiled attribute, labelled)."""
    labels = _resolved(profile, schema, segment_effect_sizes["attribute"].drop_duplicates())[
        "attributes"
    ]
    return analysis_plots.profile_heatmap(
        segment_effect_sizes,
        labels,
        _names(segment_names),
        plots["heatmap_color_limit"],
    )


def plot_attribute_boxplots(
    customer_features: pd.DataFrame,
    customer_segments: pd.DataFrame,
    profile: dict,
    plots: dict,
    *,
    engine: str = "duckdb",
) -> Figure:
    """Box plots of the main attributes by segment (those the table has), from quantiles and
    means of all customers computed on ``engine``."""
    attributes = [name for name in plots["boxplot_attributes"] if name in customer_features]
    table = _segment_table(
        customer_segments, customer_features, attributes, "customer_features", engine
    )
    means = profiling.segment_statistic(table, attributes, "mean")
    quantiles = analysis_plots.box_quantiles(plots["whisker_percentiles"])
    stats = {
        attribute: analysis_plots.box_stats(
            profiling.segment_quantiles(table, attribute, quantiles), means[attribute]
        )
        for attribute in attributes
    }
    figure = analysis_plots.attribute_boxplots(
        stats, profile["attributes"], plots["whisker_percentiles"]
    )
    # One panel per attribute, in order; heavy-tailed ones (RFM modes) on a log axis.
    for ax, attribute in zip(figure.axes, attributes, strict=False):
        if attribute in plots.get("boxplot_log_attributes", []):
            ax.set_yscale("log")
    return figure


def plot_campaign_response(segment_profiles: pd.DataFrame, segment_names: dict) -> Figure:
    """Response and campaign-acceptance rates per segment against the overall rates."""
    if "response_rate" not in segment_profiles:
        return eda_plots.not_available_figure("Campaign response by segment", "response column")
    return analysis_plots.response_plot(segment_profiles, _names(segment_names))


def build_rule_cards(
    customer_segments: pd.DataFrame,
    customer_features: pd.DataFrame,
    segment_names: dict,
    profile: dict,
    settings: dict,
    *,
    schema: dict,
    preprocessing: dict,
    engine: str = "duckdb",
) -> dict:
    """Per segment, the plain rules of a shallow one-vs-rest tree on the profiled attributes
    (``_profiled``: human-readable customer_features columns) and their fidelity."""
    profiled = _profiled(profile, schema, preprocessing, customer_features)
    found = rule_cards.segment_rule_cards(
        customer_segments,
        customer_features,
        list(profiled["attributes"]),
        settings,
        engines.connect(engine),
    )
    names = _names(segment_names)
    for card in found["segments"]:
        card["name"] = names[card["segment"]]
        card["text"] = [
            rule_cards.describe_rule(rule, found["integer_features"])
            for rule in rule_cards.as_rules(card)
        ]
    return {
        "method": (
            "One-vs-rest scikit-learn DecisionTreeClassifier per segment on the customer "
            "features; a segment's rule is any of its tree's 'in segment' leaves. Fidelity, "
            "precision and recall come from applying these rules (exact thresholds) to all "
            "customers."
        ),
        "settings": settings,
        **found,
    }


def export_rules_sql(
    *,
    segment_rules: dict,
    feature_report: dict,
    schema: dict,
    activation: dict,
    cleaning_statistics: dict | None = None,
    missing_values: dict | None = None,
) -> str:
    """The rules as SQL on ``activation.sql_table``, the customer file under its own column
    names (``schema``): a ``CASE WHEN`` for every customer, and a ``WHERE`` per segment. Each
    statement derives the features it compares from the file's columns, at the run's reference
    date (``feature_report``), filling missing values as the cleaning did
    (``cleaning_statistics`` and the ``data_processing.missing_values`` settings; None: a table
    the run did not clean, such as a log's RFM table)."""
    declared = CustomerSchema.from_config(schema)
    fills = feature_sql.fill_values(cleaning_statistics, missing_values or {}, declared)
    names = {card["segment"]: card["name"] for card in segment_rules["segments"]}
    return rule_cards.rules_sql(
        segment_rules,
        names,
        activation["sql_table"],
        id_column=feature_sql.id_column(declared),
        derived=feature_sql.feature_sql(declared, feature_report.get("reference_date")),
        columns=feature_sql.column_sql(declared, fills),
        note=feature_sql.reading_note(fills),
    )


def export_segment_membership(
    customer_segments: pd.DataFrame,
    segment_names: dict,
    segment_actions: dict,
    run_manifest: dict,
    schema: dict,
) -> ibis.Table:
    """CRM-ready membership, one row per customer: the customer ID under the file's own column
    name (``schema``) and as the file holds it, ``segment_id``, ``segment_name``,
    ``segment_action`` (the segment's top-ranked action; empty when it has none) and the
    ``run_id`` of the run that made them (from ``run_manifest``, which the run guard writes
    before any node).

    An Ibis table over the frame, so that the catalog's ``ibis.FileDataset`` writes the CSV with
    DuckDB (both cores) rather than pandas; texts that a spreadsheet would run as a formula are
    neutralised as the project's CSV datasets do.
    """
    if "run_id" not in run_manifest:
        raise ValueError(
            "run_manifest has no run_id: it is written by the RunGuard hook at the start of "
            "`kedro run`; run through Kedro so the export can name its run."
        )
    labels = spreadsheet.segment_labels(segment_names, segment_actions)
    membership = spreadsheet.label_customers(customer_segments, labels)
    membership["run_id"] = run_manifest["run_id"]
    renames = feature_sql.file_names(CustomerSchema.from_config(schema))
    return ibis.memtable(membership.rename(columns=renames))


def track_segments(
    *,
    reference_segment_snapshot: dict | None,
    reference_segment_snapshot_members: pd.DataFrame | None,
    customer_segments: pd.DataFrame,
    customer_features: pd.DataFrame,
    segment_names: dict,
    run_manifest: dict,
    input_quality: dict,
    schema: dict,
    clustering_features: list[str],
    settings: dict,
    engine: str = "duckdb",
) -> tuple[dict, pd.DataFrame, dict, pd.DataFrame]:
    """This run's segments against the latest earlier run's of the same source (none on the
    first run): stable ids, this run's names, the migration of customers in both runs, and this
    run's snapshot.

    The source is ``settings.source`` when set, else the input file ``input_quality`` names
    (the table's or the log's accounting), with a digest of the declared ``schema``. Segments are
    placed in ``clustering_features``; the migration sums ``settings.revenue`` when the table
    has it (no spend declared: customers only)."""
    run = {"run_id": run_manifest["run_id"]}  # Kedro's run id: the run's start time
    revenue = settings["revenue"] if settings["revenue"] in customer_features.columns else None
    name = settings.get("source") or input_quality["source"]
    tracked = segment_history.track(
        reference_segment_snapshot,
        reference_segment_snapshot_members,
        customer_segments,
        customer_features,
        names=_names(segment_names),
        settings={**settings, "features": clustering_features, "revenue": revenue},
        run=run,
        source=segment_history.source_fingerprint(CustomerSchema.from_config(schema), name),
        con=engines.connect(engine),
    )
    LOGGER.info("segment history: %s", _history_line(tracked[0]))
    return tracked


def _history_line(identities: dict) -> str:
    """The segment history in a sentence: first run, not compared (and why), or what was kept,
    new and dissolved."""
    skipped = identities.get("not_compared")
    if skipped is not None:
        return (
            f"not compared with run {skipped['run']['run_id']}: {skipped['reason']}; "
            "this run starts a new history"
        )
    if identities["reference"] is None:
        return "no earlier run; the next run is compared with this one"
    statuses = Counter(s["status"] for s in identities["segments"])
    return (
        f"compared with run {identities['reference']['run_id']}: {statuses['kept']} kept, "
        f"{statuses['new']} new, {len(identities['dissolved'])} dissolved"
    )


def _value_block(
    segment_value: pd.DataFrame | None, schema: dict | None, forecast: dict | None = None
) -> dict | None:
    """The summary's ``value``: the ``segment_value`` rows, the period its historical value
    covers (the revenue columns' unit), the segments whose contact pays back and the value
    ``forecast`` (``report.forecast_summary``; None without a log); None for a table without
    revenue or campaign return (or no ``segment_value``)."""
    columns = set() if segment_value is None else set(segment_value.columns)
    historical, campaign = "historical_value_per_customer" in columns, "pays_back" in columns
    if not (historical or campaign):
        return None
    return {
        "period": value.revenue_period(CustomerSchema.from_config(schema))
        if historical and schema is not None
        else None,
        "campaign": campaign,
        "pays_back": value.paying_segments(segment_value),
        "forecast": forecast,
        "segments": report.records(segment_value),
    }


def _first_screen(
    *,
    segment_profiles: pd.DataFrame,
    segment_value: pd.DataFrame | None,
    segment_actions: dict,
    segment_stability: dict,
    k_selection_decision: dict,
    parameters: dict,
    forecast: dict | None = None,
) -> dict:
    """The report's first screen (``report.first_screen``): segments with their value, the
    actions ranked across segments (``priorities.rank_actions``) and how firm the segments are.
    Logs the ranked list (at most 5 lines) so the console says what the report's first screen
    says."""
    names = {int(item["segment"]): item["name"] for item in segment_actions["segments"]}
    table = (
        segment_value if segment_value is not None else value.segment_value(segment_profiles, None)
    )
    customers = dict(zip(table["segment"].astype(int), table["customers"].astype(int), strict=True))
    jaccard = {int(s["segment"]): float(s["jaccard_mean"]) for s in segment_stability["segments"]}
    structure = k_selection_decision.get("structure")
    screen = report.first_screen(
        table,
        priorities.rank_actions(segment_actions["segments"], table, names),
        names,
        natural=None if not structure else bool(structure["natural_segments"]),
        recovered=priorities.recovered_share(jaccard, customers),
        stable_from=parameters["stability"]["jaccard_stable"],
        forecast=forecast,
    )
    LOGGER.info("first screen: %s", screen["firmness"]["statement"])
    if screen["value_note"]:
        LOGGER.info("first screen: %s", screen["value_note"])
    for entry in screen["actions"][:5]:
        LOGGER.info(
            "do this first %d. segment %d (%s): %s -> %s",
            entry["rank"],
            entry["segment"],
            entry["name"],
            entry["action"],
            entry["effect_text"],
        )
    return screen


def summarise_segmentation(
    *,
    k_selection: pd.DataFrame,
    k_selection_decision: dict,
    segment_profiles: pd.DataFrame,
    segment_effect_sizes: pd.DataFrame,
    segment_names: dict,
    segment_actions: dict,
    segment_stability: dict,
    parameters: dict,
    schema: dict | None = None,
    segment_assignment_agreement: dict | None = None,
    segment_rules: dict | None = None,
    run_manifest: dict | None = None,
    feature_report: dict | None = None,
    segment_identities: dict | None = None,
    segment_migration: pd.DataFrame | None = None,
    data_quality: dict | None = None,
    transaction_line_quality: dict | None = None,
    rejected_transaction_summary: pd.DataFrame | None = None,
    transaction_join_summary: dict | None = None,
    segment_value: pd.DataFrame | None = None,
    value_forecast_fit: dict | None = None,
) -> dict[str, Any]:
    """The run's results in one JSON document (``segmentation_summary``, docs/outputs.md): what
    the report shows and a dashboard's first screen reads, in plain numbers and texts.

    The input's accounting depends on the run's source of customers: the customer table's
    ``data_quality``, the transaction log's line accounting, or both with the join. The figures
    of each report section are those whose roles the table has (``FIGURE_ROLES``). The pipeline
    gives every input; a test may leave out those the report can do without (``None``: no
    schema roles, agreement, rules, run, date check or history). ``value_forecast_fit``: the
    value forecast of the runs that read a log (its holdout check and verdict, in words).
    """
    forecast = report.forecast_summary(value_forecast_fit)
    axes = (parameters["plots"]["scatter_x"], parameters["plots"]["scatter_y"])
    plotted = all(f"mean_{feature}" in segment_profiles for feature in axes)
    mix, profile = None, parameters["profile"]
    if schema is not None:  # mixes (channels, categories, deals, response): the schema's roles
        profile = _with_roles(
            _resolved(profile, schema, attributes.table_attributes(segment_profiles)), schema
        )
        mix = claims.material_mix(segment_profiles, profile, parameters["materiality"])
    history = None
    if segment_identities is not None:
        history = {"identities": segment_identities, "migration": report.records(segment_migration)}
    log = None
    if transaction_line_quality is not None:
        log = {
            "line_quality": transaction_line_quality,
            "rejected": report.records(rejected_transaction_summary),
        }
    summary = {
        "summary_version": report.SUMMARY_VERSION,
        "run": report.run_summary(run_manifest),
        "headline": report.headline_numbers(segment_profiles, _names(segment_names)),
        "first_screen": _first_screen(
            segment_profiles=segment_profiles,
            segment_value=segment_value,
            segment_actions=segment_actions,
            segment_stability=segment_stability,
            k_selection_decision=k_selection_decision,
            parameters=parameters,
            forecast=forecast,
        ),
        # The decision without its per-k reference scores (k_selection_decision keeps them).
        "k": {k: v for k, v in k_selection_decision.items() if k != "reference_scores"},
        "k_scores": report.records(k_selection),
        "profiles": report.records(segment_profiles),
        # The profiled attributes' labels and those shown as percentages (the report's words).
        "attributes": {
            "attributes": profile["attributes"],
            "percent": profile.get("percent") or [],
        },
        "effect_sizes": report.records(segment_effect_sizes),
        "material_mix": None if mix is None or mix.empty else report.records(mix),
        "names": segment_names,
        "actions": segment_actions["segments"],
        "stability": segment_stability,
        "agreement": segment_assignment_agreement,
        "rules": segment_rules,
        "input": {
            "customer_table": data_quality,
            "transaction_log": log,
            "join": transaction_join_summary,
        },
        "date_warnings": report.date_warnings(feature_report),
        "history": history,
        "value": _value_block(segment_value, schema, forecast),
        "figures": {
            section: _drawable(parameters["report"][section] or {}, schema, plotted)
            for section in report.FIGURE_SECTIONS
        },
    }
    return report.jsonable(summary)


def gather_report_figures(**figures: Figure | bytes) -> dict[str, bytes]:
    """The figures the report may embed, by dataset name, as the PNG bytes the run saved."""
    return {name: report.png_bytes(figure) for name, figure in figures.items()}


def render_segmentation_report(
    segmentation_summary: dict, report_figures: dict[str, bytes], parameters: dict
) -> str:
    """The self-contained HTML report: ``segmentation_summary`` in words, tables and figures
    (``parameters``: the thresholds and title of ``cluster_analysis``; the profiled attributes'
    labels and percentages are the summary's ``attributes``)."""
    profile = {**parameters["profile"], **segmentation_summary["attributes"]}
    return report.render(
        report.report_context(
            segmentation_summary, report_figures, {**parameters, "profile": profile}
        )
    )
