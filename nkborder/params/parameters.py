"""The model's parameters: one frozen, validated pydantic object.

Unknown names are refused (``extra="forbid"``), values outside the declared range are refused, and the object
is frozen so a running simulation cannot change it. Groups follow the submodels of ``docs/odd.md``.
Money is in Chinese yuan (CNY) unless the unit says KPW (North Korean won, nominal won of the day).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from nkborder.params.fields import param


class Params(BaseModel):
    """All parameters of the nkborder model (see ``describe_parameters()`` for units and sources)."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    # --- population and households -------------------------------------------------------------------
    household_size: float = param(
        4.0, 3.0, 5.5, "persons", "mean household size at initialisation", label="Household size"
    )
    inminban_households: int = param(
        30, 20, 40, "households", "households per inminban (neighbourhood watch unit)",
        quote="an inminban of about 20-40 households (project brief, issue 3; no source in shared data)",
        integer=True, label="Households per neighbourhood unit (inminban)",
    )
    birth_rate: float = param(0.015, 0.008, 0.025, "per person per year", "crude birth rate", label="Birth rate")
    death_rate: float = param(
        0.009, 0.005, 0.014, "per person per year", "crude death rate of the initial population without hunger "
        "(sets the level of the death rate by age)", label="Death rate (no hunger)"
    )
    infant_death_rate: float = param(
        0.025, 0.01, 0.06, "per child per year", "extra death rate in the first year of life",
        label="Extra infant death rate"
    )
    mortality_age_slope: float = param(
        0.085, 0.06, 0.11, "per year of age", "growth of the adult death rate with age (Gompertz: the death rate "
        "doubles every ln 2 / slope years, about 8 at the default)", label="Rise of the death rate with age"
    )
    hunger_death_rate: float = param(
        0.03, 0.0, 0.1, "per person per year", "extra death rate of a resident whose household met none of its "
        "food needs last month (hunger 1); it falls with the square of hunger", label="Extra death rate from hunger"
    )

    # --- border geometry, guards -----------------------------------------------------------------------
    border_km_hoeryong: float = param(
        40.0, 20.0, 70.0, "km", "river frontage of Hoeryong guarded by its units",
        label="Guarded river frontage, Hoeryong",
    )
    border_km_hyesan: float = param(
        25.0, 12.0, 45.0, "km", "river frontage of Hyesan guarded by its units", label="Guarded river frontage, Hyesan"
    )
    sector_km: float = param(
        2.0, 0.5, 5.0, "km", "length of one river sector (one guard post group)", label="Length of a river sector"
    )
    districts: int = param(
        8, 2, 30, "districts per city", "residential districts of each city (contiguous groups of inminban; "
        "each district faces its own stretch of the river)", integer=True, label="Residential districts per city",
    )
    home_sector_share: float = param(
        0.7, 0.0, 1.0, "probability", "chance that a crosser or smuggler uses a river sector facing their own "
        "district rather than any sector of the city (they know that stretch of river and its guards)",
        label="Crossing near home",
    )
    m_per_guard: float = param(
        14.0, 10.0, 20.0, "m of border per soldier", "guard density on the river",
        source="data/border_security.csv: 2006, implied density",
        quote="14 m of border per soldier (Daily NK via NKEW, 2006-05-18)", label="River metres per border soldier",
    )
    guard_rotation_days: float = param(
        120, 90, 180, "days", "mean days before a guard is rotated to another sector",
        source="data/border_security.csv: c.2019-20 rotation",
        quote="rotation of platoons/squads ... Hyesan-area battalions 3 months; Samjiyon ~6",
        label="Days before a guard is moved",
    )
    guard_service_years: float = param(
        5.0, 2.0, 10.0, "years", "years a guard serves on the border before discharge", label="Years of border service"
    )
    guard_pay_kpw_month: float = param(
        2000.0, 1000.0, 3000.0, "KPW per month (new won of 2013)", "a border guard's state pay, following the "
        "state wage before and after 2013 and converted to CNY at the day's market rate (200,000 KPW = 7-10 "
        "years of pay gives 1,670-2,380 KPW a month; an army captain's 3,000 is the upper bound)",
        source="data/border_security.csv: 2013",
        quote="3000 KPW/month: army captain pay; soldiers pay 200,000 KPW (=7-10 yrs pay) to be posted to border "
        "units (INSS via UPI/Chosun, 2013-11-01)", label="Guard's state pay",
    )
    posting_bribe_kpw: float = param(
        200000.0, 100000.0, 400000.0, "KPW (new won of 2013)", "bribe a recruit pays to be posted to a border "
        "unit, at the start of his service (follows the state wage like the pay; converted at the day's rate)",
        source="data/border_security.csv: 2013",
        quote="soldiers pay 200,000 KPW (=7-10 yrs pay) to be posted to border units",
        label="Bribe to be posted to the border",
    )
    detect_base: float = param(
        0.35, 0.05, 0.9, "probability", "chance that a sector's guards detect a lone crosser at 2006 density",
        calibrate=True, label="Chance guards detect a lone crosser",
    )
    broker_detect_factor: float = param(
        0.3, 0.05, 1.0, "multiplier", "detection multiplier for crossings arranged by a broker",
        label="Detection of brokered crossings (relative)"
    )
    crackdown_detect_gain: float = param(
        1.5, 0.0, 4.0, "multiplier per unit", "extra detection hazard per unit of crackdown intensity",
        label="Extra detection in a crackdown"
    )
    fence_detect_gain: float = param(
        1.0, 0.0, 10.0, "multiplier per unit", "extra detection hazard when the fences are complete",
        source="data/border_security.csv: 2019 vs 2022-23 km fenced",
        quote="230->~321 km fenced, of 321 km analysed in 6 areas incl. Hyesan & Hoeryong (HRW 2024)",
        label="Extra detection from fences",
    )
    troop_detect_elasticity: float = param(
        1.0, 0.3, 1.5, "exponent", "detection hazard grows as (soldiers per km relative to 2006) to this power "
        "(1 = proportional: twice the soldiers, twice the hazard)", label="Detection response to more soldiers",
    )
    post_detect_elasticity: float = param(
        0.25, 0.0, 1.0, "exponent", "detection hazard grows as (guard posts relative to before 2020) to this "
        "power (posts watch overlapping stretches, so less than proportional)",
        label="Detection response to more guard posts",
    )
    buffer_detect_gain: float = param(
        2.0, 0.0, 6.0, "multiplier per unit", "extra detection hazard in the shoot-on-sight buffer zone",
        label="Extra detection in the buffer zone"
    )
    closure_detect_gain: float = param(
        2.0, 0.0, 6.0, "multiplier per unit", "extra detection hazard while the border is sealed",
        label="Extra detection while the border is sealed"
    )
    lax_detect_cut: float = param(
        0.5, 0.0, 0.95, "share of the hazard", "share of the detection hazard that falls away at lax_border "
        "intensity 1 (famine years: guards who look away, unpaid or for food, so that crossing without a bribe "
        "was still possible)", calibrate=True, label="Detection lost when guards look away",
    )
    shoot_prob: float = param(
        0.05, 0.0, 0.3, "probability", "chance that a detected crosser in the buffer zone is shot dead",
        source="abrams-2020", quote="special forces with shoot-to-kill orders",
        label="Chance a detected crosser is shot (buffer zone)",
    )
    bribe_accept: float = param(
        0.85, 0.3, 1.0, "probability", "chance that a detecting guard lets a paying crosser pass (with shifts of 2.5 "
        "hours at a post, as before 2018)",
        source="data/fees_and_bribes.csv: 2000",
        quote="safely crossing without bribing guards impossible since 2000", label="Chance a guard takes a bribe",
    )
    shift_bribe_elasticity: float = param(
        0.5, 0.0, 1.0, "exponent", "a detecting guard accepts a bribe with probability bribe_accept x (shift "
        "hours / 2.5) ^ this: a shorter shift leaves him less time alone at his post to arrange a passage "
        "(0 = shifts do not matter, 1 = acceptance proportional to the time alone)",
        label="Bribe-taking response to shorter shifts",
    )
    crossing_bribe_cny: float = param(
        500.0, 100.0, 2000.0, "CNY", "bribe a lone crosser pays a guard at reference risk",
        source="seed-hoeryong-2007",
        quote="The border patrollers normally received 500 yuan (200,000 won) per defector",
        label="Bribe a lone crosser pays",
    )
    crossing_bribe_elasticity: float = param(
        0.5, 0.0, 3.0, "per unit of risk", "log-increase of a lone crosser's bribe per unit of the risk index "
        "(less than the broker fee's: the bribe doubled from 500 CNY in 2007 to 1,000 in 2013, "
        "data/fees_and_bribes.csv: 2013, while the fee rose from 500 CNY in 2006 to 8,000-8,600 USD in 2015)",
        quote="assumption, prior 0-3: the two bribes (500 CNY, 2007; 1,000 CNY, 2013) are its calibration targets",
        calibrate=True, label="Rise of the crossing bribe with risk",
    )
    fee_reference_detention_years: float = param(
        2.0, 0.1, 5.0, "years", "mean detention of a caught crosser in the regime the 500 CNY fee (2006) and "
        "bribe (2007) were observed under: the reference risk of the fee and bribe is detect_base x (1 + this)",
        quote="the fee and bribe are 2006-07 prices, under the punishment of November 2004 (prison terms of up to "
        "5 years, hrw-2007); its mean of 2 years is the assumption of the history scenario's punishment-2004",
        label="Detention at the time fees were observed",
    )
    betray_under_crackdown: float = param(
        0.5, 0.0, 1.0, "probability per unit", "chance a bribed guard still turns the crosser in, per unit "
        "of crackdown intensity",
        source="seed-hoeryong-2007",
        quote="they may accept hush-money, but that they just have to turn the person in",
        label="Bribed guard still betrays (crackdown)",
    )

    # --- livelihoods and markets ------------------------------------------------------------------------
    rice_kg_per_person_day: float = param(
        0.3, 0.2, 0.6, "kg/day", "grain a person needs a day, priced as rice (much of it is eaten as cheaper maize)",
        label="Grain needed per person a day"
    )
    trader_share: float = param(
        0.6, 0.3, 0.9, "share of households", "households living mainly from market trading",
        source="data/local_observations.csv: 2012, 2015 Hyesan stalls (check)",
        quote="Hyesan, five markets: 6326 stalls (2012), 7627 (2015)", label="Households living from trade",
    )
    smuggler_share: float = param(
        0.04, 0.005, 0.12, "share of households", "households with a member who smuggles across the river",
        label="Households with a smuggler"
    )
    skill_sigma: float = param(
        0.6, 0.2, 1.5, "log-sd", "spread of traders' productivity (lognormal)", label="Spread of traders' skill"
    )
    market_cny_per_capita_day: float = param(
        1.2, 0.2, 5.0, "CNY per resident per day", "domestic market turnover at full tolerance", calibrate=True,
        label="Market turnover per resident"
    )
    city_trade_share: float = param(
        0.01, 0.001, 0.05, "share", "share of official China-DPRK trade sold through each city's market",
        source="data/jilin_trade_points.csv: 2019",
        quote="share of China-DPRK trade through Dandong ports ~60%; 15 border ports in total",
        label="Share of China trade through each city",
    )
    smuggled_markup: float = param(
        1.5, 1.0, 3.0, "multiplier", "market turnover generated per CNY of smuggled goods",
        label="Market turnover per yuan smuggled"
    )
    trade_margin: float = param(
        0.2, 0.05, 0.4, "share", "traders' income as a share of market turnover", label="Traders' margin"
    )
    donju_share: float = param(
        0.01, 0.002, 0.05, "share of households", "richest households acting as donju",
        label="Households that are donju (new money)",
    )
    donju_invest_share: float = param(
        0.05, 0.0, 0.3, "share per month", "share of a donju's yuan wealth invested per month when tolerated",
        source="seed-hyesan-2024", quote="encouraging wealthy donju (masters of money) to invest and expand them",
        label="Share of donju wealth invested",
    )
    donju_return_month: float = param(
        0.03, 0.0, 0.1, "per month", "return on donju market capital", label="Monthly return on donju capital"
    )
    donju_turnover_per_cny: float = param(
        0.02, 0.0, 0.1, "turnover per CNY of capital per day", "market turnover driven by donju capital",
        label="Market turnover per yuan of donju capital"
    )
    crackdown_confiscation: float = param(
        0.2, 0.0, 0.8, "share per month", "share of donju capital seized per month at crackdown intensity 1",
        label="Donju capital seized in a crackdown"
    )
    consume_surplus: float = param(
        0.7, 0.3, 0.95, "share", "share of income above food needs spent on other goods",
        label="Spending of income above food needs"
    )
    yuan_savings_share: float = param(
        0.5, 0.0, 1.0, "share", "share of savings households keep in yuan rather than won", label="Savings kept in yuan"
    )
    famine_food_price: float = param(
        2.0, 0.0, 6.0, "multiplier per unit", "extra food cost at famine intensity 1 (relative)",
        label="Extra food cost in famine"
    )
    coping_food_share: float = param(
        0.6, 0.2, 0.8, "share", "share of a household's food needs met without money (kitchen plots, kin, odd "
        "work paid in food) outside a famine; a famine of intensity 1 destroys it", label="Food found without money"
    )
    closure_tolerance_cut: float = param(
        0.5, 0.0, 0.9, "share", "fall of market tolerance while the border is sealed (level an assumption)",
        source="seed-hyesan-2024", quote="informal market activity stifled ... 'The market system is dead'",
        label="Fall of market tolerance while sealed",
    )
    closure_seizure: float = param(
        0.05, 0.0, 0.3, "share per month", "share of donju capital seized per month while the border is sealed "
        "or trade is under state control (level an assumption)",
        source="seed-hyesan-2024",
        quote="cross-border trade must go through rigid state checkpoints, customs, and inspections. Only "
        "pre-approved items are allowed in", label="Donju capital seized while sealed",
    )
    redenomination_limit_kpw: float = param(
        150000.0, 50000.0, 500000.0, "old KPW per household",
        "cash a household could exchange in the 2009 redenomination; the rest was wiped out",
        source="goodfriends-2010", quote="redenomination 100:1 with exchange limits; cash savings wiped out",
        label="Cash exchangeable in the 2009 redenomination",
    )

    # --- smuggling --------------------------------------------------------------------------------------
    smuggling_trips_month: float = param(
        3.0, 0.5, 10.0, "trips per month", "trips a smuggler makes in a month in open times",
        label="Smuggling trips a month"
    )
    cargo_cny: float = param(
        3000.0, 300.0, 20000.0, "CNY", "value of goods carried on one trip when official China-DPRK trade is at "
        "its 2006 level", label="Value of one smuggled load"
    )
    smuggling_trade_elasticity: float = param(
        1.0, 0.0, 1.5, "elasticity", "growth of a smuggling trip's cargo with official China-DPRK trade (1: the "
        "river trade is a fixed share of the cross-border trade; 0: it ignores it)",
        label="Growth of smuggled loads with China trade"
    )
    smuggling_margin: float = param(
        0.3, 0.05, 0.6, "share", "smuggler's gross profit on cargo value", label="Smuggler's profit margin"
    )
    guard_cut_base: float = param(
        0.11, 0.05, 0.25, "share of profit", "guards' cut of a smuggler's profit in ordinary times",
        source="rfa-2015", quote="guards' cut of smugglers' profit (before 2014): 11%; held at this sourced value, "
        "not calibrated: the observed series do not identify it (docs/calibration.md, Identifiability)",
        label="Guards' cut of smuggling profit",
    )
    guard_cut_max: float = param(
        0.7, 0.4, 0.9, "share of profit", "guards' and officials' cut at the highest control pressure",
        source="dailynk-yalu-2007",
        quote="share of a smuggler's profit paid to security officers police and guards: 0.70 (2006-2007)",
        label="Guards' cut at the tightest control",
    )
    smuggler_arrest_given_detect: float = param(
        0.05, 0.0, 0.5, "probability", "chance that a detected smuggler is arrested in ordinary times",
        label="Chance a detected smuggler is arrested"
    )
    smuggler_arrest_max: float = param(
        0.5, 0.1, 1.0, "probability", "chance that a detected smuggler is arrested at the highest control pressure "
        "(the rest pay the guards' cut)", label="Arrest chance at the tightest control"
    )
    release_bribe_cny: float = param(
        3000.0, 1000.0, 10000.0, "CNY", "bribe that frees a caught smuggler",
        source="nkeconwatch-2013", quote="release bribe when caught smuggling 1000-5000 CNY",
        label="Bribe to free a caught smuggler",
    )
    smuggler_detention_days: float = param(
        90.0, 14.0, 365.0, "days", "detention of an arrested smuggler who cannot pay",
        label="Detention of a smuggler who cannot pay"
    )

    # --- brokers ----------------------------------------------------------------------------------------
    brokers_per_100k: float = param(
        20.0, 2.0, 80.0, "brokers per 100,000 residents", "brokers in a city", label="Brokers per 100,000 residents"
    )
    broker_fee_base_cny: float = param(
        500.0, 200.0, 2000.0, "CNY", "broker fee for a crossing at reference risk",
        source="dailynk-border-costs", quote="2006: 500 CNY, cost of crossing the Tumen per person",
        label="Broker fee for a crossing",
    )
    broker_fee_elasticity: float = param(
        1.6, 0.2, 3.0, "per unit of risk", "log-increase of the broker fee per unit of the risk index",
        calibrate=True, label="Rise of the broker fee with risk",
    )
    broker_fee_max_cny: float = param(
        80000.0, 20000.0, 300000.0, "CNY", "upper bound of the crossing fee",
        source="chosun-fees", quote="2015: 8,600 USD (up to 14,000 on parts of the Tumen)", label="Highest broker fee",
    )
    broker_share: float = param(
        0.4, 0.2, 0.6, "share of fee", "broker's share of the crossing fee",
        source="dailynk-border-costs", quote="split 4:3:3 broker : North Korean guards : Chinese guides",
        label="Broker's share of the fee",
    )
    guard_share_of_fee: float = param(
        0.3, 0.1, 0.5, "share of fee", "North Korean guards' share of the crossing fee",
        source="dailynk-border-costs", quote="split 4:3:3 broker : North Korean guards : Chinese guides",
        label="Guards' share of the fee",
    )
    commission_base: float = param(
        0.25, 0.1, 0.35, "share", "remittance brokers' commission in normal times",
        source="ap-remittance", quote="commission of remittance brokers in normal times 20-30%",
        label="Remittance commission, normal times",
    )
    commission_max: float = param(
        0.7, 0.4, 0.9, "share", "remittance and escape brokers' commission at most",
        source="seed-hyesan-2024", quote="charging exorbitant fees - up to 70% commissions",
        label="Highest broker commission",
    )
    closure_broker_stop: float = param(
        0.9, 0.0, 1.0, "share", "share of brokered routes that stop while the border is sealed",
        source="seed-hyesan-2024", quote="Escapees report being unable to find anyone who can guarantee a route out",
        label="Broker routes stopped while sealed",
    )
    broker_capacity_month: int = param(
        8, 1, 20, "crossings per month", "crossings one broker can guarantee in a month (guides, guards he "
        "knows, a safe house across the river)", integer=True, label="Crossings a broker can guarantee a month",
    )
    broker_tries: int = param(
        3, 1, 10, "brokers", "brokers a would-be crosser asks before concluding that nobody can guarantee a "
        "route", integer=True, label="Brokers asked before giving up",
    )
    no_route_give_up: float = param(
        0.8, 0.3, 1.0, "probability", "chance that a would-be crosser who finds no broker able to guarantee a "
        "route gives the attempt up this month rather than crossing alone",
        source="seed-hyesan-2024", quote="Escapees report being unable to find anyone who can guarantee a route out",
        label="Giving up when no broker has a route",
    )
    broker_catch_prob: float = param(
        0.05, 0.01, 0.5, "probability per unit of exposure", "chance that a broker is caught when one of his "
        "clients is arrested, per unit of his exposure (his clients arrested, decaying with "
        "broker_memory_days)", label="Chance a broker is caught",
    )
    broker_memory_days: float = param(
        365.0, 60.0, 1095.0, "days", "time constant over which a broker's exposure (clients arrested) decays",
        label="How long a broker's exposure lasts",
    )
    broker_out_days: float = param(
        180.0, 30.0, 1095.0, "days", "days before a caught broker's place is taken by another broker",
        label="Days before a caught broker is replaced",
    )
    broker_exposure_premium: float = param(
        0.5, 0.0, 2.0, "share per unit of exposure", "a broker's price is the posted fee x (1 + this x his "
        "exposure): a broker whose clients were arrested asks more for the danger he now carries",
        source="seed-hyesan-2024", quote="charging exorbitant fees ... reflecting the dangers they now face",
        label="Price premium of an exposed broker",
    )
    broker_risk_fee_elasticity: float = param(
        1.75, 0.0, 4.0, "exponent", "the posted fee grows as (brokers' risk / its 2006 value) to this power; "
        "brokers' risk is the chance that a brokered crossing ends in arrest (detection x not let through)",
        source="dailynk-border-costs",
        quote="2006: 500 CNY; 2010: at least 10,000 CNY after the February 2010 tightening; 1.75 is the smallest "
        "value in steps of 0.25 whose posted fee, moving with fee_adjust_days, averages at least 10,000 CNY in "
        "2010 with the shipped calibration (in-sample; never fitted to 2015)",
        label="Rise of the fee with brokers' own risk",
    )
    fee_adjust_days: float = param(
        60.0, 14.0, 180.0, "days", "time constant with which the posted broker fee moves toward the fee the day's "
        "risks call for (in log terms): brokers learn the risk from their clients' arrests and revise the price "
        "over weeks, so a crackdown's first month raises the fee little",
        quote="assumption: no source gives how fast fees followed a tightening; the 500 CNY of 2006 "
        "(dailynk-border-costs) was quoted in the year whose last month began the Hoeryong purification "
        "(seed-hoeryong-2007); prior 14-180 days", label="Days the broker fee takes to follow the risk",
    )
    crossing_credit: float = param(
        0.3, 0.0, 0.6, "probability", "chance that a crosser whose household cannot pay the broker's fee or the "
        "guard's bribe, and whose kin abroad do not pay it, borrows it (from a broker, a lender or the guard "
        "himself, repaid from work in China or after arrival)",
        quote="assumption, prior 0-0.6: 'The border patrollers normally received 500 yuan (200,000 won) per "
        "defector for allowing them to cross the river' (seed-hoeryong-2007) when the monthly wage was 3,000 won: "
        "crossers paid about 67 months of wages, which few households held, so most of the money was borrowed or "
        "came from outside; 0.3 is the value at which guards receive about 500 CNY per successful crossing in "
        "Hoeryong 2005-2006 (the pattern guards-paid-by-crossers, in-sample)", label="Crossing on credit",
    )

    # --- defection --------------------------------------------------------------------------------------
    intent_intercept: float = param(
        -11.5, -15.0, -6.0, "log-odds per month", "baseline log-odds of attempting to cross in a month",
        calibrate=True, label="Baseline wish to leave",
    )
    intent_hardship: float = param(
        3.0, 0.0, 6.0, "log-odds per unit", "effect of hardship (0-1)", calibrate=True,
        label="Hardship pushes people to leave",
    )
    intent_discontent: float = param(
        2.0, 0.0, 5.0, "log-odds per unit", "effect of discontent (0-1)", label="Discontent pushes people to leave"
    )
    intent_info: float = param(
        1.0, 0.0, 4.0, "log-odds per unit", "effect of outside information (0-1)",
        label="Outside information pushes people to leave",
    )
    intent_kin: float = param(
        1.5, 0.0, 4.0, "log-odds", "effect of having kin abroad (chain migration)", calibrate=True,
        label="Kin abroad pull people to leave"
    )
    intent_risk: float = param(
        0.6, 0.0, 2.0, "log-odds per unit of risk", "deterrence of the risk index, times risk aversion",
        label="Risk deters leaving"
    )
    intent_female: float = param(
        0.8, -1.0, 2.5, "log-odds", "extra propensity of women to cross", calibrate=True,
        source="data/china_stock_repatriation_women.csv: % women rows",
        quote="share of women among arrivals 35% (1997) to 80.3% (2015)", label="Women's extra wish to leave",
    )
    kin_pay_prob: float = param(
        0.5, 0.0, 1.0, "probability", "chance that kin in South Korea pay a relative's broker",
        label="Kin in South Korea pay the broker"
    )
    inminban_report_base: float = param(
        0.02, 0.0, 0.1, "probability", "chance an attempt is reported by the inminban and stopped before the "
        "river without a crackdown (standing surveillance)", label="Neighbours report an attempt (standing)"
    )
    inminban_report: float = param(
        0.2, 0.0, 0.8, "probability per unit", "extra chance an attempt is reported and stopped before the river, "
        "per unit of crackdown intensity", label="Neighbours report an attempt (crackdown)"
    )
    detention_days_default: float = param(
        60.0, 7.0, 180.0, "days", "mean detention of a caught crosser before any punishment event",
        source="hrw-2007",
        quote="before: release after questioning or a few months of forced labour",
        label="Detention of a caught crosser",
    )

    # --- China and onward -----------------------------------------------------------------------------
    china_capture_rate: float = param(
        0.08, 0.01, 0.4, "per year", "hazard that a North Korean hiding in China is caught and repatriated",
        source="data/china_stock_repatriation_women.csv: 2002 repatriated, 2000 stock",
        quote="4809 repatriated (2002); 75000-125000 in China (2000)", calibrate=True, label="Capture rate in China",
    )
    china_wage_cny_day: float = param(
        17.0, 10.0, 40.0, "CNY per day", "earnings of a North Korean working hidden in China",
        source="data/fees_and_bribes.csv: 2016", quote="wage 15-20 CNY/day", label="Daily earnings hidden in China",
    )
    china_savings_share: float = param(
        0.3, 0.05, 0.8, "share", "share of earnings in China saved for the journey",
        label="Earnings in China saved for the journey",
    )
    onward_fee_usd: float = param(
        2500.0, 1000.0, 6000.0, "USD", "broker fee from China to South Korea",
        source="data/fees_and_bribes.csv: 2011", quote="China->ROK extra $2,500",
        label="Broker fee from China to South Korea",
    )
    cny_per_usd: float = param(
        6.8, 6.1, 8.3, "CNY per USD", "conversion of USD amounts (official rate ranged 8.3 to 6.1 in 1995-2025)",
        label="Yuan per US dollar"
    )
    onward_credit: float = param(
        0.25, 0.0, 1.0, "probability", "chance that a broker takes a person from China to South Korea on credit, "
        "to be repaid after arrival, when neither savings nor kin can pay",
        quote="assumption; not calibrated: with no savings or kin it scales the onward hazard as onward_rate "
        "does (a ridge); 0.25 is a value that fits by hand (docs/calibration.md)", label="Onward journey on credit",
    )
    onward_rate: float = param(
        1.0, 0.1, 6.0, "per year", "hazard of leaving China for South Korea once the fee is paid", calibrate=True,
        label="Rate of leaving China for South Korea"
    )
    direct_escape_share: float = param(
        0.0, 0.0, 1.0, "share", "share of crossers whose journey on to South Korea is arranged with the crossing: "
        "on their first day in China they leave for South Korea if the onward fee is paid (kin or credit), times "
        "the route and closure factors of the onward hazard",
        source="data/fees_and_bribes.csv: 2007, 2011",
        quote="'full escape NK->Seoul, budget vs first-class', <2,000 / >10,000 USD (Washington Post via NKEW, "
        "2007-11-18); 'NK->China per person (3.5m KRW); China->ROK extra $2,500' (BBC via NKEW, 2011-07-06): "
        "the journey to Seoul is sold as one package; the share of crossers who buy it is an assumption, prior "
        "0-1; 0 (no direct journeys) until a calibration estimates it",
        calibrate=True, label="Crossers with the journey to South Korea arranged",
    )
    route_year: float = param(
        2002.0, 1998.0, 2008.0, "year", "year the onward route through China and South-East Asia was half "
        "developed", calibrate=True, label="Year the route through China matured",
    )
    closure_onward_stop: float = param(
        0.7, 0.0, 1.0, "share", "share of onward journeys from China that stop while the border is sealed",
        source="seed-hyesan-2024", quote="In 2023, fewer than 200 made it - most of whom were already living outside",
        label="Onward journeys stopped while sealed",
    )
    return_rate: float = param(
        0.15, 0.0, 0.6, "per year", "hazard that a person in China returns home voluntarily (before the "
        "route to South Korea matures)",
        quote="assumption: no rate of voluntary return in the data; with capture, the outflow from China that does "
        "not arrive in South Korea (docs/calibration.md); prior 0-0.6",
        calibrate=True, label="Rate of returning home from China",
    )
    tightening_2012_intensity: float = param(
        0.3, 0.1, 1.0, "intensity 0-1", "intensity of the border control under Kim Jong Un from January 2012 to the "
        "end of 2013 (the history scenario's event tightening-2012, kind border_control)",
        quote="assumption, prior 0.1-1: the sources date the tightening (barbed wire along the Tumen in 2012, "
        "data/border_security.csv: 2012; the broker fee 'doubled since ~2011', data/fees_and_bribes.csv: 2015, "
        "Reuters 2015-05-21) but do not measure it; 0.3 until a calibration estimates it",
        calibrate=True, label="Intensity of the 2012 border tightening",
    )
    steady_return_rate: float = param(
        0.0, 0.0, 0.3, "per year", "hazard that anyone hiding in China, settled or not, goes home of their own "
        "accord, whatever the onward route (on top of return_rate, which fades as the route develops)",
        quote="assumption, prior 0-0.3; its support: 'NK illegal migrants in Yanbian area, peak vs. at time of "
        "writing', 150,000-200,000 (c.1999) / 2,000-8,000 (c.2013) (A. Lankov, The AsiaN; "
        "data/china_stock_repatriation_women.csv) against 25,175 arrivals in South Korea in 1999-2013 "
        "(data/defector_arrivals.csv) and about 5,000 repatriations a year (4,809 in 2002, CASS researcher paper "
        "via KBS RKI): most of the famine-era stock left China by other ways than arrival in South Korea; no rate "
        "in the data; 0 (only return_rate) until a calibration estimates it",
        calibrate=True, label="Rate of going home from China (everyone, any year)",
    )
    settle_rate_female: float = param(
        1.3, 0.05, 3.0, "per year", "hazard that a woman in China settles (married or sold into a Chinese "
        "household): caught less often, no voluntary return, slow onward journey",
        quote="assumption: no settling rate in the data; the stock estimates (75,000-125,000 in China in 2000, "
        "30,000-50,000 in 2006) against 312-2,028 arrivals a year, women 42% (2000) -> 80% (2015) of arrivals, "
        "and >70% women among those repatriated in 2023 (china_stock_repatriation_women.csv) imply a large, "
        "mostly female population that stays for years; prior 0.05-3",
        calibrate=True, label="Rate women settle in China",
    )
    settle_rate_male: float = param(
        0.02, 0.0, 1.0, "per year", "hazard that a man in China settles (steady hidden work)",
        quote="assumption: men are rarely taken into Chinese households; prior 0-1", label="Rate men settle in China",
    )
    settled_capture_factor: float = param(
        0.2, 0.05, 1.0, "multiplier", "capture hazard of a settled person relative to a newcomer",
        quote="assumption: a person living in a Chinese household is hidden by it; prior 0.05-1",
        calibrate=True, label="Capture of settled people (relative)",
    )
    settled_onward_rate: float = param(
        0.12, 0.01, 0.6, "per year", "hazard that a settled person leaves for South Korea once the route is "
        "developed (times the route and closure factors of the onward hazard; the fee is paid as for others)",
        quote="assumption; 'In 2023, fewer than 200 made it - most of whom were already living outside' "
        "(seed-hyesan-2024) shows arrivals drawn from people long settled abroad; prior 0.01-0.6",
        calibrate=True, label="Rate settled people leave for South Korea",
    )

    # --- China's own timeline: surveillance, detention, repatriation, COVID-19 controls -----------------------
    china_surveillance_growth: float = param(
        0.03, 0.0, 0.08, "per year", "growth of China's hunt for North Koreans: the capture hazard is multiplied "
        "by exp(growth x (year - 2002)) after 2002, the year whose repatriations fix china_capture_rate",
        quote="assumption: China's search intensifies (a 1,000 CNY reward for reporting North Korean crossers and a "
        "500 CNY fine for aiding them in 2016, data/fees_and_bribes.csv: 2016) but no source gives a rate; "
        "prior 0-0.08 (up to x1.9 by 2016)", calibrate=True, label="Growth of China's hunt for North Koreans",
    )
    china_surveillance_until: float = param(
        2017.0, 2003.0, 2026.0, "year", "end of the growth of China's hunt for North Koreans: the capture hazard "
        "grows with china_surveillance_growth from 2002 to this time (1 January of the year) and is held after it",
        quote="assumption: the last dated sign of China's search intensifying is the 1,000 CNY reward for reporting "
        "North Korean crossers and the 500 CNY fine for aiding them in 2016 (data/fees_and_bribes.csv: 2016); no "
        "source shows a further rise, so the growth ends with that year; prior 2003-2026 (2026: it grows through "
        "every simulated year)", label="End of the growth of China's hunt",
    )
    china_detention_days: float = param(
        60.0, 14.0, 180.0, "days", "mean time a North Korean caught in China is held in Chinese detention before "
        "being handed over to North Korea, outside mass repatriations and closures",
        quote="assumption: no source gives the time between capture and handover before 2020; prior 14-180 days",
        label="Detention in China before hand-over",
    )
    closure_repatriation_stop: float = param(
        0.99, 0.9, 1.0, "share", "share of repatriations from Chinese detention stopped while North Korea's "
        "border is sealed and it does not take its citizens back",
        source="data/china_stock_repatriation_women.csv: 2021-07, 2002",
        quote="about 50 repatriated (2021-07) against 4,809 repatriated (2002): 1 - 50/4809 = 0.99 if the 50 were "
        "the year's only ones (a lower bound of the year); prior 0.9-1", label="Repatriations stopped while sealed",
    )
    china_controls_onward_stop: float = param(
        0.95, 0.8, 1.0, "share", "share of onward journeys from China stopped by China's zero-COVID controls on "
        "movement at intensity 1",
        source="reuters-2020-01-23",
        quote="controls on movement (health codes, checkpoints on roads, trains and buses; quarantines), which stop "
        "most travel by people without papers (data/policy_events.csv: 2020-01-23); share is an assumption, "
        "prior 0.8-1", label="Onward journeys stopped by China's COVID controls",
    )
    china_closure_onward_stop: float = param(
        0.9, 0.5, 1.0, "share", "share of onward journeys from China stopped while China's land borders are "
        "closed to ordinary travel (the route to South Korea leaves China by land)",
        source="reuters-2020-03-26",
        quote="land borders with Southeast Asia and Mongolia close to ordinary travel (data/policy_events.csv: "
        "2020-03-28); share is an assumption, prior 0.5-1", label="Onward journeys stopped by China's closed borders",
    )
    china_controls_capture_gain: float = param(
        1.0, 0.0, 3.0, "multiplier", "extra capture hazard in China under movement controls at intensity 1 "
        "(capture x (1 + gain x intensity)): health-code checks and checkpoints expose people without papers",
        quote="assumption: no count of North Koreans caught in China in 2020-2022; prior 0-3",
        label="Extra capture under China's COVID controls",
    )

    # --- remittances, information, discontent ---------------------------------------------------------
    remit_prob_month: float = param(
        0.08, 0.01, 0.3, "per month", "chance that a defector in South Korea sends money in a month",
        source="data/local_observations.csv: 2010, 2013, 2015",
        quote="71% ever remitted (2010); 50% remitted (2013); 26% sent in 2015",
        label="Chance a defector sends money a month",
    )
    remit_cny: float = param(
        6000.0, 1000.0, 20000.0, "CNY", "gross amount of one remittance",
        source="data/local_observations.csv: 2015",
        quote="avg remittance of the 26% who sent in 2015: 2.35 million KRW", label="Size of one remittance",
    )
    info_decay: float = param(
        0.8, 0.3, 0.98, "share per month", "share of outside information kept a month",
        label="Outside information kept a month",
    )
    info_kin: float = param(
        0.6, 0.0, 1.0, "per month", "information from a phone call with kin abroad",
        label="Information from calls with kin abroad",
    )
    info_market: float = param(
        0.2, 0.0, 1.0, "per month", "information traders and smugglers pick up",
        label="Information picked up at the market",
    )
    info_inminban: float = param(
        0.3, 0.0, 1.0, "weight", "weight of the inminban's mean information",
        label="Information shared among neighbours",
    )
    discontent_intercept: float = param(
        -2.0, -4.0, 0.0, "log-odds", "log-odds of discontent with no outside information and no hardship",
        label="Baseline discontent"
    )
    discontent_rate: float = param(
        0.1, 0.01, 0.5, "share per month", "speed of discontent toward its target",
        label="Speed of change of discontent",
    )
    discontent_info: float = param(
        3.0, 0.0, 6.0, "log-odds per unit", "effect of outside information on discontent",
        source="seed-hoeryong-2007",
        quote="With frequent access to news from the outside world, discontentment over the country's system "
        "there is also high", label="Outside information raises discontent",
    )
    discontent_hardship: float = param(
        2.0, 0.0, 5.0, "log-odds per unit", "effect of hardship on discontent", label="Hardship raises discontent"
    )
    surveillance_block: float = param(
        0.8, 0.0, 1.0, "share per unit", "share of phone contact and remittances stopped by surveillance",
        source="seed-hyesan-2024",
        quote="Phone calls via Chinese networks ... severely policed. Information and remittances have slowed "
        "to a trickle", label="Contact stopped by phone surveillance",
    )
    closure_contact_cut: float = param(
        0.7, 0.3, 1.0, "share", "share of phone contact and remittances stopped while the border is sealed, "
        "before phone surveillance (couriers and brokers cannot cross)",
        source="seed-hyesan-2024", quote="Trade routes have been severed ... Even phone contact has become rare "
        "and risky (level an assumption)", label="Contact stopped while sealed",
    )
    crackdown_tolerance_cut: float = param(
        0.5, 0.0, 1.0, "share per unit", "fall of market tolerance per unit of crackdown intensity",
        source="seed-hoeryong-2007", quote="The first move ... was to remove all trading companies",
        label="Fall of market tolerance in a crackdown",
    )
    closure_trade_stop: float = param(
        0.9, 0.0, 1.0, "share", "share of smuggling trips that stop while the border is sealed",
        source="seed-hyesan-2024", quote="Trade routes have been severed", label="Smuggling stopped while sealed",
    )
    crackdown_trade_stop: float = param(
        0.5, 0.0, 1.0, "share per unit", "share of smuggling trips that stop per unit of crackdown intensity",
        source="seed-hoeryong-2007",
        quote="The first move ... was to remove all trading companies that have their bases in Hoeryong; "
        "border patrollers have lost their source of money (the share is an assumption)",
        label="Smuggling stopped in a crackdown",
    )


#: The submodels of ``docs/odd.md`` the parameters are grouped by: the first parameter of each group (in the
#: order of declaration above) and the group's title; a parameter belongs to the last group started before it.
SUBMODELS: dict[str, str] = {
    "household_size": "Population and households",
    "border_km_hoeryong": "Border and guards",
    "rice_kg_per_person_day": "Livelihoods and markets",
    "smuggling_trips_month": "Smuggling",
    "brokers_per_100k": "Brokers",
    "intent_intercept": "Defection",
    "china_capture_rate": "China and the way onward",
    "china_surveillance_growth": "China's own policies",
    "remit_prob_month": "Remittances, information and discontent",
}
