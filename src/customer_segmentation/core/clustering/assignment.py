"""Segment numbering, and the model that places customers into segments.

Agglomerative clustering has no predict; this module supplies one.

Numbering rule: segments are numbered 1..k by size, largest first; equal sizes are ordered by the
smallest customer ID they contain. The rule depends only on the ID -> cluster partition, so the
same partition gets the same numbers whatever the row order ("smallest" in ID order, core.ids).

Assignment rule: a customer goes to the segment whose centroid (mean model-input vector of the
segment's training customers) is nearest in Euclidean distance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestCentroid

from customer_segmentation.core.ids import id_rank
from customer_segmentation.errors import InputDataError

if TYPE_CHECKING:  # the preprocessor's module imports core.clustering: no import at run time
    from customer_segmentation.core.features.preprocessing import CustomerPreprocessor

ID_COLUMN = "ID"
SEGMENT_COLUMN = "segment"


def number_segments(ids: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Map cluster labels 0..k-1 to segment numbers 1..k (largest first, ties by smallest ID)."""
    _, labels = np.unique(labels, return_inverse=True)
    sizes = np.bincount(labels)
    smallest_id = pd.Series(id_rank(ids)).groupby(labels).min().to_numpy()
    order = np.lexsort((smallest_id, -sizes))  # last key is the primary one
    number_of_label = np.empty(len(sizes), dtype=np.int64)
    number_of_label[order] = np.arange(1, len(sizes) + 1)
    return number_of_label[labels]


class NearestCentroidSegmenter(NearestCentroid):
    """scikit-learn's `NearestCentroid` on model_input frames: the `ID` column is not a feature.

    `fit(model_input, segments)`: `segments` holds the segment of each row. scikit-learn checks at
    `predict` that the feature columns are those seen at fit, in the same order.
    """

    def fit(self, model_input: pd.DataFrame, segments: np.ndarray) -> NearestCentroidSegmenter:
        """The segment centroids (mean model-input vectors) of the training customers."""
        return super().fit(model_input.drop(columns=ID_COLUMN), segments)

    def predict(self, model_input: pd.DataFrame) -> np.ndarray:
        """Segment number of every row of a model_input-shaped frame."""
        return super().predict(model_input.drop(columns=ID_COLUMN))


def segments_of(ids: np.ndarray, customer_segments: pd.DataFrame) -> np.ndarray:
    """Segment number of each of `ids`; a clear error if a customer has none."""
    segments = customer_segments.set_index(ID_COLUMN)[SEGMENT_COLUMN].reindex(ids)
    if segments.isna().any():
        raise InputDataError(
            "customer_segments: some model_input customers have no segment; re-run the "
            "clustering pipeline on the same model_input."
        )
    return segments.to_numpy(dtype=np.int64)


def assignment_agreement(predicted: np.ndarray, actual: np.ndarray) -> dict:
    """How often the model's segment equals the clustering's segment, overall and per segment."""
    agrees = pd.Series(predicted == actual)
    per_segment = agrees.groupby(actual).agg(["size", "mean"])
    return {
        "assignment_rule": "nearest segment centroid in model-input space (Euclidean)",
        "customers": int(len(actual)),
        "agreeing": int(agrees.sum()),
        "agreement": float(agrees.mean()),
        "per_segment": [
            {
                "segment": int(segment),
                "customers": int(row["size"]),
                "agreement": float(row["mean"]),
            }
            for segment, row in per_segment.iterrows()
        ],
    }


# How to apply the scoring model JSON by hand (written into the JSON itself).
SCORING_STEPS = [
    "Take one customer: the 'customer_features' columns named in 'inputs' (formulas in "
    "docs/features.md), and the category columns of the cleaned customer table.",
    "Build the vector 'inputs' in order. A feature input: the value, or 'missing' when it has "
    "none; then log(1 + value) where 'log1p' is true. A category input: 1 when the column "
    "equals 'equals', else 0 (a value in no category input cannot be scored).",
    "Scale every element: (element - center) / scale.",
    "If 'projection' is not null: subtract its 'mean' and multiply by 'components' transposed "
    "(each row of 'components' gives one output element).",
    "The segment is that of the nearest centroid (Euclidean distance) in 'centroids'.",
]


def _scaling(scaler, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Centre and scale of a fitted StandardScaler / RobustScaler (or 'passthrough')."""
    if scaler == "passthrough":
        return np.zeros(width), np.ones(width)
    center = getattr(scaler, "center_", getattr(scaler, "mean_", None))
    scale = getattr(scaler, "scale_", None)
    return (
        np.zeros(width) if center is None else np.asarray(center, dtype=float),
        np.ones(width) if scale is None else np.asarray(scale, dtype=float),
    )


def _encoded_inputs(encode) -> list[dict]:
    """The fitted ColumnTransformer's output columns, in its order, as hand-applicable steps:
    median-imputed (then log1p) features, and one-hot category indicators."""
    inputs = []
    for name, transformer, columns in encode.transformers_:
        if name == "remainder" or len(columns) == 0:  # nothing of this kind was kept
            continue
        if name == "onehot":
            for column, categories in zip(columns, transformer.categories_, strict=True):
                inputs += [{"column": column, "equals": str(value)} for value in categories]
            continue
        steps = transformer.named_steps if hasattr(transformer, "named_steps") else {}
        imputer = next((s for s in steps.values() if hasattr(s, "statistics_")), transformer)
        logged = any(getattr(s, "func", None) is np.log1p for s in steps.values())
        inputs += [
            {"column": column, "missing": float(median), "log1p": logged}
            for column, median in zip(columns, imputer.statistics_, strict=True)
        ]
    return inputs


def scoring_model_json(preprocessor: CustomerPreprocessor, model: NearestCentroidSegmenter) -> dict:
    """The scoring model as plain numbers: the fitted preprocessor's imputation values, log
    transform, category indicators, scaler centre and scale, PCA projection (if any), and the
    segment centroids in the space they lead to, so that the nearest-centroid rule can be
    applied without Python (``steps`` says how).

    ``preprocessor``: a fitted ``CustomerPreprocessor`` (``pipeline_``: encode, scale, optional
    pca); ``model``: the ``NearestCentroidSegmenter`` fitted on its output.
    """
    steps = preprocessor.pipeline_.named_steps
    inputs = _encoded_inputs(steps["encode"])
    encoded = list(steps["encode"].get_feature_names_out())
    if [i["column"] if "missing" in i else f"{i['column']}_{i['equals']}" for i in inputs] != (
        encoded
    ):
        raise ValueError("scoring model JSON: the encoder's columns could not be accounted for.")
    center, scale = _scaling(steps["scale"], len(inputs))
    for item, c, s in zip(inputs, center, scale, strict=True):
        item |= {"center": float(c), "scale": float(s)}
    pca = steps.get("pca")
    if pca is not None and pca.whiten:
        raise ValueError("scoring model JSON: a whitened PCA is not supported.")
    # The centroids in the order the steps produce the vector: encoder order, or components.
    space = encoded if pca is None else [f"pc{i + 1}" for i in range(pca.n_components_)]
    position = {column: i for i, column in enumerate(model.feature_names_in_)}
    order = [position[column] for column in space]
    return {
        "steps": SCORING_STEPS,
        "inputs": inputs,
        "projection": None
        if pca is None
        else {"mean": pca.mean_.tolist(), "components": pca.components_.tolist()},
        "vector": space,
        "distance": "euclidean",
        "centroids": [
            {"segment": int(segment), "centroid": model.centroids_[i, order].tolist()}
            for i, segment in enumerate(model.classes_)
        ],
    }
