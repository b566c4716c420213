"""The segmentation summary and the self-contained HTML report made from it.

``segmentation_summary`` (cluster_analysis) gathers the run's results as JSON values
(``records``, ``jsonable``; its keys: docs/outputs.md); ``report_context`` turns it into what
the template shows, and ``render`` fills the template: inline CSS, figures as base64 PNG data
URIs, no external fonts or scripts, no links but relative ones to the exports written beside it,
and no timestamps (the same inputs give the same bytes).
"""

import base64
import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from customer_segmentation.core.analysis.analysis_plots import segment_color
from customer_segmentation.core.analysis.claims import (
    WARNING_SEPARATOR,
    attribute_figures,
    effect_word,
    figure_text,
)

TEMPLATE = "segmentation_report.html.j2"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The summary's layout; raised when a key changes meaning or goes (docs/outputs.md).
SUMMARY_VERSION = 1
# The report's figure sections, as named in cluster_analysis.report and the summary's `figures`.
FIGURE_SECTIONS = ("eda_figures", "k_figures", "segment_figures")
MIGRATION_COLUMNS = ["from_segment", "to_segment", "customers", "revenue"]


def jsonable(value: Any) -> Any:
    """``value`` with numpy scalars as Python ones, NaN as None and timestamps as ISO text, in
    nested dicts and lists: what ``json.dump`` writes as strict JSON."""
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def records(frame: pd.DataFrame) -> list[dict]:
    """A table as a list of row objects, column order kept, JSON values (``jsonable``)."""
    return jsonable(frame.to_dict("records"))


def frame(rows: Sequence[Mapping] | None, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The summary's row objects (``records``) as a table again; ``columns`` for a table that
    may have no rows."""
    return pd.DataFrame.from_records(list(rows or []), columns=columns)


def headline_numbers(profiles: pd.DataFrame, names: Mapping[int, str]) -> dict:
    """The first screen in numbers: k, customers, and each segment's name and shares (revenue
    share None for a table without spend)."""
    segments = profiles.loc[profiles["segment"] > 0]
    return {
        "k": len(segments),
        "customers": int(segments["customers"].sum()),
        "segments": [
            {
                "segment": int(row["segment"]),
                "name": names[int(row["segment"])],
                "customers": int(row["customers"]),
                "customer_share": float(row["customer_share"]),
                "revenue_share": float(row["revenue_share"]) if "revenue_share" in row else None,
            }
            for row in segments.to_dict("records")
        ],
    }


def png_bytes(figure: Figure | bytes, dpi: int = 110) -> bytes:
    """PNG bytes of a figure: saved figures load as bytes, in-memory ones are matplotlib Figures."""
    if isinstance(figure, bytes | bytearray):
        if not bytes(figure).startswith(PNG_SIGNATURE):
            raise ValueError("report figure: bytes given are not a PNG image; save figures as PNG.")
        return bytes(figure)
    buffer = io.BytesIO()
    # Fixed metadata so the bytes depend only on the drawing. No bbox_inches="tight": every
    # figure lays itself out, and cropping would draw it twice.
    figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def data_uri(figure: Figure | bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(figure)).decode("ascii")


def embed_figures(figures: Mapping[str, Figure | bytes], captions: Mapping[str, str]) -> list[dict]:
    """The figures of one report section, in caption order, as ``{name, caption, uri}``."""
    missing = [name for name in captions if name not in figures]
    if missing:
        raise ValueError(
            f"segmentation report: figure(s) {missing} named in cluster_analysis.report are not "
            "wired to the gather_report_figures node; add them to the pipeline or remove them "
            "from the parameters."
        )
    return [
        {"name": name, "caption": caption, "uri": data_uri(figures[name])}
        for name, caption in captions.items()
    ]


FORMATS = {
    "pct": lambda value: f"{100 * float(value):.1f}%",
    "signed_pct": lambda value: f"{100 * float(value):+.1f}%",
    "d1": lambda value: f"{float(value):.1f}",
    "d2": lambda value: f"{float(value):.2f}",
    "money": lambda value: f"{float(value):,.0f}",
    "cents": lambda value: f"{float(value):,.2f}",
    "gain": lambda value: f"{float(value):+,.2f}",
    "total_gain": lambda value: f"{float(value):+,.0f}",
    "int": lambda value: f"{int(value):,}",
    "d": lambda value: f"{float(value):+.2f}",
}


def fmt(value: object, kind: str = "number") -> str:
    """Readable value: ``pct`` (0..1 -> %), ``money`` (whole units), ``cents`` (two decimals),
    ``gain`` / ``total_gain`` (signed money, two decimals / whole units), ``int``, ``d``
    (signed), ``d1`` / ``d2`` (one / two decimals) or plain."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    if kind in FORMATS:
        return FORMATS[kind](value)
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def _score(value: float) -> str:
    """A k-selection score: whole numbers when large, four significant digits otherwise."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def k_table(k_selection: pd.DataFrame, chosen_k: int) -> dict:
    """The k-selection scores as header + formatted rows, the chosen k flagged."""
    columns = [
        c
        for c in ["k", "wcss", "silhouette", "calinski_harabasz", "davies_bouldin"]
        if c in k_selection
    ]
    rows = []
    for record in k_selection.sort_values("k").to_dict("records"):
        cells = [fmt(int(record["k"]), "int")] + [_score(record[c]) for c in columns[1:]]
        rows.append({"cells": cells, "chosen": int(record["k"]) == int(chosen_k)})
    return {"header": [c.replace("_", " ") for c in columns], "rows": rows}


# How a mix row reads on a segment card: what is compared, the share's base, the amount's unit.
MIX_LABELS = {
    "category": ("{item}", "of spend", "spent on it per customer", "money"),
    "channel": ("{item} purchases", "of purchases", "purchases there per customer", "d1"),
    "deals": ("deal purchases", "of purchases", "deal purchases per customer", "d1"),
    "response": (
        "campaign response",
        "responded to the last campaign",
        "earlier campaigns accepted per customer",
        "d2",
    ),
}


def _mix_rows(mix: pd.DataFrame, top: int) -> list[dict]:
    """The material mix rows of one segment (``claims.material_mix``), as card sentences:
    ``{direction, label, text}``, e.g. ``More``, ``meat``, ``35.0% of spend vs 27.6% for all
    customers; 492 vs 167 spent on it per customer``; at most ``top``, the largest share
    ratio (either way) first."""
    material = mix.loc[mix["direction"] != ""]
    distance = np.log(material["share"] / material["overall_share"]).abs()
    rows = []
    for record in material.loc[distance.sort_values(ascending=False).index[:top]].to_dict(
        "records"
    ):
        label, base, unit, kind = MIX_LABELS[record["measure"]]
        rows.append(
            {
                "direction": "More" if record["direction"] == "high" else "Less",
                "label": label.format(item=record["item"]),
                "text": (
                    f"{fmt(record['share'], 'pct')} {base} vs "
                    f"{fmt(record['overall_share'], 'pct')} for all customers; "
                    f"{fmt(record['amount'], kind)} vs {fmt(record['overall_amount'], kind)} {unit}"
                ),
            }
        )
    return rows


def _traits(
    figures: pd.DataFrame,
    labels: Mapping[str, str],
    effect_size: float,
    top: int,
    named: Sequence[str] = (),
):
    """One segment's attributes that differ materially (|d| >= effect_size), largest |d| first:
    the ``top`` largest, and every attribute in ``named`` (those the segment's name cites,
    material or not, so the card backs its name). ``figures``: the segment's rows of
    ``claims.attribute_figures``; each row shows its figure against all customers'.

    An attribute shown as a mix's ratio of totals appears only where the name cites it: its d
    (of the customers' own shares) can point elsewhere than that figure, and the card's mix rows
    say whether the mix differs."""
    size = figures["effect_size"].abs()
    ranked = figures.assign(size=size).sort_values(["size", "attribute"], ascending=[False, True])
    material = ranked.loc[(ranked["size"] >= effect_size) & ~ranked["of_totals"].astype(bool)]
    shown = ranked.loc[
        ranked.index.isin(material.index[:top]) | ranked["attribute"].isin(list(named))
    ]
    return [
        {
            "label": labels.get(t["attribute"], t["attribute"]),
            "mean": figure_text(t["value"], t["percent"]),
            "overall": figure_text(t["overall"], t["percent"]),
            "d": fmt(t["effect_size"], "d"),
            "size": effect_word(t["effect_size"]),
            "sign": "pos" if t["effect_size"] > 0 else "neg",
        }
        for t in shown.to_dict("records")
    ]


def segment_cards(
    profiles: pd.DataFrame,
    names: Mapping[int, str],
    actions: Mapping[int, Mapping],
    *,
    profile: Mapping,
    top_traits: int,
    effect_size: float,
    mix: pd.DataFrame | None = None,
    key_metrics: Sequence[Mapping] | None = None,
    agreement: Mapping | None = None,
    descriptors: Mapping[int, list[dict]] | None = None,
    rules: Mapping | None = None,
) -> list[dict]:
    """Per segment: name, size, stability, what sets it apart and its actions.

    Only material differences are shown: attributes with |d| >= ``effect_size`` (at most
    ``top_traits``; each with its one figure, ``claims.attribute_figures`` of ``profile``, the
    profile parameters block) and the mix rows of ``mix`` (``claims.material_mix``) with a
    direction; the main channel and largest category only where they differ from all
    customers'. ``actions`` per segment: ``stability`` (``jaccard_mean``, ``tentative``) and
    ``actions``.
    ``key_metrics`` (``{column, label, format}``) replaces the customer-table key numbers after
    customers and revenue share, for modes without income, channels or campaigns.
    ``agreement`` is the ``segment_assignment_agreement`` dataset; ``descriptors`` those of each
    segment's name (``segment_names``): the card shows every attribute the name cites, and the
    main channel where the name cites a channel, so the card backs its name. ``rules`` is the
    ``segment_rules`` dataset (``core.analysis.rule_cards``): each card then shows its segment's
    rules.
    """
    overall = profiles.loc[profiles["segment"] == 0].iloc[0]
    figures = attribute_figures(profiles, profile)
    rule_cards = {}
    if rules is not None:
        rule_cards = {int(card["segment"]): _rule_card(card) for card in rules["segments"]}
    placed = {}
    if agreement is not None:
        placed = {int(s["segment"]): 1 - s["agreement"] for s in agreement["per_segment"]}
    cards = []
    for row in profiles.loc[profiles["segment"] > 0].to_dict("records"):
        segment = int(row["segment"])
        own = figures.loc[figures["segment"] == segment]
        planned = actions[segment]
        named = (descriptors or {}).get(segment, [])
        channels = {d["item"] for d in named if d.get("measure") == "channel"}
        cards.append(
            {
                "segment": segment,
                "name": names[segment],
                "key_numbers": _key_numbers(row, overall, key_metrics, channels),
                "stability": f"{planned['stability']['jaccard_mean']:.2f}",
                "tentative": planned["stability"]["tentative"],
                "placed_elsewhere": fmt(placed[segment], "pct") if segment in placed else None,
                "traits": _traits(
                    own,
                    profile["attributes"],
                    effect_size,
                    top_traits,
                    [d["attribute"] for d in named],
                ),
                "mix": []
                if mix is None
                else _mix_rows(mix.loc[mix["segment"] == segment], top_traits),
                "warnings": _warnings(row.get("data_warnings")),
                "actions": planned["actions"],
                "rules": rule_cards.get(segment),
            }
        )
    return cards


def _rule_card(card: Mapping) -> dict:
    """A segment's rules (``segment_rules``) as the card shows them: the alternatives, and
    fidelity (share of all customers placed correctly, in or out), precision and recall."""
    return {
        "alternatives": list(card["text"]),
        "fidelity": fmt(card["fidelity"], "pct"),
        "precision": fmt(card["precision"], "pct"),
        "recall": fmt(card["recall"], "pct"),
        "selected": fmt(card["selected"], "int"),
    }


def rules_summary(rules: Mapping | None) -> dict | None:
    """What the report says about the rule cards as a whole: tree depth, the features left out,
    and how the exported ``CASE WHEN`` (rules in precedence order) places all customers."""
    if rules is None:
        return None
    return {
        "max_depth": rules["settings"]["max_depth"],
        "left_out": [
            f"{item['feature']} ({item['reason']})" for item in rules["features_left_out"]
        ],
        "agreement": fmt(rules["case"]["agreement"], "pct"),
        "unplaced": fmt(rules["case"]["unplaced"], "pct"),
    }


def _warnings(text: object) -> list[str]:
    """The ``data_warnings`` of a profile row (``claims.withhold_impossible_shares``), one by one;
    a saved and reloaded profile table reads an empty text as missing."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return []
    return [warning for warning in str(text).split(WARNING_SEPARATOR) if warning]


def _key_numbers(
    row: Mapping, overall: Mapping, key_metrics: Sequence[Mapping] | None, named: set[str]
) -> list[tuple[str, str]]:
    """A segment card's key numbers: size and revenue, then the mode's headline metrics; the main
    channel and largest category only where they differ from all customers' (or, for the
    channel, where the segment's name cites it)."""
    size = [("Customers", f"{fmt(row['customers'], 'int')} ({fmt(row['customer_share'], 'pct')})")]
    if "revenue_share" in row:  # a table without spend has no revenue
        size.append(("Revenue share", fmt(row["revenue_share"], "pct")))
    if key_metrics is not None:
        return size + [
            (metric["label"], fmt(row[metric["column"]], metric.get("format", "number")))
            for metric in key_metrics
        ]
    numbers = list(size)
    if "revenue_per_customer" in row:
        numbers.append(
            (
                "Revenue per customer",
                f"{fmt(row['revenue_per_customer'], 'money')} "
                f"(all customers {fmt(overall['revenue_per_customer'], 'money')})",
            )
        )
    channel, category = row.get("preferred_channel"), row.get("top_category")
    if channel is not None and (channel != overall["preferred_channel"] or channel in named):
        numbers.append(
            (
                "Main channel",
                f"{channel} ({fmt(row[f'channel_share_{channel}'], 'pct')} of purchases; all "
                f"customers: {overall['preferred_channel']})",
            )
        )
    if category is not None and category != overall["top_category"]:
        numbers.append(
            (
                "Largest category",
                f"{category} ({fmt(row[f'category_share_{category}'], 'pct')} of spend; all "
                f"customers: {overall['top_category']})",
            )
        )
    return numbers


def profile_table(profiles: pd.DataFrame, names: Mapping[int, str], profile: Mapping) -> dict:
    """Segments (and all customers) x headline metrics and attribute figures, formatted.

    ``profile`` is the profile parameters block: each attribute shows its one figure
    (``claims.attribute_figures``), so a metric row an attribute already shows (the deal share
    of ``totals``) is not repeated.
    """
    figures = attribute_figures(profiles, profile)
    shown = {
        column
        for attribute, column in (profile.get("totals") or {}).items()
        if attribute in set(figures["attribute"])
    }
    metrics = [
        ("customers", "Customers", "int"),
        ("customer_share", "Share of customers", "pct"),
        ("revenue_share", "Share of revenue", "pct"),
        ("revenue_per_customer", "Revenue per customer", "money"),
        ("deal_share", "Deal share of purchases", "pct"),
        ("campaign_acceptance_rate", "Accepted an earlier campaign", "pct"),
        ("response_rate", "Responded to last campaign", "pct"),
        ("preferred_channel", "Preferred channel", "text"),
        ("top_category", "Top category", "text"),
    ]
    header = [f"{s}: {names[s]}" if s else "All customers" for s in profiles["segment"]]
    # A text row equal for every segment (e.g. the same top category everywhere) tells none apart.
    rows = [
        {"label": label, "cells": [fmt(value, kind) for value in profiles[column]]}
        for column, label, kind in metrics
        if column in profiles
        and column not in shown
        and not (kind == "text" and profiles[column].nunique() == 1)
    ]
    for attribute, own in figures.groupby("attribute", sort=False):
        by_segment = own.set_index("segment")
        percent = bool(own["percent"].iloc[0])
        values = [
            by_segment.loc[s, "value"] if s else own["overall"].iloc[0] for s in profiles["segment"]
        ]
        rows.append(
            {
                "label": profile["attributes"][attribute],
                "cells": [figure_text(value, percent) for value in values],
            }
        )
    return {"header": header, "rows": rows}


def stability_summary(
    stability: Mapping, names: Mapping[int, str], stable: float, weak: float
) -> dict:
    """Stability numbers with a verdict per segment (Hennig's Jaccard bands)."""

    def verdict(jaccard: float) -> str:
        if jaccard >= stable:
            return "stable"
        if jaccard >= weak:
            return "a pattern, boundaries vary"
        return "unstable"

    return {
        **{k: v for k, v in stability.items() if k != "segments"},
        "rows": [
            {
                "segment": f"{s['segment']}: {names[s['segment']]}",
                "jaccard_mean": f"{s['jaccard_mean']:.2f}",
                "jaccard_min": f"{s['jaccard_min']:.2f}",
                "verdict": verdict(s["jaccard_mean"]),
            }
            for s in stability["segments"]
        ],
    }


def render(context: Mapping) -> str:
    """Fill the report template (autoescaped) with ``context``."""
    environment = Environment(
        loader=PackageLoader("customer_segmentation.core.reporting", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    return environment.get_template(TEMPLATE).render(**context)


def date_warnings(feature_report: Mapping | None) -> list[str]:
    """The feature step's warnings that the input's dates look shifted (older reports: none)."""
    return list((feature_report or {}).get("date_warnings", []))


def quality_summary(data_quality: Mapping) -> dict:
    """Rows in/kept/rejected, dropped columns and the rules as a table (any rule keys)."""
    rules = list(data_quality.get("rules", []))
    keys = list(dict.fromkeys(key for rule in rules for key in rule))
    return {
        "source": data_quality.get("source", "–"),
        "rows_in": fmt(data_quality["rows_in"], "int"),
        "rows_kept": fmt(data_quality["rows_kept"], "int"),
        "rows_rejected": fmt(data_quality["rows_rejected"], "int"),
        "kept_share": fmt(data_quality["rows_kept"] / max(data_quality["rows_in"], 1), "pct"),
        "dropped_columns": list(data_quality.get("dropped_columns", [])),
        "rules": {
            "header": [key.replace("_", " ") for key in keys],
            "rows": [[fmt(rule.get(key, "")) for key in keys] for rule in rules],
        },
    }


def headline(numbers: Mapping, colors: Mapping[int, str]) -> dict:
    """The summary's ``headline`` (`headline_numbers`) formatted for the page, with colours."""
    return {
        "k": numbers["k"],
        "n_customers": fmt(numbers["customers"], "int"),
        "revenue": any(item["revenue_share"] is not None for item in numbers["segments"]),
        "segments": [
            {
                **item,
                "color": colors[item["segment"]],
                "customers": fmt(item["customers"], "int"),
                "customer_share": fmt(item["customer_share"], "pct"),
                "revenue_share": None
                if item["revenue_share"] is None
                else fmt(item["revenue_share"], "pct"),
            }
            for item in numbers["segments"]
        ],
    }


def transaction_summary(
    line_quality: Mapping, rejected: pd.DataFrame, join: Mapping | None = None
) -> dict:
    """The transaction log's line accounting (in = valid + cancellations + rejected per rule),
    its customers and, in the joined mode, how the log matched the customer table."""
    rows_in = max(int(line_quality["rows_in"]), 1)
    return {
        "source": line_quality.get("source", "–"),
        "reference_date": line_quality.get("reference_date", "–"),
        "counts": [
            (label, fmt(line_quality[key], "int"), fmt(line_quality[key] / rows_in, "pct"))
            for key, label in [
                ("rows_in", "lines read"),
                ("rows_valid", "valid purchase lines"),
                ("rows_cancellation", "cancellation lines"),
                ("rows_rejected", "lines rejected, each with a reason"),
            ]
        ],
        "rules": [
            {
                "rule": record["reject_reason"],
                "detail": record["detail"],
                "lines": fmt(record["lines"], "int"),
                "share": fmt(record["share_of_lines"], "pct"),
                "customers": fmt(record["customers"], "int"),
                "value": fmt(record["value"], "money"),
            }
            for record in rejected.to_dict("records")
        ],
        "customers": [
            (label, fmt(line_quality[key], "int"))
            for key, label in [
                ("customers_in_log", "customer IDs in the log"),
                ("customers_with_purchases", "with purchases (segmented)"),
                ("customers_only_cancellations", "with only cancellations"),
                ("customers_only_rejected_lines", "with only rejected lines"),
            ]
        ],
        "join": None
        if join is None
        else [
            (label, fmt(join[key], "int"))
            for key, label in [
                ("customers", "customers in the table"),
                ("matched", "found in the log"),
                ("without_transactions", "without transactions (no activity)"),
                ("log_customers_not_in_table", "log customers not in the kept table"),
            ]
        ],
    }


def _mean_sd(mean: float | None, sd: float | None) -> str:
    if mean is None:
        return "–"
    return f"{float(mean):.2f}" if sd is None else f"{float(mean):.2f} ± {float(sd):.2f}"


def structure_summary(decision: Mapping) -> dict:
    """What the report's first screen says about the data's structure and the choice of k.

    From the k decision's ``structure`` (``natural_segments``, ``statement``, stability and
    null-reference means and standard deviations, ``thresholds``) and ``explanation`` (why this
    k, in marketing language). Decision files written before those keys existed give ``None``
    for them, and the report says that the structure was not assessed.
    """
    structure = decision.get("structure")
    summary = None
    if structure:
        settings = structure["thresholds"]
        summary = {
            "sample_size": fmt(settings["sample_size"], "int"),
            "n_resamples": settings["n_resamples"],
            "natural": bool(structure["natural_segments"]),
            "statement": structure["statement"],
            "stability": _mean_sd(structure.get("stability_mean"), structure.get("stability_sd")),
            "null_stability": _mean_sd(
                structure.get("null_stability_mean"), structure.get("null_stability_sd")
            ),
            "thresholds": [
                (key.replace("_", " "), fmt(value, "int" if isinstance(value, int) else "number"))
                for key, value in settings.items()
            ],
        }
    return {"structure": summary, "explanation": decision.get("explanation")}


def agreement_summary(agreement: Mapping | None, names: Mapping[int, str]) -> dict | None:
    """Per segment and overall, the share of training customers that the scoring model
    (``segment_assignment_agreement``: nearest segment centroid) places in another segment."""
    if agreement is None:
        return None
    return {
        "rule": agreement["assignment_rule"],
        "placed_elsewhere": fmt(1 - agreement["agreement"], "pct"),
        "rows": [
            {
                "segment": f"{s['segment']}: {names[int(s['segment'])]}",
                "customers": fmt(s["customers"], "int"),
                "placed_elsewhere": fmt(1 - s["agreement"], "pct"),
            }
            for s in agreement["per_segment"]
        ],
    }


def run_summary(manifest: Mapping | None) -> dict | None:
    """The run id and input files with their SHA-256, from the run manifest (None: no manifest)."""
    if not manifest or "run_id" not in manifest:
        return None
    inputs = [{"name": name, **entry} for name, entry in sorted(manifest.get("inputs", {}).items())]
    return {"id": manifest["run_id"], "inputs": inputs}


STATUS_TEXT = {
    "kept": "kept (matched an earlier segment)",
    "new": "new (no earlier segment close enough)",
    "first": "first run",
}


def migration_matrix(migration: pd.DataFrame) -> pd.DataFrame:
    """Customers of both runs as earlier segment (rows) x this run's segment (columns), both by
    history id; a pair with no customer is 0."""
    return migration.pivot_table(
        index="from_segment", columns="to_segment", values="customers", aggfunc="sum", fill_value=0
    )


def migration_heatmap(
    matrix: pd.DataFrame,
    row_labels: Mapping[int, str] | None = None,
    column_labels: Mapping[int, str] | None = None,
) -> Figure:
    """``migration_matrix`` as a heatmap, each cell's count written in it; labels by history
    id (the ids themselves when not given)."""
    values = matrix.to_numpy(dtype=float)
    figure = Figure(
        figsize=(1.6 + 1.3 * matrix.shape[1], 1.2 + 0.55 * matrix.shape[0]), layout="constrained"
    )
    axes = figure.subplots()
    image = axes.imshow(values, cmap="Blues", aspect="auto")
    rows = [(row_labels or {}).get(s, str(s)) for s in matrix.index]
    columns = [(column_labels or {}).get(s, str(s)) for s in matrix.columns]
    axes.set_xticks(range(matrix.shape[1]), columns, rotation=30, ha="right", fontsize=8)
    axes.set_yticks(range(matrix.shape[0]), rows, fontsize=8)
    axes.set_xlabel("This run's segment")
    axes.set_ylabel("Earlier run's segment")
    for (row, column), count in np.ndenumerate(values):
        color = "white" if count > values.max() / 2 else "#1f2933"
        axes.text(column, row, f"{int(count):,}", ha="center", va="center", color=color, fontsize=8)
    figure.colorbar(image, ax=axes, label="customers")
    axes.set_title("Where the customers of both runs went")
    return figure


def history_summary(identities: Mapping | None, migration: pd.DataFrame | None) -> dict | None:
    """What the report says about segment history (``segment_identities``, ``segment_migration``
    of ``core.analysis.segment_history``): None where the run tracks no history; on a first run
    only ``first``; else the reference run, each segment's status, the dissolved segments, the
    migration as table rows (every cell of ``migration``, in its order) and as a heatmap."""
    if identities is None:
        return None
    segments = [
        {
            "segment": s["segment"],
            "stable_id": s["stable_id"],
            "name": s["name"],
            "status": s["status"],
            "status_text": STATUS_TEXT[s["status"]],
            "distance": fmt(s["distance"], "d2"),
        }
        for s in identities["segments"]
    ]
    if identities["reference"] is None:
        return {
            "first": True,
            "not_compared": identities.get("not_compared"),
            "segments": segments,
        }
    # A table without revenue has a migration of customers only (its revenue cells are empty).
    revenue = "revenue" in migration and bool(migration["revenue"].notna().any())
    earlier = {s["matched"]: s["name"] for s in identities["segments"] if s["matched"]}
    earlier |= {s["segment"]: s["name"] for s in identities["dissolved"]}
    now = {s["stable_id"]: s["name"] for s in identities["segments"]}

    def label(names: Mapping[int, str], segment: int) -> str:
        return f"{segment}: {names[segment]}"

    rows = [
        {
            "from": label(earlier, int(r["from_segment"])),
            "to": label(now, int(r["to_segment"])),
            "moved": int(r["from_segment"]) != int(r["to_segment"]),
            "customers": fmt(r["customers"], "int"),
            "revenue": fmt(r["revenue"], "money") if revenue else None,
        }
        for r in migration.to_dict("records")
    ]
    matrix = migration_matrix(migration)
    row_labels = {s: label(earlier, int(s)) for s in matrix.index}
    column_labels = {s: label(now, int(s)) for s in matrix.columns}
    stayed = migration.loc[migration["from_segment"] == migration["to_segment"], "customers"]
    return {
        "first": False,
        "reference": identities["reference"],
        "max_distance": fmt(identities["max_distance"], "d2"),
        "segments": segments,
        "counts": {status: sum(s["status"] == status for s in segments) for status in STATUS_TEXT},
        "dissolved": [label(earlier, s["segment"]) for s in identities["dissolved"]],
        "rows": rows,
        "customers": fmt(migration["customers"].sum(), "int"),
        "revenue": fmt(migration["revenue"].sum(), "money") if revenue else None,
        "stayed": fmt(stayed.sum(), "int"),
        "figure": data_uri(migration_heatmap(matrix, row_labels, column_labels))
        if len(migration)
        else None,
    }


# The value table's columns as the report shows them: (column, header, format).
VALUE_COLUMNS = (
    ("customers", "Customers", "int"),
    ("customer_share", "Share of customers", "pct"),
    ("revenue", "Revenue", "money"),
    ("revenue_share", "Share of revenue", "pct"),
    ("historical_value_per_customer", "Revenue per customer (historical)", "money"),
    ("response_rate", "Accepted the last offer", "pct"),
    ("revenue_per_contact", "Revenue per contact", "cents"),
    ("cost_per_contact", "Cost per contact", "cents"),
    ("profit_per_contact", "Profit per contact (last campaign)", "gain"),
    ("profit_all_contacted", "Profit if all contacted", "total_gain"),
    # The value forecast (a log; {months}: its horizon).
    ("forecast_customers", "Customers with a forecast", "int"),
    (
        "expected_purchases_per_customer",
        "Expected purchases per customer (next {months} months)",
        "d1",
    ),
    ("clv_per_customer", "Value per customer (forecast over {months} months)", "money"),
    ("clv_total", "Forecast value (next {months} months)", "money"),
    ("mean_p_alive", "Still active (P(alive))", "pct"),
    ("predicted_holdout_purchases", "Holdout: purchases predicted", "money"),
    ("actual_holdout_purchases", "Holdout: purchases made", "int"),
    ("holdout_error", "Holdout error", "signed_pct"),
)


def _header(text: str, months: int | None) -> str:
    return text.format(months=months) if months is not None else text


def holdout_sentence(fit: Mapping) -> str:
    """The holdout check in plain words (``value_forecast_fit``): what the model, fitted on the
    purchases before the holdout, predicted for it, what happened and the error."""
    check, periods = fit["holdout"], fit["periods"]
    last_day = (pd.Timestamp(periods["end"]) - pd.Timedelta(days=1)).date().isoformat()
    error = (
        "no purchase to compare with" if check["error"] is None else f"error {check['error']:+.1%}"
    )
    mae = (
        f"; per customer it was {check['mae_per_customer']:.2f} purchases off on average, "
        f"against {check['actual_per_customer']:.2f} made"
        if check["actual_per_customer"]
        else ""
    )
    return (
        f"Fitted on the purchases before the last {check['days']} days of the log "
        f"({periods['split']} to {last_day}), the model predicted "
        f"{fmt(check['predicted'], 'money')} purchases in those {check['days']} days by the "
        f"{fmt(check['customers'], 'int')} customers who had bought before; there were "
        f"{fmt(check['actual'], 'int')} ({error}{mae})."
    )


def forecast_summary(fit: Mapping | None) -> dict | None:
    """The value forecast in plain words (``value_forecast_fit``; None where the run has no
    log): whether it is shown (``usable``, ``reasons``, ``notes``), its horizon and discount,
    the holdout check's figures and sentence (``holdout_statement``) and a ``statement`` of what
    the value per customer is."""
    if fit is None:
        return None
    verdict, months = fit["verdict"], int(fit["settings"]["horizon_months"])
    rate = float(fit["settings"]["discount_rate"])
    if verdict["usable"]:
        statement = (
            f"Value per customer is a forecast: what a customer is expected to spend over the next "
            f"{months} months (customer lifetime value, CLV, discounted at {rate:.1%} a month), "
            "from how often and how recently they bought and what they spent (BG/NBD and "
            "Gamma-Gamma models). Still active (P(alive)) is the chance a customer has not left."
        )
    else:
        statement = (
            "No forecast is shown: the value model " + "; ".join(verdict["reasons"]) + ". Value "
            "per customer is historical."
        )
    notes = [note[0].upper() + note[1:] + "." for note in verdict.get("notes", [])]
    check = fit["holdout"]
    error = "" if check["error"] is None else f" (error {check['error']:+.1%})"
    short = (
        f"Value per customer: the expected spend over the next {months} months (customer "
        "lifetime value); still active: the chance a customer has not left. Checked on the "
        f"last {check['days']} days of the log: the model predicted "
        f"{fmt(check['predicted'], 'money')} purchases; there were "
        f"{fmt(check['actual'], 'int')}{error}."
    )
    return {
        "usable": bool(verdict["usable"]),
        "reasons": verdict["reasons"],
        "notes": notes,
        "horizon_months": months,
        "discount_rate": rate,
        "model": fit["model"],
        "parameters": fit["parameters"],
        "periods": fit["periods"],
        "holdout": fit["holdout"],
        "holdout_statement": holdout_sentence(fit),
        "short_statement": short,
        "statement": statement,
    }


def _campaign_verdict(overall: Mapping, paying: Sequence[str], segments: int) -> str:
    """The campaign return in two plain sentences: what a contact costs and brings, and where it
    paid back (``overall``: the all-customers row of ``segment_value``)."""
    where = (
        f"It paid back in {len(paying)} of {segments} segments: {', '.join(paying)}."
        if paying
        else f"It paid back in none of the {segments} segments."
    )
    cost = f"In the last campaign a contact cost {fmt(overall['cost_per_contact'], 'cents')}"
    if overall["responses"]:
        per_response = overall["response_revenue"] / overall["responses"]
        cost += (
            f" and an accepted offer brought {fmt(per_response, 'cents')}, so a contact pays "
            f"for itself when at least {fmt(overall['break_even_response_rate'], 'pct')} of "
            "those contacted accept"
        )
    else:
        cost += " and nobody accepted the offer"
    result = "earned" if overall["profit_per_contact"] > 0 else "lost"
    return (
        f"{cost}. {where} Over all customers a contact {result} "
        f"{fmt(abs(overall['profit_per_contact']), 'cents')} "
        f"({fmt(overall['profit_all_contacted'], 'total_gain')} for "
        f"{fmt(overall['contacts'], 'int')} contacts)."
    )


def _paid_back(row: Mapping) -> str:
    """ "yes" or "no" when the response rate's 95 % interval says so, else "unclear" with it."""
    if row["pays_back"]:
        return "yes"
    if row["loses_money"]:
        return "no"
    low, high = fmt(row["response_rate_low"], "pct"), fmt(row["response_rate_high"], "pct")
    return f"unclear: {low}–{high} may accept"


def value_section(block: Mapping | None, names: Mapping[int, str]) -> dict | None:
    """The report's "Value per segment" table and sentences from the summary's ``value`` block
    (None: the table has neither revenue nor campaign return, and the report shows nothing)."""
    if block is None:
        return None
    table = frame(block["segments"])
    forecast = block.get("forecast")
    months = forecast["horizon_months"] if forecast else None
    columns = [
        (column, _header(header, months), kind)
        for column, header, kind in VALUE_COLUMNS
        if column in table
    ]
    rows = []
    for row in table.to_dict("records"):
        segment = int(row["segment"])
        rows.append(
            {
                "segment": segment,
                "label": f"{segment}: {names[segment]}" if segment else "All customers",
                "cells": [fmt(row[column], kind) for column, _, kind in columns],
                "pays_back": _paid_back(row) if block["campaign"] else None,
            }
        )
    by_segment = table.set_index("segment")
    paying = [
        f"{s}: {names[s]} ({fmt(by_segment.loc[s, 'profit_per_contact'], 'gain')} per contact)"
        for s in block["pays_back"]
    ]
    return {
        "header": [header for _, header, _ in columns],
        "rows": rows,
        "campaign": block["campaign"],
        "historical": "historical_value_per_customer" in table,
        "period": block["period"],
        "forecast": forecast,
        "verdict": _campaign_verdict(by_segment.loc[0], paying, len(rows) - 1)
        if block["campaign"]
        else None,
    }


# The first screen's segment columns: those of the value table, as it heads and formats them. The
# value per customer is the forecast's where the table has one, else the historical one.
FIRST_SCREEN = (
    "customers",
    "revenue_share",
    "historical_value_per_customer",
    "clv_per_customer",
    "mean_p_alive",
    "profit_per_contact",
)
FIRST_SCREEN_COLUMNS = tuple(spec for spec in VALUE_COLUMNS if spec[0] in FIRST_SCREEN)


def effect_rule(campaign: bool, revenue: bool, forecast_months: int | None = None) -> str:
    """The ranking rule of ``priorities.rank_actions`` in one sentence, for what the table has:
    a campaign return (``campaign``), revenue (``revenue``) and a value forecast over
    ``forecast_months``."""
    if forecast_months is not None:
        other = f"the forecast value (next {forecast_months} months) of the segment it acts on"
    elif revenue:
        other = "the historical revenue of the segment it acts on"
    else:
        other = "the customers of the segment it acts on"
    if not campaign:
        return f"Ranked by expected effect: {other}. No response uplift is assumed."
    return (
        "Ranked by expected effect: a campaign action by the money it makes or saves at the last "
        "campaign's acceptance and prices (profit if the whole segment is contacted, or the loss "
        f"avoided by not contacting it) comes first; any other action by {other}; one that would "
        "lose money comes last. No response uplift is assumed."
    )


def _contact_text(entry: Mapping, customers: str) -> str:
    """A campaign action's money effect in words (``contact`` "include" or "cut")."""
    gain = entry["effect"] >= 0
    if entry["contact"] == "include":
        if gain:
            return f"{fmt(entry['effect'], 'total_gain')} if all {customers} are contacted"
        return f"loses {fmt(-entry['effect'], 'money')} if all {customers} are contacted"
    if gain:
        return f"avoids a loss of {fmt(entry['effect'], 'money')} on {customers} contacts"
    return f"forgoes a profit of {fmt(-entry['effect'], 'money')} on {customers} contacts"


def _effect_text(
    entry: Mapping,
    total_revenue: float | None,
    total_customers: int,
    forecast: tuple[float, int] | None = None,
) -> str:
    """One ranked action's expected effect in words (``priorities.rank_actions`` entry);
    ``forecast``: all customers' forecast value and its horizon in months."""
    customers = fmt(entry["customers"], "int")
    if entry["contact"] in {"include", "cut"}:
        return _contact_text(entry, customers)
    if entry["effect_kind"] == "forecast" and forecast is not None:
        total, months = forecast
        share = entry["effect"] / total if total else 0.0
        return (
            f"acts on {fmt(share, 'pct')} of the value forecast for the next {months} months "
            f"({fmt(entry['effect'], 'money')}), {customers} customers"
        )
    if entry["effect_kind"] == "revenue":
        share = entry["revenue"] / total_revenue if total_revenue else 0.0
        return (
            f"acts on {fmt(share, 'pct')} of revenue ({fmt(entry['revenue'], 'money')}), "
            f"{customers} customers"
        )
    return f"acts on {customers} customers ({fmt(entry['customers'] / total_customers, 'pct')})"


def firmness_sentence(k: int, natural: bool | None, recovered: float, stable_from: float) -> str:
    """How firm the segments are, in one plain sentence: natural groups or a practical slicing
    (the structure check), and the share of customers a rebuild on resampled customers keeps in
    the same segment (``recovered``, 0..1; ``stable_from``: the stable threshold, 0..1)."""
    if natural is None:
        opener = f"These {k} segments were not tested for natural groups"
    elif natural:
        opener = f"These {k} segments are natural groups in the data"
    else:
        opener = (
            f"These {k} segments are a practical way to slice similar customers, "
            "not sharp natural groups"
        )
    moved = 1.0 - recovered
    odds = f"about 1 in {round(1 / moved)}" if moved >= 0.05 else "few"
    return (
        f"{opener}: rebuilt on resampled customers, they keep {fmt(recovered, 'pct')} of "
        f"customers in the same segment, so {odds} customers could fall in a neighbouring "
        f"segment on other data (a segment counts as stable from {fmt(stable_from, 'pct')})."
    )


def first_screen(
    value_table: pd.DataFrame,
    ranked: Sequence[Mapping],
    names: Mapping[int, str],
    *,
    natural: bool | None,
    recovered: float,
    stable_from: float,
    forecast: Mapping | None = None,
) -> dict:
    """The report's first screen as JSON values: ``segments`` (segment, name and the
    ``FIRST_SCREEN_COLUMNS`` that ``value_table``, i.e. ``segment_value``, has: the forecast's
    value per customer and P(alive) in place of the historical value where it has them; all
    customers as ``overall``), the ``ranked`` actions (``priorities.rank_actions``) with their
    effect in words, the ranking ``rule``, ``firmness`` (``firmness_sentence`` and its numbers)
    and ``value_basis``: "forecast" (with ``horizon_months``), "historical" or None, with the
    ``value_note`` saying what the value is (``forecast``: ``forecast_summary``)."""
    columns = [column for column, _, _ in FIRST_SCREEN_COLUMNS if column in value_table]
    forecast_shown = "clv_per_customer" in columns
    if forecast_shown:
        columns.remove("historical_value_per_customer")
    basis, note = None, None
    if forecast_shown and forecast is not None:
        basis = "forecast"
        note = " ".join([forecast["short_statement"], *forecast["notes"]])
    elif "historical_value_per_customer" in columns:
        basis = "historical"
        if forecast is not None:  # withheld: say why (the template says what history is)
            note = f"{forecast['statement']} {forecast['holdout_statement']}"
    rows = value_table.set_index("segment")[columns]
    overall = rows.loc[0]
    everyone = value_table.set_index("segment").loc[0]
    total_revenue = float(everyone["revenue"]) if "revenue" in everyone else None
    segments = [
        {"segment": int(segment), "name": names[int(segment)], **row}
        for segment, row in rows.drop(index=0).to_dict("index").items()
    ]
    months = forecast["horizon_months"] if forecast_shown and forecast else None
    total_forecast = (float(everyone["clv_total"]), months) if months is not None else None
    actions = [
        {
            **entry,
            "effect_text": _effect_text(
                entry, total_revenue, int(everyone["customers"]), total_forecast
            ),
        }
        for entry in ranked
    ]
    return {
        "columns": columns,
        "segments": segments,
        "overall": {"segment": 0, "name": "All customers", **overall.to_dict()},
        "actions": actions,
        "rule": effect_rule("profit_all_contacted" in everyone, total_revenue is not None, months),
        "value_basis": basis,
        "horizon_months": months,
        "value_note": note,
        "firmness": {
            "natural": natural,
            "recovered_share": recovered,
            "stable_from": stable_from,
            "statement": firmness_sentence(len(segments), natural, recovered, stable_from),
        },
    }


def first_screen_view(screen: Mapping, colors: Mapping[int, str]) -> dict:
    """The summary's ``first_screen`` formatted for the page: headers, cells and colours."""
    months = screen.get("horizon_months")
    kinds = {
        column: (_header(header, months), kind) for column, header, kind in FIRST_SCREEN_COLUMNS
    }
    columns = screen["columns"]

    def row(item: Mapping) -> dict:
        return {
            "segment": item["segment"],
            "label": f"{item['segment']}: {item['name']}" if item["segment"] else item["name"],
            "color": colors.get(item["segment"], "transparent"),
            "cells": [fmt(item[column], kinds[column][1]) for column in columns],
        }

    return {
        "header": [kinds[column][0] for column in columns],
        "rows": [row(item) for item in screen["segments"]],
        "overall": row(screen["overall"]),
        "actions": [{**entry, "color": colors[entry["segment"]]} for entry in screen["actions"]],
        "rule": screen["rule"],
        "firmness": screen["firmness"]["statement"],
        "value_note": screen.get("value_note"),
    }


def report_context(summary: Mapping, figures: Mapping[str, bytes], parameters: Mapping) -> dict:
    """Everything the report template shows, from ``segmentation_summary`` and the figures' PNG
    bytes; ``parameters`` (cluster_analysis) give the labels, thresholds and title."""
    names = {int(item["segment"]): item["name"] for item in summary["names"]["segments"]}
    colors = {segment: to_hex(segment_color(segment)) for segment in names}
    settings = parameters["report"]
    bands = parameters["stability"]
    profiles = frame(summary["profiles"])
    mix = None if summary["material_mix"] is None else frame(summary["material_mix"])
    decision = summary["k"]
    agreement, rules, source = summary["agreement"], summary["rules"], summary["input"]
    cards = segment_cards(
        profiles,
        names,
        {int(item["segment"]): item for item in summary["actions"]},
        profile=parameters["profile"],
        top_traits=settings["top_traits"],
        effect_size=parameters["materiality"]["effect_size"],
        mix=mix,
        key_metrics=settings.get("key_metrics"),
        agreement=agreement,
        descriptors={
            int(item["segment"]): item["descriptors"] for item in summary["names"]["segments"]
        },
        rules=rules,
    )
    for card in cards:
        card["color"] = colors[card["segment"]]
    log = source["transaction_log"]
    stability = stability_summary(
        summary["stability"], names, bands["jaccard_stable"], bands["jaccard_weak"]
    )
    stability.update(jaccard_stable=bands["jaccard_stable"], jaccard_weak=bands["jaccard_weak"])
    history = summary["history"]
    return {
        "title": settings["title"],
        "run": summary["run"],
        "naming_note": settings.get("naming_note"),
        "headline": headline(summary["headline"], colors),
        "first": first_screen_view(summary["first_screen"], colors),
        "value": value_section(summary["value"], names),
        **structure_summary(decision),
        "agreement": agreement_summary(agreement, names),
        "rules": rules_summary(rules),
        # Relative links to the exports written beside the report (activation.report_links).
        "links": parameters["activation"]["report_links"],
        "tentative_below": bands["jaccard_weak"],
        "quality": None
        if source["customer_table"] is None
        else quality_summary(source["customer_table"]),
        "mixes": mix is not None,  # the table has mixes to compare
        "transactions": None
        if log is None
        else transaction_summary(log["line_quality"], frame(log["rejected"]), source["join"]),
        "date_warnings": summary["date_warnings"],
        "decision": {
            "rule": decision.get("rule", "–"),
            "chosen_k": decision.get("chosen_k", len(names)),
            "knee_k": decision.get("knee_k"),
            "best_silhouette_k": decision.get("best_silhouette_k"),
            "reasoning": decision.get("reasoning", "–"),
        },
        "k_table": k_table(frame(summary["k_scores"]), decision.get("chosen_k", len(names))),
        "cards": cards,
        "profile_table": profile_table(profiles, names, parameters["profile"]),
        "stability": stability,
        **{
            section: embed_figures(figures, summary["figures"][section])
            for section in FIGURE_SECTIONS
        },
        "history": None
        if history is None
        else history_summary(history["identities"], frame(history["migration"], MIGRATION_COLUMNS)),
    }
