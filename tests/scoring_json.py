"""The scoring model JSON applied as its `steps` say, with plain numpy: what a colleague
without this project's Python code would implement."""

import numpy as np
import pandas as pd


def apply_scoring_json(model: dict, features: pd.DataFrame, categories: pd.DataFrame) -> np.ndarray:
    """Segment of every row: ``features`` holds the customer_features columns, ``categories``
    the cleaned table's category columns (same rows, same order)."""
    columns = []
    for item in model["inputs"]:
        if "equals" in item:
            value = (categories[item["column"]].astype(str) == item["equals"]).to_numpy(float)
        else:
            value = features[item["column"]].to_numpy(float)
            value = np.where(np.isnan(value), item["missing"], value)
            value = np.log1p(value) if item["log1p"] else value
        columns.append((value - item["center"]) / item["scale"])
    vector = np.column_stack(columns)
    if model["projection"] is not None:
        projection = model["projection"]
        vector = (vector - np.array(projection["mean"])) @ np.array(projection["components"]).T
    centroids = np.array([c["centroid"] for c in model["centroids"]])
    distance = ((vector[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    return np.array([c["segment"] for c in model["centroids"]])[distance.argmin(axis=1)]
