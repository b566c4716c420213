from matplotlib.figure import Figure

from customer_segmentation.datasets import FigureDataset


def test_figure_dataset_round_trips_png_bytes(tmp_path):
    figure = Figure()
    figure.add_subplot().plot([0, 1], [1, 0])
    dataset = FigureDataset(filepath=str(tmp_path / "plot.png"))

    dataset.save(figure)
    loaded = dataset.load()

    assert loaded.startswith(b"\x89PNG\r\n\x1a\n")
    assert loaded == (tmp_path / "plot.png").read_bytes()
