"""The reference model's own environment: the scenario's events -> daily levers -> the day's conditions of each city.

Written from ``docs/odd.md`` (sections 6.4, 7.1 and 7.2), one day and one city at a time in plain Python, so that
docking checks the package's vectorised policy equations (``nkborder/model/policy.py``) with an independent
implementation. Only the scenario and parameter objects and the observed driver series (rice price, market
exchange rate and official trade: the data files interpolated between their dated observations by the package's
data reader, ``nkborder.inputs``) come from ``nkborder``.

:func:`build_conditions` returns one array [day, city] per condition, with the names of the engine's
``Environment`` fields; a fast test compares the two field by field.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math

import numpy as np

from nkborder.inputs import kpw_per_cny, official_trade_usd_million, rice_price_kpw_per_kg
from nkborder.params import Params
from nkborder.scenarios import PolicyEvent, Scenario

DAYS_PER_MONTH = 30.4375
DAYS_PER_YEAR = 365.25
REDENOMINATION = dt.date(2009, 11, 30)  # the 100:1 currency reform (data/policy_events.csv)
DEATH_AS_YEARS = 10.0  # assumption (odd.md 7.2): in the risk index, being shot counts as 10 years of detention
SANCTIONS_TOLERANCE_CUT = 0.5  # sanctions: tolerance x (1 - intensity / 2)
TRADE_CONTROL_TOLERANCE_CUT = 0.5  # trade_control: tolerance x (1 - intensity / 2)
CAMPAIGN_CAPTURE_GAIN = 4.0  # china_campaign: capture hazard x (1 + 4 x intensity)
ROUTE_WIDTH_YEARS = 1.5  # logistic width of the onward route's development around ``route_year``
CHINA_SURVEILLANCE_BASE_YEAR = 2002.0  # the year whose repatriations fix ``china_capture_rate``
SHIFT_HOURS_BEFORE_2018 = 2.5  # data/border_security.csv: 2018, guard shift at post before Feb 2018 (RFA)
M_PER_SOLDIER_2006 = 14.0  # data/border_security.csv: 2006, 14 m of border per soldier (Daily NK via NKEW)
WAGE_POINTS_OLD = (  # state wage, old KPW per month: prices_before_2009.csv 2001; seed-hoeryong-2007; market_prices.csv
    (dt.date(2001, 7, 15), 100.0), (dt.date(2007, 2, 6), 3000.0), (dt.date(2008, 3, 15), 6000.0),
)
TRADE_2006_USD_MILLION = 1699.6  # data/china_dprk_trade.csv: 2006, China customs (via KITA): prices of 2006
WAGE_NEW_KPW = 1500.0  # data/exchange_rate_points.csv: 2015-08 Musan, railway worker wage 1,080-1,900 KPW/month

#: Event kind -> the lever it moves. Kinds in ``SETTERS`` set their lever (the latest event in force wins,
#: starting from the value given); the others add pressure (the strongest event in force wins, 0 without any).
LEVER_OF = {
    "famine": "famine", "crackdown": "crackdown", "sanctions": "sanctions", "border_closure": "closure",
    "buffer_zone": "buffer", "surveillance": "surveillance", "trade_control": "trade_control",
    "china_campaign": "campaign", "currency_reform": "reform", "lax_border": "lax",
    "china_movement_controls": "china_controls", "china_border_closure": "china_closure",
    "mass_repatriation": "mass_repatriation", "returnees_allowed": "returnees",
    "punishment": "punishment_years", "market_tolerance": "tolerance", "leadership": "tolerance",
    "guard_posts": "posts", "troops": "troops", "fences": "fence", "guard_shifts": "shift_hours",
    "betrayal_order": "betrayal", "border_control": "control", "smuggling_control": "smuggling_control",
    "repatriation_punishment": "repatriation_years",
}
SETTERS = {"punishment_years": math.nan, "tolerance": 1.0, "posts": 1.0, "troops": 1.0, "fence": 0.0,
           "shift_hours": SHIFT_HOURS_BEFORE_2018, "betrayal": 0.0, "repatriation_years": math.nan}
ONE_DAY_KINDS = ("currency_reform", "mass_repatriation")  # act on their start day only


class Levers:
    """The levers of one city on each day of the run, evaluated day by day from the events in force."""

    def __init__(self, scenario: Scenario, city: str) -> None:
        self.start, self.n_days = scenario.start, (scenario.end - scenario.start).days + 1
        ordered = sorted(scenario.events, key=lambda e: e.start)  # stable: equal starts keep the file's order
        events = [e for e in ordered if e.applies_to(city)
                  and not (e.kind in ONE_DAY_KINDS and e.start < scenario.start)]  # already in the starting state
        self.events = {lever: [e for e in events if LEVER_OF[e.kind] == lever] for lever in set(LEVER_OF.values())}
        self._setter_cache: dict[tuple[str, int], float] = {}

    def day_of(self, date: dt.date) -> int:
        return (date - self.start).days

    def share_of_ramp(self, event: PolicyEvent, day: int) -> float:
        """Share of a ramp event's change reached on ``day``: (days since its start + 1) / its length, in [0, 1]."""
        first = self.day_of(event.start)
        span = max(1, self.day_of(event.end) + 1 - first)
        return min(1.0, max(0.0, (day - first + 1) / span))

    def in_force(self, event: PolicyEvent, day: int) -> bool:
        """Whether ``event`` acts on ``day``: one-day kinds on their start day; ramps from their start on (held
        at their end level afterwards); steps from start to end."""
        first = self.day_of(event.start)
        if day < first:
            return False
        if event.kind in ONE_DAY_KINDS:
            return day == first
        if event.ramp and event.end is not None:
            return True
        return event.end is None or day <= self.day_of(event.end)

    def setter(self, lever: str, day: int) -> float:
        """A lever set by events: the event in force that started last; a ramp goes from the lever's value on the
        day before it starts to its intensity."""
        key = (lever, day)
        if key in self._setter_cache:
            return self._setter_cache[key]
        value = SETTERS[lever]
        for event in reversed(self.events[lever]):
            if self.in_force(event, day):
                if event.ramp and event.end is not None:
                    first = self.day_of(event.start)
                    before = self.setter(lever, first - 1) if first > 0 else SETTERS[lever]
                    value = before + (event.level - before) * self.share_of_ramp(event, day)
                else:
                    value = event.level
                break
        self._setter_cache[key] = value
        return value

    def pressure(self, lever: str, day: int) -> float:
        """A lever of pressure: the strongest event in force (a ramp at its share reached), 0 without any."""
        value = 0.0
        for event in self.events[lever]:
            if self.in_force(event, day):
                ramped = event.ramp and event.end is not None and event.kind not in ONE_DAY_KINDS
                value = max(value, event.level * (self.share_of_ramp(event, day) if ramped else 1.0))
        return value

    def on(self, day: int) -> dict[str, float]:
        """Every lever on ``day``."""
        out = {lever: self.setter(lever, day) for lever in SETTERS}
        for lever in set(LEVER_OF.values()) - set(SETTERS):
            out[lever] = self.pressure(lever, day)
        return out


def state_wage_kpw(date: dt.date) -> float:
    """State wage per month in won of the day: log-linear between the cited old-won points (flat outside them)
    before the redenomination, ``WAGE_NEW_KPW`` from it on (odd.md 6.4)."""
    if date >= REDENOMINATION:
        return WAGE_NEW_KPW
    points = WAGE_POINTS_OLD
    if date <= points[0][0]:
        return points[0][1]
    for (d0, w0), (d1, w1) in itertools.pairwise(points):
        if date <= d1:
            share = (date - d0).days / (d1 - d0).days
            return math.exp(math.log(w0) + share * (math.log(w1) - math.log(w0)))
    return points[-1][1]


def decimal_year(date: dt.date) -> float:
    """The calendar year as a decimal: the year plus days since 1 January / 365.25."""
    return date.year + (date - dt.date(date.year, 1, 1)).days / DAYS_PER_YEAR


def brokers_risk(detect_broker: float, bribe_accept: float, betray: float) -> float:
    """Probability that a brokered crossing ends in arrest: detected, and not let through or turned in anyway."""
    return detect_broker * (1.0 - bribe_accept * (1.0 - betray))


def conditions_of_day(lv: dict[str, float], drivers: dict[str, float], p: Params) -> dict[str, float]:
    """The day's conditions of one city from its levers and the day's driver series (odd.md 7.2)."""
    troops = M_PER_SOLDIER_2006 / p.m_per_guard * lv["troops"]
    density = troops**p.troop_detect_elasticity * lv["posts"] ** p.post_detect_elasticity
    control = max(lv["crackdown"], lv["control"])  # a crackdown or a tighter control of crossings alone
    hazard = -math.log(1.0 - p.detect_base) * density * (
        1.0 + p.crackdown_detect_gain * control + p.fence_detect_gain * lv["fence"]
        + p.buffer_detect_gain * lv["buffer"] + p.closure_detect_gain * lv["closure"]) * (
        1.0 - p.lax_detect_cut * lv["lax"])
    detect_self = 1.0 - math.exp(-hazard)
    detect_broker = 1.0 - math.exp(-hazard * p.broker_detect_factor)
    years_held = p.detention_days_default / DAYS_PER_YEAR if math.isnan(lv["punishment_years"]) \
        else lv["punishment_years"]
    shoot = p.shoot_prob * lv["buffer"]
    risk = detect_self * (1.0 + years_held + DEATH_AS_YEARS * shoot)
    bribe_accept = min(1.0, max(0.0, p.bribe_accept * (lv["shift_hours"] / SHIFT_HOURS_BEFORE_2018)
                                ** p.shift_bribe_elasticity))
    watch = max(control, lv["closure"])  # betrayal and inminban reports: also the sealed border (seed-hyesan-2024)
    betray = min(1.0, max(0.0, lv["betrayal"] + p.betray_under_crackdown * watch))
    broker_risk = brokers_risk(detect_broker, bribe_accept, betray)
    # prices of a crossing: observed 2006-07 prices at the risk of then, scaled with the excess risk (odd.md 7.2)
    excess = risk - p.detect_base * (1.0 + p.fee_reference_detention_years)
    detect_ref = 1.0 - (1.0 - p.detect_base) ** p.broker_detect_factor
    danger = (broker_risk / brokers_risk(detect_ref, p.bribe_accept, 0.0)) ** p.broker_risk_fee_elasticity
    # the fee the day's risks call for; the posted fee follows it over the days (posted_fees), and the bribe is at
    # most the posted fee
    fee = min(p.broker_fee_base_cny * math.exp(p.broker_fee_elasticity * excess) * danger, p.broker_fee_max_cny)
    bribe = p.crossing_bribe_cny * math.exp(p.crossing_bribe_elasticity * excess)
    # control pressure on smuggling (guards' cut): not raised by border_control alone
    pressure = min(1.0, max(0.0, lv["crackdown"] + lv["smuggling_control"] + lv["closure"]
                            + 0.5 * lv["trade_control"]))
    # smugglers are arrested under a crackdown, the sealed border or state control of trade; under a control of
    # smuggling alone the guards take a larger cut and let them pass (rfa-2015)
    arrest_pressure = min(1.0, max(0.0, lv["crackdown"] + lv["closure"] + 0.5 * lv["trade_control"]))
    # people China hands over: the punishment of repatriated crossers if one is in force (kinu-2016), else the
    # punishment of crossers caught at the border
    years_repatriated = years_held if math.isnan(lv["repatriation_years"]) else lv["repatriation_years"]
    tolerance = (lv["tolerance"] * (1.0 - p.crackdown_tolerance_cut * lv["crackdown"])
                 * (1.0 - SANCTIONS_TOLERANCE_CUT * lv["sanctions"])
                 * (1.0 - TRADE_CONTROL_TOLERANCE_CUT * lv["trade_control"])
                 * (1.0 - p.closure_tolerance_cut * lv["closure"]))
    year, rate, wage = drivers["year"], drivers["kpw_per_cny"], drivers["wage_kpw"]
    route = 1.0 / (1.0 + math.exp(-(year - p.route_year) / ROUTE_WIDTH_YEARS))
    # China's hunt grows from 2002 until china_surveillance_until, then holds
    grown = min(max(0.0, year - CHINA_SURVEILLANCE_BASE_YEAR),
                max(0.0, p.china_surveillance_until - CHINA_SURVEILLANCE_BASE_YEAR))
    surveillance_china = math.exp(p.china_surveillance_growth * grown)
    trade_stop = max(p.closure_trade_stop * max(lv["closure"], lv["trade_control"]),
                     p.crackdown_trade_stop * lv["crackdown"])
    return {
        "detect_self": detect_self,
        "detect_broker": detect_broker,
        "risk": risk,
        "broker_fee_cny": fee,
        "bribe_cny": bribe,
        "bribe_accept": bribe_accept,
        "broker_available": 1.0 - p.closure_broker_stop * lv["closure"],
        "broker_risk": broker_risk,
        "betray": betray,
        "shoot": shoot,
        "detention_days": years_held * DAYS_PER_YEAR,
        "repatriation_detention_days": years_repatriated * DAYS_PER_YEAR,
        "guard_cut": p.guard_cut_base + (p.guard_cut_max - p.guard_cut_base) * pressure,
        "smuggler_arrest": p.smuggler_arrest_given_detect
        + (p.smuggler_arrest_max - p.smuggler_arrest_given_detect) * arrest_pressure,
        "trip_rate": p.smuggling_trips_month / DAYS_PER_MONTH * (1.0 - trade_stop),
        "tolerance": min(1.0, max(0.0, tolerance)),
        "crackdown": lv["crackdown"],
        "contact": (1.0 - p.closure_contact_cut * lv["closure"]) * (1.0 - p.surveillance_block * lv["surveillance"]),
        "rice_kpw": drivers["rice_kpw"],
        "food_cost_kpw": drivers["rice_kpw"] * p.rice_kg_per_person_day * DAYS_PER_MONTH
        * (1.0 + p.famine_food_price * lv["famine"]),
        "wage_kpw": wage,
        "kpw_per_cny": rate,
        "trade_cny_day": drivers["trade_usd_million"] * 1e6 * p.cny_per_usd / DAYS_PER_YEAR * p.city_trade_share,
        # a smuggling trip's goods follow official trade: cargo_cny at the trade of 2006
        "cargo_cny": p.cargo_cny * (drivers["trade_usd_million"] / TRADE_2006_USD_MILLION)
        ** p.smuggling_trade_elasticity,
        "capture": p.china_capture_rate / DAYS_PER_YEAR * (1.0 + CAMPAIGN_CAPTURE_GAIN * lv["campaign"])
        * (1.0 + p.china_controls_capture_gain * lv["china_controls"]) * surveillance_china,
        "repatriate": 1.0 / p.china_detention_days
        * (1.0 - p.closure_repatriation_stop * lv["closure"] * (1.0 - lv["returnees"])),
        "mass_repatriation": lv["mass_repatriation"],
        "onward": p.onward_rate / DAYS_PER_YEAR * route * (1.0 - p.closure_onward_stop * lv["closure"])
        * (1.0 - p.china_controls_onward_stop * lv["china_controls"])
        * (1.0 - p.china_closure_onward_stop * lv["china_closure"]),
        "return_home": p.return_rate / DAYS_PER_YEAR * (1.0 - route),
        "onward_fee_cny": p.onward_fee_usd * p.cny_per_usd,
        "reform": lv["reform"],
        "troops": lv["troops"],
        # a guard's pay and a posting bribe are 2013 won that follow the state wage, at the day's market rate
        "guard_pay_cny_day": p.guard_pay_kpw_month * wage / WAGE_NEW_KPW / rate / DAYS_PER_MONTH,
        "posting_bribe_cny": p.posting_bribe_kpw * wage / WAGE_NEW_KPW / rate,
        "year": year,
        "seizure": min(1.0, max(0.0, p.crackdown_confiscation * lv["crackdown"]
                                + p.closure_seizure * max(lv["closure"], lv["trade_control"]))),
        "inminban_report": min(1.0, max(0.0, p.inminban_report_base + p.inminban_report * watch)),
        "coping": p.coping_food_share * (1.0 - min(1.0, max(0.0, lv["famine"]))),
    }


def driver_series(scenario: Scenario) -> list[dict[str, float]]:
    """The observed drivers of each day (the same for every city): rice price, market rate, official trade (held
    from 1 July of ``trade_hold_after`` on, if the scenario says so), state wage and the decimal year."""
    start, end = scenario.start, scenario.end
    rice = rice_price_kpw_per_kg(start, end)
    rate = kpw_per_cny(start, end)
    trade = official_trade_usd_million(start, end, series=scenario.trade_series)
    hold = None if scenario.trade_hold_after is None else dt.date(scenario.trade_hold_after, 7, 1)
    out = []
    for d in range(len(rice)):
        date = start + dt.timedelta(days=d)
        traded = trade[(hold - start).days] if hold is not None and start <= hold <= date else trade[d]
        out.append({"rice_kpw": float(rice[d]), "kpw_per_cny": float(rate[d]), "trade_usd_million": float(traded),
                    "wage_kpw": state_wage_kpw(date), "year": decimal_year(date)})
    return out


def build_conditions(scenario: Scenario, params: Params) -> dict[str, np.ndarray]:
    """Every condition of every day and city of the run: name -> array [day, city]."""
    drivers = driver_series(scenario)
    per_city = []
    for city in scenario.cities:
        levers = Levers(scenario.with_parameter_intensities(params), city)  # events whose intensity is a parameter
        days = [conditions_of_day(levers.on(d), drivers[d], params) for d in range(levers.n_days)]
        posted_fees(days, params.fee_adjust_days)
        per_city.append(days)
    names = per_city[0][0].keys()
    return {name: np.array([[days[d][name] for days in per_city] for d in range(len(drivers))]) for name in names}


def posted_fees(days: list[dict[str, float]], adjust_days: float) -> None:
    """Turn each day's called-for broker fee of one city into the posted fee, in place (odd.md 7.2).

    The posted fee starts at the first day's called-for fee; each day its logarithm moves a share 1 - exp(-1 /
    adjust_days) of the way to the logarithm of the day's called-for fee. The lone crosser's bribe is at most the
    posted fee.
    """
    share = 1.0 - math.exp(-1.0 / adjust_days)
    log_fee = math.log(days[0]["broker_fee_cny"])
    for day in days:
        log_fee += share * (math.log(day["broker_fee_cny"]) - log_fee)
        day["broker_fee_cny"] = math.exp(log_fee)
        day["bribe_cny"] = min(day["bribe_cny"], day["broker_fee_cny"])
