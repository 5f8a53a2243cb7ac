"""Information and discontent (monthly).

Outside information (0-1) decays and is renewed by phone calls with kin abroad (cut by surveillance), by market
work (traders and smugglers, scaled by market tolerance) and by what the inminban shares (its members' mean
from last month). Discontent moves toward logistic(a + b_info x info + b_hardship x hardship): "with frequent
access to news from the outside world, discontentment over the country's system there is also high"
(seed-hoeryong-2007).

The rules for one resident are :func:`fresh_information`, :func:`information` and :func:`discontent_target`; the
monthly person pass (:func:`nkborder.engine.monthly.people_month`) applies them to every resident.
"""

from __future__ import annotations

from numba import njit

from nkborder.core.fastexp import logistic


@njit(cache=True, inline="always")
def fresh_information(
    kin: float, works_market: float, contact: float, tolerance: float, inminban_info: float, w_kin: float,
    w_market: float, w_inminban: float,
) -> float:
    """This month's outside information reaching a resident, before the cap at 1.

    ``kin`` is 1.0 if a household member is in China or South Korea (monthly census), ``works_market`` 1.0 for
    traders' households and smugglers; ``contact`` and ``tolerance`` are the month's values for the city,
    ``inminban_info`` the mean information of the inminban's members last month. The same for all members of a
    household except its smuggler.
    """
    return w_kin * kin * contact + w_market * works_market * tolerance + w_inminban * inminban_info


@njit(cache=True, inline="always")
def information(info: float, fresh: float, decay: float) -> float:
    """A resident's new information from last month's ``info`` and the month's ``fresh`` information."""
    return decay * info + (1.0 - decay) * min(1.0, fresh)


@njit(cache=True, inline="always")
def discontent_target(info: float, hardship: float, d_intercept: float, d_info: float, d_hardship: float) -> float:
    """The level discontent moves toward (by ``discontent_rate`` a month)."""
    return logistic(d_intercept + d_info * info + d_hardship * hardship)
