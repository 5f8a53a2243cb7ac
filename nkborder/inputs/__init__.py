"""Inputs of the model: the cited data shipped in ``nkborder/data`` turned into daily driver series and
tidy observed tables (calibration targets and checks).

Drivers (one float64 value per day, nominal won of the day, old won before 2009-11-30):
:func:`rice_price_kpw_per_kg`, :func:`kpw_per_cny`, :func:`kpw_per_usd`, :func:`official_trade_usd_million`;
their provenance: :func:`describe_series`. Citations: :func:`cite`, :func:`load_sources`.
"""

from nkborder.inputs.observed import (
    arrivals_south_korea,
    bound_side,
    broker_fee_points,
    china_stock_intervals,
    guard_cut_points,
    origin_shares,
    populations,
    remittance_commission_points,
    repatriation_points,
    women_share_arrivals,
)
from nkborder.inputs.series import (
    REDENOMINATION,
    CnyUsdRatio,
    cny_usd_ratio,
    describe_series,
    kpw_per_cny,
    kpw_per_usd,
    official_trade_usd_million,
    price_observations,
    rice_price_kpw_per_kg,
    yearly_trade_table,
)
from nkborder.inputs.sources import (
    DATA_FILES,
    Period,
    Source,
    cite,
    load_sources,
    parse_interval,
    parse_period,
    parse_value,
    read_table,
)

__all__ = [
    "DATA_FILES",
    "REDENOMINATION",
    "CnyUsdRatio",
    "Period",
    "Source",
    "arrivals_south_korea",
    "bound_side",
    "broker_fee_points",
    "china_stock_intervals",
    "cite",
    "cny_usd_ratio",
    "describe_series",
    "guard_cut_points",
    "kpw_per_cny",
    "kpw_per_usd",
    "load_sources",
    "official_trade_usd_million",
    "origin_shares",
    "parse_interval",
    "parse_period",
    "parse_value",
    "populations",
    "price_observations",
    "read_table",
    "remittance_commission_points",
    "repatriation_points",
    "rice_price_kpw_per_kg",
    "women_share_arrivals",
    "yearly_trade_table",
]
