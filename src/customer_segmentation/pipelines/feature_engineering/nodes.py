"""Thin Kedro nodes of the feature_engineering pipeline; the logic lives in core/."""

from __future__ import annotations

import logging
from typing import Any

import pandas as pd

from customer_segmentation.core.cleaning.date_checks import shifted_date_warnings
from customer_segmentation.core.clustering.preflight import require_distinct_model_input
from customer_segmentation.core.features.preprocessing import CustomerPreprocessor

LOGGER = logging.getLogger(__name__)


def engineer_features(
    primary: pd.DataFrame,
    params: dict[str, Any],
    schema: dict[str, Any],
    k_range: dict[str, int] | None = None,
) -> tuple[CustomerPreprocessor, pd.DataFrame, pd.DataFrame]:
    """Fit the preprocessor (reference date, kept features, encoders, scaler, PCA) and apply it.

    Returns (preprocessor, customer_features, model_input). ``primary`` is any declared customer
    table (``schema``): the cleaned customers, a log's ``customer_rfm`` or the two joined; the
    environment's ``feature_engineering.preprocessing`` says what feeds clustering.

    One node so that the catalog's layers run one way (a fitted model never feeds the model input);
    `model_input` is exactly `preprocessor.transform(primary)`, which scoring reuses. With
    ``k_range`` (clustering.k_range), fewer distinct model-input rows than ``k_range.max`` + 1
    raise ``InputDataError`` here, so none of the outputs is saved.
    """
    preprocessor = CustomerPreprocessor(
        schema=schema,
        reference_date=params["reference_date"],
        **params["preprocessing"],
    )
    customer_features, model_input = preprocessor.fit_features_transform(primary)
    if k_range is not None:
        source = str(primary.attrs.get("source", "primary_customers"))
        require_distinct_model_input(model_input, k_range["max"], source)
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
        customer_features, preprocessor.reference_timestamp, run_date, checks["max_median_age"]
    )
    report = {**preprocessor.report(), "date_warnings": warnings}
    variance = report.get("explained_variance_total")
    LOGGER.info(
        "features: %d customer features -> %d model inputs%s",
        len(report["features_requested"]),
        len(report["model_input_columns"]),
        f" keeping {variance:.0%} of the variance" if variance else "",
    )
    return report
