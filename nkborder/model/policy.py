"""The state: policy events -> daily levers -> the daily environment every agent faces.

Step 1, :func:`policy_levers`: each event of the timeline becomes a daily value per city (a step while in force,
or a linear ramp for fence building). Kinds that *set* a level (punishment, market tolerance, leadership,
guard posts, troops, guard shifts, fences: :data:`SETTERS`) take the latest event in force; the others take the
strongest.

Step 2, :func:`build_environment`: levers, parameters and the observed driver series (rice price, exchange rate,
official trade) give, for every day and city, the probabilities and prices the kernels use: detection of a
crosser, the risk index, the brokers' risk, broker fees, bribes and their acceptance, betrayal, guards' cut and
pay, tolerance of markets, seizure of donju capital, phone contact, inminban reports, food costs and the food
households get without money. (The remittance commission depends on the brokers' own state:
:func:`nkborder.model.brokers.commission_rate`.)
These are the equations of ``docs/odd.md`` (section "Submodels: state and border"); kernels only add the agents'
own draws and states.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import NamedTuple

import numpy as np

from nkborder.inputs import kpw_per_cny, official_trade_usd_million, rice_price_kpw_per_kg
from nkborder.inputs.series import REDENOMINATION
from nkborder.params import Params
from nkborder.scenarios import PolicyEvent, Scenario

DAYS_PER_MONTH = 30.4375
DEATH_AS_YEARS = 10.0  # assumption: in the risk index, being shot counts as 10 years of detention
SANCTIONS_TOLERANCE_CUT = 0.5  # the event kind's documented effect: tolerance falls by intensity / 2
TRADE_CONTROL_TOLERANCE_CUT = 0.5
CAMPAIGN_CAPTURE_GAIN = 4.0  # china_campaign: capture hazard x (1 + 4 x intensity)
ROUTE_WIDTH_YEARS = 1.5  # logistic width of the onward route's development around ``route_year``

# State wage, KPW per month (nominal won of the day). Old won before the redenomination, new won after it.
WAGE_POINTS_OLD = (  # (date, KPW per month, source)
    (dt.date(2001, 7, 15), 100.0, "data/prices_before_2009.csv: 2001 (summer), avg monthly wage ~100 KPW"),
    (dt.date(2007, 2, 6), 3000.0, "seed-hoeryong-2007: average monthly wage of a worker is 3,000 won"),
    (dt.date(2008, 3, 15), 6000.0, "data/market_prices.csv: 2008-03 Hoeryong, average wage about 6000 won"),
)
WAGE_NEW = (1500.0, "data/exchange_rate_points.csv: 2015-08 Musan, railway worker wage 1,080-1,900 KPW/month")

LEVERS = (
    "famine", "crackdown", "punishment_years", "tolerance", "sanctions", "closure", "buffer", "fence",
    "surveillance", "trade_control", "campaign", "reform", "posts", "troops", "shift_hours", "lax",
    "china_controls", "china_closure", "mass_repatriation", "returnees", "betrayal", "control",
    "smuggling_control", "repatriation_years",
)
#: Event kinds that act on one day only (their start day), whatever their end date.
ONE_DAY_KINDS = ("currency_reform", "mass_repatriation")
#: The year whose repatriations (4,809, data/china_stock_repatriation_women.csv: 2002) fix ``china_capture_rate``:
#: China's surveillance grows from it (``china_surveillance_growth``).
CHINA_SURVEILLANCE_BASE_YEAR = 2002.0
#: Hours a guard stood alone at his post in one shift before the shifts were cut in February 2018.
SHIFT_HOURS_BEFORE_2018 = (2.5, "data/border_security.csv: 2018, guard shift at post before Feb 2018 (RFA)")
#: Event kinds that *set* a lever (the latest event in force wins), and the lever's value before any event.
SETTERS: dict[str, tuple[str, float]] = {
    "punishment": ("punishment_years", np.nan), "market_tolerance": ("tolerance", 1.0),
    "leadership": ("tolerance", 1.0), "guard_posts": ("posts", 1.0), "troops": ("troops", 1.0),
    "fences": ("fence", 0.0), "guard_shifts": ("shift_hours", SHIFT_HOURS_BEFORE_2018[0]),
    "betrayal_order": ("betrayal", 0.0), "repatriation_punishment": ("repatriation_years", np.nan),
}
M_PER_SOLDIER_2006 = (14.0, "data/border_security.csv: 2006, 14 m of border per soldier (Daily NK via NKEW)")
#: Official China-DPRK trade (USD million) of 2006, the year whose border prices anchor the model: ``cargo_cny`` is
#: the value of a smuggling trip's goods at this level of trade (:func:`smuggled_cargo_cny`).
TRADE_2006_USD_MILLION = (1699.6, "data/china_dprk_trade.csv: 2006,China customs (via KITA),1699.6")


class Environment(NamedTuple):
    """Daily conditions, each an array [day, city] of float64."""

    detect_self: np.ndarray  # probability that a lone crosser is detected
    detect_broker: np.ndarray  # probability that a brokered crosser is detected
    risk: np.ndarray  # risk index: detection x expected penalty in years
    broker_fee_cny: np.ndarray  # posted price of a brokered crossing
    bribe_cny: np.ndarray  # bribe a lone crosser must pay a detecting guard
    bribe_accept: np.ndarray  # probability that a detecting guard lets a paying crosser pass
    broker_available: np.ndarray  # share of brokers whose route stays open (fewer while the border is sealed)
    broker_risk: np.ndarray  # brokers' risk: probability that a brokered crossing ends in arrest
    betray: np.ndarray  # probability a paid guard still turns the crosser in
    shoot: np.ndarray  # probability a detected, unreleased crosser is shot
    detention_days: np.ndarray  # mean detention of a crosser caught at the border or reported before it
    repatriation_detention_days: np.ndarray  # mean detention of a person handed over by China
    guard_cut: np.ndarray  # guards' cut of a detected smuggler's profit
    smuggler_arrest: np.ndarray  # probability a detected smuggler is arrested
    trip_rate: np.ndarray  # smuggling trips per smuggler per day
    tolerance: np.ndarray  # the state's tolerance of markets, 0-1
    crackdown: np.ndarray  # crackdown intensity, 0-1
    contact: np.ndarray  # share of phone contact and remittances that get through
    rice_kpw: np.ndarray  # market price of rice, KPW per kg
    food_cost_kpw: np.ndarray  # food cost of one person for one month
    wage_kpw: np.ndarray  # state wage per month
    kpw_per_cny: np.ndarray  # market exchange rate
    trade_cny_day: np.ndarray  # official imports sold through the city's market, per day
    cargo_cny: np.ndarray  # value of the goods a smuggler carries on one trip
    capture: np.ndarray  # daily hazard that a person hiding in China is caught
    repatriate: np.ndarray  # daily hazard that a person held in Chinese detention is handed over to North Korea
    mass_repatriation: np.ndarray  # share of those held in Chinese detention handed over at once today, else 0
    onward: np.ndarray  # daily hazard of leaving China for South Korea once funded
    return_home: np.ndarray  # daily hazard of going home from China voluntarily
    onward_fee_cny: np.ndarray  # fee from China to South Korea
    reform: np.ndarray  # share of won cash above the limit wiped out on a redenomination day, else 0
    troops: np.ndarray  # soldiers relative to 2006: the guards on duty are round(initial guards x troops)
    guard_pay_cny_day: np.ndarray  # a guard's state pay for one day on duty
    posting_bribe_cny: np.ndarray  # bribe a recruit pays to be posted to the border on his first day
    year: np.ndarray  # calendar year of the day, as a decimal (2020.0 = 1 January 2020)
    seizure: np.ndarray  # share of donju capital seized per month
    inminban_report: np.ndarray  # probability that the inminban reports an attempt before the river
    coping: np.ndarray  # share of a household's food needs met without money (plots, kin, odd work)


def day_index(start: dt.date, day: dt.date) -> int:
    """Days from ``start`` to ``day``."""
    return (day - start).days


def policy_levers(scenario: Scenario) -> dict[str, np.ndarray]:
    """Daily lever values [day, city] from the scenario's events (see module docstring)."""
    n_days = day_index(scenario.start, scenario.end) + 1
    n_c = len(scenario.cities)
    out = {name: np.zeros((n_days, n_c)) for name in LEVERS}
    for lever, before in SETTERS.values():
        out[lever][:] = before
    for event in sorted(scenario.events, key=lambda e: e.start):
        a = max(0, day_index(scenario.start, event.start))
        held = event.ramp and event.end is not None and event.kind not in ONE_DAY_KINDS  # a ramp stays at its end
        b = n_days if event.end is None or held else min(n_days, day_index(scenario.start, event.end) + 1)
        if event.kind in ONE_DAY_KINDS:
            if event.start < scenario.start:
                continue  # happened before the run: its effect is already in the starting state
            b = a + 1
        if a >= n_days or b <= 0:
            continue
        for c, city in enumerate(scenario.cities):
            if not event.applies_to(city):
                continue
            if event.kind in SETTERS and event.ramp and event.end is not None:
                lever = out[SETTERS[event.kind][0]]
                before = lever[a - 1, c] if a > 0 else SETTERS[event.kind][1]
                lever[a:, c] = before + (event.level - before) * _ramp(scenario, event, a, n_days)
            elif event.kind in SETTERS:
                out[SETTERS[event.kind][0]][a:b, c] = event.level
            elif event.ramp and event.end is not None and event.kind not in ONE_DAY_KINDS:
                lever = out[_lever_of(event.kind)]
                lever[a:, c] = np.maximum(lever[a:, c], _ramp(scenario, event, a, n_days) * event.level)
            else:
                lever = out[_lever_of(event.kind)]
                lever[a:b, c] = np.maximum(lever[a:b, c], event.level)
    return out


def _ramp(scenario: Scenario, event: PolicyEvent, a: int, n_days: int) -> np.ndarray:
    """Share of a ramp event's change reached on days ``a`` ... ``n_days - 1`` (0 before it starts, 1 after its end)."""
    first = day_index(scenario.start, event.start)
    span = max(1, day_index(scenario.start, event.end) + 1 - first)
    return np.clip((np.arange(a, n_days) - first + 1) / span, 0.0, 1.0)


def _lever_of(kind: str) -> str:
    return {
        "famine": "famine", "crackdown": "crackdown", "sanctions": "sanctions", "border_closure": "closure",
        "buffer_zone": "buffer", "fences": "fence", "surveillance": "surveillance",
        "trade_control": "trade_control", "china_campaign": "campaign", "currency_reform": "reform",
        "lax_border": "lax", "china_movement_controls": "china_controls", "china_border_closure": "china_closure",
        "mass_repatriation": "mass_repatriation", "returnees_allowed": "returnees", "border_control": "control",
        "smuggling_control": "smuggling_control",
    }[kind]


def build_environment(scenario: Scenario, params: Params) -> Environment:
    """All daily conditions of a run (see module docstring and ``docs/odd.md``)."""
    lv = policy_levers(scenario.with_parameter_intensities(params))
    p = params
    n_days, n_c = lv["famine"].shape
    col = _column_broadcaster(n_days, n_c)
    h0 = -np.log1p(-p.detect_base) * watch_density(lv, p)
    control = crossing_control(lv)
    hazard = h0 * (1.0 + p.crackdown_detect_gain * control + p.fence_detect_gain * lv["fence"]
                   + p.buffer_detect_gain * lv["buffer"] + p.closure_detect_gain * lv["closure"])
    hazard *= 1.0 - p.lax_detect_cut * lv["lax"]
    detect_self = -np.expm1(-hazard)
    detect_broker = -np.expm1(-hazard * p.broker_detect_factor)
    detention_years = np.where(np.isnan(lv["punishment_years"]), p.detention_days_default / 365.25,
                               lv["punishment_years"])
    shoot = p.shoot_prob * lv["buffer"]
    risk = detect_self * (1.0 + detention_years + DEATH_AS_YEARS * shoot)
    bribe_accept = shift_bribe_accept(lv["shift_hours"], p)
    watch = watch_on_crossers(lv)
    betray = np.clip(lv["betrayal"] + p.betray_under_crackdown * watch, 0.0, 1.0)
    broker_risk = brokers_risk(detect_broker, bribe_accept, betray)
    fee, bribe = crossing_prices_cny(risk, broker_risk, p)
    pressure = control_pressure(lv)
    arrest_pressure = smuggler_arrest_pressure(lv)
    tolerance = (lv["tolerance"] * (1.0 - p.crackdown_tolerance_cut * lv["crackdown"])
                 * (1.0 - SANCTIONS_TOLERANCE_CUT * lv["sanctions"])
                 * (1.0 - TRADE_CONTROL_TOLERANCE_CUT * lv["trade_control"])
                 * (1.0 - p.closure_tolerance_cut * lv["closure"]))
    rate = col(kpw_per_cny(scenario.start, scenario.end))
    rice = col(rice_price_kpw_per_kg(scenario.start, scenario.end))
    trade = col(_trade_usd_million(scenario))
    years = col(_decimal_years(scenario.start, n_days))
    route = 1.0 / (1.0 + np.exp(-(years - p.route_year) / ROUTE_WIDTH_YEARS))
    closure_any = lv["closure"]
    wage = col(state_wage_kpw(scenario.start, n_days))
    return Environment(
        detect_self=detect_self,
        detect_broker=detect_broker,
        risk=risk,
        broker_fee_cny=fee,
        bribe_cny=bribe,
        bribe_accept=bribe_accept,
        broker_available=1.0 - p.closure_broker_stop * lv["closure"],
        broker_risk=broker_risk,
        betray=betray,
        shoot=shoot,
        detention_days=detention_years * 365.25,
        repatriation_detention_days=repatriation_years(lv, detention_years) * 365.25,
        guard_cut=p.guard_cut_base + (p.guard_cut_max - p.guard_cut_base) * pressure,
        smuggler_arrest=p.smuggler_arrest_given_detect
        + (p.smuggler_arrest_max - p.smuggler_arrest_given_detect) * arrest_pressure,
        trip_rate=p.smuggling_trips_month / DAYS_PER_MONTH
        * (1.0 - np.maximum(p.closure_trade_stop * np.maximum(lv["closure"], lv["trade_control"]),
                            p.crackdown_trade_stop * lv["crackdown"])),
        tolerance=np.clip(tolerance, 0.0, 1.0),
        crackdown=lv["crackdown"],
        contact=phone_contact(lv, p),
        rice_kpw=rice,
        food_cost_kpw=rice * p.rice_kg_per_person_day * DAYS_PER_MONTH * (1.0 + p.famine_food_price * lv["famine"]),
        wage_kpw=wage,
        kpw_per_cny=rate,
        trade_cny_day=trade * 1e6 * p.cny_per_usd / 365.25 * p.city_trade_share,
        cargo_cny=smuggled_cargo_cny(trade, p),
        capture=china_capture(lv, years, p),
        repatriate=1.0 / p.china_detention_days
        * (1.0 - p.closure_repatriation_stop * lv["closure"] * (1.0 - lv["returnees"])),
        mass_repatriation=lv["mass_repatriation"],
        onward=p.onward_rate / 365.25 * route * (1.0 - p.closure_onward_stop * closure_any)
        * (1.0 - p.china_controls_onward_stop * lv["china_controls"])
        * (1.0 - p.china_closure_onward_stop * lv["china_closure"]),
        return_home=p.return_rate / 365.25 * (1.0 - route),
        onward_fee_cny=np.full((n_days, n_c), p.onward_fee_usd * p.cny_per_usd),
        reform=lv["reform"],
        troops=lv["troops"],
        guard_pay_cny_day=guard_money_cny(p.guard_pay_kpw_month, wage, rate) / DAYS_PER_MONTH,
        posting_bribe_cny=guard_money_cny(p.posting_bribe_kpw, wage, rate),
        year=years,
        seizure=np.clip(p.crackdown_confiscation * lv["crackdown"]
                        + p.closure_seizure * np.maximum(lv["closure"], lv["trade_control"]), 0.0, 1.0),
        inminban_report=np.clip(p.inminban_report_base + p.inminban_report * watch, 0.0, 1.0),
        coping=p.coping_food_share * (1.0 - np.clip(lv["famine"], 0.0, 1.0)),
    )


def repatriation_years(levers: dict[str, np.ndarray], detention_years: np.ndarray) -> np.ndarray:
    """Mean detention, in years, of a person China hands over to North Korea [day, city].

    The ``repatriation_punishment`` lever where an event of that kind is in force, else the detention of a
    crosser caught at the border (``detention_years``). The punishment of 2014 is of this kind: "all repatriated
    border crossers sent to long-term re-education camps" (kinu-2016, data/policy_events.csv: 2014): it names the
    people China sends back, not those the guards catch at the river, so it leaves the crossers' risk index (and
    with it intentions, fees and bribes) at the punishment of 2004 (hrw-2007).
    """
    return np.where(np.isnan(levers["repatriation_years"]), detention_years, levers["repatriation_years"])


def crossing_control(levers: dict[str, np.ndarray]) -> np.ndarray:
    """How tightly the state controls crossings, 0-1 [day, city]: ``max(crackdown, control)``.

    The ``border_control`` lever (a tighter watch on crossers: the tightenings of 2010 and 2012 and the control "3-4
    times stricter" of 2014-15) and a crackdown (a campaign against markets, smuggling and crossings at once: the
    purification of 2006-07) both raise the detection hazard, the betrayal of paid crossers and the inminban's
    reports of planned crossings.
    """
    return np.maximum(levers["crackdown"], levers["control"])


def watch_on_crossers(levers: dict[str, np.ndarray]) -> np.ndarray:
    """How closely would-be crossers are watched by those who can turn them in, 0-1 [day, city]:
    ``max(crackdown, control, closure)``; it raises the betrayal of paid crossers and the inminban's reports.

    The control of crossings (:func:`crossing_control`), and the sealed border of 2020 on: "border controls
    fortified to levels unseen in decades ... a controlled zone where surveillance reigns and independence is
    punished" (seed-hyesan-2024); special forces with shoot-to-kill orders watch the buffer zone (abrams-2020). The
    closure's own rise of detection is ``closure_detect_gain``, so the detection hazard keeps
    :func:`crossing_control`.
    """
    return np.maximum(crossing_control(levers), levers["closure"])


def control_pressure(levers: dict[str, np.ndarray]) -> np.ndarray:
    """Control pressure on smuggling, 0-1 [day, city]: ``clip(crackdown + smuggling_control + closure + 0.5
    trade_control, 0, 1)``; it raises the guards' cut and smuggler arrests.

    Tighter control of crossings alone (``border_control``) does not enter: the guards' cut stayed at 11 % through
    the tightenings of 2010 and 2012 and rose to 30-40 % only when control of the border became "3-4 times
    stricter" in 2014-15 (rfa-2015, data/border_costs.csv: "before 2014,border,0.11" and "2014-2015,border,
    0.30-0.40"), the history scenario's ``smuggling_control`` event.
    """
    return np.clip(levers["crackdown"] + levers["smuggling_control"] + levers["closure"]
                   + 0.5 * levers["trade_control"], 0.0, 1.0)


def smuggler_arrest_pressure(levers: dict[str, np.ndarray]) -> np.ndarray:
    """Pressure that raises the arrest of detected smugglers, 0-1 [day, city]: ``clip(crackdown + closure + 0.5
    trade_control, 0, 1)``, the control pressure without ``smuggling_control``.

    Under a crackdown or the sealed border the state arrests smugglers; under the stricter control of 2014-15
    (``smuggling_control``) the guards took a larger cut and let the smugglers pass: "guards' cut of smugglers'
    profit" rose from 11 % to 30-40 % (rfa-2015, data/border_costs.csv: "2014-2015,border,0.30-0.40"), and
    Hyesan's markets, which sell the smuggled goods, grew from 6,326 stalls in 2012 to 7,627 in 2015
    (data/local_observations.csv). A smuggler arrested loses his cargo and pays no cut, so arrests rising with
    the cut would shrink the trade the cut is taken from.
    """
    return np.clip(levers["crackdown"] + levers["closure"] + 0.5 * levers["trade_control"], 0.0, 1.0)


def china_capture(levers: dict[str, np.ndarray], years: np.ndarray, params: Params) -> np.ndarray:
    """Daily hazard that a North Korean hiding in China is caught [day, city].

    ``china_capture_rate / 365.25 x (1 + 4 campaign) x (1 + china_controls_capture_gain x china_controls) x
    exp(china_surveillance_growth x clip(year - 2002, 0, china_surveillance_until - 2002))``: campaigns
    (``china_campaign``), China's movement controls (``china_movement_controls``: checkpoints and health codes
    expose people without papers), and a surveillance that grows from 2002, the year whose repatriations fix
    ``china_capture_rate``, until ``china_surveillance_until`` (the last dated sign of its growth is of 2016) and
    is held after it.
    """
    p = params
    grown = np.clip(years - CHINA_SURVEILLANCE_BASE_YEAR, 0.0,
                    max(0.0, p.china_surveillance_until - CHINA_SURVEILLANCE_BASE_YEAR))
    surveillance = np.exp(p.china_surveillance_growth * grown)
    return (p.china_capture_rate / 365.25 * (1.0 + CAMPAIGN_CAPTURE_GAIN * levers["campaign"])
            * (1.0 + p.china_controls_capture_gain * levers["china_controls"]) * surveillance)


def smuggled_cargo_cny(trade_usd_million: np.ndarray, params: Params) -> np.ndarray:
    """Value (CNY) of the goods a smuggler carries across the river on one trip [day, city].

    ``cargo_cny x (official China-DPRK trade / its 2006 level) ^ smuggling_trade_elasticity``: the smugglers buy
    from the Chinese traders across the river, whose goods grow and shrink with the cross-border trade ("Trade
    flowed across the Yalu River, Chinese goods flooded its markets", seed-hyesan-2024; official trade tripled from
    1996 to 2006 and fell to 11 % of 2019 in 2021, data/china_dprk_trade.csv). ``cargo_cny`` is the value at the
    trade of 2006 (:data:`TRADE_2006_USD_MILLION`).
    """
    index = np.asarray(trade_usd_million, dtype=np.float64) / TRADE_2006_USD_MILLION[0]
    return params.cargo_cny * index**params.smuggling_trade_elasticity


def phone_contact(levers: dict[str, np.ndarray], params: Params) -> np.ndarray:
    """Share of phone contact and remittances with kin abroad that gets through [day, city].

    ``(1 - closure_contact_cut x closure) x (1 - surveillance_block x surveillance)``: the sealed border stops
    couriers and brokers, and the policing of calls over Chinese networks (the ``surveillance`` lever) cuts what is
    left, so a city under both has less contact than a city under the closure alone.
    """
    return ((1.0 - params.closure_contact_cut * levers["closure"])
            * (1.0 - params.surveillance_block * levers["surveillance"]))


def brokers_risk(detect_broker: np.ndarray, bribe_accept: np.ndarray, betray: np.ndarray) -> np.ndarray:
    """Brokers' risk [day, city]: the probability that a brokered crossing ends in arrest, ``detect_broker x (1 -
    bribe_accept x (1 - betray))`` (detected, and not let through or let through and still turned in)."""
    return detect_broker * (1.0 - bribe_accept * (1.0 - betray))


def reference_brokers_risk(params: Params) -> float:
    """Brokers' risk when the 500 CNY fee was observed (2006): base detection of a brokered crossing, guards who
    take the fee with ``bribe_accept``, no order to betray."""
    p = params
    detect = -np.expm1(np.log1p(-p.detect_base) * p.broker_detect_factor)
    return float(brokers_risk(np.asarray(detect), np.asarray(p.bribe_accept), np.asarray(0.0)))


def crossing_prices_cny(risk: np.ndarray, broker_risk: np.ndarray, params: Params) -> tuple[np.ndarray, np.ndarray]:
    """Posted broker fee and lone crosser's bribe, CNY [day, city], from the crossers' and the brokers' risk.

    The posted fee follows the fee the risks call for (:func:`called_for_fee_cny`) with the time constant
    ``fee_adjust_days`` (:func:`adjusting_price`): brokers learn the risk from their clients' arrests and revise
    the price over weeks. The bribe, set by the guard on the spot, is its observed price times
    ``exp(crossing_bribe_elasticity x (risk - risk_ref))`` on the day. The fee rises faster with risk than the
    bribe, so above the reference a lone crossing is the cheaper one; the bribe is never more than the posted fee
    (a guard cannot ask more than the brokered crossing costs).
    """
    p = params
    fee = adjusting_price(called_for_fee_cny(risk, broker_risk, p), p.fee_adjust_days)
    excess = risk - p.detect_base * (1.0 + p.fee_reference_detention_years)
    bribe = np.minimum(p.crossing_bribe_cny * np.exp(p.crossing_bribe_elasticity * excess), fee)
    return fee, bribe


def called_for_fee_cny(risk: np.ndarray, broker_risk: np.ndarray, params: Params) -> np.ndarray:
    """The broker fee the day's risks call for, CNY [day, city].

    ``broker_fee_base_cny x exp(broker_fee_elasticity x (risk - risk_ref)) x (broker_risk / its 2006 value) ^
    broker_risk_fee_elasticity``, at most ``broker_fee_max_cny``, where ``risk_ref = detect_base x (1 +
    fee_reference_detention_years)`` is the risk under which the 500 CNY fee was observed (2006: the punishment
    of November 2004): brokers price the crossers' risk and the danger that their client is caught and names them.
    """
    p = params
    excess = risk - p.detect_base * (1.0 + p.fee_reference_detention_years)
    danger = (broker_risk / reference_brokers_risk(p)) ** p.broker_risk_fee_elasticity
    return np.minimum(p.broker_fee_base_cny * np.exp(p.broker_fee_elasticity * excess) * danger, p.broker_fee_max_cny)


def adjusting_price(called_for: np.ndarray, adjust_days: float) -> np.ndarray:
    """A posted price [day, city] that moves toward ``called_for`` (> 0) with time constant ``adjust_days``.

    In logs, ``log price[d] = log price[d-1] + (1 - exp(-1 / adjust_days)) x (log called_for[d] - log
    price[d-1])``, starting at ``called_for[0]``: a step of the called-for price is reached to 1 - 1/e after
    ``adjust_days`` days, whatever its size.
    """
    x = np.log(called_for)
    step = 1.0 - float(np.exp(-1.0 / adjust_days))
    out = np.empty_like(x)
    for c in range(x.shape[1]):
        column = x[:, c].tolist()
        level = column[0]
        for d, target in enumerate(column):
            level += step * (target - level)
            column[d] = level
        out[:, c] = column
    return np.exp(out)


def watch_density(levers: dict[str, np.ndarray], params: Params) -> np.ndarray:
    """How much more closely the river is watched than in 2006, as a multiplier of the detection hazard [day, city].

    ``(soldiers per km relative to 2006) ^ troop_detect_elasticity x (guard posts relative to before 2020) ^
    post_detect_elasticity``; soldiers per km are ``14 m / m_per_guard`` (the 2006 density) times the ``troops``
    lever, posts are the ``guard_posts`` lever.
    """
    troops = M_PER_SOLDIER_2006[0] / params.m_per_guard * levers["troops"]
    return troops**params.troop_detect_elasticity * levers["posts"] ** params.post_detect_elasticity


def shift_bribe_accept(shift_hours: np.ndarray, params: Params) -> np.ndarray:
    """Probability that a detecting guard takes a bribe and lets the crosser pass [day, city].

    ``bribe_accept x (shift_hours / 2.5) ^ shift_bribe_elasticity``, at most 1: the shorter a guard's shift alone
    at his post (the ``guard_shifts`` lever, hours), the less time he has to arrange a passage unseen. Equal to
    ``bribe_accept`` with the shifts of before 2018.
    """
    ratio = shift_hours / SHIFT_HOURS_BEFORE_2018[0]
    return np.clip(params.bribe_accept * ratio**params.shift_bribe_elasticity, 0.0, 1.0)


def guard_money_cny(kpw_2013: float, wage_kpw: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """An amount of 2013 won (a guard's pay, a posting bribe) in CNY of each day [day, city].

    The amount follows the state wage (``kpw_2013 x wage_kpw / WAGE_NEW``: the won of 2013 are new won, and the
    model's state wage is ``WAGE_NEW`` from the redenomination on), so it keeps its 2013 ratio to the wage in old
    won too, and is converted at the day's market rate ``rate`` (KPW per CNY).
    """
    return kpw_2013 * wage_kpw / WAGE_NEW[0] / rate


def _column_broadcaster(n_days: int, n_c: int):
    def col(values: np.ndarray) -> np.ndarray:
        return np.repeat(np.asarray(values, dtype=np.float64)[:n_days, None], n_c, axis=1)

    return col


@functools.lru_cache(maxsize=8)
def _decimal_years(start: dt.date, n_days: int) -> np.ndarray:
    """Decimal year of each day (read-only: cached per process, the same for every run over the same days)."""
    days = np.datetime64(start, "D") + np.arange(n_days)
    years = days.astype("datetime64[Y]").astype(int) + 1970
    out = years + (days - years.astype(str).astype("datetime64[D]")).astype(float) / 365.25
    out.flags.writeable = False
    return out


def _trade_usd_million(scenario: Scenario) -> np.ndarray:
    trade = official_trade_usd_million(scenario.start, scenario.end, series=scenario.trade_series)
    if scenario.trade_hold_after is not None:
        hold = dt.date(scenario.trade_hold_after, 7, 1)
        idx = day_index(scenario.start, hold)
        if 0 <= idx < len(trade):
            trade = trade.copy()
            trade[idx:] = trade[idx]
    return trade


@functools.lru_cache(maxsize=8)
def state_wage_kpw(start: dt.date, n_days: int) -> np.ndarray:
    """State wage per month, nominal KPW of the day (log-linear between cited points, flat outside); read-only,
    cached per process (the same for every run over the same days)."""
    days = np.arange(n_days) + np.datetime64(start, "D").astype(np.int64)
    knots_x = np.array([np.datetime64(d, "D").astype(np.int64) for d, _, _ in WAGE_POINTS_OLD], float)
    knots_y = np.log([w for _, w, _ in WAGE_POINTS_OLD])
    old = np.exp(np.interp(days, knots_x, knots_y))
    reform_day = np.datetime64(REDENOMINATION, "D").astype(np.int64)
    wage = np.where(days < reform_day, old, WAGE_NEW[0])
    wage.flags.writeable = False
    return wage
