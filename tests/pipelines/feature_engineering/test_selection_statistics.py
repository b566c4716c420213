"""The robust scaler fitted by selection: the same numbers as scikit-learn's."""

import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import RobustScaler

from customer_segmentation.core.preprocessing import (
    CustomerPreprocessor,
    SelectionRobustScaler,
)


def columns(rows: int, seed: int):
    """Continuous, rounded (ties), few distinct, negative and gappy columns of `rows` values."""
    rng = np.random.default_rng(seed)
    smooth = rng.lognormal(size=rows) * 100
    gappy = smooth.copy()
    gappy[rng.random(rows) < 0.3] = np.nan
    return [smooth, np.round(smooth), rng.integers(0, 3, rows).astype(float), -smooth, gappy]


@pytest.mark.parametrize("rows", [7, 1000, 1001])
def test_selection_robust_scaler_equals_robust_scaler(rows):
    matrix = np.column_stack([*columns(rows, 3), np.full(rows, 5.0)])  # last: constant
    new = np.random.default_rng(4).lognormal(size=(20, matrix.shape[1]))
    fast, reference = SelectionRobustScaler().fit(matrix), RobustScaler().fit(matrix)
    assert np.array_equal(fast.center_, reference.center_)
    assert np.array_equal(fast.scale_, reference.scale_)
    assert fast.scale_[-1] == 1.0  # a constant column is centred, not scaled
    assert np.array_equal(fast.transform(new), reference.transform(new))


def test_selection_robust_scaler_other_settings_use_scikit_learn():
    matrix = np.column_stack(columns(1001, 5))
    fast = SelectionRobustScaler(quantile_range=(10.0, 90.0), unit_variance=True).fit(matrix)
    reference = RobustScaler(quantile_range=(10.0, 90.0), unit_variance=True).fit(matrix)
    assert np.array_equal(fast.scale_, reference.scale_)


@pytest.mark.parametrize("settings", [{}, {"pca": 3}, {"pca": None, "scaler": "none"}])
def test_fit_features_transform_equals_fit_then_transform(primary_customers, fe_params, settings):
    def make():
        return CustomerPreprocessor(
            education_levels=fe_params["education_levels"],
            partner_statuses=fe_params["partner_statuses"],
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
