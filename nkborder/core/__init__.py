"""What every submodel builds on: the state arrays, the random streams, the record slots and low-level helpers.

Nothing here imports the submodels (:mod:`nkborder.model`) or the loop (:mod:`nkborder.engine`).
"""
