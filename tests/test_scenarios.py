"""Scenarios: the shipped files load, counterfactuals differ from history as they say, and bad input is
refused with an :class:`InputError` that names the file, the field and what is allowed."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from nkborder.errors import InputError
from nkborder.model.policy import policy_levers
from nkborder.params import Params, make_params
from nkborder.scenarios import EVENT_KINDS, Scenario, list_scenarios, load_scenario, shipped_dir

SHIPPED = ("history", "hoeryong-2007", "hyesan-2020", "no-closure", "no-purification")

# a minimal valid scenario; tests append [params] or [[events]] to it
HEAD = """
name = "test"
cities = ["Hoeryong", "Hyesan"]
start = 2000-01-01
end = 2003-12-31
"""


def load_error(write_toml: Callable[..., Path], text: str) -> tuple[Path, InputError]:
    """Write ``text``, load it, and return the path and the InputError it must raise."""
    path = write_toml(text)
    with pytest.raises(InputError) as info:
        load_scenario(path)
    return path, info.value


# ------------------------------------------------------------------------------------------ shipped files
@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_scenario_loads(name: str) -> None:
    sc = load_scenario(name)
    assert isinstance(sc, Scenario)
    assert sc.name == name
    assert sc.start < sc.end
    assert sc.events, "every shipped scenario has a policy timeline"
    assert isinstance(sc.parameters(), Params)
    ids = [e.id for e in sc.events]
    assert len(ids) == len(set(ids))


def test_list_scenarios_has_all_five_with_descriptions() -> None:
    listed = dict(list_scenarios())
    assert set(listed) == set(SHIPPED)
    assert [n for n, _ in list_scenarios()] == sorted(listed)
    for name, description in listed.items():
        assert description.strip(), f"{name} has no description"
        assert "\n" not in description


def test_no_closure_drops_the_2020_border_events_and_holds_trade() -> None:
    history, nc = load_scenario("history"), load_scenario("no-closure")
    ids = {e.id for e in nc.events}
    dropped = {"border-closure", "buffer-zone", "fences", "guard-posts", "special-forces-2020"}
    assert not ids & dropped
    # everything else of history is kept
    assert ids == {e.id for e in history.events} - dropped
    assert nc.trade_hold_after == 2019
    assert history.trade_hold_after is None
    assert (nc.start, nc.end, nc.cities) == (history.start, history.end, history.cities)
    # and so the levers differ: no closure or buffer at any time, the fences stay at their 2012-2019 extent
    lv = policy_levers(nc)
    assert lv["closure"].max() == lv["buffer"].max() == 0.0
    assert lv["fence"].max() == 0.72
    assert lv["posts"].max() == lv["troops"].max() == 1.0
    assert policy_levers(history)["closure"].max() == 1.0


def test_no_purification_drops_only_the_hoeryong_crackdown() -> None:
    history, npur = load_scenario("history"), load_scenario("no-purification")
    assert {e.id for e in history.events} - {e.id for e in npur.events} == {"purification-hoeryong"}
    assert {e.id for e in npur.events} <= {e.id for e in history.events}


def test_hoeryong_2007_has_only_hoeryong_and_no_hyesan_events() -> None:
    sc = load_scenario("hoeryong-2007")
    assert sc.cities == ("Hoeryong",)
    # results from 2005 to 2009 (the run itself may start earlier to build up people abroad)
    assert (sc.report_start or sc.start) == dt.date(2005, 1, 1)
    assert sc.start <= dt.date(2005, 1, 1) and sc.end == dt.date(2009, 12, 31)
    assert all(e.place != "Hyesan" for e in sc.events)
    assert all(e.applies_to("Hoeryong") for e in sc.events)
    ids = {e.id for e in sc.events}
    assert "purification-hoeryong" in ids
    assert "inspection-hyesan-2007" not in ids
    assert all(e.start <= sc.end for e in sc.events)  # later history events are not inherited


def test_hyesan_2020_has_only_hyesan() -> None:
    sc = load_scenario("hyesan-2020")
    assert sc.cities == ("Hyesan",)
    assert (sc.report_start or sc.start) == dt.date(2015, 1, 1) and sc.end == dt.date(2025, 12, 31)
    assert all(e.place != "Hoeryong" for e in sc.events)
    assert {"border-closure", "buffer-zone", "fences", "phone-surveillance"} <= {e.id for e in sc.events}


# ------------------------------------------------------------------------------------------ content hash
def test_content_hash_equal_for_equal_content(tmp_path: Path) -> None:
    copy = tmp_path / "copy-of-history.toml"
    text = (shipped_dir() / "history.toml").read_text(encoding="utf-8")
    copy.write_text("# a comment that changes nothing\n" + text, encoding="utf-8")
    assert load_scenario(copy).content_hash() == load_scenario("history").content_hash()
    assert load_scenario("history").content_hash() == load_scenario("history").content_hash()


def test_content_hash_changes_with_a_parameter(tmp_path: Path) -> None:
    text = (shipped_dir() / "history.toml").read_text(encoding="utf-8")
    changed = tmp_path / "history.toml"
    changed.write_text(text.replace("[params]\n", "[params]\ndetect_base = 0.5\n"), encoding="utf-8")
    sc = load_scenario(changed)
    assert sc.params == {"detect_base": 0.5}
    assert sc.content_hash() != load_scenario("history").content_hash()


def test_content_hash_changes_with_an_event(tmp_path: Path) -> None:
    text = (shipped_dir() / "history.toml").read_text(encoding="utf-8")
    changed = tmp_path / "history.toml"
    changed.write_text(text.replace('id = "famine"\nkind = "famine"\nstart = 1995-01-01\nend = 1998-12-31',
                                    'id = "famine"\nkind = "famine"\nstart = 1995-01-01\nend = 1997-12-31'),
                       encoding="utf-8")
    assert load_scenario(changed).content_hash() != load_scenario("history").content_hash()


# ------------------------------------------------------------------------------------------ bad input
def test_unknown_top_level_key(write_toml) -> None:
    path, err = load_error(write_toml, HEAD + 'colour = "red"\n')
    text = str(err)
    assert str(path) in text
    assert err.field == "colour" and "colour" in text
    assert "unknown" in text
    for allowed in ("description", "cities", "events", "params", "base", "drop_events"):
        assert allowed in err.allowed


def test_unknown_parameter_name(write_toml) -> None:
    path, err = load_error(write_toml, HEAD + "[params]\ndetect_bse = 0.5\n")
    text = str(err)
    assert str(path) in text
    assert "detect_bse" in text
    assert "unknown parameter" in text
    assert "detect_base" in err.allowed and "detect_base" in text  # the list of known names


def test_parameter_of_wrong_type_names_file_and_field(write_toml) -> None:
    path, err = load_error(write_toml, HEAD + '[params]\ndetect_base = "abc"\n')
    text = str(err)
    assert str(path) in text
    assert "detect_base" in text
    assert "number" in text and "'abc'" in text


def test_parameter_of_wrong_type_says_what_is_allowed(write_toml) -> None:
    _, err = load_error(write_toml, HEAD + '[params]\ndetect_base = "abc"\n')
    assert err.allowed
    assert "0.05" in str(err) and "0.9" in str(err)


def test_parameter_of_wrong_type_via_make_params_gives_the_range() -> None:
    with pytest.raises(InputError) as info:
        make_params({"detect_base": "abc"}, "--set")
    assert info.value.field == "detect_base"
    assert "from 0.05 to 0.9" in str(info.value)
    assert str(info.value).startswith("--set: ")


def test_parameter_outside_its_range(write_toml) -> None:
    path, err = load_error(write_toml, HEAD + "[params]\ndetect_base = 5.0\n")
    text = str(err)
    assert str(path) in text
    assert err.field == "detect_base"
    assert "from 0.05 to 0.9" in text  # the declared range
    assert "5.0" in text


def test_event_of_unknown_kind(write_toml) -> None:
    path, err = load_error(write_toml, HEAD + """
        [[events]]
        id = "aliens"
        kind = "alien_invasion"
        start = 2001-01-01
    """)
    text = str(err)
    assert str(path) in text
    assert "events[0]" in text and "aliens" in text
    assert "alien_invasion" in text
    for kind in EVENT_KINDS:
        assert kind in text, f"allowed kind {kind} not listed"


def test_event_with_unknown_place(write_toml) -> None:
    path, err = load_error(write_toml, HEAD + """
        [[events]]
        id = "capital"
        kind = "crackdown"
        start = 2001-01-01
        place = "Pyongyang"
    """)
    text = str(err)
    assert str(path) in text
    assert "events[0]" in text and "capital" in text
    assert "Pyongyang" in text and "place" in text
    for place in ("national", "border", "Hoeryong", "Hyesan"):
        assert place in text


def test_event_in_a_city_outside_the_scenario(write_toml) -> None:
    path, err = load_error(write_toml, HEAD.replace('["Hoeryong", "Hyesan"]', '["Hoeryong"]') + """
        [[events]]
        id = "elsewhere"
        kind = "crackdown"
        start = 2001-01-01
        place = "Hyesan"
    """)
    assert str(path) in str(err)
    assert err.field == "events[0] (id 'elsewhere').place"
    assert "Hyesan" in str(err)
    assert err.allowed == "national, border, Hoeryong, china"


def test_event_intensity_out_of_range(write_toml) -> None:
    path, err = load_error(write_toml, HEAD + """
        [[events]]
        id = "hard"
        kind = "crackdown"
        start = 2001-01-01
        intensity = 1.5
    """)
    text = str(err)
    assert str(path) in text
    assert "events[0]" in text and "hard" in text
    assert "intensity" in text and "1.5" in text
    assert "[0.0, 1.0]" in text  # the kind's range


def test_an_event_intensity_from_a_parameter_takes_the_runs_value() -> None:
    from nkborder.model.policy import build_environment

    sc = load_scenario("history")
    (event,) = [e for e in sc.events if e.id == "tightening-2012"]
    assert event.intensity_from == "tightening_2012_intensity" and event.level == Params().tightening_2012_intensity
    day_2011, day_2012 = ((dt.date(y, 6, 1) - sc.start).days for y in (2011, 2012))
    for value in (Params().tightening_2012_intensity, 0.8):
        p = sc.parameters({"tightening_2012_intensity": value})
        assert (policy_levers(sc.with_parameter_intensities(p))["control"][day_2012] == value).all()
    # a tighter 2012 raises the betrayal of paid crossers in 2012 only
    low, high = (build_environment(sc, sc.parameters({"tightening_2012_intensity": v})) for v in (0.3, 0.8))
    assert (high.betray[day_2012] > low.betray[day_2012]).all()
    assert (high.betray[day_2011] == low.betray[day_2011]).all()


@pytest.mark.parametrize(("line", "words"), [
    ('intensity_from = "no_such_parameter"', ("no_such_parameter", "not a parameter")),
    ('intensity_from = "onward_rate"', ("onward_rate", "[0.1, 6]", "[0, 1]")),
    ('intensity_from = "tightening_2012_intensity"\n        intensity = 0.5', ("both given",)),
])
def test_event_intensity_from_must_name_a_parameter_in_the_kinds_range(write_toml, line: str,
                                                                         words: tuple[str, ...]) -> None:
    path, err = load_error(write_toml, HEAD + f"""
        [[events]]
        id = "tight"
        kind = "border_control"
        start = 2001-01-01
        {line}
    """)
    text = str(err)
    assert str(path) in text and "events[0]" in text and "tight" in text
    assert all(w in text for w in words), text


def test_event_punishment_intensity_has_its_own_range(write_toml) -> None:
    path, err = load_error(write_toml, HEAD + """
        [[events]]
        id = "life"
        kind = "punishment"
        start = 2001-01-01
        intensity = 40
    """)
    assert str(path) in str(err)
    assert "[0.0, 15.0]" in str(err)


@pytest.mark.parametrize("hours", [0.0, 24])
def test_guard_shifts_level_outside_its_range(write_toml, hours: float) -> None:
    path, err = load_error(write_toml, HEAD + f"""
        [[events]]
        id = "shifts"
        kind = "guard_shifts"
        start = 2001-01-01
        place = "Hoeryong"
        intensity = {hours}
    """)
    assert str(path) in str(err)
    assert "events[0]" in str(err) and "shifts" in str(err)
    assert "[0.1, 12.0]" in str(err)  # hours in one shift: more than nothing, at most half a day


def test_guard_shifts_set_the_shift_lever_of_their_city(write_toml) -> None:
    sc = load_scenario(write_toml(HEAD + """
        [[events]]
        id = "shifts"
        kind = "guard_shifts"
        start = 2002-01-01
        place = "Hoeryong"
        intensity = 0.5
    """))
    lv = policy_levers(sc)["shift_hours"]
    first = (dt.date(2002, 1, 1) - sc.start).days
    assert np.all(lv[:first] == 2.5) and np.all(lv[first:, 0] == 0.5) and np.all(lv[:, 1] == 2.5)


def test_the_2018_shift_cut_is_inherited_where_it_can_act() -> None:
    assert "short-shifts-hoeryong-2018" in {e.id for e in load_scenario("history").events}
    for name in ("no-closure", "no-purification"):  # counterfactuals of other events keep it
        assert "short-shifts-hoeryong-2018" in {e.id for e in load_scenario(name).events}
    for name in ("hyesan-2020", "hoeryong-2007"):  # Hyesan only; ends in 2009
        assert "short-shifts-hoeryong-2018" not in {e.id for e in load_scenario(name).events}


def test_event_after_the_run_end(write_toml) -> None:
    path, err = load_error(write_toml, HEAD + """
        [[events]]
        id = "late"
        kind = "crackdown"
        start = 2010-01-01
    """)
    text = str(err)
    assert str(path) in text
    assert err.field == "events[0] (id 'late').start"
    assert "2010-01-01" in text
    assert "2003-12-31" in err.allowed  # the run's end


def test_event_ending_before_it_starts(write_toml) -> None:
    path, err = load_error(write_toml, HEAD + """
        [[events]]
        id = "backwards"
        kind = "crackdown"
        start = 2002-01-01
        end = 2001-01-01
    """)
    assert str(path) in str(err)
    assert "backwards" in str(err) and "before start" in str(err)


def test_broken_toml_names_the_line(write_toml) -> None:
    path, err = load_error(write_toml, """
        name = "broken"
        start = 2000-01-01
        end = = 2003-12-31
    """)
    text = str(err)
    assert str(path) in text
    assert err.field == "line 3"
    assert "line 3" in text
    assert "TOML" in err.allowed


def test_drop_events_naming_an_unknown_event(write_toml) -> None:
    path, err = load_error(write_toml, """
        base = "history"
        name = "typo"
        drop_events = ["border-closure", "boarder-closure"]
    """)
    text = str(err)
    assert str(path) in text
    assert err.field == "drop_events"
    assert "boarder-closure" in text
    assert "border-closure" in err.allowed and "fences" in err.allowed  # the base's event ids


def test_drop_events_without_a_base(write_toml) -> None:
    path, err = load_error(write_toml, HEAD + 'drop_events = ["fences"]\n')
    assert str(path) in str(err)
    assert err.field == "drop_events"
    assert "base" in err.allowed


def test_duplicate_event_ids(write_toml) -> None:
    path, err = load_error(write_toml, HEAD + """
        [[events]]
        id = "twice"
        kind = "crackdown"
        start = 2001-01-01

        [[events]]
        id = "twice"
        kind = "famine"
        start = 2002-01-01
    """)
    text = str(err)
    assert str(path) in text
    assert err.field == "events[1] (id 'twice')"
    assert "duplicate" in text
    assert "unique" in err.allowed


def test_unknown_shipped_scenario_lists_the_names() -> None:
    with pytest.raises(InputError) as info:
        load_scenario("histroy")
    for name in SHIPPED:
        assert name in info.value.allowed


def test_make_params_refuses_an_unknown_name() -> None:
    with pytest.raises(InputError) as info:
        make_params({"nope": 1})
    err = info.value
    assert err.field == "nope"
    assert "nope" in str(err) and "unknown parameter" in str(err)
    assert "nkborder params" in err.allowed  # where every name is listed, not 100-odd names in one line
    assert str(err).startswith("overrides: ")


def test_run_overrides_are_validated() -> None:
    from nkborder.api import resolve

    with pytest.raises(InputError, match="detect_base"):
        resolve("hoeryong-2007", overrides={"detect_base": 2.0})
    _, params = resolve("hoeryong-2007", overrides={"detect_base": 0.5})
    assert params.detect_base == 0.5


# ------------------------------------------------------------------------------------------ inheritance
def test_child_scenario_replaces_and_adds_events(write_toml, tmp_path: Path) -> None:
    shutil.copy(shipped_dir() / "history.toml", tmp_path / "history.toml")  # base found next to the child
    path = write_toml("""
        base = "history"
        name = "child"
        end = 2012-12-31
        [params]
        detect_base = 0.5

        [[events]]
        id = "redenomination"
        kind = "currency_reform"
        start = 2009-11-30
        intensity = 0.5

        [[events]]
        id = "extra"
        kind = "crackdown"
        start = 2011-01-01
        place = "Hyesan"
    """, name="child")
    sc = load_scenario(path)
    events = {e.id: e for e in sc.events}
    assert events["redenomination"].level == 0.5
    assert "extra" in events
    assert all(e.start <= dt.date(2012, 12, 31) for e in sc.events)  # later history events dropped
    assert "border-closure" not in events
    assert sc.parameters().detect_base == 0.5
    assert np.isclose(policy_levers(sc)["reform"].max(), 0.5)
