"""``python -m benchmarks [--quick] [--output BENCHMARKS.md] [--json FILE]``: measure and write BENCHMARKS.md.

``python -m benchmarks --patterns`` instead regenerates the pattern tables of docs/patterns.md
(:mod:`benchmarks.patterns`: the calibrated history at scale 0.25, 10 runs at the medians and 20 posterior draws).
``python -m benchmarks --update logistic`` measures one part again and keeps the other results;
``NKBORDER_BENCH_BEFORE=REF python -m benchmarks --update before_after`` compares this tree with commit ``REF``
(:mod:`benchmarks.before_after`); ``--update layers`` compares the cold compile and the full history with the
commit before the package was arranged in layers, ``--update refactor`` each commit of that refactor with its
parent; ``--update hour`` runs the one-hour calibration (an hour on an
idle machine).

The full mode (default) runs the whole history at 1:1, 10x the population, the Mesa reference for about a
minute and the experiments benchmark: about ten minutes on a 2-core machine. ``--quick`` uses reduced sizes
and finishes in about two minutes.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from pathlib import Path

from benchmarks import ROOT
from benchmarks.before_after import measure as measure_before_after
from benchmarks.before_after import measure_layers, measure_refactor
from benchmarks.calibration import measure as measure_calibration
from benchmarks.calibration import measure_hour, measure_proposals
from benchmarks.calibration import measure_parts as measure_calibration_parts
from benchmarks.report import embedded_results, write_markdown
from benchmarks.suite import (
    MODES,
    Config,
    evaluate_targets,
    guard,
    log,
    measure_compile,
    measure_daily_compile,
    measure_logistic,
    run_all,
)

#: Parts that ``--update`` measures on their own (each independent of the others' results).
PARTS = {"logistic": measure_logistic, "compile": measure_compile, "daily_compile": measure_daily_compile,
         "calibration": measure_calibration, "calibration_parts": measure_calibration_parts,
         "proposals": measure_proposals, "hour": measure_hour,
         "before_after": measure_before_after,
         "layers": measure_layers, "refactor": measure_refactor}
#: Parts measured in interleaved before/after pairs: ``--repeats`` sets how many.
PAIRED = ("before_after", "layers", "refactor")


def main(argv: list[str] | None = None) -> int:
    args_list = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="reduced sizes (about two minutes)")
    parser.add_argument("--mode", choices=sorted(MODES), help="full, quick or tiny (overrides --quick)")
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md", help="Markdown file to write")
    parser.add_argument("--json", type=Path, default=None, help="also write the raw results as JSON")
    parser.add_argument("--render-only", action="store_true",
                        help="rewrite --output from the results embedded in it, without measuring")
    parser.add_argument("--update", nargs="+", choices=sorted(PARTS), default=None,
                        help="measure only these parts again, keep the other results embedded in --output")
    parser.add_argument("--repeats", type=int, default=None,
                        help="interleaved pairs of the before/after parts (layers, before_after: default 3; refactor: "
                             "5 per step)")
    parser.add_argument("--patterns", action="store_true",
                        help="regenerate the pattern tables of docs/patterns.md instead (scale 0.25: 10 runs at the "
                             "medians, 20 posterior draws)")
    args = parser.parse_args(args_list)
    if args.patterns:
        from benchmarks.patterns import run as run_patterns

        done = run_patterns()
        log(f"wrote the pattern tables of {done['doc']} in {done['wall_s']:.0f} s: medians "
            f"{done['medians']['counts']}, posterior {done['posterior']['counts']}")
        return 0
    if args.render_only or args.update:
        results = embedded_results(args.output.read_text(encoding="utf-8"))
        try:
            cfg = Config(**results["config"])
        except TypeError:  # written by an older version of the benchmarks
            cfg = MODES[results["config"]["mode"]]
        for part in args.update or ():
            measure = PARTS[part]
            if args.repeats is not None and part in PAIRED:
                measure = functools.partial(measure, repeats=args.repeats)
            results[part] = guard(part, lambda measure=measure: measure(cfg))
            results.setdefault("updated", {})[part] = " ".join(["python -m benchmarks", *args_list])
        results["targets"] = evaluate_targets(cfg, results)  # criteria as in this version of the code
        write_markdown(results, args.output)
        log(f"re-rendered {args.output} from its embedded results" + (
            f" (measured again: {', '.join(args.update)})" if args.update else ""))
        return 0
    mode = args.mode or ("quick" if args.quick else "full")
    command = " ".join(["python -m benchmarks", *args_list])
    results = run_all(MODES[mode], command)
    path = write_markdown(results, args.output)
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    log(f"wrote {path} in {results['total_s']:.0f} s")
    for t in results["targets"]:
        log(f"  {t['status']:>12}: {t['target']}: {t['measured']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
