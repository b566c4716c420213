"""Warnings when the dates look shifted: enrolments after the run date, implausible median age."""

import pandas as pd
import pytest

from customer_segmentation.core.cleaning.date_checks import shifted_date_warnings
from customer_segmentation.pipelines.feature_engineering.nodes import (
    engineer_features,
    report_features,
)
from tests.fixtures.schema import SCHEMA_CONFIG

RUN_DATE = pd.Timestamp("2026-12-02")


def _features(ages: list[int], tenure_days: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"age": ages, "tenure_days": tenure_days})


def test_plausible_dates_give_no_warning():
    features = _features([30, 45, 60], [0, 100, 700])
    assert shifted_date_warnings(features, pd.Timestamp("2014-06-29"), RUN_DATE, 90) == []


def test_enrolments_after_the_run_date_are_counted():
    # Latest enrolment 2027-01-01: the customer with tenure 0 and the one 10 days earlier
    # enrolled after 2026-12-02; the one 60 days earlier (2026-11-02) did not.
    features = _features([40, 40, 40], [0, 10, 60])

    (warning,) = shifted_date_warnings(features, pd.Timestamp("2027-01-01"), RUN_DATE, 90)

    assert warning.startswith("The dates look shifted: 2 of 3 customers enrolled after the run")
    assert "2026-12-02" in warning and "2027-01-01" in warning


@pytest.mark.parametrize(("ages", "warned"), [([80, 90, 120], False), ([80, 91, 120], True)])
def test_a_median_age_above_the_limit_is_warned(ages, warned):
    warnings = shifted_date_warnings(_features(ages, [0, 0, 0]), RUN_DATE, RUN_DATE, 90)
    assert bool(warnings) is warned
    if warned:
        assert "the median customer is 91 years old at 2026-12-02" in warnings[0]


def test_a_source_without_dates_is_not_checked():
    assert shifted_date_warnings(pd.DataFrame({"recency_days": [1]}), None, RUN_DATE, 90) == []


def test_feature_report_carries_the_warnings_of_shifted_dates(primary_customers, fe_params):
    shifted = primary_customers.assign(
        Dt_Customer=pd.to_datetime(primary_customers["Dt_Customer"]) + pd.DateOffset(years=30)
    )
    params = {**fe_params, "date_checks": {"run_date": "2026-12-02", "max_median_age": 90}}

    unshifted = report_features(
        *engineer_features(primary_customers, params, SCHEMA_CONFIG)[:2], params
    )
    moved = report_features(*engineer_features(shifted, params, SCHEMA_CONFIG)[:2], params)

    assert unshifted["date_warnings"] == []
    assert (
        f"{len(shifted):,} of {len(shifted):,} customers enrolled after"
        in moved["date_warnings"][0]
    )
