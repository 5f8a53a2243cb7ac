"""The floor of the monthly person rules: what one person-month costs when a loop does only the rules' arithmetic.

The target of at least 500x the Mesa reference's speed per agent-day sets a budget: the reference's nanoseconds
per agent-day / 500, times the 30.4375 days of a month, is what the whole engine may spend per person-month
(demography, information, intentions, household budgets, census and every daily phase together).
:func:`rules_loop` measures how much of that budget the monthly person rules alone need, on the real initial
population of the benchmark's main size: every person's monthly draws and updates exactly as the engine computes
them (the same functions: :func:`~nkborder.model.demography.death`, :func:`~nkborder.model.demography.can_give_birth`,
:func:`~nkborder.model.information.information`, :func:`~nkborder.model.information.discontent_target`,
:func:`~nkborder.model.defection.attempt_probability` and the counter-based draws), and none of the bookkeeping
around them: no newborns appended, no deaths or attempts recorded, no tracking list, no per-city means, no
prefetching, the households' fresh information and risk of hunger computed once outside the timed loop.

The loop writes nothing the engine reads (the state arrays are copies). A cheaper ``exp`` was tried and was not
cheaper: a table-free, branch-free polynomial ``exp`` (degree 10) cost about three times the engine's
table-based one (:mod:`nkborder.core.fastexp`) per logistic.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from numba import njit

from nkborder.core import slots as S
from nkborder.core.rng import ATTEMPT, BIRTH, DEATH, stream_key, uniform
from nkborder.core.state import KernelParams
from nkborder.model.defection import CROSS_AGE_DAYS, attempt_probability, intent_coefficients
from nkborder.model.demography import SURVIVES, can_give_birth, death
from nkborder.model.information import discontent_target, fresh_information, information
from nkborder.model.policy import DAYS_PER_MONTH


@njit(cache=True)
def rules_loop(
    month: int, day: int, seed: np.uint64, status: np.ndarray, city: np.ndarray, household: np.ndarray,
    birth_day: np.ndarray, female: np.ndarray, risk_aversion: np.ndarray, info: np.ndarray,
    discontent: np.ndarray, attempt_prob: np.ndarray, fresh_of: np.ndarray, kin_of: np.ndarray,
    hardship: np.ndarray, hunger_of: np.ndarray, death_by_age: np.ndarray, risk: np.ndarray, p_birth: float,
    kp: KernelParams,
) -> float:
    """One month of the person rules over every row (information, discontent and intention parameters of ``kp``).

    Returns a checksum (deaths + births + attempts + sum of discontent) so that no work can be optimised away.
    """
    key_d, key_b = stream_key(seed, DEATH, month), stream_key(seed, BIRTH, month)
    key_a = stream_key(seed, ATTEMPT, month)
    # the parameters as values before the loop, as the engine's person pass takes them
    decay, d_intercept, d_info, d_hardship, d_rate = (kp.info_decay, kp.discontent_intercept, kp.discontent_info,
                                                      kp.discontent_hardship, kp.discontent_rate)
    intent = intent_coefficients(kp)
    events, total = 0, 0.0
    for i in range(status.shape[0]):
        if status[i] != S.RESIDENT:
            continue
        c = city[i]
        age = day - birth_day[i]
        h = household[i]
        if death(key_d, i, age, death_by_age, hunger_of[h]) != SURVIVES:
            events += 1
            continue
        if can_give_birth(female[i], age) and uniform(key_b, i) < p_birth:
            events += 1
        x = information(info[i], fresh_of[h], decay)
        info[i] = x
        target = discontent_target(x, hardship[h], d_intercept, d_info, d_hardship)
        discontent[i] += d_rate * (target - discontent[i])
        total += discontent[i]
        if CROSS_AGE_DAYS[0] <= age < CROSS_AGE_DAYS[1]:
            p = attempt_probability(hardship[h], discontent[i], x, kin_of[h], female[i], risk_aversion[i], risk[c],
                                    intent)
            attempt_prob[i] = p
            if uniform(key_a, i) < p:
                events += 1
    return events + total


def measure(scenario: str, scale: float, seed: int, months: int, repeats: int) -> dict[str, Any]:
    """CPU ns per person-month of :func:`rules_loop` on the initial population of ``scenario`` at ``scale``.

    The best of ``repeats`` runs of ``months`` months; a person-month is one row visited in one month (every row
    is alive at the start). The coefficients and the environment are the scenario's, at its first day.
    """
    from nkborder.api import resolve
    from nkborder.engine.sim import Simulation
    from nkborder.model.demography import hunger_death_probability

    sc, params = resolve(scenario)
    sim = Simulation(sc, params, seed=seed, scale=scale)
    people, hh, env, kp = sim.pop.people, sim.pop.households, sim.env, sim.kp
    n = int(people.count[0])
    kin_of = (hh.n_china + hh.n_south_korea > 0).astype(np.float64)
    fresh_of = fresh_information(kin_of, hh.trader.astype(np.float64), env.contact[0, hh.city],
                                 env.tolerance[0, hh.city], sim.pop.cities.inminban_info[hh.inminban], kp.info_kin,
                                 kp.info_market, kp.info_inminban)  # per household, as the engine does
    hunger_of = np.array([hunger_death_probability(kp.hunger_death_rate, max(0.0, x - env.coping[0, c]))
                          for x, c in zip(hh.hardship, hh.city, strict=True)])
    arrays = [people.status[:n].copy(), people.city[:n].copy(), people.household[:n].copy(),
              people.birth_day[:n].copy(), people.female[:n].copy(), people.risk_aversion[:n].copy(),
              people.info[:n].copy(), people.discontent[:n].copy(), people.attempt_prob[:n].copy(),
              fresh_of, kin_of, hh.hardship.copy(), hunger_of, sim.vital.death_by_age, env.risk[0].copy(),
              sim.vital.fertility / 12.0, kp]
    rules_loop(0, 0, sim.key, *arrays)  # compile, or load from the cache
    best = float("inf")
    for _ in range(repeats):
        t = time.process_time()
        for m in range(months):
            rules_loop(m, int(m * DAYS_PER_MONTH), sim.key, *arrays)
        best = min(best, time.process_time() - t)
    return {"scenario": scenario, "scale": scale, "seed": seed, "people": n, "months": months, "repeats": repeats,
            "rules_s": best, "rules_ns_per_person_month": best * 1e9 / (n * months)}


def budget(ref_ns_per_agent_day: float, speedup: float) -> dict[str, float]:
    """What the engine may spend per agent-day and per person-month to be ``speedup`` times the reference."""
    per_day = ref_ns_per_agent_day / speedup
    return {"ns_per_agent_day": per_day, "ns_per_person_month": per_day * DAYS_PER_MONTH}
