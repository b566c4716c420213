"""The catalog's layers in data-flow order (kedro-viz draws them top to bottom)."""

LAYERS = (
    "raw",
    "intermediate",
    "primary",
    "feature",
    "model_input",
    "models",
    "model_output",
    "reporting",
)
