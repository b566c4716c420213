"""A starter schema for an undeclared table: a guessed role for each column, as YAML to paste.

When a file does not match the declared schema, the refusal shows this declaration so that the
user starts from their own columns instead of a blank page. The guesses are plain rules on the
column name and a sample of its values (vectorised per column); every one is marked to be checked.
"""

import re
from collections.abc import Sequence

import pandas as pd
import yaml

from customer_segmentation.core.cleaning.contract import SINGLE_ROLES

SAMPLE_ROWS = 1000
# Date formats tried on a column's values; day-first before month-first (ambiguous dates such as
# 04-09-2012 are read day-first, the safer default; the user checks the guess).
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%m/%d/%Y", "%Y/%m/%d")
MAX_CATEGORIES = 20
ID_NAME = (
    r"(^|_|\s)id$|^id($|_|\s)"
    r"|(customer|client|member|account|user|contact).?(id|no|nr|number|key|ref|reference|code)"
)
# A name that is only an ID, with no doubt: id, ID, customer_id, CustomerID, client id.
PLAIN_ID = r"^((customer|client).?)?id$"
# (role, name pattern) in priority order; a column takes the first that fits its values too.
NAME_ROLES = (
    ("numeric", r"score|rating|rank|index"),
    ("id", ID_NAME),
    ("birth_year", r"birth|born|year.?of.?birth"),
    ("age", r"(^|_|\s)age($|_|\s)"),
    ("income", r"income|salary|earning"),
    ("recency", r"recency|days.?since|last.?(purchase|order|visit)"),
    ("deals", r"deal|discount|coupon|promo"),
    ("visits", r"visit"),
    ("children", r"kid|child|teen"),
    ("campaign", r"campaign|cmp|accepted"),
    ("response", r"response|responded"),
    ("complaint", r"complain"),
    ("spend", r"spend|spent|amount|mnt|sales"),
    ("purchases", r"purchase|order|transaction"),
)
DATE_NAME = r"date|since|joined|enrol|sign(ed)?.?up|registered|created|dt_"
FLAG_ROLES = ("campaign", "response", "complaint")
ITEM_ROLES = ("spend", "purchases", "visits")
# Words that say the role, not the item: MntWines -> wines, NumWebPurchases -> web.
ROLE_WORDS = {"mnt", "num", "amount", "spend", "spent", "purchases", "purchase", "products"}
ROLE_WORDS |= {"prods", "orders", "order", "visits", "visit", "month", "total", "nb", "count"}
# A period in a name (orders_12m, calls_30d, spend_ytd, last_12_months): the column counts over
# that period; the period is not an item (a channel or product category).
PERIOD_WORD = (
    r"^(\d+(m|mo|mth|mths|months?|d|days?|w|wk|wks|weeks?|y|yr|yrs|years?)"
    r"|ytd|mtd|qtd|ltm|l\d+[dmwy]|last|past|per|months?|days?|weeks?|years?|\d+)$"
)
# A numeric column with values in [0, 1] whose name says so is a share: its range is 0 to 1.
SHARE_NAME = r"share|rate|ratio|pct|percent|fraction|proportion"


def _words(name: str) -> list[str]:
    """A column name's lower-case words, CamelCase split: 'NumWebPurchases' -> num, web,
    purchases; 'Annual Income (k$)' -> annual, income, k."""
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()
    return [word for word in re.split(r"[^a-z0-9]+", spaced) if word]


def _slug(name: str) -> str:
    """A feature name from a column name: 'Annual Income (k$)' -> 'annual_income_k'."""
    return "_".join(_words(name)) or "column"


def _item(name: str) -> str | None:
    """The item (product category, channel) a column name names besides its role and a period:
    MntWines -> wines, web_orders_12m -> web; None when nothing is left (orders_12m)."""
    words = [w for w in _words(name) if w not in ROLE_WORDS and not re.match(PERIOD_WORD, w)]
    return "_".join(words) or None


def _numbers(values: pd.Series) -> tuple[pd.Series, str | None]:
    """The values as numbers (NaN where not) and the decimal mark that reads them all."""
    for decimal in (".", ","):
        text = values if decimal == "." else values.str.replace(",", ".", regex=False)
        numbers = pd.to_numeric(text, errors="coerce")
        if numbers.notna().all():
            return numbers, decimal
    return pd.Series(dtype="float64"), None


def _date_format(values: pd.Series) -> str | None:
    """The first format that reads every sampled value as a date."""
    for date_format in DATE_FORMATS:
        if pd.to_datetime(values, format=date_format, errors="coerce").notna().all():
            return date_format
    return None


def _numeric_role(name: str, present: pd.Series, numbers: pd.Series) -> dict:
    """The role of a numeric column from its name (the first NAME_ROLES pattern its values fit).

    A spend, purchases or visits column needs an item besides the role and a period in its name:
    ``orders_12m`` counts orders over 12 months, a number of its own, not a channel "12m"."""
    lowered = name.lower()
    flag = bool((numbers % 1 == 0).all()) and set(numbers.unique()) <= {0, 1}
    for role, pattern in NAME_ROLES:
        fits = not (role == "id" and not present.is_unique) and not (
            role in FLAG_ROLES and not flag
        )
        if fits and re.search(pattern, lowered):
            if role in ITEM_ROLES:
                item = _item(name)
                if item is None:
                    break
                return {"role": role, "item": item}
            return {"role": role, "feature": _slug(name)} if role == "numeric" else {"role": role}
    return {"role": "numeric", "feature": _slug(name)}


def _labels(values: pd.Series) -> tuple[list[str], dict[str, list[str]]] | None:
    """A text column's categories, each once (its most frequent spelling, spaces collapsed),
    and the other spellings of each (case and spacing variants); None above MAX_CATEGORIES."""
    spelled = values.str.split().str.join(" ")
    keys = spelled.str.casefold()
    if keys.nunique() > MAX_CATEGORIES:
        return None
    counts = pd.DataFrame({"key": keys, "label": spelled, "raw": values}).value_counts()
    labels, variants = [], {}
    for _, group in counts.groupby(level="key", sort=False):
        spellings = group.groupby(level="label", sort=False).sum().sort_values(ascending=False)
        label = str(spellings.index[0])
        labels.append(label)
        raw = sorted({str(text) for text in group.index.get_level_values("raw")} - {label})
        if raw:
            variants[label] = raw
    return sorted(labels), variants


def guess_column(name: str, values: pd.Series, sample_rows: int = SAMPLE_ROWS) -> dict:
    """One `schema.columns` entry for a column: its guessed role and what the values show.

    The role is guessed on the first ``sample_rows`` values; categories and ranges come from all
    of them. ``_note`` (not a schema key) holds a comment for the user, ``_range`` the file's
    own range of a number column, ``_flag`` whether it holds only 0 and 1."""
    present = values.dropna().astype(str).str.strip()
    present = present[present != ""]
    if present.empty:
        return {"name": name, "role": "ignore"}
    sample = present.head(sample_rows)
    date_format = _date_format(sample)
    if date_format:
        role = "enrolment_date" if re.search(DATE_NAME, name.lower()) else "date"
        return {"name": name, "role": role, "formats": [date_format]}
    numbers, decimal = _numbers(sample)
    if decimal is None:
        if re.search(ID_NAME, name.lower()) and present.is_unique:
            return {"name": name, "role": "id"}
        found = _labels(present)
        if found is None:
            return {"name": name, "role": "ignore"}
        labels, variants = found
        entry = {"name": name, "role": "category", "values": labels}
        if variants:
            spelled = "; ".join(
                f"{label}: also {', '.join(repr(v) for v in others)}"
                for label, others in variants.items()
            )
            entry["_note"] = (
                "case and spacing variants are read as the one value listed (the parser "
                f"matches labels whatever their case and spacing): {spelled}"
            )
        return entry
    entry = {"name": name, **_numeric_role(name, present, numbers)}
    text = present if decimal == "." else present.str.replace(",", ".", regex=False)
    everything = pd.to_numeric(text, errors="coerce").dropna()
    whole = bool((everything % 1 == 0).all())
    amount = entry["role"] in ("income", "spend", "numeric")  # numbers by default
    if whole and amount:
        entry["type"] = "integer"
    elif not whole and not amount:
        entry["type"] = "number"
    if decimal == ",":
        entry["decimal"] = ","
    low, high = float(everything.min()), float(everything.max())
    if entry["role"] not in ("id", "birth_year", *FLAG_ROLES) and low >= 0:
        entry["min"] = 0
        flag = whole and high <= 1
        if flag or (high <= 1 and re.search(SHARE_NAME, name.lower())):
            entry["max"] = 1
        entry["_flag"] = flag  # whatever role it ends with (_single_roles may change it)
    if entry["role"] != "id":
        entry["_range"] = (low, high)
    return entry


def _single_roles(columns: list[dict]) -> None:
    """At most one column per single role (in place): the first keeps it, the others become
    numbers of their own (an ID's rivals are left out, role ignore), each with a note."""
    for role in SINGLE_ROLES:
        playing = [column for column in columns if column["role"] == role]
        for column in playing[1:]:
            if role == "id":
                column.update(
                    role="ignore", _note=f"unique per row too; {playing[0]['name']} is the ID"
                )
            else:
                column.update(role="numeric", feature=_slug(column["name"]))
                column["_note"] = f"also looks like {role}, which {playing[0]['name']} plays"


def _choose_id(columns: list[dict], raw: pd.DataFrame) -> None:
    """Make sure one column is the ID (in place), with a note unless its name says so plainly:
    the first ID-like column, else the first column with unique values, else the first."""
    chosen = next((column for column in columns if column["role"] == "id"), None)
    if chosen is None:
        unique = [c for c in columns if raw[c["name"]].dropna().is_unique]
        chosen = (unique or columns)[0]
        reason = "no column is named like an ID: the first" + (
            " with unique values" if unique else " (its values repeat: declare the ID column)"
        )
        kept = {key: chosen[key] for key in ("name",)}
        chosen.clear()
        chosen.update(kept, role="id", _note=f"check: {reason}")
    elif not re.search(PLAIN_ID, chosen["name"].lower()):
        chosen["_note"] = (
            "check: guessed as the customer ID from its name and unique values; declare the "
            "column that identifies a customer"
        )


def clustering_features(columns: Sequence[dict]) -> list[str]:
    """The customer features of the behavioural columns (recency, spend, purchases, deals,
    visits, money, other numbers; 0/1 flags left out), as feature_engineering names them."""
    roles = [column["role"] for column in columns]
    features = []
    if "recency" in roles:
        features.append("recency_days")
    for role, total, share in (
        ("spend", "total_spend", "spend_share"),
        ("purchases", "total_purchases", "purchase_share"),
    ):
        items = [column["item"] for column in columns if column["role"] == role]
        if items:
            features.append(total)
        if len(items) > 1:
            features += [f"{share}_{item}" for item in items]
    if "deals" in roles and "purchases" in roles:
        features.append("deal_purchase_share")
    for column in columns:
        if column["role"] == "visits":
            features.append(f"{column['item']}_visits_month")
        if column["role"] in ("monetary", "numeric") and not column.get("_flag"):
            features.append(column["feature"])
    return features


def _line(column: dict) -> list[str]:
    """A column's YAML line (flow style), its note above it and its file range after it."""
    entry = {key: value for key, value in column.items() if not key.startswith("_")}
    text = yaml.safe_dump(entry, default_flow_style=True, sort_keys=False, width=1000).strip()
    lines = [f"    # {column['_note']}"] if "_note" in column else []
    if "_range" in column:
        low, high = column["_range"]
        text += f"  # this file: {low:g} to {high:g}"
    return [*lines, f"    - {text}"]


def starter_schema(raw: pd.DataFrame, sample_rows: int = SAMPLE_ROWS) -> str:
    """A `schema:` block declaring every column of `raw` (raw text, as read) with a guessed role,
    then the clustering features those columns give, ready to check and paste into
    conf/local/parameters.yml as it is."""
    columns = [guess_column(str(name), raw[name], sample_rows) for name in raw.columns]
    _single_roles(columns)
    _choose_id(columns, raw)
    lines = [
        "schema:",
        "  # Guessed from the column names and values: check each role. Ranges are this file's",
        "  # (min 0 where no value is negative, max 1 for shares and 0/1 flags).",
        "  columns:",
    ]
    for column in columns:
        lines += _line(column)
    features = clustering_features(columns)
    if features:
        lines += [
            "# Clustered on: the customer features of the behavioural columns above.",
            "feature_engineering:",
            "  preprocessing:",
            f"    features: [{', '.join(features)}]",
            "    log_features: null  # log1p where the data is skewed (docs/features.md)",
        ]
    return "\n".join(lines)
