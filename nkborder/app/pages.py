"""The page: side bar (scenario, run options, progress) and tabs (scenario, results, what-if, sweeps, map, stored
runs).

``solara run nkborder.app.pages`` serves it too, but ``nkborder app`` is the supported way (it sets the results
file, binds to loopback and disables Solara's telemetry).
"""

from __future__ import annotations

import solara

from nkborder.app import components, panels, session, study_panel


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
    components.WidthProbe(event_measured=components.content_width.set)
    components.Messages()
    with solara.lab.Tabs(value=session.tab):  # headers only: the active panel is drawn below
        for name in session.TABS:
            solara.lab.Tab(name)
    shown = session.TABS[session.tab.value]
    for name in session.TABS:  # one box per tab, always in the same place, so a kept panel keeps its state
        with solara.Div(classes=["nk-panel", f"nk-panel-{name.lower().replace(' ', '-')}"],
                        style={} if name == shown else {"display": "none"}):
            if name == shown or name in KEPT:
                PANELS[name]()


#: Panels with interactive (Plotly) figures stay drawn while another tab is shown, hidden: a Plotly widget
#: taken off the page still sends a message from the browser, which then reports a closed channel.
KEPT = ("Results", "What-if")


PANELS = {
    "Scenario": components.ScenarioPanel,
    "Results": panels.ResultsPanel,
    "What-if": panels.ComparePanel,
    "Sweeps": study_panel.StudyPanel,
    "City map": panels.MapPanel,
    "Stored runs": panels.StoredPanel,
}


#: The page's layout rules: every tab fits a window from 1280 to 1920 px wide without horizontal scrolling (wide
#: tables scroll inside their own box), figures shrink to their column, and the event form stays below the app bar.
APP_BAR_PX = 64  # height of Vuetify's app bar
CSS = f"""
.nk-event {{ margin: 0 !important; }}
html {{ overflow-y: scroll; }}
.v-application, .v-application__wrap, .v-layout {{ max-width: 100vw; }}
.v-main {{ flex: 1 1 0; min-width: 0; max-width: 100%; }}
.v-main .d-flex, .v-main .v-sheet, .v-main .v-card {{ min-width: 0; max-width: 100%; }}
.v-card, .v-sheet {{ max-width: 100%; }}
.v-card__text, .v-card__title {{ overflow-wrap: anywhere; }}
.row > .col, .v-row > .v-col {{ min-width: 0; }}
.nk-figure img, .nk-results-figure img, .nk-compare-levels img, .nk-compare-difference img, .nk-map img
    {{ max-width: 100%; height: auto; }}
.nk-table {{ max-width: 100%; overflow-x: auto; }}
.nk-table .v-data-table {{ max-width: 100%; }}
.nk-event-editor {{ position: sticky; top: {APP_BAR_PX + 8}px; scroll-margin-top: {APP_BAR_PX + 8}px; }}
.nk-param {{ display: grid; grid-template-columns: minmax(0, 1.2fr) minmax(0, 1fr); gap: 4px 16px;
    align-items: center; padding: 6px 0; border-bottom: 1px solid #eee; margin: 0 !important; }}
.nk-param .v-input__slider {{ margin-top: 0; }}
"""
