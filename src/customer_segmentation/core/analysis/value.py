"""Value per segment: what its customers spent, and what contacting them in a campaign returns.

One row per segment and a last row for all customers (segment 0). Every figure of that row is a
ratio of its totals (never a mean of the segments' ratios), so it is the one "all customers"
figure of each measure.

Historical value, where the table has a revenue (``segment_profiles``: spend per category summed,
or the ``monetary`` column), over the period the data covers (the revenue columns' unit):

- ``customers``; ``customer_share`` = customers / all customers;
- ``revenue``: the customers' spend summed; ``revenue_share`` = revenue / all customers' revenue;
- ``historical_value_per_customer`` = revenue / customers: what a customer spent in that period
  (history, not a forecast of what they will spend).

Campaign return, where the schema declares a ``contact_cost`` and a ``response_revenue`` column
and the table has them with its ``response`` column. The campaign the response records contacted
every customer, so for each segment:

- ``contacts`` = customers; ``responses`` = customers who accepted the offer (response 1);
  ``response_rate`` = responses / contacts;
- ``contact_cost`` = the cost of one contact summed over the contacts, ``response_revenue`` = the
  revenue of one response summed over the responders (per customer, so varying prices add up);
- ``revenue_per_contact`` = response_revenue / contacts; ``cost_per_contact`` = contact_cost /
  contacts; ``profit_per_contact`` = revenue_per_contact - cost_per_contact;
- ``profit_all_contacted`` = response_revenue - contact_cost: the profit of contacting every
  customer of the segment again at the campaign's response rate and prices;
- ``break_even_response_rate`` = cost_per_contact / (response_revenue / responses): the response
  rate at which a contact pays for itself (missing without a response);
- ``response_rate_low``, ``response_rate_high``: the response rate's 95 % Wilson interval
  (``CONFIDENCE``), so a small segment's rate is not read as a sure one;
- ``profit_per_contact_low``, ``profit_per_contact_high``: the profit per contact at those rates
  (revenue per response of the segment, of all customers when the segment has no response);
- ``pays_back``: profit_per_contact_low > 0, a contact pays back even at the low end of the
  interval; ``loses_money``: profit_per_contact_high < 0. Neither: unclear on this many
  customers.

Forecast value, where a purchase history exists (the runs that read a transaction log) and the
value forecast's fit is usable (``core.analysis.clv``): ``forecast_customers`` (customers with
a forecast), ``expected_purchases_per_customer`` and ``clv_per_customer`` over the forecast's
horizon, ``clv_total``, ``mean_p_alive`` (0..1), and the holdout check's
``predicted_holdout_purchases`` / ``actual_holdout_purchases`` / ``holdout_error``
(``clv.segment_forecast``).
"""

from collections.abc import Iterable, Mapping

import ibis.expr.types as ir
import numpy as np
import pandas as pd
from scipy.stats import binomtest

from customer_segmentation.core import engine
from customer_segmentation.core.cleaning.contract import CustomerSchema

SEGMENT = "segment"
# The segment_profiles columns that are the historical value, and their names here.
HISTORICAL = {
    "customers": "customers",
    "customer_share": "customer_share",
    "revenue": "revenue",
    "revenue_share": "revenue_share",
    "revenue_per_customer": "historical_value_per_customer",
}
# The roles behind the campaign return: per-customer cost, revenue of a response, the response.
CAMPAIGN_ROLES = ("contact_cost", "response_revenue", "response")
# Confidence of the response-rate interval behind "pays back" and "loses money".
CONFIDENCE = 0.95


def campaign_columns(schema: CustomerSchema, present: Iterable[str]) -> dict[str, str] | None:
    """{role: column} of ``CAMPAIGN_ROLES`` when the schema declares all three and the table
    (columns ``present``) has them; None otherwise (no campaign return)."""
    columns = {role: schema.role(role) for role in CAMPAIGN_ROLES}
    available = set(present)
    if any(column is None or column not in available for column in columns.values()):
        return None
    return columns


def revenue_period(schema: CustomerSchema) -> str | None:
    """The unit of the revenue columns (spend per category, else ``monetary``), e.g. "currency
    units, last 2 years": the period the historical value covers; None without revenue."""
    monetary = schema.role("monetary")
    columns = list(schema.products.values()) or ([monetary] if monetary else [])
    units = [unit for unit in dict.fromkeys(schema.by_name[c].unit for c in columns) if unit]
    return "; ".join(units) or None


def campaign_return(table: ir.Table, columns: Mapping[str, str]) -> pd.DataFrame:
    """The campaign return of each segment and of all customers (index ``segment``, 0 last).

    ``table``: one row per customer with ``segment`` and the ``columns`` (``campaign_columns``),
    on the engine (``profiling.segment_table``), which sums them per segment; amounts in the
    data's currency, rates as fractions (0.25 = 25 %).
    """
    response = table[columns["response"]].cast("float64")
    sums = {
        "sum": {
            "contacts": table.count().cast("float64"),
            "responses": response.sum(),
            "contact_cost": table[columns["contact_cost"]].cast("float64").sum(),
            "response_revenue": (
                table[columns["response_revenue"]].cast("float64") * response
            ).sum(),
        }
    }
    by_segment = engine.aggregates(table, sums, by=SEGMENT)["sum"]
    overall = engine.aggregates(table, sums)["sum"].set_axis([0])
    totals = pd.concat([by_segment, overall]).fillna(0.0)
    table = totals.astype({"contacts": "int64", "responses": "int64"})
    table["response_rate"] = totals["responses"] / totals["contacts"]
    table["revenue_per_contact"] = totals["response_revenue"] / totals["contacts"]
    table["cost_per_contact"] = totals["contact_cost"] / totals["contacts"]
    table["profit_per_contact"] = table["revenue_per_contact"] - table["cost_per_contact"]
    table["profit_all_contacted"] = totals["response_revenue"] - totals["contact_cost"]
    revenue_per_response = totals["response_revenue"] / totals["responses"].replace(0, np.nan)
    table["break_even_response_rate"] = table["cost_per_contact"] / revenue_per_response
    low, high = response_rate_interval(table["responses"], table["contacts"])
    table["response_rate_low"], table["response_rate_high"] = low, high
    per_response = revenue_per_response.fillna(revenue_per_response.loc[0])
    table["profit_per_contact_low"] = low * per_response - table["cost_per_contact"]
    table["profit_per_contact_high"] = high * per_response - table["cost_per_contact"]
    table["pays_back"] = table["profit_per_contact_low"] > 0
    table["loses_money"] = table["profit_per_contact_high"] < 0
    table.index.name = SEGMENT
    return table


def response_rate_interval(
    responses: pd.Series, contacts: pd.Series, confidence: float = CONFIDENCE
) -> tuple[pd.Series, pd.Series]:
    """The Wilson interval of each response rate (``responses`` of ``contacts``), as fractions."""
    bounds = [
        binomtest(int(k), int(n)).proportion_ci(confidence, method="wilson")
        for k, n in zip(responses, contacts, strict=True)
    ]
    low = pd.Series([b.low for b in bounds], index=responses.index)
    high = pd.Series([b.high for b in bounds], index=responses.index)
    return low, high


def segment_value(
    profiles: pd.DataFrame,
    campaign: pd.DataFrame | None,
    forecast: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The value table: ``segment`` (segments in the profiles' order, 0 = all customers last),
    the historical value columns the profiles have (``HISTORICAL``; a table without spend has
    customers only), the ``campaign_return`` columns when ``campaign`` is given and the
    forecast columns (``clv.segment_forecast``, by ``segment``) when ``forecast`` is given."""
    present = {column: name for column, name in HISTORICAL.items() if column in profiles}
    table = profiles.set_index(SEGMENT)[list(present)].rename(columns=present)
    if campaign is not None:
        if set(campaign.index) != set(table.index):
            raise ValueError("campaign return: its segments are not those of segment_profiles")
        table = table.join(campaign)
    if forecast is not None:
        per_segment = forecast.set_index(SEGMENT)
        table = table.join(per_segment)
        table["forecast_customers"] = table["forecast_customers"].fillna(0).astype("int64")
    return table.reset_index()


def forecast_horizon(table: pd.DataFrame, fit: dict | None) -> int | None:
    """The forecast's horizon in months when ``table`` (``segment_value``) has forecast
    columns; None otherwise (no log, or the fit was withheld)."""
    if fit is None or "clv_per_customer" not in table:
        return None
    return int(fit["settings"]["horizon_months"])


def contact_loses_money(table: pd.DataFrame, segment: int) -> bool:
    """Whether the last campaign's return says a contact to ``segment`` loses money, even at
    the high end of its response rate's interval (False without a campaign return)."""
    if "loses_money" not in table:
        return False
    row = table.loc[table[SEGMENT] == segment]
    return bool(len(row) and row["loses_money"].iloc[0])


def paying_segments(table: pd.DataFrame) -> list[int]:
    """The segments (not all customers) whose contact pays back; [] without a campaign return."""
    if "pays_back" not in table:
        return []
    segments = table.loc[(table[SEGMENT] > 0) & table["pays_back"].astype(bool), SEGMENT]
    return [int(segment) for segment in segments]
