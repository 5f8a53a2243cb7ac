"""The machine the benchmarks ran on: CPU, cores, memory, versions, date, load."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks import ROOT


def _cpuinfo() -> dict[str, Any]:
    path = Path("/proc/cpuinfo")
    model, physical, siblings = "unknown", set(), 0
    if path.exists():
        physical_id = "0"
        for line in path.read_text(errors="replace").splitlines():
            key, _, value = (part.strip() for part in line.partition(":"))
            if key == "model name" and model == "unknown":
                model = value
            elif key == "physical id":
                physical_id = value
            elif key == "core id":
                physical.add((physical_id, value))
            elif key == "processor":
                siblings += 1
    return {"cpu_model": model or "unknown", "physical_cores": len(physical) or None,
            "logical_cpus": os.cpu_count(), "cpus_listed": siblings}


def _mem_total_gib() -> float | None:
    path = Path("/proc/meminfo")
    if not path.exists():
        return None
    for line in path.read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 2**20
    return None


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _code_version() -> str:
    """The checked-out commit (read-only ``git rev-parse``), or "unknown"."""
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             timeout=10, check=True)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def load_average() -> tuple[float, float, float] | None:
    try:
        return os.getloadavg()
    except OSError:
        return None


def machine_info() -> dict[str, Any]:
    """CPU model (from /proc/cpuinfo), cores, RAM, Python/numba/numpy/pandas versions, date and load."""
    info = _cpuinfo()
    info.update(
        ram_gib=_mem_total_gib(),
        python=platform.python_version(),
        implementation=platform.python_implementation(),
        numba=_version("numba"),
        numpy=_version("numpy"),
        pandas=_version("pandas"),
        mesa=_version("mesa"),
        nkborder=_version("nkborder"),
        commit=_code_version(),
        os=f"{platform.system()} {platform.release()}",
        date=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        load_start=load_average(),
    )
    return info
