"""The raw customer file's layout: column order, constant columns and text format.

This mirrors the public "Customer Personality Analysis" file (``marketing_campaign.csv``):
tab-separated, one header line, CRLF line ends, no quoting, ``Dt_Customer`` as dd-mm-yyyy and
``Income`` left empty when missing.
"""

# The file's columns in order (conf/base/parameters.yml declares the same layout as the default
# schema; tests/synthetic checks that the two agree).
RAW_COLUMNS: tuple[str, ...] = (
    "ID",
    "Year_Birth",
    "Education",
    "Marital_Status",
    "Income",
    "Kidhome",
    "Teenhome",
    "Dt_Customer",
    "Recency",
    "MntWines",
    "MntFruits",
    "MntMeatProducts",
    "MntFishProducts",
    "MntSweetProducts",
    "MntGoldProds",
    "NumDealsPurchases",
    "NumWebPurchases",
    "NumCatalogPurchases",
    "NumStorePurchases",
    "NumWebVisitsMonth",
    "AcceptedCmp3",
    "AcceptedCmp4",
    "AcceptedCmp5",
    "AcceptedCmp1",
    "AcceptedCmp2",
    "Complain",
    "Z_CostContact",
    "Z_Revenue",
    "Response",
)
SPEND_COLUMNS: tuple[str, ...] = tuple(name for name in RAW_COLUMNS if name.startswith("Mnt"))
# Deals are not a channel: NumDealsPurchases counts discounted purchases made in some channel.
CHANNEL_COLUMNS: tuple[str, ...] = ("NumWebPurchases", "NumCatalogPurchases", "NumStorePurchases")
CAMPAIGN_COLUMNS: tuple[str, ...] = tuple(f"AcceptedCmp{number}" for number in range(1, 6))

TEXT_COLUMNS: tuple[str, ...] = ("Education", "Marital_Status", "Dt_Customer")
CONSTANT_COLUMNS: dict[str, int] = {"Z_CostContact": 3, "Z_Revenue": 11}

DELIMITER = "\t"
LINE_END = "\r\n"
DATE_FORMAT = "%d-%m-%Y"

TRUTH_COLUMNS: tuple[str, ...] = ("ID", "segment")

EDUCATION_LEVELS: tuple[str, ...] = ("Basic", "2n Cycle", "Graduation", "Master", "PhD")
MARITAL_STATUSES: tuple[str, ...] = ("Single", "Together", "Married", "Divorced", "Widow")
ODD_MARITAL_STATUSES: tuple[str, ...] = ("Alone", "Absurd", "YOLO")
