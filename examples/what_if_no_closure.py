"""What if the border had not been sealed in 2020? A small what-if with common random numbers.

Runs `history` and its counterfactual `no-closure` with the same seeds at a small scale and prints, per city,
how many more people would have reached South Korea in 2020-2025 (rescaled to the full population).

    python examples/what_if_no_closure.py [--scale 0.05] [--seeds 3]
"""

from __future__ import annotations

import argparse

import pandas as pd

import nkborder


def arrivals_2020_2025(scenario: str, seed: int, scale: float) -> pd.Series:
    """Arrivals in South Korea 2020-2025 per city, rescaled to the full population."""
    yearly = nkborder.run(scenario, seed=seed, scale=scale, daily=False).yearly
    window = yearly[yearly["year"].between(2020, 2025)]
    return window.groupby("city")["arrivals_south_korea_full"].sum()


def main(scale: float, seeds: int) -> pd.DataFrame:
    """The difference no-closure minus history for each seed, one row per seed."""
    rows = []
    for seed in range(seeds):
        base = arrivals_2020_2025("history", seed, scale)
        what_if = arrivals_2020_2025("no-closure", seed, scale)
        rows.append((what_if - base).rename(seed))
    return pd.DataFrame(rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    diff = main(args.scale, args.seeds)
    print("extra arrivals in South Korea 2020-2025 without the closure (per seed):")
    print(diff.to_string())
    print("mean:", diff.mean().round(0).to_dict())
