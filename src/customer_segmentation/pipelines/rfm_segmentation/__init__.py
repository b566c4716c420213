"""rfm_segmentation: the "transaction log alone" run (kedro run --config conf/retail/run.yml)."""

from customer_segmentation.pipelines.rfm_segmentation.pipeline import create_pipeline

__all__ = ["create_pipeline"]
