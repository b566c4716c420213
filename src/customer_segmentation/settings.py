"""Kedro project settings. Defaults apply unless set here."""

import warnings

from customer_segmentation.config import LOCAL_ENV, LocalOnTopConfigLoader
from customer_segmentation.hooks import KeepFreedMemory, RunGuard, RunSummary
from customer_segmentation.tracking import TrackInMlflow, tracking_installed

# Kedro 1.7's config loader calls OmegaConf.register_new_resolver, which OmegaConf deprecates: a
# warning about Kedro's own code, printed three times on every command, that no user can act on.
warnings.filterwarnings(
    "ignore", message=r"register_new_resolver\(\) is deprecated", category=UserWarning
)

# OmegaConfigLoader with conf/local read on top of any --env as well (config.py).
CONFIG_LOADER_CLASS = LocalOnTopConfigLoader
CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": LOCAL_ENV,
    # conf/<env> overrides single parameter keys, not whole blocks (conf/local/README.md).
    "merge_strategy": {"parameters": "soft"},
}
HOOKS = (
    KeepFreedMemory(),
    RunGuard(),
    RunSummary(),
    *([TrackInMlflow()] if tracking_installed() else []),
)
"""Freed memory kept for reuse; lock, run manifest and stale-report stamp; a short console summary
of every run (hooks.py); with the `tracking` extra, the run's numbers and files in MLflow
(tracking.py)."""
