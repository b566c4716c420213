"""Hand-made customers for the feature_engineering tests (unique module name, imported directly)."""

import pandas as pd

# One ordinary customer; tests override the columns they are about.
BASE_CUSTOMER = {
    "ID": 1,
    "Year_Birth": 1970,
    "Education": "Graduation",
    "Marital_Status": "Married",
    "Income": 50_000.0,
    "Kidhome": 1,
    "Teenhome": 1,
    "Dt_Customer": pd.Timestamp("2013-06-29"),
    "Recency": 10,
    "MntWines": 100,
    "MntFruits": 20,
    "MntMeatProducts": 50,
    "MntFishProducts": 10,
    "MntSweetProducts": 10,
    "MntGoldProds": 10,
    "NumDealsPurchases": 2,
    "NumWebPurchases": 4,
    "NumCatalogPurchases": 2,
    "NumStorePurchases": 4,
    "NumWebVisitsMonth": 8,
    "AcceptedCmp1": 1,
    "AcceptedCmp2": 0,
    "AcceptedCmp3": 1,
    "AcceptedCmp4": 0,
    "AcceptedCmp5": 0,
    "Complain": 0,
    "Response": 1,
}


def make_customers(*overrides: dict) -> pd.DataFrame:
    """A primary_customers-shaped frame, one row per dict of overrides (IDs 1, 2, ...)."""
    rows = [{**BASE_CUSTOMER, "ID": i + 1, **o} for i, o in enumerate(overrides)]
    frame = pd.DataFrame(rows)
    frame["Dt_Customer"] = frame["Dt_Customer"].astype("datetime64[ns]")
    return frame
