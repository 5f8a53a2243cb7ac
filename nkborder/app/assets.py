"""The page's JavaScript and CSS (Solara's front end), installed from the npm registry for offline use.

Solara's server serves its front end under ``/_solara/cdn/`` from a cache folder and, when a file is missing,
fetches it from a public CDN. Where there is no such network (CI, air-gapped machines) the page would stay blank.
``python -m nkborder.app.assets`` fills the cache with exactly the packages the installed Solara's page template
asks for (``npm pack NAME@VERSION``, unpacked into the cache folder), so the app works without any network.

Which front end the template uses depends on the installed ipyvue (Vue 3 for ipyvue 3, else Vue 2).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = re.compile(r"\{\{cdn\}\}/((?:@[\w.-]+/)?[\w.-]+)@(\d+\.\d+\.\d+[\w.-]*)/")


def cache_dir() -> Path:
    """Solara's front-end cache folder (``SOLARA_ASSETS_PROXY_CACHE_DIR``, by default in the environment)."""
    import solara.server.settings as settings

    return Path(settings.assets.proxy_cache_dir)


def needed() -> list[tuple[str, str]]:
    """(npm package, version) pairs the installed Solara's page loads, for the installed Vue version."""
    import ipyvue
    import solara.server.server as server
    import solara.server.settings as settings

    template = Path(server.__file__).parent / "templates" / "solara.html.j2"
    text = template.read_text(encoding="utf-8")
    vue3 = ipyvue.__version__.startswith("3")
    out: dict[str, str] = {}
    for name, version in PACKAGE.findall(text):
        if name.startswith("@widgetti/solara-vuetify") and ("vuetify3" in name) != vue3:
            continue
        out[name] = version
    fa = PACKAGE.search("{{cdn}}" + settings.assets.fontawesome_path)
    if settings.assets.fontawesome_enabled and fa is not None:
        out[fa.group(1)] = fa.group(2)
    return sorted(out.items())


def missing(directory: Path | None = None) -> list[tuple[str, str]]:
    """The needed packages not in the cache folder yet."""
    directory = directory or cache_dir()
    return [(n, v) for n, v in needed() if not (directory / f"{n}@{v}" / "package.json").is_file()]


def fetch(name: str, version: str, directory: Path, npm: str = "npm") -> Path:
    """``npm pack NAME@VERSION`` and unpack it as ``DIRECTORY/NAME@VERSION``; returns that folder."""
    target = directory / f"{name}@{version}"
    with tempfile.TemporaryDirectory(prefix="nkborder-assets-") as tmp:
        done = subprocess.run([npm, "pack", f"{name}@{version}", "--silent"], cwd=tmp, capture_output=True,
                              text=True, timeout=600, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"npm pack {name}@{version} failed: {done.stderr.strip()[-400:]}")
        tarball = next(Path(tmp).glob("*.tgz"))
        with tarfile.open(tarball) as tar:
            tar.extractall(tmp, filter="data")
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(Path(tmp) / "package"), str(target))
    return target


def ensure(directory: Path | None = None, npm: str | None = None) -> list[str]:
    """Fetch the missing front-end packages; returns ``name@version`` of those fetched.

    Raises RuntimeError if some are missing and npm is not available or fails.
    """
    directory = directory or cache_dir()
    todo = missing(directory)
    if not todo:
        return []
    npm = npm or shutil.which("npm")
    if npm is None:
        names = ", ".join(f"{n}@{v}" for n, v in todo)
        raise RuntimeError(f"the app's front end ({names}) is not installed and npm is not available to fetch it")
    fetched = []
    for name, version in todo:
        fetch(name, version, directory, npm)
        fetched.append(f"{name}@{version}")
    return fetched


def main() -> int:
    """Install the missing front-end packages; print what was done."""
    try:
        fetched = ensure()
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    where = cache_dir()
    print(f"fetched into {where}: {', '.join(fetched)}" if fetched else f"front end already installed in {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
