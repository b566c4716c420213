"""The console script writes both files; the committed default data is reproducible."""

from pathlib import Path

import pandas as pd
import pytest

from tools.synthetic.cli import main

RAW_FOLDER = Path(__file__).resolve().parents[3] / "data" / "01_raw"


def test_cli_writes_raw_and_default_truth_file(tmp_path, capsys):
    output = tmp_path / "out" / "customers.csv"
    assert main(["--rows", "500", "--seed", "3", "--output", str(output)]) == 0
    truth = tmp_path / "out" / "customers_segments.csv"
    assert len(pd.read_csv(output, sep="\t")) == 500
    assert len(pd.read_csv(truth)) == 500
    assert "wrote 500 customers" in capsys.readouterr().out


def test_cli_options_truth_path_chunk_size_offset_and_clean(tmp_path):
    output, truth = tmp_path / "c.csv", tmp_path / "t.csv"
    args = ["--rows", "300", "--seed", "3", "--output", str(output), "--truth-output", str(truth)]
    main([*args, "--chunk-size", "64", "--id-offset", "1000000", "--clean"])
    raw = pd.read_csv(output, sep="\t")
    assert raw["ID"].min() >= 1_000_000 and raw["Income"].notna().all()
    assert pd.read_csv(truth)["ID"].tolist() == raw["ID"].tolist()


def test_committed_default_sample_is_reproducible(tmp_path):
    """data/01_raw/customers_synthetic.csv is `--rows 2240 --seed 42`, byte for byte."""
    output = tmp_path / "customers_synthetic.csv"
    main(["--rows", "2240", "--seed", "42", "--output", str(output)])
    committed = RAW_FOLDER / "customers_synthetic.csv"
    assert output.read_bytes() == committed.read_bytes()
    truth = tmp_path / "customers_synthetic_segments.csv"
    assert truth.read_bytes() == (RAW_FOLDER / "customers_synthetic_segments.csv").read_bytes()


def test_committed_new_customers_do_not_collide_with_the_sample(tmp_path):
    output = tmp_path / "new_customers.csv"
    args = ["--rows", "200", "--seed", "20240", "--id-offset", "100000"]
    main([*args, "--output", str(output), "--truth-output", str(tmp_path / "t.csv")])
    assert output.read_bytes() == (RAW_FOLDER / "new_customers.csv").read_bytes()
    sample = pd.read_csv(RAW_FOLDER / "customers_synthetic.csv", sep="\t")
    new = pd.read_csv(output, sep="\t")
    assert not set(new["ID"]) & set(sample["ID"])


@pytest.mark.parametrize(
    "bad", [["--rows", "-1"], ["--chunk-size", "0"], ["--missing-income-rate", "2"]]
)
def test_cli_rejects_bad_arguments_with_a_usage_error(tmp_path, bad, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--output", str(tmp_path / "x.csv"), *bad])
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()
