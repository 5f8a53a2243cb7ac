"""Counter-based random numbers: a draw depends only on (seed, stream, period, agent).

A draw for agent ``i`` in stream ``s`` at period ``t`` (a day or a month index) is a hash of those four numbers
(SplitMix64 finaliser), so results do not depend on loop order, thread count or worker count, and a what-if run
differs from its baseline only where the rules differ (common random numbers). Kernels call :func:`uniform`
with a key made once per (stream, period) by :func:`stream_key`.
"""

from __future__ import annotations

from enum import IntEnum, unique

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_S40 = np.uint64(40)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


@unique
class Stream(IntEnum):
    """The random streams: one per kind of decision, so adding a draw to one rule does not shift another's.

    The numbers enter every draw (:func:`stream_key`): renumbering a stream changes results. A new stream takes a
    number no other uses.
    """

    DEATH = 0
    BIRTH = 1
    BIRTH_SEX = 2
    RISK = 3
    ATTEMPT = 4
    ATTEMPT_DAY = 5
    REPORT = 6
    BROKER_USE = 7
    BROKER_PICK = 8
    DETECT = 9
    ACCEPT = 10
    BETRAY = 11
    SHOOT = 12
    SECTOR = 13
    GUARD_PICK = 14
    DETENTION = 15
    CAPTURE = 16
    ONWARD = 17
    RETURN = 18
    TRIP = 19
    TRIP_DETECT = 20
    TRIP_ARREST = 21
    REMIT = 22
    KIN_PAY = 23
    ROTATE = 24
    REMIT_BROKER = 25
    REPATRIATE = 26  # China hands a detained North Korean over (daily, per person held in Chinese detention)
    BROKER_SEARCH = 40  # which brokers a would-be crosser asks for a route
    BROKER_CAUGHT = 41  # whether a broker is caught when a client of his is arrested
    CREDIT = 42  # whether a crosser borrows a fee or a bribe
    BROKER_OPEN = 43  # whether a broker's route stays open while only a share are (one draw per broker)
    SECURITY = 44  # whether state security, not the guard, deals with a detected smuggler (crackdowns)
    TRIP_SECTOR = 113  # river sector of a smuggling trip
    TRIP_GUARD_PICK = 114  # the guard a smuggler meets
    ONWARD_KIN_PAY = 123  # kin in South Korea pay a person in China's onward journey
    ROTATE_EXTRA = 124  # rotation of the guards kept for a higher troop level
    SETTLE = 317  # settling time in China (one draw per person and crossing day)
    DIRECT_ESCAPE = 45  # whether a newcomer in China has the journey to South Korea arranged with the crossing
    RETURN_STEADY = 46  # whether a person in China, settled or not, goes home whatever the route (steady_return_rate)


(DEATH, BIRTH, BIRTH_SEX, RISK, ATTEMPT, ATTEMPT_DAY, REPORT, BROKER_USE, BROKER_PICK, DETECT, ACCEPT, BETRAY, SHOOT,
 SECTOR, GUARD_PICK, DETENTION, CAPTURE, ONWARD, RETURN, TRIP, TRIP_DETECT, TRIP_ARREST, REMIT, KIN_PAY, ROTATE,
 REMIT_BROKER, REPATRIATE, BROKER_SEARCH, BROKER_CAUGHT, CREDIT, BROKER_OPEN, SECURITY, TRIP_SECTOR, TRIP_GUARD_PICK,
 ONWARD_KIN_PAY, ROTATE_EXTRA, SETTLE, DIRECT_ESCAPE, RETURN_STEADY) = Stream


@njit(cache=True, inline="always")
def mix64(z: np.uint64) -> np.uint64:
    """SplitMix64 finaliser: a bijective 64-bit hash with good avalanche."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True, inline="always")
def stream_key(seed_key: np.uint64, stream: int, period: int) -> np.int64:
    """Key of one stream at one period (day or month index); combine with an agent index in :func:`uniform`.

    The key's 64 bits are returned as a signed integer so that Python callers can pass it back to
    :func:`uniform` (numba types Python integers as int64); :func:`uniform` reads the same bits as unsigned.
    """
    seed_key = np.uint64(seed_key)
    return np.int64(mix64(seed_key ^ mix64((np.uint64(stream) << _S40) + np.uint64(period) + _GOLDEN)))


@njit(cache=True, inline="always")
def uniform(key: np.int64, i: int) -> float:
    """Uniform draw in [0, 1) for agent ``i`` under ``key``."""
    key = np.uint64(key)
    return float(mix64(key ^ (np.uint64(i) * _GOLDEN)) >> _S11) * _TO_UNIT


def seed_key(seed: int) -> np.uint64:
    """64-bit key of a user seed, spread by NumPy's SeedSequence."""
    return np.uint64(np.random.SeedSequence(seed).generate_state(1, dtype=np.uint64)[0])
