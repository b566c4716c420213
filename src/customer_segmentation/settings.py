"""Kedro project settings. Defaults apply unless set here."""

from kedro.config import OmegaConfigLoader

from customer_segmentation.hooks import WaitForBackgroundWrites

CONFIG_LOADER_CLASS = OmegaConfigLoader
CONFIG_LOADER_ARGS = {"base_env": "base", "default_run_env": "local"}
HOOKS = (WaitForBackgroundWrites(),)
