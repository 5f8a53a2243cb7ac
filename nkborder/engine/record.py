"""From raw arrays to the public tables: daily, monthly and yearly indicators per city.

Indicator names are a public interface (see README "Indicators"). Flows are summed over the period, stocks
(``population``, ``in_china``, ``in_south_korea``, ``detained``, ``dead``, ``detained_in_china``, ``guards`` on
duty) are the value on the period's last day, monthly means (income, Gini, discontent, ...) are averaged, and the
posted conditions of the day (broker fee, commission, detection probability, bribe acceptance, prices) are
averaged. Counts and money totals also get a ``_full`` column: the value divided by the run's scale, i.e.
rescaled to the full population.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nkborder.core import slots as S
from nkborder.engine.places import district_table, sector_table
from nkborder.engine.sim import RawRecords

# posted conditions (from the environment), averaged over periods
POSTED = {
    "broker_fee_posted_cny": "broker_fee_cny",
    "crossing_bribe_posted_cny": "bribe_cny",
    "guard_cut_share": "guard_cut",
    "detect_prob": "detect_self",
    "risk_index": "risk",
    "market_tolerance": "tolerance",
    "rice_price_kpw": "rice_kpw",
    "kpw_per_cny": "kpw_per_cny",
    "state_wage_kpw": "wage_kpw",
    "bribe_accept_prob": "bribe_accept",
    "phone_contact_share": "contact",
    "inminban_report_prob": "inminban_report",
    "donju_seizure_share": "seizure",
    "coping_food_share": "coping",
}
STOCKS = ("population", "in_china", "in_south_korea", "detained", "dead", "detained_in_china", "guards",
          "brokers_working")
RATIOS = (  # name, numerator, denominator: means over what actually happened in the period
    ("broker_fee_cny", "broker_fees_paid_cny", "crossings_brokered"),
    ("broker_commission_share", "broker_commission_cny", "remittances_gross_cny"),
    ("guard_service_earnings_per_guard_cny", "guard_service_earnings_cny", "guards_discharged"),
    ("guard_service_income_per_guard_cny", "guard_service_income_cny", "guards_discharged"),
    ("arrivals_share_female", "arrivals_south_korea_female", "arrivals_south_korea"),
    ("repatriated_share_female", "repatriated_female", "repatriated"),
)
PUBLIC_FIRST = (
    "population", "crossings_attempted", "crossings_succeeded", "arrests_at_border", "in_china", "repatriated",
    "arrivals_south_korea", "detained", "smuggling_volume_cny", "market_turnover_kpw", "income_mean_kpw",
    "income_gini", "remittances_cny", "broker_fee_cny", "broker_commission_share", "guard_bribes_cny",
    "guard_bribes_per_guard_cny", "discontent_mean",
)


@dataclass(frozen=True)
class Tables:
    """The tables of a run: per city (daily, monthly, yearly), per river sector (monthly), per district (yearly)."""

    daily: pd.DataFrame
    monthly: pd.DataFrame
    yearly: pd.DataFrame
    sectors: pd.DataFrame
    districts: pd.DataFrame

    def since(self, first: pd.Timestamp | None) -> Tables:
        """The tables from ``first`` on (whole years for the yearly table); all of them if None."""
        if first is None:
            return self
        first = pd.Timestamp(first)
        return Tables(daily=rows_from(self.daily, first), monthly=rows_from(self.monthly, first),
                      yearly=rows_from(self.yearly, first), sectors=rows_from(self.sectors, first),
                      districts=rows_from(self.districts, first))


def rows_from(table: pd.DataFrame, first: pd.Timestamp) -> pd.DataFrame:
    """The rows of a run's ``table`` from day ``first`` on: by its ``date`` column (daily, monthly, sectors; ISO
    strings as stored are read as dates), else whole years by its ``year`` column (yearly, districts)."""
    if table.empty:
        return table
    keep = pd.to_datetime(table["date"]) >= first if "date" in table.columns else table["year"] >= first.year
    return table.loc[keep].reset_index(drop=True)


def build_tables(raw: RawRecords, scale: float, with_daily: bool = True) -> Tables:
    """Daily, monthly and yearly tables, one row per period and city, public columns first."""
    n_days = raw.daily.shape[0]
    dates = pd.Series(pd.date_range(raw.start, periods=n_days, freq="D"))
    frames = []
    for c, city in enumerate(raw.cities):
        df = pd.DataFrame(raw.daily[:, c, :], columns=list(S.DAILY_NAMES))
        for name, field in POSTED.items():
            df[name] = getattr(raw.env, field)[:, c]
        monthly = pd.DataFrame(raw.monthly[:, c, :], columns=list(S.MONTHLY_NAMES))
        month_of_day = np.searchsorted(raw.month_start_days, np.arange(n_days), side="right") - 1
        for name in S.MONTHLY_NAMES:
            df[name] = monthly[name].to_numpy()[month_of_day]
        df.insert(0, "city", city)
        df.insert(0, "date", dates)
        df["guards"] = df["guards"].astype(np.int64)
        df["guards_on_duty_mean"] = df["guards"].astype(np.float64)
        frames.append(df)
    daily = pd.concat(frames, ignore_index=True)
    monthly = _aggregate(daily, daily["date"].dt.to_period("M").dt.to_timestamp(), "date", raw, scale)
    yearly = _aggregate(daily, daily["date"].dt.year, "year", raw, scale)
    gini = {(y, city): g[c] for y, g in raw.yearly_gini.items() for c, city in enumerate(raw.cities)}
    yearly["income_gini"] = [gini.get((y, c), np.nan) for y, c in zip(yearly["year"], yearly["city"], strict=True)]
    daily = _finish(daily, "date", scale) if with_daily else daily.iloc[0:0]
    months = dates.iloc[raw.month_start_days].dt.to_period("M").dt.to_timestamp()
    sectors = sector_table(raw.sectors, months, raw.cities, raw.sector_start, scale)
    districts = district_table(raw.districts, raw.cities, raw.n_districts, scale)
    return Tables(daily=daily, monthly=monthly, yearly=yearly, sectors=sectors, districts=districts)


def _aggregate(daily: pd.DataFrame, period: pd.Series, key: str, raw: RawRecords, scale: float) -> pd.DataFrame:
    flows = [n for n in S.DAILY_NAMES if n not in STOCKS]
    means = [*POSTED, *S.MONTHLY_NAMES, "guards_on_duty_mean"]
    grouped = daily.assign(**{key: period}).groupby([key, "city"], sort=True)
    out = grouped[flows].sum()
    out = out.join(grouped[list(STOCKS)].last()).join(grouped[means].mean())
    out = out.reset_index()
    return _finish(out, key, scale)


def _finish(df: pd.DataFrame, key: str, scale: float) -> pd.DataFrame:
    """Add ratios, per-guard bribes and pay and ``_full`` columns; order columns with the public ones first.

    Per-guard bribes and pay divide by the mean number of guards on duty over the period's days.
    """
    df = df.copy()
    df["guard_service_income_cny"] = df["guard_service_earnings_cny"] + df["guard_service_pay_cny"]
    for name, num, den in RATIOS:
        df[name] = np.where(df[den] > 0, df[num] / df[den].where(df[den] > 0, 1), np.nan)
    df["guard_bribes_per_guard_cny"] = df["guard_bribes_cny"] / df["guards_on_duty_mean"]
    df["guard_pay_per_guard_cny"] = df["guard_pay_cny"] / df["guards_on_duty_mean"]
    counted = [*S.DAILY_NAMES, "guard_service_income_cny"]
    for name in counted:
        df[f"{name}_full"] = df[name] / scale
    city_order = pd.CategoricalDtype(["Hoeryong", "Hyesan"], ordered=True)
    df = df.sort_values([key, "city"], key=lambda s: s.astype(city_order) if s.name == "city" else s)
    first = [key, "city", *PUBLIC_FIRST]
    rest = [c for c in df.columns if c not in first]
    df = df[first + rest].reset_index(drop=True)
    if key == "year":
        df["year"] = df["year"].astype("int64")
    df["city"] = df["city"].astype(str)
    return df
