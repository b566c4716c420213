"""The raw customer file's layout: column order, constant columns and text format.

This mirrors the public "Customer Personality Analysis" file (``marketing_campaign.csv``):
tab-separated, one header line, CRLF line ends, no quoting, ``Dt_Customer`` as dd-mm-yyyy and
``Income`` left empty when missing.
"""

from customer_segmentation.core.cleaning.contract import (  # noqa: F401  (the generator's column groups)
    CAMPAIGN_COLUMNS,
    CHANNEL_COLUMNS,
    RAW_COLUMNS,
    SPEND_COLUMNS,
)

TEXT_COLUMNS: tuple[str, ...] = ("Education", "Marital_Status", "Dt_Customer")
CONSTANT_COLUMNS: dict[str, int] = {"Z_CostContact": 3, "Z_Revenue": 11}

DELIMITER = "\t"
LINE_END = "\r\n"
DATE_FORMAT = "%d-%m-%Y"

TRUTH_COLUMNS: tuple[str, ...] = ("ID", "segment")

EDUCATION_LEVELS: tuple[str, ...] = ("Basic", "2n Cycle", "Graduation", "Master", "PhD")
MARITAL_STATUSES: tuple[str, ...] = ("Single", "Together", "Married", "Divorced", "Widow")
ODD_MARITAL_STATUSES: tuple[str, ...] = ("Alone", "Absurd", "YOLO")
