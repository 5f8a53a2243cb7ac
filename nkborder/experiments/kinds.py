"""The experiment kinds by name, to read back a stored experiment of any kind.

This module imports every kind and is imported by none of them (they pass their own ``summarise`` to
:func:`nkborder.experiments.core.run_experiment`), so the kinds and ``core`` do not import each other in a circle.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from nkborder.experiments import comparisons, core, ensembles, registry, sensitivities, sweeps
from nkborder.experiments.result import ExperimentResult

if TYPE_CHECKING:
    from nkborder.store import ResultsStore

#: kind (as stored in ``experiments.kind``) -> its summary of the runs.
SUMMARISERS: dict[str, core.Summarise] = {
    "ensemble": ensembles.summarise,
    "sweep": sweeps.summarise,
    "compare": comparisons.summarise,
    "sensitivity": sensitivities.summarise,
}


def load(store: ResultsStore, name: str) -> ExperimentResult:
    """Experiment ``name`` as stored, summarised by its kind."""
    kind = registry.definition(store, name)["kind"]
    return core.load(store, name, SUMMARISERS[kind])
