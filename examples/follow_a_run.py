"""Follow a run while it is simulated, and stop it early.

Runs `history` with `nkborder.live`, which yields the tables simulated so far after every simulated year, prints
the people of both cities in China at the end of each year (rescaled to the full population), and stops the run
once it has simulated the year given by --until (breaking out of the loop stops it; nothing is stored).

    python examples/follow_a_run.py [--scale 0.02] [--until 2005]
"""

from __future__ import annotations

import argparse

import nkborder


def main(scale: float, until: int) -> list[tuple[int, float]]:
    """(year, people in China at its end, both cities) for each simulated year up to ``until``."""
    seen = []
    for part in nkborder.live("history", seed=1, scale=scale):
        last = part.yearly[part.yearly["year"] == part.date.year]
        seen.append((part.date.year, float(last["in_china_full"].sum())))
        print(f"{part.date}: {seen[-1][1]:8,.0f} people of Hoeryong and Hyesan in China")
        if part.date.year >= until:
            break
    return seen


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.02)
    parser.add_argument("--until", type=int, default=2005)
    args = parser.parse_args()
    main(args.scale, args.until)
