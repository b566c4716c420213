"""A starter schema for an undeclared table: a guessed role for each column, as YAML to paste.

When a file does not match the declared schema, the refusal shows this declaration so that the
user starts from their own columns instead of a blank page. The guesses are plain rules on the
column name and a sample of its values (vectorised per column); every one is marked to be checked.
"""

import re

import pandas as pd
import yaml

SAMPLE_ROWS = 1000
# Date formats tried on a column's values; day-first before month-first (ambiguous dates such as
# 04-09-2012 are read day-first, the safer default; the user checks the guess).
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%m/%d/%Y", "%Y/%m/%d")
MAX_CATEGORIES = 20
# (role, name pattern) in priority order; a column takes the first that fits its values too.
NAME_ROLES = (
    ("numeric", r"score|rating|rank|index"),
    ("id", r"(^|_|\s)id$|^id|customer.?(id|no|number|key)|client.?id"),
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
# Words that say the role, not the item: MntWines -> wines, NumWebPurchases -> web.
ROLE_WORDS = {"mnt", "num", "amount", "spend", "spent", "purchases", "purchase", "products"}
ROLE_WORDS |= {"prods", "orders", "order", "visits", "visit", "month", "total", "nb", "count"}


def _slug(name: str, drop: set[str] = frozenset()) -> str:
    """A feature or item name from a column name, CamelCase split, `drop` words left out:
    'Annual Income (k$)' -> 'annual_income_k'; MntWines -> 'wines' (drop = ROLE_WORDS)."""
    words = re.split(r"[^a-z0-9]+", re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower())
    kept = "_".join(word for word in words if word and word not in drop)
    if kept:
        return kept
    return _slug(name) if drop else "column"  # every word dropped: keep them all


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
    """The role of a numeric column from its name (the first NAME_ROLES pattern its values fit)."""
    lowered = name.lower()
    flag = bool((numbers % 1 == 0).all()) and set(numbers.unique()) <= {0, 1}
    for role, pattern in NAME_ROLES:
        fits = not (role == "id" and not present.is_unique) and not (
            role in FLAG_ROLES and not flag
        )
        if fits and re.search(pattern, lowered):
            if role in ("spend", "purchases", "visits"):
                return {"role": role, "item": _slug(name, ROLE_WORDS)}
            return {"role": role, "feature": _slug(name)} if role == "numeric" else {"role": role}
    return {"role": "numeric", "feature": _slug(name)}


def guess_column(name: str, values: pd.Series) -> dict:
    """One `schema.columns` entry for a column: its guessed role and what the values show."""
    present = values.dropna().astype(str).str.strip()
    present = present[present != ""]
    if present.empty:
        return {"name": name, "role": "ignore"}
    date_format = _date_format(present)
    if date_format:
        role = "enrolment_date" if re.search(DATE_NAME, name.lower()) else "date"
        return {"name": name, "role": role, "formats": [date_format]}
    numbers, decimal = _numbers(present)
    if decimal is None:
        labels = sorted(present.unique())
        if len(labels) <= MAX_CATEGORIES:
            return {"name": name, "role": "category", "values": labels}
        return {"name": name, "role": "ignore"}
    entry = {"name": name, **_numeric_role(name, present, numbers)}
    whole = bool((numbers % 1 == 0).all())
    amount = entry["role"] in ("income", "spend", "numeric")  # numbers by default
    if whole and amount:
        entry["type"] = "integer"
    elif not whole and not amount:
        entry["type"] = "number"
    if decimal == ",":
        entry["decimal"] = ","
    if entry["role"] not in ("id", "birth_year", *FLAG_ROLES) and numbers.min() >= 0:
        entry["min"] = 0
    return entry


def starter_schema(raw: pd.DataFrame, sample_rows: int = SAMPLE_ROWS) -> str:
    """A `schema:` block declaring every column of `raw` (raw text, as read) with a guessed role,
    ready to check and paste into conf/local/parameters.yml."""
    sample = raw.head(sample_rows)
    columns = [guess_column(str(name), sample[name]) for name in raw.columns]
    if not any(column["role"] == "id" for column in columns):  # the first column, most often
        columns[0] = {"name": columns[0]["name"], "role": "id"}
    lines = ["schema:", "  columns:"]
    for column in columns:
        text = yaml.safe_dump(column, default_flow_style=True, sort_keys=False, width=1000)
        lines.append(f"    - {text.strip()}")
    return "\n".join(lines)
