"""Planted segments: aligned with the raw rows, kept out of the raw table, recoverable."""

import numpy as np
import pandas as pd
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.preprocessing import StandardScaler

from tools.synthetic import SEGMENT_NAMES, DirtSettings, generate_frame
from tools.synthetic.segments import SEGMENTS


def test_truth_rows_align_with_raw_rows(synthetic_raw, synthetic_truth):
    assert len(synthetic_truth) == len(synthetic_raw)
    assert (synthetic_truth["ID"].to_numpy() == synthetic_raw["ID"].to_numpy()).all()
    assert set(synthetic_truth["segment"]) == set(SEGMENT_NAMES)


def test_truth_never_leaks_into_the_raw_table(synthetic_raw, synthetic_truth):
    assert "segment" not in synthetic_raw.columns
    raw_text = synthetic_raw.astype(str).to_numpy().ravel()
    assert not np.isin(SEGMENT_NAMES, raw_text).any()


def test_segment_shares_match_the_model(synthetic_truth):
    shares = synthetic_truth["segment"].value_counts(normalize=True)
    for segment in SEGMENTS:
        assert abs(shares[segment.name] - segment.share) < 0.015, segment.name


def test_segments_differ_the_way_they_are_defined(synthetic_raw, synthetic_truth):
    raw = synthetic_raw.assign(segment=synthetic_truth["segment"])
    raw = raw[raw["Income"] < 600_000]
    spend = raw.filter(like="Mnt").sum(axis=1)
    by_segment = raw.assign(spend=spend).groupby("segment")
    income = by_segment["Income"].median()
    assert income.idxmax() == "affluent_connoisseurs"
    assert income.idxmin() == "budget_young_parents"
    assert by_segment["spend"].median().idxmax() == "affluent_connoisseurs"
    assert by_segment["NumDealsPurchases"].mean().idxmax() == "stretched_families"
    assert by_segment["Year_Birth"].mean().idxmax() == "budget_young_parents"
    assert by_segment["NumWebVisitsMonth"].mean().idxmin() == "affluent_connoisseurs"


def test_a_simple_classifier_recovers_the_segments():
    raw, truth = generate_frame(6_000, 21, DirtSettings.clean())
    spend = raw.filter(like="Mnt")
    features = pd.DataFrame(
        {
            "income": raw["Income"],
            "kidhome": raw["Kidhome"],
            "teenhome": raw["Teenhome"],
            "birth": raw["Year_Birth"],
            "log_spend": np.log1p(spend.sum(axis=1)),
            "deals": raw["NumDealsPurchases"],
            "visits": raw["NumWebVisitsMonth"],
            "catalog": raw["NumCatalogPurchases"],
        }
    )
    scaled = StandardScaler().fit_transform(features)
    model = LinearDiscriminantAnalysis().fit(scaled[:3_000], truth["segment"][:3_000])
    assert model.score(scaled[3_000:], truth["segment"][3_000:]) > 0.8
