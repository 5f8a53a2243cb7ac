"""Names of the page's experiments: the user's own, or one read from the scenarios and options.

The default, ``app-KIND-SCENARIOS-FIRST-LAST-REPSxSCALE[-seedS]``, says what ran. The same scenarios and
options give the same name, so a repeated click reuses the stored runs. When that name is taken in the results
file by an experiment of other content (an edited scenario keeps its name while its parameters change), the
next free ``-2``, ``-3``, ... is used; a name the user typed is never changed (the experiment layer refuses it
if it names other content, with a message saying so).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from nkborder.experiments.registry import check_name

MAX_SUFFIX = 999


def slug(text: str, limit: int = 60) -> str:
    """``text`` with characters an experiment name cannot have replaced by ``-``."""
    return "".join(ch if ch.isalnum() or ch in "._-" else "-" for ch in text)[:limit]


def readable_name(kind: str, sides: list[Any], reps: int, scale: float, seed: int,
                  dates: list[tuple[dt.date | None, dt.date | None]]) -> str:
    """``app-KIND-SCENARIOS-FIRST-LAST-REPSxSCALE`` (``-seedS`` when the base seed is not 0)."""
    (start, end), sc = dates[0], sides[0]
    first, last = (start or sc.start).year, (end or sc.end).year
    scenarios = slug("-vs-".join(s.name for s in sides))
    tail = f"-seed{seed}" if seed else ""
    return check_name(f"app-{kind}-{scenarios}-{first}-{last}-{reps}x{scale:g}{tail}")


def free_name(db: str | Path, base: str, hashes: list[str], design: dict[str, Any]) -> str:
    """``base``, or ``base-2``, ``base-3``, ...: the first name the results file does not use for an experiment
    of other scenarios (content ``hashes``) or another design (reps, seed, scale)."""
    stored = _stored_definitions(db, base)
    for n in range(1, MAX_SUFFIX + 1):
        name = base if n == 1 else f"{base[:96]}-{n}"
        old = stored.get(name)
        if old is None or _same(old, hashes, design):
            return name
    return check_name(f"{base[:80]}-{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}")


def _same(definition: dict[str, Any], hashes: list[str], design: dict[str, Any]) -> bool:
    old = definition.get("design", {})
    return ([s.get("content_hash") for s in definition.get("scenarios", [])] == hashes
            and all(old.get(k) == v for k, v in design.items()))


def _stored_definitions(db: str | Path, base: str) -> dict[str, dict[str, Any]]:
    """Definitions of the stored experiments named ``base`` or ``base-N`` (none if the file cannot be read)."""
    if not Path(db).exists():
        return {}
    from nkborder.app.storage import store
    from nkborder.experiments import registry

    try:
        with store(db) as s:
            names = [n for n in registry.experiments(s)["name"] if n == base or n.startswith(f"{base[:96]}-")]
            return {n: registry.definition(s, n) for n in names}
    except Exception:
        return {}
