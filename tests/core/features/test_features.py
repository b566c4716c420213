"""The derived-feature formulas on hand-made customers, including zero denominators."""

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.core.features.features import derive_customer_features, reference_date
from customer_segmentation.errors import InputDataError
from tests.fixtures.fe_customers import make_customers
from tests.fixtures.schema import DEFAULT_SCHEMA

REF = pd.Timestamp("2014-06-29")


def derive(frame: pd.DataFrame, ref: pd.Timestamp = REF) -> pd.DataFrame:
    return derive_customer_features(frame, ref, DEFAULT_SCHEMA)


def test_ordinary_customer_formulas():
    row = derive(make_customers({})).iloc[0]
    assert row["age"] == 44  # 2014 - 1970
    assert row["tenure_days"] == 365  # 2013-06-29 -> 2014-06-29
    assert row["total_spend"] == 200
    assert row["spend_share_wines"] == pytest.approx(0.5)
    assert row["spend_share_meat"] == pytest.approx(0.25)
    assert row["total_purchases"] == 10  # web 4 + catalog 2 + store 4; deals are not a channel
    assert row["purchase_share_web"] == pytest.approx(0.4)
    assert row["purchase_share_catalog"] == pytest.approx(0.2)
    assert row["avg_spend_per_purchase"] == pytest.approx(20.0)
    assert row["deal_purchase_share"] == pytest.approx(0.2)
    assert row["web_purchases_per_visit"] == pytest.approx(0.5)
    assert row["children"] == 2
    assert row["is_parent"] == 1
    assert row["lives_with_partner"] == 1
    assert row["family_size"] == 4
    assert row["education_level"] == 2
    assert row["campaigns_accepted"] == 2  # AcceptedCmp1..5 only
    assert row["responded_last_campaign"] == 1


def test_shares_sum_to_one_and_columns_follow_the_contract(primary_customers):
    features = derive(primary_customers)
    spend_shares = features.filter(like="spend_share_").sum(axis=1)
    assert np.allclose(spend_shares[features["total_spend"] > 0], 1.0)
    channel_shares = features.filter(like="purchase_share_").sum(axis=1)
    assert np.allclose(channel_shares[features["total_purchases"] > 0], 1.0)
    assert features["ID"].tolist() == primary_customers["ID"].tolist()
    assert features["ID"].dtype == "int64"


def test_zero_spend_zero_purchases_zero_visits_give_finite_values():
    no_activity = dict.fromkeys(
        [c for c in make_customers({}).columns if c.startswith(("Mnt", "Num"))], 0
    )
    spend_no_purchase = {"NumWebPurchases": 0, "NumCatalogPurchases": 0, "NumStorePurchases": 0}
    web_no_visit = {"NumWebVisitsMonth": 0, "NumWebPurchases": 3}
    features = derive(make_customers(no_activity, spend_no_purchase, web_no_visit))
    numeric = features.drop(columns="ID").to_numpy(dtype=float)
    assert np.isfinite(numeric).all()
    idle, spender, web = features.iloc[0], features.iloc[1], features.iloc[2]
    assert idle["total_spend"] == 0
    assert (features.filter(like="spend_share_").iloc[0] == 0).all()
    assert (features.filter(like="purchase_share_").iloc[0] == 0).all()
    assert idle["avg_spend_per_purchase"] == 0
    assert idle["deal_purchase_share"] == 0
    assert idle["web_purchases_per_visit"] == 0
    # Spend without a recorded purchase counts as one purchase; its 2 deals are all of them.
    assert spender["avg_spend_per_purchase"] == 200
    assert spender["deal_purchase_share"] == 1.0
    # No visit last month: the month counts as one visit.
    assert web["web_purchases_per_visit"] == 3.0


def test_deal_share_is_capped_when_deals_exceed_purchases():
    features = derive(make_customers({"NumDealsPurchases": 15}))
    assert features["deal_purchase_share"].iloc[0] == 1.0


def test_single_customer_without_children_is_a_family_of_one():
    alone = {"Marital_Status": "Divorced", "Kidhome": 0, "Teenhome": 0}
    row = derive(make_customers(alone)).iloc[0]
    family = ["lives_with_partner", "children", "is_parent", "family_size"]
    assert row[family].tolist() == [0, 0, 0, 1]


def test_reference_date_is_latest_enrolment_or_the_parameter():
    frame = make_customers({"Dt_Customer": pd.Timestamp("2014-01-01")}, {})
    assert reference_date(frame, DEFAULT_SCHEMA) == pd.Timestamp("2014-01-01")
    assert reference_date(frame, DEFAULT_SCHEMA, "2015-01-01") == pd.Timestamp("2015-01-01")
    features = derive(frame, reference_date(frame, DEFAULT_SCHEMA, "2015-06-29"))
    assert features["tenure_days"].tolist() == [544, 730]
    assert features["age"].tolist() == [45, 45]


def test_enrolment_after_reference_date_gets_zero_tenure(caplog):
    frame = make_customers({"Dt_Customer": pd.Timestamp("2014-07-09")})
    features = derive(frame)
    assert features["tenure_days"].iloc[0] == 0
    assert "enrolled after the reference date" in caplog.text


def test_missing_column_and_unknown_education_raise_clear_errors():
    frame = make_customers({}).drop(columns=["NumWebVisitsMonth"])
    frame.attrs["source"] = "data/current/03_primary/customers.parquet"
    with pytest.raises(InputDataError, match=r"customers.parquet.*NumWebVisitsMonth"):
        derive(frame)
    with pytest.raises(InputDataError, match=r"'Education'.*Doctorate"):
        derive(make_customers({"Education": "Doctorate"}))
    with pytest.raises(InputDataError, match=r"'Education'.*nan"):
        derive(make_customers({"Education": None}))


def test_education_levels_follow_the_parameter_order_for_any_string_dtype():
    for dtype in ("str", object):
        frame = make_customers(*[{}] * 5)
        frame["Education"] = pd.Series(["PhD", "Basic", "Master", "PhD", "2n Cycle"], dtype=dtype)
        assert derive(frame)["education_level"].tolist() == [4, 0, 3, 4, 1]


def _pandas_reference(primary: pd.DataFrame) -> pd.DataFrame:
    """The spend/purchase columns written the plain pandas way (row sums, `where` for zeros)."""
    spend = primary.filter(like="Mnt").astype("float64")
    total_spend = spend.sum(axis=1)
    purchases = primary[["NumWebPurchases", "NumCatalogPurchases", "NumStorePurchases"]]
    total_purchases = purchases.sum(axis=1)
    reference = {"total_spend": total_spend, "total_purchases": total_purchases}
    names = ["wines", "fruits", "meat", "fish", "sweets", "gold"]
    for column, name in zip(spend.columns, names, strict=True):
        reference[f"spend_share_{name}"] = (spend[column] / total_spend).where(total_spend != 0, 0)
    reference["purchase_share_web"] = (purchases["NumWebPurchases"] / total_purchases).where(
        total_purchases != 0, 0
    )
    reference["avg_spend_per_purchase"] = total_spend / total_purchases.clip(lower=1)
    reference["campaigns_accepted"] = primary.filter(like="AcceptedCmp").sum(axis=1)
    return pd.DataFrame(reference).reset_index(drop=True)


def test_features_equal_plain_pandas_bit_for_bit_on_a_shuffled_index(primary_customers):
    # A shuffled, non-default index: the output is still in input row order with a 0..n-1
    # index, and the input is left untouched.
    shuffled = primary_customers.sample(frac=1, random_state=3)
    shuffled.index = shuffled.index + 1000
    before = shuffled.copy()
    features = derive(shuffled)
    pd.testing.assert_frame_equal(shuffled, before)
    assert features.index.equals(pd.RangeIndex(len(shuffled)))
    assert features["ID"].tolist() == shuffled["ID"].tolist()
    reference = _pandas_reference(shuffled)
    for column in reference.columns:
        assert np.array_equal(features[column].to_numpy(), reference[column].to_numpy()), column
        assert features[column].dtype == reference[column].dtype, column
    # Changing the output must not reach the input (copy-on-write columns).
    features.loc[0, ["ID", "income"]] = [-1, -1.0]
    pd.testing.assert_frame_equal(shuffled, before)


def test_missing_enrolment_date_raises_a_clear_error():
    frame = make_customers({}, {"Dt_Customer": pd.NaT})
    with pytest.raises(InputDataError, match=r"'Dt_Customer'.*missing"):
        derive(frame)
