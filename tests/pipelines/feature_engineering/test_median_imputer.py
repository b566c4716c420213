"""MedianImputer: the medians and filled values of scikit-learn's median SimpleImputer, faster."""

import numpy as np
import pandas as pd
import pytest
from sklearn.impute import SimpleImputer

from customer_segmentation.core.preprocessing import MedianImputer


@pytest.mark.parametrize("rows", [10, 11, 1000, 1001])
def test_same_medians_and_filled_values_as_simple_imputer(rows):
    rng = np.random.default_rng(rows)
    train = rng.lognormal(size=(rows, 3)) * 100
    train[:, 2] = np.round(train[:, 2])  # ties between the two middle values
    train[rng.random((rows, 3)) < 0.1] = np.nan
    new = rng.lognormal(size=(rows, 3))
    new[rng.random((rows, 3)) < 0.2] = np.nan
    expected = SimpleImputer(strategy="median").fit(train)
    imputer = MedianImputer().fit(train)
    assert np.array_equal(imputer.statistics_, expected.statistics_)
    assert np.array_equal(imputer.transform(new), expected.transform(new))


def test_even_count_median_and_input_left_unchanged():
    frame = pd.DataFrame({"a": [1.0, np.nan, 4.0, 2.0, 10.0], "b": [3.0, 5.0, np.nan, 1.0, 2.0]})
    imputer = MedianImputer().fit(frame)
    assert imputer.statistics_.tolist() == [3.0, 2.5]  # mean of the two middle values
    assert list(imputer.get_feature_names_out()) == ["a", "b"]
    filled = imputer.transform(frame)
    assert filled[1, 0] == 3.0 and filled[2, 1] == 2.5
    assert frame.isna().sum().sum() == 2  # the input is not modified
