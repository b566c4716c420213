"""Warnings when a table's dates look shifted: customers enrolled after the run, or mostly
implausibly old.

A file whose dates were moved (a wrong century, a test file shifted into the future) parses and
cleans without error; the features are then measured at a wrong reference date and every age and
tenure is off. These checks cannot tell which date is wrong, so they warn (in feature_report and
at the top of the report) rather than refuse.
"""

import numpy as np
import pandas as pd


def shifted_date_warnings(
    features: pd.DataFrame,
    reference: pd.Timestamp | None,
    run_date: pd.Timestamp,
    max_median_age: float,
) -> list[str]:
    """Plain-language warnings, empty when the dates look plausible.

    ``features``: customer_features (``age`` in years and ``tenure_days`` at ``reference``, when
    the source has them); ``reference``: the date ages and tenures are measured at (None: the
    source has no dates); ``run_date``: no customer can have enrolled after it;
    ``max_median_age``: years, above which the median customer's age is implausible.
    """
    if reference is None:
        return []
    warnings = []
    if "tenure_days" in features and reference > run_date:
        enrolled = reference - pd.to_timedelta(features["tenure_days"], unit="D")
        future = int(np.count_nonzero(enrolled > run_date))
        warnings.append(
            f"The dates look shifted: {future:,} of {len(features):,} customers enrolled after "
            f"the run date {run_date.date()} (latest enrolment {reference.date()}, which ages and "
            "tenures are measured at). Check the enrolment dates in the input file; every age, "
            "tenure and segment of this run rests on them."
        )
    if "age" in features and len(features):
        median = float(features["age"].median())
        if median > max_median_age:
            warnings.append(
                f"The dates look shifted: the median customer is {median:.0f} years old at "
                f"{reference.date()} (plausible: at most {max_median_age:g}). Check the birth "
                "years and enrolment dates in the input file."
            )
    return warnings
