"""Tests of nkborder.inputs: the cell parser, the daily driver series and the observed tables."""

from __future__ import annotations

import shutil
import time
from datetime import date
from importlib.resources import files

import numpy as np
import pytest

from nkborder import inputs
from nkborder.errors import InputError
from nkborder.inputs import parse_interval, parse_period, parse_value

START, END = date(1995, 1, 1), date(2025, 12, 31)


def day_index(d: date, start: date = START) -> int:
    return (d - start).days


# ------------------------------------------------------------------------------------------------ parser
@pytest.mark.parametrize(
    ("text", "mid"),
    [
        ("2007-06-17", date(2007, 6, 17)),
        ("2007-02", date(2007, 2, 14)),
        ("2010-07 (mid)", date(2010, 7, 15)),
        ("2011-01 (late)", date(2011, 1, 26)),
        ("2023-12 (early)", date(2023, 12, 5)),
        ("2002-08 (end)", date(2002, 8, 26)),
        ("2001 (summer)", date(2001, 7, 16)),
        ("2015-07-30/08-05", date(2015, 8, 2)),
        ("2016 (c.Mar)", date(2016, 3, 16)),
        ("2007 (Aug-Oct)", date(2007, 9, 15)),
        ("2002 (pre-1 July)", date(2002, 4, 1)),
        ("2009", date(2009, 7, 2)),
        ("c.1999", date(1999, 7, 2)),
        ("2006-2007", date(2006, 12, 31)),
        ("c.2019-20", date(2020, 1, 1)),
        ("1994..1998", date(1996, 7, 1)),
    ],
)
def test_parse_period_places_messy_dates_in_the_middle(text: str, mid: date) -> None:
    assert parse_period(text).mid == mid


def test_parse_period_spans() -> None:
    assert parse_period("2010s") == inputs.Period(date(2010, 1, 1), date(2019, 12, 31))
    assert parse_period("2022-23").last == date(2023, 12, 31)
    assert parse_period("2015-01").last == date(2015, 1, 31)  # a month, not 2015-2001


@pytest.mark.parametrize(
    "text",
    ["year not shown (Jan-Mar)", "year not shown (Jan 4)", "undated", "undated (KJU era)", "cumulative",
     "pre-1989", "before 2014", "2010 / 2012", ""],
)  # fmt: skip
def test_parse_period_refuses_what_cannot_be_placed(text: str) -> None:
    assert parse_period(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [("210-240", 225.0), ("~200", 200.0), ("1000->820", 820.0), (">5000", 5000.0), ("3,210", 3210.0),
     ("0.30-0.40", 0.35), ("11 -> 30-40", 35.0), ("4809", 4809.0), ("n/a", None), ("", None),
     ("<2000 / >10000", None)],
)  # fmt: skip
def test_parse_value_ranges_and_markers(text: str, value: float | None) -> None:
    assert parse_value(text) == (None if value is None else pytest.approx(value))


def test_parse_interval_keeps_both_ends() -> None:
    assert parse_interval("75000-125000") == (75000.0, 125000.0)
    assert parse_interval("~321") == (321.0, 321.0)


# ---------------------------------------------------------------------------------------------- sources
def test_data_files_are_shipped_in_the_package() -> None:
    for name in inputs.DATA_FILES:
        assert (files("nkborder") / "data" / name).is_file(), name
    assert (files("nkborder") / "data" / "README.md").is_file()


def test_cite_known_and_unknown() -> None:
    assert "Ministry of Unification" in inputs.cite("mou-annual")
    assert inputs.cite("mou-annual").endswith(")")  # url in parentheses
    with pytest.raises(KeyError, match="no-such-source"):
        inputs.cite("no-such-source")


def test_quoted_comma_of_the_fees_file_stays_in_its_cell() -> None:
    fees = inputs.read_table("fees_and_bribes.csv")
    row = fees[fees.year == "2013"].iloc[0]
    assert "1,000 yuan or $40" in row.what
    assert row.url.startswith("http")


def test_a_row_with_more_cells_than_the_header_names_file_and_line(tmp_path) -> None:
    (tmp_path / "fees_and_bribes.csv").write_text('year,value,what\n2012,5,ok\n2013,1000,"a",1,000 yuan\n')
    with pytest.raises(InputError) as err:
        inputs.read_table("fees_and_bribes.csv", directory=tmp_path)
    assert "fees_and_bribes.csv" in str(err.value) and "line 3" in str(err.value) and "at most 3" in str(err.value)


# ----------------------------------------------------------------------------------------------- series
@pytest.fixture(scope="module")
def rice() -> np.ndarray:
    return inputs.rice_price_kpw_per_kg(START, END)


def test_rice_price_one_positive_value_per_day(rice: np.ndarray) -> None:
    assert rice.dtype == np.float64
    assert rice.shape == ((END - START).days + 1,)
    assert np.all(np.isfinite(rice)) and np.all(rice > 0)


def test_rice_price_drops_100x_exactly_at_redenomination(rice: np.ndarray) -> None:
    i = day_index(inputs.REDENOMINATION)
    assert rice[i - 1] / rice[i] == pytest.approx(100.0, rel=0.1)
    steps = rice[1:] / rice[:-1]
    assert np.argmin(steps) == i - 1  # the largest drop is that day and no other
    assert np.sort(steps)[1] > 0.5


def test_rice_price_matches_observations_on_their_dates(rice: np.ndarray) -> None:
    assert rice[day_index(date(2015, 2, 26))] == pytest.approx(4500.0, rel=1e-9)  # Hyesan survey
    assert rice[day_index(date(2019, 3, 12))] == pytest.approx(4400.0, rel=1e-9)
    # before 2009-12-01 the mirror divided by 100: 23 -> 2300 old won
    assert rice[day_index(date(2009, 9, 13))] == pytest.approx(2300.0, rel=1e-9)
    assert rice[day_index(date(2007, 6, 17))] == pytest.approx(1100.0, rel=1e-9)


def test_rice_price_held_flat_before_first_observation(rice: np.ndarray) -> None:
    first = rice[day_index(date(2001, 7, 16))]
    assert first == pytest.approx(70.0)
    assert np.all(rice[: day_index(date(2001, 7, 16))] == first)
    assert np.all(rice[-5:] == rice[-1])


def test_sub_range_equals_slice_of_long_range(rice: np.ndarray) -> None:
    part = inputs.rice_price_kpw_per_kg(date(2009, 11, 1), date(2010, 1, 31))
    i = day_index(date(2009, 11, 1))
    np.testing.assert_array_equal(part, rice[i : i + part.size])
    with pytest.raises(ValueError, match="before start"):
        inputs.rice_price_kpw_per_kg(date(2010, 1, 2), date(2010, 1, 1))


def test_cny_usd_ratio_is_the_median_of_rows_reporting_both() -> None:
    est = inputs.cny_usd_ratio()
    assert len(est.rows) >= 8
    assert est.value == pytest.approx(np.median(est.rows.kpw_per_cny / est.rows.kpw_per_usd))
    assert 0.13 < est.value < 0.16  # USD per CNY, about 1 / 6.8
    assert "2017-10-25" not in set(est.rows.raw_date)


def test_kpw_per_cny_levels_and_redenomination() -> None:
    cny = inputs.kpw_per_cny(START, END)
    y2015 = cny[day_index(date(2015, 1, 1)) : day_index(date(2016, 1, 1))]
    assert 1200 <= y2015.mean() <= 1350
    assert y2015.min() > 1000 and y2015.max() < 1500
    i = day_index(inputs.REDENOMINATION)
    assert cny[i - 1] / cny[i] == pytest.approx(100.0, rel=0.1)
    assert cny[day_index(date(2014, 9, 25))] == pytest.approx(1300.0, rel=0.02)  # two sources agree that day
    assert 20 < cny[0] < 40  # 1999 black market ~200 KPW/USD, held flat back to 1995


def test_trade_series_equals_gac_totals() -> None:
    trade = inputs.official_trade_usd_million(date(2019, 1, 1), date(2020, 12, 31))
    assert np.all(trade[:365] == 2789.02) and np.all(trade[366:] == 539.059)
    assert trade[-1] / trade[0] < 0.3
    kotra = inputs.official_trade_usd_million(date(2014, 6, 1), date(2014, 6, 1), series="KOTRA")
    assert kotra[0] == 6860


def test_trade_fallback_and_flat_outside() -> None:
    table = inputs.yearly_trade_table("GAC")
    row = table.set_index("year").loc[2007]
    assert row.total_usd_million == 1974 and row.series_used == "KOTRA" and row.fallback
    assert not table.set_index("year").loc[2019].fallback
    far = inputs.official_trade_usd_million(date(1990, 1, 1), date(2030, 1, 1))
    assert far[0] == 549.79 and far[-1] == 2735
    with pytest.raises(ValueError, match="GAC"):
        inputs.yearly_trade_table("WTO")


def test_describe_series_lists_every_driver() -> None:
    d = inputs.describe_series().set_index("name")
    assert {"rice_price_kpw_per_kg", "kpw_per_cny", "official_trade_usd_million[GAC]"} <= set(d.index)
    assert d.loc["rice_price_kpw_per_kg", "first_observed"] == date(2001, 7, 16)
    assert d.loc["rice_price_kpw_per_kg", "n_observations"] > 300
    assert "dailynk-hyesan-survey" in d.loc["rice_price_kpw_per_kg", "source_ids"]


def test_thirty_one_years_build_fast() -> None:
    inputs.kpw_per_cny(START, END)  # warm the caches
    best = min(_timed(lambda: inputs.kpw_per_cny(START, END)) for _ in range(3))
    assert best < 0.05
    best = min(_timed(lambda: inputs.official_trade_usd_million(START, END)) for _ in range(3))
    assert best < 0.05


def _timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


# --------------------------------------------------------------------------------------------- observed
def test_arrivals() -> None:
    a = inputs.arrivals_south_korea().set_index("year")
    assert a.loc[1999:2001, "total"].sum() == 1043
    assert a.loc[1998, "cumulative"] and not a.loc[2002, "cumulative"]
    assert np.isnan(a.loc[2000, "share_female"])
    assert a.loc[2015, "share_female"] == pytest.approx(1024 / 1275)


def test_small_tables() -> None:
    shares = inputs.origin_shares().set_index("city_modelled").share.to_dict()
    assert shares == {"Hoeryong": 0.59, "Hyesan": 0.18}
    pops = inputs.populations().set_index("place")
    assert pops.loc["Hyesan", "population"] == 192680 and pops.is_province.sum() == 2
    w = inputs.women_share_arrivals()
    assert w.year.min() == 1997 and w.set_index("year").share[2015] == pytest.approx(0.803)


def test_china_stock_and_repatriations() -> None:
    s = inputs.china_stock_intervals()
    pairs = {(r.year, r.area): (r.low, r.high) for r in s.itertuples()}
    assert pairs[(2000, "China")] == (75000, 125000)
    assert pairs[(2006, "China")] == (30000, 50000)
    assert pairs[(2003, "Yanbian")] == (60000, 100000)
    assert pairs[(1999, "Yanbian")] == (150000, 200000) and pairs[(2013, "Yanbian")] == (2000, 8000)
    r = inputs.repatriation_points().set_index("year")
    assert r.loc[2002, "low"] == 4809 and r.loc[2023, "high"] == 600
    assert r.loc[2023, "date"] == date(2023, 10, 9)


def test_fees_cuts_and_commissions() -> None:
    f = inputs.broker_fee_points()
    cny_rows = f[f.currency_original == "CNY"]
    assert (cny_rows.low_cny == cny_rows.amount_low).all()
    fee_2015 = f[(f.year == 2015) & (f.amount_low == 8600)].iloc[0]
    assert 50_000 < fee_2015.low_cny < 65_000 and "USD x" in fee_2015.conversion
    assert not f.what.str.contains("smuggl|reward", case=False).any()
    assert len(f[(f.year == 2006) & (f.amount_low == 500)]) == 1  # the same fee in both files, once
    bribes = f[f.kind == "guard_bribe"]  # paid to a guard for one crosser, not a broker's price
    assert sorted(bribes.year) == [2007, 2013] and (bribes.what.str.contains("bribe to")).all()
    assert set(f.kind) == {"broker_fee", "guard_bribe"} and f[f.kind == "broker_fee"].low_cny.max() > 50_000
    g = inputs.guard_cut_points()
    assert g.low.tolist() == [0.70, 0.11, 0.30] and g.high.tolist() == [0.70, 0.11, 0.40]
    assert g.period_end_year.tolist() == [2007, 2013, 2015] and g.period_start_year.isna().tolist()[1]
    assert f.set_index(["year", "amount_low"]).loc[(2010, 10_000), "bound"] == "at least"  # its repeat says "min."
    assert set(f.loc[f.year != 2010, "bound"]) == {""}
    c = inputs.remittance_commission_points()
    assert set(c.year) >= {2010, 2012, 2024} and c.high.max() == pytest.approx(0.7)
    assert c.set_index("year")["bound"].to_dict() == {2010: "at most", 2012: "at most", 2014: "", 2024: "at most"}


@pytest.mark.parametrize(("amount", "texts", "side"), [
    (10_000, ("min. crossing cost after Feb 2010 tightening",), "at least"),
    (500, ("at least 500 people",), "at least"),
    (30, ("broker commission on remittances", '"up to 30%"'), "at most"),
    (0.7, ("commission of brokers for escape and remittances at most",), "at most"),
    (8600, ("broker fee to cross (up to 14000 on parts of the Tumen)",), ""),
    (500, ("cost of crossing the Tumen per person", float("nan")), ""),
])
def test_bound_side_reads_the_rows_own_words(amount, texts, side) -> None:
    assert inputs.bound_side(amount, *texts) == side


def test_directory_overrides_package_data(tmp_path) -> None:
    src = files("nkborder") / "data" / "defector_arrivals.csv"
    text = src.read_text(encoding="utf-8").rstrip("\n") + "\n2016,1418,302,1116,mou-annual,added by a user\n"
    (tmp_path / "defector_arrivals.csv").write_text(text, encoding="utf-8")
    a = inputs.arrivals_south_korea(tmp_path).set_index("year")
    assert a.loc[2016, "total"] == 1418
    assert 2016 not in set(inputs.arrivals_south_korea().year)


def test_directory_price_files_feed_the_series(tmp_path) -> None:
    for name in ("prices_before_2009.csv", "market_prices.csv", "exchange_rate_points.csv"):
        shutil.copyfile(str(files("nkborder") / "data" / name), tmp_path / name)
    text = (files("nkborder") / "data" / "hyesan_market_biweekly.csv").read_text(encoding="utf-8")
    (tmp_path / "hyesan_market_biweekly.csv").write_text(
        text.rstrip("\r\n") + "\r\n2026-06-01,Hyesan,30000,50000,dailynk-hyesan-survey,\r\n", encoding="utf-8"
    )
    rice = inputs.rice_price_kpw_per_kg(date(2026, 6, 1), date(2026, 6, 2), directory=tmp_path)
    np.testing.assert_allclose(rice, [30000.0, 30000.0], rtol=1e-12)


def test_missing_column_raises_value_error_naming_file_and_column(tmp_path) -> None:
    text = "year,male,female,source_id\n2016,1,2,x\n"
    (tmp_path / "defector_arrivals.csv").write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=r"defector_arrivals\.csv.*total"):
        inputs.arrivals_south_korea(tmp_path)
    (tmp_path / "border_costs.csv").write_text("period,place,amount,what,source_id\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"border_costs\.csv.*currency"):
        inputs.guard_cut_points(tmp_path)


def test_unreadable_number_names_file_column_and_line(tmp_path) -> None:
    (tmp_path / "defector_arrivals.csv").write_text(
        "year,total,male,female,source_id\n2016,lots,1,2,x\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"defector_arrivals\.csv: total: line 2"):
        inputs.arrivals_south_korea(tmp_path)
