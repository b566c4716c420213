"""The log alone: transactions -> RFM features -> clustering -> analysis in RFM terms.

No customer table, so no data_processing or eda. A package of its own (not only a registry
entry) so that `kedro run --pipelines rfm_segmentation` finds it: Kedro 1.7 loads only the
packages named on the command line.
"""

from kedro.pipeline import Pipeline

from customer_segmentation.pipelines import (
    cluster_analysis,
    clustering,
    feature_engineering,
    transactions,
)


def create_pipeline(**kwargs) -> Pipeline:
    """The four pipelines wired for ``customer_rfm`` as the only source of customers."""
    return (
        transactions.create_pipeline()
        + feature_engineering.create_pipeline(source="transactions")
        + clustering.create_pipeline()
        + cluster_analysis.create_pipeline(source="transactions")
    )
