"""The config loader (config.py): conf/local read on top of any --env, globals left per env."""

from pathlib import Path

import yaml

from customer_segmentation.config import LocalOnTopConfigLoader
from customer_segmentation.settings import CONFIG_LOADER_ARGS


def _write(path: Path, content: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(content))


def _conf(tmp_path: Path) -> Path:
    conf = tmp_path / "conf"
    _write(conf / "base/catalog.yml", {"log": {"type": "A", "filepath": "base.parquet"}})
    _write(conf / "base/parameters.yml", {"block": {"one": 1, "two": 2, "three": 3}})
    _write(conf / "base/globals.yml", {"outputs": "data"})
    _write(conf / "retail/catalog.yml", {"log": {"type": "A", "filepath": "retail.parquet"}})
    _write(conf / "retail/parameters.yml", {"block": {"two": 20}})
    _write(conf / "retail/globals.yml", {"outputs": "data/retail"})
    _write(conf / "local/catalog.yml", {"log": {"type": "A", "filepath": "/mine.parquet"}})
    _write(conf / "local/parameters.yml", {"block": {"three": 300}})
    _write(conf / "local/globals.yml", {"outputs": "/elsewhere"})
    return conf


def test_conf_local_overrides_an_env_key_by_key_but_not_its_output_folder(tmp_path):
    loader = LocalOnTopConfigLoader(str(_conf(tmp_path)), env="retail", **CONFIG_LOADER_ARGS)

    assert loader["catalog"]["log"]["filepath"] == "/mine.parquet"
    assert loader["parameters"]["block"] == {"one": 1, "two": 20, "three": 300}
    assert loader["globals"]["outputs"] == "data/retail"


def test_without_env_it_reads_base_and_local_as_kedro_does(tmp_path):
    loader = LocalOnTopConfigLoader(str(_conf(tmp_path)), **CONFIG_LOADER_ARGS)

    assert loader["catalog"]["log"]["filepath"] == "/mine.parquet"
    assert loader["parameters"]["block"] == {"one": 1, "two": 2, "three": 300}
    assert loader["globals"]["outputs"] == "/elsewhere"


def test_an_env_without_conf_local_files_is_read_as_is(tmp_path):
    conf = _conf(tmp_path)
    for path in (conf / "local").iterdir():
        path.unlink()

    loader = LocalOnTopConfigLoader(str(conf), env="retail", **CONFIG_LOADER_ARGS)

    assert loader["catalog"]["log"]["filepath"] == "retail.parquet"
    assert loader["parameters"]["block"] == {"one": 1, "two": 20, "three": 3}
