"""A table that, once loaded, serves every later load of the run: the file is read at most once."""

import pandas as pd


class KeepsLoadedTable:
    """Mixin for a Kedro dataset of a pandas table; ``_read`` reads the file.

    The table from the first load (or one a save keeps) serves every later load until Kedro
    releases the dataset, which it does as soon as no remaining node of the run needs it. Loads
    return shallow copies: with pandas' copy-on-write a node cannot change what the next reads.
    """

    _kept: pd.DataFrame | None = None

    def _read(self) -> pd.DataFrame:
        raise NotImplementedError

    def load(self) -> pd.DataFrame:
        """The kept table, or the file (then kept)."""
        if self._kept is None:
            self._kept = self._read()
        return self._kept.copy(deep=False)

    def _release(self) -> None:
        super()._release()  # type: ignore[misc]
        self._kept = None
