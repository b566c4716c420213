"""The starter declaration a run prints for a file the schema does not describe.

`kedro run` on such a file stops in its first node with this message; it is made here
in-process (the same parse of the file with the default declaration), which spares the suite a
`kedro run` per layout.
"""

import re
from pathlib import Path

import pytest
import yaml

from customer_segmentation.core.cleaning.parsing import parse_customers
from customer_segmentation.datasets import DelimitedTextDataset
from customer_segmentation.errors import InputDataError
from tests.fixtures.schema import DEFAULT_SCHEMA


def printed_starter(project: Path, raw_file: str) -> str:
    """The YAML block (from `schema:`) the refusal prints for ``data/01_raw/<raw_file>``."""
    raw = DelimitedTextDataset(filepath=str(project / "data/01_raw" / raw_file)).load()
    settings = project / "conf/base/parameters_data_processing.yml"
    with pytest.raises(InputDataError) as refused:
        parse_customers(
            raw, yaml.safe_load(settings.read_text())["data_processing"], DEFAULT_SCHEMA
        )
    printed = f"{refused.value}\n"
    return re.search(r"^schema:\n(?:[ #].*\n|feature_engineering:\n)+", printed, re.M).group()
