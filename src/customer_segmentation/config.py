"""The project's config loader: Kedro's OmegaConfigLoader with conf/local read on top of any env.

Kedro reads `conf/base` plus one environment: `conf/local` by default, or the `--env` given, which
then replaces `conf/local` entirely. Machine-specific settings (your own file's path, credentials)
live in `conf/local` and must apply to the mode environments too (`kedro run --env retail` on your
own log), so this loader adds `conf/local` as a third layer: base < env < local, for the catalog,
parameters and credentials (with the same merge strategy as env over base). Globals are not
layered: each environment keeps its own output folder (`conf/<env>/globals.yml`).

Each key is read from its files once per loader (one per session): Kedro asks for the parameters
and globals several times per run, and parsing the YAML files again each time cost about 0.3 s
of every run's start.
"""

import copy
from pathlib import Path
from typing import Any

from kedro.config import MissingConfigException, OmegaConfigLoader
from omegaconf import OmegaConf

LOCAL_ENV = "local"
LAYERED_KEYS = ("catalog", "parameters", "credentials")


class LocalOnTopConfigLoader(OmegaConfigLoader):
    """OmegaConfigLoader that also reads `conf/local` on top of a `--env` other than local."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._read: dict[str, dict[str, Any]] = {}  # before Kedro's set-up, which reads globals
        super().__init__(*args, **kwargs)

    def __getitem__(self, key: str) -> dict[str, Any]:
        if key in self:  # set explicitly on the loader: Kedro's own behaviour
            return super().__getitem__(key)
        if key not in self._read:
            self._read[key] = self._read_layered(key)
        return copy.deepcopy(self._read[key])  # callers may change what they get

    def _read_layered(self, key: str) -> dict[str, Any]:
        config = super().__getitem__(key)
        run_env = self.env or self.default_run_env
        if key not in LAYERED_KEYS or run_env in (LOCAL_ENV, self.base_env):
            return config
        local_dir = Path(str(self.conf_source)) / LOCAL_ENV
        if not local_dir.is_dir():
            return config
        try:
            local = self.load_and_merge_dir_config(
                str(local_dir), self.config_patterns[key], key, processed_files=set()
            )
        except MissingConfigException:
            return config
        if not local:
            return config
        if self.merge_strategy.get(key, "destructive") == "soft":
            return OmegaConf.to_container(OmegaConf.merge(config, local), resolve=True)
        return {**config, **local}
