"""Calibration and validation: observation model, interval distance, fit metrics, bad observed folders,
recovery of known parameters from synthetic data, resume after an interruption, the shipped posterior."""

from __future__ import annotations

import itertools
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import multivariate_normal

from nkborder.calibration import (
    calibrate,
    city_weights,
    expected_city_counts,
    load_shipped,
    load_targets,
    make_targets,
    national_equivalent,
)
from nkborder.calibration.distance import (
    MISSING_Z,
    TOLERANCES,
    interval_residual,
    partial_distance,
    sampling_noise,
    series_distances,
    series_spreads,
    total_distance,
    z_residuals,
)
from nkborder.calibration.metrics import fit_table, quantiles
from nkborder.calibration.posterior import Posterior, weighted_quantile
from nkborder.calibration.shipped import calibrated_params, write_toml
from nkborder.calibration.simulate import model_values
from nkborder.calibration.targets import FILES, SERIES
from nkborder.errors import InputError
from nkborder.observation.model import ObservationParams
from nkborder.params import Params

PACKAGE_DATA = Path(__file__).resolve().parents[1] / "nkborder" / "data"

Cli = Callable[..., subprocess.CompletedProcess]  # the nkb fixture (conftest.py)


# ------------------------------------------------------------------------------------------- mapping
def test_city_weights_are_province_share_times_population_share():
    w = city_weights()
    assert w["Hoeryong"] == pytest.approx(0.59 * 153532 / 2327362)
    assert w["Hyesan"] == pytest.approx(0.18 * 192680 / 719269)


def test_national_to_city_and_back():
    w = {"Hoeryong": 0.04, "Hyesan": 0.05}
    national = np.array([1000.0, 2000.0])
    cities = expected_city_counts(national, w, factor=2.0)
    assert cities["Hoeryong"] == pytest.approx([80.0, 160.0])
    assert cities["Hyesan"] == pytest.approx([100.0, 200.0])
    total = cities["Hoeryong"] + cities["Hyesan"]
    assert national_equivalent(total, w, ("Hoeryong", "Hyesan"), 2.0) == pytest.approx(national)
    # one city only: its own weight
    assert national_equivalent(cities["Hyesan"], w, ("Hyesan",), 2.0) == pytest.approx(national)
    with pytest.raises(InputError, match="city_modelled"):
        national_equivalent(total, w, ("Pyongyang",), 2.0)


def test_observation_parameter_declared_like_model_parameters():
    field = ObservationParams.model_fields["crossing_point_factor"]
    extra = field.json_schema_extra
    assert extra["calibrate"] and extra["unit"] == "multiplier" and extra["lo"] < field.default < extra["hi"]
    with pytest.raises(ValueError):
        ObservationParams(crossing_point_factor=50.0)
    with pytest.raises(ValueError):
        ObservationParams(unknown=1.0)


def test_model_values_map_counts_to_national_units():
    yearly = pd.DataFrame({
        "year": [2000, 2000, 2001, 2001], "city": ["Hoeryong", "Hyesan"] * 2,
        "arrivals_south_korea_full": [10.0, 30.0, 0.0, 0.0], "arrivals_south_korea_female_full": [5.0, 25.0, 0, 0],
        "in_china_full": [100.0, 100.0, 50.0, 50.0], "broker_fee_posted_cny": [500.0, 700.0, 1000.0, 1000.0],
        "guard_cut_share": [0.1, 0.2, 0.3, 0.4], "crossing_bribe_posted_cny": [400.0, 600.0, 900.0, 900.0],
        "repatriated_full": [3.0, 5.0, 0.0, 0.0],
    })  # fmt: skip
    targets = make_targets([
        {"series": "arrivals", "year_from": 2000, "year_to": 2000, "low": 1, "high": 1},
        {"series": "arrivals", "year_from": 2001, "year_to": 2001, "low": 1, "high": 1},
        {"series": "women_share", "year_from": 2000, "year_to": 2000, "low": 0.5, "high": 0.5},
        {"series": "women_share", "year_from": 2001, "year_to": 2001, "low": 0.5, "high": 0.5},
        {"series": "broker_fee", "year_from": 2000, "year_to": 2000, "low": 1, "high": 1},
        {"series": "broker_fee", "year_from": 2000, "year_to": 2000, "low": 1, "high": 1, "city": "Hyesan"},
        {"series": "crossing_bribe", "year_from": 2000, "year_to": 2000, "low": 1, "high": 1, "city": "Hoeryong"},
        {"series": "guard_cut", "year_from": 2000, "year_to": 2001, "low": 0, "high": 1},
        {"series": "china_stock", "year_from": 2001, "year_to": 2001, "low": 1, "high": np.inf},
        {"series": "arrivals", "year_from": 2003, "year_to": 2003, "low": 1, "high": 1},
        {"series": "repatriated", "year_from": 2000, "year_to": 2000, "low": 1, "high": 1},
        {"series": "repatriated", "year_from": 2001, "year_to": 2001, "low": 1, "high": 1},
    ])  # fmt: skip
    w = {"Hoeryong": 0.1, "Hyesan": 0.1}
    v = model_values(yearly, targets, w, factor=2.0, scale=0.1)
    assert v[0] == pytest.approx(40.0 / 0.4)
    assert v[1] == pytest.approx((0.5 / 0.1) / 0.4)  # no arrivals: half an agent
    assert v[2] == pytest.approx(0.75) and np.isnan(v[3])
    assert v[4] == pytest.approx(600.0) and v[5] == pytest.approx(700.0)
    assert v[6] == pytest.approx(400.0)  # the bribe posted in the row's city
    assert v[7] == pytest.approx(0.25)
    assert v[8] == pytest.approx(100.0 / 0.4)
    assert np.isnan(v[9])  # a year the run does not cover
    assert v[10] == pytest.approx(8.0 / 0.4)  # repatriations: a flow over the year, like arrivals
    assert v[11] == pytest.approx((0.5 / 0.1) / 0.4)


def test_repatriations_a_year_are_a_point_and_one_event_a_lower_bound():
    t = load_targets(PACKAGE_DATA, 1999, 2030).rows
    r = t[t.series == "repatriated"].set_index("year_to")
    # "North Koreans repatriated by China", 2002: the year's count
    assert (r.loc[2002, "low"], r.loc[2002, "high"]) == (4809, 4809)
    # the mass repatriation of 2023-10-09 (500-600) is one event: at least 500 that year
    assert r.loc[2023, "low"] == 500 and np.isinf(r.loc[2023, "high"])
    assert load_targets(PACKAGE_DATA, 1999, 2011).rows.query("series == 'repatriated'").year_to.tolist() == [2002]


# ------------------------------------------------------------------------------------------ distance
def test_interval_residual_zero_inside_distance_outside():
    r = interval_residual([5.0, 0.0, 12.0, 100.0, np.nan], [2.0, 2.0, 2.0, 50.0, 1.0], [10.0, 10.0, 10.0, np.inf, 2.0])
    assert r[:4] == pytest.approx([0.0, 2.0, 2.0, 0.0])
    assert np.isnan(r[4])


def test_z_scored_distance_weighs_each_series_equally():
    targets = make_targets(
        [{"series": "women_share", "year_from": y, "year_to": y, "low": 0.5, "high": 0.5} for y in range(2000, 2010)]
        + [{"series": "guard_cut", "year_from": 2006, "year_to": 2007, "low": 0.3, "high": 0.4}]
        + [{"series": "arrivals", "year_from": 2001, "year_to": 2001, "low": 100, "high": 100}]
    )
    spreads = {"women_share": 0.1, "guard_cut": 0.1, "arrivals": 0.5}
    values = np.array([0.6] * 10 + [0.5, 100 * np.e])
    z = z_residuals(values, targets, spreads)
    assert z[:10] == pytest.approx([1.0] * 10)  # 0.1 off / spread 0.1
    assert z[10] == pytest.approx(1.0)  # 0.1 above the interval's top
    assert z[11] == pytest.approx(2.0)  # log(e) / 0.5
    d = series_distances(values, targets, spreads)
    assert d == pytest.approx({"women_share": 1.0, "guard_cut": 1.0, "arrivals": 2.0})
    assert total_distance(values, targets, spreads) == pytest.approx(np.sqrt((1 + 1 + 4) / 3))
    values[0] = np.nan  # a year without a value counts MISSING_Z spreads
    assert series_distances(values, targets, spreads)["women_share"] == pytest.approx(
        np.sqrt((9 + MISSING_Z**2) / 10))


def test_each_series_is_divided_by_the_miss_its_target_allows():
    targets = make_targets([{"series": "arrivals", "year_from": y, "year_to": y, "low": v, "high": v}
                            for y, v in ((2000, 100.0), (2001, 100.0 * np.e**2))]
                           + [{"series": "broker_fee", "year_from": 2010, "year_to": 2010, "low": 10000, "high": 10000},
                              {"series": "guard_cut", "year_from": 2000, "year_to": 2000, "low": 0.1, "high": 0.1}])
    s = series_spreads(targets)
    assert s == {"arrivals": TOLERANCES["arrivals"], "broker_fee": TOLERANCES["broker_fee"],
                 "guard_cut": TOLERANCES["guard_cut"]}
    assert set(TOLERANCES) == set(SERIES)
    # a fee off by a factor of 2 is one tolerance; arrivals 20 % off (in log units) are one as well
    z = z_residuals(np.array([100.0 * np.exp(0.2), 100.0 * np.e**2, 20000.0, 0.2]), targets, s)
    assert z == pytest.approx([1.0, 0.0, 1.0, 1.0])


def test_partial_distance_is_a_lower_bound_that_grows_to_the_distance():
    targets = make_targets(
        [{"series": "arrivals", "year_from": y, "year_to": y, "low": 100, "high": 100} for y in range(2000, 2004)]
        + [{"series": "repatriated", "year_from": 2002, "year_to": 2002, "low": 50, "high": np.inf}]
    )
    spreads = series_spreads(targets)
    final = np.array([150.0, 80.0, 100.0, 300.0, 10.0])
    d = total_distance(final, targets, spreads)
    partials = []
    for known in range(len(final) + 1):
        values = np.where(np.arange(len(final)) < known, final, np.nan)
        partials.append(partial_distance(values, targets, spreads))
    assert partials[0] == 0.0 and partials[-1] == pytest.approx(d)
    assert all(a <= b for a, b in itertools.pairwise(partials)), partials
    # a row known to have no value counts MISSING_Z at the end, 0 while unknown: still a lower bound
    final[1] = np.nan
    assert partial_distance(final, targets, spreads) <= total_distance(final, targets, spreads)
    # with each row's sampling noise in its divisor, the partial distance still grows to the distance
    noise = sampling_noise(targets, 0.05, {})
    assert (noise > 0).all()
    final[1] = 80.0
    partials = [partial_distance(np.where(np.arange(len(final)) < known, final, np.nan), targets, spreads, noise)
                for known in range(len(final) + 1)]
    assert all(a <= b for a, b in itertools.pairwise(partials)), partials
    assert partials[-1] == pytest.approx(total_distance(final, targets, spreads, noise))
    assert partials[-1] < d  # a larger divisor, a smaller distance


# ------------------------------------------------------------------------------ sampling noise
NOISE_PARAMETERS = ["intent_intercept"]  # the crossing-point factor held fixed, so the noise is computed by hand


def _noise_setup(scale: float, factor: float = 2.0):
    from nkborder.calibration.smc import prepare

    return prepare("history", PACKAGE_DATA, until=2015, scale=scale, parameters=NOISE_PARAMETERS,
                   fixed={"crossing_point_factor": factor})


def _divisors(setup) -> pd.Series:
    rows = setup.targets.rows
    return pd.Series(setup.distance().rows.divisor, index=pd.MultiIndex.from_frame(rows[["series", "year_to"]]))


def test_count_and_share_divisors_add_the_sampling_noise_at_the_calibration_scale():
    setup = _noise_setup(0.25)
    w = city_weights()
    people = 0.25 * 2.0 * (0.59 * 153532 / 2327362 + 0.18 * 192680 / 719269)  # simulated per national person
    assert people == pytest.approx(0.25 * 2.0 * (w["Hoeryong"] + w["Hyesan"]))
    div = _divisors(setup)
    # 148 arrivals in 1999 (defector_arrivals.csv): about 6.4 simulated people, Poisson noise 0.39 log units
    assert div[("arrivals", 1999)].item() == pytest.approx(np.sqrt(0.2**2 + 1 / (148 * people)))
    assert div[("arrivals", 1999)].item() == pytest.approx(0.4417, abs=1e-4)
    # the share of women in 2002: 632 of 1,142 arrivals
    p, n = 632 / 1142, 1142 * people
    assert div[("women_share", 2002)].item() == pytest.approx(np.sqrt(0.1**2 + p * (1 - p) / n))
    # a lower bound counts its bound: at least 500 repatriated in 2023
    assert div[("repatriated", 2023)].item() == pytest.approx(np.sqrt(np.log(2) ** 2 + 1 / (500 * people)))
    # a resumed calibration divides by the divisors its definition recorded
    from nkborder.calibration.smc import setup_from

    np.testing.assert_allclose(setup_from(setup.definition).distance().rows.divisor, div.to_numpy())
    assert setup.definition["noise_factor"] == 2.0


def test_divisors_fall_toward_the_tolerance_as_the_scale_grows():
    divisors = {scale: _divisors(_noise_setup(scale)) for scale in (0.05, 0.25, 1.0)}
    rows = _noise_setup(0.05).targets.rows
    tolerances = rows["series"].map(TOLERANCES).to_numpy()
    noisy = rows["series"].isin(["arrivals", "women_share", "china_stock", "repatriated"]).to_numpy()
    excess = {scale: d.to_numpy() ** 2 - tolerances**2 for scale, d in divisors.items()}
    assert (excess[0.05][noisy] > excess[0.25][noisy]).all() and (excess[0.25][noisy] > excess[1.0][noisy]).all()
    assert (excess[1.0][noisy] > 0).all()
    # the noise's variance falls as 1 / scale
    np.testing.assert_allclose(excess[0.25][noisy] * 0.25, excess[1.0][noisy] * 1.0)
    np.testing.assert_allclose(excess[0.05][noisy] * 0.05, excess[1.0][noisy] * 1.0)
    # arrivals of 1999: 0.70 log units at scale 0.05, 0.44 at 0.25, 0.26 at 1
    first = [divisors[scale][("arrivals", 1999)].item() for scale in (0.05, 0.25, 1.0)]
    assert first[0] > first[1] > first[2] > TOLERANCES["arrivals"]


def test_prices_fees_and_shares_of_money_are_divided_by_their_tolerance_alone():
    setup = _noise_setup(0.05)
    rows = setup.targets.rows
    plain = ~rows["series"].isin(["arrivals", "women_share", "china_stock", "repatriated"]).to_numpy()
    assert set(rows.loc[plain, "series"]) == {"broker_fee", "crossing_bribe", "guard_cut", "remittance_commission"}
    divisor = setup.distance().rows.divisor
    assert divisor[plain].tolist() == rows.loc[plain, "series"].map(TOLERANCES).tolist()


def test_the_noise_assumes_the_shipped_crossing_point_factor_when_it_is_calibrated():
    from nkborder.calibration.smc import prepare

    setup = prepare("history", PACKAGE_DATA, until=2015, scale=0.25)
    factor = load_shipped().median()["crossing_point_factor"]
    assert setup.definition["noise_factor"] == pytest.approx(factor)
    np.testing.assert_allclose(setup.noise, _noise_setup(0.25, factor).noise)
    assert not np.allclose(setup.noise, _noise_setup(0.25, 2.0).noise)


# ------------------------------------------------------------------------------------------- metrics
def test_fit_table_metrics_on_hand_made_numbers():
    rows = pd.DataFrame({
        "series": ["arrivals"] * 4 + ["china_stock"], "period": ["calibration"] * 2 + ["holdout"] * 2 + ["calibration"],
        "low": [100.0, 200.0, 100.0, 400.0, 50.0], "high": [100.0, 200.0, 100.0, 400.0, 80.0],
        "value": [100.0, 200.0, 100.0, 400.0, 65.0],
    })  # fmt: skip
    # runs x rows: row 0 median 110, row 1 median 150, row 2 median 100, row 3 median 500, row 4 median 70
    runs = np.array([[100, 100, 90, 480, 60], [110, 150, 100, 500, 70], [120, 160, 110, 520, 80.0]])
    q = quantiles(runs)
    fit = fit_table(rows, q).set_index(["series", "period"])
    cal, hold = fit.loc[("arrivals", "calibration")], fit.loc[("arrivals", "holdout")]
    assert cal["n"] == 2 and cal["mae"] == pytest.approx((10 + 50) / 2)
    assert cal["mape"] == pytest.approx(100 * (0.1 + 0.25) / 2)
    # 90% band of row 0: p5 101..p95 119 -> 100 outside; row 1: 105..159 -> 200 outside
    assert cal["coverage_90"] == 0.0
    assert hold["mae"] == pytest.approx(50.0) and hold["mape"] == pytest.approx(100 * 100 / 400 / 2)
    assert hold["coverage_90"] == pytest.approx(0.5) and hold["coverage_50"] == pytest.approx(0.5)
    stock = fit.loc[("china_stock", "calibration")]
    assert stock["mae"] == 0.0 and stock["coverage_50"] == 1.0  # median 70 inside [50, 80]
    # medians 110, 150 against 100, 200: within a factor of 2; held out 100 (yes) and 500 against 400 (yes)
    assert cal["within_2x"] == 1.0 and hold["within_2x"] == 1.0
    assert list(fit.reset_index().columns) == ["series", "period", "n", "mae", "mape", "coverage_50", "coverage_90",
                                               "within_2x"]
    far = fit_table(rows.iloc[:1], quantiles(np.array([[190.0], [210.0], [230.0]])))
    assert far["within_2x"].iloc[0] == 0.0  # median 210 against 100


def test_a_point_band_equal_to_the_observation_but_for_rounding_covers_it():
    """A posted share the model computes from the sourced value it is compared with (the guards' cut of 2011-2013)
    differs from it in the last bits; its point band still covers the point, and a band truly off does not."""
    from nkborder.calibration.metrics import band_covers

    cut = 0.11 * 3 / 3 + 1e-16 * 2  # 0.11000000000000021, as the environment posts it
    assert cut != 0.11
    rows = pd.DataFrame({"series": ["guard_cut"] * 2, "period": ["holdout"] * 2, "low": [0.11, 0.3],
                         "high": [0.11, 0.4], "value": [0.11, 0.35]})
    fit = fit_table(rows, quantiles(np.array([[cut, 0.346]] * 3)))
    assert fit["coverage_90"].iloc[0] == 1.0 and fit["coverage_50"].iloc[0] == 1.0
    assert band_covers([0.1100001], [0.12], [0.11], [0.11]).tolist() == [False]
    assert band_covers([0.05], [0.1099999], [0.11], [0.11]).tolist() == [False]
    assert band_covers([1e6], [2e6], [150000.0], [np.inf]).tolist() == [True]  # a lower bound


def test_targets_judge_arrivals_by_coverage_and_mape_and_the_others_by_coverage_and_factor_2():
    from nkborder.calibration.validate import check_targets

    fit = pd.DataFrame([
        {"series": "arrivals", "period": "calibration", "n": 13, "mae": 1, "mape": 19.0, "coverage_50": 0.5,
         "coverage_90": 0.85, "within_2x": 1.0},
        {"series": "arrivals", "period": "holdout", "n": 4, "mae": 1, "mape": 21.0, "coverage_50": 0.5,
         "coverage_90": 0.75, "within_2x": 1.0},
        {"series": "broker_fee", "period": "calibration", "n": 4, "mae": 1, "mape": 50.0, "coverage_50": 0.5,
         "coverage_90": 0.75, "within_2x": 0.75},
    ])  # fmt: skip
    checks = check_targets(fit).set_index(["series", "period"])
    assert checks.loc[("arrivals", "calibration"), "met"].tolist() == [True, True]
    assert checks.loc[("arrivals", "holdout"), "met"].tolist() == [False, False]
    assert checks.loc[("broker_fee", "calibration"), "met"].tolist() == [True, False]


def test_weighted_quantile_and_posterior_summary():
    assert weighted_quantile([1, 2, 3], [1, 1, 1], 0.5) == pytest.approx(2.0)
    assert weighted_quantile([1, 2, 3], [0, 0, 1], 0.5) == pytest.approx(3.0)
    parts = pd.DataFrame({"a": [0.0, 1.0, 2.0, 3.0], "b": [0.0, 2.0, 4.0, 6.0]})
    post = Posterior("x", parts, pd.Series([1.0, 1.0, 1.0, 1.0]),
                     {"priors": [{"name": "a", "lo": 0, "hi": 10, "unit": "u"}]})
    assert post.correlations().loc["a", "b"] == pytest.approx(1.0)
    s = post.summary().set_index("parameter")
    assert s.loc["a", "median"] == pytest.approx(1.5) and s.loc["a", "width_share"] < 0.4


# -------------------------------------------------------------------------------------- bad folders
def _copy_data(tmp_path: Path) -> Path:
    d = tmp_path / "observed"
    d.mkdir(parents=True)
    for name in FILES:
        shutil.copy(PACKAGE_DATA / name, d / name)
    return d


def test_observed_folder_missing_file_names_the_file(tmp_path):
    d = _copy_data(tmp_path)
    (d / "defector_arrivals.csv").unlink()
    with pytest.raises(InputError, match=r"defector_arrivals\.csv"):
        load_targets(d)
    with pytest.raises(InputError, match="not a directory"):
        load_targets(tmp_path / "nowhere")


def test_observed_folder_missing_column_names_file_and_column(tmp_path):
    d = _copy_data(tmp_path)
    text = (d / "defector_arrivals.csv").read_text().replace("total,", "all,", 1)
    (d / "defector_arrivals.csv").write_text(text)
    with pytest.raises(InputError) as err:
        load_targets(d)
    assert "defector_arrivals.csv" in err.value.source and err.value.field == "total"
    d2 = _copy_data(tmp_path / "second")
    text = (d2 / "populations.csv").read_text().replace("population,", "people,", 1)
    (d2 / "populations.csv").write_text(text)
    with pytest.raises(InputError) as err:
        city_weights(d2)
    assert "populations.csv" in err.value.source and err.value.field == "population"


def test_newer_years_in_the_folder_are_used(tmp_path):
    d = _copy_data(tmp_path)
    with (d / "defector_arrivals.csv").open("a") as f:
        f.write("2016,1418,302,1116,mou-annual,\n")
    t = load_targets(d, 1999, 2016).rows
    row = t.loc[(t["series"] == "arrivals") & (t["year_to"] == 2016)]
    assert row["value"].tolist() == [1418.0]
    assert 1998 not in set(t.loc[t["series"] == "arrivals", "year_to"])  # cumulative row dropped


def test_cli_reports_bad_observed_folder(tmp_path, nkb: Cli):
    res = nkb("calibrate", "history", "--observed", str(tmp_path / "none"), cwd=tmp_path)
    assert res.returncode == 2 and "not a directory" in res.stderr and "Traceback" not in res.stderr
    d = _copy_data(tmp_path)
    (d / "border_costs.csv").unlink()
    res = nkb("calibrate", "history", "--observed", str(d), cwd=tmp_path)
    assert res.returncode == 2 and "border_costs.csv" in res.stderr
    res = nkb("validate", "history", "--observed", str(PACKAGE_DATA), "--holdout", "2015-2012", cwd=tmp_path)
    assert res.returncode == 2 and "--holdout" in res.stderr
    assert not (tmp_path / "nkborder.duckdb").exists()


def test_spread_option_replaces_one_series_spread_and_is_recorded():
    from nkborder.calibration.smc import default_name, prepare

    plain = prepare("history", PACKAGE_DATA, until=2011)
    assert "spread_overrides" not in plain.definition  # old calibrations keep their names and resume
    setup = prepare("history", PACKAGE_DATA, until=2011, spreads={"arrivals": 0.3})
    assert setup.spreads["arrivals"] == 0.3 != plain.spreads["arrivals"]
    assert {k: v for k, v in setup.spreads.items() if k != "arrivals"} == {
        k: v for k, v in plain.spreads.items() if k != "arrivals"}
    assert setup.definition["spread_overrides"] == {"arrivals": 0.3}
    assert setup.definition["spreads"]["arrivals"] == 0.3  # what a resume divides by
    assert default_name(setup.definition) != default_name(plain.definition)
    for bad, reason in (({"arrival": 0.3}, "unknown series"), ({"arrivals": 0.0}, "not a positive number"),
                        ({"arrivals": float("nan")}, "not a positive number")):
        with pytest.raises(InputError, match=reason) as err:
            prepare("history", PACKAGE_DATA, until=2011, spreads=bad)
        assert "--spread" in str(err.value)


def test_cli_reports_a_bad_spread(tmp_path, nkb: Cli):
    for value, reason in (("arrivals=-1", "not a positive number"), ("arrivals", "expected name=value")):
        res = nkb("calibrate", "history", "--observed", str(PACKAGE_DATA), "--spread", value, cwd=tmp_path)
        assert res.returncode == 2 and "--spread" in res.stderr and reason in res.stderr
        assert "Traceback" not in res.stderr
    assert not (tmp_path / "nkborder.duckdb").exists()


def test_cli_reports_a_bad_last_year(tmp_path, nkb: Cli):
    for value, reason in (("repatriation=2023", "unknown series"), ("repatriated=1990", "not a year")):
        res = nkb("calibrate", "history", "--observed", str(PACKAGE_DATA), "--last", value, cwd=tmp_path)
        assert res.returncode == 2 and "--last" in res.stderr and reason in res.stderr, res.stderr
        assert "Traceback" not in res.stderr
    assert not (tmp_path / "nkborder.duckdb").exists()


def test_cli_reports_a_bad_time_budget(tmp_path, nkb: Cli):
    for value in ("0", "-5", "nan"):
        res = nkb("calibrate", "history", "--observed", str(PACKAGE_DATA), "--max-minutes", value, cwd=tmp_path)
        assert res.returncode == 2 and "--max-minutes" in res.stderr and "positive" in res.stderr, res.stderr
        assert "Traceback" not in res.stderr
    assert not (tmp_path / "nkborder.duckdb").exists()
    for value in ("0", "1", "1.5", "nan"):
        res = nkb("calibrate", "history", "--observed", str(PACKAGE_DATA), "--min-tolerance-fall", value,
                  cwd=tmp_path)
        assert res.returncode == 2 and "--min-tolerance-fall" in res.stderr and "between 0 and 1" in res.stderr
    assert not (tmp_path / "nkborder.duckdb").exists()


def test_sigterm_stops_a_calibration_like_ctrl_c():
    import os
    import signal

    from nkborder.calibration.smc import terminate_as_interrupt

    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt), terminate_as_interrupt():
        os.kill(os.getpid(), signal.SIGTERM)
        for _ in range(1000):  # the handler runs at the next bytecode boundary
            pass
    assert signal.getsignal(signal.SIGTERM) is before


# ------------------------------------------------------------------------------------ perturbation kernel
def test_beaumont_kernel_has_twice_the_weighted_covariance():
    from nkborder.calibration.smc import make_transition

    rng = np.random.default_rng(4)
    x = pd.DataFrame(rng.normal(size=(50, 3)) * [1.0, 3.0, 0.2], columns=["a", "b", "c"])
    w = rng.random(50)
    w /= w.sum()
    mean = w @ x.to_numpy()
    dev = x.to_numpy() - mean
    unbiased = (dev.T * w) @ dev / (1.0 - np.sum(w**2))  # the weighted sample covariance (unbiased)
    kernel = make_transition("beaumont2009")
    kernel.fit(x, w)
    assert np.allclose(kernel.cov, 2.0 * unbiased)
    narrow = make_transition("silverman")
    narrow.fit(x, w)
    assert np.all(np.diag(narrow.cov) < np.diag(unbiased))  # Silverman's factor is below 1
    with pytest.raises(InputError, match="transition"):
        make_transition("nearest")


def test_boxed_kernel_draws_what_pyabc_redraws_would_inside_the_priors():
    """The batched draws inside the box have the distribution of pyabc's one-at-a-time redraws (the parent's
    ``rvs_single`` repeated until inside): the same mean and spread per coordinate within sampling error, and the
    same density."""
    from nkborder.calibration.priors import Prior
    from nkborder.calibration.smc import make_transition

    rng = np.random.default_rng(7)
    x = pd.DataFrame({"a": rng.uniform(0.6, 1.0, 40), "b": rng.uniform(0.0, 0.3, 40)})  # crowded at the bounds
    w = rng.random(40)
    w /= w.sum()
    box = [Prior("a", 0.0, 1.0, "", False), Prior("b", 0.0, 1.0, "", False)]
    boxed, plain = make_transition("beaumont2009", box), make_transition("beaumont2009")
    boxed.fit(x, w)
    plain.fit(x, w)
    np.random.seed(3)
    fast = pd.DataFrame([boxed.rvs_single() for _ in range(4000)])
    slow = []
    while len(slow) < 4000:
        draw = plain.rvs_single()
        if 0.0 <= draw["a"] <= 1.0 and 0.0 <= draw["b"] <= 1.0:
            slow.append(draw)
    slow = pd.DataFrame(slow)
    assert fast["a"].between(0, 1).all() and fast["b"].between(0, 1).all()
    for column in ("a", "b"):
        se = np.hypot(fast[column].std(), slow[column].std()) / np.sqrt(4000)
        assert abs(fast[column].mean() - slow[column].mean()) < 4 * se, column
        assert fast[column].std() == pytest.approx(slow[column].std(), rel=0.06), column
    assert abs(fast["a"].mean() - x["a"].mean()) > 0.01  # the cut moves the mean: the check above is not void
    point = pd.Series({"a": 0.9, "b": 0.1})
    assert boxed.pdf(point) == plain.pdf(point)


def test_definitions_without_a_kernel_resume_with_pyabc_default():
    import pyabc

    from nkborder.calibration.smc import TRANSITION, prepare

    setup = prepare("history", until=2001, scale=0.01, population=4, parameters=["intent_intercept"])
    assert setup.definition["transition"] == TRANSITION == "tempered"
    kernel = setup.abc(pyabc.SingleCoreSampler()).transitions[0]
    assert kernel.scaling == 2.0 and (kernel.lo, kernel.hi) == ({"intent_intercept": -15.0}, {"intent_intercept": -6.0})
    del setup.definition["transition"]  # a stored definition that names no kernel
    old = setup.abc(pyabc.SingleCoreSampler()).transitions[0]
    assert old.scaling == 1 and old.bandwidth_selector is pyabc.transition.silverman_rule_of_thumb


POPULATION = 160  # particles of the toy calibrations


def _toy_ess(kind: str) -> list[float]:
    """Effective sample size of generations 1-2 of pyabc on a 12-parameter toy problem with ``kind``'s kernel:
    uniform priors on [0, 1], a noisy distance to a known point that six parameters move ten times more than
    the other six (like the model's identified and unidentified parameters), :data:`POPULATION` particles, median
    tolerance."""
    import pyabc

    from nkborder.calibration.smc import MedianTolerance, make_transition

    dims, truth = 12, np.linspace(0.3, 0.7, 12)
    sensitivity = np.array([3.0] * 6 + [0.3] * 6)
    rng = np.random.default_rng(11)

    def model(par):
        x = np.array([par[f"p{i}"] for i in range(dims)])
        return {"d": float(np.sqrt(np.mean((sensitivity * (x - truth)) ** 2)) + 0.05 * rng.normal() ** 2)}

    np.random.seed(11)  # pyabc's proposals
    prior = pyabc.Distribution(**{f"p{i}": pyabc.RV("uniform", 0, 1) for i in range(dims)})
    abc = pyabc.ABCSMC(model, prior, lambda x, x0: x["d"], population_size=POPULATION, eps=MedianTolerance(),
                       sampler=pyabc.SingleCoreSampler(), transitions=make_transition(kind))
    abc.new("sqlite://", {"d": 0.0})
    history = abc.run(max_nr_populations=3)
    return [1.0 / float(np.sum(history.get_distribution(t=t)[1] ** 2)) for t in range(1, 3)]


def test_tempered_kernel_draws_from_and_weighs_by_the_tempered_mixture():
    """Mixture weights and covariance under ``w ** 0.5``; its density is that of the mixture it draws from."""
    from nkborder.calibration.priors import Prior
    from nkborder.calibration.smc import make_transition

    rng = np.random.default_rng(5)
    x = pd.DataFrame({"a": rng.uniform(0.2, 0.8, 30), "b": rng.uniform(0.2, 0.8, 30)})
    w = rng.random(30) ** 4
    w /= w.sum()
    kernel = make_transition("tempered", [Prior("a", 0.0, 1.0, "", False), Prior("b", 0.0, 1.0, "", False)])
    kernel.fit(x, w)
    tempered = np.sqrt(w) / np.sqrt(w).sum()
    assert np.allclose(kernel.w, tempered)
    mean = tempered @ x.to_numpy()
    dev = x.to_numpy() - mean
    assert np.allclose(kernel.cov, 2.0 * (dev.T * tempered) @ dev / (1.0 - np.sum(tempered**2)))
    point = np.array([0.5, 0.4])
    density = sum(t * multivariate_normal.pdf(point, xi, kernel.cov) for t, xi in
                  zip(tempered, x.to_numpy(), strict=True))
    assert kernel.pdf(pd.Series({"a": 0.5, "b": 0.4})) == pytest.approx(density, rel=1e-9)


def _noisy_toy_ess(kind: str, generations: int = 7) -> list[float]:
    """Effective sample size of generations 1.. of pyabc on a 20-parameter toy: uniform [0, 1] priors, truths
    from 0.03 to 0.97, six parameters moved ten times more than the other fourteen, a distance with added noise
    0.3 x |N(0, 1)| (like a run at a small scale), 150 particles, median tolerance, proposals inside the box."""
    import pyabc

    from nkborder.calibration.priors import Prior
    from nkborder.calibration.smc import MedianTolerance, make_transition

    dims, truth = 20, np.linspace(0.03, 0.97, 20)
    sensitivity = np.array([3.0] * 6 + [0.3] * 14)
    rng = np.random.default_rng(1)

    def model(par):
        x = np.array([par[f"p{i}"] for i in range(dims)])
        return {"d": float(np.sqrt(np.mean((sensitivity * (x - truth)) ** 2)) + 0.3 * abs(rng.normal()))}

    np.random.seed(1)  # pyabc's proposals
    prior = pyabc.Distribution(**{f"p{i}": pyabc.RV("uniform", 0, 1) for i in range(dims)})
    box = [Prior(f"p{i}", 0.0, 1.0, "", False) for i in range(dims)]
    abc = pyabc.ABCSMC(model, prior, lambda x, x0: x["d"], population_size=150, eps=MedianTolerance(),
                       sampler=pyabc.SingleCoreSampler(), transitions=make_transition(kind, box))
    abc.new("sqlite://", {"d": 0.0})
    history = abc.run(max_nr_populations=generations)
    return [1.0 / float(np.sum(history.get_distribution(t=t)[1] ** 2)) for t in range(1, generations)]


@pytest.mark.slow
def test_tempered_kernel_keeps_the_effective_sample_size_in_twenty_dimensions():
    """Twice the weighted covariance collapses onto a few particles on the noisy 20-parameter toy; the tempered
    kernel keeps more than 15 % of the population in every generation."""
    weighted, tempered = _noisy_toy_ess("beaumont2009"), _noisy_toy_ess("tempered")
    assert min(weighted) < 0.05 * 150, weighted
    assert min(tempered) > 0.15 * 150, tempered


@pytest.mark.slow
def test_beaumont_kernel_keeps_the_importance_weights_spread():
    """On a toy problem of 12 parameters pyabc's default kernel lets a few particles carry the weight, and the
    kernel of twice the covariance does not."""
    wide, narrow = _toy_ess("beaumont2009"), _toy_ess("silverman")
    assert min(wide) > 0.3 * POPULATION, wide
    assert min(narrow) < 0.15 * POPULATION, narrow


# --------------------------------------------------------------------- runs read during the simulation
SMALL_RUN = {"until": 2003, "scale": 0.01}
SMALL_ROWS = [
    *({"series": "arrivals", "year_from": y, "year_to": y, "low": 300, "high": 300} for y in range(1999, 2004)),
    {"series": "women_share", "year_from": 2002, "year_to": 2002, "low": 0.55, "high": 0.55},
    {"series": "broker_fee", "year_from": 2002, "year_to": 2003, "low": 500, "high": 500},
    {"series": "crossing_bribe", "year_from": 2001, "year_to": 2001, "low": 500, "high": 500, "city": "Hoeryong"},
    {"series": "guard_cut", "year_from": 2000, "year_to": 2002, "low": 0.1, "high": 0.2},
    {"series": "remittance_commission", "year_from": 2001, "year_to": 2003, "low": 0.2, "high": 0.3},
    {"series": "china_stock", "year_from": 2000, "year_to": 2000, "low": 75000, "high": 125000},
    {"series": "repatriated", "year_from": 2002, "year_to": 2002, "low": 4809, "high": 4809},
]


@pytest.fixture(scope="module")
def small_setup():
    from nkborder.calibration.smc import prepare

    return prepare("history", None, SMALL_RUN["until"], SMALL_RUN["scale"], seed=5, targets=make_targets(SMALL_ROWS),
                   last={})


def test_values_read_during_the_run_are_those_of_the_yearly_table(small_setup):
    """The values read from the simulation's arrays (YearlyReader) equal those the measures read from
    ``nkborder.run(...).yearly``; the posted conditions known before the run are those of the finished run."""
    from nkborder.api import run
    from nkborder.calibration.simulate import sim_seed, split_values

    model = small_setup.model()
    pars = {"intent_intercept": -9.0, "crossing_point_factor": 2.5}
    seen = {}
    out = model.run(pars, check=lambda values, year: seen.setdefault(year, values.copy()))
    values = {**model.fixed, **pars}
    overrides, obs = split_values(values)
    yearly = run(small_setup.scenario, seed=sim_seed(model.seed, values), scale=model.scale, overrides=overrides,
                 daily=False).yearly
    expected = model_values(yearly, small_setup.targets, model.weights, obs["crossing_point_factor"], model.scale)
    assert np.isfinite(expected).all()
    np.testing.assert_allclose(out["values"], expected, rtol=1e-9)
    rows = small_setup.targets.rows
    before = seen[1994]  # before the first simulated day: only the rows that read posted conditions
    posted = rows["series"].isin(["broker_fee", "crossing_bribe", "guard_cut"]).to_numpy()
    assert np.isnan(before[~posted]).all()
    np.testing.assert_allclose(before[posted], expected[posted], rtol=1e-9)
    # after 2000: the rows ending by 2000 are known and final, the later count rows are not yet
    known = (rows["year_to"] <= 2000).to_numpy() | posted
    np.testing.assert_allclose(seen[2000][known], expected[known], rtol=1e-9)
    assert np.isnan(seen[2000][~known]).all()
    assert sorted(seen) == list(range(1994, SMALL_RUN["until"]))


def test_reader_values_equal_the_measures_on_its_columns_to_the_bit():
    """Every row the reader gives during a run (arrays) equals what the measures read from the DataFrame of the
    same columns at the end (model_values), to the bit."""
    import datetime as dt

    from nkborder.calibration.simulate import YearlyReader
    from nkborder.calibration.smc import prepare
    from nkborder.engine.sim import Simulation

    setup = prepare("history", PACKAGE_DATA, until=2005, scale=0.01, last={})
    model = setup.model()
    sim = Simulation(setup.scenario, setup.scenario.parameters({"intent_intercept": -9.0}), seed=2, scale=0.01,
                     summaries=False)
    reader = YearlyReader(sim, model, 2.5)
    seen = [reader.values(1998)]
    for date, _ in sim.steps():
        if date.month == 12 and date.day == 31:
            seen.append(reader.values(date.year))
    assert sim.scenario.end == dt.date(2005, 12, 31)
    expected = model_values(pd.DataFrame(reader.columns), setup.targets, model.weights, 2.5, 0.01)
    assert len(expected) >= 15 and np.isfinite(expected).all()
    np.testing.assert_array_equal(seen[-1], expected)
    for values in seen:  # a row's value, once known, never changes
        known = ~np.isnan(values)
        np.testing.assert_array_equal(values[known], expected[known])


def test_counting_client_asks_the_scheduler_for_cores_only_after_its_refresh_time():
    """pyabc's sampler asks for the workers' cores every 10 ms; the client answers from a copy, refreshed after
    ``refresh_s`` seconds, and counts finished jobs."""
    import time

    from nkborder.calibration.progress import CountingClient

    class Scheduler:
        asked, cores = 0, {"w1": 1, "w2": 1}

        def ncores(self, workers=None):
            self.asked += 1
            return dict(self.cores) if workers is None else {w: self.cores[w] for w in workers}

    done = []
    scheduler = Scheduler()
    client = CountingClient(scheduler, lambda: done.append(1), refresh_s=0.2)
    assert [sum(client.ncores().values()) for _ in range(50)] == [2] * 50 and scheduler.asked == 1
    assert client.ncores(["w1"]) == {"w1": 1} and scheduler.asked == 2  # a question with arguments passes
    scheduler.cores = {"w1": 1, "w2": 1, "w3": 1}  # a worker joins
    time.sleep(0.25)
    assert sum(client.ncores().values()) == 3 and scheduler.asked == 3


def test_early_rejection_stops_runs_over_the_tolerance_and_keeps_the_others(small_setup):
    from nkborder.calibration.distance import SeriesDistance
    from nkborder.calibration.simulate import EarlyRejectModel, take_stops

    model = small_setup.model()
    distance = small_setup.distance()
    assert isinstance(distance, SeriesDistance) and (distance.noise > 0).any()  # counts carry their noise
    take_stops()  # this process's counts start from 0
    early = EarlyRejectModel(model, distance)
    pars = {"intent_intercept": -8.0, "crossing_point_factor": 2.0}
    partials = []
    full = model.run(pars, check=lambda values, year: partials.append(distance.partial(values)))
    d = distance(full, {})
    assert all(a <= b + 1e-12 for a, b in itertools.pairwise(partials)) and partials[-1] <= d + 1e-12
    kept = early.integrated_simulate(pars, d * (1 + 1e-9))  # a run that finishes: the same values and distance
    assert kept.accepted and kept.distance == d
    np.testing.assert_array_equal(kept.sum_stat["values"], full["values"])
    assert not early.integrated_simulate(pars, d * (1 - 1e-9)).accepted  # finished, just over the tolerance
    assert not early.stopped
    stop_at = partials[len(partials) // 2]
    assert 0 < stop_at < d
    assert not early.integrated_simulate(pars, stop_at * 0.999).accepted
    assert early.stopped and max(early.stopped) < SMALL_RUN["until"]  # stopped before the last year
    before = bool(partials[0] > stop_at * 0.999)  # the posted prices' rows alone may exceed it
    assert take_stops() == {"before_start": int(before), "after_start": int(not before)}
    assert take_stops() == {"before_start": 0, "after_start": 0}
    later = [p for p in partials[1:] if p > partials[0]]  # a tolerance between the first partial distance and a
    assert later and not early.integrated_simulate(pars, (partials[0] + later[0]) / 2).accepted  # later one
    assert take_stops() == {"before_start": 0, "after_start": 1}  # stopped after a simulated year
    assert not early.integrated_simulate(pars, -1.0).accepted  # no run meets it: stopped before its first day
    assert take_stops() == {"before_start": 1, "after_start": 0}


def test_fits_every_series_and_the_repatriations_to_2023_by_default():
    from nkborder.calibration.smc import prepare

    setup = prepare("history", PACKAGE_DATA, until=2015)
    rows = setup.targets.rows
    assert list(dict.fromkeys(rows["series"])) == list(SERIES)
    assert setup.scenario.end.year == 2023 and setup.definition["last"] == {"repatriated": 2023}
    late = rows.loc[rows["year_to"] > 2015]
    assert set(late["series"]) == {"repatriated"}  # arrivals and fees after 2015 stay out of sample
    assert late.set_index("year_to").loc[2023, "low"] == 500 and np.isinf(late.set_index("year_to").loc[2023, "high"])
    commission = rows.loc[rows["series"] == "remittance_commission"]
    assert commission[["year_to", "low", "high", "value"]].values.tolist() == [  # "up to 30%": upper bounds
        [2010, 0.0, 0.3, 0.3], [2012, 0.0, 0.3, 0.3], [2014, 0.2, 0.3, 0.25]]
    fees = rows.loc[rows["series"] == "broker_fee"].set_index("year_to")
    minimum = fees.loc[fees["low"] == 10_000]  # "min. crossing cost after Feb 2010 tightening": a lower bound
    assert minimum.index.tolist() == [2010] and np.isinf(minimum["high"]).all() and (minimum["value"] == 10_000).all()
    assert np.isfinite(fees.loc[2015, "high"]).all()  # 8,600 USD "(up to 14000 on parts of the Tumen)": a point
    plain = prepare("history", PACKAGE_DATA, until=2015, last={})
    assert plain.scenario.end.year == 2015 and plain.targets.rows["year_to"].max() == 2015
    upper = load_targets(PACKAGE_DATA, 1999, 2030).rows.query("series == 'remittance_commission' and year_to == 2024")
    assert (upper["low"].item(), upper["high"].item(), upper["city"].item()) == (0.0, 0.7, "Hyesan")  # "at most"
    for bad, reason in (({"repatriation": 2023}, "unknown series"), ({"repatriated": 2023.5}, "not a year"),
                        ({"repatriated": float("inf")}, "not a year"), ({"repatriated": float("nan")}, "not a year")):
        with pytest.raises(InputError, match=reason) as err:
            prepare("history", PACKAGE_DATA, until=2015, last=bad)
        assert "--last" in str(err.value)


def test_throughput_benchmark_at_a_tiny_size():
    """The benchmark of BENCHMARKS.md section 11 at a tiny size: every mode measured, early rejection accepts what
    its tolerance says, and the section renders (no timing assertion)."""
    from benchmarks.calibration import section, throughput

    res = throughput(scale=0.002, draws=3, repeats=1, seed=2)
    res["status"] = "ok"
    for key in ("old", "full", "early_0.5", "early_0.2"):
        assert res[key]["min"] > 0
    run = res["runs"][0]
    assert run["accepted_0.5"] <= 3 and run["accepted_0.2"] <= run["accepted_0.5"]
    assert res["last_year"] == 2023
    text = "\n".join(section(res))
    assert "early rejection" in text and "simulations an hour" in text


def test_breakdown_benchmark_times_every_month_of_a_calibration_run_and_no_gini():
    """The breakdown of section 11 at a tiny size: each monthly phase runs once a month of 1995-2023, the parts add
    up to the simulation's time, and a calibration run computes no Gini and no district snapshot."""
    from benchmarks.calibration import breakdown, breakdown_section

    res = breakdown(scale=0.002, draws=2)
    months = (2023 - 1995 + 1) * 12
    assert res["calls"]["people_month"] == res["calls"]["run_days"] == months
    assert res["calls"]["yearly reader"] == 3 + 2023 - 1995  # built; read before the run, after each year but the
    # last, and at the end
    assert "monthly income Gini" not in res["calls"] and "district_snapshot" not in res["calls"]
    assert sum(res["parts"].values()) == pytest.approx(res["cpu_s"])
    assert min(res["parts"][p] for p in ("people_month", "run_days", "population", "unpickle the job")) > 0
    assert "people_month" in "\n".join(breakdown_section(res))


# ------------------------------------------------------------------------------ synthetic truth (slow)
TRUTH = {"intent_intercept": -10.5, "broker_fee_elasticity": 1.1}
SYN = {"scenario": "history", "until": 2005, "scale": 0.02}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory, reduced_size):
    """Targets simulated at TRUTH (nkborder.calibration.synthetic), then a small calibration of the two parameters
    on them.

    Series: arrivals and people in China 1999-2005, and the broker fee in 2001-2004 (years whose posted fee
    depends on its elasticity: from 2005 the fee follows the risk of the 2004 punishment, which the elasticity
    hardly changes); every other parameter is fixed.
    """
    from nkborder.calibration.smc import prepare
    from nkborder.calibration.synthetic import synthetic_targets

    db = tmp_path_factory.mktemp("syn") / "syn.duckdb"
    years = {"arrivals": range(1999, 2006), "china_stock": range(1999, 2006), "broker_fee": range(2001, 2005)}
    template = make_targets([{"series": s, "year_from": y, "year_to": y, "low": 1.0, "high": 1.0}
                             for s, ys in years.items() for y in ys])
    truth_setup = prepare(SYN["scenario"], None, SYN["until"], SYN["scale"], seed=999, targets=template,
                          parameters=list(TRUTH))
    targets = synthetic_targets(truth_setup.model(), TRUTH)
    population = 30 if reduced_size else 60
    cal = calibrate(SYN["scenario"], until=SYN["until"], population=population, generations=3, scale=SYN["scale"],
                    seed=3, workers=2, db=db, parameters=list(TRUTH), targets=targets)
    return cal, db


@pytest.mark.slow
def test_synthetic_truth_inside_posterior_90_interval(synthetic):
    from nkborder.calibration.synthetic import identified

    cal, _ = synthetic
    s = cal.posterior.summary().set_index("parameter")
    for name, true in TRUTH.items():
        assert s.loc[name, "p5"] <= true <= s.loc[name, "p95"], (name, s.loc[name].to_dict())
    # the data narrowed the posterior: the arrivals pin the intercept to a fraction of its prior width
    assert s.loc["intent_intercept", "width_share"] < 0.5, s.to_dict()
    best = identified(cal.posterior, TRUTH).iloc[0]
    assert best["parameter"] == "intent_intercept" and best["identified"], best.to_dict()
    assert list(cal.generations["generation"]) == [0, 1, 2]
    assert (cal.generations["epsilon"].diff().dropna() <= 0).all()


@pytest.mark.slow
def test_validate_writes_fit_table_and_figure(tmp_path, reduced_size):
    from nkborder.calibration import validate
    from nkborder.calibration.figure import draw, spec
    from nkborder.calibration.validate import write_fit

    post = Posterior("hand-made", pd.DataFrame({"intent_intercept": [-11.5, -11.0], "crossing_point_factor": [2, 3]}),
                     pd.Series([0.5, 0.5]), {"scenario": {"ref": "history"}, "first": 1999, "until": 2003,
                                             "scale": 0.01, "fixed": {}})  # fmt: skip
    val = validate(None, post, None, holdout=(2002, 2004), reps=2 if reduced_size else 4, workers=2)
    assert set(val.fit["period"]) == {"calibration", "holdout"}
    assert set(val.predictions["year_to"]) <= set(range(1999, 2005))
    assert val.notes  # the hold-out years were inside the calibration's years
    out = pd.read_csv(write_fit(val.fit, tmp_path / "fit.csv"))
    assert list(out.columns) == ["series", "period", "n", "mae", "mape", "coverage_50", "coverage_90", "within_2x"]
    assert ((out["coverage_90"] >= 0) & (out["coverage_90"] <= 1)).all()
    assert draw(val, tmp_path / "fit.png").stat().st_size > 10_000
    title = spec(val, 4).title  # plain words and years, no calibration id
    assert "hand-made" not in title and "1999-2004" in title


@pytest.mark.slow
def test_interrupted_calibration_resumes(tmp_path):
    import pyabc

    from nkborder.calibration import load_calibration
    from nkborder.calibration.store import get
    from nkborder.store import ResultsStore

    db = tmp_path / "resume.duckdb"
    opts = {"until": 2002, "population": 6, "scale": 0.01, "seed": 1, "workers": 1, "db": db, "name": "r",
            "parameters": ["intent_intercept"]}

    def stop(info):
        raise KeyboardInterrupt  # the user presses Ctrl-C right after generation 0 is stored

    with pytest.raises(KeyboardInterrupt):
        calibrate("history", generations=2, progress=stop, **opts)
    with ResultsStore(db) as store:
        assert get(store, "r")["status"] == "interrupted"
    assert list(load_calibration(db, "r").generations["generation"]) == [0]
    cal = calibrate("history", generations=2, **opts)
    assert list(cal.generations["generation"]) == [0, 1]
    with ResultsStore(db) as store:
        rec = get(store, "r")
    assert rec["status"] == "finished" and rec["abc_id"] == 1
    assert pyabc.History(f"sqlite:///{rec['pyabc_db']}", _id=1).max_t == 1
    with pytest.raises(InputError, match="other options"):
        calibrate("history", generations=2, **{**opts, "scale": 0.02})


def test_tolerance_settles_once_it_falls_by_less_than_the_share():
    from nkborder.calibration.smc import generations_settled, tolerance_settled

    assert not tolerance_settled([1e9, 3.0], 0.05)  # generation 0's tolerance is not compared
    assert not tolerance_settled([1e9, 3.0, 2.0], 0.05)  # fell by a third
    assert tolerance_settled([1e9, 3.0, 2.0, 1.95], 0.05)  # fell by 2.5 %
    assert not tolerance_settled([1e9, 3.0, 2.0, 1.95, 1.5], 0.05)  # only the last two count
    assert tolerance_settled(pd.Series([1e9, 2.0, 2.1]), 0.05)  # a rise has settled too
    gens = pd.DataFrame({"epsilon": [1e9, 3.0, 2.0, 1.95], "ess": [200.0, 120.0, 110.0, 100.0], "n_particles": 200})
    assert generations_settled(gens, 0.05) and not generations_settled(gens, None)
    assert not generations_settled(gens.assign(ess=[200.0, 120.0, 110.0, 11.9]), 0.05)  # weight-degenerate
    assert generations_settled(gens.assign(ess=[200.0, 120.0, 110.0, 20.0]), 0.05)  # a tenth of the particles
    assert not generations_settled(gens.iloc[:3], 0.05)  # the tolerance still fell by a third
    with pytest.raises(InputError, match="--min-tolerance-fall"):
        calibrate("history", generations=2, min_fall=1.5)


@pytest.mark.slow
def test_calibration_stops_once_its_tolerance_settles(tmp_path):
    db = tmp_path / "settle.duckdb"
    opts = {"until": 2002, "population": 6, "scale": 0.01, "seed": 1, "workers": 1, "db": db, "name": "s",
            "parameters": ["intent_intercept"]}
    # any fall is less than 99 %: generation 2 settles, generations 3-5 are not run
    cal = calibrate("history", generations=6, min_fall=0.99, **opts)
    assert list(cal.generations["generation"]) == [0, 1, 2] and cal.settled
    gens = cal.generations  # the early stops the workers counted, at most the simulations of their generation
    stopped = gens["n_stopped_before_start"] + gens["n_stopped_after_start"]
    assert stopped.notna().all() and stopped.iloc[0] == 0 and (stopped <= gens["n_simulations"] + 1).all()
    again = calibrate("history", generations=6, min_fall=0.99, **opts)  # a settled calibration runs nothing
    assert list(again.generations["generation"]) == [0, 1, 2] and again.settled
    assert not calibrate("history", generations=3, **opts).settled  # without the rule nothing is judged


# ----------------------------------------------------------------------------------------- shipped
def test_toml_round_trip(tmp_path):
    parts = pd.DataFrame({"intent_intercept": [-11.0, -10.0 - 1e-9, -12.0 + np.pi / 1e7],
                          "crossing_point_factor": [1.0, 2.0, 3.0]})
    post = Posterior("p", parts, pd.Series([0.2, 0.5, 1 / 3.3]),
                     {"scenario": {"name": "history"}, "until": 2011, "priors": [], "fixed": {}, "inf": np.inf})
    path = write_toml(tmp_path / "c.toml", post, {"name": "p", "command": "nkborder calibrate history"})
    back = load_shipped(path)  # every value exactly (validation from the TOML = from the results file)
    pd.testing.assert_frame_equal(back.particles[post.names], post.particles[post.names], check_exact=True)
    assert list(back.weights) == list(post.weights)
    assert back.median() == post.median()
    assert back.definition["inf"] == np.inf
    assert calibrated_params(path) == {"intent_intercept": post.median()["intent_intercept"]}


def test_shipped_calibration_estimates_fixes_or_leaves_at_default_the_flagged_parameters():
    post = load_shipped()
    flagged = {n for n, f in Params.model_fields.items() if (f.json_schema_extra or {}).get("calibrate")}
    fixed = post.definition.get("fixed", {})
    # a flagged parameter the shipped calibration neither estimated nor held fixed (--fix) is not shipped: runs
    # with --calibrated take its default (docs/calibration.md names them)
    assert (flagged - set(post.names) - set(fixed)).isdisjoint(calibrated_params())
    assert set(post.names) & set(Params.model_fields) <= flagged
    assert {n: v for n, v in fixed.items() if n in Params.model_fields} == pytest.approx(
        {n: v for n, v in calibrated_params().items() if n in fixed}, rel=1e-5)  # fixed values are shipped too
    assert post.weights.sum() == pytest.approx(1.0)
    Params(**calibrated_params())  # the medians are valid parameter values
    s = post.summary()
    assert ((s["p5"] >= s["prior_lo"] - 1e-9) & (s["p95"] <= s["prior_hi"] + 1e-9)).all()


def test_settling_in_china_keeps_a_large_stock_and_slows_arrivals():
    """The settled state (model.china): settled people stay (no return, low capture, slow onward journey).

    Same seed, history 1995-2006 at scale 0.02: with fast settling the stock in China at the end of 2006 is
    larger and fewer people have reached South Korea than with (almost) no settling; when only women settle,
    women are a smaller share of arrivals than when nobody settles.
    """
    from nkborder.api import run

    def yearly(**over):
        return run("history", seed=5, scale=0.02, end="2006-12-31", daily=False, overrides=over).yearly

    slow = {"settle_rate_female": 0.05, "settle_rate_male": 0.0}
    fast = {"settle_rate_female": 3.0, "settle_rate_male": 1.0, "settled_onward_rate": 0.01,
            "settled_capture_factor": 0.1}
    women_only = {"settle_rate_female": 3.0, "settle_rate_male": 0.0, "settled_onward_rate": 0.01}
    a, b, w = yearly(**slow), yearly(**fast), yearly(**women_only)
    stock = lambda y: y.loc[y["year"] == 2006, "in_china"].sum()  # noqa: E731
    arrivals = lambda y: y["arrivals_south_korea"].sum()  # noqa: E731
    women = lambda y: y["arrivals_south_korea_female"].sum() / arrivals(y)  # noqa: E731
    assert stock(b) > 1.5 * stock(a)
    assert arrivals(b) < 0.7 * arrivals(a)
    assert women(w) < women(a) - 0.05


def test_pyabc_history_follows_the_results_file(tmp_path):
    from nkborder.calibration.smc import pyabc_history_path

    original = tmp_path / "a" / "cal.duckdb"
    copy = tmp_path / "b" / "cal.duckdb"
    for db in (original, copy):
        db.parent.mkdir()
        Path(f"{db}.pyabc.sqlite").write_bytes(b"")
    rec = {"pyabc_db": str(Path(f"{original}.pyabc.sqlite").resolve())}  # as recorded at the start
    assert pyabc_history_path(copy, rec) == str(Path(f"{copy}.pyabc.sqlite").resolve())  # the copy's own
    Path(f"{copy}.pyabc.sqlite").unlink()  # a results file moved without its history: the recorded one
    assert pyabc_history_path(copy, rec) == rec["pyabc_db"]
    assert pyabc_history_path(copy, None) == str(Path(f"{copy}.pyabc.sqlite").resolve())


def test_holdout_window_leaves_rows_fitted_beyond_until_in_the_calibration_period():
    from nkborder.calibration.validate import _periods

    rows = pd.DataFrame({"series": ["arrivals", "arrivals", "arrivals", "repatriated", "repatriated"],
                         "year_to": [2014, 2016, 2024, 2021, 2002]})
    out, notes = _periods(rows, 2015, (2016, 2023), {"repatriated": 2023})
    assert list(zip(out["series"], out["year_to"], out["period"], strict=True)) == [
        ("arrivals", 2014, "calibration"), ("arrivals", 2016, "holdout"), ("repatriated", 2021, "calibration"),
        ("repatriated", 2002, "calibration")]
    assert notes == []
