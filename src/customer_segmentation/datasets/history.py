"""Versioned datasets read as "the latest earlier version, if there is one".

A run's segment history reads the snapshot an earlier run saved (Kedro's versioning: the latest
version by default, an older one with ``kedro run --load-versions <dataset>:<version>``) and
saves its own under a new version. No stock dataset covers the first run, before any version
exists: a versioned dataset raises ``VersionNotFoundError``, ``PartitionedDataset`` raises on an
empty folder, and ``IncrementalDataset`` returns ``{}`` there but cannot be versioned, so
``--load-versions`` cannot pick an older snapshot. ``EmptyBeforeFirstVersion`` adds that one case
to the stock versioned datasets: with no version saved and none asked for, ``load`` gives None
(and ``exists`` is True, so the run is not refused for a missing input). A version named with
``--load-versions`` that does not exist still fails as the stock dataset fails.
"""

from typing import Any

from customer_segmentation.datasets.atomic import JSONDataset, ParquetDataset


class EmptyBeforeFirstVersion:
    """Mixin for a stock versioned file dataset: None instead of an error before version one."""

    def _before_first_version(self) -> bool:
        version = self._version  # type: ignore[attr-defined]
        return version is not None and version.load is None and not self._get_versions()  # type: ignore[attr-defined]

    def load(self) -> Any:
        """The latest (or the pinned) version; None when nothing was saved yet."""
        if self._before_first_version():
            return None
        return super().load.__wrapped__(self)  # type: ignore[misc]

    def _exists(self) -> bool:
        return self._before_first_version() or super()._exists()  # type: ignore[misc]


class HistoryJSONDataset(EmptyBeforeFirstVersion, JSONDataset):
    """``JSONDataset`` (versioned) whose load is None before the first version is saved."""


class HistoryParquetDataset(EmptyBeforeFirstVersion, ParquetDataset):
    """``ParquetDataset`` (versioned) whose load is None before the first version is saved."""
