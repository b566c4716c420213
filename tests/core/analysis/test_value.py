"""Value per segment (core.analysis.value) on small tables computed by hand."""

import ibis
import numpy as np
import pandas as pd
import pytest

from customer_segmentation.core.analysis import value
from customer_segmentation.core.cleaning.contract import CustomerSchema
from tests.fixtures.schema import DEFAULT_SCHEMA, SCHEMA_CONFIG

COLUMNS = {"contact_cost": "cost", "response_revenue": "price", "response": "answered"}


@pytest.fixture
def joined() -> pd.DataFrame:
    """Six contacted customers in three segments; segment 2's prices vary by customer."""
    return pd.DataFrame(
        {
            "ID": [1, 2, 3, 4, 5, 6],
            "segment": [1, 1, 1, 2, 2, 3],
            "cost": [3, 3, 3, 2, 4, 3],
            "price": [11, 11, 11, 10, 20, 11],
            "answered": [1, 0, 0, 0, 1, 0],
        }
    )


@pytest.fixture
def profiles() -> pd.DataFrame:
    """The historical columns of segment_profiles for the same customers (segment 0 last)."""
    return pd.DataFrame(
        {
            "segment": [1, 2, 3, 0],
            "customers": [3, 2, 1, 6],
            "customer_share": [0.5, 1 / 3, 1 / 6, 1.0],
            "revenue": [300.0, 100.0, 200.0, 600.0],
            "revenue_share": [0.5, 1 / 6, 1 / 3, 1.0],
            "revenue_per_customer": [100.0, 50.0, 200.0, 100.0],
            "preferred_channel": ["web", "store", "store", "store"],
        }
    )


def test_campaign_return_per_segment_and_for_all_customers(joined):
    table = value.campaign_return(ibis.memtable(joined), COLUMNS)

    assert table.index.tolist() == [1, 2, 3, 0]
    # Segment 1: 3 contacts x 3 = 9; one response x 11.
    # Segment 2: costs 2 + 4 = 6; the one response is worth 20.
    # Segment 3: 3 spent, no response. All: 18 spent, 11 + 20 = 31 earned.
    expected = pd.DataFrame(
        {
            "contacts": [3, 2, 1, 6],
            "responses": [1, 1, 0, 2],
            "contact_cost": [9.0, 6.0, 3.0, 18.0],
            "response_revenue": [11.0, 20.0, 0.0, 31.0],
            "response_rate": [1 / 3, 0.5, 0.0, 1 / 3],
            "revenue_per_contact": [11 / 3, 10.0, 0.0, 31 / 6],
            "cost_per_contact": [3.0, 3.0, 3.0, 3.0],
            "profit_per_contact": [2 / 3, 7.0, -3.0, 13 / 6],
            "profit_all_contacted": [2.0, 14.0, -3.0, 13.0],
            "break_even_response_rate": [3 / 11, 3 / 20, np.nan, 3 / 15.5],
        },
        index=pd.Index([1, 2, 3, 0], name="segment"),
    )
    pd.testing.assert_frame_equal(table[expected.columns], expected)
    # So few contacts leave every margin unclear at 95 %: none pays back, none surely loses.
    assert not table["pays_back"].any() and not table["loses_money"].any()


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval, written out (Wilson 1927)."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return centre - half, centre + half


@pytest.mark.parametrize(
    ("responses", "contacts", "pays_back", "loses_money"),
    [(400, 1000, True, False), (30, 100, False, False), (100, 1000, False, True)],
)
def test_a_contact_pays_back_or_loses_only_beyond_chance(
    responses, contacts, pays_back, loses_money
):
    # Cost 3, an accepted offer 11: a contact breaks even at 27.3 % accepting.
    joined = pd.DataFrame(
        {
            "segment": 1,
            "cost": 3,
            "price": 11,
            "answered": [1] * responses + [0] * (contacts - responses),
        }
    )

    row = value.campaign_return(ibis.memtable(joined), COLUMNS).loc[1]

    low, high = wilson(responses, contacts)
    assert (row["response_rate_low"], row["response_rate_high"]) == pytest.approx((low, high))
    assert row["profit_per_contact_low"] == pytest.approx(11 * low - 3)
    assert (row["pays_back"], row["loses_money"]) == (pays_back, loses_money)


def test_all_customers_is_the_ratio_of_totals_not_the_mean_of_segments(joined):
    table = value.campaign_return(ibis.memtable(joined), COLUMNS)

    segments = table.drop(index=0)
    assert table.loc[0, "response_rate"] == 2 / 6
    assert segments["response_rate"].mean() != pytest.approx(table.loc[0, "response_rate"])
    assert segments["profit_all_contacted"].sum() == table.loc[0, "profit_all_contacted"]


def test_a_segment_loses_when_few_answer(joined):
    joined["answered"] = 0

    table = value.campaign_return(ibis.memtable(joined), COLUMNS)

    assert not table["pays_back"].any()
    assert table["break_even_response_rate"].isna().all()  # no response: no price of one
    assert table.loc[0, "profit_all_contacted"] == -18.0


def test_value_table_takes_the_historical_value_from_the_profiles(profiles, joined):
    table = value.segment_value(profiles, value.campaign_return(ibis.memtable(joined), COLUMNS))

    assert table["segment"].tolist() == [1, 2, 3, 0]
    assert table["historical_value_per_customer"].tolist() == [100.0, 50.0, 200.0, 100.0]
    assert table["revenue_share"].tolist() == profiles["revenue_share"].tolist()
    assert "preferred_channel" not in table
    assert table["profit_per_contact"].iloc[-1] == pytest.approx(13 / 6)
    assert value.paying_segments(table) == []  # six contacts: no margin is beyond chance


def test_without_campaign_roles_the_value_is_historical_only(profiles):
    table = value.segment_value(profiles, None)

    assert list(table.columns) == [
        "segment",
        "customers",
        "customer_share",
        "revenue",
        "revenue_share",
        "historical_value_per_customer",
    ]
    assert value.paying_segments(table) == []


def test_without_revenue_the_table_has_customers_only(profiles):
    table = value.segment_value(profiles[["segment", "customers", "customer_share"]], None)

    assert list(table.columns) == ["segment", "customers", "customer_share"]


def test_a_campaign_return_of_other_segments_is_refused(profiles, joined):
    joined["segment"] = joined["segment"].replace({3: 4})

    with pytest.raises(ValueError, match="segments are not those of segment_profiles"):
        value.segment_value(profiles, value.campaign_return(ibis.memtable(joined), COLUMNS))


def test_campaign_columns_need_all_three_roles_declared_and_present():
    present = [spec.name for spec in DEFAULT_SCHEMA.columns]

    assert value.campaign_columns(DEFAULT_SCHEMA, present) == {
        "contact_cost": "Z_CostContact",
        "response_revenue": "Z_Revenue",
        "response": "Response",
    }
    assert value.campaign_columns(DEFAULT_SCHEMA, [c for c in present if c != "Z_Revenue"]) is None
    declared = [c for c in SCHEMA_CONFIG["columns"] if c["name"] != "Response"]
    without_response = CustomerSchema.from_config({"columns": declared})
    assert value.campaign_columns(without_response, present) is None


def test_the_period_is_the_unit_of_the_revenue_columns():
    assert value.revenue_period(DEFAULT_SCHEMA) == "currency units, last 2 years"
    log = CustomerSchema.from_config(
        {
            "columns": [
                {"name": "ID", "role": "id"},
                {"name": "monetary", "role": "monetary", "unit": "currency units"},
            ]
        }
    )
    assert value.revenue_period(log) == "currency units"
    no_revenue = CustomerSchema.from_config({"columns": [{"name": "ID", "role": "id"}]})
    assert value.revenue_period(no_revenue) is None
