"""Kedro project settings. Defaults apply unless set here."""

from customer_segmentation.config import LOCAL_ENV, LocalOnTopConfigLoader
from customer_segmentation.context import PublishedContext
from customer_segmentation.hooks import RunGuard
from customer_segmentation.tracking import TrackInMlflow, tracking_installed

# OmegaConfigLoader with conf/local read on top of any --env as well (config.py).
CONFIG_LOADER_CLASS = LocalOnTopConfigLoader
CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": LOCAL_ENV,
    # conf/<env> overrides single parameter keys, not whole blocks (conf/local/README.md).
    "merge_strategy": {"parameters": "soft"},
}
HOOKS = (RunGuard(), *([TrackInMlflow()] if tracking_installed() else []))
"""Lock, run manifest, stale-report stamp and the refusals that need the whole run (hooks.py);
with the `tracking` extra, the run's numbers and files in MLflow (tracking.py)."""

# Notebooks and kedro-viz load the published run's versions (context.py, publication.py).
CONTEXT_CLASS = PublishedContext
