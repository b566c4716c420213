"""Thin Kedro nodes of the feature_engineering pipeline; the logic lives in core/."""

from __future__ import annotations

from typing import Any

import pandas as pd

from customer_segmentation.core.cleaning.date_checks import shifted_date_warnings
from customer_segmentation.core.features.preprocessing import CustomerPreprocessor


def engineer_features(
    primary: pd.DataFrame, params: dict[str, Any], schema: dict[str, Any]
) -> tuple[CustomerPreprocessor, pd.DataFrame, pd.DataFrame]:
    """Fit the preprocessor (reference date, kept features, encoders, scaler, PCA) and apply it.

    Returns (preprocessor, customer_features, model_input). ``primary`` is any declared customer
    table (``schema``): the cleaned customers, a log's ``customer_rfm`` or the two joined; the
    environment's ``feature_engineering.preprocessing`` says what feeds clustering.

    One node so that the catalog's layers run one way (a fitted model never feeds the model input);
    `model_input` is exactly `preprocessor.transform(primary)`, which scoring reuses.
    """
    preprocessor = CustomerPreprocessor(
        schema=schema,
        reference_date=params["reference_date"],
        **params["preprocessing"],
    )
    customer_features, model_input = preprocessor.fit_features_transform(primary)
    return preprocessor, customer_features, model_input


def report_features(
    preprocessor: CustomerPreprocessor, customer_features: pd.DataFrame, params: dict[str, Any]
) -> dict[str, Any]:
    """A JSON summary: reference date, dropped features, transforms, PCA explained variance, and
    ``date_warnings`` when the dates look shifted (shown at the top of the report).

    ``date_checks.run_date`` null means today (UTC): the one input of the run that is the clock.
    """
    checks = params["date_checks"]
    run_date = pd.Timestamp(checks["run_date"] or pd.Timestamp.now(tz="UTC").date())
    warnings = shifted_date_warnings(
        customer_features, preprocessor.reference_date_, run_date, checks["max_median_age"]
    )
    return {**preprocessor.report(), "date_warnings": warnings}
