"""The fitted preprocessor: guard rails, options and the bit-identical round trip."""

import logging

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from customer_segmentation.core.features.preprocessing import (
    CustomerPreprocessor,
    skewed_features,
)
from customer_segmentation.errors import InputDataError
from tests.fixtures.schema import SCHEMA_CONFIG


def make_preprocessor(params: dict, **overrides) -> CustomerPreprocessor:
    settings = {**params["preprocessing"], **overrides}
    return CustomerPreprocessor(
        schema=SCHEMA_CONFIG,
        reference_date=params["reference_date"],
        **settings,
    )


def test_model_input_shape_types_and_no_nan_or_inf(primary_customers, fe_params):
    pre = make_preprocessor(fe_params, scaler="standard", pca=None)
    model_input = pre.fit_transform(primary_customers)
    assert model_input.columns[0] == "ID"
    assert model_input["ID"].dtype == "int64"
    assert model_input["ID"].tolist() == primary_customers["ID"].tolist()
    values = model_input.drop(columns="ID")
    assert (values.dtypes == "float64").all()
    assert list(values.columns) == fe_params["preprocessing"]["features"]
    assert np.isfinite(values.to_numpy()).all()
    # Standard scaling: mean 0 and sd 1 on the training customers.
    assert np.allclose(values.mean(), 0, atol=1e-12)
    assert np.allclose(values.std(ddof=0), 1)


def test_no_nan_or_inf_with_zero_purchases_visits_and_spend(primary_customers, fe_params):
    idle = primary_customers.copy()
    zero = idle.columns[idle.columns.str.startswith(("Mnt", "Num"))]
    idle.loc[:9, zero] = 0
    model_input = make_preprocessor(fe_params).fit_transform(idle)
    assert np.isfinite(model_input.drop(columns="ID").to_numpy()).all()


def test_log_transform_applies_log1p_before_scaling(primary_customers, fe_params):
    pre = make_preprocessor(fe_params, log_features=["income"], scaler="none", pca=None)
    model_input = pre.fit_transform(primary_customers)
    assert np.allclose(model_input["income"], np.log1p(primary_customers["Income"]))
    children = primary_customers["Kidhome"] + primary_customers["Teenhome"]
    assert np.allclose(model_input["children"], children)
    off = make_preprocessor(fe_params, log_transform=False, scaler="none", pca=None)
    assert np.allclose(off.fit_transform(primary_customers)["income"], primary_customers["Income"])


def test_skewed_features_are_never_negative_above_1_somewhere_and_skewed_beyond_the_threshold():
    rng = np.random.default_rng(0)
    table = pd.DataFrame(
        {
            "amount": rng.lognormal(3, 1, 2000),  # skewness about 6
            "symmetric": rng.normal(50, 5, 2000),
            "share": rng.beta(1, 9, 2000),  # skewed, but within 0..1
            "signed": rng.lognormal(3, 1, 2000) - 5,  # skewed, but negative somewhere
            "count": rng.poisson(1.0, 2000),  # skewness 1
        }
    )
    assert skewed_features(table, 1.5) == ["amount"]
    assert skewed_features(table, 0.5) == ["amount", "count"]
    assert skewed_features(table, 20.0) == []


def test_the_skew_rule_picks_the_log_features_at_fit_and_a_list_forces_them(
    primary_customers, fe_params
):
    rule = make_preprocessor(fe_params, log_skewness=1.0, log_features=None, pca=None)
    rule.fit(primary_customers)
    table = rule.customer_features(primary_customers)[fe_params["preprocessing"]["features"]]
    expected = skewed_features(table, 1.0)
    assert rule.report()["log_transformed"] == expected
    assert "income" not in expected and "total_spend" in expected  # income is not skewed here
    forced = make_preprocessor(fe_params, log_features=["income"], pca=None).fit(primary_customers)
    assert forced.report()["log_transformed"] == ["income"]
    # New customers are transformed with the features chosen at fit.
    assert np.allclose(
        rule.transform(primary_customers.iloc[:50]), rule.transform(primary_customers).iloc[:50]
    )


def test_zero_variance_and_all_missing_features_are_dropped_with_a_log_line(
    primary_customers, fe_params, caplog
):
    data = primary_customers.assign(Kidhome=0, Teenhome=0, Income=np.nan)
    with caplog.at_level(logging.WARNING):
        pre = make_preprocessor(fe_params, pca=None).fit(data)
    assert "dropping feature 'children': zero variance" in caplog.text
    assert "dropping feature 'income': all values missing" in caplog.text
    model_input = pre.transform(data)
    assert "children" not in model_input.columns and "income" not in model_input.columns
    assert np.isfinite(model_input.drop(columns="ID").to_numpy()).all()
    reasons = {d["feature"]: d["reason"] for d in pre.report()["features_dropped"]}
    assert set(reasons) == {"children", "income"}


def test_a_scikit_learn_estimator_clonable_with_its_settings_as_params(
    primary_customers, fe_params
):
    pre = make_preprocessor(fe_params, pca=None)
    assert pre.get_params()["scaler"] == "standard"
    assert pre.get_params()["features"] == fe_params["preprocessing"]["features"]
    fitted = pre.fit(primary_customers)

    robust = clone(fitted).set_params(scaler="robust")

    assert not hasattr(robust, "pipeline_")  # a clone carries the settings, nothing fitted
    assert fitted.get_params()["scaler"] == "standard"
    assert list(fitted.feature_names_in_) == list(primary_customers.columns)
    model_input = robust.fit_transform(primary_customers)
    assert list(robust.get_feature_names_out()) == list(model_input.columns)
    assert np.allclose(model_input.drop(columns="ID").median(), 0, atol=1e-12)
    assert not model_input.equals(fitted.transform(primary_customers))


def test_rows_are_transformed_independently_and_bit_identically(primary_customers, fe_params):
    pre = make_preprocessor(fe_params, pca=3).fit(primary_customers)
    first = pre.transform(primary_customers)
    again = pre.transform(primary_customers.copy())
    pd.testing.assert_frame_equal(first, again, check_exact=True)
    # A subset gives the same rows as the full table.
    subset = pre.transform(primary_customers.iloc[[5, 0, 42]])
    expected = first.iloc[[5, 0, 42]].reset_index(drop=True)
    pd.testing.assert_frame_equal(subset, expected, check_exact=True)


def test_transform_does_not_refit(primary_customers, fe_params):
    pre = make_preprocessor(fe_params, scaler="standard", pca=None).fit(primary_customers)
    richer = primary_customers.assign(Income=primary_customers["Income"] * 2)
    shifted = pre.transform(richer)
    # Scaled with the training statistics, so a doubled income moves every customer up by the
    # same log(2)/sd, instead of being re-centred at 0.
    assert shifted["income"].mean() > 0.5
    assert pre.reference_timestamp == primary_customers["Dt_Customer"].max()


def test_pca_by_components_and_by_explained_variance(primary_customers, fe_params):
    three = make_preprocessor(fe_params, pca=3).fit(primary_customers)
    assert three.transform(primary_customers).columns.tolist() == ["ID", "pc1", "pc2", "pc3"]
    assert len(three.explained_variance_ratio) == 3
    share = make_preprocessor(fe_params, pca=0.9).fit(primary_customers)
    ratios = share.explained_variance_ratio
    assert sum(ratios) >= 0.9 > sum(ratios[:-1])
    assert share.report()["explained_variance_total"] == pytest.approx(sum(ratios))
    no_pca = make_preprocessor(fe_params, pca=None).fit(primary_customers)
    assert no_pca.explained_variance_ratio is None


def test_robust_scaler_centres_on_the_median(primary_customers, fe_params):
    pre = make_preprocessor(fe_params, scaler="robust", pca=None)
    model_input = pre.fit_transform(primary_customers)
    values = model_input.drop(columns="ID")
    spread = values.quantile(0.75) - values.quantile(0.25)
    informative = spread > 0
    assert np.allclose(values.median()[informative], 0, atol=1e-12)
    assert np.allclose(spread[informative], 1)


def test_onehot_encoding_and_unseen_category(primary_customers, fe_params):
    pre = make_preprocessor(fe_params, onehot_columns=["Marital_Status"], pca=None)
    pre.fit(primary_customers)
    dummies = [c for c in pre.get_feature_names_out() if c.startswith("Marital_Status_")]
    assert len(dummies) == 5
    new = primary_customers.head(3).assign(Marital_Status="YOLO")
    with pytest.raises(InputDataError, match=r"'Marital_Status'.*YOLO.*not seen"):
        pre.transform(new)
    # With PCA the dummies are projected like every other column.
    projected = make_preprocessor(fe_params, onehot_columns=["Marital_Status"], pca=0.9)
    assert projected.fit(primary_customers).get_feature_names_out()[1] == "pc1"


def test_missing_columns_and_bad_settings_raise_clear_errors(primary_customers, fe_params):
    pre = make_preprocessor(fe_params).fit(primary_customers)
    new = primary_customers.drop(columns=["Income"])
    new.attrs["source"] = "new_customers.csv"
    with pytest.raises(InputDataError, match=r"new_customers.csv.*Income"):
        pre.transform(new)
    with pytest.raises(ValueError, match="scaler"):
        make_preprocessor(fe_params, scaler="minmax").fit(primary_customers)
    with pytest.raises(ValueError, match="pca"):
        make_preprocessor(fe_params, pca=1.5).fit(primary_customers)
    # the table's own features, ready to paste
    with pytest.raises(InputDataError, match=r"(?s)\['shoe_size'\].*features: \[age, "):
        make_preprocessor(fe_params, features=["income", "shoe_size"]).fit(primary_customers)


def test_gaps_in_new_customers_get_training_medians_and_negative_amounts_raise(
    primary_customers, fe_params, caplog
):
    logged = ["income", "total_spend"]
    pre = make_preprocessor(fe_params, log_features=logged, pca=None).fit(primary_customers)
    new = primary_customers.head(4).copy()
    new.loc[0, "Income"] = np.nan
    with caplog.at_level(logging.WARNING):
        model_input = pre.transform(new)
    assert "1 missing value(s) in 'income' filled with the training median" in caplog.text
    median_income = np.log1p(primary_customers["Income"].median())
    expected = (median_income - pre.pipeline_["scale"].mean_[0]) / pre.pipeline_["scale"].scale_[0]
    assert model_input.loc[0, "income"] == pytest.approx(expected)
    new.loc[1, "MntWines"] = -10_000
    with pytest.raises(InputDataError, match=r"'total_spend' is negative for 1 customer"):
        pre.transform(new)


@pytest.mark.parametrize("settings", [{}, {"pca": 3}, {"pca": None, "scaler": "none"}])
def test_fit_features_transform_equals_fit_then_transform(primary_customers, fe_params, settings):
    def make():
        return CustomerPreprocessor(
            schema=SCHEMA_CONFIG,
            reference_date=fe_params["reference_date"],
            **{**fe_params["preprocessing"], **settings},
        )

    features, model_input = make().fit_features_transform(primary_customers)
    fitted = make().fit(primary_customers)
    pd.testing.assert_frame_equal(
        features, fitted.customer_features(primary_customers), check_exact=True
    )
    # Bit for bit, not just close: the one-pass path must give what transform gives.
    expected = fitted.transform(primary_customers)
    assert list(model_input.columns) == list(expected.columns)
    for column in expected.columns:
        assert np.array_equal(model_input[column].to_numpy(), expected[column].to_numpy())


def test_a_table_whose_every_feature_is_constant_is_refused_naming_the_file(
    primary_customers, fe_params
):
    # Distinct customers (IDs, Recency differ) whose every clustering feature is the same.
    features_from = [c for c in primary_customers.columns if c not in ("ID", "Recency")]
    same = primary_customers.assign(**primary_customers.iloc[0][features_from].to_dict())
    same.attrs["source"] = "data/01_raw/same.csv"

    with pytest.raises(InputDataError) as refused:
        make_preprocessor(fe_params).fit(same)

    message = str(refused.value)
    assert message.startswith("data/01_raw/same.csv: every feature of the 300 customers")
    assert "income: zero variance" in message and "0 columns" in message
