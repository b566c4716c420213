"""Same arguments give the same bytes; chunk size never changes the output."""

import pandas as pd
import pytest

from tools.synthetic import generator, write_synthetic


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    first = write_synthetic(tmp_path / "a.csv", 3_000, 11)
    again = write_synthetic(tmp_path / "b.csv", 3_000, 11)
    other = write_synthetic(tmp_path / "c.csv", 3_000, 12)
    assert first.customers_path.read_bytes() == again.customers_path.read_bytes()
    assert first.segments_path.read_bytes() == again.segments_path.read_bytes()
    assert first.customers_path.read_bytes() != other.customers_path.read_bytes()


@pytest.mark.parametrize("chunk_size", [7, 1_000, 2_500, 10_000])
def test_output_does_not_depend_on_chunk_size(tmp_path, monkeypatch, chunk_size):
    # Small blocks make a few thousand rows span several blocks and chunk boundaries.
    monkeypatch.setattr(generator, "BLOCK_ROWS", 1_000)
    reference = write_synthetic(tmp_path / "ref.csv", 4_321, 5, chunk_size=4_321)
    chunked = write_synthetic(tmp_path / "chunked.csv", 4_321, 5, chunk_size=chunk_size)
    assert chunked.customers_path.read_bytes() == reference.customers_path.read_bytes()
    assert chunked.segments_path.read_bytes() == reference.segments_path.read_bytes()


def test_chunks_have_the_requested_size_and_unique_ids_across_blocks(monkeypatch):
    monkeypatch.setattr(generator, "BLOCK_ROWS", 1_000)
    chunks = list(generator.generate_chunks(4_321, 5, chunk_size=1_500))
    assert [chunk.customers.num_rows for chunk in chunks] == [1_500, 1_500, 1_321]
    clean = generator.DirtSettings.clean()
    ids = pd.concat(
        c.customers.to_pandas()["ID"] for c in generator.generate_chunks(4_321, 5, 999, clean)
    )
    assert ids.is_unique


def test_bigger_files_share_the_leading_blocks(monkeypatch):
    monkeypatch.setattr(generator, "BLOCK_ROWS", 1_000)
    small, _ = generator.generate_frame(2_000, 9)
    large, _ = generator.generate_frame(3_500, 9)
    pd.testing.assert_frame_equal(small, large.iloc[:2_000])
