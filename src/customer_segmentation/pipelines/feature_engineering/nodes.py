"""Thin Kedro nodes of the feature_engineering pipeline; the logic lives in core/."""

from __future__ import annotations

from typing import Any

import pandas as pd

from customer_segmentation.core.preprocessing import CustomerPreprocessor


def fit_preprocessor(primary: pd.DataFrame, params: dict[str, Any]) -> CustomerPreprocessor:
    """Fit the preprocessor (reference date, kept features, encoders, scaler, PCA) on `primary`."""
    return CustomerPreprocessor(
        education_levels=params["education_levels"],
        partner_statuses=params["partner_statuses"],
        reference_date=params["reference_date"],
        **params["preprocessing"],
    ).fit(primary)


def build_customer_features(
    preprocessor: CustomerPreprocessor, primary: pd.DataFrame
) -> pd.DataFrame:
    """The human-readable features, one row per customer, at the fitted reference date."""
    return preprocessor.customer_features(primary)


def transform_to_model_input(
    preprocessor: CustomerPreprocessor, primary: pd.DataFrame
) -> pd.DataFrame:
    """The numeric matrix clustering reads: `ID` + float64 features, no NaN/inf."""
    return preprocessor.transform(primary)


def report_features(preprocessor: CustomerPreprocessor) -> dict[str, Any]:
    """A JSON summary: reference date, dropped features, transforms, PCA explained variance."""
    return preprocessor.report()
