"""value_forecast: a log's purchase history -> BG/NBD + Gamma-Gamma CLV, holdout-checked."""

from customer_segmentation.pipelines.value_forecast.pipeline import VALUE_INPUTS, create_pipeline

__all__ = ["VALUE_INPUTS", "create_pipeline"]
