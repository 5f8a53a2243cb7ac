"""One figure style (nkborder.figures): every figure type renders from stored run tables, titles are plain words
with units, ticks are whole years, the events form a numbered strip with a key, bands say how many runs they rest
on, and a comparison's period is shaded and limits the difference it states.

The runs are the regression baseline's stored yearly tables (tests/baseline), repeated with a fixed
multiplicative noise where a figure needs replicates; only the CLI test simulates (a what-if of two tiny runs).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from nkborder.analysis import plots, response_plots
from nkborder.analysis.bands import bands
from nkborder.experiments.comparisons import summarise
from nkborder.experiments.core import scenario_info
from nkborder.experiments.result import ExperimentResult
from nkborder.figures import FEW_RUNS, interactive, labels, static
from nkborder.scenarios import load_scenario

BASELINE = Path(__file__).parent / "baseline"
SHOWN = ["arrivals_south_korea_full", "in_china_full", "arrivals_share_female", "broker_fee_posted_cny"]


def _replicates(yearly: pd.DataFrame, reps: int, seed: int, **labels_: object) -> pd.DataFrame:
    """``reps`` copies of one run's yearly table, numbers times a lognormal factor per copy, row and column."""
    rng = np.random.default_rng(seed)
    numeric = [c for c in yearly.columns[2:] if pd.api.types.is_float_dtype(yearly[c])]
    out = []
    for r in range(reps):
        t = yearly.copy()
        t[numeric] = t[numeric].to_numpy() * rng.lognormal(0.0, 0.1, size=(len(t), len(numeric)))
        front = pd.DataFrame({"idx": r, "run_id": f"{seed}-{r}", "run_key": f"{seed}-{r}", "seed": r, "rep": r,
                              **labels_}, index=t.index)
        out.append(pd.concat([front, t], axis=1))
    return pd.concat(out, ignore_index=True).copy()


def _ensemble(reps: int) -> ExperimentResult:
    runs = _replicates(pd.read_parquet(BASELINE / "history-yearly.parquet"), reps, seed=1)
    definition = {"kind": "ensemble", "scenarios": [scenario_info(load_scenario("history"), "history")],
                  "design": {"reps": reps}}
    return ExperimentResult("ens", "ensemble", definition, runs, bands(runs))


@pytest.fixture(scope="module")
def ensemble() -> ExperimentResult:
    return _ensemble(12)


@pytest.fixture(scope="module")
def comparison() -> ExperimentResult:
    a = pd.read_parquet(BASELINE / "history-yearly.parquet")
    b = pd.read_parquet(BASELINE / "no-closure-yearly.parquet")
    a = a.loc[a["year"] >= int(b["year"].min())].reset_index(drop=True)
    runs = pd.concat([_replicates(a, 12, seed=2, side="A", scenario="history"),
                      _replicates(b, 12, seed=3, side="B", scenario="no-closure")], ignore_index=True)
    definition = {"kind": "compare", "scenarios": [scenario_info(load_scenario("history"), "history"),
                                                   scenario_info(load_scenario("no-closure"), "no-closure")],
                  "design": {"reps": 12}, "analysis": {"period": [2020, 2025], "outputs": SHOWN[:2]}}
    summary, tables = summarise(definition, runs)
    return ExperimentResult("cmp", "compare", definition, runs, summary, tables)


def _panel_axes(fig) -> list:
    return [ax for ax in fig.axes if ax.get_title(loc="left")]


def _texts(fig) -> str:
    return "\n".join(t.get_text() for t in fig.texts)


def _assert_style(fig, spec) -> None:
    """Titles carry units and no raw ids; ticks are whole years; the key lists every numbered event."""
    axes = _panel_axes(fig)
    assert len(axes) == len(spec.all_panels())
    for p in spec.all_panels():  # plain words ending with the unit
        assert "_" not in p.title and p.title.endswith(f"({p.unit.removesuffix(' (national)')})"), p.title
    drawn = {ax.get_title(loc="left").replace("\n", " ") for ax in axes}  # wrapped to the panel's width
    assert all(any(t.startswith(p.title) for t in drawn) for p in spec.all_panels()), drawn
    assert all(ax.get_ylabel() for ax in axes)
    fig.canvas.draw()
    strips = [ax for ax in fig.axes if ax.get_ylabel() == "events"]
    assert strips, "no event strip"
    for ax in strips:
        shown = [t for t in ax.get_xticklabels() if t.get_text()]
        assert shown and all(t.get_text().isdigit() and float(t.get_text()) == t.get_position()[0] for t in shown)
        numbers = {t.get_text() for t in ax.texts}
        assert numbers and numbers <= {str(e.number) for e in spec.events}
    key = _texts(fig)
    for e in spec.events:
        assert e.key() in key.replace("\n      ", " "), e.key()


def test_close_event_numbers_sit_in_different_rows() -> None:
    from nkborder.figures.spec import strip_levels

    assert strip_levels([2000.0, 2000.2, 2000.4, 2003.0], gap=1.0) == [0, 1, 2, 0]
    assert strip_levels([1.0, 1.1, 1.2], gap=1.0, rows=2) == [0, 1, 0]  # full: reuse the row freed longest ago


def test_percent_ticks_have_the_decimals_their_step_needs() -> None:
    from nkborder.figures.static import _percent_ticks

    assert _percent_ticks([20.0, 40.0, 60.0]) == ["20 %", "40 %", "60 %"]
    assert _percent_ticks([24.5, 25.0, 25.5]) == ["24.5 %", "25.0 %", "25.5 %"]
    assert _percent_ticks([-0.5, 0.0, 0.5])[1] == "0.0 %"  # never "-0.0 %"


def test_labels_are_plain_words_with_units_and_percentages() -> None:
    yearly = pd.read_parquet(BASELINE / "history-yearly.parquet")
    for column in yearly.columns[2:]:
        assert "_" not in labels.title(column), column
    assert labels.title("arrivals_south_korea_full") == "Arrivals in South Korea (persons / year)"
    assert labels.title("in_china_full") == "People hiding in China (persons)"  # a stock, not per year
    assert labels.unit("broker_fee_posted_cny") == "CNY" and labels.unit("broker_commission_share") == "%"
    assert labels.percent(0.6666666666666666) == "67 %" and labels.percent(0.053) == "5.3 %"
    assert labels.percent(0.05) == "5 %" and labels.number(1234567.8) == "1,234,568"
    assert labels.axis_number(1_500_000) == "1.5 M" and labels.axis_number(2500) == "2,500"
    from nkborder.scenarios import EVENT_KINDS

    assert all("_" not in labels.event_kind(kind) for kind in EVENT_KINDS)


def test_ensemble_figure_has_units_whole_years_and_a_numbered_event_key(ensemble) -> None:
    spec = plots.ensemble_spec(ensemble, SHOWN, observed=True)
    history = load_scenario("history")
    months = {(e.start.year, e.start.month) for e in history.events if e.start.year > 1995}
    assert [(e.start.year, e.start.month) for e in spec.events] == sorted(months)  # one number a month, in order
    assert [e.number for e in spec.events] == list(range(1, len(months) + 1))
    closure = next(e for e in spec.events if (e.start.year, e.start.month) == (2020, 1))
    assert "border closed (all North Korea)" in closure.text and "China's movement controls (China)" in closure.text
    assert any("famine" in text for text in spec.events_before)  # in force from the start: listed, not numbered
    fig = static.render(spec, 1000)
    _assert_style(fig, spec)
    assert fig.get_figwidth() * fig.dpi == pytest.approx(1000)
    share = next(p for p in spec.all_panels() if "Women" in p.title)
    assert share.percent and share.unit == "%"
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "history: 5-95 % of 12 runs" in legend and "history: median" in legend
    assert any(text.startswith("observed arrivals") for text in legend)
    assert not spec.warnings()


def test_an_experiment_without_finished_runs_draws_empty_panels_over_the_scenario_years(ensemble) -> None:
    none = ensemble.runs.iloc[:0]
    empty = ExperimentResult("ens", "ensemble", ensemble.definition, none, bands(none))
    spec = plots.ensemble_spec(empty, SHOWN[:2])
    assert spec.years() == (1995.0, 2026.0) and spec.events
    assert all(p.note == "no finished run yet" and not p.has_data() for p in spec.all_panels())
    assert static.render(spec) is not None and interactive.render(spec).layout.width


def test_bands_on_few_runs_carry_a_warning() -> None:
    spec = plots.ensemble_spec(_ensemble(4), SHOWN[:1])
    assert [b.runs for b in spec.all_panels()[0].bands] == [4] and FEW_RUNS > 4
    fig = static.render(spec)
    assert "history: 5-95 % of 4 runs (few: rough band)" in [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Bands rest on 4 runs" in _texts(fig)


def test_comparison_shades_its_period_and_sums_the_difference_over_it(comparison) -> None:
    levels, diff = plots.compare_specs(comparison, SHOWN[:2], period=(2021, 2023))
    assert levels.period == diff.period == (2021, 2023)
    fig = static.render(diff)
    _assert_style(fig, diff)
    for ax in _panel_axes(fig):
        spans = [p for p in ax.patches if p.get_x() == 2021]
        assert len(spans) == 1 and spans[0].get_width() == pytest.approx(3.0)  # 2021 to the end of 2023
    assert "comparison period 2021-2023" in [t.get_text() for t in fig.legends[0].get_texts()]
    # the difference stated in the title is the median over pairs of B - A summed over 2021-2023 only
    runs = comparison.runs
    inside = runs.loc[(runs["year"] >= 2021) & (runs["year"] <= 2023) & (runs["city"] == "Hyesan")]
    totals = inside.groupby(["side", "rep"])["arrivals_south_korea_full"].sum().unstack("side")
    expected = labels.number(float(np.median(totals["B"] - totals["A"])))
    panel = next(p for p in diff.all_panels() if p.place == "Hyesan" and "Arrivals" in p.title)
    assert panel.subtitle.startswith(f"B - A, total 2021-2023: {expected} [")
    # a share: the mean over the years with a value on both sides, pair by pair
    share = next(p for p in plots.compare_specs(comparison, ["arrivals_share_female"], (2021, 2023))[1]
                 .all_panels() if p.place == "Hyesan")
    wide = inside.pivot_table(index=["rep", "year"], columns="side", values="arrivals_share_female").dropna()
    means = wide.groupby("rep").mean()
    median = float(np.median(means["B"] - means["A"]))
    assert share.subtitle.startswith(f"B - A, mean 2021-2023: {labels.percent(median).replace(' %', '')} points")
    own = plots.compare_specs(comparison, SHOWN[:2])[1]
    assert own.period == (2020, 2025) and "total 2020-2025" in own.all_panels()[0].subtitle
    # overlapping bands stay apart: B is hatched, and the legend names both
    assert [b.hatched for b in levels.all_panels()[0].bands] == [False, True]
    legend = [t.get_text() for t in static.render(levels).legends[0].get_texts()]
    assert "A: history: 5-95 % of 12 runs" in legend and "B: no-closure: 5-95 % of 12 runs" in legend


def test_interactive_figure_shares_titles_ticks_legend_and_key(comparison) -> None:
    levels, _ = plots.compare_specs(comparison, SHOWN[:2])
    fig = interactive.render(levels, 900)
    assert fig.layout.width == 900
    titles = {a.text for a in fig.layout.annotations}
    assert {p.title for p in levels.all_panels()} <= {t.split("<br><span")[0].replace("<br>", " ") for t in titles}
    assert fig.layout.xaxis.tickformat == "d" and float(fig.layout.xaxis.dtick).is_integer()
    names = {t.name for t in fig.data if t.showlegend is not False}
    assert {"A: history: 5-95 % of 12 runs", "B: no-closure: 5-95 % of 12 runs", "A: history: median",
            "comparison period 2020-2025", "policy event (numbered strip, key below)"} <= names
    hatched = [t for t in fig.data if t.name == "B: no-closure: 5-95 % of 12 runs"]
    assert hatched and all(t.fillpattern.shape == "/" for t in hatched)
    key = next(a.text for a in fig.layout.annotations if a.text.startswith("<b>Policy events"))
    key = key.replace("<br>      ", " ")
    assert all(e.key() in key for e in levels.events)
    strip = [t for t in fig.data if t.name == "policy events"]
    assert strip and {n for t in strip for n in t.text} <= {str(e.number) for e in levels.events}
    shaded = [s for s in fig.layout.shapes if s.type == "rect"]
    assert shaded and all((s.x0, s.x1) == (2020, 2026) for s in shaded)


def test_every_experiment_figure_is_written(ensemble, comparison, tmp_path) -> None:
    files = plots.plot_experiment(ensemble, tmp_path, "svg", SHOWN[:2], period=(2009, 2011))
    assert [f.name for f in files] == ["ens-bands.svg"] and b"comparison" not in files[0].read_bytes()
    files = plots.plot_experiment(comparison, tmp_path, "png", SHOWN[:2])
    assert [f.name for f in files] == ["cmp-levels.png", "cmp-difference.png"]
    assert all(f.read_bytes()[:4] == b"\x89PNG" for f in files)
    from nkborder.errors import InputError

    with pytest.raises(InputError, match="--period") as err:
        plots.plot_experiment(comparison, tmp_path, "png", SHOWN[:2], period=(1990, 2030))
    assert "2014:2025" in str(err.value)


def test_sweep_response_does_not_sum_stocks_or_old_and_new_won(ensemble) -> None:
    rows, how = response_plots.response_rows(ensemble.runs, "in_china_full")
    assert how == "mean over 1995-2025" and len(rows) == len(ensemble.runs)
    rows, how = response_plots.response_rows(ensemble.runs, "market_turnover_kpw_full")
    assert how == "total 2010-2025, new won" and rows["year"].min() == 2010
    assert response_plots.response_rows(ensemble.runs, "arrivals_south_korea_full")[1] == "total 1995-2025"


def test_sweep_and_sensitivity_figures_render(tmp_path) -> None:
    from nkborder.experiments import sweeps

    yearly = pd.read_parquet(BASELINE / "history-yearly.parquet")
    runs = pd.concat([_replicates(yearly, 3, seed=4 + k, point=k, detect_base=value)
                      for k, value in enumerate((0.2, 0.5))], ignore_index=True)
    runs["idx"] = runs["point"] * 3 + runs["rep"]
    definition = {"kind": "sweep", "scenarios": [scenario_info(load_scenario("history"), "history")],
                  "design": {"reps": 3, "vary": [{"name": "detect_base"}]}}
    summary, tables = sweeps.summarise(definition, runs)
    sweep = ExperimentResult("sw", "sweep", definition, runs, summary, tables)
    spec = plots.sweep_spec(sweep, SHOWN[:2])
    assert [ln.label for ln in spec.all_panels()[0].lines] == ["detect_base = 0.2", "detect_base = 0.5"]
    _assert_style(static.render(spec), spec)
    response = response_plots.response_figure(sweep, ["in_china_full", "arrivals_south_korea_full"])
    assert [ax.get_title(loc="left") for ax in response.axes] == [
        "People hiding in China, mean over 1995-2025 (persons)",
        "Arrivals in South Korea, total 1995-2025 (persons)"]
    indices = pd.DataFrame({"output": "arrivals_south_korea_full", "parameter": ["detect_base", "bribe_accept"],
                            "mu_star": [3.0, 1.0], "mu_star_conf": [0.5, 0.2], "sigma": [1.0, 0.4]})
    sens = ExperimentResult("se", "sensitivity", {"kind": "sensitivity", "design": {"method": "morris"}}, runs,
                            indices, {"indices": indices})
    fig = response_plots.sensitivity_figure(sens)
    assert fig.axes[0].get_title(loc="left") == "Arrivals in South Korea (persons / year)"
    files = plots.plot_experiment(sens, tmp_path, "png") + plots.plot_experiment(sweep, tmp_path, "png", SHOWN[:1])
    assert [f.name for f in files] == ["se-indices.png", "sw-points.png", "sw-response.png"]


def test_validation_figure_has_one_panel_per_series_and_the_held_out_years(tmp_path) -> None:
    from nkborder.calibration import figure
    from nkborder.calibration.validate import Validation

    years = np.arange(1999, 2016)
    q = {k: np.linspace(1000, 2000, len(years)) * f for k, f in
         (("p5", 0.5), ("p25", 0.8), ("p50", 1.0), ("p75", 1.2), ("p95", 1.6))}
    arrivals = pd.DataFrame({"series": "arrivals", "year_from": years, "year_to": years, "low": q["p50"] * 1.1,
                             "high": q["p50"] * 1.1, **q})
    stock = pd.DataFrame({"series": "china_stock", "year_from": [2000, 2003], "year_to": [2000, 2003],
                          "low": [75_000.0, 60_000.0], "high": [125_000.0, np.inf], "p5": [1e4, 1e4],
                          "p25": [2e4, 2e4], "p50": [3e4, 3e4], "p75": [4e4, 4e4], "p95": [9e4, 9e4]})
    share = pd.DataFrame({"series": "women_share", "year_from": years, "year_to": years, "low": 0.7, "high": 0.7,
                          "p5": 0.5, "p25": 0.6, "p50": 0.7, "p75": 0.75, "p95": 0.8})
    share.loc[share["year_from"] == 2001, ["low", "high"]] = [0.0, 0.8]  # "at most" 80 %: an upper bound
    history = load_scenario("history")
    events = [{"id": e.id, "kind": e.kind, "start": e.start.isoformat(), "place": e.place} for e in history.events]
    val = Validation("shipped", "history", pd.DataFrame(), pd.concat([arrivals, stock, share], ignore_index=True),
                     pd.DataFrame(), [], events, (2012, 2015))
    spec = figure.spec(val, runs=50)
    assert [p.title for p in spec.all_panels()] == [
        "Arrivals in South Korea from all North Korea (persons per year)",
        "North Koreans hiding in China (persons)", "Women among arrivals in South Korea (%)"]
    assert [p.unit for p in spec.all_panels()] == ["persons per year (national)", "persons (national)", "%"]
    assert spec.period == (2012, 2015) and spec.period_text() == "held-out years 2012-2015"
    assert spec.years() == (1999.0, 2016.0)  # whole years: the start of the first to the end of the last
    fig = figure.figure(val, runs=50)
    _assert_style(fig, spec)
    log_axis = _panel_axes(fig)[0]
    assert log_axis.get_yscale() == "log"
    ticks = [t.get_text() for t in log_axis.get_yticklabels() if t.get_text()]
    assert ticks and all(t.replace(",", "").replace(" k", "").isdigit() for t in ticks), ticks  # not 9 x 10^2
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    for text in ("prediction: 90 % of 50 draws", "prediction: 50 % of 50 draws", "observed",
                 "observed: interval", "observed: lower bound", "observed: upper bound", "held-out years 2012-2015"):
        assert text in legend, text
    assert figure.draw(val, tmp_path / "fit.svg", runs=50).read_bytes().startswith(b"<?xml")


def _validation_with_gaps():
    """A validation of arrivals 1999-2015, the women's share in 2000 and 2002-2005, and repatriations in 2002,
    2021 and 2023 (lower bounds in the last two), with the history's events."""
    from nkborder.calibration.validate import Validation

    def rows(series: str, years: list[int], low: list[float], high: list[float], p50: float) -> pd.DataFrame:
        return pd.DataFrame({"series": series, "year_from": years, "year_to": years, "low": low, "high": high,
                             "p5": p50 / 2, "p25": p50 * 0.8, "p50": p50, "p75": p50 * 1.2, "p95": p50 * 2})

    years = list(range(1999, 2016))
    pred = pd.concat([rows("arrivals", years, [1000.0] * 17, [1000.0] * 17, 1200.0),
                      rows("women_share", [2000, 2002, 2003, 2004, 2005], [0.5] * 5, [0.5] * 5, 0.6),
                      rows("repatriated", [2002, 2021, 2023], [4809.0, 50.0, 500.0], [4809.0, np.inf, np.inf],
                           3000.0)], ignore_index=True)
    history = load_scenario("history")
    events = [{"id": e.id, "kind": e.kind, "start": e.start.isoformat(), "place": e.place} for e in history.events]
    return Validation("shipped", "history", pd.DataFrame(), pred, pd.DataFrame(), [], events, (2012, 2015))


def test_validation_figure_joins_only_consecutive_years_and_fits_each_panel_to_its_series() -> None:
    from nkborder.calibration import figure

    val = _validation_with_gaps()
    spec = figure.spec(val, runs=50)
    arrivals, women, repatriated = spec.all_panels()
    assert arrivals.bands and not arrivals.boxes  # 17 consecutive years: one band
    assert [p.x_range for p in spec.all_panels()] == [(1999.0, 2016.0), (2000.0, 2006.0), (2002.0, 2024.0)]
    assert spec.years() == (1999.0, 2024.0)  # the events are numbered over every panel's years
    # no two repatriation years are consecutive: no line, one box per observed year
    assert not repatriated.bands and repatriated.boxes[0].x0.tolist() == [2002.0, 2021.0, 2023.0]
    # the women's share of 2000 stands alone; 2002-2005 are joined
    assert women.boxes[0].x0.tolist() == [2000.0]
    band = women.bands[0]
    assert band.x[np.isfinite(band.median)].tolist() == [2002.5, 2003.5, 2004.5, 2005.5]
    assert figure.consecutive(np.array([2002, 2010, 2011, 2013, 2021, 2023])).tolist() == [
        False, True, True, False, False, False]
    fig = figure.figure(val, runs=50)
    _assert_style(fig, spec)
    assert [tuple(ax.get_xlim()) for ax in _panel_axes(fig)] == [p.x_range for p in spec.all_panels()]
    strips = [ax for ax in fig.axes if ax.get_ylabel() == "events"]
    assert [tuple(ax.get_xlim()) for ax in strips] == [p.x_range for p in spec.all_panels()]  # one under each
    for ax in strips:  # an event number outside the panel's years is not drawn (it would run into the margin)
        lo, hi = ax.get_xlim()
        assert all(lo <= t.get_position()[0] <= hi for t in ax.texts)


def test_interactive_validation_figure_gives_each_panel_its_own_years_ticks_and_strip() -> None:
    """Plotly draws each panel over its own x range, as the static renderer does: its own whole-year ticks
    under its own event strip, which holds the events inside those years and zooms with the panel."""
    from nkborder.calibration import figure
    from nkborder.figures.spec import year_step

    spec = figure.spec(_validation_with_gaps(), runs=50)
    fig = interactive.render(spec, 900)
    layout = fig.layout
    ys = sorted((k for k in layout if k.startswith("yaxis")), key=lambda k: int(k[5:] or 1))
    panels = [k for k in ys if layout[k].title.text != "events"]
    strips = [k for k in ys if layout[k].title.text == "events"]
    assert [layout[k].title.text for k in panels] == [p.unit for p in spec.all_panels()]
    ranges = [p.x_range for p in spec.all_panels()]
    assert ranges == [(1999.0, 2016.0), (2000.0, 2006.0), (2002.0, 2024.0)]
    x_axis = {k: layout["x" + k[1:]] for k in ys}
    assert [tuple(x_axis[k].range) for k in panels] == ranges
    assert [tuple(x_axis[k].range) for k in strips] == ranges
    assert [x_axis[k].matches for k in strips] == [x_axis[k].plotly_name.replace("axis", "") for k in panels]
    for k, (lo, hi) in zip(panels, ranges, strict=True):  # labelled under the strip, not under the panel
        assert x_axis[k].showticklabels is False
        assert x_axis[k].dtick == year_step(hi - lo, 9.0) and x_axis[k].tickformat == "d"
    assert [x_axis[k].dtick for k in strips] == [1, 1, 2]
    assert all(x_axis[k].showticklabels for k in strips)
    numbers = {t.xaxis: {int(n) for n in t.text} for t in fig.data if t.name == "policy events"}
    for k, (lo, hi) in zip(strips, ranges, strict=True):  # the events inside the panel's years, and only those
        assert numbers["x" + k[5:]] == {e.number for e in spec.events if lo <= e.x <= hi}
    assert numbers["x4"] == {1}  # the women's share, 2000-2005: one event
    filled = [t for t in fig.data if t.fill == "toself"]  # bands and boxes: no corner markers
    assert len(filled) >= 5 and all(t.mode == "lines" for t in filled)


def test_app_figures_are_drawn_at_the_width_shown(ensemble, comparison) -> None:
    from nkborder.app import charts

    narrow = charts.compare_figures(comparison, SHOWN[:2], width=535)[0]  # as the app shows it, two per row
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(narrow).get_renderer()
    axes = _panel_axes(narrow)
    right_column = min(ax.get_window_extent(renderer).x0 for ax in axes if ax.get_position().x0 > 0.5)
    for ax in axes:  # each title stays above its own panel: wrapped, not running into the next column
        box = ax.get_tightbbox(renderer)
        assert box.x1 <= (right_column if ax.get_position().x0 < 0.5 else 535), ax.get_title(loc="left")

    fig = charts.ensemble_figure(ensemble, SHOWN[:2], width=640)
    assert fig.get_figwidth() * fig.dpi == pytest.approx(640)
    assert charts.png(fig)[:4] == b"\x89PNG" and charts.svg(fig).lstrip().startswith(b"<?xml")
    plotly_levels, plotly_diff = charts.compare_plotly(comparison, SHOWN[:2], width=700)
    assert plotly_levels.layout.width == plotly_diff.layout.width == 700
    assert charts.ensemble_plotly(ensemble, SHOWN[:1], width=500).layout.width == 500
    assert set(charts.DEFAULT_INDICATORS) <= set(charts.INDICATORS)
    assert all("_" not in charts.title(c) for c in charts.INDICATORS)


@pytest.mark.slow
def test_cli_plot_honours_period_and_refuses_one_outside_the_runs(tmp_path) -> None:
    from typer.testing import CliRunner

    import nkborder
    from nkborder.cli import app

    db = tmp_path / "r.duckdb"
    nkborder.compare("history", "no-closure", reps=1, scale=0.005, start="2019-01-01", end="2020-12-31", db=db,
                     name="what-if", workers=1)
    runner = CliRunner()
    done = runner.invoke(app, ["plot", "what-if", "--db", str(db), "--out", str(tmp_path), "--period", "2020:2020",
                               "--indicators", "arrivals_south_korea_full", "--format", "svg", "--width", "800"])
    assert done.exit_code == 0, done.output
    svg = (tmp_path / "what-if-difference.svg").read_text()
    assert "comparison period 2020" in svg and "B - A, total 2020" in svg
    bad = runner.invoke(app, ["plot", "what-if", "--db", str(db), "--out", str(tmp_path), "--period", "1990:1991"])
    assert bad.exit_code == 2 and "--period" in bad.output + bad.stderr and "Traceback" not in bad.output
