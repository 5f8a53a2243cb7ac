"""Serve the app: Solara's Starlette application under uvicorn, in this process (like ``solara run``).

The server binds to loopback unless told otherwise, prints its address, and stops on Ctrl-C (or SIGTERM),
closing the app's Dask cluster. Solara's telemetry and version check are off and its page assets are served
from the installed ``solara-assets`` package when present, so the app works without any network.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
import warnings
from pathlib import Path

from nkborder.errors import InputError, shorten

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def check_port(host: str, port: int) -> None:
    """InputError unless ``port`` can be bound on ``host``."""
    if not 0 < port < 65536:
        raise InputError("--port", str(port), "not a port number", "1 to 65535")
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise InputError("--host", shorten(host), f"not an address of this machine ({exc})",
                         "127.0.0.1, ::1, localhost, 0.0.0.0 or an address of this machine") from None
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRNOTAVAIL:
                raise InputError("--host", shorten(host), "not an address of this machine",
                                 "127.0.0.1, ::1, localhost, 0.0.0.0 or an address of this machine") from None
            raise InputError("--port", str(port), f"cannot listen on {host}:{port} ({exc.strerror or exc})",
                             "a free port, e.g. --port 8766") from None


def configure(db: str | Path, backend: str = "auto") -> None:
    """Settings read by the page and by Solara (before Solara's server modules are imported)."""
    os.environ["SOLARA_APP"] = "nkborder.app.pages"
    os.environ["NKBORDER_APP_DB"] = str(Path(db).expanduser().resolve())
    os.environ["NKBORDER_APP_BACKEND"] = backend
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    os.environ.setdefault("SOLARA_THEME_TITLE", "nkborder")
    os.environ.setdefault("MPLBACKEND", "Agg")
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")  # plain-http loopback
    import solara.server.settings as settings

    settings.telemetry.mixpanel_enable = False
    settings.main.mode = "production"  # no call home, no dev reloader
    settings.theme.title = "nkborder"
    settings.theme.show_banner = False


def serve(host: str = "127.0.0.1", port: int = 8765, db: str | Path = "nkborder.duckdb", backend: str = "auto",
          log_level: str = "warning") -> None:
    """Run the app until interrupted.

    Args:
        host: interface to listen on (loopback by default: the app has no login).
        port: TCP port.
        db: the DuckDB results file runs are stored in (created if missing).
        backend: ``auto`` (experiment layer on a local Dask cluster, else in-process), ``dask`` or ``local``.
        log_level: uvicorn's log level.
    """
    if backend not in ("auto", "dask", "local"):
        raise InputError("--backend", backend, "unknown backend", "auto, dask, local")
    check_port(host, port)
    db_path = Path(db).expanduser()
    if db_path.exists() and db_path.is_dir():
        raise InputError("--db", str(db), "is a directory", "a DuckDB results file")
    configure(db_path, backend)
    import uvicorn
    from solara.server.starlette import app

    from nkborder.app import cluster

    shown = f"[{host}]" if ":" in host else host
    print(f"nkborder app: http://{shown}:{port}/  (results file {db_path.resolve()}; Ctrl-C stops it)", flush=True)
    if host not in LOOPBACK:
        print("warning: the app has no login; anyone who can reach this address can run and read results",
              file=sys.stderr, flush=True)
    from nkborder.app import assets

    gaps = assets.missing()
    if gaps:
        print("warning: the page's front end is not installed (" + ", ".join(f"{n}@{v}" for n, v in gaps) + "); "
              "Solara will fetch it from a CDN, which fails offline: run `python -m nkborder.app.assets`",
              file=sys.stderr, flush=True)
    try:
        from nkborder.app import storage

        storage.stored_runs(db_path)  # an existing file that cannot be used is reported now
    except Exception as exc:
        print(f"warning: {exc} (the page will say so when it needs the file)", file=sys.stderr, flush=True)
    if backend != "local" and not os.environ.get("NKBORDER_SCHEDULER"):
        cluster.get_cluster()  # starts in the background; the first run waits for it
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="on")
    server = uvicorn.Server(config)
    try:
        server.run()
    finally:
        cluster.shutdown()
