"""Mesa agents of the reference model: a person, a border guard, a broker. One method per rule.

The rules are those of the fast engine's kernels (``nkborder/model/*.py``), written out in plain Python; the
docstring of each method names the kernel it mirrors. Every draw comes from the model's ``random.Random``
(``self.random``), not from the engine's counter-based streams, so runs agree with the engine only in
distribution. Agents read the day's conditions of their city from ``model.today`` (built by
:mod:`reference.environment`, one value per city) and write flows with ``model.record``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa

from nkborder.core import slots as S

if TYPE_CHECKING:
    from reference.households import City, Household
    from reference.model import BorderModel

DAYS_PER_YEAR = 365.25
WORK_AGE_DAYS = (17.0 * DAYS_PER_YEAR, 60.0 * DAYS_PER_YEAR)
BIRTH_AGE_DAYS = (18.0 * DAYS_PER_YEAR, 45.0 * DAYS_PER_YEAR)
CROSS_AGE_DAYS = (15.0 * DAYS_PER_YEAR, 65.0 * DAYS_PER_YEAR)
SMUGGLER_AGE_DAYS = (18.0 * DAYS_PER_YEAR, 55.0 * DAYS_PER_YEAR)
MAX_AGE_DAYS = 85.0 * DAYS_PER_YEAR
SECURITY_RELEASE_FACTOR = 2.5  # a release bought from state security: 5000-10000 vs 1000-5000 CNY (nkeconwatch-2013)
FEMALE_AT_BIRTH = 0.49
LEFT_BEFORE_YEAR = 2020.0  # arrivals counted apart: people who crossed into China before 2020 (odd.md 7.13)


def logistic(z: float) -> float:
    """1 / (1 + exp(-z))."""
    return 1.0 / (1.0 + math.exp(-z))


class Person(mesa.Agent):
    """One inhabitant of Hoeryong or Hyesan, at home, in China, in South Korea or detained."""

    model: BorderModel

    def __init__(self, model: BorderModel, city: City, household: Household, female: bool, birth_day: int,
                 risk_aversion: float, discontent: float) -> None:
        super().__init__(model)
        self.city, self.household, self.female, self.birth_day = city, household, female, birth_day
        self.risk_aversion, self.discontent = risk_aversion, discontent
        self.info = 0.0
        self.attempt_prob = 0.0
        self.savings_cny = 0.0  # savings while hiding in China
        self.release_day = -1
        self.crossed_day = -1
        self.settled = False  # settled in China (married into a household, steady work) during this stay
        self.status = S.RESIDENT
        city.counts[S.RESIDENT] += 1

    def move_to(self, status: int) -> None:
        """Change status, keeping the city's counts by status exact."""
        self.city.counts[self.status] -= 1
        self.city.counts[status] += 1
        self.status = status

    def detain(self, mean_days: float) -> None:
        """Detention for an exponential number of whole days (at least one) of mean ``mean_days``."""
        self.move_to(S.DETAINED)
        self.release_day = self.model.day + 1 + int(-mean_days * math.log(1.0 - self.random.random()))
        self.model.track(self)

    # ------------------------------------------------------------------------------------------- monthly
    def report_to_census(self) -> None:
        """Census (``livelihoods.census``): count myself in my household, and my information in my inminban."""
        h = self.household
        if self.status == S.RESIDENT:
            h.n_home += 1
            if WORK_AGE_DAYS[0] <= self.model.day - self.birth_day < WORK_AGE_DAYS[1]:
                h.n_workers += 1
            h.inminban.info_sum += self.info
            h.inminban.residents += 1
        elif self.status == S.IN_CHINA:
            h.n_china += 1
        elif self.status == S.IN_SOUTH_KOREA:
            h.n_south_korea += 1

    def send_remittance(self) -> None:
        """Remittances (``livelihoods.remittances``): from South Korea, through a broker who keeps a commission."""
        h, c, m = self.household, self.city.index, self.model
        if self.status != S.IN_SOUTH_KOREA or h.n_home == 0:
            return
        if self.random.random() >= m.params.remit_prob_month * m.today.contact[c]:
            return
        amount = m.params.remit_cny
        fee = amount * self.city.commission
        self.random.choice(self.city.brokers).earnings_cny += fee
        h.cny += amount - fee
        h.remit_cny += amount - fee
        m.record(c, S.REMITTANCES_GROSS_CNY, amount)
        m.record(c, S.REMITTANCES_CNY, amount - fee)
        m.record(c, S.BROKER_COMMISSION_CNY, fee)
        m.record(c, S.BROKER_INCOME_CNY, fee)

    def face_death_and_birth(self) -> None:
        """Demography (``demography.death``, ``add_child``): death rate by age, hunger at home, age limit; births
        to women."""
        m, c = self.model, self.city.index
        if self.status in (S.DEAD, S.IN_SOUTH_KOREA):
            return
        age = m.day - self.birth_day
        p_age = m.death_by_age[min(max(int(age / DAYS_PER_YEAR), 0), len(m.death_by_age) - 1)]
        hunger = max(0.0, self.household.hardship - m.today.coping[c]) if self.status == S.RESIDENT else 0.0
        p_hunger = 1.0 - math.exp(-m.params.hunger_death_rate * hunger**2 / 12.0)
        u = self.random.random()
        if age >= MAX_AGE_DAYS or u < p_age + (1.0 - p_age) * p_hunger:
            if age < MAX_AGE_DAYS and u >= p_age:
                m.record(c, S.DEATHS_HUNGER)
            if age < 5.0 * DAYS_PER_YEAR:
                m.record(c, S.DEATHS_UNDER_5)
            self.die()
            return
        if self.status != S.RESIDENT or not self.female or not BIRTH_AGE_DAYS[0] <= age < BIRTH_AGE_DAYS[1]:
            return
        if self.random.random() < m.fertility / 12.0:
            self.give_birth()

    def die(self) -> None:
        """Death: counted, and the agent leaves the model."""
        self.move_to(S.DEAD)
        self.model.record(self.city.index, S.DEATHS)
        self.remove()

    def give_birth(self) -> None:
        """A child joins the household on a uniform day of the month: Beta(2, 2) risk aversion, the mother's
        discontent, no information."""
        m, rng = self.model, self.random
        Person(m, self.city, self.household, female=rng.random() < FEMALE_AT_BIRTH,
               birth_day=m.day + int(rng.random() * m.days_in_month),
               risk_aversion=rng.betavariate(2.0, 2.0), discontent=self.discontent)
        m.record(self.city.index, S.BIRTHS)

    def update_information(self) -> None:
        """Information (``information.information``): kin calls, market work, the inminban."""
        if self.status != S.RESIDENT:
            return
        m, h, c, p = self.model, self.household, self.city.index, self.model.params
        kin = 1.0 if h.n_china + h.n_south_korea > 0 else 0.0
        works_market = 1.0 if h.trader or h.smuggler is self else 0.0
        fresh = (p.info_kin * kin * m.today.contact[c] + p.info_market * works_market * m.today.tolerance[c]
                 + p.info_inminban * h.inminban.info)
        self.info = p.info_decay * self.info + (1.0 - p.info_decay) * min(1.0, fresh)
        target = logistic(p.discontent_intercept + p.discontent_info * self.info
                          + p.discontent_hardship * h.hardship)
        self.discontent += p.discontent_rate * (target - self.discontent)
        m.tally(c, S.INFO_MEAN, self.info)
        m.tally(c, S.DISCONTENT_MEAN, self.discontent)

    def plan_crossing(self) -> None:
        """Intention (``defection.attempt_probability``): residents aged 15-65 may pick a day this month to cross."""
        m, h, c, p = self.model, self.household, self.city.index, self.model.params
        if self.status != S.RESIDENT or not CROSS_AGE_DAYS[0] <= m.day - self.birth_day < CROSS_AGE_DAYS[1]:
            return
        kin = 1.0 if h.n_china + h.n_south_korea > 0 else 0.0
        z = (p.intent_intercept + p.intent_hardship * h.hardship + p.intent_discontent * self.discontent
             + p.intent_info * self.info + p.intent_kin * kin + p.intent_female * self.female
             - p.intent_risk * self.risk_aversion * m.today.risk[c])
        self.attempt_prob = logistic(z)
        m.tally(c, S.INTENT_MEAN, self.attempt_prob)
        if self.random.random() < self.attempt_prob:
            m.schedule_crossing(self, m.day + int(self.random.random() * m.days_in_month))

    # --------------------------------------------------------------------------------------------- daily
    def smuggle(self) -> None:
        """Smuggling (``smuggling.smuggling_day``): a trip; a detecting guard arrests or takes his cut."""
        m, h, c, p, t = self.model, self.household, self.city.index, self.model.params, self.model.today
        if self.status != S.RESIDENT or self.random.random() >= t.trip_rate[c]:
            return
        m.record(c, S.SMUGGLING_TRIPS)
        sector = self.city.choose_sector(self.random, h.district, p.home_sector_share)
        m.record_sector(self.city, sector, S.SECTOR_SMUGGLING_TRIPS)
        cargo = t.cargo_cny[c]  # the goods of one trip follow official trade (policy.smuggled_cargo_cny)
        profit = cargo * p.smuggling_margin
        if self.random.random() < t.detect_self[c]:
            guard = self.city.guard_at(sector, self.random)
            to_security = self.random.random() < t.crackdown[c]  # state security deals with him, not the guard
            if self.random.random() < t.smuggler_arrest[c]:
                m.record(c, S.SMUGGLING_ARRESTS)
                m.record_sector(self.city, sector, S.SECTOR_SMUGGLING_ARRESTS)
                release = p.release_bribe_cny * (SECURITY_RELEASE_FACTOR if to_security else 1.0)
                if h.wealth_cny(t.kpw_per_cny[c]) >= release:  # bought free, cargo lost
                    h.pay_cny(release, t.kpw_per_cny[c])
                    if to_security:
                        m.record(c, S.BRIBES_PAID_CNY, release)
                        m.record(c, S.SECURITY_BRIBES_CNY, release)
                    else:
                        guard.take(release, S.BRIBES_PAID_CNY, sector)
                else:
                    self.detain(p.smuggler_detention_days)
                return
            cut = profit * t.guard_cut[c]
            if to_security:
                m.record(c, S.SMUGGLING_CUT_CNY, cut)
                m.record(c, S.SECURITY_BRIBES_CNY, cut)
            else:
                guard.take(cut, S.SMUGGLING_CUT_CNY, sector)
            profit -= cut
        h.cny += profit
        h.smuggle_cny += profit
        self.city.smuggled_today_cny += cargo
        m.record(c, S.SMUGGLING_VOLUME_CNY, cargo)
        m.record_sector(self.city, sector, S.SECTOR_SMUGGLING_VOLUME_CNY, cargo)
        m.record(c, S.SMUGGLING_PROFIT_CNY, profit)

    def cross(self) -> None:
        """Crossing (``defection.cross``) on the planned day: report, a route, guard, fee or bribe, arrest or China."""
        m, c, p, t = self.model, self.city.index, self.model.params, self.model.today
        if self.status != S.RESIDENT:
            return
        if self.random.random() < t.inminban_report[c]:
            self.detain(t.detention_days[c])
            m.record(c, S.REPORTED_BEFORE_BORDER)
            return
        broker = self.city.find_broker(self.random, m.day, t.broker_available[c], p)
        if broker is None and self.random.random() < p.no_route_give_up:  # nobody can guarantee a route
            m.record(c, S.ATTEMPTS_NO_ROUTE)
            return
        m.record(c, S.CROSSINGS_ATTEMPTED)
        sector = self.city.choose_sector(self.random, self.household.district, p.home_sector_share)
        m.record_sector(self.city, sector, S.SECTOR_ATTEMPTS)
        guard = self.city.guard_at(sector, self.random)
        brokered = broker is not None and self.hire_broker(broker, guard, sector)
        accepts = self.random.random() < (0.0 if m.rule_change == "ignore_bribes" else t.bribe_accept[c])
        arranged = not brokered and accepts and self.arrange_passage(guard, sector)
        detect = t.detect_broker[c] if brokered else t.detect_self[c]
        if m.rule_change == "double_detection":
            detect = min(1.0, 2.0 * detect)
        if (arranged or self.random.random() < detect) and not self.get_past(arranged or (brokered and accepts)):
            if brokered:
                broker.client_arrested(m.day, p)
            if self.random.random() < t.shoot[c]:
                m.record(c, S.SHOT_AT_BORDER)
                m.record_sector(self.city, sector, S.SECTOR_SHOT)
                self.die()
                return
            self.detain(t.detention_days[c])
            m.record(c, S.ARRESTS_AT_BORDER)
            m.record_sector(self.city, sector, S.SECTOR_ARRESTS)
            return
        self.move_to(S.IN_CHINA)
        self.crossed_day = m.day
        self.settled = False
        self.savings_cny = 0.0
        m.track(self)
        m.record(c, S.CROSSINGS_SUCCEEDED)
        m.record_sector(self.city, sector, S.SECTOR_SUCCEEDED)

    def pay_for_crossing(self, amount: float) -> bool:
        """``defection.pay_for_crossing``: the household pays, else kin in South Korea, else it is borrowed."""
        m, h, c, p, t = self.model, self.household, self.city.index, self.model.params, self.model.today
        if h.wealth_cny(t.kpw_per_cny[c]) >= amount:
            h.pay_cny(amount, t.kpw_per_cny[c])
            return True
        if h.n_south_korea > 0 and self.random.random() < p.kin_pay_prob:
            m.record(c, S.KIN_PAID_CNY, amount)
            m.record(c, S.CROSSINGS_KIN_PAID)
            return True
        if self.random.random() < p.crossing_credit:
            m.record(c, S.CROSSINGS_ON_CREDIT)
            return True
        return False

    def hire_broker(self, broker: Broker, guard: Guard, sector: int) -> bool:
        """The broker's price (posted fee, more if he is exposed) if it is paid; the fee is shared out."""
        m, c, p, t = self.model, self.city.index, self.model.params, self.model.today
        fee = t.broker_fee_cny[c] * (1.0 + p.broker_exposure_premium * broker.exposure_on(m.day, p))
        if not self.pay_for_crossing(fee):
            return False
        # the guard takes his 3 in 10, but never less than a lone crosser's bribe; broker and guides share the rest 4:3
        to_guard = max(fee * p.guard_share_of_fee, min(t.bribe_cny[c], fee))
        to_broker = (fee - to_guard) * p.broker_share / (1.0 - p.guard_share_of_fee)
        broker.booked += 1
        broker.earnings_cny += to_broker
        guard.earnings_cny += to_guard
        m.record_sector(self.city, sector, S.SECTOR_GUARD_BRIBES_CNY, to_guard)
        m.record(c, S.CROSSINGS_BROKERED)
        m.record(c, S.BROKER_FEES_PAID_CNY, fee)
        m.record(c, S.BROKER_INCOME_CNY, to_broker)
        m.record(c, S.GUARD_BRIBES_CNY, to_guard)
        m.record(c, S.GUARD_BRIBES_CROSSERS_CNY, to_guard)
        m.record(c, S.GUIDES_INCOME_CNY, fee - to_guard - to_broker)
        return True

    def arrange_passage(self, guard: Guard, sector: int) -> bool:
        """A lone crosser whose guard agreed to let him cross pays the guard's bribe, if he or kin or a lender
        can (the passage is arranged)."""
        c, t = self.city.index, self.model.today
        if not self.pay_for_crossing(t.bribe_cny[c]):
            return False
        guard.take(t.bribe_cny[c], S.BRIBES_PAID_CNY, sector)
        self.model.record(c, S.GUARD_BRIBES_CROSSERS_CNY, t.bribe_cny[c])
        return True

    def get_past(self, let_pass: bool) -> bool:
        """A crosser the guard lets pass (an arranged passage, or a detected broker's client the guard accepts)
        gets across unless the guard betrays him (the 2007 order, tighter control)."""
        if let_pass and self.random.random() < self.model.today.betray[self.city.index]:
            self.model.record(self.city.index, S.ARRESTS_AFTER_BRIBE)
            return False
        return let_pass

    def spend_day_away(self) -> None:
        """China and detention (``china.abroad_and_detained_day``): release, or handover from Chinese detention,
        or settle, capture, return, onward.

        A person held in Chinese detention is handed over (and detained at home) with the day's repatriation
        hazard, or on a mass repatriation day with its share: ``1 - (1 - repatriate) (1 - mass_repatriation)``.
        A newcomer settles with a daily chance ``1 - exp(-settle_rate_(fe)male / 365.25)``; a settled person is
        caught with ``settled_capture_factor`` times the capture hazard, goes home only with the daily chance
        ``steady_return_rate / 365.25`` (which anyone in China has, settled or not, whatever the route; a newcomer
        also goes home with ``return_home``), and leaves for South Korea with ``settled_onward_rate / onward_rate``
        times the onward hazard. A caught person is held in Chinese detention. On the crossing day a share
        ``direct_escape_share`` of crossers (times the onward hazard's route and closure factors) leaves for South
        Korea at once: the journey was arranged with the crossing.
        """
        m, h, c, p, t = self.model, self.household, self.city.index, self.model.params, self.model.today
        if self.status == S.DETAINED:
            if m.day >= self.release_day:
                self.move_to(S.RESIDENT)
                m.record(c, S.RELEASED)
            return
        if self.status == S.DETAINED_IN_CHINA:
            if self.random.random() < 1.0 - (1.0 - t.repatriate[c]) * (1.0 - t.mass_repatriation[c]):
                self.detain(t.repatriation_detention_days[c])
                m.record(c, S.REPATRIATED)
                if self.female:
                    m.record(c, S.REPATRIATED_FEMALE)
            return
        if self.status != S.IN_CHINA:
            return
        if self.crossed_day == m.day:  # crossed today: only a journey arranged with the crossing goes on today
            full_onward = p.onward_rate / DAYS_PER_YEAR
            if p.direct_escape_share > 0.0 and self.random.random() < p.direct_escape_share * t.onward[c] / full_onward:
                self.go_onward()
            return
        self.savings_cny += p.china_wage_cny_day * p.china_savings_share
        if not self.settled:
            rate = p.settle_rate_female if self.female else p.settle_rate_male
            self.settled = self.random.random() < -math.expm1(-rate / 365.25)
        capture = t.capture[c] * (p.settled_capture_factor if self.settled else 1.0)
        onward = t.onward[c] * (p.settled_onward_rate / p.onward_rate if self.settled else 1.0)
        if self.random.random() < capture:
            self.move_to(S.DETAINED_IN_CHINA)
            m.record(c, S.CAUGHT_IN_CHINA)
        elif ((not self.settled and self.random.random() < t.return_home[c])
              or (p.steady_return_rate > 0.0 and self.random.random() < p.steady_return_rate / DAYS_PER_YEAR)):
            self.move_to(S.RESIDENT)
            h.cny += self.savings_cny
            self.savings_cny = 0.0
            m.record(c, S.RETURNED_FROM_CHINA)
        elif self.random.random() < onward:
            self.go_onward()

    def go_onward(self) -> None:
        """Leave China for South Korea if the onward fee is paid: from savings, by kin there, or on credit."""
        m, h, c, p, t = self.model, self.household, self.city.index, self.model.params, self.model.today
        fee = t.onward_fee_cny[c]
        if self.savings_cny >= fee:
            self.savings_cny -= fee
        elif h.n_south_korea > 0 and self.random.random() < p.kin_pay_prob:
            m.record(c, S.KIN_PAID_CNY, fee)
        elif self.random.random() >= p.onward_credit:  # no broker gives credit, to be repaid after arrival
            return
        m.record(c, S.ONWARD_FEES_CNY, fee)
        self.move_to(S.IN_SOUTH_KOREA)
        m.record(c, S.ARRIVALS_SOUTH_KOREA)
        if self.female:
            m.record(c, S.ARRIVALS_FEMALE)
        if m.env.year[self.crossed_day, c] < LEFT_BEFORE_YEAR:
            m.record(c, S.ARRIVALS_LEFT_BEFORE_2020)


class Guard(mesa.Agent):
    """A border guard holding post ``post`` of his city; his earnings and his pay over the current service."""

    model: BorderModel

    def __init__(self, model: BorderModel, city: City, post: int, service_end: int, next_rotation: int) -> None:
        super().__init__(model)
        self.city, self.post = city, post
        self.service_end, self.next_rotation = service_end, next_rotation
        self.earnings_cny = 0.0
        self.pay_cny = 0.0

    def take(self, amount: float, slot: int, sector: int) -> None:
        """A bribe or a cut at ``sector``: to the guard, recorded under ``slot`` and as guards' bribes."""
        self.earnings_cny += amount
        self.model.record(self.city.index, slot, amount)
        self.model.record(self.city.index, S.GUARD_BRIBES_CNY, amount)
        self.model.record_sector(self.city, sector, S.SECTOR_GUARD_BRIBES_CNY, amount)

    def serve_day(self) -> None:
        """Guards (``guards.guards_day``): a guard on duty is paid, discharged at the end of his service and
        rotated on his rotation day; the clocks of a guard whose post is not manned today stand still."""
        m, p, c = self.model, self.model.params, self.city.index
        if not self.city.is_manned(self.post):
            self.service_end += 1
            self.next_rotation += 1
            return
        if m.day >= self.service_end:  # a recruit who paid to be posted, with no earnings, takes the place
            m.record(c, S.GUARDS_DISCHARGED)
            m.record(c, S.GUARD_SERVICE_EARNINGS_CNY, self.earnings_cny)
            m.record(c, S.GUARD_SERVICE_PAY_CNY, self.pay_cny)
            m.record(c, S.GUARD_POSTING_BRIBES_CNY, m.today.posting_bribe_cny[c])
            self.earnings_cny = self.pay_cny = 0.0
            self.service_end = m.day + int(p.guard_service_years * DAYS_PER_YEAR)
        self.pay_cny += m.today.guard_pay_cny_day[c]
        m.record(c, S.GUARD_PAY_CNY, m.today.guard_pay_cny_day[c])
        if m.day >= self.next_rotation:
            self.rotate()
            self.next_rotation = m.day + int(p.guard_rotation_days * (0.5 + self.random.random()))

    def rotate(self) -> None:
        """Swap posts with the holder of a random manned post of the same city (possibly himself)."""
        posts, manned = self.city.posts, self.city.manned_posts
        other = posts[manned[int(self.random.random() * len(manned))]]
        posts[self.post], posts[other.post] = other, self
        self.post, other.post = other.post, self.post


class Broker(mesa.Agent):
    """A broker of a city (``model.brokers``): arranges crossings and remittances and keeps a share of the money;
    guarantees at most ``broker_capacity_month`` crossings a month, is exposed by his clients' arrests and may be
    caught. ``open_draw`` decides once whether his route stays open while only a share of routes are."""

    def __init__(self, model: BorderModel, city: City) -> None:
        super().__init__(model)
        self.city = city
        self.earnings_cny = 0.0
        self.booked = 0
        self.exposure = 0.0
        self.exposure_day = 0
        self.out_until = 0
        self.open_draw = self.random.random()

    def present(self, day: int, open_share: float) -> bool:
        """In place (not caught) and with an open route."""
        return day >= self.out_until and self.open_draw < open_share

    def exposure_on(self, day: int, p) -> float:
        """Exposure decayed to ``day`` (``brokers.exposure_on``)."""
        if day > self.exposure_day:
            self.exposure *= math.exp(-(day - self.exposure_day) / p.broker_memory_days)
            self.exposure_day = day
        return self.exposure

    def client_arrested(self, day: int, p) -> None:
        """``brokers.client_arrested``: exposure + 1; caught with ``broker_catch_prob x exposure``."""
        self.exposure = self.exposure_on(day, p) + 1.0
        if self.random.random() < p.broker_catch_prob * self.exposure:
            self.out_until = day + int(p.broker_out_days)
            self.exposure = 0.0
            self.model.record(self.city.index, S.BROKERS_CAUGHT)
