"""Policy events: the typed timeline through which the state drives the model.

An event has a kind (one of :data:`EVENT_KINDS`), a start and an optional end date, a place (``national``,
``border``, a city name, or ``china`` for China's own measures, which act on everyone from either city who is in
China: :data:`CHINA_KINDS`) and an intensity whose meaning and range depend on the kind: a number, or
(``intensity_from``) the value of a parameter, so that a calibration can fit it. ``ramp`` events grow
linearly from 0 at the start to their intensity at the end, or, for kinds that set a level (fences, guard
posts, troops, guard shifts), from the level in force before to their intensity; other events are steps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, model_validator

from nkborder.params import Params

CITIES = ("Hoeryong", "Hyesan")
PLACES = ("national", "border", *CITIES, "china")


@dataclass(frozen=True)
class EventKind:
    """What an event kind does in the model, and the range its intensity may take."""

    name: str
    effect: str
    lo: float
    hi: float
    default: float


EVENT_KINDS: dict[str, EventKind] = {
    k.name: k
    for k in (
        EventKind("famine", "food costs, hardship and deaths rise with intensity", 0.0, 1.0, 1.0),
        EventKind("punishment", "sets the mean detention of caught crossers, in years (= intensity)", 0.0, 15.0, 2.0),
        EventKind("repatriation_punishment", "sets the mean detention of people China hands over, in years (= "
                  "intensity); crossers caught at the border keep the punishment in force", 0.0, 15.0, 5.0),
        EventKind("crackdown", "detection, guards' cut, smuggler arrests, betrayal and inminban reports rise; "
                  "market tolerance falls; smuggling trips fall; donju capital is seized; state security deals "
                  "with detected smugglers", 0.0, 1.0, 1.0),
        EventKind("border_control", "control of crossings tightens without a crackdown: detection, betrayal of "
                  "paid crossers and inminban reports rise as under a crackdown of the same intensity (the "
                  "stronger of the two counts); markets, smuggling and the guards' cut are not touched",
                  0.0, 1.0, 1.0),
        EventKind("smuggling_control", "control of smuggling tightens without a crackdown: control pressure "
                  "rises by intensity, so the guards' cut rises (smuggler arrests do not); markets and crossings are "
                  "not touched", 0.0, 1.0, 1.0),
        EventKind("currency_reform", "on its start day won cash above the exchange limit is wiped out "
                  "(intensity = share wiped), the rest divided by 100", 0.0, 1.0, 1.0),
        EventKind("market_tolerance", "sets the state's tolerance of markets (0 = banned, 1 = tolerated)",
                  0.0, 1.0, 1.0),
        EventKind("leadership", "a change of leader; sets market tolerance like market_tolerance", 0.0, 1.0, 1.0),
        EventKind("sanctions", "the state consolidates control of trade: market tolerance falls by intensity/2",
                  0.0, 1.0, 1.0),
        EventKind("border_closure", "smuggling trips, brokered routes and onward journeys stop, detection, "
                  "guards' cut and smuggler arrests rise, phone contact and remittances fall, commissions rise",
                  0.0, 1.0, 1.0),
        EventKind("buffer_zone", "shoot-on-sight zone: detection rises and detected crossers may be shot",
                  0.0, 1.0, 1.0),
        EventKind("fences", "sets the share of the river frontage fenced (0-1): detection rises (with ramp = "
                  "true, linearly from the share before to the intensity at the end date, then held)", 0.0, 1.0, 1.0),
        EventKind("guard_posts", "sets the number of guard posts and watchtowers relative to before 2020 "
                  "(1 = unchanged): detection hazard x intensity ^ post_detect_elasticity (with ramp = true, "
                  "linearly from the level before to the intensity at the end date)", 0.1, 50.0, 1.0),
        EventKind("troops", "sets the soldiers guarding the river relative to 2006 (1 = 14 m of border per "
                  "soldier): detection hazard x intensity ^ troop_detect_elasticity, and the guards on duty "
                  "become round(initial guards x intensity)", 0.1, 5.0, 1.0),
        EventKind("guard_shifts", "sets the hours a guard stands alone at his post in one shift (2.5 before any "
                  "event): a detecting guard accepts a bribe with probability bribe_accept x (hours / 2.5) ^ "
                  "shift_bribe_elasticity", 0.1, 12.0, 2.5),
        EventKind("surveillance", "phone calls policed: outside information and remittances fall, "
                  "commissions rise", 0.0, 1.0, 1.0),
        EventKind("trade_control", "trade only through state checkpoints: market tolerance falls by intensity/2, "
                  "smuggling trips fall, guards' cut and smuggler arrests rise", 0.0, 1.0, 1.0),
        EventKind("lax_border", "guards look away: the detection hazard falls by lax_detect_cut x intensity",
                  0.0, 1.0, 1.0),
        EventKind("betrayal_order", "guards are ordered to take the hush money and still turn the crosser in: "
                  "sets the probability that a paid guard turns the crosser in (= intensity; a crackdown adds "
                  "betray_under_crackdown x its intensity)", 0.0, 1.0, 0.3),
        EventKind("china_campaign", "China hunts and repatriates North Koreans: capture hazard times "
                  "(1 + 4 x intensity)", 0.0, 1.0, 1.0),
        EventKind("china_movement_controls", "China's controls on movement (health codes, checkpoints, "
                  "quarantines): onward journeys fall by china_controls_onward_stop x intensity, the capture "
                  "hazard rises by china_controls_capture_gain x intensity", 0.0, 1.0, 1.0),
        EventKind("china_border_closure", "China's borders closed to ordinary travel: onward journeys (which "
                  "leave China by land) fall by china_closure_onward_stop x intensity", 0.0, 1.0, 1.0),
        EventKind("mass_repatriation", "on its start day China hands over at once this share of the North "
                  "Koreans held in its detention (intensity = share)", 0.0, 1.0, 1.0),
        EventKind("returnees_allowed", "North Korea takes its citizens back from abroad while its border is "
                  "sealed: the closure's stop on repatriations from Chinese detention is lifted by intensity",
                  0.0, 1.0, 1.0),
    )
}
#: Kinds that are China's own measures: the only kinds allowed at place ``china``.
CHINA_KINDS = ("china_campaign", "china_movement_controls", "china_border_closure", "mass_repatriation")


class PolicyEvent(BaseModel):
    """One dated policy event of a scenario's timeline."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(description="short unique name, used by counterfactuals to drop or change the event")
    kind: str
    start: dt.date
    end: dt.date | None = Field(default=None, description="last day in force; none = to the end of the run")
    place: str = "national"
    intensity: float | None = None
    intensity_from: str | None = Field(
        default=None, description="a parameter whose value is the intensity, so that a calibration can fit it "
        "(given instead of intensity)")
    ramp: bool = False
    source: str = Field(default="", description="sources.csv id or data file row the event rests on")
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> PolicyEvent:
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {self.kind!r}; allowed: {', '.join(EVENT_KINDS)}")
        if self.place not in PLACES:
            raise ValueError(f"unknown place {self.place!r}; allowed: {', '.join(PLACES)}")
        if self.place == "china" and self.kind not in CHINA_KINDS:
            raise ValueError(f"kind {self.kind!r} cannot act at place 'china'; China's kinds: {', '.join(CHINA_KINDS)}")
        kind = EVENT_KINDS[self.kind]
        if self.intensity_from is not None:
            _check_intensity_parameter(self.intensity_from, self.intensity, kind)
        value = self.level
        if not kind.lo <= value <= kind.hi:
            raise ValueError(f"intensity {value} outside [{kind.lo}, {kind.hi}] for kind {self.kind!r}")
        if self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    @property
    def level(self) -> float:
        """The intensity; for an event whose intensity is a parameter (``intensity_from``) that parameter's default
        (a run takes the run's value: :meth:`nkborder.scenarios.Scenario.with_parameter_intensities`); the kind's
        default when the scenario gives neither."""
        if self.intensity is not None:
            return self.intensity
        if self.intensity_from is not None:
            return float(Params.model_fields[self.intensity_from].default)
        return EVENT_KINDS[self.kind].default

    def applies_to(self, city: str) -> bool:
        """Whether the event acts on ``city`` (national, border and China's events act on both cities)."""
        return self.place in ("national", "border", "china", city)


def _check_intensity_parameter(name: str, intensity: float | None, kind: EventKind) -> None:
    """An ``intensity_from`` names a parameter whose declared range lies inside the kind's, and comes alone."""
    if intensity is not None:
        raise ValueError(f"intensity {intensity} and intensity_from {name!r} both given; give one")
    if name not in Params.model_fields:
        raise ValueError(f"intensity_from {name!r} is not a parameter (see `nkborder params`)")
    extra = Params.model_fields[name].json_schema_extra or {}
    lo, hi = extra["lo"], extra["hi"]
    if not kind.lo <= lo <= hi <= kind.hi:
        raise ValueError(f"intensity_from {name!r} ranges over [{lo:g}, {hi:g}], outside [{kind.lo:g}, {kind.hi:g}] "
                         f"for kind {kind.name!r}")
