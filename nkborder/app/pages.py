"""The page: side bar (scenario, run options, progress) and tabs (scenario, results, what-if, map, stored runs).

``solara run nkborder.app.pages`` serves it too, but ``nkborder app`` is the supported way (it sets the results
file, binds to loopback and disables Solara's telemetry).
"""

from __future__ import annotations

import solara

from nkborder.app import components, panels, session


@solara.component
def Page() -> None:
    """The whole app."""
    solara.Title("nkborder: Hoeryong and Hyesan")
    solara.Style(CSS)
    with solara.AppBarTitle():
        solara.Text("nkborder: the border cities Hoeryong and Hyesan")
    with solara.Sidebar():
        with solara.Card("Scenario", margin=0):
            components.ScenarioPicker()
        with solara.Card("Run", margin=0):
            components.RunPanel()
    components.Messages()
    with solara.lab.Tabs(value=session.tab):  # headers only: the active panel is drawn below
        for name in session.TABS:
            solara.lab.Tab(name)
    PANELS[session.TABS[session.tab.value]]()


PANELS = {
    "Scenario": components.ScenarioPanel,
    "Results": panels.ResultsPanel,
    "What-if": panels.ComparePanel,
    "City map": panels.MapPanel,
    "Stored runs": panels.StoredPanel,
}


CSS = """
.nk-event { margin: 0 !important; }
.nk-param { margin: 0 !important; }
.v-input__slider .v-label { font-size: 12px; min-width: 180px; }
"""
