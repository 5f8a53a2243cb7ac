"""Text boxes that keep what the user types while the page is redrawn.

Solara's ``InputInt``, ``InputFloat`` and ``InputText`` (committing on Enter or on leaving the box) give the box's
text to the browser as a property of the widget, and that property holds the last committed text until Enter or
blur. The renderer writes every widget's properties again on each pass through the page, so any redraw between a
keystroke and the Enter (during a job: every progress update, from the job's thread) puts the old text back into
the box, and the Enter then commits the old value. :func:`TextBox` never gives the text as a property: the text
lives in the browser's box, is read when the user commits it (Enter or leaving the box; with ``continuous``, each
change), and is written by the server only when the value changes from elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reacton.ipyvuetify as rv
import solara

COMMIT_EVENTS = ("keyup.enter", "focusout")


def parse_int(text: str | None) -> int | None:
    """A whole number typed into a box (None when blank); ValueError with the box's message otherwise."""
    if not (text or "").strip():
        return None
    try:
        return int(str(text).strip())
    except ValueError:
        raise ValueError("Value must be an integer") from None


def parse_float(text: str | None) -> float | None:
    """A number typed into a box (a decimal comma is read as a point; None when blank)."""
    if not (text or "").strip():
        return None
    try:
        return float(str(text).strip().replace(",", "."))
    except ValueError:
        raise ValueError("Value must be a number") from None


def parse_text(text: str | None) -> str:
    """The text typed into a box, as typed ("" when blank)."""
    return text or ""


def shown(value: Any) -> str:
    """The text a box shows for ``value`` (blank for None)."""
    return "" if value is None else str(value)


@solara.component
def TextBox(label: str, value: Any, on_value: Callable[[Any], None], parse: Callable[[str | None], Any] = parse_int,
            optional: bool = False, continuous: bool = False, dense: bool = True,
            classes: list[str] | None = None) -> None:
    """A box for a value read by ``parse`` (:func:`parse_int`, :func:`parse_float` or :func:`parse_text`; a blank
    number is None when ``optional``): ``on_value`` gets the value when the user presses Enter or leaves the box
    (with ``continuous``, at each change) and it differs from ``value``; a text ``parse`` refuses (or a blank
    number when not ``optional``) is named in the label and not committed."""
    error, set_error = solara.use_state("")
    field = rv.TextField(label=f"{label} ({error})" if error else label, error=bool(error),
                         density="compact" if dense else None, hide_details="auto", class_=" ".join(classes or []))
    current = solara.use_ref(value)
    current.current = value
    handler = solara.use_ref(on_value)
    handler.current = on_value

    def read(text: str | None) -> Any:
        number = parse(text)
        if number is None and not optional:
            raise ValueError("Value cannot be empty")
        return number

    def write_value() -> None:
        """Show ``value`` in the box unless the box already says it (typed here, or the same number)."""
        box = solara.get_widget(field)
        try:
            same = read(box.v_model) == value
        except ValueError:
            same = False
        if not same:
            box.v_model = shown(value)
            set_error("")

    def listen() -> Callable[[], None]:
        box = solara.get_widget(field)

        def commit(*_: Any) -> None:
            try:
                number = read(box.v_model)
            except ValueError as exc:
                set_error(str(exc.args[0]))
                return
            set_error("")
            if number != current.current:
                handler.current(number)

        for event in COMMIT_EVENTS:
            box.on_event(event, commit)
        if continuous:
            box.observe(commit, "v_model")

        def stop() -> None:
            for event in COMMIT_EVENTS:
                box.on_event(event, commit, remove=True)
            if continuous:
                box.unobserve(commit, "v_model")

        return stop

    solara.use_effect(write_value, [value])
    solara.use_effect(listen, [])
