"""``python -m reference SCENARIO --scale F --seed N [--start DATE] [--end DATE] [--out FILE.csv]``."""

from __future__ import annotations

import argparse
import time

import pandas as pd

from reference import RULE_CHANGES, run_reference


def main(argv: list[str] | None = None) -> None:
    """Run the reference model, print its yearly table and optionally write it as CSV."""
    parser = argparse.ArgumentParser(
        prog="python -m reference",
        description="Run the Mesa reference implementation of the nkborder model; print its yearly table.",
    )
    parser.add_argument("scenario", help="shipped scenario name or path to a scenario TOML file")
    parser.add_argument("--scale", type=float, default=0.01, help="share of the population simulated")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", default=None, help="first day, YYYY-MM-DD (default: the scenario's)")
    parser.add_argument("--end", default=None, help="last day, YYYY-MM-DD (default: the scenario's)")
    parser.add_argument("--out", default=None, help="write the yearly table to this CSV file")
    parser.add_argument("--rule-change", default=None, choices=[r for r in RULE_CHANGES if r],
                        help="break one rule on purpose (negative control)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    yearly = run_reference(args.scenario, seed=args.seed, scale=args.scale, start=args.start, end=args.end,
                           rule_change=args.rule_change)
    with pd.option_context("display.width", 200, "display.max_columns", 12):
        print(yearly.iloc[:, :14].to_string(index=False))
    print(f"{time.perf_counter() - t0:.1f} s")
    if args.out:
        yearly.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
