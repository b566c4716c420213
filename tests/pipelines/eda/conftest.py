"""Fixtures of the eda tests: features and a data-quality report in the documented shapes.

The features are derived here with the plain formulas of docs/architecture.md (not by importing the
feature_engineering code), so the eda tests depend only on the contract.
"""

import numpy as np
import pandas as pd
import pytest
import yaml

PARAMETERS_FILE = "conf/base/parameters_eda.yml"
REFERENCE_DATE = pd.Timestamp("2014-06-29")


def make_customer_features(primary: pd.DataFrame) -> pd.DataFrame:
    """The `customer_features` columns the eda pipeline reads, derived simply from `primary`."""
    products = [column for column in primary.columns if column.startswith("Mnt")]
    spend = primary[products].sum(axis=1).astype("float64")
    purchases = primary[["NumWebPurchases", "NumCatalogPurchases", "NumStorePurchases"]].sum(axis=1)
    campaigns = ["AcceptedCmp1", "AcceptedCmp2", "AcceptedCmp3", "AcceptedCmp4", "AcceptedCmp5"]
    return pd.DataFrame(
        {
            "ID": primary["ID"].to_numpy(),
            "age": (REFERENCE_DATE.year - primary["Year_Birth"]).to_numpy(),
            "tenure_days": (REFERENCE_DATE - primary["Dt_Customer"]).dt.days.to_numpy(),
            "income": primary["Income"].to_numpy(),
            "total_spend": spend.to_numpy(),
            "total_purchases": purchases.to_numpy(),
            "children": (primary["Kidhome"] + primary["Teenhome"]).to_numpy(),
            "campaigns_accepted": primary[campaigns].sum(axis=1).to_numpy(),
        }
    )


def make_data_quality(rows_kept: int) -> dict:
    """A data-quality report in the documented shape: an imputation, a cap and a rejection."""
    return {
        "source": "data/01_raw/customers_synthetic.csv",
        "rows_in": rows_kept + 3,
        "rows_kept": rows_kept,
        "rows_rejected": 3,
        "dropped_columns": [{"column": "Z_CostContact", "reason": "constant (3)"}],
        "rules": [
            {
                "rule": "income_missing",
                "column": "Income",
                "action": "impute",
                "values_fixed": 24,
                "rows_rejected": 0,
                "detail": "median Income of the customer's Education group",
            },
            {
                "rule": "income_outlier",
                "column": "Income",
                "action": "cap",
                "values_fixed": 1,
                "rows_rejected": 0,
                "detail": "capped at 200000",
            },
            {
                "rule": "birth_year_implausible",
                "column": "Year_Birth",
                "action": "reject",
                "values_fixed": 0,
                "rows_rejected": 3,
                "detail": "Year_Birth before 1900",
            },
            {
                "rule": "marital_status_odd",
                "column": "Marital_Status",
                "action": "map",
                "values_fixed": 7,
                "rows_rejected": 0,
                "detail": "Alone/Absurd/YOLO -> Single",
            },
            {
                "rule": "duplicate_id",
                "column": "ID",
                "action": "reject",
                "values_fixed": 0,
                "rows_rejected": 0,
                "detail": "no duplicates found",
            },
        ],
    }


@pytest.fixture
def customer_features(primary_customers: pd.DataFrame) -> pd.DataFrame:
    """Features of the shared 300-customer fixture, rows shuffled (the join must use ID)."""
    features = make_customer_features(primary_customers)
    order = np.random.default_rng(1).permutation(len(features))
    return features.iloc[order].reset_index(drop=True)


@pytest.fixture
def features_of():
    """The feature derivation of this folder, for tests that build their own customers."""
    return make_customer_features


@pytest.fixture
def data_quality(primary_customers: pd.DataFrame) -> dict:
    """A data-quality report for the shared fixture."""
    return make_data_quality(len(primary_customers))


@pytest.fixture(scope="session")
def eda_params() -> dict:
    """The project's eda parameters (conf/base/parameters_eda.yml)."""
    with open(PARAMETERS_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)["eda"]
