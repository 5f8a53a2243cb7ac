"""Plain-language titles and units of the model's indicators, and how numbers are printed on figures.

An indicator's unit follows its name: ``_full`` counts are rescaled to the full population (persons per year for
flows, persons at the end of the year for stocks), ``_cny`` is yuan, ``_kpw`` nominal won of the day (old won
before the redenomination of 30 November 2009), ``_share`` and ``_prob`` are shares drawn as percentages.
"""

from __future__ import annotations

import math
import re
from functools import cache

#: Titles of the indicators a reader meets first (column -> title); others are derived from the column name.
TITLES: dict[str, str] = {
    "population": "Population",
    "crossings_attempted": "Crossing attempts",
    "crossings_succeeded": "Successful crossings into China",
    "crossings_brokered": "Crossings with a broker",
    "arrests_at_border": "Arrests at the border",
    "shot_at_border": "Crossers shot at the border",
    "in_china": "People hiding in China",
    "repatriated": "Repatriated from China",
    "arrivals_south_korea": "Arrivals in South Korea",
    "arrivals_share_female": "Women among arrivals in South Korea",
    "detained": "People detained",
    "smuggling_volume_cny": "Smuggled goods",
    "smuggling_trips": "Smuggling trips",
    "market_turnover_kpw": "Market turnover",
    "income_mean_kpw": "Mean household income",
    "income_gini": "Income inequality (Gini)",
    "remittances_cny": "Remittances received",
    "broker_fee_cny": "Broker fee paid per crossing",
    "broker_fee_posted_cny": "Broker fee asked per crossing",
    "crossing_bribe_posted_cny": "Bribe asked per crossing",
    "broker_commission_share": "Brokers' commission on remittances",
    "broker_commission_posted": "Brokers' commission asked on remittances",
    "guard_bribes_cny": "Guards' bribe income",
    "guard_bribes_per_guard_cny": "Bribe income per guard",
    "guard_cut_share": "Guards' cut of smuggling profit",
    "discontent_mean": "Discontent (mean, 0-1)",
    "hardship_mean": "Hardship (mean, 0-1)",
    "info_mean": "Outside information (mean, 0-1)",
    "detect_prob": "Probability a crosser is detected",
    "bribe_accept_prob": "Probability a guard takes a bribe",
    "market_tolerance": "State tolerance of markets (0-1)",
    "rice_price_kpw": "Rice price",
    "kpw_per_cny": "Exchange rate",
    "guards": "Guards on duty",
}
#: Units of columns whose name does not say it.
UNITS: dict[str, str] = {
    "income_gini": "index 0-1", "discontent_mean": "index 0-1", "hardship_mean": "index 0-1",
    "info_mean": "index 0-1", "market_tolerance": "index 0-1", "risk_index": "index",
    "rice_price_kpw": "KPW per kg", "kpw_per_cny": "KPW per CNY", "guards": "guards",
    "broker_commission_posted": "%", "income_mean_kpw": "KPW per month",
}
WORDS = {"cny": "", "kpw": "", "full": "", "share": "share", "prob": "probability", "mean": "mean", "nk": "NK"}
SHARE_SUFFIXES = ("_share", "_prob", "_share_female")


def is_share(indicator: str) -> bool:
    """True for shares and probabilities 0-1, which figures print as percentages."""
    base = indicator.removesuffix("_full")
    return base.endswith(SHARE_SUFFIXES) or base == "broker_commission_posted"


@cache
def _stocks() -> frozenset[str]:
    from nkborder.engine.record import STOCKS

    return frozenset(STOCKS)


def unit(indicator: str) -> str:
    """The unit of an indicator as printed on an axis, e.g. ``persons / year`` or ``CNY / year``."""
    base = indicator.removesuffix("_full")
    if base in UNITS:
        return UNITS[base]
    if is_share(indicator):
        return "%"
    per_year = "" if base in _stocks() else " / year"
    if base.endswith("_per_guard_cny"):
        return "CNY per guard / year"
    if base.endswith("_posted_cny") or base == "broker_fee_cny":
        return "CNY"
    if base.endswith("_cny"):
        return f"CNY{per_year}" if indicator.endswith("_full") or "_mean" not in base else "CNY"
    if base.endswith("_kpw"):
        return f"KPW{per_year}" if indicator.endswith("_full") else "KPW"
    if base.endswith("_mean"):
        return "mean"
    if indicator.endswith("_full"):
        return "persons" if base in _stocks() else "persons / year"
    return "per year" if base not in _stocks() else "count"


def name(indicator: str) -> str:
    """The plain title of an indicator without its unit, e.g. ``Arrivals in South Korea``."""
    base = indicator.removesuffix("_full")
    if base in TITLES:
        return TITLES[base]
    words = [WORDS.get(w, w) for w in base.split("_")]
    text = " ".join(w for w in words if w)
    return text[:1].upper() + text[1:]


def title(indicator: str) -> str:
    """``Title (unit)`` of an indicator, e.g. ``Arrivals in South Korea (persons / year)``."""
    return f"{name(indicator)} ({unit(indicator)})"


def parameter(param_name: str) -> str:
    """A parameter's plain-language label and unit (``nkborder params``), e.g. "base detection (probability)";
    the name itself for one that is not a model parameter (an observation-model parameter)."""
    from nkborder.params import Params, parameter_info

    if param_name not in Params.model_fields:
        return param_name.replace("_", " ")
    info = parameter_info(param_name)
    return f"{info['label']} ({info['unit']})" if info.get("unit") else info["label"]


def place(place_name: str) -> str:
    """Where an event acts, in words."""
    return {"national": "all North Korea", "border": "the border", "china": "China"}.get(place_name, place_name)


def number(value: float, digits: int = 3) -> str:
    """A number for a label: thousands separators from 1,000 on, ``digits`` significant digits below."""
    if value is None or not math.isfinite(value):
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.{digits}g}"


def percent(share: float) -> str:
    """A share 0-1 as a percentage: ``0.6666`` -> ``66.7 %``; whole numbers from 10 % on (``42 %``)."""
    if share is None or not math.isfinite(share):
        return "-"
    pct = 100.0 * share
    if abs(pct) >= 10 or float(round(pct, 1)).is_integer():
        return f"{pct:.0f} %"
    return f"{pct:.1f} %"


def axis_number(value: float) -> str:
    """A tick label: ``1.2 M``, ``35 k``, ``2,500``, ``0.25``."""
    if not math.isfinite(value):
        return ""
    size = abs(value)
    if size >= 1e9:
        return f"{value / 1e9:.3g} bn"
    if size >= 1e6:
        return f"{value / 1e6:.3g} M"
    if size >= 1e4:
        return f"{value / 1e3:.3g} k"
    if size >= 1000 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.3g}"


_KIND_WORDS = {
    "famine": "famine", "punishment": "longer prison terms for crossers",
    "repatriation_punishment": "longer terms for those China sends back", "crackdown": "crackdown",
    "currency_reform": "currency reform", "market_tolerance": "markets tolerated", "leadership": "new leader",
    "sanctions": "sanctions", "border_closure": "border closed", "buffer_zone": "shoot-on-sight buffer zone",
    "fences": "fences built", "guard_posts": "more guard posts", "troops": "more troops at the river",
    "guard_shifts": "guard shifts changed", "surveillance": "phone calls policed",
    "trade_control": "trade only through state checkpoints", "lax_border": "guards look away",
    "betrayal_order": "guards ordered to turn in crossers who paid", "china_campaign": "China's repatriation campaign",
    "china_movement_controls": "China's movement controls", "china_border_closure": "China closes its borders",
    "mass_repatriation": "China's mass repatriation", "returnees_allowed": "returnees from abroad allowed back",
    "border_control": "border control tightened", "smuggling_control": "smuggling control tightened",
}


def event_kind(kind: str) -> str:
    """An event kind in words, e.g. ``border_closure`` -> ``border closed``."""
    return _KIND_WORDS.get(kind, re.sub(r"_+", " ", kind))
