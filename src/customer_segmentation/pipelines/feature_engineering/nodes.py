"""Thin Kedro nodes of the feature_engineering pipeline; the logic lives in core/."""

from __future__ import annotations

from typing import Any

import pandas as pd

from customer_segmentation.core.preprocessing import CustomerPreprocessor


def engineer_features(
    primary: pd.DataFrame, params: dict[str, Any]
) -> tuple[CustomerPreprocessor, pd.DataFrame, pd.DataFrame]:
    """Fit the preprocessor (reference date, kept features, encoders, scaler, PCA) and apply it.

    Returns (preprocessor, customer_features, model_input).

    One node so that the catalog's layers run one way (a fitted model never feeds the model input);
    `model_input` is exactly `preprocessor.transform(primary)`, which scoring reuses.
    """
    preprocessor = CustomerPreprocessor(
        education_levels=params["education_levels"],
        partner_statuses=params["partner_statuses"],
        reference_date=params["reference_date"],
        **params["preprocessing"],
    ).fit(primary)
    return preprocessor, preprocessor.customer_features(primary), preprocessor.transform(primary)


def report_features(preprocessor: CustomerPreprocessor) -> dict[str, Any]:
    """A JSON summary: reference date, dropped features, transforms, PCA explained variance."""
    return preprocessor.report()
