"""The side bar's text boxes (nkborder.app.inputs.TextBox) keep what the user typed when the page is redrawn
before the text is committed (as it is with each progress update of a running job), and commit it on Enter or on
leaving the box."""

from __future__ import annotations

import ipyvuetify as v
import pytest
import solara

from nkborder.app.inputs import TextBox, parse_float, parse_int, parse_text


def _render(value: solara.Reactive, redraws: solara.Reactive, **kwargs):
    """A box for ``value`` in a component that is redrawn whenever ``redraws`` changes; its widget and the
    values it committed."""
    committed: list = []

    def commit(x) -> None:
        committed.append(x)
        value.set(x)

    @solara.component
    def Panel() -> None:
        solara.Text(f"redrawn {redraws.value} times")
        TextBox("seeds", value.value, commit, **kwargs)

    _, rc = solara.render(Panel(), handle_error=False)
    return rc.find(v.TextField).widget, committed


def test_text_typed_before_a_redraw_is_kept_and_committed_on_enter() -> None:
    value, redraws = solara.reactive(2), solara.reactive(0)
    box, committed = _render(value, redraws)
    assert box.v_model == "2"
    box.v_model = "3"  # typed in the browser, not committed yet
    redraws.value += 1  # a redraw in between (e.g. a job's progress)
    assert box.v_model == "3"
    box.fire_event("keyup.enter", None)
    assert committed == [3] and value.value == 3
    box.v_model = "12"
    redraws.value += 1
    box.fire_event("focusout", None)
    assert committed == [3, 12]


def test_unchanged_or_unreadable_text_is_not_committed() -> None:
    value, redraws = solara.reactive(2), solara.reactive(0)
    box, committed = _render(value, redraws)
    box.fire_event("focusout", None)
    assert committed == []  # the value it already has
    box.v_model = "two"
    box.fire_event("keyup.enter", None)
    assert committed == [] and "Value must be an integer" in box.label and box.error
    box.v_model = ""
    box.fire_event("keyup.enter", None)
    assert committed == [] and "Value cannot be empty" in box.label
    value.set(5)  # changed from elsewhere: the box shows it, the message goes
    assert box.v_model == "5" and box.label == "seeds" and not box.error


def test_optional_box_commits_blank_as_none() -> None:
    value, redraws = solara.reactive(2012), solara.reactive(0)
    box, committed = _render(value, redraws, optional=True)
    box.v_model = ""
    redraws.value += 1
    box.fire_event("keyup.enter", None)
    assert committed == [None] and box.v_model == ""


def test_continuous_box_commits_each_change() -> None:
    value, redraws = solara.reactive(""), solara.reactive(0)
    box, committed = _render(value, redraws, parse=parse_text, continuous=True)
    box.v_model = "my"
    redraws.value += 1
    box.v_model = "my-run"
    assert committed == ["my", "my-run"] and box.v_model == "my-run"


@pytest.mark.parametrize(("parse", "text", "expected"), [
    (parse_int, " 12 ", 12), (parse_int, "", None), (parse_float, "0,05", 0.05), (parse_float, "1e-2", 0.01),
    (parse_text, None, ""),
])
def test_parsers(parse, text, expected) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(("parse", "text", "message"), [
    (parse_int, "2.5", "Value must be an integer"), (parse_float, "a", "Value must be a number"),
])
def test_parsers_refuse_with_the_box_message(parse, text, message) -> None:
    with pytest.raises(ValueError, match=message):
        parse(text)
