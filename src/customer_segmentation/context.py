"""The project's Kedro context: readers outside a run load the published versions.

A run starts by removing what unfinished runs left (hooks.py), so inside a run the latest
version of every dataset is the published one. A notebook, ``kedro ipython`` or kedro-viz may
open the catalog while a run is writing, or after a run was killed: their catalog loads, for
every dataset the current publication names, that version (publication.py), unless a version
is asked for explicitly (``load_versions``).
"""

from pathlib import Path
from typing import Any

from kedro.framework.context import KedroContext
from kedro.io import DataCatalog

from customer_segmentation.publication import current_publication


class PublishedContext(KedroContext):
    """KedroContext whose catalog, outside a run, loads the current publication's versions."""

    def _get_catalog(
        self,
        catalog_class: type = DataCatalog,
        save_version: str | None = None,
        load_versions: dict[str, str] | None = None,
    ) -> Any:
        catalog = super()._get_catalog(catalog_class, save_version, load_versions)
        if save_version is not None:  # a run: the latest versions are the published ones
            return catalog
        outputs = Path(self.project_path) / self.config_loader["globals"].get("outputs", "data")
        published = current_publication(outputs)
        if published is None:
            return catalog
        pinned = {
            name: entry["version"]
            for name, entry in published["datasets"].items()
            if name in catalog
        }
        return super()._get_catalog(catalog_class, None, {**pinned, **(load_versions or {})})
