"""Both sources: the default run's cleaning and exploration, the log's RFM, joined on ID.

A package of its own (not only a registry entry) so that `kedro run --pipelines
joined_segmentation` finds it: Kedro 1.7 loads only the packages named on the command line.
"""

from kedro.pipeline import Pipeline

from customer_segmentation.pipelines import (
    cluster_analysis,
    clustering,
    data_processing,
    eda,
    feature_engineering,
    transactions,
)


def create_pipeline(**kwargs) -> Pipeline:
    """Every pipeline, features and analysis from the customers joined to their log."""
    return (
        data_processing.create_pipeline()
        + eda.create_pipeline()
        + transactions.create_pipeline()
        + feature_engineering.create_pipeline(source="both")
        + clustering.create_pipeline()
        + cluster_analysis.create_pipeline(source="both")
    )
