"""Shared helpers for the tests: writing scenario files into a temporary folder."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def write_toml(tmp_path: Path) -> Callable[..., Path]:
    """``write_toml(text, name="scenario")`` writes ``text`` (dedented) to ``tmp_path/<name>.toml``."""

    def write(text: str, name: str = "scenario") -> Path:
        path = tmp_path / f"{name}.toml"
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return write
