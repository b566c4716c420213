"""Thin Kedro nodes of the feature_engineering pipeline; the logic lives in core/."""

from __future__ import annotations

from typing import Any

import pandas as pd

from customer_segmentation.core.cleaning.date_checks import shifted_date_warnings
from customer_segmentation.core.features.preprocessing import (
    CustomerPreprocessor,
    JoinedPreprocessor,
    RfmPreprocessor,
)
from customer_segmentation.core.features.transactions import join_customer_rfm


def engineer_features(
    primary: pd.DataFrame, params: dict[str, Any], schema: dict[str, Any]
) -> tuple[CustomerPreprocessor, pd.DataFrame, pd.DataFrame]:
    """Fit the preprocessor (reference date, kept features, encoders, scaler, PCA) and apply it.

    Returns (preprocessor, customer_features, model_input).

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


def engineer_rfm_features(
    customer_rfm: pd.DataFrame, params: dict[str, Any]
) -> tuple[RfmPreprocessor, pd.DataFrame, pd.DataFrame]:
    """The "transactions" mode: the same steps on the per-customer RFM aggregates of a log.

    Returns (preprocessor, customer_features, model_input); settings in
    ``feature_engineering.rfm_preprocessing``.
    """
    preprocessor = RfmPreprocessor(**params["rfm_preprocessing"])
    customer_features, model_input = preprocessor.fit_features_transform(customer_rfm)
    return preprocessor, customer_features, model_input


def join_customer_transactions(
    primary: pd.DataFrame, customer_rfm: pd.DataFrame, params: dict[str, Any]
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The "both" mode: every kept customer with the RFM of their log (none: no activity).

    Returns (customers_with_transactions, transaction_join_summary): the counts matched / without
    a log / log customers missing from the table, so no customer is lost without a record.
    """
    joined, counts = join_customer_rfm(primary, customer_rfm, prefix=params["join"]["prefix"])
    joined.attrs = dict(primary.attrs)
    return joined, counts


def engineer_joined_features(
    customers_with_transactions: pd.DataFrame, params: dict[str, Any], schema: dict[str, Any]
) -> tuple[JoinedPreprocessor, pd.DataFrame, pd.DataFrame]:
    """The "both" mode: customer-table features plus the log's RFM columns.

    Returns (preprocessor, customer_features, model_input); settings in
    ``feature_engineering.joined_preprocessing``.
    """
    table = customers_with_transactions
    preprocessor = JoinedPreprocessor(
        schema=schema,
        reference_date=params["reference_date"],
        log_prefix=params["join"]["prefix"],
        **params["joined_preprocessing"],
    )
    customer_features, model_input = preprocessor.fit_features_transform(table)
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
