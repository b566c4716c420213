"""Fitted models stored in skops' format: loading a file never runs code from it.

A pickle runs whatever its bytes say when it is loaded, so a model file from someone else (or
one changed on disk) can take over the machine. ``skops.io`` stores the same objects as data and
refuses, before building anything, any type the catalog entry does not list in ``trusted``
(scikit-learn's and numpy's own types are trusted by skops itself).
"""

from pathlib import PurePosixPath
from typing import Any

import fsspec
from kedro.io.core import (
    AbstractVersionedDataset,
    DatasetError,
    Version,
    get_filepath_str,
    get_protocol_and_path,
)

from customer_segmentation.datasets.atomic import WrittenAtomically


def _skops_io() -> Any:
    """skops.io, imported when a model is read or written: importing it lists every
    scikit-learn estimator (about 1.5 s), which runs that touch no model should not pay."""
    import skops.io  # noqa: PLC0415

    return skops.io


class _SkopsFile(AbstractVersionedDataset[Any, Any]):
    def __init__(
        self,
        *,
        filepath: str,
        trusted: list[str],
        version: Version | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        protocol, path = get_protocol_and_path(filepath, version)
        self._protocol = protocol
        self._fs = fsspec.filesystem(
            protocol, **({"auto_mkdir": True} if protocol == "file" else {})
        )
        self._trusted = list(trusted)
        self.metadata = metadata
        super().__init__(
            filepath=PurePosixPath(path),
            version=version,
            exists_function=self._fs.exists,
            glob_function=self._fs.glob,
        )

    def load(self) -> Any:
        path = get_filepath_str(self._get_load_path(), self._protocol)
        with self._fs.open(path, mode="rb") as handle:
            content = handle.read()
        sio = _skops_io()
        try:
            found = sio.get_untrusted_types(data=content)
        except Exception as error:  # not a skops (zip) file at all: a pickle, or damaged
            raise DatasetError(
                f"Refusing to load the model '{path}': it is not a skops model file ({error}). "
                "Models are never read from pickles; run the training again (`kedro run`) to "
                "rebuild it."
            ) from error
        untrusted = sorted(set(found) - set(self._trusted))
        if untrusted:
            raise DatasetError(
                f"Refusing to load the model '{path}': it holds types this project never writes "
                f"({', '.join(untrusted)}). It was not written by this project's run, or was "
                "changed since: run the training again (`kedro run`) to rebuild it."
            )
        return sio.loads(content, trusted=self._trusted)

    def save(self, data: Any) -> None:
        path = get_filepath_str(self._get_save_path(), self._protocol)
        with self._fs.open(path, mode="wb") as handle:
            handle.write(_skops_io().dumps(data))

    def _exists(self) -> bool:
        try:
            path = get_filepath_str(self._get_load_path(), self._protocol)
        except DatasetError:
            return False
        return self._fs.exists(path)

    def _describe(self) -> dict[str, Any]:
        return {"filepath": self._filepath, "protocol": self._protocol, "version": self._version}


class SkopsDataset(WrittenAtomically, _SkopsFile):
    """A fitted model (any Python object skops can store), written atomically.

    ``trusted``: the full names of the project's own types in the file (for example
    ``customer_segmentation.core.clustering.assignment.NearestCentroidSegmenter``). A file with any
    other type not trusted by skops is refused with a message, without running anything.
    """
