"""The reference model's yearly table, one row per year and city, with the engine's column names and units.

Flows (the record's daily slots) are summed over the year; the stocks (people by status, guards on duty,
brokers working) are the value on the year's last day; monthly means are averaged over the year's days; the
posted conditions of the day are averaged over the year's days (README, "Indicators").
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from nkborder.core import slots as S

if TYPE_CHECKING:
    from reference.model import BorderModel

STOCKS = ("population", "in_china", "in_south_korea", "detained", "dead", "detained_in_china", "guards",
          "brokers_working")
POSTED = {  # column -> condition of the day
    "broker_fee_posted_cny": "broker_fee_cny", "crossing_bribe_posted_cny": "bribe_cny",
    "guard_cut_share": "guard_cut", "detect_prob": "detect_self", "risk_index": "risk",
    "market_tolerance": "tolerance", "rice_price_kpw": "rice_kpw", "kpw_per_cny": "kpw_per_cny",
    "state_wage_kpw": "wage_kpw", "bribe_accept_prob": "bribe_accept", "phone_contact_share": "contact",
    "inminban_report_prob": "inminban_report", "donju_seizure_share": "seizure", "coping_food_share": "coping",
}
RATIOS = (  # column, numerator, denominator: means over what happened in the year
    ("broker_fee_cny", "broker_fees_paid_cny", "crossings_brokered"),
    ("broker_commission_share", "broker_commission_cny", "remittances_gross_cny"),
    ("arrivals_share_female", "arrivals_south_korea_female", "arrivals_south_korea"),
    ("repatriated_share_female", "repatriated_female", "repatriated"),
)


def yearly_table(model: BorderModel, first_year: int | None = None) -> pd.DataFrame:
    """The run's yearly table from ``first_year`` on (all years if None), Hoeryong before Hyesan."""
    start = model.scenario.start
    years = np.array([(start + dt.timedelta(days=d)).year for d in range(model.n_days)])
    month_of_day = np.searchsorted(np.array(model.month_starts), np.arange(model.n_days), side="right") - 1
    rows = []
    for year in np.unique(years):
        if first_year is not None and year < first_year:
            continue
        days = np.flatnonzero(years == year)
        for c, city in enumerate(model.scenario.cities):
            row: dict[str, object] = {"year": int(year), "city": city}
            for slot, name in enumerate(S.DAILY_NAMES):
                values = model.daily[days, c, slot]
                row[name] = values[-1] if name in STOCKS else values.sum()
            for slot, name in enumerate(S.MONTHLY_NAMES):
                row[name] = np.nanmean(model.monthly[month_of_day[days], c, slot]) \
                    if np.isfinite(model.monthly[month_of_day[days], c, slot]).any() else np.nan
            for name, field in POSTED.items():
                row[name] = getattr(model.env, field)[days, c].mean()
            row["guards_on_duty_mean"] = model.daily[days, c, S.GUARDS_ON_DUTY].mean()
            row["income_gini"] = model.yearly_gini.get(int(year), np.full(len(model.cities), np.nan))[c]
            for name, num, den in RATIOS:
                row[name] = row[num] / row[den] if row[den] > 0 else np.nan
            row["guard_bribes_per_guard_cny"] = row["guard_bribes_cny"] / row["guards_on_duty_mean"]
            row["guard_pay_per_guard_cny"] = row["guard_pay_cny"] / row["guards_on_duty_mean"]
            rows.append(row)
    table = pd.DataFrame(rows)
    order = {"Hoeryong": 0, "Hyesan": 1}
    return table.sort_values(["year", "city"], key=lambda s: s.map(order) if s.name == "city" else s,
                             ignore_index=True)
