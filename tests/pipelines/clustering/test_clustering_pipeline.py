"""The clustering pipeline end to end on an in-memory catalog."""

import fastcluster
import numpy as np
import pandas as pd
import pytest
from kedro.runner import SequentialRunner
from matplotlib.figure import Figure
from sklearn.cluster import AgglomerativeClustering
from sklearn.metrics import adjusted_rand_score

from customer_segmentation.core.clustering import hierarchy as hierarchy_module
from customer_segmentation.pipelines.clustering import create_pipeline
from tests.fixtures.clustering import make_catalog

OUTPUTS = [
    "segmentation_hierarchy",
    "k_selection",
    "k_selection_decision",
    "customer_segments",
    "segmentation_model",
    "segment_assignment_agreement",
    "elbow_plot",
    "silhouette_plot",
    "silhouette_samples_plot",
    "dendrogram_plot",
]


def run(model_input, params):
    catalog = make_catalog({"model_input": model_input, "params:clustering": params}, OUTPUTS)
    SequentialRunner().run(create_pipeline(), catalog)
    return {name: catalog.load(name) for name in OUTPUTS}


def test_pipeline_outputs(model_input, clustering_params, monkeypatch):
    calls = []
    original = fastcluster.linkage_vector

    def counting_linkage_vector(points, *args, **kwargs):
        calls.append(len(points))
        return original(points, *args, **kwargs)

    monkeypatch.setattr(hierarchy_module.fastcluster, "linkage_vector", counting_linkage_vector)
    structure = {**clustering_params["structure"], "sample_size": 1000}  # a sample of the 1,200
    out = run(model_input, {**clustering_params, "structure": structure})

    # One linkage of all customers, cut at every k; the structure check's trees are of a sample.
    assert calls.count(len(model_input)) == 1
    table = out["k_selection"]
    assert list(table.columns) == ["k", "wcss", "silhouette", "calinski_harabasz", "davies_bouldin"]
    assert table["k"].tolist() == list(range(2, 11))
    decision = out["k_selection_decision"]
    assert decision["chosen_k"] == decision["knee_k"] == decision["best_silhouette_k"] == 4
    assert decision["rule"] == "reference" and decision["elbow_k"] == 4
    assert decision["structure"]["natural_segments"] is True
    assert decision["explanation"].startswith("We use 4 segments")
    assert decision["clustering_path"] == "exact"

    segments = out["customer_segments"]
    assert segments.dtypes.to_dict() == {"ID": np.dtype("int64"), "segment": np.dtype("int64")}
    assert sorted(segments["ID"]) == sorted(model_input["ID"])
    sizes = segments["segment"].value_counts().sort_index()
    assert sizes.index.tolist() == [1, 2, 3, 4] and sizes.is_monotonic_decreasing

    ordered = model_input.set_index("ID").loc[segments["ID"]]
    expected = AgglomerativeClustering(n_clusters=4).fit(ordered.to_numpy()).labels_
    assert adjusted_rand_score(expected, segments["segment"]) == 1.0

    agreement = out["segment_assignment_agreement"]
    predicted = out["segmentation_model"].predict(ordered.reset_index())
    assert agreement["agreement"] == pytest.approx(np.mean(predicted == segments["segment"]))
    assert agreement["agreement"] > 0.95 and agreement["customers"] == len(model_input)

    for name in ["elbow_plot", "silhouette_plot", "silhouette_samples_plot", "dendrogram_plot"]:
        assert isinstance(out[name], Figure) and out[name].axes[0].get_title()
    assert all(node.tags == {"segmentation"} for node in create_pipeline().nodes)


@pytest.mark.parametrize("exact_max", [40_000, 500])
def test_same_partition_and_numbers_for_permuted_rows(model_input, clustering_params, exact_max):
    params = {**clustering_params, "exact_max_customers": exact_max, "micro_clusters": 200}
    first = run(model_input, params)["customer_segments"]
    shuffled = model_input.sample(frac=1.0, random_state=11)
    assert first.equals(run(shuffled, params)["customer_segments"])
    in_id_order = model_input.sort_values("ID")  # as feature_engineering writes it: no sort
    assert first.equals(run(in_id_order, params)["customer_segments"])


@pytest.mark.parametrize("exact_max", [40_000, 500])
def test_text_ids_give_the_numeric_ids_segments_and_numbers(
    model_input, clustering_params, exact_max
):
    # Zero-padded text IDs sort as their numbers do (core.ids), so segment numbers (by size,
    # ties by smallest ID) and the two-stage path's sample must not move.
    params = {**clustering_params, "exact_max_customers": exact_max, "micro_clusters": 200}
    by_number = run(model_input, params)["customer_segments"]
    as_text = model_input.assign(ID=model_input["ID"].map(lambda number: f"C{number:07d}"))

    by_text = run(as_text, params)["customer_segments"]

    assert by_text["ID"].tolist() == [f"C{number:07d}" for number in by_number["ID"]]
    assert by_text["segment"].tolist() == by_number["segment"].tolist()


def test_a_repeated_customer_is_refused_in_any_row_order(model_input, clustering_params):
    repeated = pd.concat([model_input, model_input.head(1)]).sort_values("ID")
    with pytest.raises(ValueError, match="column 'ID' has duplicated customers"):
        run(repeated, clustering_params)


def test_fewer_customers_than_the_largest_k_is_refused(model_input, clustering_params):
    with pytest.raises(ValueError, match="k_range.max = 10 needs at least 11 distinct customers"):
        run(model_input.head(8), clustering_params)


def test_identical_customers_are_refused(model_input, clustering_params):
    same = model_input.copy()
    same.iloc[:, 1:] = 1.5
    with pytest.raises(ValueError, match="only 1 distinct rows of model input"):
        run(same, clustering_params)


def test_a_removed_rule_is_refused_by_name_before_clustering(model_input, clustering_params):
    params = {**clustering_params, "selection": {"rule": "combined", "fixed_k": 4}}
    with pytest.raises(
        ValueError, match="selection.rule is 'combined'; use one of reference, fixed"
    ):
        run(model_input, params)
