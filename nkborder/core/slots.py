"""Indices of the per-day, per-city records the kernels write, and of person states.

Kernels write ``daily[day, city, SLOT]`` and ``sectors[month, sector, SECTOR_SLOT]``; :mod:`nkborder.engine.record`
turns the arrays into tables using :data:`DAILY_NAMES` and :data:`SECTOR_NAMES`, which must list the slots in
index order (a test checks it).
"""

from __future__ import annotations

from enum import IntEnum, unique


@unique
class Status(IntEnum):
    """Where a person is (``People.status``); numba compiles the members to the same constants as plain ints."""

    RESIDENT = 0
    IN_CHINA = 1
    IN_SOUTH_KOREA = 2
    DETAINED = 3
    DEAD = 4
    DETAINED_IN_CHINA = 5  # held by China until handed over


RESIDENT, IN_CHINA, IN_SOUTH_KOREA, DETAINED, DEAD, DETAINED_IN_CHINA = Status
STATUS_NAMES = tuple(status.name.lower() for status in Status)
N_STATUS = len(Status)

# daily flows (summed over a period)
CROSSINGS_ATTEMPTED = 0
CROSSINGS_SUCCEEDED = 1
CROSSINGS_BROKERED = 2
ARRESTS_AT_BORDER = 3
SHOT_AT_BORDER = 4
REPORTED_BEFORE_BORDER = 5
REPATRIATED = 6
RETURNED_FROM_CHINA = 7
ARRIVALS_SOUTH_KOREA = 8
ARRIVALS_FEMALE = 9
RELEASED = 10
BIRTHS = 11
DEATHS = 12
SMUGGLING_TRIPS = 13
SMUGGLING_ARRESTS = 14
SMUGGLING_VOLUME_CNY = 15
SMUGGLING_PROFIT_CNY = 16
SMUGGLING_CUT_CNY = 17
MARKET_TURNOVER_KPW = 18
REMITTANCES_GROSS_CNY = 19
REMITTANCES_CNY = 20
BROKER_COMMISSION_CNY = 21
BROKER_FEES_PAID_CNY = 22
BROKER_INCOME_CNY = 23
GUIDES_INCOME_CNY = 24
KIN_PAID_CNY = 25
BRIBES_PAID_CNY = 26
GUARD_BRIBES_CNY = 27
GUARDS_DISCHARGED = 28
GUARD_SERVICE_EARNINGS_CNY = 29
ONWARD_FEES_CNY = 30
CONFISCATED_CNY = 31
GUARD_PAY_CNY = 32
GUARD_SERVICE_PAY_CNY = 33
GUARD_POSTING_BRIBES_CNY = 34
CAUGHT_IN_CHINA = 35
ARRIVALS_LEFT_BEFORE_2020 = 36
# daily stocks (value at the end of the day): people by status (FIRST_STOCK + status), then guards on duty
POPULATION = 37
IN_CHINA_STOCK = 38
IN_SOUTH_KOREA_STOCK = 39
DETAINED_STOCK = 40
DEAD_STOCK = 41
DETAINED_IN_CHINA_STOCK = 42
GUARDS_ON_DUTY = 43
# daily flows added after the stocks: numba caches a kernel with the slot numbers it read when compiled and
# recompiles it only when its own file changes, so a new slot takes the next free number and none moves
REPATRIATED_FEMALE = 44
MARKET_TURNOVER_CNY = 45
DONJU_SEIZED_CNY = 46
DEATHS_HUNGER = 47
DEATHS_UNDER_5 = 48
PHONE_CONTACTS = 49
ATTEMPTS_NO_ROUTE = 50  # attempts given up: no broker could guarantee a route
CROSSINGS_ON_CREDIT = 51  # crossing fees and bribes borrowed
CROSSINGS_KIN_PAID = 52  # crossing fees and bribes paid by kin in South Korea
BROKERS_CAUGHT = 53
SECURITY_BRIBES_CNY = 54  # smugglers' release money and cuts taken by state security instead of the guards
BROKERS_WORKING = 55  # a stock: brokers able to guarantee a route at the end of the day
GUARD_BRIBES_CROSSERS_CNY = 56  # guards' money from crossers: lone crossers' bribes and guards' shares of fees
ARRESTS_AFTER_BRIBE = 57  # crossers let through for a bribe or a fee and still turned in
N_DAILY = 58

DAILY_NAMES = (
    "crossings_attempted", "crossings_succeeded", "crossings_brokered", "arrests_at_border", "shot_at_border",
    "reported_before_border", "repatriated", "returned_from_china", "arrivals_south_korea",
    "arrivals_south_korea_female", "released", "births", "deaths", "smuggling_trips", "smuggling_arrests",
    "smuggling_volume_cny", "smuggling_profit_cny", "smuggling_cut_cny", "market_turnover_kpw",
    "remittances_gross_cny", "remittances_cny", "broker_commission_cny", "broker_fees_paid_cny",
    "broker_income_cny", "guides_income_cny", "kin_paid_cny", "bribes_paid_cny", "guard_bribes_cny",
    "guards_discharged", "guard_service_earnings_cny", "onward_fees_cny", "confiscated_cny", "guard_pay_cny",
    "guard_service_pay_cny", "guard_posting_bribes_cny", "caught_in_china", "arrivals_south_korea_left_before_2020",
    "population", "in_china", "in_south_korea", "detained", "dead", "detained_in_china", "guards",
    "repatriated_female", "market_turnover_cny", "donju_seized_cny", "deaths_hunger", "deaths_under_5",
    "phone_contacts", "attempts_no_route", "crossings_on_credit", "crossings_kin_paid", "brokers_caught",
    "security_bribes_cny", "brokers_working", "guard_bribes_crossers_cny", "arrests_after_bribe",
)
FIRST_STOCK = POPULATION

# monthly means (one value per month and city, written by the monthly kernels)
INCOME_MEAN_KPW = 0
INCOME_GINI = 1
HARDSHIP_MEAN = 2
DISCONTENT_MEAN = 3
INFO_MEAN = 4
INTENT_MEAN = 5
WEALTH_MEAN_CNY = 6
DONJU_CAPITAL_CNY = 7
HARDSHIP_TRADER_MEAN = 8
HARDSHIP_NONTRADER_MEAN = 9
HUNGER_MEAN = 10
HUNGER_TRADER_MEAN = 11
HUNGER_NONTRADER_MEAN = 12
BROKER_COMMISSION_RATE = 13  # the month's remittance commission (model.brokers.commission_rate)
N_MONTHLY = 14
MONTHLY_NAMES = (
    "income_mean_kpw", "income_gini", "hardship_mean", "discontent_mean", "info_mean",
    "attempt_prob_mean", "wealth_mean_cny", "donju_capital_cny", "hardship_trader_mean", "hardship_nontrader_mean",
    "hunger_mean", "hunger_trader_mean", "hunger_nontrader_mean", "broker_commission_posted",
)

# per river sector and month (summed over the month's days); sectors are numbered across cities
SECTOR_ATTEMPTS = 0
SECTOR_SUCCEEDED = 1
SECTOR_ARRESTS = 2
SECTOR_SHOT = 3
SECTOR_SMUGGLING_TRIPS = 4
SECTOR_SMUGGLING_ARRESTS = 5
SECTOR_SMUGGLING_VOLUME_CNY = 6
SECTOR_GUARD_BRIBES_CNY = 7
N_SECTOR = 8
SECTOR_NAMES = (
    "crossings_attempted", "crossings_succeeded", "arrests_at_border", "shot_at_border", "smuggling_trips",
    "smuggling_arrests", "smuggling_volume_cny", "guard_bribes_cny",
)

# per district at the end of each year (a snapshot of the district's households and members)
DISTRICT_NAMES = (
    "population", "in_china", "in_south_korea", "detained", "hardship_mean", "discontent_mean", "info_mean",
)
