"""Segment numbering, and the model that places customers into segments.

Agglomerative clustering has no predict; this module supplies one.

Numbering rule: segments are numbered 1..k by size, largest first; equal sizes are ordered by the
smallest customer ID they contain. The rule depends only on the ID -> cluster partition, so the
same partition gets the same numbers whatever the row order.

Assignment rule: a customer goes to the segment whose centroid (mean model-input vector of the
segment's training customers) is nearest in Euclidean distance.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from customer_segmentation.errors import InputDataError

ID_COLUMN = "ID"
SEGMENT_COLUMN = "segment"


def number_segments(ids: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Map cluster labels 0..k-1 to segment numbers 1..k (largest first, ties by smallest ID)."""
    _, labels = np.unique(labels, return_inverse=True)
    sizes = np.bincount(labels)
    smallest_id = pd.Series(ids).groupby(labels).min().to_numpy()
    order = np.lexsort((smallest_id, -sizes))  # last key is the primary one
    number_of_label = np.empty(len(sizes), dtype=np.int64)
    number_of_label[order] = np.arange(1, len(sizes) + 1)
    return number_of_label[labels]


def _feature_matrix(
    model_input: pd.DataFrame, feature_columns: list[str], source: str
) -> np.ndarray:
    """Features in the fitted order; clear error on missing/extra columns or non-finite values."""
    present = [column for column in model_input.columns if column != ID_COLUMN]
    missing = [column for column in feature_columns if column not in present]
    extra = [column for column in present if column not in feature_columns]
    if missing or extra:
        raise InputDataError(
            f"{source}: feature columns differ from those the segmentation model was fitted on "
            f"(missing: {missing or 'none'}; unexpected: {extra or 'none'}). Transform the "
            "customers with the same preprocessor as the training run."
        )
    matrix = model_input[feature_columns].to_numpy(dtype=np.float64)
    if not np.isfinite(matrix).all():
        raise InputDataError(
            f"{source}: feature values contain NaN or infinity; the segmentation model needs "
            "finite values. Check the preprocessing of these customers."
        )
    return matrix


@dataclass
class NearestCentroidSegmenter:
    """Places customers into the clustering's segments by the nearest segment centroid."""

    feature_columns: list[str]
    centroids: np.ndarray  # row i is the centroid of segment segment_numbers[i]
    segment_numbers: np.ndarray
    chunk_rows: int = 200_000  # bounds the n x k distance block in memory

    @classmethod
    def fit(
        cls, model_input: pd.DataFrame, customer_segments: pd.DataFrame
    ) -> "NearestCentroidSegmenter":
        """Centroids of the segments in model-input space."""
        segments = segments_of(model_input[ID_COLUMN].to_numpy(), customer_segments)
        feature_columns = [column for column in model_input.columns if column != ID_COLUMN]
        centroids = model_input[feature_columns].groupby(segments).mean()
        return cls(
            feature_columns=feature_columns,
            centroids=centroids.to_numpy(dtype=np.float64),
            segment_numbers=centroids.index.to_numpy(dtype=np.int64),
        )

    def predict(self, model_input: pd.DataFrame, source: str = "model_input") -> np.ndarray:
        """Segment number of every row of a model_input-shaped frame."""
        matrix = _feature_matrix(model_input, self.feature_columns, source)
        squared_norms = np.einsum("ij,ij->i", self.centroids, self.centroids)
        nearest = np.empty(len(matrix), dtype=np.intp)
        for start in range(0, len(matrix), self.chunk_rows):
            block = matrix[start : start + self.chunk_rows]
            # ||x - c||^2 up to the per-row constant ||x||^2, which does not change the argmin
            nearest[start : start + len(block)] = np.argmin(
                squared_norms - 2.0 * block @ self.centroids.T, axis=1
            )
        return self.segment_numbers[nearest]


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
