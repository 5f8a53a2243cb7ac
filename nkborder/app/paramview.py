"""The parameters as the page lists them: by submodel, the ones calibration estimates, the changes from the
baseline; labels and meanings come from the declarations (:func:`nkborder.params.param`)."""

from __future__ import annotations

from nkborder.app.state import parameters

CALIBRATED = "estimated by calibration"
CHANGED = "changed from the baseline"
SUBMODEL = "submodel: "


def views() -> list[str]:
    """What the parameter list can show: the calibrated ones, then each submodel."""
    table = parameters()
    return [CALIBRATED, *(f"{SUBMODEL}{g}" for g in dict.fromkeys(table["group"]))]


def names_in(view: str) -> list[str]:
    """The parameters of a view (declaration order); an unknown view lists none."""
    table = parameters()
    if view == CALIBRATED:
        return list(table.index[table["calibrate"].astype(bool)])
    if view.startswith(SUBMODEL):
        return list(table.index[table["group"] == view[len(SUBMODEL):]])
    return []


def describe(view: str, query: str, n: int) -> str:
    """One line above the list: what it shows."""
    if query.strip():
        return f"{n} parameter(s) matching {query.strip()!r} (at most 40)."
    if view == CALIBRATED:
        return (f"{n} parameters estimated by calibration (docs/calibration.md); the slider covers the declared "
                "range, which is also the calibration prior.")
    return f"{n} parameters of the submodel {view[len(SUBMODEL):]} (docs/odd.md)."


def changed_rows(changed: dict[str, tuple[float, float]]) -> list[dict[str, str]]:
    """The changed parameters in declaration order: name, label, submodel, value before and now, unit."""
    table = parameters()
    return [{"name": n, "label": str(table.loc[n, "label"]), "group": str(table.loc[n, "group"]),
             "before": f"{changed[n][0]:g}", "now": f"{changed[n][1]:g}", "unit": str(table.loc[n, "unit"])}
            for n in table.index if n in changed]
