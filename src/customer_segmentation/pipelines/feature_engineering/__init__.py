"""feature_engineering: primary customers -> customer_features, model_input and the preprocessor."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
