"""The pattern catalogue: what the two reports and the cited data say, as criteria a model run must meet.

Pattern-oriented modelling (Grimm et al. 2005, Science 310:987): one parameter set should reproduce many
patterns observed at different levels (person, household, city, national) at once. Each :class:`Pattern` has
its statement, its sources (a quote from ``shared/sources/*.txt`` or a row of a ``shared/data/*.csv`` file,
quoted verbatim: a test checks the quote is in the file), the measure it reads from a run's yearly table
(:mod:`nkborder.observation.measures`), a criterion (:mod:`nkborder.validation.criteria`) fixed from the
sources alone, before looking at model output, and why the criterion is as tolerant as it is. The catalogue
is documented in ``docs/patterns.md``.

Indicators the catalogue reads that the model does not produce yet go into :data:`EXPECTED_INDICATORS`
(name: unit and meaning); a run without them gets "indicator missing" for the patterns that read them, never a
pass. At present the model produces every indicator the catalogue reads.

Years: the sources' "before the pandemic" is 2016-2019 or 2017-2019, "under the closure" 2021-2023 (the first
full years after the closure of 22 January 2020). Ratios compare a period with one before it; a ratio's
criterion says "falls" (<= a bound below 1) or "rises" (>= a bound above 1).
"""

from __future__ import annotations

from dataclasses import dataclass

from nkborder.observation.measures import (
    Average,
    Change,
    Level,
    Measure,
    National,
    Quotient,
    Total,
)
from nkborder.validation.criteria import AtLeast, AtMost, Between, Criterion, WithinFactor

#: Indicators the catalogue reads that the model does not produce yet: name -> unit and meaning.
EXPECTED_INDICATORS: dict[str, str] = {
}  # fmt: skip

LEVELS = ("person", "household", "city", "national")
REPORT_HOERYONG = "sources/000_ee54f23e660e4d37.txt"
REPORT_HYESAN = "sources/004_94b7117b25b8d248.txt"
HOERYONG, HYESAN = ("Hoeryong",), ("Hyesan",)
TURNOVER_HYESAN = Total("market_turnover_cny_full", HYESAN)  # CNY: nominal won inflate and were redenominated
SMALL, MEDIUM, LARGE = 0.01, 0.1, 0.25  # the smallest scale at which a pattern is judged (see Pattern)


@dataclass(frozen=True)
class Source:
    """Where a pattern comes from: ``cite`` (a ``sources.csv`` id or the row's citation), ``file`` (relative
    to ``shared/``: ``sources/NAME.txt`` or ``data/NAME.csv``) and ``quote`` (verbatim text of that file)."""

    cite: str
    file: str
    quote: str

    @property
    def label(self) -> str:
        return f"{self.cite} ({self.file.split('/')[-1]})"


@dataclass(frozen=True)
class Pattern:
    """One pattern of the catalogue.

    Attributes:
        id: short name (``markets-collapse-closure``).
        level: person, household, city or national.
        statement: what the sources say, in a sentence.
        sources: the quotes and data rows it rests on.
        measure: what is measured in each run.
        criterion: what the median over runs must meet.
        why: why the criterion has this form and tolerance.
        min_scale: the smallest scale at which the pattern is judged: below it, a run has too few agents for
            the measure (e.g. a few dozen national arrivals in 2023 are a fraction of an agent at scale 0.02),
            and the command reports the value without a verdict.
    """

    id: str
    level: str
    statement: str
    sources: tuple[Source, ...]
    measure: Measure
    criterion: Criterion
    why: str
    min_scale: float = SMALL

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"pattern {self.id}: level {self.level!r} not one of {LEVELS}")

    @property
    def indicators(self) -> tuple[str, ...]:
        return self.measure.columns

    @property
    def source_label(self) -> str:
        return "; ".join(s.label for s in self.sources)


CATALOGUE: tuple[Pattern, ...] = (
    # ---------------------------------------------------------------------------------------------- markets
    Pattern(
        "markets-rise-after-famine", "city",
        "After the famine, Hyesan's markets thrive on trade with China.",
        (Source("seed-hyesan-2024", REPORT_HYESAN,
                "In the late 1990s, after a devastating famine shattered North Korea’s central planning, the border "
                "city of Hyesan quietly began to thrive."),
         Source("KOTRA; China customs (via KITA)", "data/china_dprk_trade.csv", "1996,KOTRA,565.67"),
         Source("China customs (via KITA)", "data/china_dprk_trade.csv", "2006,China customs (via KITA),1699.6")),
        Change(Level(TURNOVER_HYESAN, 2004, 2007), Level(TURNOVER_HYESAN, 1996, 1998)),
        AtLeast(1.5),
        "The report gives a direction, not a size; official China-DPRK trade tripled from 1996 to 2006. Markets "
        "need not follow trade one to one, so a rise of at least half is asked. Turnover in CNY, because nominal "
        "won inflate.",
    ),
    Pattern(
        "markets-grow-kim-jong-un-early", "city",
        "Hyesan's five markets grow from 6,326 stalls in 2012 to 7,627 in 2015 (+21 %).",
        (Source("Daily NK via NKEW (2015-12-21)", "data/local_observations.csv", "2012,6326,stalls"),
         Source("Daily NK via NKEW (2015-12-21)", "data/local_observations.csv", "2015,7627,stalls")),
        Change(Level(TURNOVER_HYESAN, 2015, 2015), Level(TURNOVER_HYESAN, 2012, 2012)),
        Between(1.0, 1.6),
        "Stalls are not turnover: the criterion asks only that turnover in CNY does not fall and grows by at most "
        "about three times the stalls' 21 %.",
    ),
    Pattern(
        "markets-collapse-closure", "city",
        "Under the closure the market system of Hyesan is dead: trade routes severed, markets stifled.",
        (Source("seed-hyesan-2024", REPORT_HYESAN, "The market system is dead"),
         Source("seed-hyesan-2024", REPORT_HYESAN,
                "Trade routes have been severed, informal market activity stifled"),
         Source("China GAC", "data/china_dprk_trade.csv", "2021,China GAC,318.04")),
        Change(Level(TURNOVER_HYESAN, 2021, 2023), Level(TURNOVER_HYESAN, 2017, 2019)),
        AtMost(0.5),
        "'Dead' is more than a dip: official trade fell to 11 % of 2019 in 2021 (318 of 2,789 million USD); "
        "markets also sell domestic goods, so a fall by at least half is asked.",
    ),
    Pattern(
        "donju-capital-shrinks-closure", "city",
        "The state tolerated the donju, then consolidated control: citizen autonomy reduced, independence "
        "punished.",
        (Source("seed-hyesan-2024", REPORT_HYESAN,
                "Kim initially tolerated markets, even encouraging wealthy donju"),
         Source("seed-hyesan-2024", REPORT_HYESAN, "reduce citizen autonomy, eliminate outside influence")),
        Change(Level(Total("donju_capital_cny"), 2022, 2023), Level(Total("donju_capital_cny"), 2018, 2019)),
        AtMost(0.9),
        "The report gives no size; the criterion asks that donju capital shrinks (by at least a tenth, to tell "
        "it from noise) rather than grows during the closure.",
    ),
    Pattern(
        "donju-seizures-closure", "city",
        "Under the closure the state seizes more: confiscations rise above their level before it.",
        (Source("seed-hyesan-2024", REPORT_HYESAN, "independence is punished"),),
        Change(Level(Total("donju_seized_cny_full"), 2020, 2023), Level(Total("donju_seized_cny_full"), 2016, 2019)),
        AtLeast(1.5),
        "A direction only; at least half again, to tell a policy from noise.",
    ),
    # --------------------------------------------------------------------------------- smuggling and guards
    Pattern(
        "smuggling-grows-after-famine", "city",
        "After the famine residents smuggle goods from China across the river; trade with China triples.",
        (Source("seed-hyesan-2024", REPORT_HYESAN,
                "Residents smuggled secondhand clothes, electronics, and DVDs back from China"),
         Source("KOTRA; China customs (via KITA)", "data/china_dprk_trade.csv", "1996,KOTRA,565.67"),
         Source("China customs (via KITA)", "data/china_dprk_trade.csv", "2006,China customs (via KITA),1699.6")),
        Change(Level(Total("smuggling_volume_cny_full"), 2004, 2007),
               Level(Total("smuggling_volume_cny_full"), 1996, 1998)),
        AtLeast(1.5),
        "Smuggling has no series; official trade tripled from 1996 to 2006, and a rise of at least half is asked, "
        "as for the markets it feeds.",
    ),
    Pattern(
        "smuggling-severed-closure", "city",
        "The closure severs the trade routes across the river: smuggling collapses.",
        (Source("seed-hyesan-2024", REPORT_HYESAN, "Trade routes have been severed"),
         Source("China GAC", "data/china_dprk_trade.csv", "2019,China GAC,2789.02"),
         Source("China GAC", "data/china_dprk_trade.csv", "2021,China GAC,318.04")),
        Change(Level(Total("smuggling_volume_cny_full"), 2021, 2022),
               Level(Total("smuggling_volume_cny_full"), 2018, 2019)),
        AtMost(0.3),
        "Official trade fell to 11 % of 2019 in 2021; smuggling has no series, so up to 30 % is tolerated.",
    ),
    Pattern(
        "guard-cut-before-2014", "person",
        "Before 2014 guards took about 11 % of a smuggler's profit.",
        (Source("rfa-2015", "data/border_costs.csv",
                "before 2014,border,0.11,share,guards' cut of smugglers' profit"),),
        Level(Average("guard_cut_share"), 2011, 2013),
        Between(0.055, 0.22),
        "One figure from one report: within a factor 2 of 0.11.",
    ),
    Pattern(
        "guard-cut-2014-2015", "person",
        "In 2014-2015, with control 3-4 times stricter, the guards' cut rose to 30-40 % of the profit.",
        (Source("rfa-2015", "data/border_costs.csv",
                "2014-2015,border,0.30-0.40,share,guards' cut of smugglers' profit"),),
        Level(Average("guard_cut_share"), 2014, 2015),
        Between(0.25, 0.45),
        "The reported interval widened by 5 points on each side.",
    ),
    Pattern(
        "bribe-500-cny-per-defector", "person",
        "Hoeryong's guards normally received 500 yuan per defector they let cross.",
        (Source("seed-hoeryong-2007", REPORT_HOERYONG,
                "The border patrollers normally received 500 yuan (200,000 won in North Korean currency) per "
                "defector"),),
        Level(Average("crossing_bribe_posted_cny", HOERYONG), 2005, 2006),
        WithinFactor(500.0, 2.0),
        "A precise figure from one witness ('normally'): within a factor 2. 2005-2006, before the purification.",
    ),
    Pattern(
        "guards-paid-by-crossers", "person",
        "Guards in Hoeryong earn about 500 yuan for each defector they let through.",
        (Source("seed-hoeryong-2007", REPORT_HOERYONG, "per defector for allowing them to cross the river"),),
        Level(Quotient("guard_bribes_crossers_cny_full", "crossings_succeeded_full", HOERYONG),
              2005, 2006),
        WithinFactor(500.0, 2.0),
        "The posted bribe is not enough: what guards actually receive per successful crossing (lone crossers' "
        "bribes and brokers' guard shares) must be near 500 CNY, within a factor 2.",
        MEDIUM,
    ),
    Pattern(
        "guard-earns-5-million-won", "person",
        "A Hoeryong guard aims to earn 5 million won before discharge (140 years of a 3,000 won wage).",
        (Source("seed-hoeryong-2007", REPORT_HOERYONG,
                "Earning five million won in North Korean currency (approximately 1.6 million won) before being "
                "discharged"),),
        Level(Quotient("guard_service_earnings_cny_full", "guards_discharged_full", HOERYONG), 2004, 2007),
        WithinFactor(12500.0, 3.16),
        "5,000,000 won at the report's own rate (500 yuan = 200,000 won, 400 won per yuan) is 12,500 CNY. It is "
        "'a trend', a goal, not a measured mean: half an order of magnitude either way.",
        MEDIUM,
    ),
    Pattern(
        "purification-dries-guard-income", "city",
        "In the 2007 purification defecting became nearly impossible and Hoeryong's guards lost their source of "
        "money.",
        (Source("seed-hoeryong-2007", REPORT_HOERYONG,
                "These days it has become nearly impossible to defect, so border patrollers have lost their source "
                "of money."),),
        Change(Level(Average("guard_bribes_per_guard_cny", HOERYONG), 2007, 2007),
               Level(Average("guard_bribes_per_guard_cny", HOERYONG), 2004, 2005)),
        AtMost(0.5),
        "'Lost their source of money' is at least a halving; 2004-2005 is before the order of December 2006.",
        MEDIUM,
    ),
    Pattern(
        "purification-stops-crossings", "city",
        "In the 2007 purification of Hoeryong it became nearly impossible to defect.",
        (Source("seed-hoeryong-2007", REPORT_HOERYONG, "These days it has become nearly impossible to defect"),),
        Change(Level(Total("crossings_succeeded_full", HOERYONG), 2007, 2007),
               Level(Total("crossings_succeeded_full", HOERYONG), 2004, 2005)),
        AtMost(0.5),
        "'Nearly impossible' is read tolerantly as fewer than half the crossings of 2004-2005.",
        MEDIUM,
    ),
    Pattern(
        "hush-money-and-betrayal", "person",
        "From 2007 guards may take hush money and still turn the person in: betrayal after a bribe rises.",
        (Source("seed-hoeryong-2007", REPORT_HOERYONG,
                "they may accept hush-money, but that they just have to turn the person in"),),
        Change(Level(Quotient("arrests_after_bribe_full", "crossings_attempted_full"), 2007, 2009),
               Level(Quotient("arrests_after_bribe_full", "crossings_attempted_full"), 2004, 2006)),
        AtLeast(1.5),
        "A direction only: betrayals per attempted crossing at least half again as frequent after the policy.",
        LARGE,
    ),
    # --------------------------------------------------------------------------------------- fees and brokers
    Pattern(
        "broker-fee-2006", "person",
        "Crossing the Tumen cost about 500 CNY per person in 2006.",
        (Source("dailynk-border-costs", "data/border_costs.csv",
                "2006,Musan/Onsong,500,CNY,cost of crossing the Tumen per person"),),
        Level(Average("broker_fee_posted_cny"), 2006, 2006),
        WithinFactor(500.0, 2.0),
        "One price from one report, for two other towns on the Tumen: within a factor 2.",
    ),
    Pattern(
        "broker-fee-2010-2011", "person",
        "After the February 2010 tightening a crossing cost at least 10,000 CNY; brokers asked 3,400-4,300 USD in "
        "2010-2011.",
        (Source("dailynk-border-costs", "data/border_costs.csv",
                "2010-02,border,10000,CNY,cost of crossing after the redenomination"),
         Source("chosun-fees", "data/border_costs.csv", "2010-2011,Tumen,3400-4300,USD,broker fee to cross")),
        Level(Average("broker_fee_posted_cny"), 2010, 2011),
        Between(10000.0, 58948.0),
        "From the stated minimum of 10,000 CNY to twice the highest price (4,300 USD = 29,474 CNY at the market "
        "rate of 2010-2011 that nkborder.inputs.broker_fee_points uses).",
    ),
    Pattern(
        "broker-fee-2015", "person",
        "Brokers charged about 8,000-8,600 USD to take a person to China in 2015 (doubled since about 2011).",
        (Source("Reuters (2015-05-21)", "data/fees_and_bribes.csv", "2015,8000,USD,broker fee to China"),
         Source("chosun-fees", "data/border_costs.csv", "2015,Tumen,8600,USD,broker fee to cross")),
        Level(Average("broker_fee_posted_cny"), 2015, 2015),
        WithinFactor(56538.0, 2.0),
        "The mean of the two 2015 prices converted at the 2015 market rate (54,494 and 58,581 CNY, "
        "nkborder.inputs.broker_fee_points), within a factor 2.",
    ),
    Pattern(
        "remittance-commission-normal", "household",
        "In normal times remittance brokers take 20-30 % (up to 30 % in 2010 and 2012).",
        (Source("ap-remittance", "data/border_costs.csv",
                "2010s,China,0.20-0.30,share,commission of remittance brokers in normal times"),
         Source("OOK survey via Yonhap/NKEW; Reuters", "data/fees_and_bribes.csv",
                "2010 / 2012,30,%,broker commission on remittances")),
        Level(Quotient("broker_commission_cny_full", "remittances_gross_cny_full"), 2010, 2016),
        Between(0.15, 0.35),
        "The reported range widened by 5 points on each side.",
    ),
    Pattern(
        "remittance-commission-closure", "household",
        "Under the closure brokers charge exorbitant fees, up to 70 % commissions, for the dangers they face.",
        (Source("seed-hyesan-2024", REPORT_HYESAN, "up to 70% commissions"),
         Source("seed-hyesan-2024", "data/border_costs.csv",
                "2024,Hyesan,0.70,share,commission of brokers for escape and remittances at most")),
        Level(Quotient("broker_commission_cny_full", "remittances_gross_cny_full"), 2021, 2024),
        Between(0.35, 0.75),
        "70 % is the maximum, not the typical rate: the commission must sit above the normal 20-30 % band (with "
        "its 5-point margin) and not beyond 70 % (plus 5 points).",
    ),
    # ------------------------------------------------------------------------------------ arrivals and exits
    Pattern(
        "arrivals-fall-2012", "national",
        "Arrivals in South Korea fall from 2,402-2,914 a year (2009-2011) to 1,275-1,514 (2012-2015) under Kim "
        "Jong Un, with barbed wire along the Tumen from 2012.",
        (Source("mou-annual", "data/defector_arrivals.csv", "2012,1502,404,1098,mou-annual"),
         Source("mou-annual", "data/defector_arrivals.csv", "2009,2914,662,2252,mou-annual"),
         Source("Reuters (2015-05-21)", "data/border_security.csv",
                "2012,n/a,event,barbed wire on T-shaped concrete pillars strung along Tumen")),
        Change(Level(National("arrivals_south_korea_full"), 2012, 2015),
               Level(National("arrivals_south_korea_full"), 2009, 2011)),
        Between(0.4, 0.75),
        "Observed ratio 0.56 (5,688 / 4 over 8,022 / 3); within about 0.15 either way, because one yearly "
        "count varies by 20 % or more between replicate runs of a city.",
        MEDIUM,
    ),
    Pattern(
        "arrivals-over-1000-before-pandemic", "national",
        "Before the pandemic more than 1,000 North Koreans reached the South every year.",
        (Source("seed-hyesan-2024", REPORT_HYESAN,
                "Before the pandemic, more than 1,000 North Koreans fled to the South annually."),),
        Level(National("arrivals_south_korea_full"), 2016, 2019, "min"),
        AtLeast(1000.0),
        "The report's own bound, for every year 2016-2019 (the smallest year must exceed it). These years are "
        "out of sample: the model is not fitted to them.",
        MEDIUM,
    ),
    Pattern(
        "arrivals-under-200-in-2023", "national",
        "In 2023 fewer than 200 made it to the South.",
        (Source("seed-hyesan-2024", REPORT_HYESAN, "In 2023, fewer than 200 made it"),),
        Level(National("arrivals_south_korea_full"), 2023, 2023),
        AtMost(200.0),
        "The report's own bound.",
        LARGE,
    ),
    Pattern(
        "arrivals-2023-already-outside", "person",
        "Most of the 2023 arrivals were already living outside North Korea (left before the closure).",
        (Source("seed-hyesan-2024", REPORT_HYESAN, "most of whom were already living outside the country"),),
        Level(Quotient("arrivals_south_korea_left_before_2020_full", "arrivals_south_korea_full"), 2023, 2023),
        AtLeast(0.5),
        "'Most' is more than half.",
        LARGE,
    ),
    Pattern(
        "closure-deters-attempts", "city",
        "Under the closure escapees cannot find anyone who can guarantee a route out: far fewer try.",
        (Source("seed-hyesan-2024", REPORT_HYESAN,
                "Escapees report being unable to find anyone who can guarantee a route out."),),
        Change(Level(Total("crossings_attempted_full"), 2021, 2023),
               Level(Total("crossings_attempted_full"), 2017, 2019)),
        AtMost(0.5),
        "Arrivals fell from over 1,000 to under 200 (the report); attempts are not counted anywhere, and may fall "
        "less than arrivals, so a fall by half is asked.",
        MEDIUM,
    ),
    # ---------------------------------------------------------------------------------------------- China
    Pattern(
        "china-stock-2000", "national",
        "75,000-125,000 North Koreans hid in China in 2000 (US State Department).",
        (Source("CRS 2007 quoted in C. Robinson (2010)", "data/china_stock_repatriation_women.csv",
                "2000,75000-125000,persons,North Koreans in China (US State Dept)"),),
        Level(National("in_china_full"), 2000, 2000),
        Between(50000.0, 187500.0),
        "The estimates range from 10,000 (Chinese officials) to 300,000 (press); the State Department interval "
        "is widened by a factor 1.5 on each side.",
        MEDIUM,
    ),
    Pattern(
        "china-stock-2006", "national",
        "30,000-50,000 North Koreans hid in China in 2006 (State Department; UNHCR working figure).",
        (Source("CRS 2007 quoted in C. Robinson (2010)", "data/china_stock_repatriation_women.csv",
                "2006,30000-50000,persons,North Koreans in China"),),
        Level(National("in_china_full"), 2006, 2006),
        Between(20000.0, 75000.0),
        "The interval widened by a factor 1.5 on each side, as for 2000.",
        MEDIUM,
    ),
    Pattern(
        "china-stock-falls-2000-2006", "national",
        "The stock in China falls from 75,000-125,000 (2000) to 30,000-50,000 (2006).",
        (Source("CRS 2007 quoted in C. Robinson (2010)", "data/china_stock_repatriation_women.csv",
                "2000,75000-125000,persons"),
         Source("CRS 2007 quoted in C. Robinson (2010)", "data/china_stock_repatriation_women.csv",
                "2006,30000-50000,persons")),
        Change(Level(National("in_china_full"), 2006, 2006), Level(National("in_china_full"), 2000, 2000)),
        Between(0.24, 0.67),
        "From the lowest (30,000 / 125,000) to the highest (50,000 / 75,000) ratio of the two intervals; the "
        "same source made both, so their ratio is firmer than either level.",
        MEDIUM,
    ),
    Pattern(
        "repatriations-2002", "national",
        "China repatriated 4,809 North Koreans in 2002 (activists claim about 5,000 a year).",
        (Source("CASS researcher paper via KBS RKI (2007)", "data/china_stock_repatriation_women.csv",
                "2002,4809,persons,North Koreans repatriated by China"),),
        Level(National("repatriated_full"), 2002, 2002),
        WithinFactor(4809.0, 2.0),
        "One count from one paper: within a factor 2.",
        MEDIUM,
    ),
    Pattern(
        "mass-repatriation-2023", "national",
        "On 9 October 2023 China repatriated 500-600 North Koreans at once, after repatriating almost nobody "
        "(50 in July 2021) during its border closure.",
        (Source("HRW; TJWG via Newsweek (2023-12)", "data/china_stock_repatriation_women.csv",
                "2023-10-09,500-600,persons,mass repatriation"),
         Source("HRW via International IDEA (2023-10)", "data/china_stock_repatriation_women.csv",
                "2021-07,50,persons,repatriated (approx.)")),
        Level(National("repatriated_full"), 2023, 2023),
        AtLeast(500.0),
        "The single event is at least 500; other 2023 repatriations (80 on 29 August, 40 on 18 September) add "
        "to it, so 500 is a lower bound of the year.",
        LARGE,
    ),
    Pattern(
        "mass-repatriation-2023-women", "national",
        "More than 70 % of those repatriated en masse on 9 October 2023 were women.",
        (Source("HRW; TJWG via Newsweek (2023-12)", "data/china_stock_repatriation_women.csv",
                "2023-10-09,500-600,persons,mass repatriation; >70% women"),),
        Level(Quotient("repatriated_female_full", "repatriated_full"), 2023, 2023),
        AtLeast(0.6),
        "The source's bound is for the one event; the year's other repatriations (120 in August and September) "
        "are not split by sex, so 10 points below it are tolerated.",
        LARGE,
    ),
    Pattern(
        "detained-in-china-before-2023", "national",
        "The people repatriated en masse in October 2023 had been held in Chinese detention.",
        (Source("HRW; TJWG via Newsweek (2023-12)", "data/china_stock_repatriation_women.csv",
                "2023-10-09,500-600,persons,mass repatriation"),),
        Level(National("detained_in_china_full"), 2022, 2022),
        AtLeast(500.0),
        "At the end of 2022 at least the 500 later repatriated at once must be held in China.",
        LARGE,
    ),
    Pattern(
        "women-share-1999-2001", "national",
        "Women were 478 of the 1,043 arrivals of 1999-2001 (46 %).",
        (Source("mou-annual", "data/defector_arrivals.csv",
                "MOU reports 1999-2001 as one figure (1043; 565 male / 478 female)"),),
        Level(Quotient("arrivals_south_korea_female_full", "arrivals_south_korea_full"), 1999, 2001),
        Between(0.36, 0.56),
        "46 % within 10 points: a share of a thousand arrivals is precise, but yearly shares moved by 7-10 "
        "points (35 % in 1997, 42 % in 2000, 55 % in 2002).",
        MEDIUM,
    ),
    Pattern(
        "women-share-2006-2015", "national",
        "From 2006 more than 70 % of arrivals are women (69-80 % a year, 2006-2015).",
        (Source("Daily NK via NKEW (2012-01-12)", "data/china_stock_repatriation_women.csv",
                "2007,78,% women,same (2006 first >70%)"),
         Source("mou-annual", "data/defector_arrivals.csv", "2007,2554,573,1981,mou-annual")),
        Level(Quotient("arrivals_south_korea_female_full", "arrivals_south_korea_full"), 2006, 2015),
        Between(0.65, 0.85),
        "The yearly shares 69-80 %, widened by 5 points.",
        MEDIUM,
    ),
    # ---------------------------------------------------------------------- information and remittances
    Pattern(
        "remittances-trickle-closure", "household",
        "Under the closure remittances slow to a trickle.",
        (Source("seed-hyesan-2024", REPORT_HYESAN, "Information and remittances have slowed to a trickle."),),
        Change(Level(Total("remittances_cny_full"), 2021, 2023), Level(Total("remittances_cny_full"), 2017, 2019)),
        AtMost(0.5),
        "A trickle is far below half; but surveys of defectors (local_observations.csv, NKDB) show the share who "
        "sent money only fell from 26 % (2015) to 18-21 % (2021-2022), so only a halving is asked.",
        SMALL,
    ),
    Pattern(
        "information-trickle-closure", "household",
        "Under the closure information from outside slows to a trickle.",
        (Source("seed-hyesan-2024", REPORT_HYESAN, "Information and remittances have slowed to a trickle."),),
        Change(Level(Average("info_mean"), 2021, 2023), Level(Average("info_mean"), 2017, 2019)),
        AtMost(0.5),
        "As for remittances: at least a halving of the households' mean information.",
    ),
    Pattern(
        "phone-contact-rare-closure", "household",
        "Phone calls over Chinese networks are severely policed: phone contact becomes rare and risky.",
        (Source("seed-hyesan-2024", REPORT_HYESAN, "Even phone contact has become rare and risky."),
         Source("seed-hyesan-2024", REPORT_HYESAN, "are now severely policed")),
        Change(Level(Total("phone_contacts_full"), 2021, 2023), Level(Total("phone_contacts_full"), 2017, 2019)),
        AtMost(0.5),
        "'Rare' is read as at least a halving.",
    ),
    # ---------------------------------------------------------------------------------------------- famine
    Pattern(
        "famine-deaths-1996-1998", "city",
        "A devastating famine in 1994-1998: deaths far above their normal level.",
        (Source("seed-hyesan-2024", REPORT_HYESAN, "a devastating famine shattered"),
         Source("seed-hyesan-2024", "data/policy_events.csv", "1994..1998,national,famine")),
        Change(Level(Quotient("deaths_full", "population_full", per=1000.0), 1996, 1998),
               Level(Quotient("deaths_full", "population_full", per=1000.0), 2003, 2007)),
        AtLeast(1.5),
        "Neither source gives a death toll; 'devastating' is read as a crude death rate at least half again "
        "its level of 2003-2007.",
        SMALL,
    ),
    Pattern(
        "hardship-eases-after-famine", "household",
        "After the famine households depend on the markets rather than the state, and hardship eases.",
        (Source("seed-hyesan-2024", REPORT_HYESAN,
                "residents learned to depend more on entrepreneurial grit than the state"),
         Source("seed-hyesan-2024", "data/policy_events.csv", "1994..1998,national,famine")),
        Change(Level(Average("hardship_mean"), 2001, 2019), Level(Average("hardship_mean"), 1996, 1998)),
        AtMost(0.8),
        "A direction: the households' mean hardship of 2001-2019 at least a fifth below that of the famine "
        "years.",
    ),
    Pattern(
        "no-famine-after-2000", "city",
        "After the famine no year comes near famine mortality again: the markets feed the cities.",
        (Source("seed-hyesan-2024", "data/policy_events.csv", "1994..1998,national,famine"),
         Source("seed-hyesan-2024", REPORT_HYESAN, "residents learned to depend more on entrepreneurial grit")),
        Change(Level(Quotient("deaths_full", "population_full", per=1000.0), 2001, 2019, "max"),
               Level(Quotient("deaths_full", "population_full", per=1000.0), 1996, 1998)),
        AtMost(0.8),
        "The dated events name one famine, 1994-1998; the worst later year must stay below 80 % of the famine "
        "years' crude death rate.",
        SMALL,
    ),
)


def catalogue(ids: list[str] | None = None) -> tuple[Pattern, ...]:
    """The patterns named in ``ids`` (all if None), in catalogue order; ValueError naming unknown ids."""
    if not ids:
        return CATALOGUE
    known = {p.id for p in CATALOGUE}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise ValueError(f"unknown pattern(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
    return tuple(p for p in CATALOGUE if p.id in ids)
