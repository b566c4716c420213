"""In-memory cluster_analysis fixtures, built to the shapes in docs/architecture.md.

Features are derived simply from the shared ``primary_customers`` fixture; segments come from
scikit-learn Ward on the standardised features (a stand-in for the clustering pipeline).
"""

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from kedro.config import OmegaConfigLoader
from matplotlib.figure import Figure
from sklearn.cluster import AgglomerativeClustering

CONF = Path(__file__).parents[3] / "conf"
SHARED_CONFTEST = Path(__file__).parents[2] / "conftest.py"
REFERENCE_DATE = pd.Timestamp("2014-12-31")
N_SEGMENTS = 3
RUN_ID = "2026-12-02T13.30.20.488Z"  # as the RunGuard hook writes it to run_manifest.json

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


def make_features(primary: pd.DataFrame) -> pd.DataFrame:
    """A ``customer_features`` frame with the documented columns, derived directly."""
    products = ["MntWines", "MntFruits", "MntMeatProducts", "MntFishProducts", "MntSweetProducts"]
    products.append("MntGoldProds")
    channels = ["NumWebPurchases", "NumCatalogPurchases", "NumStorePurchases"]
    spend = primary[products].sum(axis=1)
    purchases = primary[channels].sum(axis=1)
    per_purchase = purchases.where(purchases > 0)
    features = pd.DataFrame(
        {
            "ID": primary["ID"],
            "age": (REFERENCE_DATE.year - primary["Year_Birth"]).astype("float64"),
            "tenure_days": (REFERENCE_DATE - primary["Dt_Customer"]).dt.days.astype("float64"),
            "income": primary["Income"],
            "recency_days": primary["Recency"].astype("float64"),
            "total_spend": spend.astype("float64"),
            "total_purchases": purchases.astype("float64"),
            "avg_spend_per_purchase": (spend / per_purchase).fillna(0.0),
            "deal_purchase_share": (primary["NumDealsPurchases"] / per_purchase).fillna(0.0),
            "children": (primary["Kidhome"] + primary["Teenhome"]).astype("float64"),
            "education_level": primary["Education"]
            .map({"Basic": 0, "2n Cycle": 1, "Graduation": 2, "Master": 3, "PhD": 4})
            .astype("float64"),
        }
    )
    for name, column in zip(
        ["wines", "fruits", "meat", "fish", "sweets", "gold"], products, strict=True
    ):
        features[f"spend_share_{name}"] = (primary[column] / spend.where(spend > 0)).fillna(0.0)
    for name, column in zip(["web", "catalog", "store"], channels, strict=True):
        features[f"purchase_share_{name}"] = (primary[column] / per_purchase).fillna(0.0)
    campaigns = [f"AcceptedCmp{i}" for i in range(1, 6)]
    features["campaigns_accepted"] = primary[campaigns].sum(axis=1).astype("float64")
    features["responded_last_campaign"] = primary["Response"].astype("float64")
    features["is_parent"] = (features["children"] > 0).astype("float64")
    return features


def make_model_input(features: pd.DataFrame) -> pd.DataFrame:
    """``ID`` + standardised float64 columns."""
    columns = ["income", "total_spend", "age", "children", "deal_purchase_share", "recency_days"]
    matrix = features[columns].astype("float64")
    matrix = (matrix - matrix.mean()) / matrix.std(ddof=0)
    return pd.concat([features[["ID"]].astype("int64"), matrix], axis=1)


def ward_labels(matrix: np.ndarray, n_clusters: int, settings: dict) -> np.ndarray:
    """Stand-in for ``hierarchy.cluster_labels``: scikit-learn Ward, labels 0..k-1."""
    return AgglomerativeClustering(n_clusters=n_clusters, linkage="ward").fit_predict(matrix)


def make_segments(model_input: pd.DataFrame, k: int = N_SEGMENTS) -> pd.DataFrame:
    """``customer_segments``: ID -> 1..k, numbered by size (largest first)."""
    labels = ward_labels(model_input.drop(columns="ID").to_numpy(), k, {})
    order = pd.Series(labels).value_counts().index
    renumber = {label: rank + 1 for rank, label in enumerate(order)}
    segment = pd.Series(labels).map(renumber).astype("int64")
    return pd.DataFrame({"ID": model_input["ID"].to_numpy(), "segment": segment.to_numpy()})


def make_figure(title: str) -> Figure:
    """A small matplotlib figure standing in for an upstream pipeline's plot."""
    figure = Figure(figsize=(4, 3))
    ax = figure.add_subplot()
    ax.plot([1, 2, 3, 4], [4, 2, 3, 1], marker="o")
    ax.set_title(title)
    ax.set_xlabel("x (units)")
    ax.set_ylabel("y (units)")
    return figure


def project_parameters() -> dict:
    """The project's base parameters, resolved as Kedro resolves them (``${schema...}``)."""
    loader = OmegaConfigLoader(str(CONF), base_env="base", default_run_env="base")
    return loader["parameters"]


@pytest.fixture(scope="module")
def analysis_params() -> dict:
    """The project's real cluster_analysis parameters."""
    return project_parameters()["cluster_analysis"]


@pytest.fixture(scope="module")
def clustering_params() -> dict:
    """Clustering settings in the clustering pipeline's shape (exact Ward at this size)."""
    return {
        "linkage_method": "ward",
        "exact_max_customers": 20_000,
        "distance_matrix_max_customers": 20_000,
        "micro_clusters": 50,
        "micro_batch_size": 1024,
        "micro_n_init": 3,
        "random_state": 0,
    }


def _shared_primary_customers() -> pd.DataFrame:
    """The shared ``primary_customers`` fixture's data, built once per module (the fixture itself
    is function-scoped; rendering the report is too slow to repeat per test)."""
    spec = importlib.util.spec_from_file_location("shared_conftest", SHARED_CONFTEST)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_primary_customers()


@pytest.fixture(scope="module")
def primary_customers_once() -> pd.DataFrame:
    return _shared_primary_customers()


@pytest.fixture(scope="module")
def customer_features(primary_customers_once) -> pd.DataFrame:
    return make_features(primary_customers_once)


@pytest.fixture(scope="module")
def model_input(customer_features) -> pd.DataFrame:
    return make_model_input(customer_features)


@pytest.fixture(scope="module")
def customer_segments(model_input) -> pd.DataFrame:
    return make_segments(model_input)


@pytest.fixture(scope="module")
def k_selection() -> pd.DataFrame:
    ks = np.arange(2, 9)
    return pd.DataFrame(
        {
            "k": ks,
            "wcss": 1800.0 / ks**0.8,
            "silhouette": [0.31, 0.27, 0.22, 0.2, 0.19, 0.18, 0.17],
            "calinski_harabasz": [210.0, 190.0, 170.0, 150.0, 140.0, 130.0, 120.0],
            "davies_bouldin": [1.2, 1.3, 1.4, 1.5, 1.55, 1.6, 1.65],
        }
    )


@pytest.fixture(scope="module")
def k_selection_decision() -> dict:
    """A decision in the shape the k rule writes, ``structure`` and ``explanation`` included."""
    return {
        "rule": "knee of the WCSS curve unless silhouette drops by more than 0.05",
        "chosen_k": N_SEGMENTS,
        "knee_k": N_SEGMENTS,
        "best_silhouette_k": 2,
        "reasoning": "The WCSS knee is at k=3; silhouette at k=3 is 0.27, within 0.05 of the best.",
        "structure": {
            "natural_segments": False,
            "statement": "The segments hold up barely better than on data without any structure.",
            "stability_mean": 0.66,
            "stability_sd": 0.15,
            "null_stability_mean": 0.61,
            "null_stability_sd": 0.05,
            "thresholds": {"min_stability": 0.75, "min_gain_over_null": 0.1},
        },
        "explanation": "Three groups of customers differ in what they earn and what they spend.",
    }


@pytest.fixture(scope="module")
def segment_assignment_agreement(customer_segments) -> dict:
    """The clustering pipeline's ``segment_assignment_agreement`` for the fixture's segments."""
    sizes = customer_segments["segment"].value_counts().sort_index()
    agreement = [0.9, 0.8, 1.0]
    return {
        "assignment_rule": "nearest segment centroid in model-input space (Euclidean)",
        "customers": int(sizes.sum()),
        "agreeing": int(sum(round(n * a) for n, a in zip(sizes, agreement, strict=True))),
        "agreement": sum(n * a for n, a in zip(sizes, agreement, strict=True)) / sizes.sum(),
        "per_segment": [
            {"segment": int(s), "customers": int(n), "agreement": a}
            for (s, n), a in zip(sizes.items(), agreement, strict=True)
        ],
    }


@pytest.fixture(scope="module")
def data_quality() -> dict:
    return {
        "source": "data/01_raw/customers_synthetic.csv",
        "rows_in": 310,
        "rows_kept": 300,
        "rows_rejected": 10,
        "dropped_columns": [{"column": "Z_CostContact", "reason": "constant (3)"}],
        "rules": [
            {
                "rule": "income_missing",
                "column": "Income",
                "action": "impute",
                "values_fixed": 4,
                "rows_rejected": 0,
                "detail": "median Income of the customer's Education group",
            },
            {
                "rule": "implausible_age",
                "column": "Year_Birth",
                "action": "reject",
                "values_fixed": 0,
                "rows_rejected": 10,
                "detail": "born before 1900",
            },
        ],
    }


@pytest.fixture(scope="module")
def upstream_figures() -> dict[str, Figure]:
    return {name: make_figure(name.replace("_", " ")) for name in UPSTREAM_FIGURES}


@pytest.fixture(scope="module")
def analysis_inputs(
    *,
    primary_customers_once,
    customer_features,
    model_input,
    customer_segments,
    k_selection,
    k_selection_decision,
    data_quality,
    segment_assignment_agreement,
    analysis_params,
    clustering_params,
    upstream_figures,
) -> dict:
    """Every input of the cluster_analysis pipeline, by catalog name."""
    inputs = {
        "primary_customers": primary_customers_once,
        "customer_features": customer_features,
        "model_input": model_input,
        "customer_segments": customer_segments,
        "k_selection": k_selection,
        "k_selection_decision": k_selection_decision,
        "data_quality": data_quality,
        "segment_assignment_agreement": segment_assignment_agreement,
        "params:cluster_analysis": analysis_params,
        "params:clustering": clustering_params,
        "run_manifest": {"run_id": RUN_ID},
        "feature_report": {"date_warnings": []},
        **upstream_figures,
    }
    inputs.update(
        {f"params:cluster_analysis.{key}": value for key, value in analysis_params.items()}
    )
    return inputs


@pytest.fixture(scope="module")
def report_arguments(analysis_inputs) -> dict:
    """Keyword arguments of the report node, from the other nodes run on the fixtures."""
    from customer_segmentation.pipelines.cluster_analysis import nodes  # noqa: PLC0415

    params = analysis_inputs["params:cluster_analysis"]
    features, segments = analysis_inputs["customer_features"], analysis_inputs["customer_segments"]
    profiles, effects = nodes.profile_segments(
        segments, features, analysis_inputs["primary_customers"], params["profile"]
    )
    names = nodes.name_segments(effects, profiles, params)
    stability = nodes.assess_stability(
        analysis_inputs["model_input"],
        segments,
        analysis_inputs["params:clustering"],
        {**params["stability"], "n_resamples": 2},
    )
    own_figures = {
        "segment_sizes_plot": nodes.plot_segment_sizes(profiles, names),
        "segment_pca_plot": nodes.plot_segment_pca(
            analysis_inputs["model_input"], segments, names, params["plots"]
        ),
        "segment_income_spend_plot": nodes.plot_income_spend(
            features, segments, names, params["profile"], params["plots"]
        ),
        "segment_profile_heatmap": nodes.plot_profile_heatmap(
            effects, names, params["profile"], params["plots"]
        ),
        "segment_attribute_boxplots": nodes.plot_attribute_boxplots(
            features, segments, params["profile"], params["plots"]
        ),
        "segment_response_plot": nodes.plot_campaign_response(profiles, names),
    }
    return {
        "data_quality": analysis_inputs["data_quality"],
        "k_selection": analysis_inputs["k_selection"],
        "k_selection_decision": analysis_inputs["k_selection_decision"],
        "segment_profiles": profiles,
        "segment_effect_sizes": effects,
        "segment_names": names,
        "segment_actions": nodes.recommend_actions(profiles, names, stability, params),
        "segment_stability": stability,
        "segment_assignment_agreement": analysis_inputs["segment_assignment_agreement"],
        "parameters": params,
        **{name: analysis_inputs[name] for name in UPSTREAM_FIGURES},
        **own_figures,
    }
