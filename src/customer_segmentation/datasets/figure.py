"""A figure dataset that saves like MatplotlibDataset and loads the saved PNG bytes back."""

from kedro.io.core import get_filepath_str

from customer_segmentation.datasets.atomic import MatplotlibDataset


class FigureDataset(MatplotlibDataset):
    """PNG figure: ``save`` takes a matplotlib Figure (written atomically), ``load`` returns the
    PNG bytes.

    Loading lets the report embed the very figures a run saved instead of drawing them again;
    kedro-viz previews it like any MatplotlibDataset.
    """

    def load(self) -> bytes:  # type: ignore[override]
        """Return the saved PNG file's bytes."""
        load_path = get_filepath_str(self._get_load_path(), self._protocol)
        with self._fs.open(load_path, mode="rb") as png_file:
            return png_file.read()
